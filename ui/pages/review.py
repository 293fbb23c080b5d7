"""Review: pick a run, work through its claims (deep links: /?run=RUN_ID&claim=CLAIM_ID)."""

import streamlit as st

from pipeline.errors import NotFoundError
from pipeline.queue import build_queue, next_to_decide
from pipeline.review_types import ReviewStatus
from ui.components import run_label
from ui.decisions import ADVANCE_KEY
from ui.review_detail import render_detail
from ui.review_queue import ALL_DONE_KEY, render_queue
from ui.safe import md
from ui.state import article_findings, get_settings, list_runs, load_run, review_store

settings = get_settings()
runs = list_runs()
if not runs:
    st.title("Fact-check review")
    st.info("No checks yet. 1) Add reference articles in **Library** (or load the demo corpus there). "
            "2) Check an article in **Check an article** (the demo article is one click away). "
            "The finished run opens here for review.")
    st.page_link("ui/pages/library.py", label="Go to Library", icon=":material/library_books:")
    st.page_link("ui/pages/check.py", label="Check an article", icon=":material/search:")
    st.stop()

st.title("Review")
labels = {r.run_id: run_label(r) for r in runs}
wanted = st.query_params.get("run") or st.session_state.get("run_id") or runs[0].run_id
if wanted not in labels:
    st.error(f"There is no run '{md(wanted)}' here; showing the latest run instead.")
    wanted = runs[0].run_id


def pick_run(key: str) -> None:
    """Switch runs from the picker; the URL is the single source of truth for what is shown."""
    st.session_state["run_id"] = st.session_state[key]
    st.query_params.clear()
    st.query_params["run"] = st.session_state[key]


# The key carries the run shown, so a stale picker value from an earlier page can never switch runs.
picker_key = f"run_picker|{wanted}"
run_id = st.selectbox("Run", list(labels), index=list(labels).index(wanted), format_func=lambda r: labels[r],
                      key=picker_key, on_change=pick_run, args=(picker_key,)) or wanted
st.session_state["run_id"] = run_id
try:
    result = load_run(run_id)
except NotFoundError as exc:
    st.error(exc.user_message())
    st.stop()
reviews = review_store().for_run(run_id)
rows = build_queue(result, reviews, settings.review.low_confidence, article_findings(result.article.text))
done = sum(1 for r in rows if r.status == ReviewStatus.DONE)
st.caption(f"**{md(result.article.title or result.article.source)}** · checked by {md(result.engine.label())} · "
           f"{len(rows)} claims · {sum(1 for r in rows if r.flagged)} flagged · {done} done")
st.markdown(f"[Export this run](reports?run={run_id})")
if result.engine.kind == "offline":
    st.caption("Suggestions in this run come from the offline heuristic baseline, not a language model.")

claim_id = st.query_params.get("claim")
claims = {c.id: c for c in result.claims}
if claim_id and st.session_state.get(ADVANCE_KEY) == claim_id:  # just marked done: on to the next decision
    st.session_state.pop(ADVANCE_KEY)
    claim_id = next_to_decide(rows, claim_id)
    if claim_id:
        st.query_params["claim"] = claim_id
    else:
        st.query_params.pop("claim", None)
        st.session_state[ALL_DONE_KEY] = run_id
if claim_id and claim_id not in claims:
    st.error(f"Claim '{md(claim_id)}' is not in this run; showing the queue.")
    claim_id = None
if claim_id:
    render_detail(result, rows, claims[claim_id])
else:
    st.query_params["run"] = run_id
    render_queue(rows, run_id)
