"""Read published fact-checks from files and URLs: ClaimReview JSON-LD (object, list, @graph), HTML pages with
ld+json scripts, dataFeedElement feeds, CSV, and this product's own ClaimReview export.

JSON is streamed with ijson item by item (a 100,000-item feed never sits in memory whole); HTML is bounded by
`max_html_bytes`. Whatever an item lacks or carries that is unsafe is counted in the ImportReport.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import ijson
from pydantic import BaseModel, Field

from pipeline.config import IngestSettings
from pipeline.errors import InputError
from pipeline.factcheck_parse import SkipItem, is_claimreview, to_factcheck
from pipeline.factcheck_types import FactCheck
from pipeline.fetch import FEED_TYPES, fetch_into

MAX_HTML_BYTES = 20_000_000
MAX_DOWNLOAD_BYTES = 200_000_000
MAX_WALK_DEPTH = 6
MAX_JSON_DEPTH = 64
_OPEN, _CLOSE = ("start_map", "start_array"), ("end_map", "end_array")
_ROUTED = ("@graph", "dataFeedElement")
CSV_FIELD_LIMIT = 100_000
# JSON paths (ijson prefixes) whose elements are built one at a time: a top-level list, an @graph, a feed.
_TOP_LIST, _GRAPH, _FEED = "item", "@graph", "dataFeedElement"
# CSV header → ClaimReview field (headers are matched lower-cased, spaces and dashes as underscores).
CSV_COLUMNS = {
    "claimReviewed": ("claim", "claimreviewed", "claim_reviewed", "claim_text", "text"),
    "rating": ("rating", "alternatename", "textualrating", "textual_rating", "verdict", "review_rating"),
    "url": ("url", "review_url", "fact_check_url", "link"),
    "publisher": ("publisher", "author", "publisher_name", "site", "organisation", "organization"),
    "publisher_url": ("publisher_url", "publisher_site", "author_url"),
    "datePublished": ("date", "datepublished", "date_published", "review_date"),
    "inLanguage": ("language", "lang", "inlanguage", "language_code"),
    "claimant": ("claimant", "speaker", "claim_author", "itemreviewed_author"),
    "appearance": ("appearance", "claim_url", "claim_source"),
    "headline": ("headline", "title", "name"),
}


class ImportReport(BaseModel):
    """What an import did: new fact-checks, ones already stored, items skipped and fields neutralised, by reason."""

    added: int = 0
    already_stored: int = 0
    seen: int = 0
    skipped: dict[str, int] = Field(default_factory=dict)
    neutralised: dict[str, int] = Field(default_factory=dict)
    failed_sources: dict[str, str] = Field(default_factory=dict)
    ids: list[str] = Field(default_factory=list, exclude=True)

    def skip(self, reason: str, count: int = 1) -> None:
        """Count skipped items under one reason."""
        self.skipped[reason] = self.skipped.get(reason, 0) + count

    def summary(self) -> str:
        """One line: added, already stored, skipped (with reasons), neutralised fields."""
        parts = [f"{self.added} fact-checks added", f"{self.already_stored} already stored"]
        skipped = sum(self.skipped.values())
        if skipped:
            reasons = "; ".join(f"{n} {r}" for r, n in sorted(self.skipped.items(), key=lambda x: -x[1]))
            parts.append(f"{skipped} skipped ({reasons})")
        if self.neutralised:
            parts.append("neutralised: " + "; ".join(f"{n} {r}" for r, n in sorted(self.neutralised.items())))
        if self.failed_sources:
            parts.append(f"{len(self.failed_sources)} source(s) failed")
        return " · ".join(parts)


Progress = Callable[[str, int, int], None]  # (source name, bytes read, bytes in the source)


def claimreviews_in(value: Any, depth: int = 0) -> Iterator[Any]:
    """The ClaimReview objects in a JSON-LD value (itself, a list, an @graph, a feed); others are yielded as-is
    so the caller counts them."""
    if is_claimreview(value):
        yield value
    elif depth >= MAX_WALK_DEPTH:
        yield SkipItem("nested too deeply")
    elif isinstance(value, list):
        for element in value:
            yield from claimreviews_in(element, depth + 1)
    elif isinstance(value, dict) and any(k in value for k in (_GRAPH, _FEED, "item")):
        for key in (_GRAPH, _FEED, "item"):
            if key in value:
                yield from claimreviews_in(value[key], depth + 1)
    else:
        yield value


class _Element:
    """One streamed element being built; past MAX_JSON_DEPTH it stops building and becomes a skip."""

    def __init__(self, event: str, value: Any):
        self.builder: Any = ijson.ObjectBuilder()
        self.depth = 0
        self.too_deep = False
        self.feed(event, value)

    def feed(self, event: str, value: Any) -> bool:
        """Take one event; True when the element is complete."""
        self.depth += (event in _OPEN) - (event in _CLOSE)
        self.too_deep = self.too_deep or self.depth > MAX_JSON_DEPTH
        if not self.too_deep:
            self.builder.event(event, value)
        return self.depth == 0

    @property
    def value(self) -> Any:
        """The built value, or a SkipItem when it was nested too deeply."""
        return SkipItem("nested too deeply") if self.too_deep else self.builder.value


def json_values(handle: IO[bytes]) -> Iterator[Any]:
    """Stream a JSON document's elements: those of a top-level list, an @graph or a dataFeedElement are built one
    at a time; the rest of a top-level object is built (small) and yielded at the end unless it only wrapped them.
    Paths are tracked by hand: ijson's prefixes grow with the depth of deeply nested input."""
    top: _Element | None = None
    element: _Element | None = None
    depth, key, top_is_list, wrapper = 0, None, False, False
    for event, value in ijson.basic_parse(handle, use_float=True):
        if element is not None:
            depth += (event in _OPEN) - (event in _CLOSE)
            if element.feed(event, value):
                yield element.value
                element = None
            continue
        if depth == 0:
            top_is_list = event == "start_array"
        if depth == 1 and event == "map_key":
            key, wrapper = value, wrapper or value in _ROUTED
            if value in _ROUTED:
                continue
        routed = key in _ROUTED and not top_is_list
        if routed and event == "start_array" and depth == 1:
            depth = 2
            continue
        if routed and event == "end_array" and depth == 2:
            depth = 1
            continue
        if ((top_is_list and depth == 1) or (routed and depth in (1, 2))) and event not in _CLOSE:
            if event in _OPEN:
                element, depth = _Element(event, value), depth + 1
            else:
                yield SkipItem("not a ClaimReview")
            continue
        depth += (event in _OPEN) - (event in _CLOSE)
        if top_is_list:
            continue
        if top is None:
            top = _Element(event, value)
        elif top.feed(event, value) and (not wrapper or is_claimreview(top.value)):
            yield top.value


