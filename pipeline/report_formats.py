"""Report export formats: the one registry of formats, and the JSON and CSV renderers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import NamedTuple

from pipeline.claimreview import to_claimreview
from pipeline.errors import InputError, redact
from pipeline.factcheck_match import accepted_factcheck
from pipeline.injection import find_instructions
from pipeline.report_templates import to_html, to_markdown
from pipeline.reports import method_note, number_sources, scoped, shown_evidence
from pipeline.review_types import ClaimReport, Report, ReportScope
from pipeline.types import ClaimSource, ClaimStatus, Stance


def to_json(report: Report) -> str:
    """The result document (the claims in scope) plus reviews, reviewers and report metadata."""
    document = json.loads(report.run.model_copy(update={"claims": [c.claim for c in report.claims]})
                          .model_dump_json())
    document["reviews"] = {c.claim.id: {**json.loads(c.review.model_dump_json()), "decided": c.decided,
                                        "reviewers": c.reviewers, "accepted_factcheck": _accepted(c)}
                          for c in report.claims}
    document["report"] = {"organisation": report.organisation, "generated_at": report.generated_at,
                          "scope": report.scope.value, "left_out": report.left_out,
                          "method": method_note(report),
                          "instructions_to_model": [f.model_dump() for f in find_instructions(report.run.article.text)]}
    return json.dumps(document, indent=2, ensure_ascii=False)


def _accepted(item: ClaimReport) -> dict | None:
    """The prior fact-check a decision was based on, as JSON (None when there is none)."""
    prior = accepted_factcheck(item)
    return prior.model_dump() if prior else None


def _csv_cell(value: object) -> str:
    """Neutralise spreadsheet formulas (=, +, -, @) in text that came from articles or models."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


CSV_COLUMNS = ("number", "claim_id", "claim", "source_quote", "checkworthiness", "model_verdict",
               "model_confidence", "review_status", "decided", "final_verdict", "rating", "explanation",
               "notes", "reviewers", "updated_at", "supporting_sources", "contradicting_sources",
               "claim_url", "claim_speaker", "claim_date", "claim_flagged_by", "claim_note", "prior_factcheck")


def _cited_sources(item: ClaimReport, numbers: dict[str, int], stance: Stance) -> str:
    """'[n] url-or-source' for each article the claim cites with this stance (once, however many passages)."""
    cited = {numbers[e.article.id]: e.article.url or e.article.source for shown, e in shown_evidence(item)
             if shown == stance}
    return " ".join(f"[{n}] {where}" for n, where in cited.items())


def to_csv(report: Report) -> str:
    """One row per claim."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    numbers = number_sources(report)
    for number, item in enumerate(report.claims, start=1):
        claim, review = item.claim, item.review
        cited = {s: _cited_sources(item, numbers, s) for s in (Stance.SUPPORTS, Stance.CONTRADICTS)}
        row = (number, claim.id, claim.text, claim.source_quote, claim.checkworthiness,
               claim.verdict.value if claim.status == ClaimStatus.OK else "failed", claim.confidence,
               review.status.value, item.decided, review.verdict.value if review.verdict else "", review.rating,
               review.explanation, review.notes, "; ".join(item.reviewers), review.updated_at,
               cited[Stance.SUPPORTS], cited[Stance.CONTRADICTS])
        origin = claim.source or ClaimSource()  # where a claim handed in by a person came from
        writer.writerow([_csv_cell(v) for v in (*row, origin.url, origin.speaker, origin.date, origin.flagged_by,
                                                 origin.note, _prior_cell(item))])
    return buffer.getvalue()


def _prior_cell(item: ClaimReport) -> str:
    """'publisher: rating url' of the prior fact-check a decision was based on."""
    prior = accepted_factcheck(item)
    return f"{prior.publisher}: {prior.rating} {prior.url}".strip() if prior else ""


class ReportFormat(NamedTuple):
    """How to render one export format and how to offer the file."""

    render: Callable[[Report], str]
    media_type: str
    extension: str
    name: str
    # What the format shows unless asked otherwise, and what it can show.
    scope: ReportScope = ReportScope.DECIDED
    scopes: tuple[ReportScope, ...] = (ReportScope.DECIDED, ReportScope.ALL)


# The one list of formats, in the order the CLI and the Reports page offer them.
REPORT_FORMATS: dict[str, ReportFormat] = {
    "md": ReportFormat(to_markdown, "text/markdown", "md", "Markdown"),
    "html": ReportFormat(to_html, "text/html", "html", "HTML (self-contained)"),
    "json": ReportFormat(to_json, "application/json", "json", "JSON (result + reviews)", ReportScope.ALL),
    "csv": ReportFormat(to_csv, "text/csv", "csv", "CSV (one row per claim)", ReportScope.ALL),
    # ClaimReview is a published rating: a machine suggestion is never one.
    "claimreview": ReportFormat(to_claimreview, "application/ld+json", "jsonld", "ClaimReview JSON-LD",
                                scopes=(ReportScope.DECIDED,)),
}
FORMATS = tuple(REPORT_FORMATS)
MEDIA_TYPES = {fmt: spec.media_type for fmt, spec in REPORT_FORMATS.items()}
EXTENSIONS = {fmt: spec.extension for fmt, spec in REPORT_FORMATS.items()}
NAMES = {fmt: spec.name for fmt, spec in REPORT_FORMATS.items()}


SCOPE_NAMES = {ReportScope.DECIDED: "decided only", ReportScope.ALL: "everything, with machine suggestions marked"}


def export(report: Report, fmt: str, scope: ReportScope | str | None = None) -> str:
    """Render a report in one of FORMATS, in a scope (the format's default when None), with any secret redacted."""
    if fmt not in REPORT_FORMATS:
        raise ValueError(f"unknown format {fmt}")
    spec = REPORT_FORMATS[fmt]
    chosen = ReportScope(scope) if scope else spec.scope
    if chosen not in spec.scopes:
        raise InputError(f"The {spec.name} export shows only decided claims",
                         "Leave out --scope or use --scope decided")
    return redact(spec.render(scoped(report, chosen)))
