"""Match every checked claim against the published fact-checks: top k with scores, flagged above the threshold."""

from __future__ import annotations

from pipeline.engine import Engine
from pipeline.errors import CancelledError, FactCheckError
from pipeline.factcheck_confirm import ModelConfirmer
from pipeline.factcheck_types import FactCheck, FactCheckMatch
from pipeline.ports import StructuredLLM
from pipeline.queue import FLAG_FACT_CHECKED
from pipeline.review_types import ClaimReport
from pipeline.types import Claim, ClaimFlag, Usage, updated


def matched(claim: Claim, matches: list[FactCheckMatch]) -> Claim:
    """The claim with its prior fact-checks, and a flag naming the best one above the threshold."""
    flags = list(claim.flags)
    best = next((m for m in matches if m.flagged), None)
    if best is not None:
        flags.append(ClaimFlag(flag=FLAG_FACT_CHECKED, reason=best.describe()))
    return updated(claim, factchecks=matches, flags=flags)


def match_claims(claims: list[Claim], engine: Engine, usage: Usage | None = None) -> list[Claim]:
    """Every claim (failed ones too: a prior fact-check helps most then) with its top prior fact-checks, confirmed
    by the model when factchecks.confirm_with_model is on and a model is configured."""
    settings = engine.settings.factchecks
    if not settings.match_claims or not claims:
        return claims
    try:
        library = engine.factchecks
        if not library.count():
            return claims
        found = [library.search(c.text, settings.k) for c in claims]
    except FactCheckError:  # fact-checks are an aid: a broken fact-check store never sinks a check
        return claims
    if settings.confirm_with_model and engine.llm is not None:
        found = confirm(engine.llm, claims, found, usage or Usage())
    return [matched(c, m) for c, m in zip(claims, found)]


def confirm(llm: StructuredLLM, claims: list[Claim], found: list[list[FactCheckMatch]],
            usage: Usage) -> list[list[FactCheckMatch]]:
    """The model's confirmation of each claim's matches; if the model cannot be asked, the matches stay unconfirmed."""
    try:
        return ModelConfirmer(llm).confirm_many([(c.text, m) for c, m in zip(claims, found)], usage)
    except CancelledError:
        raise
    except FactCheckError:
        return found


def accepted_factcheck(item: ClaimReport) -> FactCheck | None:
    """The prior fact-check the reviewer marked as the basis of a decided claim, or None."""
    basis = item.review.factcheck_basis
    if not item.decided or not basis:
        return None
    return next((m.factcheck for m in item.claim.factchecks if m.factcheck.id == basis), None)


def based_on(factcheck: FactCheck) -> dict:
    """A ClaimReview `isBasedOn` reference to a prior fact-check."""
    reference: dict = {"@type": "ClaimReview", "claimReviewed": factcheck.claimReviewed,
                       "author": {"@type": "Organization", "name": factcheck.publisher},
                       "reviewRating": {"@type": "Rating", "alternateName": factcheck.rating}}
    if factcheck.url:
        reference["url"] = factcheck.url
    return reference
