"""The small interfaces the pipeline depends on; vectorstore/, llm/ and pipeline/offline implement them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel

from pipeline.errors import LLMError
from pipeline.factcheck_types import FactCheck
from pipeline.prompts import RenderedPrompt
from pipeline.types import Article, ArticleRef, Chunk, ClaimCandidate, Evidence, Passage, Usage


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    name: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text."""


class EvidenceStore(Protocol):
    """Persistent passages with vectors and metadata (Chroma in production)."""

    def add_chunks(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Store whole articles' chunks (one write, or as few as the server's batch limit allows)."""

    def existing_ids(self, ids: list[str]) -> set[str]:
        """Which of these chunk ids are already stored."""

    def dense_search(self, vector: np.ndarray, k: int,
                     exclude_article_id: str = "") -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine similarity (higher is closer)."""

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors by chunk id (ids not stored are left out)."""

    def chunks_with_vectors(self, ids: list[str]) -> dict[str, tuple[Chunk, np.ndarray]]:
        """Stored chunks and their vectors by chunk id, in one round trip (ids not stored are left out)."""

    def iter_chunks(self) -> Iterable[Chunk]:
        """Every stored chunk, page by page (only for explicit maintenance: reindex, doctor)."""

    def iter_ids(self) -> Iterable[str]:
        """Every stored chunk id, page by page (only for explicit maintenance: doctor)."""

    def get_chunks(self, ids: list[str]) -> list[Chunk]:
        """The stored chunks with these ids, in that order (missing ids are skipped)."""

    def delete_article(self, article_id: str) -> int:
        """Remove an article's chunks; return how many were removed."""

    def count(self) -> int:
        """Number of stored chunks."""


@dataclass(frozen=True)
class KeywordRow:
    """One chunk as the keyword index holds it: its id, its article and its tokens (pipeline.bm25.tokenize)."""

    chunk_id: str
    article_id: str
    tokens: list[str]


class KeywordIndex(Protocol):
    """A persistent, incremental BM25 index over chunk tokens (tantivy in production)."""

    version: str

    def upsert(self, rows: list[KeywordRow]) -> None:
        """Index rows, replacing any row with the same chunk id; durable when this returns."""

    def search(self, tokens: list[str], n: int, exclude_article_id: str = "") -> list[tuple[str, float]]:
        """The n best (chunk id, BM25) for the query tokens, best first, never from the excluded article."""

    def scores_of(self, tokens: list[str], chunk_ids: list[str]) -> dict[str, float]:
        """BM25 of these chunks for the query tokens (chunks that do not match are left out)."""

    def delete_article(self, article_id: str) -> int:
        """Remove an article's rows; return how many were removed."""

    def delete_chunks(self, chunk_ids: list[str]) -> None:
        """Remove rows by chunk id (ids not indexed are ignored)."""

    def iter_rows(self) -> Iterable[tuple[str, str]]:
        """Every (chunk id, article id) pair (only for explicit maintenance: doctor)."""

    def count(self) -> int:
        """Number of indexed chunks."""

    def stored_version(self) -> str:
        """The tokenizer and text version the index on disk was built with ("" when it is new)."""

    def start(self) -> None:
        """Record `version` on a new, empty index."""

    def rebuild(self, rows: Iterable[KeywordRow]) -> int:
        """Replace every row in one commit and record `version`; return how many rows were added."""


class ArticleSummary(BaseModel):
    """One stored reference article, as listed in the library."""

    article: ArticleRef
    chunks: int
    added_at: float = 0.0


class ArticleCatalog(Protocol):
    """One row per stored article, so listing, paging, searching and counting never touch chunks."""

    def upsert(self, entries: list[ArticleSummary], replace: bool = True) -> None:
        """Add or (with replace) overwrite these articles' rows; without replace existing rows are kept."""

    def delete(self, article_ids: list[str]) -> None:
        """Remove these articles' rows."""

    def get(self, article_id: str) -> ArticleSummary | None:
        """One article's row, or None."""

    def page(self, offset: int, limit: int, search: str = "") -> list[ArticleSummary]:
        """Articles newest first (by date, then title), optionally only those whose title/source/url match."""

    def count(self, search: str = "") -> int:
        """How many articles (match the search)."""

    def total_chunks(self) -> int:
        """Sum of the articles' chunk counts."""

    def chunk_counts(self) -> dict[str, int]:
        """Chunk count by article id (only for explicit maintenance: doctor)."""

    def rebuild(self, entries: Iterable[ArticleSummary]) -> int:
        """Replace every row in one transaction; return how many rows were written."""


