"""One imported ClaimReview item (a parsed JSON-LD object or a CSV row mapped to one) → a safe FactCheck.

Imported items are untrusted: markup and scripts are removed from every text field, only http(s) URLs are
kept, a rating outside its own best/worst range loses its number, and anything odd is counted, never raised.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import Any

from pipeline.factcheck_types import FactCheck, FactCheckAuthor, FactCheckRating, ItemReviewed, factcheck_id

MAX_CLAIM_CHARS = 2000
MAX_FIELD_CHARS = 500
MAX_URL_CHARS = 2000
_SCRIPT = re.compile(r"<(script|style|iframe|object|template)\b.*?(</\1\s*>|$)", re.I | re.S)
_TAG = re.compile(r"<[^>]*>|<[a-zA-Z/!][^>]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_SPACE_BEFORE_PUNCTUATION = re.compile(r" ([.,;:!?])")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")
_URL_BAD = re.compile(r"[\s\"'<>\\\x00-\x1f\x7f]")


class SkipItem(Exception):
    """An item that cannot become a fact-check; the message is the reason counted in the import report."""


def plain_text(value: Any, limit: int, notes: Counter[str]) -> str:
    """Plain text of a field: the first string of a list, entities decoded, markup removed, whitespace folded."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str)), "")
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = f"{value:g}"
    if not isinstance(value, str):
        return ""
    text = value
    for _ in range(2):  # markup may be entity-encoded once ("&lt;script&gt;")
        unescaped = html.unescape(text)
        stripped = _TAG.sub(" ", _SCRIPT.sub(" ", unescaped))
        if stripped != unescaped:
            notes["markup removed"] += 1
        text = stripped
    text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(_CONTROL.sub(" ", text).split()))
    return text[:limit].strip()


def clean_url(value: Any, notes: Counter[str]) -> str:
    """An http(s) URL, or "" (javascript:, data: and anything else that could run is dropped and counted)."""
    if isinstance(value, dict):
        value = value.get("url") or value.get("@id") or ""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str | dict)), "")
        return clean_url(value, notes)
    if not isinstance(value, str) or not value.strip():
        return ""
    url = value.strip()
    if not url.lower().startswith(("http://", "https://")) or _URL_BAD.search(url) or len(url) > MAX_URL_CHARS:
        notes["unsafe url dropped"] += 1
        return ""
    return url


def _number(value: Any) -> float | None:
    """A finite number from a number or numeric string, else None."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if abs(number) < 1e12 else None


def first_object(value: Any) -> dict:
    """The object itself, or the first object of a list, or {}."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), {})
    return value if isinstance(value, dict) else {}


def parse_rating(value: Any, notes: Counter[str]) -> FactCheckRating:
    """The rating; a value outside its own [worst, best] range keeps its words and loses its number."""
    raw = first_object(value)
    words = plain_text(raw.get("alternateName") or raw.get("name") or raw.get("ratingExplanation"),
                       MAX_FIELD_CHARS, notes)
    rating, best, worst = (_number(raw.get(k)) for k in ("ratingValue", "bestRating", "worstRating"))
    if best is not None and worst is not None and best < worst:
        best, worst = worst, best  # some publishers put the scale upside down
    out_of_range = rating is not None and ((best is not None and rating > best)
                                           or (worst is not None and rating < worst))
    if out_of_range:
        notes["rating outside its own range dropped"] += 1
        rating = None
    if not words and rating is None and out_of_range:
        raise SkipItem("rating outside its own best/worst range and no rating in words")
    return FactCheckRating(alternateName=words, ratingValue=rating, bestRating=best, worstRating=worst)


def parse_author(value: Any, notes: Counter[str]) -> FactCheckAuthor:
    """The publisher's name and URL (an author given as plain text is its name)."""
    if isinstance(value, str):
        return FactCheckAuthor(name=plain_text(value, MAX_FIELD_CHARS, notes))
    raw = first_object(value)
    return FactCheckAuthor(name=plain_text(raw.get("name") or raw.get("alternateName"), MAX_FIELD_CHARS, notes),
                           url=clean_url(raw.get("url") or raw.get("sameAs"), notes))


def parse_item_reviewed(value: Any, notes: Counter[str]) -> ItemReviewed:
    """Who made the claim and the URLs where it appeared."""
    raw = first_object(value)
    author = raw.get("author")
    name = plain_text(author if isinstance(author, str | list) and not first_object(author)
                      else first_object(author).get("name"), MAX_FIELD_CHARS, notes)
    places: list[Any] = []
    for key in ("appearance", "firstAppearance"):
        found = raw.get(key)
        places += found[:20] if isinstance(found, list) else [found]
    urls = [clean_url(p, notes) for p in places if p]
    return ItemReviewed(author=name, appearance=list(dict.fromkeys(u for u in urls if u)))


def _language(item: dict, notes: Counter[str]) -> str:
    """inLanguage of the review or of the claim, as a short code or name."""
    value = item.get("inLanguage") or first_object(item.get("itemReviewed")).get("inLanguage") or ""
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name") or ""
    return plain_text(value, 40, notes)


def _date(value: Any) -> str:
    """The date part (YYYY, YYYY-MM or YYYY-MM-DD) of a datePublished, or ""."""
    found = _DATE.match(value.strip()) if isinstance(value, str) else None
    return found.group(0) if found else ""


def is_claimreview(item: Any) -> bool:
    """Whether a JSON-LD object says it is a ClaimReview."""
    if not isinstance(item, dict):
        return False
    kind = item.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.rsplit("/", 1)[-1] == "ClaimReview" for k in kinds)


def to_factcheck(item: dict, notes: Counter[str]) -> FactCheck:
    """A ClaimReview object as a FactCheck; raises SkipItem with the reason when it has no usable claim."""
    claim = plain_text(item.get("claimReviewed"), MAX_CLAIM_CHARS, notes)
    if not claim:
        raise SkipItem("no claimReviewed text")
    url = clean_url(item.get("url") or item.get("@id"), notes)
    return FactCheck(
        id=factcheck_id(url, claim), claimReviewed=claim,
        headline=plain_text(item.get("headline") or item.get("name"), MAX_FIELD_CHARS, notes),
        reviewRating=parse_rating(item.get("reviewRating"), notes), url=url,
        author=parse_author(item.get("author") or item.get("publisher"), notes),
        datePublished=_date(item.get("datePublished")),
        itemReviewed=parse_item_reviewed(item.get("itemReviewed"), notes), language=_language(item, notes))
