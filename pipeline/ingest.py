"""Add reference articles to the evidence store: load, clean, chunk, embed new chunks, write whole articles."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field

from pipeline.chunking import chunk_article
from pipeline.config import IngestSettings
from pipeline.errors import InputError
from pipeline.loaders import discover_files, load_file
from pipeline.ports import Embedder, EvidenceStore
from pipeline.retrieval import index_text
from pipeline.types import Article, ArticleRef, Chunk

Progress = Callable[[int, int, str], None]


class IngestFailure(BaseModel):
    """A file that could not be ingested, and why."""

    name: str
    reason: str


class IngestReport(BaseModel):
    """What an ingest added, skipped as already stored, and refused."""

    added_articles: int = 0
    skipped_articles: int = 0
    added_chunks: int = 0
    skipped_chunks: int = 0
    failed: list[IngestFailure] = Field(default_factory=list)
    article_ids: list[str] = Field(default_factory=list)

    def summary(self) -> str:
        """One line for humans."""
        line = (f"Added {self.added_articles} article(s) / {self.added_chunks} chunk(s); "
                f"skipped {self.skipped_articles} already stored article(s) / {self.skipped_chunks} chunk(s)")
        if self.failed:
            line += f"; {len(self.failed)} file(s) failed"
        return line + "."


class ArticleSummary(BaseModel):
    """One stored reference article, as listed in the library."""

    article: ArticleRef
    chunks: int


def ingest_articles(articles: list[Article], store: EvidenceStore, embedder: Embedder,
                    settings: IngestSettings, contextual_header: bool = True,
                    progress: Progress | None = None, report: IngestReport | None = None) -> IngestReport:
    """Chunk and store articles in batches: one existence check per batch, only new chunks are embedded."""
    report = report or IngestReport()
    batch: list[list[Chunk]] = []
    for done, article in enumerate(articles, start=1):
        batch.append(chunk_article(article, settings.chunk_chars, settings.overlap_sentences))
        report.article_ids.append(article.id)
        if sum(len(group) for group in batch) >= settings.write_batch_chunks or done == len(articles):
            _store_new(batch, store, embedder, contextual_header, report)
            batch = []
        if progress:
            progress(done, len(articles), article.title or article.source)
    return report


def _store_new(groups: list[list[Chunk]], store: EvidenceStore, embedder: Embedder, contextual_header: bool,
               report: IngestReport) -> None:
    """Count known and new chunks; articles with anything new are embedded and stored whole, in one write.

    Writing the whole article (not only its missing chunks) keeps each chunk's n_chunks the article's total.
    """
    known = store.existing_ids([c.id for group in groups for c in group])
    fresh: list[Chunk] = []
    for group in groups:
        new = [c for c in group if c.id not in known]
        report.added_articles += bool(new)
        report.skipped_articles += not new
        report.added_chunks += len(new)
        report.skipped_chunks += len(group) - len(new)
        if new:
            fresh += group
    if fresh:
        vectors = embedder.embed([index_text(c, contextual_header) for c in fresh])
        store.add_chunks(fresh, vectors)


def ingest_paths(paths: list[str | Path], store: EvidenceStore, embedder: Embedder,
                 settings: IngestSettings, contextual_header: bool = True,
                 progress: Progress | None = None) -> IngestReport:
    """Ingest files and folders; bad files are reported one by one and never stop the others."""
    files, skipped = discover_files(paths)
    report = IngestReport(failed=[IngestFailure(name=n, reason=r) for n, r in skipped])
    articles: list[Article] = []
    for path in files:
        try:
            articles.append(load_file(path, settings.max_file_mb))
        except InputError as exc:
            report.failed.append(IngestFailure(name=str(path), reason=exc.user_message()))
        except OSError as exc:
            report.failed.append(IngestFailure(name=str(path), reason=f"cannot read it ({exc.strerror})."))
    return ingest_articles(articles, store, embedder, settings, contextual_header, progress, report)


def list_articles(store: EvidenceStore) -> list[ArticleSummary]:
    """Stored articles with their chunk counts, newest first by date then title."""
    by_article: dict[str, ArticleSummary] = {}
    for chunk in store.iter_chunks():
        entry = by_article.setdefault(chunk.article.id, ArticleSummary(article=chunk.article, chunks=0))
        entry.chunks += 1
    return sorted(by_article.values(), key=lambda a: (a.article.date, a.article.title), reverse=True)
