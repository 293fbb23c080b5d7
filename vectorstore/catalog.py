"""The article catalog on SQLite: one row per stored article, so the library never iterates over chunks."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.errors import StoreError
from pipeline.ports import ArticleSummary
from pipeline.types import ArticleRef

_SCHEMA = """
CREATE TABLE IF NOT EXISTS articles (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT NOT NULL, url TEXT NOT NULL, date TEXT NOT NULL,
    chunks INTEGER NOT NULL, added_at REAL NOT NULL, ref TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS articles_newest ON articles (date DESC, title DESC);
"""
_COLUMNS = "id, title, source, url, date, chunks, added_at, ref"
_MATCH = "(title LIKE :like ESCAPE '\\' OR source LIKE :like ESCAPE '\\' OR url LIKE :like ESCAPE '\\' OR id = :text)"


def _row(entry: ArticleSummary) -> tuple:
    """An entry as a table row (the whole ArticleRef kept as JSON, so new fields need no migration)."""
    ref = entry.article
    return (ref.id, ref.title, ref.source, ref.url, ref.date, entry.chunks, entry.added_at, ref.model_dump_json())


def _entry(row: sqlite3.Row) -> ArticleSummary:
    """A table row as an entry."""
    return ArticleSummary(article=ArticleRef.model_validate_json(row["ref"]), chunks=row["chunks"],
                          added_at=row["added_at"])


def _like(text: str) -> str:
    """A LIKE pattern matching the text anywhere, with LIKE's wildcards taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


class SqliteCatalog:
    """ArticleCatalog in one SQLite file (WAL: the app reads while an ingest in another process writes)."""

    def __init__(self, path: Path):
        self.path = path
        self._lock = threading.Lock()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with self._connect() as conn:
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError(f"Cannot open the article catalog at {path} ({exc})",
                             "Check that the folder is writable, or run `python -m pipeline reindex`") from None

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """A short-lived connection: committed on success, rolled back on error, always closed."""
        conn = sqlite3.connect(self.path, timeout=30)
        conn.row_factory = sqlite3.Row
        try:
            with conn:
                yield conn
        finally:
            conn.close()

    def upsert(self, entries: list[ArticleSummary], replace: bool = True) -> None:
        """Add rows; with replace, overwrite rows of the same articles."""
        if not entries:
            return
        verb = "INSERT OR REPLACE" if replace else "INSERT OR IGNORE"
        with self._lock, self._connect() as conn:
            conn.executemany(f"{verb} INTO articles ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                             [_row(e) for e in entries])

    def delete(self, article_ids: list[str]) -> None:
        """Remove rows."""
        with self._lock, self._connect() as conn:
            conn.executemany("DELETE FROM articles WHERE id = ?", [(a,) for a in article_ids])

    def get(self, article_id: str) -> ArticleSummary | None:
        """One row, or None."""
        with self._connect() as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _entry(row) if row else None

    def page(self, offset: int, limit: int, search: str = "") -> list[ArticleSummary]:
        """Rows newest first (date, then title), optionally only those matching the search."""
        where = f"WHERE {_MATCH}" if search else ""
        with self._connect() as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM articles {where} ORDER BY date DESC, title DESC "
                                "LIMIT :limit OFFSET :offset",
                                {"like": _like(search), "text": search, "limit": limit, "offset": offset})
            return [_entry(r) for r in rows]

    def count(self, search: str = "") -> int:
        """How many rows (match the search)."""
        where = f"WHERE {_MATCH}" if search else ""
        with self._connect() as conn:
            return conn.execute(f"SELECT COUNT(*) FROM articles {where}",
                                {"like": _like(search), "text": search}).fetchone()[0]

    def total_chunks(self) -> int:
        """Sum of the chunk counts."""
        with self._connect() as conn:
            return conn.execute("SELECT COALESCE(SUM(chunks), 0) FROM articles").fetchone()[0]

    def chunk_counts(self) -> dict[str, int]:
        """Chunk count by article id."""
        with self._connect() as conn:
            return dict(conn.execute("SELECT id, chunks FROM articles").fetchall())

    def rebuild(self, entries: Iterable[ArticleSummary]) -> int:
        """Replace every row in one transaction."""
        with self._lock, self._connect() as conn:
            conn.execute("DELETE FROM articles")
            cursor = conn.executemany(f"INSERT OR REPLACE INTO articles ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                      (_row(e) for e in entries))
            return cursor.rowcount

