"""Fact-check vectors: claim and headline embedded apart, mixed at search, and older one-vector rows upgraded."""

from __future__ import annotations

import json
import logging

import numpy as np

from factcheck.wiring import Engine
from pipeline.factcheck_import import ImportReport, read_factchecks
from pipeline.factcheck_library import Candidates, fuse
from pipeline.factcheck_types import FactCheck
from vectorstore.factcheck_store import build_factcheck_store

FOSSIL = "A photograph shows a giant fossil found by quarry workers."


def review(url: str, claim: str, headline: str) -> dict:
    return {"@type": "ClaimReview", "url": url, "claimReviewed": claim, "headline": headline,
            "reviewRating": {"alternateName": "False"}, "author": {"name": "Example Desk"}}


def feed(tmp_path, *items: dict):
    path = tmp_path / "feed.json"
    path.write_text(json.dumps(list(items)), encoding="utf-8")
    return str(path)


def cosine(a, b) -> float:
    return float(np.dot(a, b) / np.linalg.norm(a) / np.linalg.norm(b))


def test_claim_and_headline_get_a_vector_each_and_a_check_without_headline_reuses_its_claims(engine, embedder,
                                                                                             tmp_path):
    library = engine.factchecks
    library.import_sources([feed(tmp_path, review("https://desk.example/ammonite", FOSSIL,
                                                  "Is This Giant Ammonite from British Columbia Real?"),
                                 review("https://desk.example/plain", "Bulls are enraged by the colour red.", ""))])
    stored = {f.url: (claim, headline) for f, claim, headline in library.store.with_vectors(
        [f.id for f in library.iter_all()]).values()}
    claim, headline = stored["https://desk.example/ammonite"]
    expected = embedder.embed([FOSSIL, "Is This Giant Ammonite from British Columbia Real?",
                               f"{FOSSIL}\nIs This Giant Ammonite from British Columbia Real?"])
    assert cosine(claim, expected[0]) > 0.9999 and cosine(headline, expected[1]) > 0.9999
    assert cosine(claim, expected[2]) < 0.99  # not the one vector of both texts an older version stored
    claim, headline = stored["https://desk.example/plain"]
    assert cosine(claim, headline) > 0.9999
    assert library.store.outdated(10) == []


def test_the_headline_weight_mixes_the_headline_cosine_into_the_dense_score():
    checks = {i: FactCheck(id=i, claimReviewed=f"Claim {i}.", url=f"https://desk.example/{i}") for i in "ab"}
    candidates = Candidates(found=checks, cosines={"a": 0.8, "b": 0.7}, bm25={}, headline_cosines={"b": 0.95})
    assert [f.id for f, _ in fuse(candidates, 1.0, 0.0)] == ["a", "b"]
    ranked = fuse(candidates, 1.0, 0.5)
    assert [f.id for f, _ in ranked] == ["b", "a"]  # b's headline says what the query says
    assert [round(s, 3) for _, s in ranked] == [0.825, 0.8]  # a has no headline: its claim's cosine stands in


def test_equal_scores_are_ordered_by_id_not_by_the_order_the_store_returned_them():
    checks = {i: FactCheck(id=i, claimReviewed="Same words.", url=f"https://desk.example/{i}") for i in "cab"}
    candidates = Candidates(found=checks, cosines=dict.fromkeys("cab", 0.5), bm25=dict.fromkeys("cab", 2.0))
    assert [f.id for f, _ in fuse(candidates, 0.8, 0.2)] == ["a", "b", "c"]


def test_fact_checks_stored_with_one_vector_by_an_older_version_are_re_embedded_once_and_kept(
        settings, embedder, tmp_path, caplog):
    old = list(read_factchecks([feed(tmp_path, review("https://desk.example/ammonite", FOSSIL,
                                                      "Is This Giant Ammonite from British Columbia Real?"),
                                     review("https://desk.example/wall", "The Great Wall is visible from space.",
                                            "Can You See the Great Wall of China From Space?"))], ImportReport()))
    collection = build_factcheck_store(settings, embedder.name).collection  # written as the previous version did
    collection.add(ids=[f.id for f in old], embeddings=embedder.embed([f.index_text() for f in old]),
                   documents=[f.index_text() for f in old],
                   metadatas=[{"factcheck": f.model_dump_json(), "url": f.url, "added_at": 1.0} for f in old])
    assert len(build_factcheck_store(settings, embedder.name).outdated(10)) == 2

    with caplog.at_level(logging.WARNING):
        upgraded = Engine(settings, overrides={"embedder": embedder}).factchecks
        matches = upgraded.search("giant ammonite fossil from British Columbia", k=2)
    assert matches[0].factcheck.url == "https://desk.example/ammonite"
    assert upgraded.store.outdated(10) == [] and upgraded.count() == 2
    assert "Re-embedded 2 stored fact-checks." in caplog.text
    for factcheck, claim, headline in upgraded.store.with_vectors([f.id for f in old]).values():
        assert cosine(claim, embedder.embed([factcheck.claimReviewed])[0]) > 0.9999
        assert cosine(headline, embedder.embed([factcheck.headline])[0]) > 0.9999
    caplog.clear()
    later = Engine(settings, overrides={"embedder": embedder}).factchecks
    later.search("giant ammonite", k=1)
    assert "Re-embedding" not in caplog.text  # once
    assert later.store.collection.metadata["factcheck_vectors"] == 2  # later processes skip the scan
