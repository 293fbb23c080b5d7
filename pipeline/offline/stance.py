"""Offline stance: embedding similarity plus lexical cues (overlap, negation, numbers, names) in a softmax model."""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from pipeline.bm25 import tokenize
from pipeline.errors import CancelledError, LLMError
from pipeline.lru import CachedEmbedder
from pipeline.offline import cues
from pipeline.ports import Embedder
from pipeline.stance import ground
from pipeline.text import sentence_spans
from pipeline.types import Evidence, Passage, Stance, Usage

WEIGHTS_FILE = Path(__file__).with_name("stance_weights.json")
DATE_CONFLICT_COS = 0.6
LABELS = (Stance.SUPPORTS, Stance.CONTRADICTS, Stance.UNRELATED)


@lru_cache(maxsize=1)
def load_weights(path: Path = WEIGHTS_FILE) -> dict[str, dict[str, float]]:
    """Per-label linear weights (with "bias") over the pair features."""
    return json.loads(path.read_text(encoding="utf-8"))["weights"]


def pair_features(claim: str, sentence: str, passage: str, cos_sentence: float, cos_passage: float,
                  neg_cos: float = 0.0) -> dict[str, float]:
    """Cue values for a claim against its best-matching sentence of a passage.

    cos_passage is the claim's cosine with the mean of the passage's sentence vectors; neg_cos is how much
    closer the sentence is to the negated claim ("It is not true that ...") than to the claim itself.
    """
    claim_tokens = set(tokenize(claim))
    sentence_tokens, passage_tokens = set(tokenize(sentence)), set(tokenize(passage))
    claim_numbers, sentence_numbers = cues.numbers(claim) - _year_values(claim), cues.numbers(sentence)
    claim_years, sentence_years = cues.years(claim), cues.years(sentence)
    claim_names, sentence_names = cues.named_entities(claim), cues.named_entities(passage)
    claim_neg, sentence_neg = cues.negation_count(claim) > 0, cues.negation_count(sentence) > 0
    return {
        "cos": cos_passage,
        "cos_sentence": cos_sentence,
        "overlap": len(claim_tokens & passage_tokens) / max(len(claim_tokens), 1),
        "overlap_sentence": len(claim_tokens & sentence_tokens) / max(len(claim_tokens), 1),
        "neg_mismatch": float(claim_neg != sentence_neg),
        "claim_negated": float(claim_neg),
        "num_match": float(bool(claim_numbers & sentence_numbers)),
        "num_mismatch": float(bool(claim_numbers) and bool(sentence_numbers - _year_values(sentence))
                              and not claim_numbers & sentence_numbers),
        "year_match": float(bool(claim_years & sentence_years)),
        "year_mismatch": float(bool(claim_years) and bool(sentence_years) and not claim_years & sentence_years),
        "entity_overlap": len(claim_names & sentence_names) / max(len(claim_names), 1) if claim_names else 0.0,
        "entity_mismatch": float(bool(claim_names) and not claim_names & sentence_names),
        "antonym": float(cues.has_antonym_pair(claim, sentence)),
        "neg_cos": neg_cos,
        "unit_mismatch": float(cues.unit_mismatch(claim, sentence)),
    }


def _year_values(text: str) -> set[float]:
    """Years as numbers, so they are not counted twice as plain numbers."""
    return {float(y) for y in cues.years(text)}


def classify(values: dict[str, float], weights: dict[str, dict[str, float]] | None = None) -> dict[Stance, float]:
    """Softmax probability of each stance."""
    weights = weights or load_weights()
    logits = {label: weights[label.value].get("bias", 0.0)
              + sum(weights[label.value].get(n, 0.0) * v for n, v in values.items()) for label in LABELS}
    top = max(logits.values())
    exp = {label: math.exp(z - top) for label, z in logits.items()}
    total = sum(exp.values())
    return {label: value / total for label, value in exp.items()}


def negated(claim: str) -> str:
    """The claim wrapped in a denial, embedded once per claim for the neg_cos cue."""
    return f"It is not true that {claim[:1].lower()}{claim[1:]}"


