"""Ingest into a real embedded Chroma: idempotency, duplicates, bad files, exclusion at search, deletes."""

import pytest
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
    assert {a.article.title for a in list_articles(engine.store.catalog)} == {"Drone transfers", "JCPOA"}


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


def test_delete_article_removes_it_from_the_store_the_keyword_index_and_the_catalog(engine):
    report = ingest_paths([SEED_ARTICLE], engine.store, engine.embedder, engine.settings.ingest)
    query = "Russia is training Iranian pilots on the Sukhoi Su-35 fighter"
    assert engine.store.keyword_search(query, 5) and engine.store.catalog.count() == 1
    removed = engine.store.delete_article(report.article_ids[0])
    assert removed == report.added_chunks and engine.store.count() == 0
    assert engine.store.keyword_search(query, 5) == [] and engine.store.keywords.count() == 0
    assert engine.store.catalog.count() == 0 and engine.retriever.search(query, 3) == []


def write_files(folder, texts):
    folder.mkdir()
    for name, text in texts.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


TEXT = "Drone transfers\n\nIran began supplying Russia with Shahed-136 drones in the summer of 2022."


@pytest.mark.parametrize("second", [TEXT, TEXT + "  \n\n", "\ufeff" + TEXT.replace("\n\n", "\r\n\r\n")])
def test_two_files_with_the_same_text_store_it_once_and_report_the_duplicate(engine, tmp_path, second):
    folder = tmp_path / "dupes"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / "b.txt").write_text(second, encoding="utf-8")
    report = ingest_paths([folder], engine.store, engine.embedder, engine.settings.ingest)
    assert (report.added_articles, len(report.duplicates), report.failed) == (1, 1, [])
    assert report.duplicates[0].name == "b.txt" and report.duplicates[0].same_as == "a.txt"
    assert "skipped 1 duplicate(s)" in report.summary()
    assert engine.store.catalog.count() == 1 and engine.store.keywords.count() == engine.store.count()


def test_duplicates_across_write_batches_and_already_stored_text_are_skipped(engine, tmp_path):
    folder = tmp_path / "many"
    folder.mkdir()
    for name in ("a", "b", "c"):
        (folder / f"{name}.txt").write_text(TEXT, encoding="utf-8")
    (folder / "d.txt").write_text("JCPOA\n\nThe deal was agreed in Vienna on 14 July 2015.", encoding="utf-8")
    one_per_write = engine.settings.ingest.model_copy(update={"write_batch_chunks": 1})
    report = ingest_paths([folder], engine.store, engine.embedder, one_per_write)
    assert (report.added_articles, len(report.duplicates)) == (2, 2)
    again = ingest_paths([folder], engine.store, engine.embedder, one_per_write)
    assert (again.added_articles, again.skipped_articles, len(again.duplicates)) == (0, 2, 2)


def test_progress_is_reported_after_each_write_with_the_file_count(engine, tmp_path):
    folder = write_files(tmp_path / "progress", {f"{i}.txt": f"Report {i}\n\nShipment {i} reached the port in "
                                                 f"{2000 + i}." for i in range(5)} | {"empty.txt": ""})
    seen = []
    settings = engine.settings.ingest.model_copy(update={"write_batch_chunks": 2})
    ingest_paths([folder], engine.store, engine.embedder, settings, progress=lambda d, t, n: seen.append((d, t)))
    assert seen[0] == (0, 6) and seen[-1] == (6, 6)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and len(seen) >= 4


def test_the_library_lists_pages_and_searches_from_the_catalog(engine, tmp_path):
    folder = write_files(tmp_path / "lib", {f"{i}.md": f"# Article {i}\n\nThe ministry reported {i + 3} shipments "
                                            f"in 20{10 + i}." for i in range(7)})
    ingest_paths([folder], engine.store, engine.embedder, engine.settings.ingest)
    catalog = engine.store.catalog
    assert len(list_articles(catalog)) == 7 and catalog.total_chunks() == engine.store.count()
    pages = [list_articles(catalog, offset=o, limit=3) for o in (0, 3, 6)]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert len({a.article.id for p in pages for a in p}) == 7
    assert [a.article.title for a in list_articles(catalog, "article 4")] == ["Article 4"]
    assert catalog.count("50%_") == 0 and catalog.count("4.md") == 1
