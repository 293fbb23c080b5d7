"""Lexical cues shared by the offline engine: numbers, dates, names, negation, attribution, opinion."""

from __future__ import annotations

import re

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "hundred": 100, "thousand": 1000, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "dozen": 12, "half": 0.5, "quarter": 0.25, "double": 2, "triple": 3,
}
MONTHS = [
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november",
    "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"
]
_NUMBER = re.compile(r"(?<![\w.])[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])[-+]?\d+(?:\.\d+)?")
_YEAR = re.compile(r"\b(1[5-9]\d\d|20\d\d)s?\b")
_PERCENT = re.compile(r"\d\s?%|\bper ?cent\b|\bpercent(age)?\b", re.I)
_MONEY = re.compile(r"[$€£¥]\s?\d|\b\d+(\.\d+)?\s?(dollars|euros|pounds|usd|bn|billion|million)\b", re.I)
_MONTH = re.compile(r"\b(" + "|".join(MONTHS) + r")\b\.?", re.I)
_NEGATION = re.compile(r"\b(not|no|never|none|nor|neither|cannot|without|denied|denies|deny|"
                       r"false|fails?|failed|unlikely|lack|lacks|absence|nothing|nobody)\b|n't\b", re.I)
_ATTRIBUTION = re.compile(r"\b(said|says|say|told|tells|stated|states|according to|reported|reports|"
                          r"announced|announces|claimed|claims|accused|accuses|denied|denies|confirmed|"
                          r"confirms|added|argued|wrote|testified|estimated|cited|revealed)\b", re.I)
_COMPARISON = re.compile(r"\b(more|less|fewer|greater|higher|lower|larger|smaller|bigger|most|least|"
                         r"largest|biggest|highest|lowest|smallest|fastest|worst|best|record|first|last|"
                         r"only|than|doubled|tripled|increased?|decreased?|rose|fell|grew|declined|"
                         r"dropped|surged|times)\b", re.I)
_OPINION = re.compile(r"\b(i think|i believe|we believe|i feel|in my (view|opinion)|should|ought|must|"
                      r"need to|needs to|have to|has to|great|terrible|wonderful|horrible|disgrace|"
                      r"shame|ridiculous|amazing|beautiful|awful|disaster|incredible|tremendous|"
                      r"fantastic|love|hate|proud|thank|hope|wish|let me|let's|frankly|honestly|"
                      r"believe me|folks|good|bad|nice|very|really|strong|weak|best|worst)\b", re.I)
_PREDICTION = re.compile(r"\b(will|won't|going to|gonna|would|could|may|might|expect|expects|expected|"
                         r"forecasts?|predicts?|likely|plans? to|intends? to|soon|next year|tomorrow|"
                         r"future)\b", re.I)
_FIRST_SECOND_PERSON = re.compile(r"\b(i|i'm|i've|me|my|we|we're|we've|our|us|you|your|you're)\b", re.I)
_FACTUAL_VERB = re.compile(r"\b(is|are|was|were|has|have|had|been|killed|died|signed|adopted|passed|"
                           r"voted|won|lost|spent|cost|paid|created|built|cut|raised|sold|bought|supplied|"
                           r"sent|launched|attacked|invaded|imposed|withdrew|started|ended|became|"
                           r"received|provided|trained|used)\b", re.I)
_CAPITALISED = re.compile(r"\b[A-Z][a-zA-Z'’.-]*[a-z][a-zA-Z'’.-]*\b|\b[A-Z]{2,}\b")
_ANTONYMS = [("increase", "decrease"), ("rise", "fall"), ("more", "less"), ("warming", "cooling"),
             ("higher", "lower"), ("gain", "loss"), ("support", "oppose"), ("accept", "reject"),
             ("win", "lose"), ("growth", "decline"), ("above", "below"), ("before", "after"),
             ("positive", "negative"), ("expand", "shrink"), ("melting", "freezing"), ("thicken", "thin"),
             ("increased", "decreased"), ("rising", "falling"), ("rose", "fell"), ("warmer", "cooler"),
             ("largest", "smallest"), ("most", "least"), ("confirmed", "denied"), ("true", "false")]


def numbers(text: str) -> set[float]:
    """Numeric values mentioned with digits or common number words."""
    values = {float(m.group().replace(",", "")) for m in _NUMBER.finditer(text)}
    values |= {float(_NUMBER_WORDS[w]) for w in re.findall(r"[a-z]+", text.lower()) if w in _NUMBER_WORDS}
    return values


_NUMBER_UNIT = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*-?\s*([A-Za-z]{3,})")


def number_units(text: str) -> dict[str, set[float]]:
    """Values of numbers by the word that follows them ("22-year-old" -> {"year": {22}}), years left out."""
    from pipeline.bm25 import stem

    found: dict[str, set[float]] = {}
    for value, unit in _NUMBER_UNIT.findall(text):
        if _YEAR.fullmatch(value):
            continue
        found.setdefault(stem(unit.lower()), set()).add(float(value.replace(",", "")))
    return found


def unit_mismatch(a: str, b: str) -> bool:
    """True when both texts count the same unit with different numbers (32 years vs 22-year-old)."""
    units_a, units_b = number_units(a), number_units(b)
    return any(units_a[u].isdisjoint(units_b[u]) for u in units_a.keys() & units_b.keys())


def years(text: str) -> set[str]:
    """Four-digit years (1500-2099)."""
    return {m.group(1) for m in _YEAR.finditer(text)}


def named_entities(text: str) -> set[str]:
    """Capitalised words and acronyms that are not sentence-initial, lowercased (a cheap NER)."""
    found = set()
    for match in _CAPITALISED.finditer(text):
        before = text[:match.start()].rstrip()
        if not before or before[-1] in ".!?\"“‘'(":
            continue
        found.add(match.group().strip(".'’").lower())
    return found


def negation_count(text: str) -> int:
    """Number of negation markers."""
    return len(_NEGATION.findall(text))


def has_antonym_pair(a: str, b: str) -> bool:
    """True when one text uses a word and the other its opposite."""
    wa, wb = set(re.findall(r"[a-z]+", a.lower())), set(re.findall(r"[a-z]+", b.lower()))
    return any((x in wa and y in wb) or (y in wa and x in wb) for x, y in _ANTONYMS)


def count(pattern_name: str, text: str) -> int:
    """How often a named cue occurs in text."""
    return len(_PATTERNS[pattern_name].findall(text))


_PATTERNS = {
    "number": _NUMBER, "year": _YEAR, "percent": _PERCENT, "money": _MONEY, "month": _MONTH,
    "negation": _NEGATION, "attribution": _ATTRIBUTION, "comparison": _COMPARISON, "opinion": _OPINION,
    "prediction": _PREDICTION, "person": _FIRST_SECOND_PERSON, "factual_verb": _FACTUAL_VERB,
}
