"""A compact in-memory BM25 keyword index over stored chunks."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

import numpy as np

_TOKEN = re.compile(r"[^\W_]+(?:[.,'][^\W_]+)*")  # letters of any script, so non-English text is indexed too
STOPWORDS = frozenset([
    "a", "about", "above", "after", "again", "against", "all", "am", "an", "and", "any", "are", "as", "at",
    "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could", "did",
    "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has", "have",
    "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in", "into",
    "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not", "of", "off",
    "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own", "same", "she",
    "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then",
    "there", "these", "they", "this", "those", "through", "to", "too", "under", "until", "up", "very", "was",
    "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would",
    "you", "your", "yours", "yourself", "yourselves", "also", "said", "says", "its", "it's"
])


def stem(token: str) -> str:
    """A light suffix stripper: enough to match plurals and simple verb forms."""
    if len(token) <= 3 or token.isdigit() or not token.isascii():
        return token
    for suffix, replacement in (("ies", "y"), ("sses", "ss"), ("ing", ""), ("ed", ""), ("es", ""),
                                ("s", "")):
        if token.endswith(suffix) and len(token) - len(suffix) >= 3:
            return token[: len(token) - len(suffix)] + replacement
    return token


def tokenize(text: str) -> list[str]:
    """Lowercased, stemmed content words (numbers kept, separators removed)."""
    tokens = _TOKEN.findall(text.lower())
    return [stem(t.replace(",", "")) for t in tokens if t not in STOPWORDS]


class BM25Index:
    """Okapi BM25 (k1=1.2, b=0.75) with postings as numpy arrays for fast scoring."""

    def __init__(self, documents: list[str], k1: float = 1.2, b: float = 0.75):
        self.k1, self.b = k1, b
        self.size = len(documents)
        lengths = np.zeros(self.size, dtype=np.float32)
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for doc_index, text in enumerate(documents):
            counts = Counter(tokenize(text))
            lengths[doc_index] = sum(counts.values())
            for term, freq in counts.items():
                postings[term].append((doc_index, freq))
        avg = float(lengths.mean()) if self.size else 1.0
        self._norm = k1 * (1 - b + b * lengths / max(avg, 1e-9))
        self._postings = {t: (np.array([d for d, _ in p], dtype=np.int64),
                              np.array([f for _, f in p], dtype=np.float32)) for t, p in postings.items()}
        self._idf = {t: math.log(1 + (self.size - len(p) + 0.5) / (len(p) + 0.5))
                     for t, p in postings.items()}

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every document for the query."""
        scores = np.zeros(self.size, dtype=np.float32)
        for term in set(tokenize(query)):
            if term not in self._postings:
                continue
            docs, freqs = self._postings[term]
            scores[docs] += self._idf[term] * freqs * (self.k1 + 1) / (freqs + self._norm[docs])
        return scores

    def top(self, query: str, n: int, allowed: np.ndarray | None = None) -> list[tuple[int, float]]:
        """The n best (document index, score) pairs with a positive score."""
        scores = self.scores(query)
        if allowed is not None:
            scores = np.where(allowed, scores, 0.0)
        return self.best(scores, n)

    @staticmethod
    def best(scores: np.ndarray, n: int) -> list[tuple[int, float]]:
        """The n highest positive entries of a score array as (index, score), best first."""
        n = min(n, int(np.count_nonzero(scores > 0)))
        if n <= 0:
            return []
        best = np.argpartition(-scores, n - 1)[:n]
        best = best[np.argsort(-scores[best], kind="stable")]
        return [(int(i), float(scores[i])) for i in best]