class FactCheckStore(Protocol):
    """Published fact-checks with their vectors, in their own collection (never mixed with evidence passages)."""

    def add(self, factchecks: list[FactCheck], vectors: np.ndarray, headline_vectors: np.ndarray) -> None:
        """Store fact-checks with their claim and headline vectors (upsert by id)."""

    def outdated(self, limit: int) -> list[FactCheck]:
        """Up to `limit` fact-checks stored without a headline vector of their own (written by an older version)."""

    def existing_ids(self, ids: list[str]) -> set[str]:
        """Which of these fact-check ids are already stored."""

    def dense_search(self, vector: np.ndarray, k: int) -> list[tuple[FactCheck, float]]:
        """Nearest fact-checks by cosine similarity (higher is closer)."""

    def with_vectors(self, ids: list[str]) -> dict[str, tuple[FactCheck, np.ndarray, np.ndarray | None]]:
        """Stored fact-checks with their claim and headline vectors by id (ids not stored are left out; the
        headline vector is None on a row an older version wrote)."""

    def page(self, offset: int, limit: int) -> list[FactCheck]:
        """A page of stored fact-checks, in storage order."""

    def delete(self, ids: list[str]) -> int:
        """Remove fact-checks by id; return how many were stored."""

    def count(self) -> int:
        """Number of stored fact-checks."""


@dataclass(frozen=True)
class LLMRequest:
    """One structured call: the prompt, the reply schema, and the source text its validators check against."""

    prompt: RenderedPrompt
    schema: type[BaseModel]
    context: dict[str, Any] = field(default_factory=dict)


Reply = BaseModel | LLMError
OnReply = Callable[[int, Reply], None]
# (request index, list items completed so far in the reply's stream, unvalidated)
OnPartial = Callable[[int, list[Any]], None]
OnCandidates = Callable[[list[ClaimCandidate]], None]


class StructuredLLM(Protocol):
    """Answers prompts with validated instances of their schemas, many at a time, counting usage."""

    provider: str
    model: str

    def generate(self, requests: Sequence[LLMRequest], usage: Usage, on_reply: OnReply | None = None,
                 stop: threading.Event | None = None, on_partial: OnPartial | None = None) -> list[Reply]:
        """One reply per request, in order: a validated instance, or the LLMError that made that item fail.

        A reply that fails validation is re-asked once with the error; if it still fails, the item is an
        InvalidReplyError carrying the reply validated without the source text (when it parsed at all).
        `on_reply(index, reply)` is called as each reply is ready (after it is cached). Once `stop` is set,
        requests not yet sent end as CancelledError; calls in flight finish and are cached. With `on_partial`,
        first replies are streamed and `on_partial(index, items)` gets the items of the reply's list as they
        complete (before validation: the final reply, validated, is what counts).
        """


class ClaimExtractor(Protocol):
    """Proposes claim candidates for an article."""

    prompt_versions: dict[str, str]

    def candidates(self, article: Article, usage: Usage, stop: threading.Event | None = None,
                   on_candidates: OnCandidates | None = None) -> list[ClaimCandidate]:
        """Claims with their quoted source sentences (not yet located).

        `on_candidates` may get some of them early, while the rest are still being extracted.
        """


class StanceJudge(Protocol):
    """Judges retrieved passages against claims."""

    prompt_versions: dict[str, str]

    def judge_many(self, items: Sequence[tuple[str, list[Passage]]], usage: Usage,
                   on_judged: Callable[[int, list[Evidence] | LLMError], None] | None = None,
                   stop: threading.Event | None = None) -> list[list[Evidence] | LLMError]:
        """For each (claim, passages): one Evidence per passage in order, or the error that failed that claim."""
