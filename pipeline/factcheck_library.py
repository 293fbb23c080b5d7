"""The fact-check library: import into its own collection and keyword index, search, list and remove.

Search is the evidence store's hybrid search applied to fact-checks: dense candidates and BM25 candidates,
fused by `weighted_score_fusion` (pipeline.retrieval) with their own dense weight (tuned in `bench
claim-matching`). Writes go keyword index first, then the collection, so a re-run repairs an interrupted import.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from pipeline.bm25 import TOKENIZER_VERSION, tokenize
from pipeline.config import FactCheckSettings, IngestSettings
from pipeline.factcheck_import import ImportReport, Progress, read_factchecks
from pipeline.factcheck_types import FactCheck, FactCheckMatch
from pipeline.ports import Embedder, FactCheckStore, KeywordIndex, KeywordRow
from pipeline.retrieval import weighted_score_fusion
from pipeline.types import ArticleRef, Chunk

KEYWORD_VERSION = f"tokenizer {TOKENIZER_VERSION}, fact-checks 1"
_BATCH = 256
_URL = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S+", re.I)
# A tweet's trailing signature: "— Name (@handle) January 14, 2020"; the name is kept (claims often name the
# speaker), the handle and date are dropped.
_SIGNATURE = re.compile(r"\s*(?:—|--)\s*([^—\n]{0,80}?)\s*\(@\w+\)\s*\w*\s*\d{0,2},?\s*\d{0,4}\s*$")
_HANDLE_OR_TAG = re.compile(r"[@#](\w+)")


def clean_query(text: str) -> str:
    """A claim or post as a query: URLs, a tweet's trailing handle and date, and @/# marks removed."""
    text = _SIGNATURE.sub(r" \1", text)
    text = _URL.sub(" ", text)
    text = _HANDLE_OR_TAG.sub(r"\1", text)
    return " ".join(text.split())


def as_chunk(factcheck: FactCheck) -> Chunk:
    """A fact-check in the shape the retrieval fusion functions rank."""
    return Chunk(id=factcheck.id, article=ArticleRef(id=factcheck.id, url=factcheck.url),
                 text=factcheck.claimReviewed)


@dataclass(frozen=True)
class Candidates:
    """A query's candidate fact-checks with their cosine and BM25 scores."""

    found: dict[str, FactCheck]
    cosines: dict[str, float]
    bm25: dict[str, float]


def fuse(candidates: Candidates, dense_weight: float) -> list[tuple[FactCheck, float]]:
    """Candidates ranked by the evidence store's score fusion with this dense weight."""
    chunks = {fid: as_chunk(f) for fid, f in candidates.found.items()}
    fused = weighted_score_fusion(candidates.cosines, candidates.bm25, chunks, dense_weight)
    return [(candidates.found[chunk.id], score) for chunk, score in fused]


def near_identity(factcheck: FactCheck) -> tuple[str, str]:
    """What two fact-checks share when they differ only in case, quotes or punctuation: publisher and claim words."""
    return factcheck.publisher.casefold(), " ".join(tokenize(factcheck.claimReviewed))


def collapse_near_identical(ranked: list[tuple[FactCheck, float]], threshold: float) -> list[FactCheckMatch]:
    """Ranked fact-checks as matches, each near-identical later one folded into the first as an `also` address
    (a publisher's republished or re-crawled check is one card, not two)."""
    matches: dict[tuple[str, str], FactCheckMatch] = {}
    for factcheck, score in ranked:
        key = near_identity(factcheck)
        if key in matches:
            if factcheck.url and factcheck.url not in matches[key].also:
                matches[key].also.append(factcheck.url)
            continue
        matches[key] = FactCheckMatch(factcheck=factcheck, score=round(score, 4), flagged=score >= threshold)
    return list(matches.values())


def keyword_row(factcheck: FactCheck) -> KeywordRow:
    """A fact-check as the keyword index holds it (its own id as the article id)."""
    return KeywordRow(factcheck.id, factcheck.id, tokenize(factcheck.index_text()))


