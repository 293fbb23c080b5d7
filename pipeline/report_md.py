"""The Markdown report: every piece of article or model text escaped so it renders literally."""

from __future__ import annotations

import re

from pipeline.reports import cited_passages, method_note, model_suggestion, number_sources, safe_url, shown_evidence
from pipeline.types import ClaimReport, Report

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~&])")
_AUTOLINK = re.compile(r"(?i)(://|\bwww\.)")


def md_escape(text: str) -> str:
    """Article and model text rendered literally in Markdown: no links, autolinks, images, HTML or emphasis."""
    escaped = _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    escaped = _AUTOLINK.sub(lambda m: m.group(1).replace(":", "\\:").replace(".", "\\."), escaped)
    return "\\" + escaped if escaped[:1] in ("-", "=") else escaped


def _claim_lines(number: int, item: ClaimReport, sources: dict[str, int]) -> list[str]:
    """A claim: the decision (or that there is none yet), the quote, the evidence, who decided."""
    review = item.review
    lines = [f"### {number}. {md_escape(item.claim.text)}", ""]
    if item.decided:
        verdict = f" · verdict: {review.verdict.value.replace('_', ' ')}" if review.verdict else ""
        lines.append(f"**Rating: {md_escape(review.rating)}**{verdict}")
    else:
        lines.append(f"**Not yet reviewed** — machine suggestion only: {md_escape(model_suggestion(item))}")
    lines += ["", f"> In the article: “{md_escape(item.claim.source_quote)}”", ""]
    if item.decided and review.explanation:
        lines += [md_escape(review.explanation), ""]
    for stance, evidence in shown_evidence(item):
        mark = "" if evidence.grounded else " (quote not found in the source; not counted)"
        quote = f": “{md_escape(evidence.quote)}”" if evidence.quote else ""
        lines.append(f"- {stance.value} [{sources[evidence.chunk_id]}]{quote}{mark}")
    if item.decided:
        lines += ["", f"*Decided by {md_escape(', '.join(item.reviewers) or review.reviewer)} "
                      f"on {review.updated_at[:10]}.*"]
    return lines + [""]


def to_markdown(report: Report) -> str:
    """A publishable Markdown report with numbered sources and a method note."""
    run = report.run
    sources = number_sources(report)
    title = run.article.title or run.article.source or "Untitled article"
    decided = sum(1 for c in report.claims if c.decided)
    lines = [f"# Fact-check: {md_escape(title)}", "",
             f"{md_escape(report.organisation)} · {report.generated_at[:10]} · {decided} of "
             f"{len(report.claims)} claims decided by a person", ""]
    if safe_url(run.article.url):
        lines += [f"Article: <{safe_url(run.article.url)}>", ""]
    lines += ["## Claims", ""]
    for number, item in enumerate(report.claims, start=1):
        lines += _claim_lines(number, item, sources)
    lines += ["## Sources", ""]
    for number, passage in cited_passages(report):
        link = f" <{safe_url(passage.url)}>" if safe_url(passage.url) else ""
        date = f", {md_escape(passage.date)}" if passage.date else ""
        lines.append(f"{number}. {md_escape(passage.title or passage.source)}{date}{link}")
    lines += ["", "## Method", "", md_escape(method_note(report))]
    return "\n".join(lines) + "\n"
