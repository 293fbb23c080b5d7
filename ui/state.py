"""App-wide state: one cached Engine per data dir, the review store, and who the reviewer is."""

from __future__ import annotations

import os
import queue
import threading
from typing import Any, Callable

import streamlit as st

from pipeline.config import Settings, load_settings
from pipeline.errors import FactCheckError
from pipeline.reviews import ReviewStore
from pipeline.runs import RunStore
from factcheck.wiring import Engine

REVIEWER_KEY = "reviewer_name"


@st.cache_resource(show_spinner="Loading the embedding model and the evidence store…")
def _engine_for(config_key: str) -> Engine:
    """Build the engine once per configuration (model and Chroma client are shared by all sessions)."""
    engine = Engine(load_settings())
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


def review_store() -> ReviewStore:
    """Decisions database under the data dir."""
    return ReviewStore(get_settings().reviews_db)


def run_store() -> RunStore:
    """Saved runs under the data dir."""
    return RunStore(get_settings().runs_dir)


def logged_in_user() -> str:
    """The signed-in user's name or email when login is configured, else ""."""
    try:
        user = st.user
        if user.get("is_logged_in"):
            return str(user.get("name") or user.get("email") or "")
    except Exception:  # st.user raises when auth is not configured in some versions
        return ""
    return ""


def reviewer() -> str:
    """Who is making decisions: the signed-in user, or the name typed in the sidebar."""
    return logged_in_user() or st.session_state.get(REVIEWER_KEY, "").strip()


def run_in_background(work: Callable[[Callable[[Any], None]], Any],
                      on_event: Callable[[Any], None]) -> Any:
    """Run work(report) in a thread; progress events are shown from this (the script) thread."""
    events: queue.Queue = queue.Queue()
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = work(events.put)
        except BaseException as exc:  # handed back to the script thread
            outcome["error"] = exc
        finally:
            events.put(None)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    while (event := events.get()) is not None:
        on_event(event)
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
