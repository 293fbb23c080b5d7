"""Grow a benchmark store to 10k / 100k / 1M chunks through the project's write path, with derived vectors.

Passage text is real (bench/scale_data.py). Its vector is derived, so the benchmark does not spend hours
embedding: the L2-normalised mean of the real MiniLM vectors of its sentences (each sentence embedded once and
cached), plus Gaussian noise, normalised again. `derived_vector_fidelity` measures how close that comes to
really embedding the passage.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
from pydantic import BaseModel, Field

from bench.metrics import percentile
from bench.scale_data import passages, sentence_sources
from pipeline.archive import Archive
from pipeline.ports import Embedder
from pipeline.types import Article, ArticleRef, Chunk, content_id

NOISE_SIGMA = 0.01  # per dimension; the noise vector's norm is about 0.2 before normalising
SEED = 7


def sentence_vectors(embedder: Embedder, cache: Path) -> np.ndarray:
    """Real vectors of every pool sentence, embedded once and cached beside the store."""
    sentences = [s for pool in sentence_sources() for s in pool]
    digest = hashlib.sha256("\n".join(sentences).encode()).hexdigest()[:12]
    path = cache / f"sentence-vectors-{embedder.name}-{digest}.npy"
    if path.exists():
        return np.load(path)
    vectors = embedder.embed(sentences).astype(np.float32)
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, vectors)
    return vectors


def derive(vectors: np.ndarray, sentence_ids: list[int], rng: np.random.Generator) -> np.ndarray:
    """A passage vector from its sentences' real vectors, perturbed."""
    mean = vectors[sentence_ids].mean(axis=0)
    mean /= max(float(np.linalg.norm(mean)), 1e-12)
    noisy = mean + rng.normal(0.0, NOISE_SIGMA, mean.shape).astype(np.float32)
    return noisy / max(float(np.linalg.norm(noisy)), 1e-12)


Entry = tuple[Chunk, list[int]]  # a stream chunk and the ids of its sentences


def scale_chunks(seed: int = SEED) -> Iterator[list[Entry]]:
    """The deterministic passage stream grouped into whole articles, each chunk with its sentence ids."""
    group: list[Entry] = []
    current = -1
    for article, sentence_ids, text in passages(10**9, seed):
        if article != current and group:
            yield group
            group = []
        current = article
        ref = ArticleRef(id=content_id("scale", str(seed), str(article)), title="", source=f"scale-{seed}-{article}")
        chunk = Chunk(id=content_id(ref.id, str(len(group)), text), article=ref, text=text, index=len(group))
        group.append((chunk, sentence_ids))
    if group:
        yield group


class GrowthSegment(BaseModel):
    """Writing one stretch of the store (derived vectors: the write path without embedding)."""

    from_chunks: int
    to_chunks: int
    seconds: float
    batch_ms: list[float] = Field(default_factory=list)

    def row(self) -> dict:
        """Throughput and how the batch time moved from the first to the last tenth of the stretch."""
        if not self.batch_ms:  # the store was already that size (re-measuring it): nothing was written
            return {"chunks": f"{self.from_chunks:,} (already stored)", "chunks/s": "", "batch ms p50": "",
                    "batch ms p95": "", "first → last tenth (mean ms)": ""}
        tenth = max(1, len(self.batch_ms) // 10)
        return {"chunks": f"{self.from_chunks:,} → {self.to_chunks:,}",
                "chunks/s": round((self.to_chunks - self.from_chunks) / max(self.seconds, 1e-9)),
                "batch ms p50": round(percentile(self.batch_ms, 50)),
                "batch ms p95": round(percentile(self.batch_ms, 95)),
                "first → last tenth (mean ms)": f"{np.mean(self.batch_ms[:tenth]):.0f} → "
                                                f"{np.mean(self.batch_ms[-tenth:]):.0f}"}


def grow(archive: Archive, target: int, vectors: np.ndarray, batch_chunks: int,
         log: Callable[[str], None] | None = None) -> GrowthSegment:
    """Add whole articles of the stream until the store holds at least `target` chunks."""
    start = archive.count()
    segment = GrowthSegment(from_chunks=start, to_chunks=start, seconds=0.0)
    rng = np.random.default_rng(SEED + start)
    stream, written = _skip(scale_chunks(), start), start
    pending: list[Entry] = []
    began = time.perf_counter()
    while written < target:
        pending += next(stream)
        if len(pending) >= batch_chunks or written + len(pending) >= target:
            batch_vectors = np.stack([derive(vectors, ids, rng) for _, ids in pending])
            started = time.perf_counter()
            archive.add_chunks([chunk for chunk, _ in pending], batch_vectors)
            segment.batch_ms.append((time.perf_counter() - started) * 1000)
            written += len(pending)
            pending = []
            if log and len(segment.batch_ms) % 200 == 0:
                log(f"  {written:,} chunks stored ({(written - start) / (time.perf_counter() - began):.0f}/s)")
    segment.to_chunks, segment.seconds = written, time.perf_counter() - began
    return segment


def _skip(stream: Iterator[list[Entry]], chunks: int) -> Iterator[list[Entry]]:
    """The stream after its first `chunks` chunks (a store is always written in whole articles)."""
    skipped = 0
    for group in stream:
        if skipped >= chunks:
            yield group
        skipped += len(group)


def derived_vector_fidelity(embedder: Embedder, vectors: np.ndarray, count: int = 100) -> float:
    """Mean cosine between derived vectors and really embedded passages, on `count` stream passages."""
    rng = np.random.default_rng(SEED)
    sampled = list(passages(count, SEED + 1))
    real = embedder.embed([text for _, _, text in sampled])
    derived = np.stack([derive(vectors, ids, rng) for _, ids, _ in sampled])
    return round(float(np.mean(np.sum(real * derived, axis=1))), 3)


def real_articles(count: int, seed: int) -> list[Article]:
    """Fresh articles of real passage text (for ingest with real embedding at each store size)."""
    return [Article.from_text(text, title="", source=f"real-{seed}-{n}") for n, (_, _, text)
            in enumerate(passages(count, seed))]


def disk_mb(path: Path) -> float:
    """Size of every file under a folder, in MB."""
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6, 1) if path.exists() else 0.0
