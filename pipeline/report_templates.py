"""HTML and Markdown reports rendered from the Jinja2 templates in pipeline/templates (package data)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from pipeline.claim_lists import describe_source
from pipeline.markdown import md_escape
from pipeline.reports import (
    cited_articles,
    claim_anchor,
    method_note,
    model_suggestion,
    number_sources,
    permalink,
    quote_differs,
    safe_url,
    shown_evidence,
    source_date,
)
from pipeline.review_types import ClaimReport, Report, ReportScope, Review
from pipeline.types import Claim, Evidence, Stance


@dataclass(frozen=True)
class Citation:
    """One piece of evidence a claim cites, with its number in the sources list."""

    stance: Stance
    number: int
    evidence: Evidence


@dataclass(frozen=True)
class ClaimSection:
    """Everything a template shows for one claim."""

    number: int
    claim: Claim
    review: Review
    decided: bool
    suggestion: str
    citations: list[Citation]
    decided_by: str
    anchor: str
    show_quote: bool


def _html_text(value: object) -> Markup:
    """Escape like html.escape(quote=True), so quotes read &quot; as they always have (markupsafe writes &#34;)."""
    if isinstance(value, Markup):
        return value
    return Markup(escape(str(value), quote=True))


def _environment(autoescape: bool, finalize: Callable[[object], object] | None = None) -> Environment:
    """A template environment over pipeline/templates that fails loudly on any undefined name."""
    environment = Environment(loader=PackageLoader("pipeline", "templates"), autoescape=autoescape,
                              undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                              keep_trailing_newline=True, auto_reload=False, finalize=finalize)
    environment.filters["safe_url"] = safe_url
    environment.filters["origin"] = describe_source
    return environment


# Every {{ value }} in HTML is escaped; finalize only picks the escaping style.
HTML_TEMPLATES = _environment(autoescape=True, finalize=_html_text)
# Markdown has no autoescape: templates pass every piece of untrusted text through the `md` filter.
MARKDOWN_TEMPLATES = _environment(autoescape=False)
MARKDOWN_TEMPLATES.filters["md"] = md_escape


def _section(number: int, item: ClaimReport, sources: dict[str, int]) -> ClaimSection:
    """One claim with its decision, the machine's suggestion and its numbered citations."""
    citations = [Citation(stance, sources[evidence.article.id], evidence)
                 for stance, evidence in shown_evidence(item)]
    return ClaimSection(number=number, claim=item.claim, review=item.review, decided=item.decided,
                        suggestion=model_suggestion(item), citations=citations,
                        decided_by=", ".join(item.reviewers) or item.review.reviewer, anchor=claim_anchor(item),
                        show_quote=quote_differs(item))


def report_context(report: Report) -> dict[str, object]:
    """What both templates render: title, counts, claim sections, sources (with dates) and the method note."""
    article = report.run.article
    sources = number_sources(report)
    return {"report": report, "article": article,
            "title": article.title or article.source or "Untitled article",
            "decided": sum(1 for c in report.claims if c.decided), "total": len(report.claims) + report.left_out,
            "decided_only": report.scope == ReportScope.DECIDED, "permalink": permalink(report),
            "sections": [_section(n, item, sources) for n, item in enumerate(report.claims, start=1)],
            "sources": [(n, ref, source_date(ref)) for n, ref in cited_articles(report)],
            "method": method_note(report)}


def to_html(report: Report) -> str:
    """A publishable, self-contained HTML page: all text escaped, no scripts, no remote content (a CSP forbids them)."""
    return HTML_TEMPLATES.get_template("report.html.j2").render(report_context(report))


def to_markdown(report: Report) -> str:
    """A publishable Markdown report with numbered sources and a method note."""
    return MARKDOWN_TEMPLATES.get_template("report.md.j2").render(report_context(report))
