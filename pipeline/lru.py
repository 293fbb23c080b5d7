"""One small thread-safe LRU cache, and an embedder wrapper that uses it."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

import numpy as np

from pipeline.ports import Embedder

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """At most `size` entries; the least recently used one goes first."""

    def __init__(self, size: int):
        self._data: OrderedDict[K, V] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """The cached value, refreshed as most recently used, or None."""
        with self._lock:
            if key not in self._data:
                return None
            self._data.move_to_end(key)
            return self._data[key]

    def put(self, key: K, value: V) -> None:
        """Store a value, evicting the oldest entry when full."""
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self._size:
                self._data.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._data)


class CachedEmbedder:
    """An Embedder that remembers the vectors of texts it has embedded (queries, passage sentences)."""

    def __init__(self, embedder: Embedder, size: int = 20000):
        self.inner = embedder
        self.name = embedder.name
        self._cache: LRUCache[str, np.ndarray] = LRUCache(size)

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text; only texts not seen recently reach the model, in one call."""
        known = {t: v for t in dict.fromkeys(texts) if (v := self._cache.get(t)) is not None}
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if missing:
            for text, vector in zip(missing, self.inner.embed(missing)):
                known[text] = vector
                self._cache.put(text, vector)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([known[t] for t in texts])
