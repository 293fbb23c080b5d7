"""A disk cache of model replies keyed by model, prompt version and input (SQLite, safe across threads)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class ReplyCache:
    """Maps a request key to the reply text that validated for it."""

    def __init__(self, path: Path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        self._lock = threading.Lock()
        with self._lock, self._conn:
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("CREATE TABLE IF NOT EXISTS replies (key TEXT PRIMARY KEY, reply TEXT NOT NULL,"
                               " input_tokens INTEGER, output_tokens INTEGER)")

    def get(self, key: str) -> tuple[str, int, int] | None:
        """The cached (reply, input_tokens, output_tokens), if any."""
        with self._lock:
            row = self._conn.execute("SELECT reply, input_tokens, output_tokens FROM replies WHERE key = ?",
                                     (key,)).fetchone()
        return (row[0], row[1] or 0, row[2] or 0) if row else None

    def put(self, key: str, reply: str, input_tokens: int, output_tokens: int) -> None:
        """Store a validated reply."""
        with self._lock, self._conn:
            self._conn.execute("INSERT OR REPLACE INTO replies VALUES (?, ?, ?, ?)",
                               (key, reply, input_tokens, output_tokens))

    def __len__(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM replies").fetchone()[0]
