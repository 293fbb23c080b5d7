"""Reports: a run paired with its reviews, and what every export format shares (numbered sources, method note)."""

from __future__ import annotations

from pipeline.config import ReviewSettings, Settings
from pipeline.queue import effective_stance
from pipeline.reviews import ReviewStore, now_iso
from pipeline.runs import RunStore
from pipeline.types import (
    ClaimReport,
    ClaimStatus,
    Evidence,
    Report,
    Review,
    ReviewEvent,
    ReviewStatus,
    RunResult,
    Stance,
)


def is_decided(review: Review) -> bool:
    """A person decided this claim: marked done with a rating."""
    return review.status == ReviewStatus.DONE and bool(review.rating)


def build_report(result: RunResult, reviews: dict[str, Review], events: list[ReviewEvent],
                 settings: ReviewSettings) -> Report:
    """Pair every claim with its review and the people who worked on it."""
    claims = []
    for claim in result.claims:
        review = reviews.get(claim.id) or Review(run_id=result.run_id, claim_id=claim.id)
        people = list(dict.fromkeys(e.reviewer for e in events if e.claim_id == claim.id and e.reviewer))
        claims.append(ClaimReport(claim=claim, review=review, decided=is_decided(review), reviewers=people))
    return Report(run=result, claims=claims, organisation=settings.organisation,
                  organisation_url=settings.organisation_url, generated_at=now_iso(),
                  rating_scale=settings.rating_scale, not_checkable=settings.not_checkable)


def load_report(run_id: str, settings: Settings) -> Report:
    """A saved run with a consistent snapshot of its reviews."""
    result = RunStore(settings.runs_dir).load(run_id)
    reviews, events = ReviewStore(settings.reviews_db).snapshot(run_id)
    return build_report(result, reviews, events, settings.review)


def shown_evidence(item: ClaimReport) -> list[tuple[Stance, Evidence]]:
    """Evidence a report cites, supports first: decisive judgments that are grounded or that a reviewer set."""
    pairs = [(effective_stance(e, item.review), e) for e in item.claim.evidence
             if e.grounded or e.chunk_id in item.review.stances]
    decisive = [(s, e) for s, e in pairs if s != Stance.UNRELATED]
    return sorted(decisive, key=lambda pair: pair[0] != Stance.SUPPORTS)


def number_sources(report: Report) -> dict[str, int]:
    """Number every cited passage once, in order of first citation."""
    numbers: dict[str, int] = {}
    for item in report.claims:
        for _, evidence in shown_evidence(item):
            numbers.setdefault(evidence.chunk_id, len(numbers) + 1)
    return numbers


def cited_passages(report: Report) -> list[tuple[int, Evidence]]:
    """(number, passage) for the sources list."""
    by_id = {e.chunk_id: e for item in report.claims for e in item.claim.evidence}
    return [(n, by_id[cid]) for cid, n in number_sources(report).items()]


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
    people = sorted({p for c in report.claims if c.decided for p in c.reviewers})
    return (f"AI assisted and a person decided: claims were extracted and evidence was suggested by {made_by}, "
            f"with passages retrieved by {engine.retrieval or 'the configured retriever'} over the embedding "
            f"{engine.embedding}; prompt/model versions: {prompts}; run {run.run_id} of {run.created_at}. "
            f"Each rating in this report was decided by a person ({', '.join(people) or 'nobody yet'}): "
            f"{decided} of {len(report.claims)} claims are decided. Claims marked as not yet reviewed show only "
            f"the machine's suggestion and are not conclusions. Report generated {report.generated_at} "
            f"by {report.organisation}.")
