"""Ingest and embedding throughput now against version 1 (a checkout of it), on the same 700-character
passages, interleaved in one run; and whether parallel embedding processes help on this machine."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np

from bench.report import Table
from bench.scale_data import passages
from vectorstore.embeddings import MiniLMEmbedder

REPO_ROOT = Path(__file__).resolve().parent.parent
CHUNK_CHARS = 700


def passage_texts(count: int, seed: int) -> list[str]:
    """Real passages cut at the last sentence end within 700 characters (one ingest chunk each)."""
    texts = []
    for _, _, text in passages(count, seed, chars=CHUNK_CHARS):
        cut = text.rfind(". ", 0, CHUNK_CHARS)
        texts.append(text[:cut + 1] if cut > CHUNK_CHARS // 2 else text[:CHUNK_CHARS])
    return texts


def _ingest_seconds(checkout: Path, folder: Path) -> float:
    """Wall time of `python -m pipeline ingest FOLDER` run from a checkout into a fresh data dir."""
    with tempfile.TemporaryDirectory() as data:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("FACTCHECK_", "OPENAI_"))}
        env.update(PYTHONPATH=str(checkout), FACTCHECK_DATA_DIR=data, FACTCHECK_LLM__PROVIDER="offline")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "pipeline", "ingest", str(folder)], cwd=checkout, env=env,
                       check=True, capture_output=True)
        return time.perf_counter() - started


def compare_cli_ingest(baseline: Path, count: int, rounds: int) -> Table:
    """`python -m pipeline ingest` of the same files by version 1 and by this checkout, alternating."""
    seconds: dict[str, list[float]] = {"version 1": [], "now": []}
    with tempfile.TemporaryDirectory() as folder:
        for n, text in enumerate(passage_texts(count, seed=11)):
            Path(folder, f"passage-{n:05d}.txt").write_text(text + "\n", encoding="utf-8")
        for _ in range(rounds):
            for name, checkout in (("version 1", baseline), ("now", REPO_ROOT)):
                seconds[name].append(_ingest_seconds(checkout, Path(folder)))
    base = np.array(seconds["version 1"])
    rows = [{"code": name, "files (one ~650-char chunk each)": count, "rounds": rounds,
             "median s": round(float(np.median(s)), 1), "chunks/s": round(count / float(np.median(s)), 1),
             "speed-up (median of per-round ratios)": round(float(np.median(base / np.array(s))), 2)}
            for name, s in seconds.items()]
    return Table(title="`python -m pipeline ingest` of the same files, version 1 vs now (alternating rounds)",
                 columns=list(rows[0]), rows=rows, baseline=["version 1"],
                 note="Wall time of the whole command from a fresh data dir (process start and model load included).")


_WORKER: MiniLMEmbedder | None = None


def _start_worker() -> None:
    """Load a one-thread embedder in a pool process."""
    global _WORKER
    _WORKER = MiniLMEmbedder(threads=1)
    _WORKER.embed(["warm up"])


def _embed_in_worker(texts: list[str]) -> np.ndarray:
    """Embed in a pool process."""
    assert _WORKER is not None
    return _WORKER.embed(texts)


class ProcessPoolEmbedder:
    """Texts split over N processes with one ORT thread each (what `ingest --jobs N` would do)."""

    def __init__(self, jobs: int):
        self.jobs = jobs
        self.pool = ProcessPoolExecutor(jobs, initializer=_start_worker)
        list(self.pool.map(_embed_in_worker, [["warm up"]] * jobs))

    def embed(self, texts: list[str]) -> np.ndarray:
        """Round-robin parts, one per process, put back in order."""
        parts = list(self.pool.map(_embed_in_worker, [texts[i::self.jobs] for i in range(self.jobs)]))
        vectors = np.zeros((len(texts), parts[0].shape[1]), dtype=np.float32)
        for i, part in enumerate(parts):
            vectors[i::self.jobs] = part
        return vectors


def _version_1_embedder(baseline: Path) -> Any:
    """Version 1's MiniLMEmbedder class, loaded from its checkout."""
    spec = importlib.util.spec_from_file_location("v1_embeddings", baseline / "vectorstore" / "embeddings.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MiniLMEmbedder()


def compare_embedders(baseline: Path, per_round: int, rounds: int, extra_model: str = "") -> Table:
    """Embedding chunks/s of version 1, now, one ORT thread, and 2 processes x 1 thread, interleaved rounds."""
    variants: dict[str, Any] = {"version 1": _version_1_embedder(baseline), "now": MiniLMEmbedder(),
                                "now, 1 ORT thread": MiniLMEmbedder(threads=1),
                                "now, 2 processes x 1 thread (--jobs 2)": ProcessPoolEmbedder(2)}
    if extra_model:
        variants["hand-fused attention graph (not shipped)"] = MiniLMEmbedder(model_path=extra_model)
    texts = passage_texts(per_round * rounds, seed=13)
    rates: dict[str, list[float]] = {name: [] for name in variants}
    worst: dict[str, float] = {name: 1.0 for name in variants}
    for embedder in variants.values():
        embedder.embed(["warm up"])
    for r in range(rounds):
        batch = texts[r * per_round:(r + 1) * per_round]
        reference = None
        for name, embedder in variants.items():
            started = time.perf_counter()
            vectors = embedder.embed(batch)
            rates[name].append(len(batch) / (time.perf_counter() - started))
            reference = vectors if reference is None else reference
            worst[name] = min(worst[name], float(np.min(np.sum(vectors * reference, axis=1))))
    base = np.array(rates["version 1"])
    rows = [{"embedder": name, "chunks/s (median)": round(float(np.median(r)), 1),
             "ratio to version 1 (median of rounds)": round(float(np.median(np.array(r) / base)), 2),
             "min cosine to version 1": round(worst[name], 6)} for name, r in rates.items()]
    return Table(title=f"Embedding ~650-character passages ({rounds} interleaved rounds of {per_round})",
                 columns=list(rows[0]), rows=rows, baseline=["version 1"],
                 note=f"Load average at the end: {os.getloadavg()[0]:.1f}. Every variant embeds the same texts in "
                      "the same round, so the ratios hold under load; the absolute rates do not.")