def html_values(raw: bytes) -> Iterator[Any]:
    """The parsed JSON of each <script type="application/ld+json"> of a page (unparseable ones as SkipItem)."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "html.parser")
    for script in soup.find_all("script", attrs={"type": lambda t: "ld+json" in (t or "").lower()}):
        try:
            yield json.loads(script.string or "")
        except (ValueError, RecursionError):
            yield SkipItem("unreadable ld+json script")


def csv_values(handle: IO[bytes]) -> Iterator[Any]:
    """Each CSV row as a ClaimReview-shaped object, by header names (see CSV_COLUMNS)."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="replace", newline="")
    reader = csv.reader(text)
    header = [h.strip().lower().replace(" ", "_").replace("-", "_") for h in next(reader, [])]
    where = {field: next((header.index(n) for n in names if n in header), None)
             for field, names in CSV_COLUMNS.items()}
    if where["claimReviewed"] is None:
        raise InputError("The CSV has no claim column",
                         "Name a column claim (with rating, url, publisher, date, language if you have them)")
    for row in reader:
        cell = {f: (row[i] if i is not None and i < len(row) else "") for f, i in where.items()}
        yield {"@type": "ClaimReview", "claimReviewed": cell["claimReviewed"], "url": cell["url"],
               "headline": cell["headline"], "datePublished": cell["datePublished"],
               "inLanguage": cell["inLanguage"], "reviewRating": {"alternateName": cell["rating"]},
               "author": {"name": cell["publisher"], "url": cell["publisher_url"]},
               "itemReviewed": {"author": cell["claimant"], "appearance": [cell["appearance"]]}}


