"""How close the offline embedder runs to this machine's matrix-multiply speed, and where ORT spends its time.

    python -c "from bench.embedding_ceiling import ceiling, op_profile; from bench.report import render_table as r; \
print(r(ceiling(256, 3))); print(r(op_profile(128))); print(r(simplified_vs_exported(256, 5)))"
"""

from __future__ import annotations

import collections
import json
import os
import time
from typing import Any

import numpy as np

from bench.ingest_compare import passage_texts
from bench.report import Table
from vectorstore.embeddings import MiniLMEmbedder, session_options

LAYERS, HIDDEN, FFN = 6, 384, 1536  # all-MiniLM-L6-v2
DENSE_FLOP_PER_TOKEN = 2 * LAYERS * (4 * HIDDEN * HIDDEN + 2 * HIDDEN * FFN)  # attention scores add ~5-10 %


def gemm_gflops(seconds: float = 3.0) -> float:
    """fp32 GFLOP/s numpy reaches on a layer-shaped product (2,048 tokens x 384 by 384 x 1,536)."""
    a = np.random.default_rng(0).random((2048, HIDDEN), dtype=np.float32)
    b = np.random.default_rng(1).random((HIDDEN, FFN), dtype=np.float32)
    started, products = time.perf_counter(), 0
    while time.perf_counter() - started < seconds:
        a @ b
        products += 1
    return products * 2 * a.shape[0] * HIDDEN * FFN / (time.perf_counter() - started) / 1e9


def ceiling(count: int, rounds: int, target: float = 150.0, gemm_seconds: float = 3.0) -> Table:
    """Per round: GEMM speed, embedding speed, and what the target would need, measured back to back."""
    embedder = MiniLMEmbedder()
    texts = passage_texts(count, seed=5)
    embedder.embed(["warm up"])
    tokens = sum(len(e.ids) for e in embedder._tokenizer.encode_batch(texts)) / len(texts)
    needed = target * tokens * DENSE_FLOP_PER_TOKEN / 1e9
    rows = []
    for r in range(rounds):
        gemm = gemm_gflops(gemm_seconds)
        started = time.perf_counter()
        embedder.embed(texts)
        rate = len(texts) / (time.perf_counter() - started)
        achieved = rate * tokens * DENSE_FLOP_PER_TOKEN / 1e9
        rows.append({"round": r + 1, "numpy fp32 GEMM GFLOP/s": round(gemm), "embedding chunks/s": round(rate, 1),
                     "dense GFLOP/s achieved": round(achieved), "share of GEMM speed": round(achieved / gemm, 2),
                     f"GFLOP/s {target:.0f} chunks/s needs": round(needed)})
    title = f"Embedding vs this machine's matrix-multiply speed ({count} passages, {tokens:.0f} tokens each)"
    return Table(title=title,
                 columns=list(rows[0]), rows=rows,
                 note=f"Load average at the end: {os.getloadavg()[0]:.1f}. Dense FLOPs only (Q, K, V, output and "
                      "feed-forward products); the model's weights are int8 on disk but dequantised to fp32 at load.")


def op_profile(count: int) -> Table:
    """Share of ORT kernel time per operator type while embedding `count` passages."""
    embedder = MiniLMEmbedder()
    embedder.embed(["warm up"])
    model = embedder._simplified(embedder.model_path.read_bytes())  # the graph as the embedder loads it
    embedder._session = _session(model, profile=True)
    embedder.embed(passage_texts(count, seed=5))
    trace = embedder._session.end_profiling()
    with open(trace, encoding="utf-8") as handle:
        events = json.load(handle)
    os.unlink(trace)
    spent: collections.Counter[str] = collections.Counter()
    for event in events:
        if event.get("cat") == "Node" and event["name"].endswith("_kernel_time"):
            spent[event["args"]["op_name"]] += event["dur"]
    total = sum(spent.values())
    rows = [{"operator": op, "share of kernel time": round(us / total, 3)} for op, us in spent.most_common(10)]
    return Table(title="Where onnxruntime spends the embedding time (operator types, fused graph)",
                 columns=list(rows[0]), rows=rows)


def _exported_graph_embedder() -> MiniLMEmbedder:
    """The embedder on the model file exactly as shipped (NaN guards kept), for comparison."""
    embedder = MiniLMEmbedder()
    embedder._load()
    embedder._session = _session(embedder.model_path.read_bytes())
    return embedder


def _session(model: bytes, profile: bool = False) -> Any:
    """An onnxruntime session with the embedder's own options."""
    import onnxruntime

    options = session_options()
    options.enable_profiling = profile
    return onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])


def simplified_vs_exported(count: int, rounds: int) -> Table:
    """chunks/s with the graph simplified (the default: onnx_graph.py) vs the graph as exported, interleaved."""
    variants = {"graph as exported (before)": _exported_graph_embedder(),
                "NaN guards removed, GELUs fused (now)": MiniLMEmbedder()}
    texts = passage_texts(count * rounds, seed=21)
    rates: dict[str, list[float]] = {name: [] for name in variants}
    cosine = 1.0
    for embedder in variants.values():
        embedder.embed(["warm up"])
    for r in range(rounds):
        batch, vectors = texts[r * count:(r + 1) * count], []
        for name, embedder in variants.items():
            started = time.perf_counter()
            vectors.append(embedder.embed(batch))
            rates[name].append(len(batch) / (time.perf_counter() - started))
        cosine = min(cosine, float(np.min(np.sum(vectors[0] * vectors[1], axis=1))))
    base = np.array(rates["graph as exported (before)"])
    rows = [{"model graph": name, "chunks/s (median)": round(float(np.median(r)), 1),
             "speed-up (median of per-round ratios)": round(float(np.median(np.array(r) / base)), 3),
             "min cosine to before": round(cosine, 7)} for name, r in rates.items()]
    return Table(title=f"Simplified graph vs the exported graph ({rounds} interleaved rounds of {count})",
                 columns=list(rows[0]), rows=rows, baseline=["graph as exported (before)"],
                 note=f"Load average at the end: {os.getloadavg()[0]:.1f}.")
