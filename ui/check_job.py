"""A check running in a background thread that survives reruns: progress, tokens/s, time left, and Cancel."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pipeline.errors import FactCheckError
from pipeline.run import ProgressEvent
from pipeline.types import RunResult

Work = Callable[[Callable[[ProgressEvent], None], threading.Event], RunResult]


@dataclass
class CheckJob:
    """One check: its thread, its latest progress per stage, and how it ended."""

    work: Work
    # "article" (extraction, then claims) or "claims" (claims a person handed in: no extraction stage).
    kind: str = "article"
    stop: threading.Event = field(default_factory=threading.Event)
    latest: dict[str, ProgressEvent] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    result: RunResult | None = None
    error: str = ""
    thread: threading.Thread | None = None

    def start(self) -> CheckJob:
        """Run the work in a daemon thread (it keeps going if the person leaves the page)."""
        self.thread = threading.Thread(target=self._run, daemon=True, name="check")
        self.thread.start()
        return self

    def _run(self) -> None:
        try:
            self.result = self.work(self.record, self.stop)
        except FactCheckError as exc:
            self.error = exc.user_message()
        except Exception as exc:  # shown as one line; the page never shows a traceback
            self.error = f"The check failed unexpectedly ({type(exc).__name__}: {exc})."

    def record(self, event: ProgressEvent) -> None:
        """Keep the latest event of each stage (called from the worker thread)."""
        self.latest[event.stage] = event

    def cancel(self) -> None:
        """Stop what has not started; calls in flight finish and are cached."""
        self.stop.set()

    @property
    def running(self) -> bool:
        """True until the work returned or failed."""
        return self.thread is not None and self.thread.is_alive()

    def elapsed(self) -> float:
        """Seconds since the check started."""
        return time.monotonic() - self.started


def claims_status(job: CheckJob) -> str:
    """Where the claim checks are, with the model's speed and an estimate of the time left."""
    event = job.latest.get("claims")
    if event is None and job.kind == "claims":
        return "Checking claims: retrieving passages"
    if event is None:
        extract = job.latest.get("extract")
        done = extract is not None and extract.done >= extract.total
        return "Checking claims: waiting for extraction" if not done else "Checking claims: retrieving passages"
    parts = [f"Checking claims: {event.done} of {event.total}", f"{job.elapsed():.0f} s elapsed"]
    if 0 < event.done < event.total:
        per_claim = job.elapsed() / event.done
        parts.append(f"about {per_claim * (event.total - event.done):.0f} s left")
    if event.tokens_per_second:
        parts.append(f"model {event.tokens_per_second:.1f} tokens/s")
    return " · ".join(parts)
