"""Add reference articles to the evidence store: load, clean, chunk, embed new chunks, write whole articles.

Files are read one write batch at a time, so a folder of any size streams through in bounded memory. Content
seen twice — two files that clean to the same text, inside one batch or across batches, or text already stored
— is skipped and counted, never an error.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from pathlib import Path

from pydantic import BaseModel, Field

from pipeline.archive import Archive, index_text
from pipeline.chunking import chunk_article
from pipeline.config import IngestSettings
from pipeline.errors import InputError
from pipeline.loaders import discover_files, fetch_url, load_file
from pipeline.ports import ArticleCatalog, ArticleSummary, Embedder
from pipeline.types import Article, Chunk

Progress = Callable[[int, int, str], None]


class IngestFailure(BaseModel):
    """A file that could not be ingested, and why."""

    name: str
    reason: str


class IngestDuplicate(BaseModel):
    """A file whose cleaned text equals one met earlier in the same ingest (skipped)."""

    name: str
    same_as: str


class IngestReport(BaseModel):
    """What an ingest added, skipped as already stored or duplicate, and refused."""

    added_articles: int = 0
    skipped_articles: int = 0
    added_chunks: int = 0
    skipped_chunks: int = 0
    duplicates: list[IngestDuplicate] = Field(default_factory=list)
    failed: list[IngestFailure] = Field(default_factory=list)
    article_ids: list[str] = Field(default_factory=list)

    def summary(self) -> str:
        """One line for humans."""
        line = (f"Added {self.added_articles} article(s) / {self.added_chunks} chunk(s); "
                f"skipped {self.skipped_articles} already stored article(s) / {self.skipped_chunks} chunk(s)")
        if self.duplicates:
            line += f"; skipped {len(self.duplicates)} duplicate(s) of another file"
        if self.failed:
            line += f"; {len(self.failed)} file(s) failed"
        return line + "."


class _Batcher:
    """Collects whole articles until a write batch is full, then stores what is new in one write."""

    def __init__(self, store: Archive, embedder: Embedder, settings: IngestSettings, contextual_header: bool,
                 report: IngestReport):
        self.store, self.embedder, self.settings = store, embedder, settings
        self.contextual_header, self.report = contextual_header, report
        self.groups: list[list[Chunk]] = []
        self.first_source: dict[str, str] = {}

    def add(self, article: Article) -> None:
        """Queue an article, unless the same text was already met in this ingest."""
        name = article.source or article.title or article.id
        if article.id in self.first_source:
            self.report.duplicates.append(IngestDuplicate(name=name, same_as=self.first_source[article.id]))
            return
        self.first_source[article.id] = name
        self.report.article_ids.append(article.id)
        self.groups.append(chunk_article(article, self.settings.chunk_chars, self.settings.overlap_sentences))

    def full(self) -> bool:
        """Whether the queued chunks fill a write batch."""
        return sum(len(group) for group in self.groups) >= self.settings.write_batch_chunks

    def flush(self) -> None:
        """Count known and new chunks; articles with anything new are embedded and stored whole, in one write.

        Writing the whole article (not only its missing chunks) keeps each chunk's n_chunks the article's total.
        """
        groups, self.groups = self.groups, []
        if not groups:
            return
        known = self.store.existing_ids([c.id for group in groups for c in group])
        fresh: list[Chunk] = []
        stored: list[Chunk] = []
        for group in groups:
            new = [c for c in group if c.id not in known]
            self.report.added_articles += bool(new)
            self.report.skipped_articles += not new
            self.report.added_chunks += len(new)
            self.report.skipped_chunks += len(group) - len(new)
            (fresh if new else stored).extend(group)
        if fresh:
            vectors = self.embedder.embed([index_text(c, self.contextual_header) for c in fresh])
            self.store.add_chunks(fresh, vectors)
        if stored:
            self.store.list_stored(stored)


def ingest_articles(articles: list[Article], store: Archive, embedder: Embedder, settings: IngestSettings,
                    contextual_header: bool | None = None, progress: Progress | None = None,
                    report: IngestReport | None = None) -> IngestReport:
    """Chunk and store articles in batches: one existence check per batch, only new chunks are embedded."""
    return _ingest(((a, a.title or a.source) for a in articles), len(articles), store, embedder, settings,
                   contextual_header, progress, report or IngestReport())


def _ingest(items: Iterable[tuple[Article | None, str]], total: int, store: Archive, embedder: Embedder,
            settings: IngestSettings, contextual_header: bool | None, progress: Progress | None,
            report: IngestReport) -> IngestReport:
    """Feed (article or None for a failed item, name) pairs through a batcher.

    Progress is reported after each write as (items done, total, the last item's name).
    """
    header = store.contextual_header if contextual_header is None else contextual_header
    batcher = _Batcher(store, embedder, settings, header, report)
    done, name = 0, ""
    for done, (article, name) in enumerate(items, start=1):
        if article is None:
            continue
        if progress and not report.article_ids:
            progress(done - 1, total, "")  # starts the clock, so the first rate and estimate include the first write
        batcher.add(article)
        if batcher.full():
            batcher.flush()
            if progress:
                progress(done, total, name)
    batcher.flush()
    if progress and report.article_ids:
        progress(done, total, name)
    return report


def _load_each(files: list[Path], max_file_mb: float, report: IngestReport) -> Iterator[tuple[Article | None, str]]:
    """Each file as an article (None when it cannot be used; the reason goes into the report)."""
    for path in files:
        try:
            yield load_file(path, max_file_mb), path.name
        except InputError as exc:
            report.failed.append(IngestFailure(name=str(path), reason=exc.user_message()))
            yield None, path.name
        except OSError as exc:
            report.failed.append(IngestFailure(name=str(path), reason=f"cannot read it ({exc.strerror})."))
            yield None, path.name


def _fetch_each(urls: list[str], settings: IngestSettings, report: IngestReport,
                ) -> Iterator[tuple[Article | None, str]]:
    """Each URL fetched safely (pipeline/fetch.py) as an article (None when refused; the reason is reported)."""
    for url in urls:
        try:
            yield fetch_url(url, settings), url
        except InputError as exc:
            report.failed.append(IngestFailure(name=url, reason=exc.user_message()))
            yield None, url


def ingest_paths(paths: list[str | Path], store: Archive, embedder: Embedder, settings: IngestSettings,
                 contextual_header: bool | None = None, progress: Progress | None = None) -> IngestReport:
    """Ingest URLs, files and folders, streaming; bad items are reported one by one and never stop the others."""
    urls = [str(p) for p in paths if isinstance(p, str) and "://" in p]
    files, skipped = discover_files([p for p in paths if str(p) not in urls])
    report = IngestReport(failed=[IngestFailure(name=n, reason=r) for n, r in skipped])
    items = chain(_fetch_each(urls, settings, report), _load_each(files, settings.max_file_mb, report))
    return _ingest(items, len(urls) + len(files), store, embedder, settings, contextual_header, progress, report)


def list_articles(catalog: ArticleCatalog, search: str = "", offset: int = 0,
                  limit: int | None = None) -> list[ArticleSummary]:
    """Stored articles newest first (by date, then title), from the catalog; never iterates over chunks."""
    if limit is not None:
        return catalog.page(offset, limit, search)
    found: list[ArticleSummary] = []
    while page := catalog.page(offset + len(found), 1000, search):
        found += page
    return found
