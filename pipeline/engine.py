"""What the pipeline needs from an engine; the composition root (factcheck.wiring) builds one from settings."""

from __future__ import annotations

from typing import Protocol

from pipeline.archive import Archive
from pipeline.config import Settings
from pipeline.factcheck_library import FactCheckLibrary
from pipeline.ports import ClaimExtractor, Embedder, StanceJudge, StructuredLLM
from pipeline.retrieval import Retriever
from pipeline.types import EngineInfo


class Engine(Protocol):
    """Every part a check, an ingest or a search uses, already wired to the configured implementations."""

    @property
    def settings(self) -> Settings:
        """The settings the parts were built from."""

    @property
    def embedder(self) -> Embedder:
        """The embedding for passages and queries."""

    @property
    def store(self) -> Archive:
        """The evidence store: chunks and vectors, the keyword index and the article catalog."""

    @property
    def retriever(self) -> Retriever:
        """Hybrid search over the store."""

    @property
    def factchecks(self) -> FactCheckLibrary:
        """Published fact-checks, kept apart from the evidence."""

    @property
    def llm(self) -> StructuredLLM | None:
        """The model behind extraction and stance (None for the offline engine)."""

    @property
    def extractor(self) -> ClaimExtractor:
        """Proposes claims for an article."""

    @property
    def judge(self) -> StanceJudge:
        """Judges passages against claims."""

    @property
    def info(self) -> EngineInfo:
        """Which engine this is, recorded in every result."""

    @property
    def prompt_versions(self) -> dict[str, str]:
        """Versions of every prompt or cue model that produced results."""
