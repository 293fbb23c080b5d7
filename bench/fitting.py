"""Weighted, L2-regularised softmax regression in numpy (fit time only), folded back to raw-feature weights."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel


class LinearModel(BaseModel):
    """Per-class weights over named features plus a bias, on raw (unstandardised) feature values."""

    classes: list[str]
    features: list[str]
    weights: list[list[float]]  # one row per class
    bias: list[float]

    def scores(self, matrix: np.ndarray) -> np.ndarray:
        """Logits, one row per item and one column per class."""
        return matrix @ np.asarray(self.weights).T + np.asarray(self.bias)

    def predict(self, matrix: np.ndarray) -> list[str]:
        """The highest-scoring class per row."""
        return [self.classes[i] for i in self.scores(matrix).argmax(axis=1)]

    def as_json_weights(self, digits: int = 4) -> dict[str, dict[str, float]]:
        """{class: {"bias": b, feature: w, ...}}, zero weights left out."""
        return {label: {"bias": round(float(b), digits),
                        **{f: round(float(w), digits) for f, w in zip(self.features, row) if round(w, digits)}}
                for label, row, b in zip(self.classes, self.weights, self.bias)}


def balanced_weights(labels: list[str], classes: list[str]) -> np.ndarray:
    """Per-item weights n / (k × n_class), so every class counts the same."""
    counts = {c: labels.count(c) for c in classes}
    return np.array([len(labels) / (len(classes) * counts[y]) for y in labels])


def fit_softmax(matrix: np.ndarray, labels: list[str], classes: list[str], features: list[str],
                l2: float = 1.0, steps: int = 1500, rate: float = 0.05, balanced: bool = True,
                offsets: np.ndarray | None = None) -> LinearModel:
    """Minimise weighted cross-entropy + l2/2·|W|² (on standardised features) with full-batch Adam.

    `offsets` (items × classes) are fixed logits added to the model's, e.g. from hand-set weights of other cues.
    """
    mean, scale = matrix.mean(axis=0), matrix.std(axis=0) + 1e-9
    x = (matrix - mean) / scale
    targets = np.eye(len(classes))[[classes.index(y) for y in labels]]
    item = balanced_weights(labels, classes) if balanced else np.ones(len(labels))
    item = item / item.sum()
    params = np.zeros((x.shape[1] + 1, len(classes)))
    moment, velocity = np.zeros_like(params), np.zeros_like(params)
    xb = np.hstack([x, np.ones((len(x), 1))])
    fixed = np.zeros((len(x), len(classes))) if offsets is None else offsets
    for step in range(1, steps + 1):
        logits = xb @ params + fixed
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        grad = xb.T @ ((probs - targets) * item[:, None])
        grad[:-1] += l2 * params[:-1] / len(labels)
        moment = 0.9 * moment + 0.1 * grad
        velocity = 0.999 * velocity + 0.001 * grad ** 2
        params -= rate * (moment / (1 - 0.9 ** step)) / (np.sqrt(velocity / (1 - 0.999 ** step)) + 1e-8)
    weights = (params[:-1] / scale[:, None]).T
    bias = params[-1] - (params[:-1] * (mean / scale)[:, None]).sum(axis=0)
    return LinearModel(classes=classes, features=features, weights=weights.tolist(), bias=bias.tolist())