@contextmanager
def open_source(source: str, max_bytes: int, fetching: IngestSettings) -> Iterator[tuple[IO[bytes], int]]:
    """A file, or a URL downloaded (bounded) into a temporary file, opened for reading, with its size."""
    if source.lower().startswith(("http://", "https://")):
        with tempfile.TemporaryFile() as temporary:
            size = download(source, temporary, max_bytes, fetching)
            temporary.seek(0)
            yield temporary, size
        return
    path = Path(source)
    if not path.is_file():
        raise InputError(f"{source} is not a file or an http(s) URL", "Give a file path or a URL of fact-checks")
    with open(path, "rb") as handle:
        yield handle, path.stat().st_size


def download(url: str, into: IO[bytes], max_bytes: int, fetching: IngestSettings) -> int:
    """Copy a URL's body into a file through the safe fetcher (public addresses or allow-listed hosts only)."""
    start = into.tell()
    fetch_into(url, fetching.model_copy(update={"max_file_mb": max_bytes / (1024 * 1024)}), into.write, FEED_TYPES)
    return into.tell() - start


def source_values(handle: IO[bytes], name: str, size: int) -> Iterator[Any]:
    """The JSON-LD values of a source, by what its first bytes (or a .csv name) say it is."""
    head = handle.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    handle.seek(0)
    if name.lower().endswith(".csv"):
        return csv_values(handle)
    if head in (b"{", b"["):
        return json_values(handle)
    if head == b"<":
        if size > MAX_HTML_BYTES:
            raise InputError(f"{name} is an HTML page larger than {MAX_HTML_BYTES // 1_000_000} MB",
                             "Import the page's ClaimReview JSON-LD instead")
        return html_values(handle.read())
    return csv_values(handle)


def read_factchecks(sources: list[str], report: ImportReport, progress: Progress | None = None,
                    fetching: IngestSettings | None = None) -> Iterator[FactCheck]:
    """Every fact-check in the sources, in order; skips and neutralised fields are counted in the report."""
    for source in sources:
        notes: Counter[str] = Counter()
        try:
            with open_source(source, MAX_DOWNLOAD_BYTES, fetching or IngestSettings()) as (handle, size):
                for count, value in enumerate(source_values(handle, source, size), start=1):
                    yield from _factchecks_of(value, report, notes)
                    if progress and count % 1000 == 0:
                        progress(source, min(handle.tell(), size), size)
                if progress:
                    progress(source, size, size)
        except InputError as exc:
            report.failed_sources[source] = exc.user_message()
        except (ijson.JSONError, ijson.IncompleteJSONError, ValueError, RecursionError) as exc:
            report.failed_sources[source] = (f"stopped at malformed JSON ({' '.join(str(exc).split())[:120]}); the "
                                             "items before it "
                                             "were imported. Fix the file and import it again.")
        for note, count in notes.items():
            report.neutralised[note] = report.neutralised.get(note, 0) + count


def _factchecks_of(value: Any, report: ImportReport, notes: Counter[str]) -> Iterator[FactCheck]:
    """The fact-checks in one streamed value, skipped items counted."""
    if isinstance(value, SkipItem):
        report.skip(str(value))
        return
    for item in claimreviews_in(value):
        report.seen += 1
        if isinstance(item, SkipItem):
            report.skip(str(item))
        elif not is_claimreview(item):
            report.skip("not a ClaimReview")
        else:
            try:
                yield to_factcheck(item, notes)
            except SkipItem as exc:
                report.skip(str(exc))
