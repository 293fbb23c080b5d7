"""Domain types shared by every stage: articles, chunks, claims, evidence, verdicts, runs."""

from __future__ import annotations

import hashlib
from enum import Enum
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    SerializerFunctionWrapHandler,
    ValidationInfo,
    model_serializer,
    model_validator,
)
from pydantic.json_schema import SkipJsonSchema

from pipeline.claim_source import better_source
from pipeline.factcheck_types import FactCheckMatch
from pipeline.text import locate, sentence_around

M = TypeVar("M", bound=BaseModel)


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


def updated(model: M, **changes: Any) -> M:
    """A copy of a model with some fields changed, validated like any new instance."""
    return type(model).model_validate({**dict(model), **changes})


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


class ArticleRef(BaseModel):
    """An article as its passages cite it: identity and where it was published (everything but the text)."""

    id: str
    title: str = ""
    source: str = ""
    url: str = ""
    # The publication date as the source states it (ISO), set only together with date_source; a date without a
    # source (stores and runs from before this field) is the ingest day and is never shown as a publication date.
    date: str = ""
    date_source: str = ""
    ingested_at: str = ""

    @property
    def published(self) -> str:
        """The publication date the source states, or "" when it is unknown."""
        return self.date if self.date_source else ""


class Article(ArticleRef):
    """A cleaned document: a reference article in the store or the article under review."""

    text: str
    notices: list[str] = Field(default_factory=list)

    @classmethod
    def from_text(cls, text: str, **meta: Any) -> Article:
        """Build an article whose id is the hash of its cleaned text."""
        return cls(id=content_id(text), text=text, **meta)

    def ref(self) -> ArticleRef:
        """The article without its text, as every chunk of it carries."""
        return ArticleRef.model_validate(self.model_dump(include=set(ArticleRef.model_fields)))


class Chunk(BaseModel):
    """A passage of a reference article as stored for retrieval: [start, end) of the article's text."""

    id: str
    article: ArticleRef
    text: str
    index: int = 0
    start: int = 0
    end: int = 0


# The result document stores a passage flat (README schema): chunk_id, the article fields, text, score.
_CHUNK_KEYS = {"index": "chunk_index", "start": "chunk_start", "end": "chunk_end"}


def _article_keys() -> dict[str, str]:
    """Document key of every ArticleRef field (the id is stored as article_id)."""
    return {name: "article_id" if name == "id" else name for name in ArticleRef.model_fields}


