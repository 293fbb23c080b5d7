"""The keyword index and article catalog beside Chroma: no scans, crash repair, drift repair, rebuilds."""

import shutil
import threading

import numpy as np
import pytest

from factcheck.wiring import Engine, build_archive
from pipeline.config import load_settings
from pipeline.errors import StoreError
from pipeline.ingest import ingest_articles, ingest_paths, list_articles
from pipeline.maintenance import doctor, reindex
from pipeline.ports import ArticleSummary, KeywordRow
from pipeline.retrieval import Retriever
from pipeline.types import Article, ArticleRef, Chunk
from vectorstore.chroma_store import ChromaStore, article_batches
from vectorstore.keyword_index import TantivyKeywordIndex

ARTICLES = [
    ("Shahed drones", "Iran supplied Russia with Shahed-136 attack drones in the summer of 2022."),
    ("Su-35", "Russia is training Iranian pilots to fly the Sukhoi Su-35 fighter jet."),
    ("OPEC+", "OPEC+ agreed in October 2022 to cut oil output by two million barrels per day."),
]


def articles():
    return [Article.from_text(text, title=title, source=f"{title}.txt") for title, text in ARTICLES]


@pytest.fixture
def filled(engine):
    ingest_articles(articles(), engine.store, engine.embedder, engine.settings.ingest)
    return engine


def reopened(engine, embedder, **environ):
    """A new engine on the same data dir, as a new process would build it."""
    env = {"FACTCHECK_DATA_DIR": str(engine.settings.data_dir), "FACTCHECK_LLM__PROVIDER": "offline", **environ}
    return Engine(load_settings(environ=env), overrides={"embedder": embedder})


def test_a_new_process_searches_and_lists_without_reading_the_whole_store(filled, embedder, monkeypatch):
    def no_scan(self):
        raise AssertionError("the whole store was read")

    monkeypatch.setattr(ChromaStore, "iter_chunks", no_scan)
    monkeypatch.setattr(ChromaStore, "iter_ids", no_scan)
    again = reopened(filled, embedder)
    hits = again.retriever.search("Which drones did Iran send to Russia?", 2)
    assert hits[0].article.title == "Shahed drones"
    assert {a.article.title for a in list_articles(again.store.catalog)} == {t for t, _ in ARTICLES}


class FailingOnce:
    """A chunk store whose first write fails, as if the process were killed between the two writes."""

    def __init__(self, inner):
        self.inner, self.failed = inner, False

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def add_chunks(self, chunks, vectors):
        if not self.failed:
            self.failed = True
            raise KeyboardInterrupt
        self.inner.add_chunks(chunks, vectors)


def test_a_crash_between_the_keyword_write_and_the_store_write_is_repaired_by_the_rerun(engine):
    archive = engine.store
    chroma = archive.chunks
    archive.chunks = FailingOnce(chroma)
    with pytest.raises(KeyboardInterrupt):
        ingest_articles(articles(), archive, engine.embedder, engine.settings.ingest)
    assert archive.keywords.count() == 3 and chroma.count() == 0 and archive.catalog.count() == 0
    report = ingest_articles(articles(), archive, engine.embedder, engine.settings.ingest)
    assert report.added_articles == 3
    assert archive.keywords.count() == chroma.count() == 3 and archive.catalog.count() == 3
    assert doctor(archive).drift == 0


def test_an_article_stored_but_not_listed_is_listed_by_the_rerun(filled):
    archive = filled.store
    archive.catalog.delete([articles()[0].id])
    report = ingest_articles(articles(), archive, filled.embedder, filled.settings.ingest)
    assert report.skipped_articles == 3 and archive.catalog.count() == 3


def test_doctor_reports_drift_and_repairs_it(filled):
    archive = filled.store
    shahed, su35, opec = articles()
    archive.keywords.delete_article(shahed.id)
    archive.keywords.upsert([KeywordRow("ghost-chunk", "ghost-article", ["ghost"])])
    archive.catalog.delete([su35.id])
    archive.catalog.upsert([ArticleSummary(article=ArticleRef(id="gone", title="Gone"), chunks=2),
                            ArticleSummary(article=opec.ref(), chunks=9)])
    found = doctor(archive, repair=False)
    assert (found.missing_keyword_rows, found.extra_keyword_rows, found.missing_catalog_rows,
            found.extra_catalog_rows, found.wrong_catalog_counts, found.repaired) == (1, 1, 1, 1, 1, False)
    assert any("1 passage(s) missing from the keyword index" in line for line in found.lines())
    fixed = doctor(archive)
    assert fixed.repaired and fixed.drift == 5 and "Repaired: 5 row(s)." in fixed.lines()
    assert doctor(archive).drift == 0
    assert archive.keyword_search("Shahed drones", 1)[0][0] in {c.id for c in archive.iter_chunks()
                                                                if c.article.id == shahed.id}
    assert {a.article.id: a.chunks for a in list_articles(archive.catalog)} == {a.id: 1 for a in articles()}


def test_a_second_collection_has_its_own_chunks_keyword_index_and_catalog(filled):
    """What a separate collection (e.g. published fact-checks) gets: the same hybrid search, kept apart."""
    other = build_archive(filled.settings, filled.embedder.name, collection="factchecks")
    checks = [Article.from_text("Claims that Iran sent no drones to Russia are false.", title="Drone denial")]
    ingest_articles(checks, other, filled.embedder, filled.settings.ingest)
    assert (other.count(), other.keywords.count(), other.catalog.count()) == (1, 1, 1)
    assert filled.store.count() == filled.store.keywords.count() == filled.store.catalog.count() == 3
    retriever = Retriever(other, filled.embedder, filled.settings.retrieval)
    assert [p.article.title for p in retriever.search("Did Iran send drones to Russia?", 5)] == ["Drone denial"]
    assert other.keyword_search("Shahed OPEC Sukhoi", 5) == []


