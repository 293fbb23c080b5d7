"""Lists of claims handed in by people: .txt (one a line), .csv and .jsonl with where each claim came from.

A line that cannot be read is reported with its number and skipped; it never sinks the list.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from pipeline.errors import InputError
from pipeline.types import ClaimSource

FORMATS = (".txt", ".csv", ".jsonl")
MAX_CLAIM_CHARS = 1000
# Accepted names of each column (.csv) or field (.jsonl), compared lower-case with spaces and dashes as "_".
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "text": ("claim", "text", "claim_text", "statement", "claimreviewed", "claim_reviewed"),
    "url": ("url", "appearance", "link", "where", "source_url", "appeared_at"),
    "speaker": ("speaker", "author", "who", "said_by", "claimant"),
    "date": ("date", "when", "date_published", "datepublished", "said_on"),
    "flagged_by": ("flagged_by", "flagger", "reported_by", "flagged"),
    "note": ("note", "notes", "comment"),
}
_NAME_TO_FIELD = {name: field for field, names in FIELD_NAMES.items() for name in names}
_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?)?)?$")
_FIX = ("Put one claim per line in a .txt file, or use a .csv with a 'claim' column or a .jsonl with a 'claim' field "
        "(optional: url, speaker, date, flagged_by, note)")


class GivenClaim(BaseModel):
    """One claim a person handed in, with where it came from."""

    text: str
    source: ClaimSource = Field(default_factory=ClaimSource)


class LineProblem(BaseModel):
    """A line of a claims file that was skipped, and why."""

    line: int
    reason: str

    def message(self, list_name: str) -> str:
        """One sentence naming the file, the line and the reason."""
        return f"{list_name}, line {self.line}: skipped — {self.reason}."


class ClaimList(BaseModel):
    """The claims of one list (a file, a paste or the command line) and the lines that were skipped."""

    name: str
    claims: list[GivenClaim] = Field(default_factory=list)
    problems: list[LineProblem] = Field(default_factory=list)

    def problem_messages(self) -> list[str]:
        """Every skipped line as one sentence."""
        return [p.message(self.name) for p in self.problems]


def field_name(column: str) -> str | None:
    """The ClaimSource field (or "text") a column or key names, if it names one."""
    return _NAME_TO_FIELD.get(re.sub(r"[\s\-]+", "_", column.strip().lower()))


def clean_date(value: str) -> str:
    """The value if it is an ISO 8601 date (2026-11-30, 2026-11, 2026, or a date and time), else ValueError."""
    if not _ISO_DATE.match(value):
        raise ValueError(f"date {value[:40]!r} is not a date like 2026-11-30")
    if len(value) >= 10:
        (datetime.fromisoformat(value.replace("Z", "+00:00")) if len(value) > 10 else date.fromisoformat(value))
    return value


def given_claim(values: dict[str, str], list_name: str, line: int) -> GivenClaim:
    """A claim from its named values; ValueError with the reason when the line is not usable."""
    text = " ".join(str(values.get("text") or "").split())
    if not text:
        raise ValueError("no claim text")
    if len(text) > MAX_CLAIM_CHARS:
        raise ValueError(f"the claim is longer than {MAX_CLAIM_CHARS:,} characters (a claim is a sentence or two)")
    meta = {k: " ".join(str(values.get(k) or "").split()) for k in FIELD_NAMES if k != "text"}
    if meta["url"] and (not meta["url"].startswith(("http://", "https://")) or " " in meta["url"]):
        raise ValueError(f"url {meta['url'][:60]!r} is not an http(s) address")
    if meta["date"]:
        meta["date"] = clean_date(meta["date"])
    return GivenClaim(text=text, source=ClaimSource(**meta, list_name=list_name, line=line))


def _txt_rows(lines: list[str]) -> Iterator[tuple[int, dict[str, str] | str]]:
    """(line number, values) per non-empty line; lines starting with # are comments."""
    for number, line in enumerate(lines, start=1):
        if line.strip() and not line.lstrip().startswith("#"):
            yield number, {"text": line}


