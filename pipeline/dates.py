"""Publication dates as a source states them: HTML meta and JSON-LD, a dateline in the text, PDF metadata."""

from __future__ import annotations

import io
import json
import re
from datetime import date, datetime
from email.utils import parsedate_to_datetime

from bs4 import BeautifulSoup

# <meta> names and properties that carry a page's publication date, most specific first.
META_NAMES = ("article:published_time", "og:article:published_time", "datepublished", "date", "dc.date.issued",
              "dc.date", "dcterms.issued", "dcterms.date", "dcterms.created", "citation_publication_date",
              "citation_date", "pubdate", "publishdate", "publish-date", "publication_date", "sailthru.date",
              "parsely-pub-date", "article.published", "originalpublicationdate")
_MONTHS = {name: number for number, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], start=1) for name in names}
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_WEEKDAY = r"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s+)?"
_TEXT_DATE = (rf"{_WEEKDAY}(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH_NAMES})\.?"
              rf"|(?P<month2>{_MONTH_NAMES})\.?\s+(?P<day2>\d{{1,2}})"
              rf"(?:st|nd|rd|th)?,?)\s+(?P<year>\d{{4}})")
_ISO_DATE = r"(?P<iso>\d{4}-\d{2}-\d{2})"
_ANY_DATE = rf"(?:{_TEXT_DATE}|{_ISO_DATE})"
# "Published: 9 December 2022", "Posted on Dec. 9, 2022 10:30 GMT", or a line that is only a date.
_DATE_LINE = re.compile(rf"^(?:(?:first\s+)?published|posted|dated?)?\s*(?:on)?\s*:?\s*{_ANY_DATE}"
                        r"(?:,?\s+(?:at\s+)?\d{1,2}[:.]\d{2}[^\n]{0,20})?\s*$", re.IGNORECASE)
# "WASHINGTON, Dec. 9, 2022 (Reuters) -" or "LONDON, 9 December 2022 —": a place in capitals, a date, a dash.
_DATELINE = re.compile(rf"^[A-Z][A-Z.'’ -]{{1,40}}(?:,\s*[A-Z][A-Za-z.]+)?,\s+(?i:{_ANY_DATE})"
                       r"\s*(?:\([A-Za-z .&]+\))?\s*[-–—]+\s")
_HEAD_LINES = 4


def parse_date(value: str) -> str:
    """An ISO date (YYYY-MM-DD) from an ISO, RFC 2822 or written-out date ("9 December 2022"), else ""."""
    value = " ".join(value.split())
    if iso := re.match(r"(\d{4})-(\d{2})-(\d{2})", value):
        return _valid(*map(int, iso.groups()))
    if written := re.match(_TEXT_DATE, value, re.IGNORECASE):
        return _from_match(written)
    try:
        return _valid(*parsedate_to_datetime(value).timetuple()[:3])
    except (TypeError, ValueError, IndexError):
        return ""


def _from_match(match: re.Match[str]) -> str:
    """The ISO date of a _TEXT_DATE or _ISO_DATE match."""
    if match.groupdict().get("iso"):
        return parse_date(match.group("iso"))
    day, month = match.group("day") or match.group("day2"), match.group("month") or match.group("month2")
    return _valid(int(match.group("year")), _MONTHS[month.lower()], int(day))


def _valid(year: int, month: int, day: int) -> str:
    """The date in ISO form when it exists and is not in the future, else ""."""
    try:
        found = date(year, month, day)
    except ValueError:
        return ""
    return found.isoformat() if year >= 1800 and found <= date.today() else ""


def from_html(page: str | bytes) -> tuple[str, str]:
    """(date, where it was found) from a page's JSON-LD datePublished or its publication <meta> tags."""
    soup = BeautifulSoup(page, "html.parser")
    for script in soup.find_all("script", type="application/ld+json"):
        for item in _json_ld_items(script.get_text()):
            if isinstance(item, dict) and (found := parse_date(str(item.get("datePublished") or ""))):
                return found, "JSON-LD datePublished"
    metas: dict[str, str] = {}
    for meta in soup.find_all("meta"):
        key = str(meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        metas.setdefault(key, str(meta.get("content") or ""))
    for name in META_NAMES:
        if found := parse_date(metas.get(name, "")):
            return found, f"HTML meta {name}"
    for tag in soup.find_all("time"):
        if (tag.get("itemprop") == "datePublished" or tag.has_attr("pubdate")) and \
                (found := parse_date(str(tag.get("datetime") or tag.get_text()))):
            return found, "HTML <time> datePublished"
    return "", ""


def _json_ld_items(text: str) -> list[object]:
    """The objects of a JSON-LD block: a list, an object, or an object's @graph ([] when it is not JSON)."""
    try:
        data = json.loads(text)
    except ValueError:
        return []
    items = data if isinstance(data, list) else [data]
    return [*items, *(g for item in items if isinstance(item, dict) for g in item.get("@graph") or [])]


def from_text(text: str) -> tuple[str, str]:
    """(date, where it was found) from a dateline or a date line in the first lines of the text."""
    lines = [line.strip() for line in text.split("\n") if line.strip()][:_HEAD_LINES]
    for line in lines:
        if (match := _DATELINE.match(line)) and (found := _from_match(match)):
            return found, "dateline"
        if (match := _DATE_LINE.match(line)) and (found := _from_match(match)):
            return found, "date line at the top of the text"
    return "", ""


def from_pdf(data: bytes) -> tuple[str, str]:
    """(date, where it was found) from a PDF's document information (its creation date)."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        created = PdfReader(io.BytesIO(data)).metadata
        value = created.creation_date if created else None
    except (PdfReadError, ValueError, KeyError, TypeError):
        return "", ""
    found = _valid(value.year, value.month, value.day) if isinstance(value, datetime) else ""
    return (found, "PDF metadata creation date") if found else ("", "")


def publication_date(raw: str | bytes, suffix: str, text: str) -> dict[str, str]:
    """Article fields {date, date_source} for what the source says about its publication ({} when it is silent)."""
    found = ("", "")
    if suffix == ".pdf" and isinstance(raw, bytes):
        found = from_pdf(raw)
    elif suffix in (".html", ".htm"):
        found = from_html(raw)
    if not found[0]:
        found = from_text(text)
    return {"date": found[0], "date_source": found[1]} if found[0] else {}
