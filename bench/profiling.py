"""Timing wrappers that split an ingest into embedding, store and the rest (loading, cleaning, chunking)."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from pydantic import BaseModel


class Stopwatch(BaseModel):
    """Seconds spent per named part."""

    seconds: dict[str, float] = {}

    def add(self, part: str, seconds: float) -> None:
        """Add time to a part."""
        self.seconds[part] = self.seconds.get(part, 0.0) + seconds


class TimedEmbedder:
    """An embedder that records the time spent embedding."""

    def __init__(self, inner, watch: Stopwatch):
        self.inner, self.watch, self.name = inner, watch, inner.name

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed through the wrapped embedder, timing it."""
        started = time.perf_counter()
        try:
            return self.inner.embed(texts)
        finally:
            self.watch.add("embedding", time.perf_counter() - started)


class TimedStore:
    """An evidence store that records the time spent in its calls (everything else is passed through)."""

    def __init__(self, inner, watch: Stopwatch):
        self.inner, self.watch = inner, watch

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self.inner, name)
        if not callable(attribute):
            return attribute

        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return attribute(*args, **kwargs)
            finally:
                self.watch.add(f"store.{name}", time.perf_counter() - started)

        return timed
