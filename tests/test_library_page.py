"""The Library page on a bigger archive: pages and search come from the catalog, removal reaches every index."""

import numpy as np
import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from factcheck.wiring import Engine
from pipeline.config import load_settings
from pipeline.types import ArticleRef, Chunk
from vectorstore.chroma_store import ChromaStore

ARTICLES = 120


@pytest.fixture
def archive_dir(tmp_path, monkeypatch, embedder):
    """A data dir with 120 one-passage articles (shared vector: the page never looks at vectors)."""
    data = tmp_path / "data"
    monkeypatch.setenv("FACTCHECK_DATA_DIR", str(data))
    monkeypatch.setenv("FACTCHECK_LLM__PROVIDER", "offline")
    store = Engine(load_settings(), overrides={"embedder": embedder}).store
    chunks = [Chunk(id=f"c{i:03d}", article=ArticleRef(id=f"a{i:03d}", title=f"Shipment report {i:03d}",
                                                       source=f"report-{i:03d}.txt", date=f"2022-01-{i % 28 + 1:02d}"),
                    text=f"Shipment {i} reached the port.", index=0, start=0, end=20) for i in range(ARTICLES)]
    store.add_chunks(chunks, np.tile(embedder.embed(["shipment"]), (ARTICLES, 1)))
    return data


def library() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=180).run()
    return at.switch_page("ui/pages/library.py").run()


def test_the_library_pages_and_searches_without_reading_chunks(archive_dir, monkeypatch):
    def no_scan(self):
        raise AssertionError("the page read every chunk")

    monkeypatch.setattr(ChromaStore, "iter_chunks", no_scan)
    at = library()
    assert not at.exception, [e.value for e in at.exception]
    assert len(at.dataframe[0].value) == 50
    assert f"{ARTICLES} articles · {ARTICLES} passages" in [c.value for c in at.caption]
    at.number_input(key="lib_page").set_value(3).run()
    assert len(at.dataframe[0].value) == ARTICLES - 100
    at.text_input(key="lib_search").input("report 007").run()
    assert list(at.dataframe[0].value["title"]) == ["Shipment report 007"]


def test_removing_an_article_removes_it_from_the_store_and_both_indexes(archive_dir, embedder):
    at = library()
    at.text_input(key="lib_search").input("report 042").run()
    at.selectbox(key="lib_remove").select("a042").run()
    at.checkbox(key="lib_remove_confirm").check().run()
    next(b for b in at.button if b.label == "Remove").click().run()
    assert any("1 passages" in s.value for s in at.success)
    store = Engine(load_settings(), overrides={"embedder": embedder}).store
    assert store.catalog.get("a042") is None and store.existing_ids(["c042"]) == set()
    assert "c042" not in {cid for cid, _ in store.keyword_search("Shipment 42 reached the port", 5)}
    assert store.count() == store.keywords.count() == ARTICLES - 1
