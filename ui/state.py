"""App-wide state: one cached Engine, one review store, cached run files (who the reviewer is: ui/identity.py)."""

from __future__ import annotations

import os
from pathlib import Path

import streamlit as st

from factcheck.wiring import Engine
from pipeline.access import Action, Actor
from pipeline.backup import private_files
from pipeline.config import Settings, load_settings
from pipeline.errors import FactCheckError
from pipeline.injection import InstructionFinding, find_instructions
from pipeline.reviews import ReviewStore
from pipeline.runs import RunStore, RunSummary
from pipeline.types import RunResult
from ui import identity
from ui.identity import REVIEWER_KEY  # noqa: F401  (re-exported for callers)


@st.cache_resource(show_spinner="Loading the embedding model and the evidence store…")
def _engine_for(config_key: str) -> Engine:
    """Build the engine once per configuration (model and Chroma client are shared by all sessions)."""
    settings = load_settings()
    private_files(settings.data_dir)  # reviews, runs and the store are readable by the owner only
    engine = Engine(settings)
    _ = engine.store, engine.retriever, engine.judge  # build now, not concurrently in a request
    return engine


def config_key() -> str:
    """What identifies the configuration this process serves."""
    return "|".join(f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("FACTCHECK_"))


def get_engine() -> Engine:
    """The shared engine; user-fixable setup errors stop the page with one sentence."""
    try:
        return _engine_for(config_key())
    except FactCheckError as exc:
        st.error(exc.user_message())
        st.stop()


def get_settings() -> Settings:
    """Settings of the shared engine."""
    return get_engine().settings


@st.cache_resource(show_spinner=False)
def _review_store(path: str) -> ReviewStore:
    """One store per database file and process: the schema and WAL mode are set up once."""
    return ReviewStore(Path(path))


def review_store() -> ReviewStore:
    """Decisions database under the data dir."""
    return _review_store(str(get_settings().reviews_db))


def run_store() -> RunStore:
    """Saved runs under the data dir."""
    return RunStore(get_settings().runs_dir)


def _mtime_ns(path: Path) -> int:
    """Modification time, 0 when the path does not exist (the cache key of what was read from it)."""
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


@st.cache_data(show_spinner=False, max_entries=8)
def _run_list(directory: str, mtime_ns: int) -> list[RunSummary]:
    """The run list as of this folder modification time (a new or replaced run file changes it)."""
    return RunStore(Path(directory)).list()


def list_runs() -> list[RunSummary]:
    """Saved runs, newest first, re-read only when the runs folder changes."""
    directory = get_settings().runs_dir
    return _run_list(str(directory), _mtime_ns(directory))


@st.cache_data(show_spinner=False, max_entries=16)
def _run(directory: str, run_id: str, mtime_ns: int) -> RunResult:
    """A run as of this file modification time."""
    return RunStore(Path(directory)).load(run_id)


def load_run(run_id: str) -> RunResult:
    """A saved run, parsed once per version of its file."""
    store = run_store()
    return _run(str(store.directory), run_id, _mtime_ns(store.path(run_id)))


@st.cache_data(show_spinner=False, max_entries=64)
def article_findings(text: str) -> list[InstructionFinding]:
    """Instruction-like spans of an article, found once per article text."""
    return find_instructions(text)


def logged_in_user() -> str:
    """The signed-in person's identity, else "" (ui/identity.py with this app's settings)."""
    return identity.logged_in_user(get_settings())


def reviewer() -> str:
    """Who is making decisions: the signed-in identity or the local user's name (see ui/identity.py)."""
    return identity.reviewer(get_settings())


def current_actor() -> Actor | None:
    """Who is acting now, with their role (see ui/identity.py)."""
    return identity.current_actor(get_settings())


def allowed(action: Action) -> bool:
    """Whether the current person may do this (controls they may not use are not shown)."""
    return identity.allowed(get_settings(), action)
