"""Find passages for a claim: dense (Chroma), BM25, or both fused (weighted scores, or reciprocal rank)."""

from __future__ import annotations

import threading

import numpy as np

from pipeline.bm25 import BM25Index
from pipeline.config import RetrievalSettings
from pipeline.ports import Embedder, EvidenceStore
from pipeline.types import Chunk, Passage


def index_text(chunk: Chunk, contextual_header: bool) -> str:
    """What gets embedded and keyword-indexed for a chunk: optionally its article title, then its text."""
    title = chunk.article.title
    if contextual_header and title and title not in chunk.text[: len(title) + 5]:
        return f"{title}\n{chunk.text}"
    return chunk.text


def to_passage(chunk: Chunk, score: float) -> Passage:
    """A chunk with its retrieval score."""
    return Passage(chunk=chunk, score=round(float(score), 4))


class KeywordIndex:
    """BM25 over every stored chunk, rebuilt only when the store's version changes."""

    def __init__(self, store: EvidenceStore, contextual_header: bool):
        self.store = store
        self.contextual_header = contextual_header
        self._version: str | None = None
        self._chunks: list[Chunk] = []
        self._positions: dict[str, int] = {}
        self._article_ids = np.zeros(0, dtype=object)
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
            self._positions = {c.id: i for i, c in enumerate(chunks)}
            self._article_ids = np.array([c.article.id for c in chunks], dtype=object)
            self._chunks, self._version = chunks, version

    def scores(self, query: str, exclude_article_id: str = "") -> np.ndarray:
        """BM25 score of every chunk (0 for the excluded article), in index order."""
        self._refresh()
        if not self._chunks or self._index is None:
            return np.zeros(0, dtype=np.float32)
        scores = self._index.scores(query)
        if exclude_article_id:
            scores = np.where(self._article_ids != exclude_article_id, scores, 0.0)
        return scores

    def search(self, query: str, n: int, exclude_article_id: str = "") -> list[tuple[Chunk, float]]:
        """Top-n chunks by BM25."""
        return self.top(self.scores(query, exclude_article_id), n)

    def top(self, scores: np.ndarray, n: int) -> list[tuple[Chunk, float]]:
        """The n best chunks of a score array from `scores` (positive scores only)."""
        return [(self._chunks[i], s) for i, s in BM25Index.best(scores, n)]

    def score_of(self, scores: np.ndarray, chunk_id: str) -> float:
        """One chunk's entry in a score array from `scores` (0 if the chunk is not indexed)."""
        position = self._positions.get(chunk_id)
        return float(scores[position]) if position is not None and position < len(scores) else 0.0


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


def weighted_score_fusion(dense: dict[str, float], keyword: dict[str, float], chunks: dict[str, Chunk],
                          dense_weight: float) -> list[tuple[Chunk, float]]:
    """Fuse scores: w × cosine + (1 − w) × BM25 / best BM25 of the query, clamped to [0, 1]."""
    top_keyword = max(keyword.values(), default=0.0) or 1.0
    fused = {cid: dense_weight * dense.get(cid, 0.0) + (1 - dense_weight) * keyword.get(cid, 0.0) / top_keyword
             for cid in chunks}
    ordered = sorted(fused, key=lambda cid: -fused[cid])
    return [(chunks[cid], min(1.0, max(0.0, fused[cid]))) for cid in ordered]


def describe_retrieval(settings: RetrievalSettings) -> str:
    """Short name of a retrieval method, recorded in results."""
    header = ", title header" if settings.contextual_header else ""
    if settings.mode != "hybrid":
        return f"{settings.mode}{header}"
    if settings.fusion == "rrf":
        return f"hybrid(dense+bm25, rrf_k={settings.rrf_k}{header})"
    return f"hybrid(dense×{settings.dense_weight:g}+bm25, score fusion{header})"


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
        return describe_retrieval(self.settings)

    def search(self, query: str, k: int | None = None, exclude_article_id: str = "") -> list[Passage]:
        """Best k passages for the query, with scores in [0, 1]."""
        k = k or self.settings.k
        mode = self.settings.mode
        if mode == "bm25":
            hits = self.keywords.search(query, k, exclude_article_id)
            top = hits[0][1] if hits else 1.0
            return [to_passage(c, s / top) for c, s in hits]
        vector = self.embedder.embed([query])[0]
        dense = self.store.dense_search(vector, max(k, self.settings.candidates), exclude_article_id)
        if mode == "dense":
            return [to_passage(c, s) for c, s in dense[:k]]
        keyword_scores = self.keywords.scores(query, exclude_article_id)
        keyword = self.keywords.top(keyword_scores, self.settings.candidates)
        if self.settings.fusion == "rrf":
            fused = reciprocal_rank_fusion([[c for c, _ in dense], [c for c, _ in keyword]], self.settings.rrf_k)
        else:
            fused = self._score_fusion(vector, dense, keyword, keyword_scores)
        return [to_passage(c, s) for c, s in fused[:k]]

    def _score_fusion(self, vector: np.ndarray, dense: list[tuple[Chunk, float]],
                      keyword: list[tuple[Chunk, float]], keyword_scores: np.ndarray) -> list[tuple[Chunk, float]]:
        """Weighted fusion over the union of both candidate lists, each candidate scored by both methods."""
        chunks = {c.id: c for c, _ in dense} | {c.id: c for c, _ in keyword}
        cosines = {c.id: s for c, s in dense}
        cosines |= self._cosines(vector, [cid for cid in chunks if cid not in cosines], dense)
        bm25 = {cid: self.keywords.score_of(keyword_scores, cid) for cid in chunks}
        return weighted_score_fusion(cosines, bm25, chunks, self.settings.dense_weight)

    def _cosines(self, vector: np.ndarray, chunk_ids: list[str],
                 dense: list[tuple[Chunk, float]]) -> dict[str, float]:
        """Cosine of keyword-only candidates from their stored vectors (else the lowest dense score)."""
        if not chunk_ids:
            return {}
        found = self.store.vectors(chunk_ids)
        floor = dense[-1][1] if dense else 0.0
        return {cid: float(np.dot(vector, found[cid])) if cid in found else floor for cid in chunk_ids}
