"""A disk cache of embedding vectors (SQLite), so a new process does not embed the same sentences again."""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import threading
from pathlib import Path

import numpy as np

from pipeline.ports import Embedder

log = logging.getLogger(__name__)
MAX_ROWS = 100_000  # ~1.6 KB per 384-dimension vector: ~160 MB at most; the oldest rows go first
_BATCH = 500  # SQLite's bound-parameter limit is 999 on older builds


class DiskCachedEmbedder:
    """An Embedder that keeps every vector it computed in a SQLite file shared by all processes of a data dir.

    It is only a cache: the file can be deleted at any time, and a file that cannot be read or written (corrupt,
    read-only, disk full) switches the cache off for this process with one warning instead of failing a check.
    """

    def __init__(self, embedder: Embedder, path: Path, max_rows: int = MAX_ROWS):
        self.inner, self.name = embedder, embedder.name
        self.path, self.max_rows = path, max_rows
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._broken = False

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text: vectors stored by any earlier process are read, only the others are computed."""
        keys = [self._key(t) for t in texts]
        found = self._read(list(dict.fromkeys(keys)))
        missing = {k: t for k, t in zip(keys, texts, strict=True) if k not in found}
        if missing:
            vectors = self.inner.embed(list(missing.values()))
            computed = dict(zip(missing, vectors, strict=True))
            self._write(computed)
            found.update(computed)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[k] for k in keys])

    def __len__(self) -> int:
        with self._lock:
            conn = self._connection()
            return conn.execute("SELECT COUNT(*) FROM vectors").fetchone()[0] if conn else 0

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.name}\0{text}".encode()).hexdigest()[:32]

    def _read(self, keys: list[str]) -> dict[str, np.ndarray]:
        found: dict[str, np.ndarray] = {}
        with self._lock:
            conn = self._connection()
            if conn is None:
                return found
            try:
                for start in range(0, len(keys), _BATCH):
                    part = keys[start:start + _BATCH]
                    marks = ",".join("?" * len(part))
                    rows = conn.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part).fetchall()
                    found.update((key, np.frombuffer(blob, dtype=np.float32)) for key, blob in rows
                                 if blob and len(blob) % 4 == 0)
            except sqlite3.Error as exc:
                self._give_up(exc)
        return found

    def _write(self, vectors: dict[str, np.ndarray]) -> None:
        with self._lock:
            conn = self._connection()
            if conn is None:
                return
            try:
                with conn:
                    conn.executemany("INSERT OR IGNORE INTO vectors (key, vector) VALUES (?, ?)",
                                     [(k, np.asarray(v, dtype=np.float32).tobytes()) for k, v in vectors.items()])
                    conn.execute("DELETE FROM vectors WHERE rowid <= (SELECT MAX(rowid) FROM vectors) - ?",
                                 (self.max_rows,))
            except sqlite3.Error as exc:
                self._give_up(exc)

    def _connection(self) -> sqlite3.Connection | None:
        """The open database (created on first use), or None once it failed."""
        if self._conn is None and not self._broken:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
                self._conn = conn
            except (sqlite3.Error, OSError) as exc:
                self._give_up(exc)
        return self._conn

    def _give_up(self, exc: Exception) -> None:
        """Work on without the disk cache (vectors are still computed), saying once how to get it back."""
        self._broken, self._conn = True, None
        log.warning("The embedding cache %s cannot be used (%s); checks go on without it. Delete the file to "
                    "rebuild it.", self.path, exc)
