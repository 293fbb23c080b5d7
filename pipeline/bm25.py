"""The keyword tokenizer shared by the BM25 index, claim de-duplication and the offline stance cues."""

from __future__ import annotations

import re
from functools import lru_cache

# Stored with the persistent keyword index: change it whenever tokenize() or stem() changes what they return,
# so an index built by the old tokenizer is refused until `python -m pipeline reindex` rebuilds it.
TOKENIZER_VERSION = "1"
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


@lru_cache(maxsize=1 << 17)
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