class Passage(BaseModel):
    """A retrieved chunk with its retrieval score in [0, 1]."""

    chunk: Chunk
    score: float

    @property
    def chunk_id(self) -> str:
        """The stored chunk's id."""
        return self.chunk.id

    @property
    def text(self) -> str:
        """The passage text."""
        return self.chunk.text

    @property
    def article(self) -> ArticleRef:
        """The article the passage comes from."""
        return self.chunk.article

    @model_validator(mode="before")
    @classmethod
    def _read_document(cls, data: Any) -> Any:
        """Accept the flat document form (and hand-built passages) as well as the nested one."""
        if not isinstance(data, dict) or "chunk" in data:
            return data
        article = {field: data.get(key, "") for field, key in _article_keys().items()}
        chunk = {"id": data.get("chunk_id", ""), "article": article, "text": data.get("text", ""),
                 **{field: data.get(key, 0) for field, key in _CHUNK_KEYS.items()}}
        rest = {k: v for k, v in data.items() if k not in {"chunk_id", "text", *_CHUNK_KEYS.values(),
                                                           *_article_keys().values()}}
        return {**rest, "chunk": chunk}

    @model_serializer(mode="wrap")
    def _write_document(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The flat document form: chunk_id, article fields, text, chunk position, score."""
        data = handler(self)
        chunk = data.pop("chunk")
        article = chunk.pop("article")
        return {"chunk_id": chunk["id"], **{key: article[field] for field, key in _article_keys().items()},
                "text": chunk["text"], **{key: chunk[field] for field, key in _CHUNK_KEYS.items()}, **data}


class Evidence(BaseModel):
    """One judged passage for one claim; the quote must be found verbatim in the passage to count."""

    passage: Passage
    stance: Stance
    quote: str = ""
    grounded: bool = False
    rationale: str = ""
    strength: float = Field(default=1.0, ge=0.0, le=1.0)

    @property
    def chunk_id(self) -> str:
        """The judged chunk's id."""
        return self.passage.chunk.id

    @property
    def text(self) -> str:
        """The judged passage's text."""
        return self.passage.chunk.text

    @property
    def article(self) -> ArticleRef:
        """The article the passage comes from."""
        return self.passage.chunk.article

    @model_validator(mode="before")
    @classmethod
    def _read_document(cls, data: Any) -> Any:
        """Accept the flat document form: passage fields beside the judgment."""
        if not isinstance(data, dict) or "passage" in data:
            return data
        own = set(cls.model_fields) - {"passage"}
        return {**{k: v for k, v in data.items() if k in own},
                "passage": {k: v for k, v in data.items() if k not in own}}

    @model_serializer(mode="wrap")
    def _write_document(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The flat document form (README schema)."""
        data = handler(self)
        return {**data.pop("passage"), **data}


class Verdict(BaseModel):
    """A verdict label with its confidence in [0, 1]."""

    label: VerdictLabel
    confidence: float = Field(ge=0.0, le=1.0)


class ClaimOrigin(str, Enum):
    """Who proposed a claim."""

    MODEL = "model"
    OFFLINE = "offline"
    # The model's reply for that part of the article failed; the offline extractor's sentences stand in for it.
    FALLBACK = "offline_fallback"
    # A person handed the claim in (check --claim / --claims-file, the app's "Check claims"): checked whatever
    # its check-worthiness.
    GIVEN = "given"


def max_chars(limit: int) -> dict[str, Any]:
    """Schema hint: the longest useful value of a text field (a server that can enforce it gets maxLength)."""
    return {"x-max-chars": limit}


class ClaimCandidate(BaseModel):
    """A claim as an extractor (a model or the offline engine) proposes it, before it is located in the article.

    With `{"article": text}` as validation context, a source_quote that cannot be found in that text is an error.
    `origin` and `note` are never asked of the model (left out of the reply schema).
    """

    text: str = Field(min_length=1, json_schema_extra=max_chars(300))
    source_quote: str = Field(min_length=1, json_schema_extra=max_chars(400))
    checkworthiness: UnitScore
    origin: SkipJsonSchema[ClaimOrigin] = ClaimOrigin.MODEL
    note: SkipJsonSchema[str] = ""

    @model_validator(mode="after")
    def _quote_is_in_the_article(self, info: ValidationInfo) -> ClaimCandidate:
        article = (info.context or {}).get("article")
        if article is None:
            return self
        found = locate(self.source_quote, article)
        if found is None:
            raise ValueError(f"source_quote {self.source_quote[:80]!r} is not a verbatim sentence of the article")
        better = better_source(self.text, article, sentence_around(article, *found))
        if better is not None:
            raise ValueError(f"source_quote {self.source_quote[:80]!r} is not the sentence the claim "
                             f"{self.text[:80]!r} comes from; quote the sentence that says it, e.g. "
                             f"{article[better[0]:better[1]][:120]!r}")
        return self


class ClaimSource(BaseModel):
    """Where a claim handed in by a person appeared, who said it and when, who flagged it (all optional)."""

    url: str = ""
    speaker: str = ""
    date: str = ""
    flagged_by: str = ""
    note: str = ""
    # The list it came from ("command line", "pasted", a file name) and its line there (0 when not from a file).
    list_name: str = ""
    line: int = 0


class ClaimFlag(BaseModel):
    """Why a claim needs a reviewer's attention, with the article sentence that raised it (when there is one)."""

    flag: str
    reason: str = ""
    sentence: str = ""
    span: tuple[int, int] | None = None


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
    origin: ClaimOrigin = ClaimOrigin.MODEL
    # Why the claim came from somewhere other than the configured engine (e.g. the model's reply failed).
    origin_note: str = ""
    # Raised when the claim was made, e.g. "possible instructions to the model in this text" and the sentence.
    flags: list[ClaimFlag] = Field(default_factory=list)
    # Set for a claim a person handed in instead of one taken from an article: where it appeared and who flagged it.
    source: ClaimSource | None = None
    # Published fact-checks most like this claim (pipeline.factcheck_match), best first.
    factchecks: list[FactCheckMatch] = Field(default_factory=list)


class EngineInfo(BaseModel):
    """Which engine produced a result, shown wherever the result is shown."""

    kind: Literal["offline", "llm"]
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
    # Wall time of the model calls, summed (calls running side by side each count).
    model_seconds: float = 0.0

    def add(self, other: Usage) -> None:
        """Accumulate another usage record into this one."""
        self.llm_calls += other.llm_calls
        self.input_tokens += other.input_tokens
        self.output_tokens += other.output_tokens
        self.cached_calls += other.cached_calls
        self.model_seconds += other.model_seconds

    def tokens_per_second(self) -> float | None:
        """Output tokens per second of model time, once a call has finished."""
        return self.output_tokens / self.model_seconds if self.model_seconds > 0 and self.llm_calls else None


class RunStats(BaseModel):
    """Counts a user needs to trust a run: what was dropped, merged and failed."""

    candidates: int = 0
    dropped_unlocated: int = 0
    dropped_instructions: int = 0
    # Claims whose quoted sentence did not hold their words, moved to the sentence that does.
    corrected_sources: int = 0
    merged_duplicates: int = 0
    below_threshold: int = 0
    failed_claims: int = 0
    seconds: float = 0.0
    # Lines of a claims file that could not be read (each named in article.notices); claims resumed from a
    # journal of an interrupted run of the same list.
    skipped_lines: int = 0
    resumed_claims: int = 0


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


class ProgressEvent(BaseModel):
    """Where a run is, with counts for progress bars."""

    stage: Literal["extract", "retrieve", "claims", "done"]
    done: int
    total: int
    message: str = ""
    # The model's output speed so far (None offline, or before the first call returns).
    tokens_per_second: float | None = None
