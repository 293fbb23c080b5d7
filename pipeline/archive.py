"""The evidence store as the pipeline uses it: chunks and vectors, the keyword index and the article catalog in step.

Write order, so that a crash between two writes is repaired by re-running the same ingest: the keyword index
first (an idempotent upsert by chunk id), then the chunk store (whose ids decide what a re-run skips), then the
catalog (and a re-run lists skipped articles that are missing from it). A delete goes the other way round,
leaving the catalog row to the end so an interrupted delete still shows the article and can be repeated.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterable

import numpy as np

from pipeline.bm25 import TOKENIZER_VERSION, tokenize
from pipeline.errors import StoreError
from pipeline.ports import ArticleCatalog, ArticleSummary, EvidenceStore, KeywordIndex, KeywordRow
from pipeline.types import Chunk

REINDEX_HELP = "Run `python -m pipeline reindex` to rebuild it from the store"


def index_text(chunk: Chunk, contextual_header: bool) -> str:
    """What gets embedded and keyword-indexed for a chunk: optionally its article title, then its text."""
    title = chunk.article.title
    if contextual_header and title and title not in chunk.text[: len(title) + 5]:
        return f"{title}\n{chunk.text}"
    return chunk.text


def keyword_version(contextual_header: bool) -> str:
    """What the keyword index's rows depend on; an index built otherwise must be rebuilt."""
    return f"tokenizer {TOKENIZER_VERSION}, title header {'on' if contextual_header else 'off'}"


def summaries(chunks: Iterable[Chunk], added_at: float = 0.0) -> list[ArticleSummary]:
    """One catalog entry per article of these chunks (whole articles), in first-seen order."""
    counts = Counter(c.article.id for c in chunks)
    refs = {c.article.id: c.article for c in chunks}
    return [ArticleSummary(article=refs[a], chunks=n, added_at=added_at) for a, n in counts.items()]


def unique_chunks(chunks: list[Chunk], vectors: np.ndarray) -> tuple[list[Chunk], np.ndarray]:
    """The chunks (and their vectors) with repeated ids dropped, first occurrence kept."""
    first: dict[str, int] = {}
    for position, chunk in enumerate(chunks):
        first.setdefault(chunk.id, position)
    if len(first) == len(chunks):
        return chunks, vectors
    keep = sorted(first.values())
    return [chunks[i] for i in keep], np.asarray(vectors)[keep]


class Archive:
    """An EvidenceStore that keeps the keyword index and the catalog in step with the chunk store."""

    def __init__(self, chunks: EvidenceStore, keywords: KeywordIndex, catalog: ArticleCatalog,
                 contextual_header: bool = True):
        self.chunks, self.keywords, self.catalog = chunks, keywords, catalog
        self.contextual_header = contextual_header
        self._checked = False
        self._check_lock = threading.Lock()  # claim checks start in parallel threads on a new store

    def keyword_row(self, chunk: Chunk) -> KeywordRow:
        """A chunk as the keyword index holds it."""
        return KeywordRow(chunk.id, chunk.article.id, tokenize(index_text(chunk, self.contextual_header)))

    def check_keywords(self) -> None:
        """Refuse a keyword index built with other settings, or missing for a store that has chunks (once)."""
        with self._check_lock:
            if not self._checked:
                self._check_keywords()

    def _check_keywords(self) -> None:
        """The check itself."""
        stored = self.keywords.stored_version()
        if not stored and self.keywords.count() == 0:
            if self.chunks.count():
                raise StoreError("The keyword index is missing for the passages already in the store",
                                 REINDEX_HELP)
            self.keywords.start()
        elif stored != self.keywords.version:
            raise StoreError(f"The keyword index was built with {stored or 'an unknown version'}, but the "
                             f"settings need {self.keywords.version}", REINDEX_HELP)
        self._checked = True

    def recheck(self) -> None:
        """Check the keyword index again before its next use (after a rebuild)."""
        self._checked = False

    def add_chunks(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Store whole articles: keyword rows, then chunks and vectors, then catalog rows."""
        chunks, vectors = unique_chunks(chunks, vectors)
        if not chunks:
            return
        self.check_keywords()
        self.keywords.upsert([self.keyword_row(c) for c in chunks])
        self.chunks.add_chunks(chunks, vectors)
        self.catalog.upsert(summaries(chunks, time.time()))

    def list_stored(self, chunks: list[Chunk]) -> None:
        """Catalog rows for whole articles found already stored, unless they have one (repairs a crash)."""
        self.catalog.upsert(summaries(chunks, time.time()), replace=False)

    def delete_article(self, article_id: str) -> int:
        """Remove an article from the chunk store, the keyword index and the catalog; return chunks removed."""
        removed = self.chunks.delete_article(article_id)
        removed = max(removed, self.keywords.delete_article(article_id))
        self.catalog.delete([article_id])
        return removed

    def existing_ids(self, ids: list[str]) -> set[str]:
        """Which of these chunk ids are already stored."""
        return self.chunks.existing_ids(ids)

    def dense_search(self, vector: np.ndarray, k: int, exclude_article_id: str = "") -> list[tuple[Chunk, float]]:
        """Nearest chunks; the excluded article's chunks are over-fetched and dropped (no filtered scan)."""
        entry = self.catalog.get(exclude_article_id) if exclude_article_id else None
        hits = self.chunks.dense_search(vector, k + (entry.chunks if entry else 0))
        kept = [(c, s) for c, s in hits if c.article.id != exclude_article_id]
        if entry is None and len(kept) < len(hits):  # the catalog did not know the article: filter in the store
            return self.chunks.dense_search(vector, k, exclude_article_id)
        return kept[:k]

    def keyword_search(self, query: str, n: int, exclude_article_id: str = "") -> list[tuple[str, float]]:
        """The n best (chunk id, BM25) for a query text."""
        self.check_keywords()
        return self.keywords.search(tokenize(query), n, exclude_article_id)

    def keyword_scores(self, query: str, chunk_ids: list[str]) -> dict[str, float]:
        """BM25 of these chunks for a query text (0 when they do not match)."""
        self.check_keywords()
        found = self.keywords.scores_of(tokenize(query), chunk_ids) if chunk_ids else {}
        return {cid: found.get(cid, 0.0) for cid in chunk_ids}

    def vectors(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors by chunk id."""
        return self.chunks.vectors(ids)

    def chunks_with_vectors(self, ids: list[str]) -> dict[str, tuple[Chunk, np.ndarray]]:
        """Stored chunks and their vectors by chunk id."""
        return self.chunks.chunks_with_vectors(ids)

    def iter_chunks(self) -> Iterable[Chunk]:
        """Every stored chunk (explicit maintenance only)."""
        return self.chunks.iter_chunks()

    def iter_ids(self) -> Iterable[str]:
        """Every stored chunk id (explicit maintenance only)."""
        return self.chunks.iter_ids()

    def get_chunks(self, ids: list[str]) -> list[Chunk]:
        """Stored chunks by id, in that order."""
        return self.chunks.get_chunks(ids)

    def count(self) -> int:
        """Number of stored chunks."""
        return self.chunks.count()
