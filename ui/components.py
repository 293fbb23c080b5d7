"""Shared widgets: the sidebar (engine, reviewer), run picker, and safe text blocks."""

from __future__ import annotations

import math

import streamlit as st

from pipeline.runs import RunSummary
from pipeline.types import EngineInfo
from ui import identity
from ui.safe import h, md
from ui.state import get_engine

CSS = """<style>
.fc-mark{background:#fde68a;padding:0 .1rem}.fc-quote{background:#bfdbfe;padding:0 .1rem}
.fc-card{border:1px solid #e5e7eb;border-radius:.4rem;padding:.6rem .8rem;margin:.3rem 0;font-size:.92rem}
.fc-ungrounded{color:#b45309;font-weight:600}.fc-muted{color:#6b7280;font-size:.85rem}
.fc-context{line-height:1.55;font-size:.95rem}.fc-claim{font-size:1.15rem;font-weight:600}
</style>"""


def engine_label(info: EngineInfo) -> str:
    """Engine name as shown everywhere (offline is marked as a heuristic baseline)."""
    return info.label()


def sidebar() -> None:
    """Engine in use (always visible) and the reviewer's name."""
    engine = get_engine()
    info = engine.info
    with st.sidebar:
        if info.kind == "offline":
            st.warning("**Engine: offline heuristic baseline** — no language model is configured; claims and "
                       "stances come from simple cues and need a careful human check.")
        else:
            st.info(f"**Engine:** {md(info.provider)} · model {md(info.model)}")
        st.caption(f"Embedding {md(info.embedding)} · retrieval {md(info.retrieval)}")
        who_is_reviewing()


def who_is_reviewing() -> None:
    """The signed-in person, their role and Sign out; or the labelled local mode with a remembered name."""
    settings = get_engine().settings
    actor = identity.current_actor(settings)
    if actor is not None and actor.signed_in:
        st.success(f"Signed in as {md(actor.name)} · {actor.role.value}")
        st.button("Sign out", on_click=st.logout, key="sign_out")
        return
    st.info("**Local mode**: one person on this machine, no sign-in (see README, Sign-in and roles).")
    identity.remembered_name(settings)  # fills the field from the name remembered under data_dir
    st.text_input("Your name (recorded with every decision)", key=identity.REVIEWER_KEY, placeholder="e.g. Ana Ruiz",
                  on_change=identity.remember_name, args=(settings,))


def upload_limit_mb() -> int:
    """The uploader's per-file limit: ingest.max_file_mb (whole MB, as Streamlit takes it), so both agree."""
    return max(1, math.ceil(get_engine().settings.ingest.max_file_mb))


def text_block(text: str, css: str = "") -> None:
    """Untrusted text shown as text."""
    st.html(f'<div class="{css}">{h(text)}</div>')


def run_label(run: RunSummary) -> str:
    """How a run is named in pickers."""
    title = run.title[:70] or "untitled"
    return f"{run.created_at[:16].replace('T', ' ')} · {title} · {run.claims} claims · {run.engine}"
