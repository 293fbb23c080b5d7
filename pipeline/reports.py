"""Reports: a run paired with its reviews, and what every export format shares (numbered sources, method note)."""

from __future__ import annotations

import re

from pipeline.config import ReviewSettings, Settings
from pipeline.queue import effective_stance
from pipeline.review_types import ClaimReport, Report, ReportScope, Review, ReviewEvent, ReviewStatus
from pipeline.reviews import ReviewStore, now_iso
from pipeline.runs import RunStore
from pipeline.types import ArticleRef, ClaimStatus, Evidence, RunResult, Stance


def is_decided(review: Review) -> bool:
    """A person decided this claim: marked done with a rating."""
    return review.status == ReviewStatus.DONE and bool(review.rating)


def build_report(result: RunResult, reviews: dict[str, Review], events: list[ReviewEvent],
                 settings: ReviewSettings, base_url: str = "") -> Report:
    """Pair every claim with its review and the people who worked on it."""
    claims = []
    for claim in result.claims:
        review = reviews.get(claim.id) or Review(run_id=result.run_id, claim_id=claim.id)
        people = list(dict.fromkeys(e.reviewer for e in events if e.claim_id == claim.id and e.reviewer))
        claims.append(ClaimReport(claim=claim, review=review, decided=is_decided(review), reviewers=people))
    return Report(run=result, claims=claims, organisation=settings.organisation,
                  organisation_url=settings.organisation_url, generated_at=now_iso(),
                  rating_scale=settings.rating_scale, not_checkable=settings.not_checkable, base_url=base_url)


def scoped(report: Report, scope: ReportScope) -> Report:
    """The report with only the claims a scope shows (the others counted as left out)."""
    kept = report.claims if scope == ReportScope.ALL else [c for c in report.claims if c.decided]
    return report.model_copy(update={"claims": kept, "scope": scope,
                                     "left_out": report.left_out + len(report.claims) - len(kept)})


def permalink(report: Report) -> str:
    """Where the published HTML report lives ("" when no reports.base_url is configured)."""
    base = safe_url(report.base_url.strip())
    return f"{base.rstrip('/')}/factcheck-{report.run.run_id}.html" if base else ""


def claim_anchor(item: ClaimReport) -> str:
    """The claim's fragment id in the HTML report, stable whatever the scope."""
    return f"claim-{item.claim.id}"


def _words(text: str) -> str:
    """Text reduced to its words, for comparing a claim with its source sentence."""
    return " ".join(re.sub(r"[\W_]+", " ", text).casefold().split())


def quote_differs(item: ClaimReport) -> bool:
    """Whether the article's sentence says more than the claim (else printing it would repeat the claim)."""
    return _words(item.claim.source_quote) != _words(item.claim.text)


def load_report(run_id: str, settings: Settings) -> Report:
    """A saved run with a consistent snapshot of its reviews."""
    result = RunStore(settings.runs_dir).load(run_id)
    reviews, events = ReviewStore(settings.reviews_db).snapshot(run_id)
    return build_report(result, reviews, events, settings.review, settings.reports.base_url)


def shown_evidence(item: ClaimReport) -> list[tuple[Stance, Evidence]]:
    """Evidence a report cites, supports first: decisive judgments that are grounded or that a reviewer set."""
    pairs = [(effective_stance(e, item.review), e) for e in item.claim.evidence
             if e.grounded or e.chunk_id in item.review.stances]
    decisive = [(s, e) for s, e in pairs if s != Stance.UNRELATED]
    return sorted(decisive, key=lambda pair: pair[0] != Stance.SUPPORTS)


def number_sources(report: Report) -> dict[str, int]:
    """Number every cited article once (by article id), in order of first citation."""
    numbers: dict[str, int] = {}
    for item in report.claims:
        for _, evidence in shown_evidence(item):
            numbers.setdefault(evidence.article.id, len(numbers) + 1)
    return numbers


def cited_articles(report: Report) -> list[tuple[int, ArticleRef]]:
    """(number, article) for the sources list: one entry per article, however many of its passages are cited."""
    by_id: dict[str, ArticleRef] = {}
    for item in report.claims:
        for _, evidence in shown_evidence(item):
            by_id.setdefault(evidence.article.id, evidence.article)
    return [(n, by_id[aid]) for aid, n in number_sources(report).items()]


def source_date(article: ArticleRef) -> str:
    """The publication date as the source states it, and where it says so; "date unknown" otherwise."""
    return f"published {article.published} ({article.date_source})" if article.published else "date unknown"


def safe_url(url: str) -> str:
    """Only http(s) URLs ever become links."""
    return url if url.startswith(("http://", "https://")) and not any(c in url for c in "\"'<> \n") else ""


def model_suggestion(item: ClaimReport) -> str:
    """The machine's suggestion in words."""
    claim = item.claim
    if claim.status == ClaimStatus.FAILED:
        return f"the automatic check failed ({claim.error})"
    return f"{claim.verdict.value.replace('_', ' ')} (confidence {claim.confidence:.2f})"


def method_note(report: Report) -> str:
    """How the findings were produced, stated plainly: AI assisted, a person decided."""
    run, engine = report.run, report.run.engine
    prompts = ", ".join(f"{k} {v}" for k, v in sorted(run.prompt_versions.items())) or "none"
    made_by = ("the built-in offline heuristic engine (no language model)" if engine.kind == "offline"
               else f"the language model {engine.model} via {engine.provider}")
    decided = sum(1 for c in report.claims if c.decided)
    total = len(report.claims) + report.left_out
    people = sorted({p for c in report.claims if c.decided for p in c.reviewers})
    shown = ("Only the claims a person decided are shown; the others are left out until they are decided. "
             if report.scope == ReportScope.DECIDED else "Claims marked as not yet reviewed show only the "
             "machine's suggestion and are not conclusions. ")
    return (f"AI assisted and a person decided: claims were extracted and evidence was suggested by {made_by}, "
            f"with passages retrieved by {engine.retrieval or 'the configured retriever'} over the embedding "
            f"{engine.embedding}; prompt/model versions: {prompts}; run {run.run_id} of {run.created_at}. "
            f"Each rating in this report was decided by a person ({', '.join(people) or 'nobody yet'}): "
            f"{decided} of {total} claims are decided. {shown}Report generated {report.generated_at} "
            f"by {report.organisation}.")