class OfflineStanceJudge:
    """Judges each passage with the cue model; the quote is the passage's best-matching sentence."""

    def __init__(self, embedder: Embedder):
        # Passage sentences recur across claims: each is embedded once per process.
        self.cache = CachedEmbedder(embedder, size=20000)
        self.prompt_versions = {"offline_stance": hashlib.sha256(WEIGHTS_FILE.read_bytes()).hexdigest()[:12]}

    def judge_many(self, items: Sequence[tuple[str, list[Passage]]], usage: Usage,
                   on_judged: Callable[[int, list[Evidence] | LLMError], None] | None = None,
                   stop: threading.Event | None = None) -> list[list[Evidence] | LLMError]:
        """Judge each claim's passages in turn (no model calls)."""
        results: list[list[Evidence] | LLMError] = []
        for index, (claim, passages) in enumerate(items):
            cancelled = stop is not None and stop.is_set()
            results.append(CancelledError() if cancelled else self.judge(claim, passages))
            if on_judged:
                on_judged(index, results[-1])
        return results

    def judge(self, claim: str, passages: list[Passage]) -> list[Evidence]:
        """One Evidence per passage, in order."""
        return [self._decide(passage, values, best)
                for passage, (values, best) in zip(passages, self.features(claim, [p.text for p in passages]))]

    def _decide(self, passage: Passage, values: dict[str, float], best: str) -> Evidence:
        """The most probable stance, quoting the best-matching sentence unless unrelated."""
        probabilities = classify(values)
        stance = max(probabilities, key=lambda label: probabilities[label])
        quote = best if stance != Stance.UNRELATED else ""
        return ground(passage, stance, quote, _explain(stance, values), round(probabilities[stance], 3))

    def features(self, claim: str, passage_texts: list[str]) -> list[tuple[dict[str, float], str]]:
        """Pair features and best-matching sentence per passage; all texts embedded in one call."""
        split = [[t[s:e] for s, e in sentence_spans(t)] or [t] for t in passage_texts]
        vectors = self.cache.embed([claim, negated(claim), *(s for sentences in split for s in sentences)])
        claim_vector, negated_vector, offset = vectors[0], vectors[1], 2
        claim_tokens = set(tokenize(claim))
        found = []
        for text, sentences in zip(passage_texts, split):
            rows = vectors[offset:offset + len(sentences)]
            offset += len(sentences)
            found.append(_best_sentence(claim, claim_tokens, claim_vector, negated_vector, text, sentences, rows))
        return found


def _best_sentence(claim: str, claim_tokens: set[str], claim_vector: np.ndarray, negated_vector: np.ndarray,
                   text: str, sentences: list[str], rows: np.ndarray) -> tuple[dict[str, float], str]:
    """Features of the passage sentence that best matches the claim (cosine plus word overlap)."""
    sentence_cos = rows @ claim_vector
    lexical = [len(claim_tokens & set(tokenize(s))) / max(len(claim_tokens), 1) for s in sentences]
    best = int(np.argmax(sentence_cos + 0.5 * np.asarray(lexical)))
    conflict = _dated_conflict(claim, sentences, sentence_cos)
    if conflict is not None:
        best = conflict  # quote the sentence whose date disagrees, so the reviewer sees why
    mean = rows.mean(axis=0)
    cos_passage = float(mean @ claim_vector / max(float(np.linalg.norm(mean)), 1e-9))
    neg_cos = float(rows[best] @ negated_vector - sentence_cos[best])
    values = pair_features(claim, sentences[best], text, float(sentence_cos[best]), cos_passage, neg_cos)
    values["date_conflict"] = float(conflict is not None)
    return values, sentences[best]


def _dated_conflict(claim: str, sentences: list[str], sentence_cos: np.ndarray) -> int | None:
    """The closest sentence on the same event that dates it to other years, when no close sentence agrees.

    A claim's year is its most checkable detail; a passage that describes the same event (cosine at least
    DATE_CONFLICT_COS) with a different year, and never with the claimed one, contradicts it.
    """
    claim_years = cues.years(claim)
    if not claim_years:
        return None
    close = [i for i in np.argsort(-sentence_cos) if sentence_cos[i] >= DATE_CONFLICT_COS]
    dated = [i for i in close if cues.years(sentences[i])]
    if not dated or any(claim_years & cues.years(sentences[i]) for i in close):
        return None
    return int(dated[0])


_CONTRADICTION_CUES = {"date_conflict": "the event is dated to another year", "year_mismatch": "a different year",
                       "num_mismatch": "different numbers",
                       "neg_mismatch": "a negation on one side only", "antonym": "opposite wording",
                       "entity_mismatch": "different names"}


def _explain(stance: Stance, values: dict[str, float]) -> str:
    """A one-sentence rationale naming the cues that drove the offline judgment."""
    similarity = f"similarity {values['cos_sentence']:.2f}, word overlap {values['overlap_sentence']:.0%}"
    if stance == Stance.UNRELATED:
        return f"Offline heuristic: the passage does not match the claim closely enough ({similarity})."
    if stance == Stance.CONTRADICTS:
        reasons = [text for name, text in _CONTRADICTION_CUES.items() if values.get(name)]
        detail = f" but {', '.join(reasons)}" if reasons else ""
        return f"Offline heuristic: close match ({similarity}){detail}."
    return f"Offline heuristic: the passage closely matches the claim ({similarity})."
