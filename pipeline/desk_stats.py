"""What an editor looks at first: counts over time, decisions per reviewer, time to decision, oldest flags."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from statistics import median

from pipeline.queue import QueueRow
from pipeline.review_types import ReviewEvent, ReviewStatus


def day(iso: str) -> str:
    """The calendar day of an ISO timestamp (as written, UTC in this project)."""
    return iso[:10]


def verdicts_by_day(rows: list[QueueRow]) -> list[dict[str, object]]:
    """Claims checked per day and model verdict: [{day, verdict, claims}]."""
    counts = Counter((day(r.checked_at), r.model_verdict.replace("_", " ")) for r in rows)
    return [{"day": d, "verdict": v, "claims": n} for (d, v), n in sorted(counts.items())]


def statuses_by_day(rows: list[QueueRow], events: list[ReviewEvent]) -> list[dict[str, object]]:
    """Each day's review status of every claim checked by then (as of the end of that day): [{day, status, claims}]."""
    checked = {(r.run_id, r.claim_id): day(r.checked_at) for r in rows}
    days = sorted(set(checked.values()) | {day(e.at) for e in events if (e.run_id, e.claim_id) in checked})
    changes: dict[str, list[ReviewEvent]] = {}
    for event in events:
        changes.setdefault(day(event.at), []).append(event)
    status: dict[tuple[str, str], str] = {}
    table = []
    for d in days:
        for key, first in checked.items():
            if first == d:
                status.setdefault(key, ReviewStatus.UNREVIEWED.value)
        for event in changes.get(d, []):
            if (event.run_id, event.claim_id) in checked:
                status[(event.run_id, event.claim_id)] = event.new
        counts = Counter(status.values())
        table += [{"day": d, "status": s.value.replace("_", " "), "claims": counts.get(s.value, 0)}
                  for s in ReviewStatus]
    return table


def decisions_by_reviewer(events: list[ReviewEvent]) -> list[dict[str, object]]:
    """Claims marked done per reviewer and day: [{day, reviewer, decisions}]."""
    counts = Counter((day(e.at), e.reviewer) for e in events if e.new == ReviewStatus.DONE.value)
    return [{"day": d, "reviewer": r, "decisions": n} for (d, r), n in sorted(counts.items())]


def hours_to_decision(rows: list[QueueRow], events: list[ReviewEvent]) -> list[float]:
    """For each decided claim, hours from its check to the first time it was marked done."""
    checked = {(r.run_id, r.claim_id): r.checked_at for r in rows}
    first_done: dict[tuple[str, str], str] = {}
    for event in events:
        key = (event.run_id, event.claim_id)
        if event.new == ReviewStatus.DONE.value and key in checked:
            first_done.setdefault(key, event.at)
    return [(_parse(at) - _parse(checked[key])).total_seconds() / 3600 for key, at in first_done.items()]


def median_hours(hours: list[float]) -> float | None:
    """The median, or None when nothing was decided yet."""
    return median(hours) if hours else None


def oldest_flagged(rows: list[QueueRow], limit: int = 10) -> list[QueueRow]:
    """Undecided flagged claims, longest waiting first."""
    waiting = [r for r in rows if r.flagged and r.status != ReviewStatus.DONE]
    return sorted(waiting, key=lambda r: (r.checked_at, r.number))[:limit]


def _parse(iso: str) -> datetime:
    """An ISO timestamp; naive ones are read as UTC like the rest of the project writes them."""
    moment = datetime.fromisoformat(iso)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
