"""Domain types shared by every stage: articles, chunks, claims, evidence, verdicts, runs."""

from __future__ import annotations

import hashlib
from enum import Enum
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field


def content_id(*parts: str, length: int = 16) -> str:
    """Stable id from content, so re-ingesting or re-checking the same text gives the same id."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


def unit_interval(value: float) -> float:
    """Clamp a model-given score to [0, 1], reading values in (1, 100] as percentages."""
    if 1.0 < value <= 100.0:
        value /= 100.0
    return min(max(value, 0.0), 1.0)


UnitScore = Annotated[float, AfterValidator(unit_interval)]


class Stance(str, Enum):
    """How one passage relates to one claim."""

    SUPPORTS = "supports"
    CONTRADICTS = "contradicts"
    UNRELATED = "unrelated"


class VerdictLabel(str, Enum):
    """The roll-up of a claim's judgments."""

    SUPPORTED = "supported"
    REFUTED = "refuted"
    CONFLICTING = "conflicting"
    NOT_ENOUGH_EVIDENCE = "not_enough_evidence"


class ClaimStatus(str, Enum):
    """Whether a claim was processed to the end."""

    OK = "ok"
    FAILED = "failed"


class Article(BaseModel):
    """A cleaned document: a reference article in the store or the article under review."""

    id: str
    title: str = ""
    text: str
    source: str = ""
    url: str = ""
    date: str = ""
    notices: list[str] = Field(default_factory=list)

    @classmethod
    def from_text(cls, text: str, **meta) -> "Article":
        """Build an article whose id is the hash of its cleaned text."""
        return cls(id=content_id(text), text=text, **meta)


class Chunk(BaseModel):
    """A passage of a reference article as stored for retrieval."""

    id: str
    article_id: str
    text: str
    index: int
    start: int
    end: int
    title: str = ""
    source: str = ""
    url: str = ""
    date: str = ""


class PassageFields(BaseModel):
    """What identifies and shows a passage: its chunk, its source, its text and retrieval score."""

    chunk_id: str
    source: str = ""
    title: str = ""
    url: str = ""
    date: str = ""
    text: str
    score: float


class Passage(PassageFields):
    """A retrieved chunk with its retrieval score."""

    article_id: str = ""


class Evidence(PassageFields):
    """One judged passage for one claim."""

    stance: Stance
    quote: str = ""
    grounded: bool = False
    rationale: str = ""
    strength: float = Field(default=1.0, ge=0.0, le=1.0)


class Verdict(BaseModel):
    """A verdict label with its confidence in [0, 1]."""

    label: VerdictLabel
    confidence: float = Field(ge=0.0, le=1.0)


class ClaimCandidate(BaseModel):
    """A claim as an extractor proposes it, before it is located in the article."""

    text: str
    source_quote: str
    checkworthiness: float = Field(ge=0.0, le=1.0)


class Claim(BaseModel):
    """A check-worthy claim with its exact span in the article, its evidence and verdict."""

    id: str
    text: str
    source_quote: str
    span: tuple[int, int]
    checkworthiness: float
    verdict: VerdictLabel = VerdictLabel.NOT_ENOUGH_EVIDENCE
    confidence: float = 0.0
    evidence: list[Evidence] = Field(default_factory=list)
    status: ClaimStatus = ClaimStatus.OK
    error: str = ""


class EngineInfo(BaseModel):
    """Which engine produced a result, shown wherever the result is shown."""

    kind: str  # "offline" | "llm"
    provider: str
    model: str
    embedding: str
    retrieval: str = ""

    def label(self) -> str:
        """Human-readable engine name for UIs and reports."""
        if self.kind == "offline":
            return "offline heuristic baseline (no LLM)"
        return f"{self.provider} · {self.model}"


class Usage(BaseModel):
    """LLM call and token counts for one run."""

    llm_calls: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cached_calls: int = 0

    def add(self, other: "Usage") -> None:
        """Accumulate another usage record into this one."""
        self.llm_calls += other.llm_calls
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cached_calls += other.cached_calls


class RunStats(BaseModel):
    """Counts a user needs to trust a run: what was dropped, merged and failed."""

    candidates: int = 0
    dropped_unlocated: int = 0
    dropped_instructions: int = 0
    merged_duplicates: int = 0
    below_threshold: int = 0
    failed_claims: int = 0
    seconds: float = 0.0


class RunResult(BaseModel):
    """The full, stable result document of one check (also the JSON export)."""

    run_id: str
    created_at: str
    engine: EngineInfo
    prompt_versions: dict[str, str] = Field(default_factory=dict)
    article: Article
    claims: list[Claim] = Field(default_factory=list)
    usage: Usage = Field(default_factory=Usage)
    stats: RunStats = Field(default_factory=RunStats)
    config: dict = Field(default_factory=dict)


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
    reviewer: str = ""
    updated_at: str = ""
    version: int = 0


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


class Report(BaseModel):
    """A run ready to publish: every claim with its review, who decided, and the method."""

    run: RunResult
    claims: list[ClaimReport]
    organisation: str
    organisation_url: str = ""
    generated_at: str
    rating_scale: list[str]
    not_checkable: str
