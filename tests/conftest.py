"""Shared fixtures: isolated settings per test, one embedder per session, fake models via the real registry."""

from __future__ import annotations

import fcntl
import shutil
import signal
import socket
from collections.abc import Callable
from pathlib import Path

import pytest
from cli_runner import cli_environ, invoke

from bench.datasets import shared_dir
from factcheck.wiring import CHAT_MODELS, Engine
from pipeline.config import load_settings
from pipeline.demo import DEMO_CORPUS
from pipeline.ingest import ingest_paths
from pipeline.lru import CachedEmbedder
from pipeline.run import check_article
from pipeline.runs import RunStore
from pipeline.types import Article
from vectorstore.embeddings import build_minilm

ROOT = Path(__file__).resolve().parent.parent

SHARED = shared_dir()
SEED_ARTICLE = SHARED / "samples" / "seed-article.txt"


def free_port() -> int:
    """A loopback port nothing listens on (for servers the tests start, or to test refused connections)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ctrl_c_reaches_the_child() -> None:
    """Popen preexec_fn: a child of a test run started in the background (which ignores SIGINT) gets Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def field_widget(widgets, field: str, claim_id: str):
    """The review form's widget for one field of a claim (its key ends in a digest of the stored value)."""
    [found] = [w for w in widgets if (w.key or "").startswith(f"{field}|{claim_id}|")]
    return found


def clean_environ(tmp_path: Path, **extra: str) -> dict[str, str]:
    """An environment with no keys or overrides from the developer's shell."""
    env = {"FACTCHECK_DATA_DIR": str(tmp_path / "data")}
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def embedder():
    """The real offline embedder, loaded once per worker; its vectors are remembered across tests, as a
    long-running app process remembers them (the demo corpus's sentences are otherwise re-embedded per test)."""
    return CachedEmbedder(build_minilm(load_settings(environ={})), size=200_000)


@pytest.fixture
def run_cli(embedder):
    """run_cli(*args, data_dir=, stdin=, **env): one CLI command in this process, with the session's embedder."""
    def run(*args, data_dir, stdin=None, **env):
        return invoke(list(args), cli_environ(data_dir, **env), stdin, embedder)
    return run


@pytest.fixture
def settings(tmp_path):
    """Offline settings with a private data dir."""
    return load_settings(environ=clean_environ(tmp_path, FACTCHECK_LLM__PROVIDER="offline"))


@pytest.fixture
def engine(settings, embedder):
    """An offline engine on a fresh embedded Chroma store."""
    return Engine(settings, overrides={"embedder": embedder})


def built_once(tmp_path_factory, worker_id: str, name: str, build: Callable[[Path], None]) -> Path:
    """A directory made by build(path) once per test run and shared by its workers (tests copy it to write)."""
    root = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        root = root.parent  # this run's directory, above each worker's own
    with open(root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (root / name / "ready").exists():
            shutil.rmtree(root / name, ignore_errors=True)
            build(root / name)
            (root / name / "ready").touch()
    return root / name


@pytest.fixture(scope="session")
def demo_store_dir(tmp_path_factory, worker_id, embedder):
    """A data dir with the demo corpus ingested once per test run (tests copy it before writing)."""
    def build(base: Path) -> None:
        settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(base / "data"),
                                          "FACTCHECK_LLM__PROVIDER": "offline"})
        engine = Engine(settings, overrides={"embedder": embedder})
        ingest_paths([DEMO_CORPUS], engine.store, engine.embedder, settings.ingest)
    return built_once(tmp_path_factory, worker_id, "demo-store", build) / "data"


def checked_once(tmp_path_factory, worker_id, demo_store_dir, embedder, name: str, article: Article):
    """The demo store plus one saved offline check of article, made once per test run: (data dir, the run)."""
    def build(base: Path) -> None:
        shutil.copytree(demo_store_dir, base / "data")
        settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(base / "data"),
                                          "FACTCHECK_LLM__PROVIDER": "offline"})
        check_article(article, Engine(settings, overrides={"embedder": embedder}))
    data = built_once(tmp_path_factory, worker_id, name, build) / "data"
    runs = RunStore(data / "runs")
    [summary] = runs.list()
    return data, runs.load(summary.run_id)


def pytest_collection_modifyitems(items):
    """Tests marked slow first, longest first (stable otherwise), so the workers start them at once, not last."""
    def estimate(item) -> float:
        marker = item.get_closest_marker("slow")
        return marker.args[0] if marker and marker.args else 0.0
    items.sort(key=lambda item: -estimate(item))


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
