"""The small interfaces the pipeline depends on; vectorstore/, llm/ and pipeline/offline implement them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel

from pipeline.errors import LLMError
from pipeline.prompts import RenderedPrompt
from pipeline.types import Article, Chunk, ClaimCandidate, Evidence, Passage, Usage


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    name: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text."""


class EvidenceStore(Protocol):
    """Persistent passages with vectors and metadata (Chroma in production)."""

    def add_chunks(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Store whole articles' chunks in a single write."""

    def existing_ids(self, ids: list[str]) -> set[str]:
        """Which of these chunk ids are already stored."""

    def dense_search(self, vector: np.ndarray, k: int,
                     exclude_article_id: str = "") -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine similarity (higher is closer)."""

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors by chunk id (ids not stored are left out)."""

    def iter_chunks(self) -> Iterable[Chunk]:
        """Every stored chunk (for keyword indexing and listings)."""

    def get_chunks(self, ids: list[str]) -> list[Chunk]:
        """The stored chunks with these ids, in that order (missing ids are skipped)."""

    def delete_article(self, article_id: str) -> int:
        """Remove an article's chunks; return how many were removed."""

    def count(self) -> int:
        """Number of stored chunks."""

    def version(self) -> str:
        """Changes whenever the stored set changes (for cache invalidation)."""


@dataclass(frozen=True)
class LLMRequest:
    """One structured call: the prompt, the reply schema, and the source text its validators check against."""

    prompt: RenderedPrompt
    schema: type[BaseModel]
    context: dict[str, Any] = field(default_factory=dict)


Reply = BaseModel | LLMError
OnReply = Callable[[int, Reply], None]


class StructuredLLM(Protocol):
    """Answers prompts with validated instances of their schemas, many at a time, counting usage."""

    provider: str
    model: str

    def generate(self, requests: Sequence[LLMRequest], usage: Usage, on_reply: OnReply | None = None,
                 stop: threading.Event | None = None) -> list[Reply]:
        """One reply per request, in order: a validated instance, or the LLMError that made that item fail.

        A reply that fails validation is re-asked once with the error; if it still fails, the item is an
        InvalidReplyError carrying the reply validated without the source text (when it parsed at all).
        `on_reply(index, reply)` is called as each reply is ready (after it is cached). Once `stop` is set,
        requests not yet sent end as CancelledError; calls in flight finish and are cached.
        """


class ClaimExtractor(Protocol):
    """Proposes claim candidates for an article."""

    prompt_versions: dict[str, str]

    def candidates(self, article: Article, usage: Usage,
                   stop: threading.Event | None = None) -> list[ClaimCandidate]:
        """Claims with their quoted source sentences (not yet located)."""


class StanceJudge(Protocol):
    """Judges retrieved passages against claims."""

    prompt_versions: dict[str, str]

    def judge_many(self, items: Sequence[tuple[str, list[Passage]]], usage: Usage,
                   on_judged: Callable[[int, list[Evidence] | LLMError], None] | None = None,
                   stop: threading.Event | None = None) -> list[list[Evidence] | LLMError]:
        """For each (claim, passages): one Evidence per passage in order, or the error that failed that claim."""
