"""The review queue: which claims need a person first, and how reviewers move through them."""

from __future__ import annotations

from pydantic import BaseModel, Field

from pipeline.injection import INJECTION_FLAG, InstructionFinding, article_addresses_model, find_instructions
from pipeline.review_types import Review, ReviewStatus
from pipeline.types import Claim, ClaimOrigin, ClaimStatus, Evidence, RunResult, Stance, VerdictLabel

FLAG_FAILED = "failed"
FLAG_REFUTED = "refuted"
FLAG_CONFLICTING = "conflicting"
FLAG_LOW_CONFIDENCE = "low confidence"
FLAG_UNGROUNDED = "ungrounded evidence"
FLAG_FALLBACK = "offered by the offline extractor"
FLAG_FACT_CHECKED = "matches a published fact-check"
# Lower number = more urgent.
_SEVERITY = {FLAG_FAILED: 0, INJECTION_FLAG: 1, FLAG_REFUTED: 2, FLAG_CONFLICTING: 3, FLAG_UNGROUNDED: 4,
             FLAG_FALLBACK: 5, FLAG_LOW_CONFIDENCE: 6, FLAG_FACT_CHECKED: 2}
SORTS = ("flagged first", "article order", "check-worthiness", "lowest confidence")


class QueueRow(BaseModel):
    """One claim as listed in the review queue."""

    claim_id: str
    number: int
    text: str
    checkworthiness: float
    model_verdict: str
    confidence: float
    status: ReviewStatus
    final_verdict: str = ""
    rating: str = ""
    reviewer: str = ""
    flags: list[str] = Field(default_factory=list)
    run_id: str = ""
    article: str = ""
    checked_at: str = ""
    assignee: str = ""
    version: int = 0

    @property
    def flagged(self) -> bool:
        """True when the claim needs a person's attention first."""
        return bool(self.flags)


def addresses_model(claim: Claim, article_flagged: bool) -> bool:
    """True when the claim, or the article it came from, reads like instructions to a model.

    A claim handed in with a list is only flagged for its own text: the other lines of the list are not its article.
    """
    own = any(f.flag == INJECTION_FLAG for f in claim.flags)
    return own or (article_flagged and claim.origin != ClaimOrigin.GIVEN)


def claim_flags(claim: Claim, low_confidence: float, article_flagged: bool = False) -> list[str]:
    """Why a claim is flagged, most urgent first."""
    injection = [INJECTION_FLAG] if addresses_model(claim, article_flagged) else []
    if claim.status == ClaimStatus.FAILED:
        return [FLAG_FAILED, *injection]
    flags = injection
    if any(m.flagged for m in claim.factchecks):
        flags.append(FLAG_FACT_CHECKED)
    if claim.verdict == VerdictLabel.REFUTED:
        flags.append(FLAG_REFUTED)
    if claim.verdict == VerdictLabel.CONFLICTING:
        flags.append(FLAG_CONFLICTING)
    if any(not e.grounded for e in claim.evidence):
        flags.append(FLAG_UNGROUNDED)
    if claim.origin == ClaimOrigin.FALLBACK:
        flags.append(FLAG_FALLBACK)
    if claim.confidence < low_confidence:
        flags.append(FLAG_LOW_CONFIDENCE)
    return flags


def build_queue(result: RunResult, reviews: dict[str, Review], low_confidence: float,
                findings: list[InstructionFinding] | None = None) -> list[QueueRow]:
    """Every claim of a run with its flags and review state, in article order.

    `findings` are the article's `find_instructions` results when the caller already has them.
    """
    rows = []
    article = result.article
    findings = find_instructions(article.text) if findings is None else findings
    article_flagged = article_addresses_model(article.notices, findings)
    for number, claim in enumerate(result.claims, start=1):
        review = reviews.get(claim.id) or Review(run_id=result.run_id, claim_id=claim.id)
        rows.append(QueueRow(
            claim_id=claim.id, number=number, text=claim.text, checkworthiness=claim.checkworthiness,
            model_verdict=claim.verdict.value if claim.status == ClaimStatus.OK else FLAG_FAILED,
            confidence=claim.confidence, status=review.status,
            final_verdict=review.verdict.value if review.verdict else "", rating=review.rating,
            reviewer=review.reviewer, flags=claim_flags(claim, low_confidence, article_flagged),
            run_id=result.run_id, article=article.title or article.source, checked_at=result.created_at,
            assignee=review.assignee, version=review.version))
    return rows


def sort_queue(rows: list[QueueRow], how: str = "flagged first") -> list[QueueRow]:
    """Order the queue; "flagged first" puts undone flagged claims first, most urgent first."""
    if how == "article order":
        return sorted(rows, key=lambda r: r.number)
    if how == "check-worthiness":
        return sorted(rows, key=lambda r: (-r.checkworthiness, r.number))
    if how == "lowest confidence":
        return sorted(rows, key=lambda r: (r.confidence, r.number))
    return sorted(rows, key=lambda r: (r.status == ReviewStatus.DONE, not r.flagged,
                                       min((_SEVERITY[f] for f in r.flags), default=9), r.number))


def filter_queue(rows: list[QueueRow], statuses: list[ReviewStatus] | None = None,
                 verdicts: list[str] | None = None, flagged_only: bool = False) -> list[QueueRow]:
    """Keep rows matching every given filter."""
    return [r for r in rows if (not statuses or r.status in statuses)
            and (not verdicts or r.model_verdict in verdicts) and (not flagged_only or r.flagged)]


def neighbours(rows: list[QueueRow], claim_id: str) -> tuple[str | None, str | None]:
    """The previous and next claim ids around claim_id in the given (sorted, filtered) order."""
    ids = [r.claim_id for r in rows]
    if claim_id not in ids:
        return None, (ids[0] if ids else None)
    i = ids.index(claim_id)
    return (ids[i - 1] if i > 0 else None), (ids[i + 1] if i + 1 < len(ids) else None)


def next_to_decide(rows: list[QueueRow], claim_id: str) -> str | None:
    """The claim a reviewer should decide after claim_id: flagged first, then the rest; None when all are done.

    Claims after claim_id in that order come first, so skipping one moves on instead of bouncing back.
    claim_id keeps the place it had while undecided: marking it done must not send the reviewer back to a
    claim they skipped.
    """
    ordered = [r.claim_id for r in sort_queue(rows) if r.status != ReviewStatus.DONE and r.claim_id != claim_id]
    if not ordered:
        return None
    undecided_here = [r.model_copy(update={"status": ReviewStatus.IN_PROGRESS}) if r.claim_id == claim_id else r
                      for r in rows]
    order = [r.claim_id for r in sort_queue(undecided_here)]
    here = order.index(claim_id) if claim_id in order else -1
    later = [c for c in ordered if order.index(c) > here]
    return (later or ordered)[0]


def effective_stance(evidence: Evidence, review: Review) -> Stance:
    """The reviewer's stance for a passage when set, else the model's."""
    return review.stances.get(evidence.chunk_id, evidence.stance)
