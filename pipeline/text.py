"""Text utilities: sentence spans, whitespace/quote normalisation, and locating quotes verbatim."""

from __future__ import annotations

import re

_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "st", "sr", "jr", "gen", "gov", "sen", "rep", "lt", "col",
    "capt", "sgt", "maj", "adm", "rev", "hon", "pres", "vs", "etc", "no", "nos", "fig", "inc",
    "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
    "nov", "dec", "mt", "ft", "approx", "est", "dept", "univ", "e.g", "i.e", "u.s", "u.k", "u.n",
    "a.m", "p.m", "d.c", "op", "al",
}
# A sentence ends at . ! ? (plus closing quotes/brackets) followed by space and a plausible start.
_BOUNDARY = re.compile(r"([.!?…]+[\"'”’)\]]*)(\s+)(?=[\"'“‘(\[]?[A-Z0-9])")
_TRANSLATE = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"',
                            "‟": '"', "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-",
                            "\u00a0": " "})
# Characters a reader never sees that could hide text, forge delimiters or reorder what is shown: soft hyphen,
# combining grapheme joiner, Hangul and Khmer fillers, Mongolian selectors, zero-width and direction marks,
# line/paragraph separators, bidirectional embeddings, overrides and isolates, invisible operators, variation
# selectors, private-use characters, byte-order mark, invisible musical formatting, Unicode tag characters
# ("ASCII smuggling"). The one set used by cleaning, prompts and quote matching; cleaning keeps a lone variation
# selector after an emoji or CJK base (see pipeline/cleaning.py), everything else in it is dropped.
_INVISIBLE_RANGES = ((0x00AD, 0x00AD), (0x034F, 0x034F), (0x115F, 0x1160), (0x17B4, 0x17B5), (0x180B, 0x180F),
                     (0x200B, 0x200F), (0x2028, 0x202E), (0x2060, 0x2064), (0x2066, 0x2069), (0x3164, 0x3164),
                     (0xE000, 0xF8FF), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF), (0xFFA0, 0xFFA0), (0x1D173, 0x1D17A),
                     (0xE0000, 0xE007F), (0xE0100, 0xE01EF), (0xF0000, 0x10FFFF))
_PLANE_15 = 0xF0000  # from here to the end of Unicode everything is private use: tested by range, not stored


class _InvisibleSet(frozenset):
    """The invisible characters below plane 15 as a set; the private-use planes 15 and 16 by range."""

    def __contains__(self, ch: object) -> bool:
        return frozenset.__contains__(self, ch) or (isinstance(ch, str) and ch >= chr(_PLANE_15))


INVISIBLE_CHARS = _InvisibleSet(chr(c) for low, high in _INVISIBLE_RANGES for c in range(low, min(high + 1, _PLANE_15)))
INVISIBLE = re.compile("[" + "".join(f"{chr(low)}-{chr(high)}" for low, high in _INVISIBLE_RANGES) + "]")


def _is_abbreviation(text: str, dot_index: int) -> bool:
    """True when the period at dot_index ends a known abbreviation or a single initial."""
    start = dot_index
    while start > 0 and (text[start - 1].isalpha() or text[start - 1] == "."):
        start -= 1
    word = text[start:dot_index].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split text into sentences, returned as (start, end) offsets with surrounding space trimmed."""
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for match in _BOUNDARY.finditer(line.group()):
            punct_end = line.start() + match.end(1)
            if match.group(1) == "." and _is_abbreviation(text, punct_end - 1):
                continue
            spans.append((start, punct_end))
            start = line.start() + match.end(2)
        spans.append((start, line.end()))
    return [trimmed for span in spans if (trimmed := _trim(text, *span))]


def _trim(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Shrink a span to exclude surrounding whitespace; None when nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if end > start else None


def normalize(text: str) -> str:
    """Collapse whitespace and unify quotes and dashes, for comparisons only."""
    return _normalize_with_map(text)[0]


def _normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Normalised text plus, for each of its characters, the index in the original text."""
    chars: list[str] = []
    index_map: list[int] = []
    pending_space = False
    for i, ch in enumerate(text):
        if ch in INVISIBLE_CHARS:
            continue
        if ch.isspace():
            pending_space = bool(chars)
            continue
        if pending_space:
            chars.append(" ")
            index_map.append(i - 1)
            pending_space = False
        chars.append(ch.translate(_TRANSLATE))
        index_map.append(i)
    return "".join(chars), index_map


