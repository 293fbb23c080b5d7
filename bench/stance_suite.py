"""bench stance: Climate-FEVER claim–sentence pairs judged by the engine in use, and the claim verdicts."""

from __future__ import annotations

import time
from collections import Counter

from bench.datasets import CFClaim, read_climate_fever, split_claims
from bench.metrics import accuracy, confusion_matrix, macro_f1, per_label_scores
from bench.report import SuiteResult, Table, run_info
from factcheck.wiring import Engine
from pipeline.types import ArticleRef, Chunk, Evidence, Passage, Stance, Usage
from pipeline.verdict import decide

STANCES = ["supports", "contradicts", "unrelated"]
GOLD_STANCE = {"SUPPORTS": "supports", "REFUTES": "contradicts", "NOT_ENOUGH_INFO": "unrelated"}
VERDICTS = ["supported", "refuted", "conflicting", "not_enough_evidence"]
GOLD_VERDICT = {"SUPPORTS": "supported", "REFUTES": "refuted", "DISPUTED": "conflicting",
                "NOT_ENOUGH_INFO": "not_enough_evidence"}


def passages_of(claim: CFClaim) -> list[Passage]:
    """The claim's five evidence sentences as passages (title = Wikipedia article, score 1)."""
    return [Passage(chunk=Chunk(id=e.evidence_id, article=ArticleRef(id=e.article, title=e.article,
                                                                     source=e.evidence_id), text=e.text), score=1.0)
            for e in claim.evidences]


def counted_stance(evidence: Evidence) -> str:
    """The stance as the verdict counts it: an ungrounded judgment counts as unrelated."""
    return evidence.stance.value if evidence.grounded else Stance.UNRELATED.value


def classification_rows(name: str, gold: list[str], predicted: list[str], labels: list[str]) -> dict:
    """Accuracy, macro-F1, per-label F1 and the confusion matrix of one predictor."""
    matrix = confusion_matrix(gold, predicted, labels)
    per_label = per_label_scores(matrix, labels)
    return {"predictor": name, "items": len(gold), "accuracy": accuracy(matrix), "macro-F1": macro_f1(matrix, labels),
            **{f"F1 {label}": per_label[label].f1 for label in labels}, "confusion (rows gold)": matrix}


def judge_all(engine: Engine, claims: list[CFClaim], usage: Usage) -> tuple[list[list[Evidence]], list[str]]:
    """Judge every claim's passages in one batch (up to run.concurrency model calls at a time).

    A claim whose judging failed counts as five unrelated judgments, as the verdict would treat it; the second
    list holds, per claim, why its judging failed ("" when it did not).
    """
    results = engine.judge.judge_many([(c.claim, passages_of(c)) for c in claims], usage)
    judged = [r if isinstance(r, list) else [Evidence(passage=p, stance=Stance.UNRELATED) for p in passages_of(c)]
              for c, r in zip(claims, results)]
    return judged, ["" if isinstance(r, list) else r.user_message() for r in results]


def run(engine: Engine, data: str | None, limit: int | None, part: str) -> SuiteResult:
    """Pair stance and claim verdicts on one part of the hash split, beside the majority class."""
    claims = split_claims(read_climate_fever(data), part)
    claims = claims[:limit] if limit else claims
    usage = Usage()
    started = time.perf_counter()
    judged, failures = judge_all(engine, claims, usage)
    seconds = time.perf_counter() - started
    gold = [GOLD_STANCE[e.label] for c in claims for e in c.evidences]
    predicted = [counted_stance(e) for evidence in judged for e in evidence]
    majority = max(STANCES, key=gold.count)
    info = run_info(engine, usage, seconds)
    engine_name = info["engine"]
    pairs = Table(title=f"Passage stance ({part} part, {len(gold)} pairs)", baseline=[f"majority ({majority})"],
                  columns=["predictor", "items", "accuracy", "macro-F1", *(f"F1 {s}" for s in STANCES),
                           "confusion (rows gold)"],
                  rows=[classification_rows(engine_name, gold, predicted, STANCES),
                        classification_rows(f"majority ({majority})", gold, [majority] * len(gold), STANCES)],
                  note="Labels: SUPPORTS → supports, REFUTES → contradicts, NOT_ENOUGH_INFO → unrelated; confusion "
                       "rows/columns in the order supports, contradicts, unrelated. Ungrounded judgments count as "
                       "unrelated, as in the verdict.")
    gold_v = [GOLD_VERDICT[c.label] for c in claims]
    predicted_v = [decide(evidence).label.value for evidence in judged]
    majority_v = max(VERDICTS, key=gold_v.count)
    verdicts = Table(title=f"Claim verdicts ({len(claims)} claims, their five sentences as the evidence)",
                     baseline=[f"majority ({majority_v})"],
                     columns=["predictor", "items", "accuracy", "macro-F1", *(f"F1 {v}" for v in VERDICTS),
                              "confusion (rows gold)"],
                     rows=[classification_rows(engine_name, gold_v, predicted_v, VERDICTS),
                           classification_rows(f"majority ({majority_v})", gold_v, [majority_v] * len(gold_v),
                                               VERDICTS)],
                     note="DISPUTED counts as conflicting. Rows/columns in the order supported, refuted, "
                          "conflicting, not_enough_evidence.")
    return SuiteResult(suite="stance", data=str(data or "Climate-FEVER default path"), tables=[pairs, verdicts],
                       info={**info, "part": part, "failed_claims": sum(map(bool, failures)),
                             "failure_reasons": dict(Counter(f for f in failures if f)),
                             "ungrounded_judgments": sum(not e.grounded for ev, failure in zip(judged, failures)
                                                         if not failure for e in ev)})
