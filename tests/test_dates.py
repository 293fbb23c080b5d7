"""Publication dates come from what the source says (never the ingest day), and old articles still load."""

import io
import json

import pytest
from conftest import ROOT
from pdf_maker import make_pdf
from pypdf import PdfWriter

from pipeline.dates import parse_date
from pipeline.loaders import load_bytes, load_file, load_text
from pipeline.types import ArticleRef, RunResult

BODY = "Russia was training Iranian pilots on the Su-35 fighter, the White House said on Friday."


def page(head: str) -> bytes:
    return f"<html><head><title>Su-35 pilots</title>{head}</head><body><p>{BODY}</p></body></html>".encode()


@pytest.mark.parametrize(("head", "found", "source"), [
    ('<meta property="article:published_time" content="2022-12-09T18:30:00+00:00">', "2022-12-09",
     "HTML meta article:published_time"),
    ('<meta name="date" content="Fri, 09 Dec 2022 18:30:00 GMT">', "2022-12-09", "HTML meta date"),
    ('<script type="application/ld+json">{"@context": "https://schema.org", "@graph": [{"@type": "NewsArticle",'
     ' "datePublished": "2022-12-08T09:00:00Z"}]}</script><meta name="date" content="2022-12-09">', "2022-12-08",
     "JSON-LD datePublished"),
])
def test_html_meta_and_json_ld_give_the_publication_date(head, found, source):
    article = load_bytes(page(head), "su35.html")
    assert (article.date, article.date_source, article.published) == (found, source, found)
    assert article.ingested_at[:2] == "20" and "T" in article.ingested_at and article.ingested_at != article.date


@pytest.mark.parametrize(("text", "found"), [
    (f"Su-35 pilots\n\nWASHINGTON, Dec. 9, 2022 (Reuters) - {BODY}", "2022-12-09"),
    (f"Su-35 pilots\nPublished: 9 December 2022 10:30 GMT\n\n{BODY}", "2022-12-09"),
    (f"UN Security Council, 9 December 2022: Britain and Russia clash\n\n{BODY}", ""),  # a headline, no dateline
    (f"Su-35 pilots\n\nOn 9 December 2022, {BODY}", ""),  # a date in a sentence is not the publication date
])
def test_a_dateline_in_the_text_gives_the_date(tmp_path, text, found):
    path = tmp_path / "su35.txt"
    path.write_text(text, encoding="utf-8")
    assert load_file(path).published == found
    assert load_text(text).published == found


def test_pdf_metadata_gives_the_date():
    writer = PdfWriter(clone_from=io.BytesIO(make_pdf([BODY])))
    writer.add_metadata({"/CreationDate": "D:20221209103000Z", "/Title": "Su-35 pilots"})
    buffer = io.BytesIO()
    writer.write(buffer)
    article = load_bytes(buffer.getvalue(), "su35.pdf")
    assert (article.published, article.date_source) == ("2022-12-09", "PDF metadata creation date")


def test_without_a_stated_date_there_is_none_and_the_ingest_time_is_its_own_field():
    article = load_text(BODY)
    assert article.date == article.published == "" and article.ingested_at
    # Before this field, `date` held the ingest day: with no date_source it is never a publication date.
    legacy = ArticleRef.model_validate({"id": "a", "title": "t", "date": "2026-11-30"})
    assert legacy.published == "" and legacy.date == "2026-11-30"


def test_a_run_saved_before_the_fields_existed_loads():
    run = RunResult.model_validate(json.loads((ROOT / "tests" / "fixtures" / "run-v1.json").read_text()))
    assert run.article.published == "" and all(e.article.published == "" for c in run.claims for e in c.evidence)


@pytest.mark.parametrize(("value", "expected"), [
    ("2022-12-09T18:30:00Z", "2022-12-09"), ("Friday, December 9th, 2022", "2022-12-09"),
    ("9 Dec 2022", "2022-12-09"), ("2022-02-30", ""), ("2999-01-01", ""), ("soon", ""),
])
def test_parse_date(value, expected):
    assert parse_date(value) == expected