def locate(quote: str, text: str) -> tuple[int, int] | None:
    """Find quote in text: exactly, else after whitespace/quote normalisation; returns original offsets."""
    quote = quote.strip()
    if not quote:
        return None
    exact = text.find(quote)
    if exact >= 0:
        return exact, exact + len(quote)
    norm_text, index_map = _normalize_with_map(text)
    for candidate in _quote_variants(normalize(quote)):
        found = norm_text.find(candidate)
        if found >= 0 and candidate:
            return index_map[found], index_map[found + len(candidate) - 1] + 1
    return None


def _quote_variants(norm_quote: str) -> list[str]:
    """The quote as given, then without wrapping quotation marks or a trailing period."""
    variants = [norm_quote]
    stripped = norm_quote.strip("\"'")
    if stripped != norm_quote:
        variants.append(stripped)
    if stripped.endswith("."):
        variants.append(stripped[:-1])
    return variants


def is_verbatim(quote: str, text: str) -> bool:
    """True when quote occurs in text after whitespace normalisation (the grounding rule)."""
    norm_quote = normalize(quote.strip())
    return bool(norm_quote) and norm_quote in normalize(text)


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence(s) that contain [start, end)."""
    spans = [s for s in sentence_spans(text) if s[0] < end and s[1] > start]
    if not spans:
        return start, end
    return spans[0][0], spans[-1][1]


def pack_sentences(spans: list[tuple[int, int]], max_chars: int, overlap_sentences: int | None = None,
                   overlap_chars: int = 0) -> list[tuple[int, int]]:
    """Group consecutive sentence spans into (start, end) blocks of about max_chars.

    Consecutive blocks repeat the last `overlap_sentences` sentences, or, when that is None, the trailing
    sentences that fit in `overlap_chars`. A single over-long sentence becomes its own block.
    """
    blocks: list[tuple[int, int]] = []
    first = 0
    while first < len(spans):
        last = first
        while last + 1 < len(spans) and spans[last + 1][1] - spans[first][0] <= max_chars:
            last += 1
        blocks.append((spans[first][0], spans[last][1]))
        if last + 1 >= len(spans):
            break
        if overlap_sentences is not None:
            first = max(first + 1, last + 1 - overlap_sentences)
            continue
        following = last + 1
        while following - 1 > first and spans[last][1] - spans[following - 1][0] <= overlap_chars:
            following -= 1
        first = following
    return blocks


def clip(text: str, limit: int) -> str:
    """Text with whitespace collapsed, cut on a word boundary with an ellipsis when longer than `limit` characters."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit - 1]
    return cut.rstrip(" ,;:.–—-") + "…"


def verbatim(quote: str, text: str) -> str:
    """The text's own characters for a quote found in it (whitespace and case may differ), or "" if not found."""
    found = locate(quote.strip(), text) if quote.strip() else None
    return text[found[0]:found[1]] if found else ""


def quote_problem(number: int, quote: str, texts: list[str], noun: str) -> str:
    """Why a model's quote from numbered text `number` (1-based) is unacceptable, or "" when it is verbatim there."""
    if not 1 <= number <= len(texts):
        return f"{noun} {number} does not exist (there are {len(texts)})"
    if quote.strip() and locate(quote, texts[number - 1]) is None:
        return (f"the quote for {noun} {number} is not in that {noun}: copy its words exactly, or give an empty "
                "quote")
    return ""
