"""Data at rest: files under data_dir readable by the owner only, consistent backups and restores of data_dir.

SQLite files (reviews, caches, the article catalog, Chroma's own database) are copied with SQLite's online backup
API, so a reviewer saving during a backup is neither blocked for long nor half-copied. Every other file (run
documents, which are replaced atomically; Chroma's vector segments; the keyword index) is copied as it is.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

from pipeline.config import Settings
from pipeline.errors import InputError

MANIFEST = "manifest.json"
FORMAT = 1
_SQLITE_MAGIC = b"SQLite format 3\x00"
_SIDE_FILES = ("-wal", "-shm", "-journal")
Progress = Callable[[int, int, str], None]


def private_files(data_dir: Path) -> None:
    """From now on create files and folders readable by the owner only, and close data_dir itself to others."""
    os.umask(0o077)
    if data_dir.is_dir():
        data_dir.chmod(0o700)


class BackupReport(BaseModel):
    """What a backup or restore copied, how long it took, and what the person should know."""

    files: int = 0
    bytes: int = 0
    seconds: float = 0.0
    notes: list[str] = Field(default_factory=list)

    def summary(self, verb: str, where: str) -> str:
        """One line for humans."""
        return f"{verb} {self.files} files ({self.bytes / 1e6:.1f} MB) {where} in {self.seconds:.1f} s."


def _close_folders(root: Path) -> None:
    """Folders readable by the owner only (mkdir's mode does not reach the parents it creates)."""
    for folder in [root, *(p for p in root.rglob("*") if p.is_dir())]:
        folder.chmod(0o700)


def _is_sqlite(path: Path) -> bool:
    """Whether a file is a SQLite database (by its header, whatever its name)."""
    with path.open("rb") as handle:
        return handle.read(16) == _SQLITE_MAGIC


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def _copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (online backup API; writers in WAL mode carry on)."""
    src = sqlite3.connect(str(source), timeout=30)
    dst = sqlite3.connect(str(target))
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _files(data_dir: Path) -> list[Path]:
    """Files to copy: everything under data_dir except SQLite's side files (the backup API reads through them)."""
    return sorted(p for p in data_dir.rglob("*") if p.is_file() and not p.name.endswith(_SIDE_FILES))


def _check_target(data_dir: Path, target: Path) -> None:
    """Refuse a backup folder inside the data dir (or around it), or one that already holds files."""
    if target == data_dir or data_dir in target.parents or target in data_dir.parents:
        raise InputError(f"{target} is inside the data dir (or contains it)", "Back up to a folder outside it")
    if target.exists() and any(target.iterdir()):
        raise InputError(f"{target} is not empty", "Give a new or empty folder for the backup")


def backup(settings: Settings, target: Path, progress: Progress | None = None) -> BackupReport:
    """Copy everything under data_dir to `target` (a new or empty folder) with a manifest of sizes and hashes."""
    started, data_dir, target = time.monotonic(), settings.data_dir.resolve(), target.resolve()
    if not data_dir.is_dir():
        raise InputError(f"There is no data dir at {data_dir}", "Pass --data-dir or set FACTCHECK_DATA_DIR")
    _check_target(data_dir, target)
    target.mkdir(mode=0o700, parents=True, exist_ok=True)
    files, report, manifest = _files(data_dir), BackupReport(), {}
    for done, path in enumerate(files, start=1):
        relative = path.relative_to(data_dir)
        out = target / "data" / relative
        out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            _copy_sqlite(path, out) if _is_sqlite(path) else shutil.copyfile(path, out)
        except FileNotFoundError:  # an index file replaced while we copied: doctor rebuilds it from Chroma
            report.notes.append(f"{relative} changed during the backup: run `python -m pipeline doctor` after a "
                                "restore")
            continue
        out.chmod(0o600)
        manifest[str(relative)] = {"size": out.stat().st_size, "sha256": _sha256(out)}
        report.files, report.bytes = report.files + 1, report.bytes + out.stat().st_size
        if progress:
            progress(done, len(files), str(relative))
    report.notes += _limits(settings, data_dir)
    (target / MANIFEST).write_text(json.dumps({"format": FORMAT, "created_at": datetime.now(UTC).isoformat(
        timespec="seconds"), "vectorstore_mode": settings.vectorstore.mode, "files": manifest}, indent=1))
    (target / MANIFEST).chmod(0o600)
    _close_folders(target)
    report.seconds = time.monotonic() - started
    return report


def _limits(settings: Settings, data_dir: Path) -> list[str]:
    """What this backup does not hold."""
    notes = []
    if settings.vectorstore.mode == "http":
        notes.append("The evidence store runs as a Chroma server: its passages are not in this backup; back up "
                     "the server's --path folder with the server stopped (see README, Backups)")
    index_dir = Path(settings.vectorstore.index_dir).resolve() if settings.vectorstore.index_dir else None
    if index_dir and data_dir not in index_dir.parents:
        notes.append(f"The keyword index and catalog live outside the data dir ({index_dir}): they are not in "
                     "this backup; run `python -m pipeline doctor` after a restore to rebuild them")
    return notes


def restore(settings: Settings, source: Path, progress: Progress | None = None) -> BackupReport:
    """Bring a backup back into an empty or new data dir, checking every file against the manifest."""
    started, data_dir, source = time.monotonic(), settings.data_dir.resolve(), source.resolve()
    try:
        manifest = json.loads((source / MANIFEST).read_text())["files"]
    except (OSError, ValueError, KeyError):
        raise InputError(f"{source} is not a backup made by `python -m pipeline backup`",
                         "Give the folder that holds manifest.json") from None
    if data_dir.exists() and any(data_dir.iterdir()):
        raise InputError(f"The data dir {data_dir} is not empty",
                         "Restore into a new data dir (--data-dir), or move the current one aside first")
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".restoring-", dir=data_dir.parent))
    report = BackupReport()
    try:
        for done, (relative, meta) in enumerate(sorted(manifest.items()), start=1):
            src, out = source / "data" / relative, staging / relative
            if not src.is_file() or _sha256(src) != meta["sha256"]:
                raise InputError(f"{relative} in the backup is missing or damaged", "Restore from another backup")
            out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            shutil.copyfile(src, out)
            out.chmod(0o600)
            report.files, report.bytes = report.files + 1, report.bytes + meta["size"]
            if progress:
                progress(done, len(manifest), relative)
        if data_dir.exists():
            data_dir.rmdir()
        _close_folders(staging)
        staging.rename(data_dir)  # all or nothing: the data dir appears only once every file is in place
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report.seconds = time.monotonic() - started
    return report
