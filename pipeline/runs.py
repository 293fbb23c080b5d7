"""Saved runs: one JSON document per run under the data dir, written atomically."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from pydantic import BaseModel, ValidationError

from pipeline.errors import NotFoundError, redact
from pipeline.types import RunResult

_RUN_ID = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


class RunSummary(BaseModel):
    """A run as listed for picking one."""

    run_id: str
    created_at: str
    title: str
    claims: int
    failed: int
    engine: str


def write_atomic(path: Path, text: str) -> None:
    """Write a file so readers see either the old or the new content, never half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class RunStore:
    """Runs as <runs_dir>/<run_id>.json."""

    def __init__(self, directory: Path):
        self.directory = directory

    def path(self, run_id: str) -> Path:
        """File of a run; refuses ids that could escape the folder."""
        if not _RUN_ID.match(run_id):
            raise NotFoundError(f"'{run_id}' is not a valid run id", "Copy the id from `python -m pipeline runs`")
        return self.directory / f"{run_id}.json"

    def save(self, result: RunResult) -> Path:
        """Save a run, giving it a fresh id if the id is already taken by another run."""
        base, path, suffix = result.run_id, self.path(result.run_id), 1
        while path.exists():
            suffix += 1
            result.run_id = f"{base}-{suffix}"
            path = self.path(result.run_id)
        write_atomic(path, redact(result.model_dump_json(indent=1)))
        return path

    def load(self, run_id: str) -> RunResult:
        """A saved run, or NotFoundError with where to look."""
        path = self.path(run_id)
        if not path.exists():
            raise NotFoundError(f"No run '{run_id}' in {self.directory}",
                                "List runs with `python -m pipeline runs` (and check FACTCHECK_DATA_DIR)")
        try:
            return RunResult.model_validate_json(path.read_text(encoding="utf-8"))
        except ValidationError as exc:
            raise NotFoundError(f"Run file {path.name} is damaged ({exc.error_count()} problems)",
                                "Re-run the check to recreate it") from None

    def list(self) -> list[RunSummary]:
        """All runs, newest first; unreadable files are skipped."""
        if not self.directory.exists():
            return []
        summaries = []
        for path in self.directory.glob("*.json"):
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
                claims = data.get("claims", [])
                engine = data.get("engine", {})
                summaries.append(RunSummary(
                    run_id=data["run_id"], created_at=data.get("created_at", ""),
                    title=data.get("article", {}).get("title", ""), claims=len(claims),
                    failed=sum(1 for c in claims if c.get("status") == "failed"),
                    engine="offline" if engine.get("kind") == "offline" else
                    f"{engine.get('provider', '')} {engine.get('model', '')}".strip()))
            except (OSError, ValueError, KeyError):
                continue
        return sorted(summaries, key=lambda s: (s.created_at, s.run_id), reverse=True)
