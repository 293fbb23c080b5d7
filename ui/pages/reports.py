"""Reports: export a run with its decisions as Markdown, HTML, JSON, CSV or ClaimReview JSON-LD."""

from functools import partial

import streamlit as st

from pipeline.access import Action, publish
from pipeline.errors import FactCheckError
from pipeline.report_formats import EXTENSIONS, FORMATS, MEDIA_TYPES, NAMES, export
from pipeline.reports import load_report
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
publishable = FORMATS if allowed(Action.PUBLISH) else []  # editors and admins; publish() refuses others too
if not publishable:
    st.info("Publishing reports is for editors: you can read the preview below.")
cols = st.columns(len(FORMATS)) if publishable else []
for column, fmt in zip(cols, publishable, strict=True):
    # data is a callable: each export is built when its button is clicked, not on every rerun
    column.download_button(NAMES[fmt], data=partial(publish, report, fmt, current_actor()),
                           file_name=f"factcheck-{run_id}.{EXTENSIONS[fmt]}", mime=MEDIA_TYPES[fmt],
                           key=f"download_{fmt}", width="stretch")
st.subheader("Preview")
with st.container(height=700, border=True):
    st.markdown(export(report, "md"))
