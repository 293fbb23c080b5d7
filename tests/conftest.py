"""Shared fixtures: isolated settings per test, one embedder per session, fake models via the real registry."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path

import pytest

from bench.datasets import shared_dir
from factcheck.wiring import CHAT_MODELS, Engine
from pipeline.config import load_settings
from pipeline.demo import DEMO_CORPUS
from pipeline.ingest import ingest_paths
from vectorstore.embeddings import build_minilm

ROOT = Path(__file__).resolve().parent.parent

SHARED = shared_dir()
SEED_ARTICLE = SHARED / "samples" / "seed-article.txt"


def free_port() -> int:
    """A loopback port nothing listens on (for servers the tests start, or to test refused connections)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_environ(tmp_path: Path, **extra: str) -> dict[str, str]:
    """An environment with no keys or overrides from the developer's shell."""
    env = {"FACTCHECK_DATA_DIR": str(tmp_path / "data")}
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def embedder():
    """The real offline embedder, loaded once."""
    return build_minilm(load_settings(environ={}))


@pytest.fixture
def settings(tmp_path):
    """Offline settings with a private data dir."""
    return load_settings(environ=clean_environ(tmp_path, FACTCHECK_LLM__PROVIDER="offline"))


@pytest.fixture
def engine(settings, embedder):
    """An offline engine on a fresh embedded Chroma store."""
    return Engine(settings, overrides={"embedder": embedder})


@pytest.fixture(scope="session")
def demo_store_dir(tmp_path_factory, embedder):
    """A data dir with the demo corpus ingested once per session (tests copy it before writing)."""
    base = tmp_path_factory.mktemp("demo-store")
    settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(base / "data"),
                                      "FACTCHECK_LLM__PROVIDER": "offline"})
    engine = Engine(settings, overrides={"embedder": embedder})
    ingest_paths([DEMO_CORPUS], engine.store, engine.embedder, settings.ingest)
    return base / "data"


@pytest.fixture
def demo_engine(tmp_path, demo_store_dir, embedder):
    """An offline engine over a private copy of the demo store."""
    data = tmp_path / "data"
    shutil.copytree(demo_store_dir, data)
    settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(data), "FACTCHECK_LLM__PROVIDER": "offline"})
    return Engine(settings, overrides={"embedder": embedder})


@pytest.fixture
def fake_provider():
    """Register chat models under provider "fake" through the real registry; unregistered afterwards."""
    registered = []

    def register(model, name: str = "fake"):
        CHAT_MODELS.register(name, lambda settings: model)
        registered.append(name)
        return name

    yield register
    for name in registered:
        CHAT_MODELS.unregister(name)
