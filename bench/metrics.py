"""Metric functions of the benchmarks: ranking (recall@k, MRR), classification (F1, confusion), latency."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence

from pydantic import BaseModel


def recall_at_k(ranked: Sequence[Hashable], gold: set, k: int) -> float:
    """Share of the gold items that appear in the first k ranked items."""
    if not gold:
        raise ValueError("recall is undefined without gold items")
    return len(gold & set(ranked[:k])) / len(gold)


def reciprocal_rank(ranked: Sequence[Hashable], gold: set, k: int) -> float:
    """1 / rank of the first gold item within the first k, else 0."""
    for rank, item in enumerate(ranked[:k], start=1):
        if item in gold:
            return 1.0 / rank
    return 0.0


def mean(values: Sequence[float]) -> float:
    """Arithmetic mean (0.0 for no values)."""
    return sum(values) / len(values) if values else 0.0


class RankingScores(BaseModel):
    """Mean ranking metrics over a set of queries."""

    queries: int
    recall_at_5: float
    recall_at_10: float
    mrr_at_10: float


def ranking_scores(runs: Sequence[tuple[Sequence[Hashable], set]]) -> RankingScores:
    """recall@5, recall@10 and MRR@10 averaged over (ranked, gold) pairs."""
    return RankingScores(
        queries=len(runs),
        recall_at_5=round(mean([recall_at_k(r, g, 5) for r, g in runs]), 4),
        recall_at_10=round(mean([recall_at_k(r, g, 10) for r, g in runs]), 4),
        mrr_at_10=round(mean([reciprocal_rank(r, g, 10) for r, g in runs]), 4))


def confusion_matrix(gold: Sequence[str], predicted: Sequence[str], labels: Sequence[str]) -> list[list[int]]:
    """Counts with rows = gold label, columns = predicted label, both in the order of `labels`."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    index = {label: i for i, label in enumerate(labels)}
    matrix = [[0] * len(labels) for _ in labels]
    for g, p in zip(gold, predicted):
        matrix[index[g]][index[p]] += 1
    return matrix


class LabelScores(BaseModel):
    """Precision, recall, F1 and support of one label."""

    precision: float
    recall: float
    f1: float
    support: int


def _f1(precision: float, recall: float) -> float:
    """Harmonic mean of precision and recall (0 when both are 0)."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def per_label_scores(matrix: list[list[int]], labels: Sequence[str]) -> dict[str, LabelScores]:
    """Per-label precision/recall/F1 from a confusion matrix (a label never predicted has precision 0)."""
    scores = {}
    for i, label in enumerate(labels):
        true_pos = matrix[i][i]
        predicted = sum(row[i] for row in matrix)
        support = sum(matrix[i])
        precision = true_pos / predicted if predicted else 0.0
        recall = true_pos / support if support else 0.0
        scores[label] = LabelScores(precision=round(precision, 4), recall=round(recall, 4),
                                    f1=round(_f1(precision, recall), 4), support=support)
    return scores


def macro_f1(matrix: list[list[int]], labels: Sequence[str]) -> float:
    """Unweighted mean of the per-label F1 scores."""
    scores = per_label_scores(matrix, labels)
    return round(mean([s.f1 for s in scores.values()]), 4)


def accuracy(matrix: list[list[int]]) -> float:
    """Share of items on the diagonal."""
    total = sum(sum(row) for row in matrix)
    return round(sum(matrix[i][i] for i in range(len(matrix))) / total, 4) if total else 0.0


def binary_scores(gold: Sequence[str], predicted: Sequence[str], positive: str) -> LabelScores:
    """Precision, recall and F1 of the positive class."""
    labels = [positive, f"not-{positive}"]
    relabel = [[positive if x == positive else labels[1] for x in seq] for seq in (gold, predicted)]
    return per_label_scores(confusion_matrix(relabel[0], relabel[1], labels), labels)[positive]


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) with linear interpolation between order statistics."""
    if not values:
        raise ValueError("percentile of no values")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)
