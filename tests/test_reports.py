"""Exports: content, rating mapping, unreviewed claims never presented as decided, hostile text shown as text."""

import csv
import io
import json
import re
from html import escape
from html.parser import HTMLParser

import pytest
from jinja2 import UndefinedError

from pipeline.claimreview import rating_value
from pipeline.config import ReviewSettings
from pipeline.report_formats import EXTENSIONS, FORMATS, MEDIA_TYPES, NAMES, REPORT_FORMATS, export
from pipeline.report_templates import HTML_TEMPLATES, MARKDOWN_TEMPLATES, report_context
from pipeline.reports import build_report
from pipeline.review_types import Review, ReviewEvent, ReviewStatus
from pipeline.types import Article, Claim, EngineInfo, Evidence, RunResult, Stance, VerdictLabel

HOSTILE = ('Iran sold <script>alert("x")</script> drones <img src=x onerror=alert(1)> '
           '[click](javascript:alert(1)) ![pixel](http://evil.example/p.png) =HYPERLINK("http://evil")')


def make_report():
    evidence = [
        Evidence(chunk_id="c1", article_id="jcpoa", title="JCPOA <b>explainer</b>", url="https://en.wikipedia.org/wiki/JCPOA",
                 source="jcpoa.md", text="The deal was agreed in Vienna on 14 July 2015.", score=0.9,
                 stance=Stance.CONTRADICTS, quote="agreed in Vienna on 14 July 2015", grounded=True,
                 rationale="Different year."),
        Evidence(chunk_id="c2", article_id="bad", title="Bad link", url="javascript:alert(1)", source="x.txt",
                 text=HOSTILE, score=0.5, stance=Stance.SUPPORTS, quote="fabricated", grounded=False,
                 rationale=HOSTILE),
    ]
    text = "Iran and six world powers signed the nuclear deal in 2013. " + HOSTILE
    claims = [
        Claim(id="k1", text="The nuclear deal was signed in 2013.", source_quote=text[:58], span=(0, 58),
              checkworthiness=0.9, verdict=VerdictLabel.REFUTED, confidence=0.8, evidence=evidence),
        Claim(id="k2", text=HOSTILE, source_quote=HOSTILE, span=(59, 59 + len(HOSTILE)), checkworthiness=0.7,
              verdict=VerdictLabel.SUPPORTED, confidence=0.6),
    ]
    run = RunResult(run_id="run1", created_at="2026-11-28T10:00:00+00:00",
                    engine=EngineInfo(kind="llm", provider="openai", model="gpt-4o-mini", embedding="minilm",
                                      retrieval="hybrid"),
                    prompt_versions={"extract_claims": "abc123", "judge_stance": "def456"},
                    article=Article(id="a1", title="Deal <script>x</script>", text=text,
                                    url="https://news.example/deal"), claims=claims)
    reviews = {"k1": Review(run_id="run1", claim_id="k1", status=ReviewStatus.DONE, rating="False",
                            verdict=VerdictLabel.REFUTED, explanation="Agreed in 2015, not 2013.",
                            notes="internal note", reviewer="Ana", updated_at="2026-11-28T11:00:00+00:00",
                            version=3)}
    events = [ReviewEvent(run_id="run1", claim_id="k1", reviewer="Ana", at="t", field="rating", old="",
                          new="False", version=1)]
    return build_report(run, reviews, events, ReviewSettings(organisation="Fact Desk",
                                                              organisation_url="https://factdesk.example"))


def test_rating_scale_maps_higher_to_truer():
    scale = ReviewSettings().rating_scale
    assert [rating_value(r, scale) for r in scale] == [5, 4, 3, 2, 1]
    assert rating_value("Not checkable", scale) is None


def test_claimreview_publishes_only_decided_claims():
    [item] = json.loads(export(make_report(), "claimreview"))
    assert item["@type"] == "ClaimReview" and item["claimReviewed"] == "The nuclear deal was signed in 2013."
    rating = item["reviewRating"]
    assert rating == {"@type": "Rating", "alternateName": "False", "ratingValue": 1, "bestRating": 5,
                      "worstRating": 1}
    assert item["itemReviewed"]["appearance"][0]["url"] == "https://news.example/deal"
    assert item["author"] == {"@type": "Organization", "name": "Fact Desk", "url": "https://factdesk.example"}
    assert item["datePublished"] == "2026-11-28" and item["reviewBody"] == "Agreed in 2015, not 2013."


def test_markdown_marks_unreviewed_and_has_sources_and_method():
    md = export(make_report(), "md", "all")
    assert "**Rating: False**" in md and "*Decided by Ana on 2026-11-28.*" in md
    assert "**Not yet reviewed** — machine suggestion only" in md
    assert "1. JCPOA \\<b\\>explainer\\</b\\>" in md
    assert "<https://en.wikipedia.org/wiki/JCPOA>" in md
    assert "AI assisted and a person decided" in md and "language model gpt-4o-mini via openai" in md
    assert "extract\\_claims abc123" in md
    assert "![pixel]" not in md and "](javascript:" not in md and "<script>" not in md
    assert "internal note" not in md


