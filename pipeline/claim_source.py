"""Does a claim come from the sentence it quotes? Catches a model that pairs a claim with the wrong sentence."""

from __future__ import annotations

from pipeline.bm25 import tokenize
from pipeline.text import sentence_spans

# A decontextualised claim adds names and dates from other sentences ("He said…" → "Mayor Smith said…"), so the
# quoted sentence only loses when it holds under a quarter of the claim's words and another sentence holds at least
# half of them and twice its share.
_LACKS = 0.25
_CLEARLY_HOLDS = 0.5
_TIMES_BETTER = 2.0
_MIN_WORDS = 3  # too few content words to tell sentences apart


def word_share(words: set[str], sentence: str) -> float:
    """The fraction of a claim's distinct content words that occur in the sentence."""
    return len(words & set(tokenize(sentence))) / len(words) if words else 0.0


def better_source(claim_text: str, text: str, span: tuple[int, int]) -> tuple[int, int] | None:
    """Another sentence of text that clearly holds more of the claim's words than the quoted span, if any."""
    words = set(tokenize(claim_text))  # once, not once per sentence of the article
    if len(words) < _MIN_WORDS:
        return None
    own = word_share(words, text[span[0]:span[1]])
    if own >= _LACKS:
        return None
    scored = [(word_share(words, text[start:end]), (start, end)) for start, end in sentence_spans(text)
              if end <= span[0] or start >= span[1]]
    share, best = max(scored, default=(0.0, None))
    if best is None or share < _CLEARLY_HOLDS or share < _TIMES_BETTER * own:
        return None
    return best
