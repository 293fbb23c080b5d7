"""Find passages for a claim: dense (Chroma), BM25, or both fused by reciprocal rank."""

from __future__ import annotations

import threading

import numpy as np

from pipeline.bm25 import BM25Index
from pipeline.config import RetrievalSettings
from pipeline.interfaces import Embedder, EvidenceStore
from pipeline.types import Chunk, Passage


def index_text(chunk: Chunk, contextual_header: bool) -> str:
    """What gets embedded and keyword-indexed for a chunk: optionally its article title, then its text."""
    if contextual_header and chunk.title and chunk.title not in chunk.text[: len(chunk.title) + 5]:
        return f"{chunk.title}\n{chunk.text}"
    return chunk.text


def to_passage(chunk: Chunk, score: float) -> Passage:
    """A chunk with its retrieval score."""
    return Passage(chunk_id=chunk.id, article_id=chunk.article_id, source=chunk.source,
                   title=chunk.title, url=chunk.url, date=chunk.date, text=chunk.text,
                   score=round(float(score), 4))


class KeywordIndex:
    """BM25 over every stored chunk, rebuilt only when the store's version changes."""

    def __init__(self, store: EvidenceStore, contextual_header: bool):
        self.store = store
        self.contextual_header = contextual_header
        self._version = None
        self._chunks: list[Chunk] = []
        self._index: BM25Index | None = None
        self._lock = threading.Lock()

    def _refresh(self) -> None:
        """Rebuild the index if chunks were added or removed since it was built."""
        version = self.store.version()
        if version == self._version:
            return
        with self._lock:
            if version == self._version:
                return
            chunks = list(self.store.iter_chunks())
            self._index = BM25Index([index_text(c, self.contextual_header) for c in chunks])
            self._chunks, self._version = chunks, version

    def search(self, query: str, n: int, exclude_article_id: str = "") -> list[tuple[Chunk, float]]:
        """Top-n chunks by BM25."""
        self._refresh()
        if not self._chunks:
            return []
        allowed = None
        if exclude_article_id:
            allowed = np.array([c.article_id != exclude_article_id for c in self._chunks])
        return [(self._chunks[i], s) for i, s in self._index.top(query, n, allowed)]


def reciprocal_rank_fusion(rankings: list[list[Chunk]], rrf_k: int) -> list[tuple[Chunk, float]]:
    """Fuse ranked lists: score = sum of 1/(rrf_k + rank), scaled so 1.0 means first everywhere."""
    scores: dict[str, float] = {}
    chunks: dict[str, Chunk] = {}
    for ranking in rankings:
        for rank, chunk in enumerate(ranking, start=1):
            scores[chunk.id] = scores.get(chunk.id, 0.0) + 1.0 / (rrf_k + rank)
            chunks[chunk.id] = chunk
    best_possible = len(rankings) / (rrf_k + 1) if rankings else 1.0
    ordered = sorted(scores, key=lambda cid: -scores[cid])
    return [(chunks[cid], scores[cid] / best_possible) for cid in ordered]


class Retriever:
    """Top-k passages for a text, never from the excluded article (the one under review)."""

    def __init__(self, store: EvidenceStore, embedder: Embedder, settings: RetrievalSettings):
        self.store = store
        self.embedder = embedder
        self.settings = settings
        self.keywords = KeywordIndex(store, settings.contextual_header)

    @property
    def description(self) -> str:
        """Short name of the retrieval method, recorded in results."""
        if self.settings.mode == "hybrid":
            return f"hybrid(dense+bm25, rrf_k={self.settings.rrf_k})"
        return self.settings.mode

    def search(self, query: str, k: int | None = None, exclude_article_id: str = "") -> list[Passage]:
        """Best k passages for the query, with scores in [0, 1]."""
        k = k or self.settings.k
        mode = self.settings.mode
        if mode == "bm25":
            hits = self.keywords.search(query, k, exclude_article_id)
            top = hits[0][1] if hits else 1.0
            return [to_passage(c, s / top) for c, s in hits]
        dense = self._dense(query, max(k, self.settings.candidates), exclude_article_id)
        if mode == "dense":
            return [to_passage(c, s) for c, s in dense[:k]]
        keyword = self.keywords.search(query, self.settings.candidates, exclude_article_id)
        fused = reciprocal_rank_fusion([[c for c, _ in dense], [c for c, _ in keyword]],
                                       self.settings.rrf_k)
        return [to_passage(c, s) for c, s in fused[:k]]

    def _dense(self, query: str, n: int, exclude_article_id: str) -> list[tuple[Chunk, float]]:
        """Nearest chunks by embedding."""
        vector = self.embedder.embed([query])[0]
        return self.store.dense_search(vector, n, exclude_article_id)
