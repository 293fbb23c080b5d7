"""Progress on stderr for long commands: tqdm bars on a terminal, one plain line per step otherwise (logs, tests)."""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

from pipeline.run import ProgressEvent

STAGE_NAMES = {"extract": "extracting claims", "retrieve": "retrieving passages", "claims": "checking claims",
               "ingest": "ingesting", "reindex": "reindexing",
               "factchecks": "reading fact-checks", "factchecks-stored": "storing fact-checks"}
STAGE_UNITS = {"extract": "windows", "retrieve": "claims", "claims": "claims", "ingest": "files",
               "reindex": "passages", "factchecks": "bytes", "factchecks-stored": "fact-checks"}


def eta(done: int, total: int, elapsed: float, unit: str = "", since: int = 0) -> str:
    """Elapsed time and, once something is done, a naive estimate of what is left and the rate (per `unit`);
    `since` is how many were already done when the clock started (they took no measured time)."""
    measured = done - since
    if measured <= 0 or elapsed <= 0:
        return f"{elapsed:.1f} s elapsed"
    per_second = measured / elapsed
    rate = "" if not unit else (f" · {per_second:.1f} {unit}/s" if per_second >= 0.1 else
                                f" · {elapsed / measured:.0f} s each")  # a slow model's rate would read "0.0/s"
    if done >= total:
        return f"{elapsed:.1f} s elapsed{rate}"
    return f"{elapsed:.1f} s elapsed, ~{elapsed / measured * (total - done):.0f} s left{rate}"


class StageProgress:
    """One bar (or stream of lines) per stage: pass it as a check's progress callback, or call `show`."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.interactive = self.stream.isatty()
        self.bars: dict[str, Any] = {}
        self.started: dict[str, tuple[float, int]] = {}

    def __call__(self, event: ProgressEvent) -> None:
        """Show one progress event of a check."""
        if event.stage != "done":
            speed = f"{event.tokens_per_second:.1f} tokens/s" if event.tokens_per_second else ""
            self.show(event.stage, event.done, event.total, event.message, speed)

    def show(self, stage: str, done: int, total: int, message: str = "", speed: str = "") -> None:
        """Show that `done` of `total` items of a stage are finished."""
        started, done_at_start = self.started.setdefault(stage, (time.monotonic(), done))
        name = STAGE_NAMES.get(stage, stage)
        unit = STAGE_UNITS.get(stage, "items")
        timing = eta(done, total, time.monotonic() - started, unit, done_at_start) + (f" · {speed}" if speed else "")
        if self.interactive:
            self._bar(stage, name, done, total, timing, unit)
            return
        detail = f" · {message[:80]}" if message else ""
        print(f"{name}: {done}/{total} · {timing}{detail}", file=self.stream, flush=True)

    def _bar(self, stage: str, name: str, done: int, total: int, timing: str, unit: str) -> None:
        """Move the stage's tqdm bar."""
        from tqdm import tqdm

        bar = self.bars.get(stage)
        if bar is None:
            bar = self.bars[stage] = tqdm(total=total, desc=name, unit=unit, file=self.stream, leave=False)
        bar.total = total
        bar.set_postfix_str(timing, refresh=False)
        bar.update(done - bar.n)

    def close(self) -> None:
        """Remove the bars."""
        for bar in self.bars.values():
            bar.close()