class FactCheckLibrary:
    """Published fact-checks with a dense collection and a BM25 index kept in step."""

    def __init__(self, store: FactCheckStore, keywords: KeywordIndex, embedder: Embedder,
                 settings: FactCheckSettings, fetching: IngestSettings | None = None):
        self.store, self.keywords, self.embedder, self.settings = store, keywords, embedder, settings
        self.fetching = fetching or IngestSettings()  # URL rules (allow-list, timeouts) shared with article ingest
        self._checked = False
        self._check_lock = threading.Lock()  # claims are matched from parallel threads

    def check_keywords(self) -> None:
        """Rebuild the keyword index from the collection when it is missing, stale or out of step (once)."""
        with self._check_lock:
            if self._checked:
                return
            stored = self.keywords.stored_version()
            if stored != self.keywords.version or self.keywords.count() != self.store.count():
                self.keywords.rebuild(keyword_row(f) for f in self.iter_all())
            self._checked = True

    def iter_all(self, page: int = 2000) -> Iterator[FactCheck]:
        """Every stored fact-check, page by page."""
        offset = 0
        while batch := self.store.page(offset, page):
            yield from batch
            offset += len(batch)

    def import_sources(self, sources: list[str], progress: Progress | None = None,
                       on_batch: Callable[[ImportReport], None] | None = None) -> ImportReport:
        """Import fact-checks from files and URLs, a batch at a time; same url and claim are never added twice."""
        report = ImportReport()
        self.check_keywords()
        batch: dict[str, FactCheck] = {}
        for factcheck in read_factchecks(sources, report, progress, self.fetching):
            batch[factcheck.id] = factcheck
            if len(batch) >= _BATCH:
                self._write(list(batch.values()), report)
                batch = {}
                if on_batch:
                    on_batch(report)
        self._write(list(batch.values()), report)
        return report

    def _write(self, batch: list[FactCheck], report: ImportReport) -> None:
        """Embed and store the new fact-checks of a batch; count the ones already stored."""
        stored = self.store.existing_ids([f.id for f in batch])
        new = [f for f in batch if f.id not in stored and f.id not in report.ids]
        report.already_stored += len(batch) - len(new)
        if not new:
            return
        vectors = self.embedder.embed([f.index_text() for f in new])
        self.keywords.upsert([keyword_row(f) for f in new])
        self.store.add(new, vectors)
        report.added += len(new)
        report.ids.extend(f.id for f in new)

    def search(self, text: str, k: int | None = None) -> list[FactCheckMatch]:
        """The k fact-checks most like the text, fused score in [0, 1], flagged above the threshold."""
        k = k or self.settings.k
        query = clean_query(text)
        if not query or not self.store.count():
            return []
        self.check_keywords()
        vector = self.embedder.embed([query])[0]
        fused = self.rank(query, vector, max(k, self.settings.candidates), self.settings.dense_weight)
        return collapse_near_identical(fused, self.settings.flag_threshold)[:k]

    def rank(self, query: str, vector: np.ndarray, candidates: int,
             dense_weight: float) -> list[tuple[FactCheck, float]]:
        """Dense and BM25 candidates fused: w × cosine + (1 − w) × BM25 / best BM25 (dense or BM25 alone at 1, 0)."""
        return fuse(self.candidates(query, vector, candidates), dense_weight)

    def candidates(self, query: str, vector: np.ndarray, n: int) -> Candidates:
        """The n best by cosine and the n best by BM25, each with both scores."""
        tokens = tokenize(query)
        dense = self.store.dense_search(vector, n)
        keyword = self.keywords.search(tokens, n)
        found = {f.id: f for f, _ in dense}
        cosines = {f.id: s for f, s in dense}
        missing = [fid for fid, _ in keyword if fid not in found]
        for fid, (factcheck, stored) in self.store.with_vectors(missing).items():
            found[fid], cosines[fid] = factcheck, float(np.dot(vector, stored))
        bm25 = {fid: s for fid, s in keyword if fid in found}
        bm25 |= self.keywords.scores_of(tokens, [fid for fid in found if fid not in bm25])
        return Candidates(found, cosines, bm25)

    def remove(self, ids: list[str]) -> int:
        """Remove fact-checks by id from the keyword index and the collection; return how many were stored."""
        self.keywords.delete_chunks(ids)
        return self.store.delete(ids)

    def count(self) -> int:
        """Number of stored fact-checks."""
        return self.store.count()
