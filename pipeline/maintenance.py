"""Explicit store maintenance: rebuild the keyword index and catalog from the chunk store (`reindex`), and find
and repair drift between the three (`doctor`). These are the only operations that read the whole store."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterator

from pydantic import BaseModel

from pipeline.archive import Archive
from pipeline.ports import ArticleSummary, KeywordRow
from pipeline.types import ArticleRef, Chunk

Progress = Callable[[int, int, str], None]
_PAGE = 2000


class ReindexReport(BaseModel):
    """What a rebuild wrote."""

    chunks: int
    articles: int
    seconds: float

    def summary(self) -> str:
        """One line for humans."""
        return (f"Rebuilt the keyword index ({self.chunks} passages) and the article catalog ({self.articles} "
                f"articles) from the store in {self.seconds:.1f} s.")


def reindex(archive: Archive, progress: Progress | None = None) -> ReindexReport:
    """Rebuild the keyword index (one commit: searches see the old one until it lands) and the catalog."""
    started, total = time.monotonic(), archive.count()
    articles: dict[str, ArticleSummary] = {}

    def rows() -> Iterator[KeywordRow]:
        for done, chunk in enumerate(archive.iter_chunks(), start=1):
            entry = articles.setdefault(chunk.article.id, ArticleSummary(article=chunk.article, chunks=0))
            entry.chunks += 1
            if progress and (done % 5000 == 0 or done == total):
                progress(done, total, chunk.article.title)
            yield archive.keyword_row(chunk)

    chunks = archive.keywords.rebuild(rows())
    archive.catalog.rebuild(articles.values())
    archive.recheck()
    return ReindexReport(chunks=chunks, articles=len(articles), seconds=round(time.monotonic() - started, 1))


class DoctorReport(BaseModel):
    """Drift between the chunk store, the keyword index and the catalog, and what was repaired."""

    chunks: int = 0
    keyword_rows: int = 0
    catalog_articles: int = 0
    stored_version: str = ""
    expected_version: str = ""
    missing_keyword_rows: int = 0
    extra_keyword_rows: int = 0
    missing_catalog_rows: int = 0
    extra_catalog_rows: int = 0
    wrong_catalog_counts: int = 0
    repaired: bool = False
    seconds: float = 0.0

    @property
    def needs_reindex(self) -> bool:
        """The keyword index was built with another tokenizer or title-header setting."""
        return bool(self.stored_version) and self.stored_version != self.expected_version

    @property
    def drift(self) -> int:
        """Rows that disagree."""
        return (self.missing_keyword_rows + self.extra_keyword_rows + self.missing_catalog_rows
                + self.extra_catalog_rows + self.wrong_catalog_counts)

    def lines(self) -> list[str]:
        """What was found and what was done, for humans."""
        lines = [f"Store: {self.chunks} passages · keyword index: {self.keyword_rows} rows · catalog: "
                 f"{self.catalog_articles} articles ({self.seconds:.1f} s)."]
        if self.needs_reindex:
            return [*lines, f"The keyword index was built with {self.stored_version}; the settings need "
                            f"{self.expected_version}. Run `python -m pipeline reindex`."]
        found = [(self.missing_keyword_rows, "passage(s) missing from the keyword index"),
                 (self.extra_keyword_rows, "keyword row(s) for passages no longer stored"),
                 (self.missing_catalog_rows, "stored article(s) missing from the catalog"),
                 (self.extra_catalog_rows, "catalog row(s) for articles no longer stored"),
                 (self.wrong_catalog_counts, "catalog row(s) with a wrong passage count")]
        lines += [f"Found {count} {what}." for count, what in found if count]
        if not self.drift:
            return [*lines, "No drift: the keyword index and the catalog match the store."]
        verb = "Repaired" if self.repaired else "Not repaired (run without --check-only to repair)"
        return [*lines, f"{verb}: {self.drift} row(s)."]


def doctor(archive: Archive, repair: bool = True) -> DoctorReport:
    """Compare chunk ids with keyword rows and article counts with the catalog; repair incrementally."""
    started = time.monotonic()
    report = DoctorReport(stored_version=archive.keywords.stored_version(), expected_version=archive.keywords.version)
    stored = set(archive.iter_ids())
    rows = dict(archive.keywords.iter_rows())
    catalog = archive.catalog.chunk_counts()
    report.chunks, report.keyword_rows, report.catalog_articles = len(stored), len(rows), len(catalog)
    if report.needs_reindex:
        return report
    if repair and not report.stored_version:
        archive.keywords.start()
    extra = [cid for cid in rows if cid not in stored]
    missing = [cid for cid in stored if cid not in rows]
    report.missing_keyword_rows, report.extra_keyword_rows = len(missing), len(extra)
    articles = Counter(rows[cid] for cid in stored if cid in rows)
    refs: dict[str, ArticleRef] = {}
    for page in _chunk_pages(archive, missing):
        articles.update(c.article.id for c in page)
        refs.update((c.article.id, c.article) for c in page)
        if repair:
            archive.keywords.upsert([archive.keyword_row(c) for c in page])
    if repair and extra:
        gone = set(extra) - archive.existing_ids(extra)  # re-checked: a concurrent ingest writes keywords first
        archive.keywords.delete_chunks(sorted(gone))
    _check_catalog(archive, report, catalog, articles, refs, rows, repair)
    report.repaired = repair and report.drift > 0
    report.seconds = round(time.monotonic() - started, 1)
    return report


def _chunk_pages(archive: Archive, ids: list[str]) -> Iterator[list[Chunk]]:
    """Stored chunks for these ids, a page at a time."""
    for start in range(0, len(ids), _PAGE):
        yield archive.get_chunks(ids[start:start + _PAGE])


def _check_catalog(archive: Archive, report: DoctorReport, catalog: dict[str, int], articles: Counter,
                   refs: dict[str, ArticleRef], rows: dict[str, str], repair: bool) -> None:
    """Count catalog rows that are missing, left over or wrong; with repair, rewrite them from the store."""
    missing = [a for a in articles if a not in catalog]
    wrong = [a for a in articles if a in catalog and catalog[a] != articles[a]]
    extra = [a for a in catalog if a not in articles]
    report.missing_catalog_rows, report.wrong_catalog_counts, report.extra_catalog_rows = (
        len(missing), len(wrong), len(extra))
    if not repair:
        return
    unknown = {a for a in missing + wrong if a not in refs}
    representative = {article: cid for cid, article in rows.items() if article in unknown}
    refs.update((c.article.id, c.article) for page in _chunk_pages(archive, list(representative.values()))
                for c in page)
    now = time.time()
    archive.catalog.upsert([ArticleSummary(article=refs[a], chunks=articles[a], added_at=_added_at(archive, a, now))
                            for a in missing + wrong if a in refs])
    archive.catalog.delete(extra)


def _added_at(archive: Archive, article_id: str, now: float) -> float:
    """When the catalog first listed an article (now, when it never did)."""
    entry = archive.catalog.get(article_id)
    return entry.added_at if entry else now
