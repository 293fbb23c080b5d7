"""The small interfaces the pipeline depends on; vectorstore/ and llm/ implement them."""

from __future__ import annotations

from typing import Iterable, Protocol, TypeVar

import numpy as np
from pydantic import BaseModel

from pipeline.prompts import RenderedPrompt
from pipeline.types import Chunk, Usage

T = TypeVar("T", bound=BaseModel)


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    name: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """One row per text."""


class EvidenceStore(Protocol):
    """Persistent passages with vectors and metadata (Chroma in production)."""

    def add_chunks(self, chunks: list[Chunk], vectors: np.ndarray) -> None:
        """Store one article's chunks in a single write."""

    def existing_ids(self, ids: list[str]) -> set[str]:
        """Which of these chunk ids are already stored."""

    def dense_search(self, vector: np.ndarray, k: int,
                     exclude_article_id: str = "") -> list[tuple[Chunk, float]]:
        """Nearest chunks by cosine similarity (higher is closer)."""

    def iter_chunks(self) -> Iterable[Chunk]:
        """Every stored chunk (for keyword indexing and listings)."""

    def get_chunks(self, ids: list[str]) -> list[Chunk]:
        """The stored chunks with these ids, in that order (missing ids are skipped)."""

    def delete_article(self, article_id: str) -> int:
        """Remove an article's chunks; return how many were removed."""

    def count(self) -> int:
        """Number of stored chunks."""

    def version(self) -> str:
        """Changes whenever the stored set changes (for cache invalidation)."""


class StructuredLLM(Protocol):
    """Answers a rendered prompt with an instance of a pydantic schema, counting usage."""

    provider: str
    model: str

    def generate(self, prompt: RenderedPrompt, schema: type[T], usage: Usage) -> T:
        """Call the model (or the cache) and return validated output; raise LLMError on failure."""
