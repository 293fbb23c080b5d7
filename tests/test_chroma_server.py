"""Server mode: ingest and search against a real `chroma run` started by the test."""

import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import free_port

from factcheck.wiring import Engine
from pipeline.config import load_settings
from pipeline.demo import DEMO_CORPUS
from pipeline.errors import StoreError
from pipeline.ingest import ingest_paths


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    port = free_port()
    path = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen([chroma, "run", "--path", str(path), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v2/heartbeat", timeout=1)
            break
        except OSError:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("chroma run did not start")
    yield port
    proc.terminate()
    proc.wait(timeout=10)


def test_http_mode_ingests_and_searches(tmp_path, chroma_server, embedder):
    settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(tmp_path), "FACTCHECK_VECTORSTORE__MODE": "http",
                                      "FACTCHECK_VECTORSTORE__PORT": str(chroma_server),
                                      "FACTCHECK_LLM__PROVIDER": "offline"})
    engine = Engine(settings, overrides={"embedder": embedder})
    report = ingest_paths([DEMO_CORPUS], engine.store, engine.embedder, settings.ingest)
    assert report.added_articles == 11
    hits = engine.retriever.search("How old was Mahsa Amini when she died?", 3)
    assert any("22" in h.text and "Amini" in h.text for h in hits)
    assert not (tmp_path / "chroma").exists()  # nothing was stored locally
    again = Engine(settings, overrides={"embedder": embedder})
    assert ingest_paths([DEMO_CORPUS], again.store, again.embedder, settings.ingest).added_articles == 0


def test_http_mode_without_server_says_how_to_start_it(tmp_path, embedder):
    settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(tmp_path), "FACTCHECK_VECTORSTORE__MODE": "http",
                                      "FACTCHECK_VECTORSTORE__PORT": str(free_port())})
    with pytest.raises(StoreError) as info:
        _ = Engine(settings, overrides={"embedder": embedder}).store
    assert "chroma run" in info.value.user_message()
