"""Fit the instruction classifier (pipeline/offline/injection_weights.json) on bench/data/injection train_* files
and CheckThat! 2024 train sentences; choose its settings on dev_* and CheckThat! 2024 dev. Held-out files unused."""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from datetime import date
from functools import cache

import numpy as np

from bench.datasets import read_checkthat
from bench.fitting import LinearModel, fit_softmax
from bench.injection_suite import examples
from pipeline.injection import CUES, WEIGHTS_FILE, features

GRID = [(l2, min_count) for l2 in (1.0, 3.0, 10.0) for min_count in (2, 3)]
CLASSES = ["instruction", "news"]
NEWS_SAMPLE = 6000  # CheckThat! train sentences used as ordinary negatives (a fixed hash sample, to keep fitting light)
MAX_DEV_FP = 0.003  # the threshold is the lowest whose false-positive rate on CheckThat! dev stays at or below this


def sample(sentences: list[str], size: int) -> list[str]:
    """A deterministic sample: the sentences with the smallest hashes."""
    return sorted(sentences, key=lambda s: hashlib.sha256(s.encode("utf-8")).hexdigest())[:size]


@cache
def featurize(sentence: str) -> frozenset[str]:
    """The sentence's features, computed once per fitting run."""
    return frozenset(features(sentence))


def vocabulary(positives: list[str], negatives: list[str], min_count: int) -> list[str]:
    """Cues, then features seen in min_count positives or in 20 × min_count negatives."""
    pos = Counter(f for s in positives for f in featurize(s))
    neg = Counter(f for s in negatives for f in featurize(s))
    cues = [f"cue:{name}" for name in CUES]
    learned = {f for f, n in pos.items() if n >= min_count} | {f for f, n in neg.items() if n >= 20 * min_count}
    return cues + sorted(learned - set(cues))


def design(sentences: list[str], vocab: list[str]) -> np.ndarray:
    """One 0/1 column per feature."""
    index = {f: i for i, f in enumerate(vocab)}
    matrix = np.zeros((len(sentences), len(vocab)), dtype=np.float32)
    for row, sentence in enumerate(sentences):
        for f in featurize(sentence):
            if f in index:
                matrix[row, index[f]] = 1.0
    return matrix


def logistic(model: LinearModel) -> tuple[float, dict[str, float]]:
    """(bias, weights) of the equivalent logistic model: instruction minus news."""
    first, second = np.asarray(model.weights[0]), np.asarray(model.weights[1])
    return model.bias[0] - model.bias[1], dict(zip(model.features, (first - second).tolist()))


def scores(bias: float, weights: dict[str, float], sentences: list[str]) -> np.ndarray:
    """Logits of sentences."""
    return np.array([bias + sum(weights.get(f, 0.0) for f in featurize(s)) for s in sentences])


def choose_threshold(news_dev: np.ndarray) -> float:
    """The lowest probability threshold whose false-positive rate on ordinary dev news is at most MAX_DEV_FP."""
    allowed = int(MAX_DEV_FP * len(news_dev))
    logit = float(np.sort(news_dev)[::-1][allowed]) if allowed < len(news_dev) else float(news_dev.min())
    return max(0.5, 1.0 / (1.0 + np.exp(-logit)) + 1e-4)


def fit(positives: list[str], negatives: list[str], l2: float, min_count: int) -> tuple[float, dict[str, float]]:
    """Balanced logistic regression over cues, words and word pairs."""
    vocab = vocabulary(positives, negatives, min_count)
    labels = ["instruction"] * len(positives) + ["news"] * len(negatives)
    model = fit_softmax(design(positives + negatives, vocab), labels, CLASSES, vocab, l2=l2, steps=600, rate=0.05)
    return logistic(model)


def evaluate(bias: float, weights: dict[str, float], dev: dict[str, list[str]]) -> tuple[float, float, float]:
    """(dev recall, threshold, false-positive rate on the tricky dev negatives) at the chosen threshold."""
    threshold = choose_threshold(scores(bias, weights, dev["news"]))
    cut = np.log(threshold / (1 - threshold))
    recall = float((scores(bias, weights, dev["positive"]) >= cut).mean())
    tricky = float((scores(bias, weights, dev["negative"]) >= cut).mean())
    return recall, threshold, tricky


def main(argv: list[str] | None = None) -> None:
    """Grid over l2 and vocabulary size on dev (fit on train), refit on train + dev, write the weights file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", help="CheckThat! 2024 folder (default: ../shared/data/checkthat2024-en)")
    args = parser.parse_args(argv)
    news_train = sample([s.text for s in read_checkthat("train", args.data).sentences], NEWS_SAMPLE)
    news_dev = [s.text for s in read_checkthat("dev", args.data).sentences]
    positives, negatives = examples("train_positive"), examples("train_negative") + news_train
    dev = {"positive": examples("dev_positive"), "negative": examples("dev_negative"), "news": news_dev}
    results = []
    for l2, min_count in GRID:
        recall, threshold, tricky = evaluate(*fit(positives, negatives, l2, min_count), dev)
        results.append((recall - tricky, l2, min_count))
        print(f"l2={l2} min_count={min_count}: dev recall {recall:.3f}, tricky-negative FP {tricky:.3f} "
              f"at threshold {threshold:.3f}", flush=True)
    _, l2, min_count = max(results)
    bias, weights = fit(positives + dev["positive"], negatives + dev["negative"], l2, min_count)
    threshold = choose_threshold(scores(bias, weights, news_dev))
    kept = {f: round(w, 4) for f, w in sorted(weights.items()) if abs(w) >= 1e-3}
    document = {"note": "Logistic instruction classifier over cues, words and word pairs, fitted by "
                        "python -m bench.fit_injection; probability >= threshold means an instruction.",
                "fitted_on": f"bench/data/injection train_* + dev_* ({len(positives) + len(dev['positive'])} "
                             f"instructions, {len(examples('train_negative')) + len(dev['negative'])} tricky news "
                             f"sentences) and {len(news_train)} CheckThat! 2024 train sentences; l2={l2}, "
                             f"min_count={min_count} chosen on dev; threshold = lowest with <= {MAX_DEV_FP:.1%} "
                             f"flagged of {len(news_dev)} CheckThat! 2024 dev sentences; held-out files never used",
                "date": date.today().isoformat(), "bias": round(bias, 4), "threshold": round(threshold, 4),
                "weights": kept}
    WEIGHTS_FILE.write_text(json.dumps(document, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {WEIGHTS_FILE} ({len(kept)} weights, threshold {threshold:.3f})")


if __name__ == "__main__":
    main()
