"""Ingest into a real embedded Chroma: idempotency, boilerplate removal, bad files, exclusion at search."""

from conftest import SEED_ARTICLE

from pipeline.ingest import ingest_paths, list_articles
from pipeline.loaders import load_file


def test_reingesting_the_same_text_adds_nothing(engine, tmp_path):
    folder = tmp_path / "refs"
    folder.mkdir()
    (folder / "a.txt").write_text("Drone transfers\n\nIran began supplying Russia with Shahed-136 drones in "
                                  "the summer of 2022. Russia calls the drone the Geran-2.", encoding="utf-8")
    (folder / "b.md").write_text("# JCPOA\n\nThe deal was agreed in Vienna on 14 July 2015.", encoding="utf-8")
    first = ingest_paths([folder], engine.store, engine.embedder, engine.settings.ingest)
    assert (first.added_articles, first.skipped_articles) == (2, 0) and first.added_chunks >= 2
    count = engine.store.count()
    second = ingest_paths([folder], engine.store, engine.embedder, engine.settings.ingest)
    assert (second.added_articles, second.added_chunks, second.skipped_articles) == (0, 0, 2)
    assert engine.store.count() == count
    assert {a.article.title for a in list_articles(engine.store)} == {"Drone transfers", "JCPOA"}


def test_stored_chunks_carry_no_scraper_debris(engine):
    report = ingest_paths([SEED_ARTICLE], engine.store, engine.embedder, engine.settings.ingest)
    assert report.added_articles == 1
    texts = [c.text for c in engine.store.iter_chunks()]
    assert texts and not any("[ad_1]" in t or "[ad_2]" in t or "Source link" in t for t in texts)
    assert all(c.article.source == "seed-article.txt" for c in engine.store.iter_chunks())


def test_folder_with_bad_files_ingests_the_good_ones_and_reports_each_bad_one(engine, tmp_path):
    tmp_path = tmp_path / "mixed"
    tmp_path.mkdir()
    (tmp_path / "good.txt").write_text("Iran admitted in November 2022 that it sent drones to Russia.",
                                       encoding="utf-8")
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    (tmp_path / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (tmp_path / "script.html").write_text("<html><script>var a=1;</script></html>", encoding="utf-8")
    report = ingest_paths([tmp_path], engine.store, engine.embedder, engine.settings.ingest)
    assert report.added_articles == 1
    reasons = {f.name.rsplit("/", 1)[-1]: f.reason for f in report.failed}
    assert set(reasons) == {"empty.txt", "binary.txt", "script.html"}
    assert all(r.endswith(".") and "\n" not in r for r in reasons.values())


def test_search_never_returns_the_article_under_review(engine, tmp_path):
    ingest_paths([SEED_ARTICLE], engine.store, engine.embedder, engine.settings.ingest)
    article = load_file(SEED_ARTICLE)
    query = "Russia is training Iranian pilots on the Sukhoi Su-35 fighter"
    assert engine.retriever.search(query, 3)[0].article.id == article.id
    assert engine.retriever.search(query, 3, exclude_article_id=article.id) == []


def test_delete_article_removes_its_chunks(engine):
    report = ingest_paths([SEED_ARTICLE], engine.store, engine.embedder, engine.settings.ingest)
    removed = engine.store.delete_article(report.article_ids[0])
    assert removed == report.added_chunks and engine.store.count() == 0
