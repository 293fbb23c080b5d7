"""Offline claim extraction: sentence segmentation plus check-worthiness cues in a logistic model."""

from __future__ import annotations

import json
import math
import re
import threading
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from pipeline.offline import cues
from pipeline.ports import OnCandidates
from pipeline.text import sentence_spans
from pipeline.types import Article, ClaimCandidate, ClaimOrigin, Usage

MIN_WORDS = 3  # shorter sentences are fragments ("Thank you."); "Vaccines cause autism." is a claim
WEIGHTS_FILE = Path(__file__).with_name("checkworthiness_weights.json")
FEATURES = ("number", "year", "percent", "money", "month", "entities", "attribution", "comparison",
            "factual_verb", "opinion", "prediction", "person", "question", "short", "long", "quoted",
            "negation")


def features(sentence: str) -> dict[str, float]:
    """Cue values for one sentence (counts are capped so one cue cannot dominate)."""
    words = sentence.split()
    stripped = sentence.strip()
    return {
        "number": min(cues.count("number", sentence), 3) / 3,
        "year": float(bool(cues.years(sentence))),
        "percent": float(cues.count("percent", sentence) > 0),
        "money": float(cues.count("money", sentence) > 0),
        "month": float(cues.count("month", sentence) > 0),
        "entities": min(len(cues.named_entities(sentence)), 4) / 4,
        "attribution": float(cues.count("attribution", sentence) > 0),
        "comparison": min(cues.count("comparison", sentence), 2) / 2,
        "factual_verb": min(cues.count("factual_verb", sentence), 2) / 2,
        "opinion": min(cues.count("opinion", sentence), 2) / 2,
        "prediction": min(cues.count("prediction", sentence), 2) / 2,
        "person": min(cues.count("person", sentence), 3) / 3,
        "question": float(stripped.endswith("?")),
        "short": float(len(words) < 7),
        "long": float(len(words) > 45),
        "quoted": float(stripped[:1] in "\"“‘'"),
        "negation": float(cues.count("negation", sentence) > 0),
    }


_WORD = re.compile(r"[a-z]+|\d+")
# A short standalone assertion ("Vaccines cause autism.") is the typical flagged claim, but the debate sentences
# the model was fitted on rarely look like that, so its weight is set by hand (a logit offset), chosen on
# CheckThat! dev and half of bench/data/short_claims.jsonl; see BENCHMARKS.md, "Claims handed in".
STANDALONE_WEIGHT = 1.5
_VAGUE_START = re.compile(r"^\W*(it|it's|its|that|that's|this|these|those|there|there's|here|he|she|they|he's|she's|"
                          r"they're|what|so|and|but|well|now|yes|no|oh|okay|because|if|when|all|everybody|everyone|"
                          r"nobody|somebody|someone)\b", re.I)
_PRONOUN = re.compile(r"\b(he|she|they|it|him|her|them|his|its|their|he's|she's|they're|it's)\b", re.I)
_HEDGE = re.compile(r"\b(maybe|perhaps|certainly|probably|possibly|quite|next|at issue)\b", re.I)
_PREDICATE = re.compile(r"\b(causes?|caused|cures?|cured|prevents?|prevented|spreads?|kills?|killed|contains?|"
                        r"reduces?|reduced|lowers?|lowered|raises?|increases?|increased|improves?|makes?|made|"
                        r"produces?|produced|admitted|wants?|is|are|was|were|has|have|had|gaining|losing|lost|"
                        r"gained|use|uses|used)\b", re.I)


def standalone_assertion(sentence: str) -> bool:
    """A short declarative about a named subject: no opinion, prediction, hedge, pronoun, question or exclamation."""
    stripped = sentence.strip()
    if not 3 <= len(stripped.split()) <= 12 or stripped.endswith(("?", "!")):
        return False
    if any(cues.count(cue, sentence) for cue in ("opinion", "prediction", "person")):
        return False
    if _VAGUE_START.match(stripped) or _PRONOUN.search(sentence) or _HEDGE.search(sentence):
        return False
    return bool(_PREDICATE.search(sentence))


def words(sentence: str) -> set[str]:
    """Lowercased words and adjacent word pairs ("a_b"), every digit run written as "#"."""
    tokens = ["#" if t.isdigit() else t for t in _WORD.findall(sentence.lower())]
    return set(tokens) | {f"{a}_{b}" for a, b in pairwise(tokens)}


@lru_cache(maxsize=1)
def load_weights(path: Path = WEIGHTS_FILE) -> dict[str, float]:
    """The logistic weights (including "bias") for the cues."""
    return json.loads(path.read_text(encoding="utf-8"))["weights"]


@lru_cache(maxsize=1)
def load_word_weights(path: Path = WEIGHTS_FILE) -> dict[str, float]:
    """Weights of the words and word pairs the model learned (empty for a cue-only model)."""
    return json.loads(path.read_text(encoding="utf-8")).get("words", {})


def score(sentence: str, weights: dict[str, float] | None = None, word_weights: dict[str, float] | None = None,
          standalone_weight: float = STANDALONE_WEIGHT) -> float:
    """Probability-like check-worthiness in [0, 1]: logistic over the cues and the learned words."""
    weights = weights or load_weights()
    word_weights = load_word_weights() if word_weights is None else word_weights
    values = features(sentence)
    z = weights.get("bias", 0.0) + sum(weights.get(name, 0.0) * value for name, value in values.items())
    z += sum(word_weights.get(w, 0.0) for w in words(sentence))
    z += standalone_weight if standalone_assertion(sentence) else 0.0
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


class OfflineClaimExtractor:
    """Every sentence is a candidate; its check-worthiness comes from the cue model."""

    def __init__(self) -> None:
        self.prompt_versions = {"offline_checkworthiness": weights_version()}

    def candidates(self, article: Article, usage: Usage, stop: threading.Event | None = None,
                   on_candidates: OnCandidates | None = None) -> list[ClaimCandidate]:
        """Score each sentence; questions and fragments never become claims."""
        found = []
        for start, end in sentence_spans(article.text):
            sentence = article.text[start:end]
            if len(sentence.split()) < MIN_WORDS or sentence.rstrip().endswith("?"):
                continue
            found.append(ClaimCandidate(text=sentence, source_quote=sentence, origin=ClaimOrigin.OFFLINE,
                                        checkworthiness=round(score(sentence), 3)))
        return found


def weights_version() -> str:
    """Version of the cue model = hash of its weights file."""
    import hashlib

    return hashlib.sha256(WEIGHTS_FILE.read_bytes() + f"standalone={STANDALONE_WEIGHT}".encode()).hexdigest()[:12]
