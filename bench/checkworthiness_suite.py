"""bench checkworthiness: CheckThat! 2024 English dev-test, F1 of the Yes class, beside all-Yes."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

from bench.datasets import Sentence, read_checkthat
from bench.metrics import binary_scores
from bench.report import SuiteResult, Table
from factcheck.wiring import Engine
from pipeline.types import Article, Usage


def is_checkworthy(engine: Engine, sentence: Sentence, usage: Usage) -> bool:
    """What the engine's claim extractor does with the sentence alone: any claim at or above the threshold."""
    candidates = engine.extractor.candidates(Article.from_text(sentence.text), usage)
    return any(c.checkworthiness >= engine.settings.claims.min_checkworthiness for c in candidates)


def row(name: str, gold: list[str], predicted: list[str]) -> dict:
    """Precision, recall and F1 of the Yes class."""
    scores = binary_scores(gold, predicted, "Yes")
    return {"predictor": name, "sentences": len(gold), "F1 (Yes)": scores.f1, "precision": scores.precision,
            "recall": scores.recall}


def run(engine: Engine, data: str | None, limit: int | None) -> SuiteResult:
    """The engine in use against all-Yes on dev-test (nothing here was fitted on dev-test)."""
    test = read_checkthat("dev-test", data)
    sentences = test.sentences[:limit] if limit else test.sentences
    usage = Usage()
    workers = 1 if engine.llm is None else max(1, engine.settings.run.concurrency)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        flags = list(pool.map(lambda s: is_checkworthy(engine, s, usage), sentences))
    seconds = time.perf_counter() - started
    gold = [s.label for s in sentences]
    predicted = ["Yes" if flag else "No" for flag in flags]
    table = Table(title=f"Check-worthiness on CheckThat! 2024 English dev-test ({len(gold)} sentences)",
                  columns=["predictor", "sentences", "F1 (Yes)", "precision", "recall"], baseline=["all Yes"],
                  rows=[row(engine.info.label(), gold, predicted), row("all Yes", gold, ["Yes"] * len(gold))],
                  note="A sentence counts as check-worthy when the engine's claim extractor, given the sentence "
                       f"alone, returns a claim with check-worthiness >= {engine.settings.claims.min_checkworthiness}"
                       " (claims.min_checkworthiness).")
    return SuiteResult(suite="checkworthiness", data=str(data or "CheckThat! 2024 default path"), tables=[table],
                       info={"engine": engine.info.model_dump(), "seconds": round(seconds, 1),
                             "usage": usage.model_dump(), "skipped_lines": test.skipped_lines,
                             "prompt_versions": engine.prompt_versions})
