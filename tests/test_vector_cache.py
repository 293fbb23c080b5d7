"""The offline judge's sentence vectors are kept on disk, so a new process does not embed the same text again."""

import logging

import numpy as np

from vectorstore.vector_cache import DiskCachedEmbedder


class CountingEmbedder:
    """Deterministic vectors from the text's bytes; remembers every text it was asked to embed."""

    def __init__(self, name: str = "counting"):
        self.name, self.asked = name, []

    def embed(self, texts: list[str]) -> np.ndarray:
        self.asked += texts
        rows = [np.frombuffer(t.encode().ljust(16, b"\0")[:16], dtype=np.uint8).astype(np.float32) + 1 for t in texts]
        return np.stack([r / np.linalg.norm(r) for r in rows])


def test_a_new_process_reads_the_vectors_back_instead_of_embedding_again(tmp_path):
    path = tmp_path / "cache" / "vectors.sqlite"
    first = DiskCachedEmbedder(CountingEmbedder(), path).embed(["a claim", "a sentence"])
    inner = CountingEmbedder()
    again = DiskCachedEmbedder(inner, path)
    vectors = again.embed(["a sentence", "a new sentence", "a sentence"])
    assert inner.asked == ["a new sentence"]
    assert np.array_equal(vectors[0], first[1]) and np.array_equal(vectors[2], first[1])
    assert np.array_equal(vectors, CountingEmbedder().embed(["a sentence", "a new sentence", "a sentence"]))
    assert len(again) == 3


def test_vectors_of_another_model_are_not_reused(tmp_path):
    path = tmp_path / "vectors.sqlite"
    DiskCachedEmbedder(CountingEmbedder("model-a"), path).embed(["same text"])
    other = CountingEmbedder("model-b")
    DiskCachedEmbedder(other, path).embed(["same text"])
    assert other.asked == ["same text"]


def test_the_oldest_vectors_go_first_when_the_cache_is_full(tmp_path):
    path = tmp_path / "vectors.sqlite"
    cache = DiskCachedEmbedder(CountingEmbedder(), path, max_rows=3)
    for text in ("one", "two", "three", "four", "five"):
        cache.embed([text])
    assert len(cache) == 3
    inner = CountingEmbedder()
    DiskCachedEmbedder(inner, path, max_rows=3).embed(["one", "two", "three", "four", "five"])
    assert inner.asked == ["one", "two"]


def test_a_corrupt_cache_file_costs_speed_not_the_check(tmp_path, caplog):
    path = tmp_path / "vectors.sqlite"
    path.write_bytes(b"this is not a database " * 100)
    inner = CountingEmbedder()
    cache = DiskCachedEmbedder(inner, path)
    with caplog.at_level(logging.WARNING):
        first = cache.embed(["a sentence"])
        second = cache.embed(["a sentence", "another"])
    assert np.array_equal(first[0], second[0]) and inner.asked == ["a sentence", "a sentence", "another"]
    [warning] = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert str(path) in warning and "Delete the file" in warning
