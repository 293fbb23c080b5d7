"""Find passages for a claim: dense (Chroma), BM25, or both fused (weighted scores, or reciprocal rank)."""

from __future__ import annotations

import numpy as np

from pipeline.archive import Archive
from pipeline.config import RetrievalSettings
from pipeline.ports import Embedder
from pipeline.types import Chunk, Passage


def to_passage(chunk: Chunk, score: float) -> Passage:
    """A chunk with its retrieval score."""
    return Passage(chunk=chunk, score=round(float(score), 4))


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

    def __init__(self, store: Archive, embedder: Embedder, settings: RetrievalSettings):
        self.store = store
        self.embedder = embedder
        self.settings = settings

    @property
    def description(self) -> str:
        """Short name of the retrieval method, recorded in results."""
        return describe_retrieval(self.settings)

    def search(self, query: str, k: int | None = None, exclude_article_id: str = "") -> list[Passage]:
        """Best k passages for the query, with scores in [0, 1]."""
        k = k or self.settings.k
        if self.settings.mode == "bm25":
            return self._keyword_only(query, k, exclude_article_id)
        vector = self.embedder.embed([query])[0]
        dense = self.store.dense_search(vector, max(k, self.settings.candidates), exclude_article_id)
        if self.settings.mode == "dense":
            return [to_passage(c, s) for c, s in dense[:k]]
        keyword = self.store.keyword_search(query, self.settings.candidates, exclude_article_id)
        chunks, cosines = self._candidates(vector, dense, keyword)
        keyword = [(cid, s) for cid, s in keyword if cid in chunks]  # rows whose chunk is gone are skipped
        if self.settings.fusion == "rrf":
            fused = reciprocal_rank_fusion([[c for c, _ in dense], [chunks[cid] for cid, _ in keyword]],
                                           self.settings.rrf_k)
        else:
            bm25 = dict(keyword)
            bm25 |= self.store.keyword_scores(query, [cid for cid in chunks if cid not in bm25])
            fused = weighted_score_fusion(cosines, bm25, chunks, self.settings.dense_weight)
        return [to_passage(c, s) for c, s in fused[:k]]

    def _candidates(self, vector: np.ndarray, dense: list[tuple[Chunk, float]], keyword: list[tuple[str, float]],
                    ) -> tuple[dict[str, Chunk], dict[str, float]]:
        """Every candidate chunk and its cosine; keyword-only ones are fetched with their stored vectors."""
        chunks = {c.id: c for c, _ in dense}
        cosines = {c.id: s for c, s in dense}
        missing = [cid for cid, _ in keyword if cid not in chunks]
        for chunk_id, (chunk, stored) in self.store.chunks_with_vectors(missing).items():
            chunks[chunk_id], cosines[chunk_id] = chunk, float(np.dot(vector, stored))
        return chunks, cosines

    def _keyword_only(self, query: str, k: int, exclude_article_id: str) -> list[Passage]:
        """BM25 alone, scores divided by the best one."""
        hits = self.store.keyword_search(query, k, exclude_article_id)
        chunks = {c.id: c for c in self.store.get_chunks([cid for cid, _ in hits])}
        top = hits[0][1] if hits else 1.0
        return [to_passage(chunks[cid], s / top) for cid, s in hits if cid in chunks]
