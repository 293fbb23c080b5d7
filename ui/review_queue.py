"""The review queue: a run's claims in a table, flagged first, with filters and sorting."""

from __future__ import annotations

import streamlit as st

from pipeline.queue import SORTS, QueueRow, filter_queue, sort_queue
from pipeline.review_types import ReviewStatus
from pipeline.types import VerdictLabel

STATUS_LABELS = {ReviewStatus.UNREVIEWED: "unreviewed", ReviewStatus.IN_PROGRESS: "in progress",
                 ReviewStatus.DONE: "done"}
VERDICTS = [v.value for v in VerdictLabel] + ["failed"]
ALL_DONE_KEY = "queue_all_done"  # the run whose last claim was just decided


def verdict_label(value: str) -> str:
    """A model verdict as people read it."""
    return value.replace("_", " ")


def table_rows(shown: list[QueueRow]) -> list[dict[str, object]]:
    """Queue rows as table cells: what a reviewer scans first (claim, status, rating, who) on the left."""
    return [{"#": r.number, "claim": r.text, "status": STATUS_LABELS[r.status], "rating": r.rating or "—",
             "reviewer": r.reviewer or "—", "assignee": r.assignee or "—", "flags": ", ".join(r.flags) or "—",
             "model verdict": verdict_label(r.model_verdict), "confidence": round(r.confidence, 2),
             "check-worthiness": round(r.checkworthiness, 2)} for r in shown]


# Fits the main column at 1400 px: the claim with status, rating, reviewer and assignee beside it.
TABLE_COLUMNS = {"#": st.column_config.NumberColumn(width=40), "claim": st.column_config.TextColumn(width=460),
                 **{name: st.column_config.TextColumn(width=90) for name in ("status", "rating", "reviewer",
                                                                             "assignee")}}


def all_decided_notice(rows: list[QueueRow], run_id: str) -> None:
    """Say so when nothing in this run needs a decision any more."""
    just_now = st.session_state.pop(ALL_DONE_KEY, None) == run_id
    if rows and all(r.status == ReviewStatus.DONE for r in rows):
        st.success(("That was the last one: " if just_now else "") +
                   f"all {len(rows)} claims of this run are decided. Nothing left to decide here.")


def open_claim(claim_id: str) -> None:
    """Show a claim in the detail view (and put it in the URL so it can be shared)."""
    st.query_params["claim"] = claim_id


def queue_controls() -> tuple[str, list[ReviewStatus], list[str], bool]:
    """Sort and filter widgets."""
    cols = st.columns([1.2, 1.6, 1.8, 1])
    how = cols[0].selectbox("Sort", SORTS, key="queue_sort")
    statuses = cols[1].multiselect("Review status", list(ReviewStatus), format_func=lambda s: STATUS_LABELS[s],
                                   key="queue_status")
    verdicts = cols[2].multiselect("Model verdict", VERDICTS, format_func=verdict_label, key="queue_verdict")
    flagged = cols[3].toggle("Flagged only", key="queue_flagged")
    return how, statuses, verdicts, flagged


def queue_rows(rows: list[QueueRow]) -> list[QueueRow]:
    """The rows as the reviewer chose to sort and filter them."""
    how, statuses, verdicts, flagged = queue_controls()
    return filter_queue(sort_queue(rows, how), statuses, verdicts, flagged)


def render_queue(rows: list[QueueRow], run_id: str = "") -> None:
    """The table; selecting a row (or the picker below it) opens the claim."""
    all_decided_notice(rows, run_id)
    shown = queue_rows(rows)
    if not shown:
        st.info("No claims match these filters.")
        return
    event = st.dataframe(table_rows(shown), hide_index=True, on_select="rerun", selection_mode="single-row",
                         key="queue_table", column_config=TABLE_COLUMNS, row_height=56)
    selected = getattr(getattr(event, "selection", None), "rows", None)
    if selected:
        st.session_state.pop("queue_table", None)
        open_claim(shown[selected[0]].claim_id)
        st.rerun()
    labels = {r.claim_id: f"#{r.number} {r.text[:90]}" for r in shown}
    cols = st.columns([4, 1])
    choice = cols[0].selectbox("Open claim", list(labels), format_func=lambda c: labels[c], key="queue_pick",
                               label_visibility="collapsed")
    cols[1].button("Open claim", on_click=open_claim, args=(choice,), width="stretch", shortcut="O", key="queue_open")
