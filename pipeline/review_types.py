"""Types of the review desk and of published reports: a reviewer's decision, its audit trail, and a report."""

from __future__ import annotations

from enum import Enum

from pydantic import BaseModel, Field

from pipeline.types import Claim, RunResult, Stance, VerdictLabel


class ReviewStatus(str, Enum):
    """Where a reviewer is with a claim."""

    UNREVIEWED = "unreviewed"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class Review(BaseModel):
    """A reviewer's decision on one claim of one run; `version` increases with every save."""

    run_id: str
    claim_id: str
    status: ReviewStatus = ReviewStatus.UNREVIEWED
    verdict: VerdictLabel | None = None
    rating: str = ""
    explanation: str = ""
    notes: str = ""
    stances: dict[str, Stance] = Field(default_factory=dict)
    # The id of the prior fact-check (Claim.factchecks) the reviewer based the decision on ("" = none).
    factcheck_basis: str = ""
    reviewer: str = ""
    updated_at: str = ""
    version: int = 0
    assignee: str = ""  # who should decide this claim ("" = anyone); changed like any other field


class ReviewEvent(BaseModel):
    """One change in the audit trail: who changed which field from what to what, and when."""

    run_id: str
    claim_id: str
    reviewer: str
    at: str
    field: str
    old: str
    new: str
    version: int


class ClaimReport(BaseModel):
    """A claim as published: the model's findings, the reviewer's decision, and whether a person decided."""

    claim: Claim
    review: Review
    decided: bool
    reviewers: list[str] = Field(default_factory=list)


class ReportScope(str, Enum):
    """Which claims a report shows: only those a person decided, or every claim with machine suggestions marked."""

    DECIDED = "decided"
    ALL = "all"


class Report(BaseModel):
    """A run ready to publish: every claim with its review, who decided, and the method."""

    run: RunResult
    claims: list[ClaimReport]
    organisation: str
    organisation_url: str = ""
    generated_at: str
    rating_scale: list[str]
    not_checkable: str
    scope: ReportScope = ReportScope.ALL
    # Claims of the run this report leaves out (undecided ones, in a "decided only" report).
    left_out: int = 0
    # Where published reports live: a report's permalink is <base_url>/factcheck-<run_id>.html.
    base_url: str = ""
