"""Reports a desk can publish: scope, one source per article, stated dates, no repeated sentences, ClaimReview."""

import csv
import io
import json
import re

import pytest
from test_reports import make_report

from pipeline.cli import main, print_summary
from pipeline.errors import InputError
from pipeline.report_formats import export
from pipeline.types import ArticleRef, Chunk, Evidence, Passage, Stance

UNDECIDED = "Iran sold"  # the start of make_report's second claim, which nobody decided


def test_decided_only_is_the_default_for_markdown_html_and_claimreview():
    report = make_report()
    for fmt in ("md", "html"):
        text = " ".join(export(report, fmt).split())
        assert "The nuclear deal was signed in 2013." in text and UNDECIDED not in text, fmt
        assert "Not yet reviewed" not in text and "1 of 2 claims decided by a person" in text, fmt
        assert "only decided claims are shown" in text, fmt
    assert len(json.loads(export(report, "claimreview"))) == 1
    with pytest.raises(InputError, match="only decided claims"):
        export(report, "claimreview", "all")


def test_everything_with_machine_suggestions_marked_is_the_default_for_json_and_csv():
    report = make_report()
    document = json.loads(export(report, "json"))
    assert [c["id"] for c in document["claims"]] == ["k1", "k2"] and document["report"]["scope"] == "all"
    assert document["reviews"]["k2"]["decided"] is False
    rows = list(csv.DictReader(io.StringIO(export(report, "csv"))))
    assert [(r["claim_id"], r["decided"]) for r in rows] == [("k1", "True"), ("k2", "False")]
    decided = json.loads(export(report, "json", "decided"))
    assert [c["id"] for c in decided["claims"]] == ["k1"] and set(decided["reviews"]) == {"k1"}
    assert decided["report"]["left_out"] == 1
    everything = export(report, "md", "all")
    assert UNDECIDED in everything and "**Not yet reviewed** — machine suggestion only" in everything


def evidence(chunk_id: str, article: ArticleRef, quote: str, stance: Stance = Stance.SUPPORTS) -> Evidence:
    chunk = Chunk(id=chunk_id, article=article, text=f"Before. {quote}. After.")
    return Evidence(passage=Passage(chunk=chunk, score=0.8), stance=stance, quote=quote, grounded=True)


def two_articles_report():
    """Two claims citing three passages of one article (dated by its dateline) and one of an undated article."""
    dated = ArticleRef(id="su35", title="Su-35 pilots", url="https://news.example/su35", date="2022-12-09",
                       date_source="dateline", ingested_at="2026-11-30T10:00:00+00:00")
    undated = ArticleRef(id="un", title="UN meeting", source="un.txt", date="2026-11-30")  # legacy: ingest day
    report = make_report()
    first, second = report.claims
    first.claim.evidence = [evidence("p1", dated, "Russia trains pilots"), evidence("p2", dated, "on the Su-35"),
                            evidence("p3", undated, "Britain said so")]
    second.claim.evidence = [evidence("p4", dated, "Iran could receive the jets")]
    return report


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_sources_are_numbered_once_per_article_with_the_date_the_source_states(fmt):
    text = export(two_articles_report(), fmt, "all").replace("\\", "")  # read Markdown without its escapes
    sources = text.split("Sources", 1)[1]
    assert sources.count("Su-35 pilots") == 1 and sources.count("UN meeting") == 1
    assert "published 2022-12-09 (dateline)" in sources and "UN meeting, date unknown" in sources
    assert "2026-11-30" not in text  # the ingest day is never shown as a date
    citations = re.findall(r"supports(?:</span>)? (?:<a href=\"#source-\d\">)?\[(\d)\]", text)
    assert citations == ["1", "1", "2", "1"]


def test_csv_cites_each_article_once_per_claim():
    rows = list(csv.DictReader(io.StringIO(export(two_articles_report(), "csv"))))
    assert rows[0]["supporting_sources"] == "[1] https://news.example/su35 [2] un.txt"
    assert rows[1]["supporting_sources"] == "[1] https://news.example/su35"


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_the_source_sentence_is_printed_only_when_it_differs_from_the_claim(fmt):
    report = make_report()
    first, second = report.claims
    second.review = first.review.model_copy(update={"claim_id": "k2"})  # decided, claim text == its sentence
    text = export(report, fmt)
    assert text.count("In the article:") == 1
    assert "In the article: “Iran and six world powers signed the nuclear deal in 2013.”" in text


def check_claimreview_shape(item: dict) -> None:
    """The schema.org ClaimReview shape search engines read."""
    assert item["@context"] == "https://schema.org" and item["@type"] == "ClaimReview"
    assert re.fullmatch(r"https?://[^\s\"'<>]+", item["url"])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", item["datePublished"]) and item["claimReviewed"]
    assert item["author"]["@type"] == "Organization" and item["author"]["name"]
    rating = item["reviewRating"]
    assert rating["@type"] == "Rating" and rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
    assert item["itemReviewed"]["@type"] == "Claim"
    for appearance in item["itemReviewed"].get("appearance", []):
        assert appearance["@type"] == "CreativeWork" and appearance["url"].startswith("https://")


def test_claimreview_url_is_the_report_permalink_and_appearance_the_article():
    report = make_report().model_copy(update={"base_url": "https://factdesk.example/checks/"})
    report.run.article.date, report.run.article.date_source = "2022-12-10", "HTML meta article:published_time"
    [item] = json.loads(export(report, "claimreview"))
    check_claimreview_shape(item)
    assert item["url"] == "https://factdesk.example/checks/factcheck-run1.html#claim-k1"
    assert item["itemReviewed"]["appearance"] == [{"@type": "CreativeWork", "url": "https://news.example/deal",
                                                   "datePublished": "2022-12-10"}]
    assert 'id="claim-k1"' in export(report, "html")  # the permalink's fragment exists in the page
    assert "Permalink: <https://factdesk.example/checks/factcheck-run1.html>" in export(report, "md")


def test_claimreview_without_an_article_url_or_base_url_leaves_them_out():
    report = make_report()
    report.run.article.url = ""
    [item] = json.loads(export(report, "claimreview"))
    assert "url" not in item and "appearance" not in item["itemReviewed"]


def test_check_summary_cuts_long_quotes_on_a_word_with_an_ellipsis(capsys):
    report = two_articles_report()
    quote = ("On 9 December 2022, White House National Security Council spokesman John Kirby said that Russia "
             "was offering Iran an unprecedented level of military and technical support.")
    report.run.claims = report.run.claims[:1]
    report.run.claims[0].evidence = [evidence("p9", report.run.claims[0].evidence[0].article, quote)]
    print_summary(report.run)
    [line] = [line for line in capsys.readouterr().out.splitlines() if "supports:" in line]
    shown = line.split("“", 1)[1].split("”", 1)[0]
    assert shown.endswith("…") and quote.startswith(shown[:-1]) and len(shown) <= 141
    assert quote[len(shown) - 1] == " "  # the cut falls between words


def test_check_without_title_names_the_file_not_a_cut_sentence(tmp_path, engine, capsys):
    article = tmp_path / "kirby-briefing.txt"
    article.write_text("White House National Security Council spokesman John Kirby said on Friday that Russia "
                       "was offering Iran an unprecedented level of military and technical support.\n"
                       "Kirby said Iran could receive Su-35 fighter jets within the year.\n", encoding="utf-8")
    assert main(["check", str(article), "--json"], lambda settings: engine) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out)["article"]["title"] == "kirby-briefing"
    assert "Title: “kirby-briefing” (from the file name; pass --title to change it)." in captured.err
