"""The fact-check library: import into its own collection and keyword index, search, list and remove.

Search is the evidence store's hybrid search applied to fact-checks: dense candidates and BM25 candidates,
fused by `weighted_score_fusion` (pipeline.retrieval) with their own weights (tuned in `bench claim-matching`).
The claim and the headline are embedded apart and their cosines mixed: one vector of both texts ranked worse.
Writes go keyword index first, then the collection, so a re-run repairs an interrupted import.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property

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
log = logging.getLogger(__name__)
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
    """A query's candidate fact-checks with their claim cosine, headline cosine and BM25 scores."""

    found: dict[str, FactCheck]
    cosines: dict[str, float]
    bm25: dict[str, float]
    headline_cosines: dict[str, float] = field(default_factory=dict)

    @cached_property
    def chunks(self) -> dict[str, Chunk]:
        """The candidates in the shape the fusion ranks, in id order: equal scores (a publisher's near-identical
        checks often tie) are then ordered by content hash, not by which store call returned them first."""
        return {fid: as_chunk(self.found[fid]) for fid in sorted(self.found)}

    def dense(self, headline_weight: float) -> dict[str, float]:
        """Each candidate's cosine with the claim and with the headline, mixed (the claim's stands in for a
        missing headline)."""
        return {fid: (1 - headline_weight) * c + headline_weight * self.headline_cosines.get(fid, c)
                for fid, c in self.cosines.items()}


def fuse(candidates: Candidates, dense_weight: float, headline_weight: float = 0.0) -> list[tuple[FactCheck, float]]:
    """Candidates ranked by the evidence store's score fusion with these weights."""
    fused = weighted_score_fusion(candidates.dense(headline_weight), candidates.bm25, candidates.chunks, dense_weight)
    return [(candidates.found[chunk.id], score) for chunk, score in fused]


def own_headline(factcheck: FactCheck) -> str:
    """The fact-check's headline when it says more than its claim ("" otherwise)."""
    return factcheck.headline if factcheck.headline.strip() and factcheck.headline != factcheck.claimReviewed else ""


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

    def check_indexes(self) -> None:
        """Once per process: rebuild the keyword index when it is missing, stale or out of step, and re-embed
        fact-checks an older version stored with one vector."""
        with self._check_lock:
            if self._checked:
                return
            stored = self.keywords.stored_version()
            if stored != self.keywords.version or self.keywords.count() != self.store.count():
                self.keywords.rebuild(keyword_row(f) for f in self.iter_all())
            self._upgrade_vectors()
            self._checked = True

    def _upgrade_vectors(self) -> None:
        """Give fact-checks stored with one vector of claim and headline a vector for each (kept, re-embedded)."""
        upgraded = 0
        while outdated := self.store.outdated(_BATCH):
            if not upgraded:
                log.warning("Re-embedding stored fact-checks once, claim and headline apart (a newer version ranks "
                            "them this way); this takes about a minute per 10,000.")
            self.store.add(outdated, *self.embed(outdated))
            upgraded += len(outdated)
        if upgraded:
            log.warning("Re-embedded %d stored fact-checks.", upgraded)

    def embed(self, factchecks: list[FactCheck]) -> tuple[np.ndarray, np.ndarray]:
        """Each fact-check's claim vector and headline vector (its claim's when it has no headline of its own)."""
        headlines = [own_headline(f) for f in factchecks]
        vectors = self.embedder.embed([f.claimReviewed for f in factchecks] + [h for h in headlines if h])
        claims, extra = vectors[:len(factchecks)], iter(vectors[len(factchecks):])
        return claims, np.array([next(extra) if h else claims[i] for i, h in enumerate(headlines)])

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
        self.check_indexes()
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
        vectors, headline_vectors = self.embed(new)
        self.keywords.upsert([keyword_row(f) for f in new])
        self.store.add(new, vectors, headline_vectors)
        report.added += len(new)
        report.ids.extend(f.id for f in new)

    def search(self, text: str, k: int | None = None) -> list[FactCheckMatch]:
        """The k fact-checks most like the text, fused score in [0, 1], flagged above the threshold."""
        k = k or self.settings.k
        query = clean_query(text)
        if not query or not self.store.count():
            return []
        self.check_indexes()
        vector = self.embedder.embed([query])[0]
        candidates = self.candidates(query, vector, max(k, self.settings.candidates))
        fused = fuse(candidates, self.settings.dense_weight, self.settings.headline_weight)
        return collapse_near_identical(fused, self.settings.flag_threshold)[:k]

    def candidates(self, query: str, vector: np.ndarray, n: int) -> Candidates:
        """The n best by claim cosine and the n best by BM25, each with all three scores."""
        tokens = tokenize(query)
        keyword = self.keywords.search(tokens, n)
        ids = dict.fromkeys([f.id for f, _ in self.store.dense_search(vector, n)] + [fid for fid, _ in keyword])
        found, cosines, headline_cosines = {}, {}, {}
        for fid, (factcheck, stored, headline) in self.store.with_vectors(list(ids)).items():
            found[fid], cosines[fid] = factcheck, float(np.dot(vector, stored))
            if headline is not None:
                headline_cosines[fid] = float(np.dot(vector, headline))
        bm25 = {fid: s for fid, s in keyword if fid in found}
        bm25 |= self.keywords.scores_of(tokens, [fid for fid in found if fid not in bm25])
        return Candidates(found, cosines, bm25, headline_cosines)

    def remove(self, ids: list[str]) -> int:
        """Remove fact-checks by id from the keyword index and the collection; return how many were stored."""
        self.keywords.delete_chunks(ids)
        return self.store.delete(ids)

    def count(self) -> int:
        """Number of stored fact-checks."""
        return self.store.count()
