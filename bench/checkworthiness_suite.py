"""bench checkworthiness: CheckThat! 2024 English dev-test, F1 of the Yes class, beside all-Yes."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

from bench.datasets import Sentence, read_checkthat
from bench.metrics import binary_scores
from bench.report import SuiteResult, Table, run_info
from factcheck.wiring import Engine
from pipeline.errors import LLMError
from pipeline.offline.checkworthiness import OfflineClaimExtractor
from pipeline.types import Article, ClaimOrigin, Usage

# How the engine decided a sentence: by itself, by the offline extractor standing in for a failed model reply,
# or not at all (the model call failed outright; counted as No).
Decider = Literal["engine", "fallback", "failed"]


def is_checkworthy(engine: Engine, sentence: Sentence, usage: Usage) -> tuple[bool, Decider, str]:
    """What the engine's claim extractor does with the sentence alone: any claim at or above the threshold."""
    try:
        candidates = engine.extractor.candidates(Article.from_text(sentence.text), usage)
    except LLMError as exc:
        return False, "failed", exc.user_message()
    decider: Decider = "fallback" if any(c.origin == ClaimOrigin.FALLBACK for c in candidates) else "engine"
    return any(c.checkworthiness >= engine.settings.claims.min_checkworthiness for c in candidates), decider, ""
def row(name: str, gold: list[str], predicted: list[str]) -> dict:
    """Precision, recall and F1 of the Yes class."""
    scores = binary_scores(gold, predicted, "Yes")
    return {"predictor": name, "sentences": len(gold), "F1 (Yes)": scores.f1, "precision": scores.precision,
            "recall": scores.recall}


def offline_flags(sentences: list[Sentence], threshold: float) -> list[bool]:
    """The offline extractor's decision on each sentence (the floor a model's answers are compared with)."""
    offline = OfflineClaimExtractor()
    return [any(c.checkworthiness >= threshold for c in offline.candidates(Article.from_text(s.text), Usage()))
            for s in sentences]


def model_rows(name: str, sentences: list[Sentence], flags: list[bool], deciders: list[Decider],
               threshold: float) -> list[dict]:
    """The model on the sentences it decided itself, beside the offline extractor on those same sentences."""
    own = [i for i, d in enumerate(deciders) if d == "engine"]
    gold = [sentences[i].label for i in own]
    offline = offline_flags([sentences[i] for i in own], threshold)
    return [row(f"{name}, sentences it decided itself", gold, ["Yes" if flags[i] else "No" for i in own]),
            row("offline heuristic on those sentences", gold, ["Yes" if flag else "No" for flag in offline])]


def run(engine: Engine, data: str | None, limit: int | None) -> SuiteResult:
    """The engine in use against all-Yes on dev-test (nothing here was fitted on dev-test)."""
    test = read_checkthat("dev-test", data)
    sentences = test.sentences[:limit] if limit else test.sentences
    usage = Usage()
    workers = 1 if engine.llm is None else max(1, engine.settings.run.concurrency)
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        decided = list(pool.map(lambda s: is_checkworthy(engine, s, usage), sentences))
    info = run_info(engine, usage, time.perf_counter() - started)
    flags, deciders = [d[0] for d in decided], [d[1] for d in decided]
    threshold = engine.settings.claims.min_checkworthiness
    gold = [s.label for s in sentences]
    predicted = ["Yes" if flag else "No" for flag in flags]
    rows = [row(info["engine"], gold, predicted), row("all Yes", gold, ["Yes"] * len(gold))]
    baselines = ["all Yes"]
    if engine.llm is not None:
        rows += model_rows(info["engine"], sentences, flags, deciders, threshold)
        baselines.append(rows[-1]["predictor"])
    table = Table(title=f"Check-worthiness on CheckThat! 2024 English dev-test ({len(gold)} sentences)",
                  columns=["predictor", "sentences", "F1 (Yes)", "precision", "recall"], baseline=baselines, rows=rows,
                  note="A sentence counts as check-worthy when the engine's claim extractor, given the sentence "
                       f"alone, returns a claim with check-worthiness >= {threshold} (claims.min_checkworthiness). "
                       "With a model, a sentence whose reply failed is decided by the offline extractor standing in "
                       "(as in a check), or counted as No when the call failed outright; the last two rows compare "
                       "the model and the offline extractor on the sentences the model decided itself.")
    counts = Counter(deciders)
    return SuiteResult(suite="checkworthiness", data=str(data or "CheckThat! 2024 default path"), tables=[table],
                       info={**info, "decided_by_engine": counts["engine"], "decided_by_fallback": counts["fallback"],
                             "failed": counts["failed"], "skipped_lines": test.skipped_lines,
                             "failure_reasons": dict(Counter(d[2] for d in decided if d[2]))})
