"""bench scale: one store grown to 10k, 100k and 1M chunks; per size the write throughput, ingest with real
embedding, hybrid search latency, cold start in a fresh process, peak memory, disk, deletes and a drift check;
the largest store is also served by `chroma run`. Rows are logged as each size is measured, and a later run on
the same --dir grows the store further."""

from __future__ import annotations

import json
import os
import random
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.chroma_server import chroma_server
from bench.datasets import read_climate_fever
from bench.ingest_compare import REPO_ROOT, compare_cli_ingest, compare_embedders
from bench.metrics import percentile
from bench.report import SuiteResult, Table
from bench.scale_data import POOL_SENTENCES
from bench.scale_store import (
    NOISE_SIGMA,
    derived_vector_fidelity,
    disk_mb,
    grow,
    real_articles,
    sentence_vectors,
)
from factcheck.wiring import Engine, build_archive
from pipeline.archive import Archive
from pipeline.config import Settings
from pipeline.ingest import ingest_articles
from pipeline.maintenance import doctor
from pipeline.retrieval import Retriever

COLLECTION = "scale"
REAL_ARTICLES = 64
V1_COLD_START_MAX = 150_000  # beyond this version 1 takes minutes and gigabytes per process


def log(message: str) -> None:
    """Progress of a long benchmark on stderr."""
    print(message, file=sys.stderr, flush=True)


def scale_settings(settings: Settings, directory: Path, **vectorstore: Any) -> Settings:
    """Settings of the benchmark store under `directory` (embedded unless overridden)."""
    store = settings.vectorstore.model_copy(update={"mode": "embedded", "collection": COLLECTION, "index_dir": "",
                                                    **vectorstore})
    return settings.model_copy(update={"data_dir": directory, "vectorstore": store})


