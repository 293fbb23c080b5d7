"""The Climate-FEVER evidence pool as the project stores it: one article per sentence, real ingest path."""

from __future__ import annotations

from pathlib import Path

from bench.datasets import CFEvidence
from pipeline.config import Settings
from pipeline.ingest import IngestReport, ingest_articles
from pipeline.ports import Embedder, EvidenceStore
from pipeline.types import Article


def evidence_articles(evidence: list[CFEvidence]) -> list[Article]:
    """Each evidence sentence as an article titled with its Wikipedia article; source = evidence id."""
    return [Article.from_text(e.text, title=e.article, source=e.evidence_id) for e in evidence]


def bench_dir(settings: Settings) -> Path:
    """Where benchmark stores live: under the data dir, reused between runs (content-hash ids)."""
    return settings.data_dir / "bench"


def pool_settings(settings: Settings, name: str) -> Settings:
    """Settings for a private embedded store named `name` under the benchmark folder."""
    vectorstore = settings.vectorstore.model_copy(update={"mode": "embedded", "collection": name})
    return settings.model_copy(update={"data_dir": bench_dir(settings), "vectorstore": vectorstore})


def open_pool(settings: Settings, embedder: Embedder, name: str) -> EvidenceStore:
    """The benchmark store called `name` (created empty if new)."""
    from vectorstore.chroma_store import build_store

    return build_store(pool_settings(settings, name), embedder.name)


def fill_pool(store: EvidenceStore, embedder: Embedder, settings: Settings, evidence: list[CFEvidence],
              header: bool) -> IngestReport:
    """Ingest the pool through the project's ingest (sentences already stored are skipped, not re-embedded)."""
    return ingest_articles(evidence_articles(evidence), store, embedder, settings.ingest, contextual_header=header)