def _jsonl_rows(lines: list[str]) -> Iterator[tuple[int, dict[str, str] | str]]:
    """(line number, values or the reason the line is unreadable) per non-empty line."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            yield number, "not a JSON object"
            continue
        if isinstance(item, str):
            item = {"claim": item}
        if not isinstance(item, dict):
            yield number, "not a JSON object"
            continue
        yield number, {field: str(v) for k, v in item.items() if (field := field_name(str(k))) and v is not None}


def _csv_rows(text: str, list_name: str) -> Iterator[tuple[int, dict[str, str] | str]]:
    """(first line number of the record, values or the reason) per record after the header."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        return
    fields = [field_name(column) for column in header]
    if "text" not in fields:
        raise InputError(f"{list_name} has no claim column (its first line is {', '.join(header)[:120]!r})", _FIX)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield start, f"unreadable CSV ({exc})"
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(fields):
            yield start, f"{len(row)} columns where the header has {len(fields)}"
            continue
        yield start, {field: cell for field, cell in zip(fields, row) if field}


def parse_claims(text: str, list_name: str, suffix: str) -> ClaimList:
    """The claims of a list's text, in the format its file suffix names (.txt, .csv, .jsonl)."""
    suffix = suffix.lower()
    if suffix not in FORMATS:
        raise InputError(f"{list_name} is not a claims list ({suffix or 'no extension'})", _FIX)
    lines = text.splitlines()
    rows: Iterable[tuple[int, dict[str, str] | str]] = (
        _txt_rows(lines) if suffix == ".txt" else _jsonl_rows(lines) if suffix == ".jsonl" else
        _csv_rows(text, list_name))
    result = ClaimList(name=list_name)
    for number, values in rows:
        if isinstance(values, str):
            result.problems.append(LineProblem(line=number, reason=values))
            continue
        if "\ufffd" in "".join(values.values()):
            result.problems.append(LineProblem(line=number, reason="not UTF-8 text"))
            continue
        try:
            result.claims.append(given_claim(values, list_name, number))
        except ValueError as exc:
            result.problems.append(LineProblem(line=number, reason=str(exc)))
    return result


def read_claims_bytes(data: bytes, list_name: str, max_mb: float = 20.0) -> ClaimList:
    """A claims list from an upload or a file's bytes; no claim at all is an error that says how to fix it."""
    if len(data) > max_mb * 1024 * 1024:
        raise InputError(f"{list_name} is larger than {max_mb:g} MB", "Split the list into smaller files")
    text = data.decode("utf-8-sig", errors="replace")
    found = parse_claims(text, list_name, Path(list_name).suffix)
    if not found.claims:
        first = f" ({found.problem_messages()[0]})" if found.problems else ""
        raise InputError(f"No claims found in {list_name}{first}", _FIX)
    return found


def read_claims_file(path: Path, max_mb: float = 20.0) -> ClaimList:
    """A claims list from a .txt, .csv or .jsonl file."""
    if not path.is_file():
        raise InputError(f"{path} is not a file", "Give the path of a .txt, .csv or .jsonl list of claims")
    return read_claims_bytes(path.read_bytes(), path.name, max_mb)


def claims_from_texts(texts: Iterable[str], list_name: str, **meta: str) -> ClaimList:
    """Claims typed or pasted (one per item; blank items ignored), all with the same optional origin."""
    found = ClaimList(name=list_name)
    for number, text in enumerate(texts, start=1):
        if not text.strip():
            continue
        try:
            found.claims.append(given_claim({"text": text, **meta}, list_name, number))
        except ValueError as exc:
            found.problems.append(LineProblem(line=number, reason=str(exc)))
    if not found.claims:
        first = f" ({found.problem_messages()[0]})" if found.problems else ""
        raise InputError(f"No claim was given{first}", "Type at least one claim (one per line)")
    return found


def describe_source(source: ClaimSource) -> str:
    """Where a given claim came from, in one line of plain text (escape it where it is shown)."""
    parts = [f"said by {source.speaker}" if source.speaker else "", f"on {source.date}" if source.date else "",
             f"appeared at {source.url}" if source.url else "",
             f"flagged by {source.flagged_by}" if source.flagged_by else "",
             f"{source.list_name}, line {source.line}" if source.list_name and source.line else source.list_name,
             f"note: {source.note}" if source.note else ""]
    return "; ".join(p for p in parts if p) or "handed in by a person"


def item_reviewed(source: ClaimSource) -> dict:
    """ClaimReview `itemReviewed` fields of a given claim: appearance, author, datePublished (those known)."""
    fields: dict = {}
    if source.url.startswith(("http://", "https://")):
        fields["appearance"] = [{"@type": "CreativeWork", "url": source.url}]
    if source.speaker:
        fields["author"] = {"@type": "Person", "name": source.speaker}
    if source.date:
        fields["datePublished"] = source.date
    return fields