def environment(settings: Settings, checkout: Path = REPO_ROOT) -> dict[str, str]:
    """The environment that makes `python -m pipeline` of a checkout open this store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FACTCHECK_", "OPENAI_"))}
    vs = settings.vectorstore
    env.update(PYTHONPATH=str(checkout), FACTCHECK_DATA_DIR=str(settings.data_dir), FACTCHECK_LLM__PROVIDER="offline",
               FACTCHECK_VECTORSTORE__MODE=vs.mode, FACTCHECK_VECTORSTORE__COLLECTION=vs.collection,
               FACTCHECK_VECTORSTORE__PORT=str(vs.port), FACTCHECK_VECTORSTORE__INDEX_DIR=vs.index_dir)
    return env


# A child started straight from this (multi-GB) process inherits its peak RSS at exec (Linux keeps the larger of
# the two in ru_maxrss), so the search runs under a small launcher that reports the search's own peak.
_PEAK_RSS_OF_CHILD = (
    "import os, subprocess, sys\n"
    "proc = subprocess.Popen(sys.argv[1:], stderr=subprocess.DEVNULL)\n"
    "_, status, usage = os.wait4(proc.pid, 0)\n"
    "print(usage.ru_maxrss, file=sys.stderr)\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n")


def cold_start(settings: Settings, query: str, runs: int = 3, checkout: Path = REPO_ROOT,
               label: str = "") -> dict[str, float]:
    """`python -m pipeline search QUERY` in fresh processes: seconds to the printed result, and peak RSS."""
    seconds, peaks = [], []
    for _ in range(runs):
        started = time.perf_counter()
        command = [sys.executable, "-m", "pipeline", "search", query, "--k", "5", "--json"]
        proc = subprocess.Popen([sys.executable, "-c", _PEAK_RSS_OF_CHILD, *command], cwd=checkout,
                                env=environment(settings, checkout), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        seconds.append(time.perf_counter() - started)
        proc.stdout.read()
        peak_kb = proc.communicate()[1].strip().splitlines()[-1:]
        if proc.returncode or '"hits": [{' not in line or not peak_kb:
            raise RuntimeError(f"search in a fresh process failed (exit {proc.returncode})")
        peaks.append(int(peak_kb[0]) / 1024)
    return {f"{label}cold start s": round(sorted(seconds)[len(seconds) // 2], 2),
            f"{label}peak RSS MB (search process)": round(max(peaks))}


def search_latency(archive: Archive, engine: Engine, settings: Settings, queries: list[str]) -> dict[str, float]:
    """Hybrid search at k = 5 per query (query embedding included), and dense alone as the baseline, interleaved."""
    modes = {mode: Retriever(archive, engine.embedder, settings.retrieval.model_copy(update={"mode": mode}))
             for mode in ("hybrid", "dense")}
    latencies: dict[str, list[float]] = {mode: [] for mode in modes}
    for query in ["warm up", *queries]:
        for mode, retriever in modes.items():
            started = time.perf_counter()
            retriever.search(query, 5)
            latencies[mode].append((time.perf_counter() - started) * 1000)
    return {f"{mode} {p} ms": round(percentile(found[1:], int(p[1:])), 1)
            for mode, found in latencies.items() for p in ("p50", "p95")}


def real_ingest_and_delete(archive: Archive, engine: Engine, settings: Settings, seed: int) -> dict[str, float]:
    """Ingest fresh real passages with real embedding into the store at this size, then delete them one by one."""
    articles = real_articles(REAL_ARTICLES, seed)
    started = time.perf_counter()
    report = ingest_articles(articles, archive, engine.embedder, settings.ingest)
    rate = report.added_chunks / (time.perf_counter() - started)
    deletes = []
    for article in articles[:5]:
        started = time.perf_counter()
        archive.delete_article(article.id)
        deletes.append(time.perf_counter() - started)
    for article in articles[5:]:
        archive.delete_article(article.id)
    return {"ingest chunks/s (real embedding)": round(rate, 1),
            "delete one article ms (max of 5)": round(max(deletes) * 1000)}


def sizes_row(archive: Archive, settings: Settings) -> dict[str, Any]:
    """Disk use and a drift check at this size."""
    folder = settings.data_dir
    check = doctor(archive, repair=False)
    return {"disk MB chroma": disk_mb(folder / "chroma"), "disk MB keyword index": disk_mb(folder / "index"),
            "doctor (check only) s": check.seconds, "drift": check.drift}


def measure_size(archive: Archive, engine: Engine, settings: Settings, size: int, vectors, queries: list[str],
                 baseline: Path | None) -> tuple[dict, dict]:
    """Grow to `size`, then measure; returns the growth row and the measurement row."""
    log(f"growing the store to {size:,} chunks …")
    segment = grow(archive, size, vectors, settings.ingest.write_batch_chunks, log)
    log(f"measuring at {archive.count():,} chunks …")
    row: dict[str, Any] = {"chunks": archive.count(), "articles": archive.catalog.count()}
    row |= real_ingest_and_delete(archive, engine, settings, seed=size)
    row |= search_latency(archive, engine, settings, queries)
    row |= cold_start(settings, queries[0])
    if baseline and archive.count() <= V1_COLD_START_MAX:
        log("version 1 cold start (reads every chunk, builds BM25 in memory) …")
        row |= cold_start(settings, queries[0], runs=1, checkout=baseline, label="version 1 ")
    row |= sizes_row(archive, settings)
    log(json.dumps({"growth": segment.row(), "size": row}))
    return segment.row(), row


def run(engine: Engine, sizes: list[int], directory: Path, query_count: int, server: bool,
        baseline: Path | None, extra_model: str) -> SuiteResult:
    """Grow one store through every size, measuring at each; optionally serve it and compare with version 1."""
    settings = scale_settings(engine.settings, directory)
    archive = build_archive(settings, engine.embedder.name)
    log("embedding the sentence pool once (cached) …")
    vectors = sentence_vectors(engine.embedder, directory)
    claims = [c.claim for c in read_climate_fever()]
    queries = random.Random(11).sample(claims, query_count)
    growth, rows, served = [], [], []
    for size in sorted(sizes):
        segment_row, row = measure_size(archive, engine, settings, size, vectors, queries, baseline)
        growth.append(segment_row)
        rows.append(row)
        if server and size == max(sizes):
            served.append(serve_and_measure(engine, settings, directory, vectors, queries))
    tables = [Table(title="Archive scale: one store grown through each size (derived vectors, real text)",
                    columns=_columns(rows), rows=rows, note=_NOTE.format(
                        sigma=NOISE_SIGMA, queries=len(queries), pool=3 * POOL_SENTENCES,
                        fidelity=derived_vector_fidelity(engine.embedder, vectors))),
              Table(title="Write throughput while the store grows (keyword index + Chroma + catalog, no embedding)",
                    columns=list(growth[0]), rows=growth, note=f"Write batches of {settings.ingest.write_batch_chunks} "
                    "chunks (whole articles), as `ingest` writes them.")]
    if served:
        tables.append(Table(title="The largest store served by `chroma run` (same machine, HTTP)",
                            columns=list(served[0]), rows=served))
    if baseline:
        tables += [compare_embedders(baseline, 64, 3, extra_model), compare_cli_ingest(baseline, 120, 2)]
    return SuiteResult(suite="scale", data=str(directory), tables=tables,
                       info={"bench_peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                             "load_average": list(os.getloadavg())})


def serve_and_measure(engine: Engine, settings: Settings, directory: Path, vectors, queries: list[str]) -> dict:
    """Copy the store, serve the copy with `chroma run`, and measure the same things through HTTP."""
    copy = directory / "served"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(directory / "chroma", copy / "chroma")
    shutil.copytree(directory / "index", copy / "index")
    with chroma_server(copy / "chroma") as (port, pid):
        http = scale_settings(engine.settings, directory, mode="http", port=port, index_dir=str(copy / "index"))
        archive = build_archive(http, engine.embedder.name)
        before = archive.count()
        segment = grow(archive, before + 2_000, vectors, http.ingest.write_batch_chunks)
        row: dict[str, Any] = {"chunks": archive.count(), "write chunks/s (derived vectors)": segment.row()["chunks/s"]}
        row |= real_ingest_and_delete(archive, engine, http, seed=7_100_000)
        row |= search_latency(archive, engine, http, queries)
        row |= cold_start(http, queries[0])
        row["server peak RSS MB"] = _peak_rss_mb(pid)
    shutil.rmtree(copy, ignore_errors=True)
    return row


def _columns(rows: list[dict]) -> list[str]:
    """Every column of any row, in first-seen order (version 1 is measured on the smaller sizes only)."""
    return list(dict.fromkeys(column for row in rows for column in row))


def _peak_rss_mb(pid: int) -> int:
    """A process's peak resident memory (VmHWM) so far."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024)
    return 0


_NOTE = ("Text is real (Climate-FEVER evidence, CheckThat! 2024 debate lines and CheckThat! 2020 fact-check claims, "
         "walked into ~700-character passages; {pool:,} sentences). Vectors are derived, not embedded: the normalised "
         "mean of the real MiniLM vectors of each passage's sentences plus Gaussian noise (sigma {sigma} per"
         " dimension); on 100 passages their mean cosine to the really embedded passage is {fidelity}. Ingest with "
         "real embedding: "
         f"{REAL_ARTICLES} fresh real articles written into the store at that size, then deleted (the delete column "
         "is the slowest of the first five, each from the chunk store, the keyword index and the catalog). Hybrid "
         "latency: {queries} Climate-FEVER claims, in this process, query embedding included; dense alone (one Chroma "
         "query) is the baseline, run interleaved with hybrid on the same queries. Cold start: "
         "`python -m pipeline search CLAIM` in a fresh process, from its start to the printed result (median of 3); "
         "its peak RSS is that process's. Version 1 cold start: the same command from a checkout of version 1 on the "
         "same store (it reads every chunk and builds BM25 in memory before its first search; once, to 150k chunks).")
