"""Server mode: ingest and search against a real `chroma run` started by the test."""

from collections import Counter

import pytest
from conftest import free_port

from bench.chroma_server import chroma_server as start_chroma
from factcheck.wiring import Engine
from pipeline.config import load_settings
from pipeline.demo import DEMO_CORPUS
from pipeline.errors import StoreError
from pipeline.ingest import ingest_paths, list_articles
from pipeline.maintenance import doctor
from vectorstore.chroma_store import ChromaStore


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    with start_chroma(tmp_path_factory.mktemp("chroma-server"), seconds=60) as (port, _):
        yield port


def http_settings(data_dir, port):
    return load_settings(environ={"FACTCHECK_DATA_DIR": str(data_dir), "FACTCHECK_VECTORSTORE__MODE": "http",
                                  "FACTCHECK_VECTORSTORE__PORT": str(port), "FACTCHECK_LLM__PROVIDER": "offline"})


def test_http_mode_ingests_and_searches_without_pulling_the_corpus(tmp_path, chroma_server, embedder, monkeypatch):
    def no_scan(self):
        raise AssertionError("the whole corpus was pulled from the server")

    monkeypatch.setattr(ChromaStore, "iter_chunks", no_scan)
    monkeypatch.setattr(ChromaStore, "iter_ids", no_scan)
    settings = http_settings(tmp_path, chroma_server)
    engine = Engine(settings, overrides={"embedder": embedder})
    report = ingest_paths([DEMO_CORPUS], engine.store, engine.embedder, settings.ingest)
    assert report.added_articles == 11
    hits = engine.retriever.search("How old was Mahsa Amini when she died?", 3)
    assert any("22" in h.text and "Amini" in h.text for h in hits)
    assert not (tmp_path / "chroma").exists()  # chunks and vectors live on the server
    assert (tmp_path / "index").is_dir() and len(list_articles(engine.store.catalog)) == 11  # the local indexes
    again = Engine(settings, overrides={"embedder": embedder})
    assert ingest_paths([DEMO_CORPUS], again.store, again.embedder, settings.ingest).added_articles == 0
    assert again.retriever.search("Shahed drones", 1)


def test_http_writes_respect_the_servers_batch_limit(tmp_path, chroma_server, embedder):
    settings = http_settings(tmp_path, chroma_server)
    settings.vectorstore.collection = "small-batches"
    store = Engine(settings, overrides={"embedder": embedder}).store
    assert store.chunks.max_batch == store.chunks.client.get_max_batch_size() > 0
    store.chunks.max_batch = 4
    sizes: list[list[str]] = []
    upsert = store.chunks.collection.upsert
    store.chunks.collection.upsert = lambda **kw: (sizes.append([m["article_id"] for m in kw["metadatas"]]),
                                                   upsert(**kw))
    report = ingest_paths([DEMO_CORPUS], store, embedder, settings.ingest)
    assert max(len(batch) for batch in sizes) <= 4 and sum(len(b) for b in sizes) == report.added_chunks
    chunks, writes = Counter(a for b in sizes for a in b), Counter(a for b in sizes for a in set(b))
    assert max(chunks.values()) > 1 and len(sizes) > 1
    assert all(writes[a] == 1 for a in chunks if chunks[a] <= 4)  # an article that fits is never split
    assert store.count() == report.added_chunks and doctor(store, repair=False).drift == 0


def test_http_mode_without_server_says_how_to_start_it(tmp_path, embedder):
    settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(tmp_path), "FACTCHECK_VECTORSTORE__MODE": "http",
                                      "FACTCHECK_VECTORSTORE__PORT": str(free_port())})
    with pytest.raises(StoreError) as info:
        _ = Engine(settings, overrides={"embedder": embedder}).store
    assert "chroma run" in info.value.user_message()