def test_html_is_self_contained_and_shows_hostile_text_as_text():
    page = export(make_report(), "html", "all")
    assert "<script" not in page.lower().replace("&lt;script", "")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<img" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'href="javascript:' not in page
    assert not re.search(r"""(src|href)=["']?https?://evil""", page)
    assert "Content-Security-Policy" in page and "script-src 'none'" in page
    assert '<a href="https://en.wikipedia.org/wiki/JCPOA"' in page
    assert "Not yet reviewed" in page and "Rating: False" in page
    assert "AI assisted and a person decided" in page
    assert "Bad link" not in page  # an ungrounded judgment no reviewer vouched for is not cited


def test_json_is_the_result_plus_reviews():
    doc = json.loads(export(make_report(), "json"))
    assert doc["run_id"] == "run1" and len(doc["claims"]) == 2
    assert doc["reviews"]["k1"]["rating"] == "False" and doc["reviews"]["k1"]["decided"] is True
    assert doc["reviews"]["k2"]["status"] == "unreviewed" and doc["reviews"]["k2"]["decided"] is False
    assert doc["reviews"]["k1"]["notes"] == "internal note"


def test_csv_one_row_per_claim_and_formulas_neutralised():
    rows = list(csv.DictReader(io.StringIO(export(make_report(), "csv"))))
    assert [r["claim_id"] for r in rows] == ["k1", "k2"]
    assert rows[0]["rating"] == "False" and rows[0]["decided"] == "True" and rows[0]["reviewers"] == "Ana"
    assert rows[1]["review_status"] == "unreviewed" and rows[1]["decided"] == "False"
    assert "[1] https://en.wikipedia.org/wiki/JCPOA" in rows[0]["contradicting_sources"]
    formula = export(make_report(), "csv")
    assert ',=HYPERLINK' not in formula and ',"=HYPERLINK' not in formula


CSP_TAG = ('<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; style-src \'unsafe-inline\'; '
           "img-src 'none'; script-src 'none'; base-uri 'none'\">")
ATTACK = """"'><script>alert(1)</script><a href='javascript:alert(2)' onclick="alert(3)">x</a>"""
PAGE_TAGS = {"html", "head", "meta", "title", "style", "body", "header", "h1", "p", "main", "h2", "section", "h3",
             "span", "blockquote", "ul", "li", "a", "ol", "footer"}


class StartTags(HTMLParser):
    """Every start tag of a page with its attributes, as a browser would read them."""

    def __init__(self, page: str):
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def hostile_report():
    """The sample report with attacker-controlled text in every field a template shows."""
    report = make_report()
    article, item = report.run.article, report.claims[0]
    article.title, article.url = ATTACK, 'https://news.example/a"onmouseover="alert(4)'
    item.claim.text = item.claim.source_quote = item.review.explanation = item.review.rating = ATTACK
    item.reviewers = [ATTACK]
    evidence = item.claim.evidence[0]
    evidence.quote, evidence.passage.chunk.article.title = ATTACK, ATTACK
    evidence.passage.chunk.article.url, evidence.passage.chunk.article.date = "https://ok.example/p?a=1&b=2", ATTACK
    evidence.passage.chunk.article.date_source = ATTACK
    report.organisation, report.organisation_url = ATTACK, "javascript:alert(5)"
    return report


def test_html_template_escapes_hostile_fields_and_keeps_the_csp():
    page = export(hostile_report(), "html", "all")
    assert page.count(CSP_TAG) == 1 and page.count("<style>") == 1
    assert page.count(escape(ATTACK, quote=True)) >= 8  # title twice, claim, quote, rating, explanation, ...
    tags = StartTags(page).tags
    assert {tag for tag, _ in tags} <= PAGE_TAGS
    assert not [name for _, attrs in tags for name in attrs if name.startswith("on")]
    links = [attrs for tag, attrs in tags if tag == "a"]
    assert [a["href"] for a in links if not a["href"].startswith("#source-")] == ["https://ok.example/p?a=1&b=2"]
    assert all(a["rel"] == "noopener noreferrer nofollow" for a in links if not a["href"].startswith("#"))
    assert 'href="https://ok.example/p?a=1&amp;b=2"' in page


def test_markdown_template_escapes_every_untrusted_field():
    md = export(hostile_report(), "md", "all")
    assert re.findall(r"(?<!\\)<[^>]*>", md) == ["<https://ok.example/p?a=1&b=2>"]  # the one autolink, no HTML
    assert not re.search(r"(?<!\\)\]\(", md)  # no Markdown link or image
    assert "news.example" not in md  # an article URL with quotes in it is never linked


@pytest.mark.parametrize("environment", [HTML_TEMPLATES, MARKDOWN_TEMPLATES], ids=["html", "md"])
def test_templates_fail_loudly_on_undefined_names(environment):
    with pytest.raises(UndefinedError):
        environment.from_string("{{ title }} {{ no_such_name }}").render(title="x")
    with pytest.raises(UndefinedError):
        environment.from_string("{% if report.no_such_field %}x{% endif %}").render(report=make_report())
    name = "report.html.j2" if environment is HTML_TEMPLATES else "report.md.j2"
    context = report_context(make_report())
    del context["method"]
    with pytest.raises(UndefinedError):
        environment.get_template(name).render(context)


def test_one_registry_lists_every_format():
    assert FORMATS == ("md", "html", "json", "csv", "claimreview") == tuple(REPORT_FORMATS)
    assert MEDIA_TYPES["claimreview"] == "application/ld+json" and EXTENSIONS["claimreview"] == "jsonld"
    assert NAMES["html"] == "HTML (self-contained)"
    with pytest.raises(ValueError, match="unknown format"):
        export(make_report(), "pdf")
