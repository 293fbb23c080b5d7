"""Fit the offline check-worthiness model on CheckThat! 2024 train + dev only (never dev-test)."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import date

import numpy as np

from bench.datasets import read_checkthat
from bench.fitting import LinearModel, fit_softmax
from bench.metrics import binary_scores
from pipeline.offline.checkworthiness import FEATURES, WEIGHTS_FILE, features, words

GRID = [(l2, min_count) for l2 in (3.0, 10.0, 30.0) for min_count in (20, 50)]
CLASSES = ["Yes", "No"]


def vocabulary(sentences, min_count: int) -> list[str]:
    """Words and word pairs seen in at least min_count sentences."""
    counts = Counter(w for s in sentences for w in words(s.text))
    return sorted(w for w, n in counts.items() if n >= min_count)


def design(sentences, vocab: list[str]) -> np.ndarray:
    """Cue values, then one 0/1 column per vocabulary entry."""
    index = {w: i for i, w in enumerate(vocab)}
    matrix = np.zeros((len(sentences), len(FEATURES) + len(vocab)), dtype=np.float32)
    for row, sentence in enumerate(sentences):
        cues = features(sentence.text)
        matrix[row, :len(FEATURES)] = [cues[f] for f in FEATURES]
        for w in words(sentence.text):
            if w in index:
                matrix[row, len(FEATURES) + index[w]] = 1.0
    return matrix


def fit(sentences, l2: float, min_count: int) -> tuple[LinearModel, list[str]]:
    """Balanced logistic regression (as a two-class softmax) over cues and words."""
    vocab = vocabulary(sentences, min_count)
    model = fit_softmax(design(sentences, vocab), [s.label for s in sentences], CLASSES, [*FEATURES, *vocab],
                        l2=l2, steps=800, rate=0.05)
    return model, vocab


def f1_yes(model: LinearModel, vocab: list[str], sentences) -> float:
    """F1 of the Yes class at the model's own decision boundary (probability 0.5)."""
    return binary_scores([s.label for s in sentences], model.predict(design(sentences, vocab)), "Yes").f1


def weights_document(model: LinearModel, l2: float, min_count: int, dev_f1: float, sizes: str) -> dict:
    """The weights file: logistic weights = Yes minus No, cues and words apart, with provenance."""
    yes, no = np.asarray(model.weights[0]), np.asarray(model.weights[1])
    difference = dict(zip(model.features, (yes - no).tolist()))
    cues = {"bias": round(model.bias[0] - model.bias[1], 4), **{f: round(difference[f], 4) for f in FEATURES}}
    learned = {w: round(v, 4) for w, v in difference.items() if w not in FEATURES and abs(v) >= 1e-3}
    return {"note": "Logistic check-worthiness over cues and words, fitted by "
                    "python -m bench.fit_checkworthiness; score >= 0.5 means check-worthy.",
            "fitted_on": f"CheckThat! 2024 English train + dev only ({sizes}); balanced class weights; l2={l2} and "
                         f"min_count={min_count} chosen by dev F1(Yes) {dev_f1:.3f} of a train-only fit; dev-test "
                         "never used", "date": date.today().isoformat(), "weights": cues, "words": learned}


def main(argv: list[str] | None = None) -> None:
    """Pick l2 and vocabulary size on dev (fit on train), refit on train + dev, write the weights file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data")
    args = parser.parse_args(argv)
    train, dev = read_checkthat("train", args.data).sentences, read_checkthat("dev", args.data).sentences
    results = []
    for l2, min_count in GRID:
        model, vocab = fit(train, l2, min_count)
        results.append((f1_yes(model, vocab, dev), l2, min_count))
        print(f"l2={l2} min_count={min_count}: dev F1(Yes) {results[-1][0]:.3f}", flush=True)
    dev_f1, l2, min_count = max(results)
    model, _ = fit(train + dev, l2, min_count)
    document = weights_document(model, l2, min_count, dev_f1, f"{len(train)} + {len(dev)} sentences")
    WEIGHTS_FILE.write_text(json.dumps(document, indent=0) + "\n", encoding="utf-8")
    print(f"Wrote {WEIGHTS_FILE} ({len(document['words'])} words)")


if __name__ == "__main__":
    main()
