"""The desk inbox: every claim of every run in one queue, filtered, searched, sorted and counted."""

from __future__ import annotations

from collections import Counter

from pydantic import BaseModel, Field

from pipeline.queue import QueueRow, sort_queue
from pipeline.review_types import ReviewStatus

INBOX_SORTS = ("flagged first", "oldest check first", "newest check first", "check-worthiness",
               "lowest confidence")
UNASSIGNED = "(unassigned)"


class InboxFilter(BaseModel):
    """What the reviewer narrowed the inbox to; an empty list means "any"."""

    articles: list[str] = Field(default_factory=list)
    runs: list[str] = Field(default_factory=list)
    statuses: list[ReviewStatus] = Field(default_factory=list)
    verdicts: list[str] = Field(default_factory=list)
    assignees: list[str] = Field(default_factory=list)
    flagged_only: bool = False
    text: str = ""


def matches(row: QueueRow, wanted: InboxFilter) -> bool:
    """True when the row passes every filter (text search: all words, any case, in the claim text)."""
    words = wanted.text.lower().split()
    assignee = row.assignee or UNASSIGNED
    return ((not wanted.articles or row.article in wanted.articles)
            and (not wanted.runs or row.run_id in wanted.runs)
            and (not wanted.statuses or row.status in wanted.statuses)
            and (not wanted.verdicts or row.model_verdict in wanted.verdicts)
            and (not wanted.assignees or assignee in wanted.assignees)
            and (not wanted.flagged_only or row.flagged)
            and all(w in row.text.lower() for w in words))


def sort_inbox(rows: list[QueueRow], how: str = "flagged first") -> list[QueueRow]:
    """Order rows of many runs; ties keep each run's article order."""
    by_run = sorted(rows, key=lambda r: (r.checked_at, r.run_id, r.number))
    if how == "oldest check first":
        return by_run
    if how == "newest check first":
        return sorted(by_run, key=lambda r: r.checked_at, reverse=True)
    return sort_queue(by_run, how)


def inbox(rows: list[QueueRow], wanted: InboxFilter, how: str = "flagged first") -> list[QueueRow]:
    """The rows to show, filtered then sorted."""
    return sort_inbox([r for r in rows if matches(r, wanted)], how)


def status_counts(rows: list[QueueRow]) -> dict[ReviewStatus, int]:
    """How many rows are in each review status (every status present, zero when none)."""
    counts = Counter(r.status for r in rows)
    return {status: counts.get(status, 0) for status in ReviewStatus}


def row_key(row: QueueRow) -> str:
    """One id for a claim across runs (the same claim text can be checked in several runs)."""
    return f"{row.run_id}/{row.claim_id}"