def test_a_keyword_index_built_with_other_settings_is_refused_until_reindex(filled, embedder):
    plain = reopened(filled, embedder, FACTCHECK_RETRIEVAL__CONTEXTUAL_HEADER="false")
    with pytest.raises(StoreError) as info:
        plain.retriever.search("Which drones did Iran send to Russia?", 2)
    assert "python -m pipeline reindex" in info.value.user_message()
    assert doctor(plain.store).needs_reindex
    report = reindex(plain.store)
    assert (report.chunks, report.articles) == (3, 3)
    assert plain.retriever.search("Which drones did Iran send to Russia?", 2)[0].article.title == "Shahed drones"
    assert doctor(plain.store).drift == 0


def test_a_store_without_a_keyword_index_asks_for_reindex(filled, embedder):
    shutil.rmtree(filled.settings.data_dir / "index")
    again = reopened(filled, embedder)
    with pytest.raises(StoreError) as info:
        again.retriever.search("oil output", 2)
    assert "missing" in info.value.user_message() and "reindex" in info.value.user_message()
    assert again.store.catalog.count() == 0
    reindex(again.store)
    assert again.retriever.search("oil output", 2)[0].article.title == "OPEC+"
    assert again.store.catalog.count() == 3


def test_exclusion_holds_even_when_the_catalog_does_not_know_the_article(filled):
    archive = filled.store
    shahed = articles()[0]
    archive.catalog.delete([shahed.id])
    query = filled.embedder.embed(["Which drones did Iran send to Russia?"])[0]
    hits = archive.dense_search(query, 3, exclude_article_id=shahed.id)
    assert len(hits) == 2 and all(c.article.id != shahed.id for c, _ in hits)


def test_repeated_chunk_ids_in_one_write_are_stored_once(engine):
    chunk = Chunk(id="c1", article=ArticleRef(id="a1", title="T"), text="Iran sent drones.", index=0, start=0, end=17)
    vector = engine.embedder.embed(["Iran sent drones."])
    engine.store.add_chunks([chunk, chunk], np.vstack([vector, vector]))
    assert engine.store.count() == engine.store.keywords.count() == 1
    assert engine.store.catalog.get("a1").chunks == 1


def _chunks(article_sizes):
    return [Chunk(id=f"{a}-{i}", article=ArticleRef(id=str(a)), text="x") for a, n in enumerate(article_sizes)
            for i in range(n)]


@pytest.mark.parametrize("sizes, limit, expected", [
    ([2, 2, 5], 3, [(0, 2), (2, 4), (4, 7), (7, 9)]),
    ([1, 1, 1], 5, [(0, 3)]),
    ([4], 2, [(0, 2), (2, 4)]),
])
def test_writes_split_at_article_boundaries_within_the_batch_limit(sizes, limit, expected):
    assert list(article_batches(_chunks(sizes), limit)) == expected


def test_the_editor_loop_ingest_remove_reingest_keeps_every_index_in_step(engine, tmp_path):
    """Ingest a folder with a duplicate, remove one article, re-import the folder: it comes back, nothing else."""
    folder = tmp_path / "archive"
    folder.mkdir()
    for number, (title, text) in enumerate(ARTICLES):
        (folder / f"{number}.txt").write_text(f"{title}\n\n{text}\n", encoding="utf-8")
    (folder / "copy.txt").write_text(f"{ARTICLES[0][0]}\n\n{ARTICLES[0][1]} \n", encoding="utf-8")
    first = ingest_paths([folder], engine.store, engine.embedder, engine.settings.ingest)
    assert (first.added_articles, len(first.duplicates), first.failed) == (3, 1, [])
    doomed = next(a for a in list_articles(engine.store.catalog) if a.article.title == "Su-35")
    engine.store.delete_article(doomed.article.id)
    assert engine.store.keyword_search("Sukhoi pilots", 5) == [] and engine.store.catalog.count() == 2
    again = ingest_paths([folder], engine.store, engine.embedder, engine.settings.ingest)
    assert (again.added_articles, again.skipped_articles, len(again.duplicates)) == (1, 2, 1)
    assert engine.store.count() == engine.store.keywords.count() == engine.store.catalog.total_chunks() == 3
    best = engine.store.keyword_search("Sukhoi pilots", 1)[0][0]
    assert engine.store.get_chunks([best])[0].article.title == "Su-35"
    assert doctor(engine.store, repair=False).drift == 0


def errors_when_run_at_once(work, threads=8, times=1):
    """Run work from several threads released together; the OSErrors and StoreErrors they raised."""
    barrier, errors = threading.Barrier(threads), []

    def run() -> None:
        barrier.wait()
        for _ in range(times):
            try:
                work()
            except (OSError, StoreError) as exc:  # collected: the caller's assertion names them
                errors.append(exc)

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return errors


def test_a_new_store_checked_from_many_claim_threads_at_once_starts_its_keyword_index_once(engine):
    archive = engine.store
    assert errors_when_run_at_once(archive.check_keywords) == []
    assert archive.keywords.stored_version() == archive.keywords.version


def test_the_keyword_version_is_written_safely_by_threads_racing_each_other(tmp_path):
    index = TantivyKeywordIndex(tmp_path / "keywords", "v-test")
    assert errors_when_run_at_once(index.start, times=50) == []
    assert index.stored_version() == "v-test"
    assert [p.name for p in (tmp_path / "keywords").glob(".factcheck-version*")] == []
