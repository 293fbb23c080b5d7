"""A full check of the seed article with a fake LLM that sleeps per call: calls, tokens, parallel efficiency."""

from __future__ import annotations

import math
import time
from pathlib import Path

from bench.datasets import SEED_ARTICLE, require
from bench.fake_llm import respond
from bench.report import Table
from factcheck.wiring import Engine
from pipeline.types import RunResult

PROVIDER = "bench-fake"
COLUMNS = ["run", "claims", "LLM calls", "cached calls", "calls/claim", "input tokens/claim",
           "output tokens/claim", "wall s", "ideal s", "efficiency", "bound"]


def _engine(base: Engine, data_dir: Path, provider: str, stream: bool = True, cache: bool = True) -> Engine:
    """An engine on its own data dir with the given LLM provider, sharing the loaded embedder."""
    settings = base.settings.model_copy(update={
        "data_dir": data_dir,
        "llm": base.settings.llm.model_copy(update={"provider": provider, "base_url": "", "model": "fake",
                                                    "stream": stream}),
        "run": base.settings.run.model_copy(update={"cache": cache})})
    return Engine(settings, overrides={"embedder": base.embedder})


def _row(name: str, result: RunResult, wall: float, latency: float, concurrency: int) -> dict:
    """One table row; ideal = (calls / concurrency) × latency, efficiency = ideal / wall."""
    claims = max(len(result.claims), 1)
    usage = result.usage
    ideal = usage.llm_calls / concurrency * latency
    waves = math.ceil(max(usage.llm_calls - len(result.claims), 0) / concurrency) + math.ceil(
        len(result.claims) / concurrency)
    return {"run": name, "claims": len(result.claims), "LLM calls": usage.llm_calls,
            "cached calls": usage.cached_calls, "calls/claim": round(usage.llm_calls / claims, 2),
            "input tokens/claim": round(usage.input_tokens / claims), "output tokens/claim":
            round(usage.output_tokens / claims), "wall s": round(wall, 2), "ideal s": round(ideal, 2),
            "efficiency": round(ideal / wall, 2) if usage.llm_calls else "",
            "bound": round(ideal / (waves * latency), 2) if usage.llm_calls else ""}


def _timed_check(engine: Engine, article) -> tuple[RunResult, float]:
    """Run one check (not saved) and time it."""
    from pipeline.run import check_article

    started = time.perf_counter()
    result = check_article(article, engine, save=False)
    return result, time.perf_counter() - started


def measure_checks(base: Engine, data_dir: Path, latency: float) -> list[Table]:
    """Ingest the demo corpus, then check the seed article: fake LLM, identical re-run, offline engine."""
    from factcheck.wiring import CHAT_MODELS
    from llm.fake import ResponderChatModel
    from pipeline.demo import DEMO_CORPUS
    from pipeline.ingest import ingest_paths
    from pipeline.loaders import load_file

    article = load_file(require(SEED_ARTICLE, "seed article"))
    CHAT_MODELS.register(PROVIDER, lambda settings: ResponderChatModel(respond=respond, latency=latency))
    try:
        engine = _engine(base, data_dir, PROVIDER)
        started = time.perf_counter()
        ingest_paths([DEMO_CORPUS], engine.store, engine.embedder, engine.settings.ingest,
                     engine.settings.retrieval.contextual_header)
        ingest_seconds = time.perf_counter() - started
        concurrency = engine.settings.run.concurrency
        rows = [_row("fake LLM, no streaming (llm.stream=false)",
                     *_timed_check(_engine(base, data_dir, PROVIDER, stream=False, cache=False), article),
                     latency, concurrency),
                _row("fake LLM, first run (streaming)", *_timed_check(engine, article), latency, concurrency),
                _row("identical re-run (cache)", *_timed_check(_engine(base, data_dir, PROVIDER), article),
                     latency, concurrency),
                _row("offline engine (no LLM)", *_timed_check(_engine(base, data_dir, "offline"), article),
                     latency, concurrency)]
    finally:
        CHAT_MODELS.unregister(PROVIDER)
    return [Table(title=f"Check of the seed article against the demo corpus (fake LLM sleeping {latency:g} s per "
                        f"call, concurrency {concurrency})", columns=COLUMNS, rows=rows,
                  note=f"Demo corpus ingest (11 files, embedding included): {ingest_seconds:.2f} s. "
                       "ideal = (LLM calls / concurrency) × latency; efficiency = ideal / wall; bound = the best "
                       "efficiency a schedule can reach when stance calls start only once extraction has returned: "
                       "ideal / ((⌈extraction calls / concurrency⌉ + ⌈claims / concurrency⌉) × latency). "
                       "Streaming the extraction reply lets stance calls start on the first claims, so it can "
                       "beat that bound.")]
