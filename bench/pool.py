"""The Climate-FEVER evidence pool as the project stores it: one article per sentence, real ingest path."""

from __future__ import annotations

from pathlib import Path

from bench.datasets import CFEvidence
from pipeline.archive import Archive
from pipeline.config import Settings
from pipeline.ingest import IngestReport, ingest_articles
from pipeline.maintenance import reindex
from pipeline.ports import Embedder
from pipeline.types import Article


def evidence_articles(evidence: list[CFEvidence]) -> list[Article]:
    """Each evidence sentence as an article titled with its Wikipedia article; source = evidence id."""
    return [Article.from_text(e.text, title=e.article, source=e.evidence_id) for e in evidence]


def bench_dir(settings: Settings) -> Path:
    """Where benchmark stores live: under the data dir, reused between runs (content-hash ids)."""
    return settings.data_dir / "bench"


def pool_settings(settings: Settings, name: str, header: bool) -> Settings:
    """Settings for a private embedded store named `name` under the benchmark folder."""
    vectorstore = settings.vectorstore.model_copy(update={"mode": "embedded", "collection": name, "index_dir": ""})
    retrieval = settings.retrieval.model_copy(update={"contextual_header": header})
    return settings.model_copy(update={"data_dir": bench_dir(settings), "vectorstore": vectorstore,
                                       "retrieval": retrieval})


def open_pool(settings: Settings, embedder: Embedder, name: str, header: bool) -> Archive:
    """The benchmark store called `name` (created empty if new), with its keyword index and catalog."""
    from factcheck.wiring import build_archive

    archive = build_archive(pool_settings(settings, name, header), embedder.name)
    if archive.keywords.count() == 0 and archive.count():  # a pool stored before the keyword index existed
        reindex(archive)
    return archive


def fill_pool(store: Archive, embedder: Embedder, settings: Settings, evidence: list[CFEvidence],
              header: bool) -> IngestReport:
    """Ingest the pool through the project's ingest (sentences already stored are skipped, not re-embedded)."""
    return ingest_articles(evidence_articles(evidence), store, embedder, settings.ingest, contextual_header=header)
