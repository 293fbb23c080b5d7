"""Reviewer decisions in SQLite: saved per change, audited, and never silently overwritten."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from pipeline.errors import FactCheckError, InputError
from pipeline.review_types import Review, ReviewEvent, ReviewStatus
from pipeline.types import Stance, VerdictLabel

SCALAR_FIELDS = ("status", "verdict", "rating", "explanation", "notes", "factcheck_basis", "assignee")
STANCE_PREFIX = "stances."


class FieldConflict(BaseModel):
    """A field someone else changed after this reviewer loaded the claim."""

    field: str
    base: str
    theirs: str
    mine: str
    by: str
    at: str


class BulkOutcome(BaseModel):
    """What happened to one claim of a bulk action: saved, or why not."""

    run_id: str
    claim_id: str
    saved: bool = False
    reason: str = ""


class ReviewConflict(FactCheckError):
    """The save would overwrite another reviewer's newer change to the same field."""

    def __init__(self, conflicts: list[FieldConflict], current: Review):
        names = ", ".join(c.field for c in conflicts)
        super().__init__(f"{current.reviewer or 'Another reviewer'} changed {names} of this claim after you "
                         "opened it", "Compare both versions and choose which to keep")
        self.conflicts = conflicts
        self.current = current


def now_iso() -> str:
    """UTC time, seconds precision."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def field_value(review: Review, field: str) -> str:
    """A review field as comparable text ("" when unset)."""
    if field.startswith(STANCE_PREFIX):
        stance = review.stances.get(field[len(STANCE_PREFIX):])
        return stance.value if stance else ""
    value = getattr(review, field)
    return value.value if hasattr(value, "value") else (value or "")


def apply_changes(review: Review, changes: dict[str, Any], allowed_ratings: list[str]) -> Review:
    """Return the review with validated changes applied (pure; raises InputError for invalid values)."""
    updated = review.model_copy(deep=True)
    for field, value in changes.items():
        value = _text(value)
        if field.startswith(STANCE_PREFIX):
            chunk_id = field[len(STANCE_PREFIX):]
            if value:
                updated.stances[chunk_id] = Stance(value)
            else:
                updated.stances.pop(chunk_id, None)
        elif field == "verdict":
            updated.verdict = VerdictLabel(value) if value else None
        elif field == "status":
            updated.status = ReviewStatus(value)
        elif field == "rating":
            if value and value not in allowed_ratings:
                raise InputError(f"'{value}' is not on the rating scale", "Pick one of: " + ", ".join(allowed_ratings))
            updated.rating = value
        elif field in ("explanation", "notes", "factcheck_basis", "assignee"):
            setattr(updated, field, value.strip() if field == "assignee" else value)
        else:
            raise ValueError(f"unknown review field {field}")
    if "status" not in changes and updated.status == ReviewStatus.UNREVIEWED and set(changes) - {"assignee"}:
        updated.status = ReviewStatus.IN_PROGRESS
    if updated.status == ReviewStatus.DONE and not updated.rating:
        raise InputError("A claim cannot be marked done without a rating", "Choose a rating first")
    return updated


def _enable_wal(conn: sqlite3.Connection) -> None:
    """Switch the file to WAL; the switch needs a moment alone, so retry while another process opens it."""
    for _ in range(100):
        try:
            if conn.execute("PRAGMA journal_mode=WAL").fetchone()[0] == "wal":
                return
        except sqlite3.OperationalError:
            pass
        time.sleep(0.05)


class ReviewStore:
    """reviews(run_id, claim_id, data, version) plus review_events, in one SQLite file (WAL mode)."""

    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as conn:
            # WAL is a property of the file: set once here, so readers never block the writer.
            _enable_wal(conn)
            conn.execute("CREATE TABLE IF NOT EXISTS reviews (run_id TEXT NOT NULL, claim_id TEXT NOT NULL, "
                         "data TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (run_id, claim_id))")
            conn.execute("CREATE TABLE IF NOT EXISTS review_events (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                         "run_id TEXT, claim_id TEXT, reviewer TEXT, at TEXT, field TEXT, old TEXT, new TEXT, "
                         "version INTEGER)")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A short-lived connection; safe to use from any thread or process."""
        conn = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
        try:
            conn.execute("PRAGMA busy_timeout=30000")
            yield conn
        finally:
            conn.close()

    def get(self, run_id: str, claim_id: str) -> Review:
        """The stored review, or a fresh unreviewed one (version 0)."""
        with self._connect() as conn:
            return self._read(conn, run_id, claim_id)

    def for_run(self, run_id: str) -> dict[str, Review]:
        """Every stored review of a run, by claim id (without reading the audit trail)."""
        with self._connect() as conn:
            rows = conn.execute("SELECT claim_id, data FROM reviews WHERE run_id = ?", (run_id,)).fetchall()
        return {claim_id: Review.model_validate_json(data) for claim_id, data in rows}

    def save(self, base: Review, changes: dict[str, Any], reviewer: str,
             allowed_ratings: list[str]) -> Review:
        """Apply changes made on top of `base`; raise ReviewConflict if another save changed those fields since."""
        if not reviewer.strip():
            raise InputError("Decisions need a reviewer name", "Enter your name first")
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            try:
                current = self._read(conn, base.run_id, base.claim_id)
                changes = {f: v for f, v in changes.items() if field_value(current, f) != _text(v)}
                conflicts = self._conflicts(conn, base, current, changes)
                if conflicts:
                    raise ReviewConflict(conflicts, current)
                if not changes:
                    conn.execute("ROLLBACK")
                    return current
                updated = apply_changes(current, changes, allowed_ratings)
                updated.reviewer, updated.updated_at = reviewer.strip(), now_iso()
                updated.version = current.version + 1
                self._write(conn, current, updated)
                conn.execute("COMMIT")
                return updated
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    def save_many(self, items: list[tuple[Review, dict[str, Any]]], reviewer: str,
                  allowed_ratings: list[str]) -> list[BulkOutcome]:
        """Save each claim's changes separately (with conflict detection); one outcome per item, in order."""
        outcomes = []
        for base, changes in items:
            try:
                self.save(base, changes, reviewer, allowed_ratings)
                outcomes.append(BulkOutcome(run_id=base.run_id, claim_id=base.claim_id, saved=True))
            except ReviewConflict as exc:
                outcomes.append(BulkOutcome(run_id=base.run_id, claim_id=base.claim_id,
                                            reason=f"{exc.current.reviewer or 'someone'} changed it meanwhile"))
            except InputError as exc:
                outcomes.append(BulkOutcome(run_id=base.run_id, claim_id=base.claim_id, reason=exc.message))
        return outcomes

    def all_reviews(self) -> dict[tuple[str, str], Review]:
        """Every stored review of every run, by (run id, claim id)."""
        with self._connect() as conn:
            rows = conn.execute("SELECT run_id, claim_id, data FROM reviews").fetchall()
        return {(run_id, claim_id): Review.model_validate_json(data) for run_id, claim_id, data in rows}

    def all_events(self, fields: tuple[str, ...] = ("status",)) -> list[ReviewEvent]:
        """The audit trail of every run for the given fields, oldest first (what the dashboard counts)."""
        marks = ", ".join("?" * len(fields))
        with self._connect() as conn:
            rows = conn.execute("SELECT run_id, claim_id, reviewer, at, field, old, new, version FROM review_events "
                                f"WHERE field IN ({marks}) ORDER BY id", fields).fetchall()
        return [ReviewEvent(**dict(zip(ReviewEvent.model_fields, row))) for row in rows]

    def _read(self, conn: sqlite3.Connection, run_id: str, claim_id: str) -> Review:
        row = conn.execute("SELECT data FROM reviews WHERE run_id = ? AND claim_id = ?",
                           (run_id, claim_id)).fetchone()
        return Review.model_validate_json(row[0]) if row else Review(run_id=run_id, claim_id=claim_id)

    def _conflicts(self, conn: sqlite3.Connection, base: Review, current: Review,
                   changes: dict[str, Any]) -> list[FieldConflict]:
        """Changed fields whose stored value moved on since `base` was loaded."""
        if current.version == base.version:
            return []
        conflicts = []
        for field, value in changes.items():
            if field_value(current, field) != field_value(base, field):
                event = conn.execute("SELECT reviewer, at FROM review_events WHERE run_id = ? AND claim_id = ? "
                                     "AND field = ? ORDER BY id DESC LIMIT 1",
                                     (base.run_id, base.claim_id, field)).fetchone() or ("", "")
                conflicts.append(FieldConflict(field=field, base=field_value(base, field),
                                               theirs=field_value(current, field), mine=_text(value),
                                               by=event[0], at=event[1]))
        return conflicts

    def _write(self, conn: sqlite3.Connection, old: Review, new: Review) -> None:
        """Upsert the review and log one audit event per changed field."""
        conn.execute("INSERT INTO reviews (run_id, claim_id, data, version) VALUES (?, ?, ?, ?) "
                     "ON CONFLICT (run_id, claim_id) DO UPDATE SET data = excluded.data, version = excluded.version",
                     (new.run_id, new.claim_id, new.model_dump_json(), new.version))
        fields = list(SCALAR_FIELDS) + [STANCE_PREFIX + c for c in sorted(set(old.stances) | set(new.stances))]
        for field in fields:
            before, after = field_value(old, field), field_value(new, field)
            if before != after:
                conn.execute("INSERT INTO review_events (run_id, claim_id, reviewer, at, field, old, new, version) "
                             "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             (new.run_id, new.claim_id, new.reviewer, new.updated_at, field, before, after,
                              new.version))

    def history(self, run_id: str, claim_id: str | None = None) -> list[ReviewEvent]:
        """The audit trail of a run (or of one claim), oldest first."""
        query = ("SELECT run_id, claim_id, reviewer, at, field, old, new, version FROM review_events WHERE run_id = ?"
                 + (" AND claim_id = ?" if claim_id is not None else "") + " ORDER BY id")
        with self._connect() as conn:
            rows = conn.execute(query, (run_id, claim_id) if claim_id is not None else (run_id,)).fetchall()
        return [ReviewEvent(**dict(zip(ReviewEvent.model_fields, row))) for row in rows]

    def snapshot(self, run_id: str) -> tuple[dict[str, Review], list[ReviewEvent]]:
        """Reviews and history of a run read in one transaction, so an export is consistent."""
        with self._connect() as conn:
            conn.execute("BEGIN")
            rows = conn.execute("SELECT claim_id, data FROM reviews WHERE run_id = ?", (run_id,)).fetchall()
            events = conn.execute("SELECT run_id, claim_id, reviewer, at, field, old, new, version FROM "
                                  "review_events WHERE run_id = ? ORDER BY id", (run_id,)).fetchall()
            conn.execute("COMMIT")
        keys = ReviewEvent.model_fields
        return ({c: Review.model_validate_json(d) for c, d in rows},
                [ReviewEvent(**dict(zip(keys, row))) for row in events])


def _text(value: Any) -> str:
    """A change value as comparable text."""
    if value is None:
        return ""
    return value.value if hasattr(value, "value") else str(value)

