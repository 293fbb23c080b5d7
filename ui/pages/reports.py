"""Reports: export a run with its decisions as Markdown, HTML, JSON, CSV or ClaimReview JSON-LD."""

import streamlit as st

from pipeline.errors import FactCheckError
from pipeline.reports import EXTENSIONS, FORMATS, MEDIA_TYPES, export, load_report
from ui.components import run_label
from ui.state import get_settings, run_store

settings = get_settings()
st.title("Reports")
runs = run_store().list()
if not runs:
    st.info("No runs to report on yet: check an article first.")
    st.stop()
labels = {r.run_id: run_label(r) for r in runs}
default = st.query_params.get("run") or st.session_state.get("run_id")
run_id = st.selectbox("Run", list(labels), format_func=labels.get,
                      index=list(labels).index(default) if default in labels else 0, key="report_run")
try:
    report = load_report(run_id, settings)
except FactCheckError as exc:
    st.error(exc.user_message())
    st.stop()
decided = sum(1 for c in report.claims if c.decided)
st.caption(f"{decided} of {len(report.claims)} claims decided by a person; undecided claims are marked "
           "“not yet reviewed” and never published in ClaimReview.")
NAMES = {"md": "Markdown", "html": "HTML (self-contained)", "json": "JSON (result + reviews)",
         "csv": "CSV (one row per claim)", "claimreview": "ClaimReview JSON-LD"}
cols = st.columns(len(FORMATS))
for column, fmt in zip(cols, FORMATS):
    column.download_button(NAMES[fmt], data=export(report, fmt), file_name=f"factcheck-{run_id}.{EXTENSIONS[fmt]}",
                           mime=MEDIA_TYPES[fmt], key=f"download_{fmt}", use_container_width=True)
st.subheader("Preview")
with st.container(height=700, border=True):
    st.markdown(export(report, "md"))
