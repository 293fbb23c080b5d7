"""Reports: export a run with its decisions as Markdown, HTML, JSON, CSV or ClaimReview JSON-LD."""

from functools import partial

import streamlit as st

from pipeline.access import Action, publish
from pipeline.errors import FactCheckError
from pipeline.report_formats import EXTENSIONS, FORMATS, MEDIA_TYPES, NAMES, REPORT_FORMATS, SCOPE_NAMES, export
from pipeline.reports import load_report, permalink
from pipeline.review_types import ReportScope
from ui.components import run_label
from ui.state import allowed, current_actor, get_settings, list_runs

settings = get_settings()
st.title("Reports")
runs = list_runs()
if not runs:
    st.info("No runs to report on yet: check an article first.")
    st.stop()
labels = {r.run_id: run_label(r) for r in runs}
default = st.query_params.get("run") or st.session_state.get("run_id")
run_id = st.selectbox("Run", list(labels), format_func=lambda r: labels[r],
                      index=list(labels).index(default) if default in labels else 0, key="report_run") or runs[0].run_id
try:
    report = load_report(run_id, settings)
except FactCheckError as exc:
    st.error(exc.user_message())
    st.stop()
decided = sum(1 for c in report.claims if c.decided)
st.caption(f"{decided} of {len(report.claims)} claims decided by a person; undecided claims are marked "
           "“not yet reviewed” and never published in ClaimReview.")
scope = st.radio("Claims in the export", [None, *ReportScope], horizontal=True, key="report_scope",
                 format_func=lambda s: f"{SCOPE_NAMES[s].capitalize()}" if s else "Default for each format",
                 help="Default: decided only for Markdown, HTML and ClaimReview; everything, with machine "
                      "suggestions marked, for JSON and CSV. ClaimReview always holds decided claims only.")
if not permalink(report):
    st.caption("ClaimReview items get a url once `reports.base_url` is set to where reports are published.")
publishable = FORMATS if allowed(Action.PUBLISH) else []  # editors and admins; publish() refuses others too
if not publishable:
    st.info("Publishing reports is for editors: you can read the preview below.")
cols = st.columns(len(FORMATS)) if publishable else []
for column, fmt in zip(cols, publishable, strict=True):
    chosen = scope if scope in REPORT_FORMATS[fmt].scopes else None
    # data is a callable: each export is built when its button is clicked, not on every rerun.
    # on_click="ignore": a rerun started by the click clears Streamlit's outgoing queue, which can drop the
    # reply carrying the file's URL, leaving the button spinning with no download (seen in CI).
    column.download_button(NAMES[fmt], data=partial(publish, report, fmt, current_actor(), chosen),
                           file_name=f"factcheck-{run_id}.{EXTENSIONS[fmt]}", mime=MEDIA_TYPES[fmt],
                           key=f"download_{fmt}", width="stretch", on_click="ignore")
st.subheader("Preview")
with st.container(height=700, border=True):
    st.markdown(export(report, "md", scope))
