"""bench speed: ingest throughput and where it goes, search latency at 1x and 10x, memory, a full check."""

from __future__ import annotations

import os
import resource
import shutil
import time
import uuid

import numpy as np

from bench.datasets import read_climate_fever, unique_evidence
from bench.fake_check import measure_checks
from bench.metrics import percentile
from bench.pool import bench_dir, evidence_articles
from bench.profiling import Stopwatch, TimedEmbedder, TimedStore
from bench.report import SuiteResult, Table
from factcheck.wiring import Engine, build_archive
from pipeline.config import Settings
from pipeline.ingest import ingest_articles
from pipeline.retrieval import Retriever
from pipeline.types import updated

QUERIES = 200
_WRITE_BATCH = 1000


def measure_ingest(settings: Settings, engine: Engine, articles) -> tuple[dict, Table, object]:
    """Ingest into a fresh store with timing wrappers: throughput and the split of the time."""
    watch = Stopwatch()
    embedder = TimedEmbedder(engine.embedder, watch)
    store = TimedStore(build_archive(settings, embedder.name), watch)
    started = time.perf_counter()
    report = ingest_articles(articles, store, embedder, settings.ingest,  # type: ignore[arg-type]
                             settings.retrieval.contextual_header)
    total = time.perf_counter() - started
    parts = dict(watch.seconds)
    parts["chunking and the rest"] = total - sum(parts.values())
    profile = Table(title="Where ingest time goes", columns=["part", "seconds", "share"],
                    rows=[{"part": name, "seconds": round(sec, 2), "share": f"{sec / total:.1%}"}
                          for name, sec in sorted(parts.items(), key=lambda p: -p[1])])
    row = {"chunks": report.added_chunks, "seconds": round(total, 1),
           "chunks/s": round(report.added_chunks / total, 1)}
    return row, profile, store.inner


def measure_search(store, engine: Engine, settings: Settings, queries: list[str]) -> dict:
    """Per-query latency of the default retrieval (the first search, which opens everything, reported apart)."""
    retriever = Retriever(store, engine.embedder, settings.retrieval)
    started = time.perf_counter()
    retriever.search("warm up", settings.retrieval.k)
    first = time.perf_counter() - started
    latencies = []
    for query in queries:
        started = time.perf_counter()
        retriever.search(query, settings.retrieval.k)
        latencies.append((time.perf_counter() - started) * 1000)
    return {"chunks": store.count(), "queries": len(queries), "p50 ms": round(percentile(latencies, 50), 1),
            "p95 ms": round(percentile(latencies, 95), 1), "first search s": round(first, 2)}


def replicate(store, copies: int) -> float:
    """Add copies-1 replicas of every chunk with distinct ids and the stored vectors (no re-embedding)."""
    chunks = list(store.iter_chunks())
    vectors = store.vectors([c.id for c in chunks])
    started = time.perf_counter()
    for n in range(1, copies):
        for start in range(0, len(chunks), _WRITE_BATCH):
            part = chunks[start:start + _WRITE_BATCH]
            clones = [updated(c, id=f"{c.id}-r{n}", article=updated(c.article, id=f"{c.article.id}-r{n}"))
                      for c in part]
            store.add_chunks(clones, np.stack([vectors[c.id] for c in part]))
    return time.perf_counter() - started


def peak_memory_mb() -> float:
    """Peak resident memory of this process so far."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def run(engine: Engine, data: str | None, limit: int | None, latency: float, replicas: int) -> SuiteResult:
    """All speed measurements in one process, on a private temporary store."""
    claims = read_climate_fever(data)
    evidence = unique_evidence(claims)[:limit] if limit else unique_evidence(claims)
    scratch = bench_dir(engine.settings) / f"speed-{uuid.uuid4().hex[:8]}"
    settings = engine.settings.model_copy(update={"data_dir": scratch})
    try:
        ingest_row, profile, store = measure_ingest(settings, engine, evidence_articles(evidence))
        questions = [c.claim for c in claims]
        search_rows = [{"corpus": "1x", **measure_search(store, engine, settings, questions[:QUERIES])}]
        seconds = replicate(store, replicas)
        ingest_row["replica writes/s (no embedding)"] = round(len(evidence) * (replicas - 1) / seconds, 1)
        search_rows.append({"corpus": f"{replicas}x", **measure_search(store, engine, settings,
                                                                        questions[QUERIES:2 * QUERIES])})
        checks = measure_checks(engine, scratch / "check", latency)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return SuiteResult(suite="speed", data=str(data or "Climate-FEVER default path"), tables=[
        Table(title="Ingest (Climate-FEVER sentences, one article each, embedding included)",
              columns=list(ingest_row), rows=[ingest_row]),
        profile,
        Table(title="Search latency of the default retrieval (k=5)", columns=list(search_rows[0]), rows=search_rows,
              note="Replicas are copies with distinct ids and the already computed vectors."),
        *checks,
    ], info={"peak_memory_mb": peak_memory_mb(), "load_average": list(os.getloadavg()),
             "fake_llm_latency_s": latency})
