"""Retrieval: weighted score fusion by hand, and the hybrid default on a real store."""

import json
import math
from pathlib import Path

import numpy as np
import pytest

from pipeline.bm25 import tokenize
from pipeline.retrieval import Retriever, weighted_score_fusion
from pipeline.types import Article, ArticleRef, Chunk


def _chunk(cid):
    return Chunk(id=cid, article=ArticleRef(id=cid), text=cid, index=0, start=0, end=1)


def test_weighted_score_fusion_by_hand():
    chunks = {c: _chunk(c) for c in "abc"}
    dense = {"a": 0.9, "b": 0.5, "c": 0.2}
    keyword = {"a": 0.0, "b": 10.0, "c": 5.0}
    fused = weighted_score_fusion(dense, keyword, chunks, dense_weight=0.8)
    # a: .72, b: .4 + .2 = .6, c: .16 + .1 = .26
    assert [c.id for c, _ in fused] == ["a", "b", "c"]
    assert [round(s, 3) for _, s in fused] == [0.72, 0.6, 0.26]
    keyword_only = weighted_score_fusion(dense, keyword, chunks, dense_weight=0.0)
    assert [c.id for c, _ in keyword_only] == ["b", "c", "a"] and keyword_only[0][1] == 1.0


def test_fusion_scores_are_clamped_to_the_unit_interval():
    fused = weighted_score_fusion({"a": -0.5}, {}, {"a": _chunk("a")}, dense_weight=1.0)
    assert fused[0][1] == 0.0


ARTICLES = [
    ("Shahed drones", "Iran supplied Russia with Shahed-136 attack drones in the summer of 2022."),
    ("Su-35", "Russia is training Iranian pilots to fly the Sukhoi Su-35 fighter jet."),
    ("OPEC+", "OPEC+ agreed in October 2022 to cut oil output by two million barrels per day."),
]


@pytest.fixture
def filled(engine):
    from pipeline.ingest import ingest_articles

    articles = [Article.from_text(text, title=title, source=f"{title}.txt") for title, text in ARTICLES]
    ingest_articles(articles, engine.store, engine.embedder, engine.settings.ingest)
    return engine, articles


@pytest.mark.parametrize("fusion", ["score", "rrf"])
def test_hybrid_finds_the_right_passage_and_honours_exclusion(filled, fusion):
    engine, articles = filled
    settings = engine.settings.retrieval.model_copy(update={"fusion": fusion})
    retriever = Retriever(engine.store, engine.embedder, settings)
    hits = retriever.search("Which drones did Iran send to Russia?", 3)
    assert hits[0].article.title == "Shahed drones" and all(0.0 <= h.score <= 1.0 for h in hits)
    assert {"score": "score fusion", "rrf": "rrf_k=60"}[fusion] in retriever.description
    excluded = retriever.search("Which drones did Iran send to Russia?", 3, exclude_article_id=articles[0].id)
    assert all(h.article.id != articles[0].id for h in excluded)


def test_keyword_only_candidates_get_their_stored_cosine(filled):
    engine, _ = filled
    chunks = list(engine.store.iter_chunks())
    stored = engine.store.vectors([c.id for c in chunks])
    query = engine.embedder.embed(["oil output cut"])[0]
    retriever = Retriever(engine.store, engine.embedder, engine.settings.retrieval)
    found, cosines = retriever._candidates(query, [], [(c.id, 1.0) for c in chunks] + [("gone", 1.0)])
    assert set(found) == set(stored)  # a keyword row whose chunk is no longer stored is skipped
    assert cosines == pytest.approx({cid: float(np.dot(query, v)) for cid, v in stored.items()})


def reference_bm25(documents: list[list[str]], query: list[str], k1: float = 1.2, b: float = 0.75) -> list[float]:
    """Okapi BM25 as the in-memory index of version 1 computed it (Lucene's idf)."""
    average = sum(len(d) for d in documents) / len(documents)
    scores = []
    for document in documents:
        score = 0.0
        for term in set(query):
            having = sum(term in d for d in documents)
            freq = document.count(term)
            if freq:
                idf = math.log(1 + (len(documents) - having + 0.5) / (having + 0.5))
                score += idf * freq * (k1 + 1) / (freq + k1 * (1 - b + b * len(document) / average))
        scores.append(score)
    return scores


def test_the_keyword_index_scores_like_version_1s_bm25(filled):
    engine, _ = filled
    chunks = list(engine.store.iter_chunks())
    tokens = [engine.store.keyword_row(c).tokens for c in chunks]
    query = "Which drones did Iran send to Russia in 2022?"
    expected = dict(zip([c.id for c in chunks], reference_bm25(tokens, tokenize(query))))
    hits = engine.store.keyword_search(query, 10)
    assert [cid for cid, _ in hits] == sorted((c for c in expected if expected[c] > 0), key=lambda c: -expected[c])
    # tantivy stores document lengths in one byte (lossy above 40 tokens), so scores match to about 1 %
    assert dict(hits) == pytest.approx({cid: expected[cid] for cid, _ in hits}, rel=0.02)
    assert engine.store.keyword_scores(query, list(expected)) == pytest.approx(expected, rel=0.02)


def test_embeddings_match_the_version_1_vectors(embedder):
    """The faster batching must not change a single vector (reference computed by version 1's embedder)."""
    fixtures = Path(__file__).parent / "fixtures"
    texts = json.loads((fixtures / "minilm-reference-texts.json").read_text(encoding="utf-8"))
    reference = np.load(fixtures / "minilm-reference-vectors.npy")
    model = embedder.inner  # the model itself: the test embedder's cache would answer the later batches
    for batch in (texts, list(reversed(texts)), texts[:1]):
        vectors = model.embed(batch)
        expected = reference[[texts.index(t) for t in batch]]
        assert np.min(np.sum(vectors * expected, axis=1)) >= 0.9999
