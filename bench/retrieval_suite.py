"""bench retrieval: Climate-FEVER claims against all 5,240 evidence sentences, BM25 and dense beside our default."""

from __future__ import annotations

import sys
import time
from typing import Any

from pydantic import BaseModel

from bench.datasets import CFClaim, in_tuning_half, read_climate_fever, unique_evidence
from bench.metrics import ranking_scores
from bench.pool import fill_pool, open_pool
from bench.report import SuiteResult, Table
from factcheck.wiring import Engine
from pipeline.config import RetrievalSettings
from pipeline.retrieval import Retriever, describe_retrieval

FETCH = 20  # chunks asked per query; a long sentence may span chunks, so hits are de-duplicated to sentences
COLUMNS = ["method", "recall@5", "recall@10", "MRR@10", "test half R@5", "test half MRR@10", "seconds"]


class Method(BaseModel):
    """One retrieval configuration to measure."""

    name: str
    header: bool
    overrides: dict[str, Any]
    baseline: bool = False


def methods(default: RetrievalSettings) -> list[Method]:
    """The baselines, the ablation steps in order, and the configured default."""
    return [
        Method(name="BM25 (sentence text)", header=False, overrides={"mode": "bm25"}, baseline=True),
        Method(name="dense MiniLM (sentence text)", header=False, overrides={"mode": "dense"}, baseline=True),
        Method(name="hybrid RRF (k=60)", header=False, overrides={"mode": "hybrid", "fusion": "rrf"}),
        Method(name="BM25 + title header", header=True, overrides={"mode": "bm25"}),
        Method(name="dense + title header", header=True, overrides={"mode": "dense"}),
        Method(name="hybrid RRF + title header (previous default)", header=True,
               overrides={"mode": "hybrid", "fusion": "rrf"}),
        Method(name=f"default: {describe(default)}", header=default.contextual_header, overrides={}),
    ]


def describe(settings: RetrievalSettings) -> str:
    """The retrieval description the pipeline records for these settings."""
    return describe_retrieval(settings)


def rank_sentences(retriever: Retriever, claim: CFClaim) -> list[str]:
    """Evidence ids in rank order (first chunk of each sentence counts), at most 10."""
    ranked: list[str] = []
    for passage in retriever.search(claim.claim, FETCH):
        if passage.article.source not in ranked:
            ranked.append(passage.article.source)
    return ranked[:10]


def evaluate(retriever: Retriever, claims: list[CFClaim]) -> dict[str, Any]:
    """Metrics over all claims and over the held-out half, plus the time taken."""
    started = time.perf_counter()
    runs = [(rank_sentences(retriever, c), c.gold_evidence_ids) for c in claims]
    seconds = time.perf_counter() - started
    held_out = [run for run, c in zip(runs, claims) if not in_tuning_half(c.claim_id)]
    everything, test = ranking_scores(runs), ranking_scores(held_out)
    return {"recall@5": everything.recall_at_5, "recall@10": everything.recall_at_10,
            "MRR@10": everything.mrr_at_10, "test half R@5": test.recall_at_5,
            "test half MRR@10": test.mrr_at_10, "seconds": round(seconds, 1), "queries": len(runs)}


def query_claims(claims: list[CFClaim], limit: int | None) -> list[CFClaim]:
    """Claims with at least one SUPPORTS/REFUTES sentence (optionally the first `limit`)."""
    with_gold = [c for c in claims if c.gold_evidence_ids]
    return with_gold[:limit] if limit else with_gold


def run(engine: Engine, data: str | None, limit: int | None, weights: list[float]) -> SuiteResult:
    """Build (or reuse) both pools, then measure every method in one run."""
    claims = read_climate_fever(data)
    evidence = unique_evidence(claims)
    queries = query_claims(claims, limit)
    settings, embedder = engine.settings, engine.embedder
    stores, ingest_info = {}, {}
    for header in (False, True):
        name = "cf-header" if header else "cf-plain"
        stores[header] = open_pool(settings, embedder, name, header)
        started = time.perf_counter()
        report = fill_pool(stores[header], embedder, settings, evidence, header)
        ingest_info[name] = {"added_chunks": report.added_chunks, "skipped_chunks": report.skipped_chunks,
                             "seconds": round(time.perf_counter() - started, 1)}
    table = Table(title=f"Retrieval on Climate-FEVER ({len(queries)} claims, {len(evidence)} sentences)",
                  columns=COLUMNS, note=_NOTE)
    for method in methods(settings.retrieval):
        retrieval = settings.retrieval.model_copy(update={**method.overrides, "contextual_header": method.header})
        print(f"  measuring {method.name} ...", file=sys.stderr, flush=True)
        table.rows.append({"method": method.name, **evaluate(Retriever(stores[method.header], embedder, retrieval),
                                                             queries)})
        if method.baseline:
            table.baseline.append(method.name)
    tables = [table]
    if weights:
        tables.append(weight_sweep(stores[settings.retrieval.contextual_header], engine, queries, weights))
    return SuiteResult(suite="retrieval", data=str(data or "Climate-FEVER default path"), tables=tables,
                       info={"ingest": ingest_info, "fetch_per_query": FETCH,
                             "split": "claims with in_tuning_half(claim_id) = tuning half; the rest = test half"})


def weight_sweep(store, engine: Engine, queries: list[CFClaim], weights: list[float]) -> Table:
    """Score-fusion dense weight on the tuning half and the test half (how the default was chosen)."""
    table = Table(title="Score-fusion dense weight (pick on the tuning half, confirm on the test half)",
                  columns=["dense_weight", "tuning half R@5", "tuning half MRR@10", "test half R@5",
                           "test half MRR@10"])
    for weight in weights:
        settings = engine.settings.retrieval.model_copy(update={"mode": "hybrid", "fusion": "score",
                                                               "dense_weight": weight})
        retriever = Retriever(store, engine.embedder, settings)
        halves: dict[str, float] = {}
        for part, members in (("tuning half", True), ("test half", False)):
            subset = [c for c in queries if in_tuning_half(c.claim_id) == members]
            scores = ranking_scores([(rank_sentences(retriever, c), c.gold_evidence_ids) for c in subset])
            halves |= {f"{part} R@5": scores.recall_at_5, f"{part} MRR@10": scores.mrr_at_10}
        table.rows.append({"dense_weight": weight, **halves})
    return table


_NOTE = ("Every method runs through the project's ingest (one article per evidence sentence, title = its Wikipedia "
         "article) and `Retriever.search`, in this run. Baselines: BM25 and dense over the sentence text alone. "
         "Test half = claims whose claim_id hash falls outside the tuning half (nothing was tuned on them).")
