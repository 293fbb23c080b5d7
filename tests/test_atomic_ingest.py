"""Killing an ingest midway leaves only whole articles in the store; re-running completes it, in every index."""

import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter

import pytest
from cli_runner import cli_environ
from conftest import ROOT

from factcheck.wiring import Engine
from pipeline.config import load_settings
from pipeline.maintenance import doctor

ARTICLES = 80
SENTENCES = ["Drone number {i} was delivered to Russia in {year}, officials in Washington said on Friday.",
             "The shipment {i} included spare parts and fuel for {n} aircraft, according to the report.",
             "Inspectors counted {n} crates at the airfield near Tehran during the visit in {year}.",
             "The ministry denied that shipment {i} had taken place and called the report false."]


def write_articles(folder, count):
    folder.mkdir()
    for i in range(count):
        body = " ".join(s.format(i=i, n=i % 97 + 3, year=2000 + i % 23) for s in SENTENCES * 3)
        (folder / f"article-{i:04d}.txt").write_text(f"Shipment report {i}\n\n{body}", encoding="utf-8")


def stored_rows(chroma_file):
    try:
        with sqlite3.connect(f"file:{chroma_file}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
    except sqlite3.Error:
        return 0


@pytest.mark.slow(13)
def test_killed_ingest_leaves_no_half_stored_article(tmp_path, embedder, run_cli):
    folder, data = tmp_path / "articles", tmp_path / "data"
    write_articles(folder, ARTICLES)
    # small writes (of whole articles) so the kill lands after the first write and before the last
    small_writes = {"FACTCHECK_INGEST__WRITE_BATCH_CHUNKS": "16"}
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "ingest", str(folder)], cwd=ROOT,
                            env=cli_environ(data, **small_writes), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while stored_rows(data / "chroma" / "chroma.sqlite3") == 0 and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)

    settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(data)})
    store = Engine(settings, overrides={"embedder": embedder}).store
    chunks = list(store.iter_chunks())
    assert 0 < len({c.article.id for c in chunks}) < ARTICLES  # killed midway
    per_article = Counter(c.article.id for c in chunks)
    metadata = store.chunks.collection.get(ids=[c.id for c in chunks], include=["metadatas"])["metadatas"]
    totals = {m["article_id"]: m["n_chunks"] for m in metadata}
    assert all(per_article[a] == totals[a] for a in per_article)

    finished = run_cli("ingest", str(folder), data_dir=data, **small_writes)  # the editor runs it again
    assert finished.returncode == 0, finished.stderr
    assert f"skipped {len(per_article)} already stored article(s)" in finished.stdout
    store = Engine(settings, overrides={"embedder": embedder}).store
    assert len({c.article.id for c in store.iter_chunks()}) == ARTICLES
    assert doctor(store, repair=False).drift == 0  # keyword index and catalog caught up too
    assert store.catalog.count() == ARTICLES
