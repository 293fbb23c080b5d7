"""A Chroma embedding function that marks a collection's vectors as computed by the application.

Registered by name, so a collection reopened later rebuilds this function instead of falling back to Chroma's
default (which would try to download a model). Imported lazily: importing chromadb takes about a second.
"""

from __future__ import annotations

from typing import Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function

from pipeline.errors import StoreError


@register_embedding_function
class PrecomputedVectors(EmbeddingFunction[Documents]):
    """Marker function: this collection's vectors are computed by the application, never by Chroma."""

    def __init__(self, embedding: str = ""):
        self.embedding = embedding

    def __call__(self, input: Documents) -> Embeddings:
        raise StoreError("This collection stores precomputed vectors",
                         "Search it through `python -m pipeline search`, not with query_texts")

    @staticmethod
    def name() -> str:
        """The name Chroma records with the collection."""
        return "factcheck-precomputed"

    def get_config(self) -> dict[str, Any]:
        """What Chroma stores to rebuild this function."""
        return {"embedding": self.embedding}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> PrecomputedVectors:
        """Rebuild from the stored config."""
        return PrecomputedVectors(config.get("embedding", ""))

    def default_space(self) -> str:  # type: ignore[override]
        """Cosine distance, like the vectors we store (L2-normalised)."""
        return "cosine"
