"""The "Check claims" form: claims typed one per line or an uploaded list, each checked whatever its score."""

from __future__ import annotations

import streamlit as st

from pipeline.claim_lists import ClaimList, claims_from_texts, read_claims_bytes
from pipeline.claim_runs import check_claim_list
from pipeline.engine import Engine
from pipeline.errors import FactCheckError
from ui.check_job import CheckJob
from ui.components import upload_limit_mb
from ui.safe import md

_ORIGIN_FIELDS = (("url", "Where they appeared (URL)"), ("speaker", "Who said them"),
                  ("date", "When (YYYY-MM-DD)"), ("flagged_by", "Who flagged them"), ("note", "Note"))


def read_claims(engine: Engine) -> ClaimList:
    """The uploaded list, or the typed claims with the origin given in the form."""
    upload = st.session_state.get("claims_upload")
    if upload is not None:
        return read_claims_bytes(upload.getvalue(), upload.name, engine.settings.ingest.max_file_mb)
    meta = {field: st.session_state.get(f"claims_{field}", "") for field, _ in _ORIGIN_FIELDS}
    return claims_from_texts(st.session_state.get("claims_text", "").splitlines(), "typed claims", **meta)


def claims_form(engine: Engine, busy: bool) -> CheckJob | None:
    """Draw the form; when the person asks, start checking the claims and return the job."""
    st.divider()
    st.subheader("Check claims")
    st.caption("Claims flagged by readers, monitoring or partners. Every claim given is checked — retrieval, stance, "
               "verdict — whatever its check-worthiness, which is still computed and shown.")
    st.file_uploader("Upload a list: .txt (one claim per line), .csv or .jsonl (a claim column/field, optional url, "
                     "speaker, date, flagged_by, note)", type=["txt", "csv", "jsonl"], key="claims_upload",
                     max_upload_size=upload_limit_mb())
    text = st.text_area("…or type or paste claims, one per line", height=140, key="claims_text")
    with st.expander("Where the typed claims came from (optional)"):
        for field, label in _ORIGIN_FIELDS:
            st.text_input(label, key=f"claims_{field}")
    ready = bool(text.strip() or st.session_state.get("claims_upload"))
    if not st.button("Check claims", type="primary", disabled=busy or not ready, key="check_claims"):
        return None
    try:
        claims = read_claims(engine)
    except FactCheckError as exc:
        st.error(exc.user_message())
        return None
    for message in claims.problem_messages()[:20]:
        st.warning(md(message))
    return CheckJob(lambda report, stop: check_claim_list(claims, engine, progress=report, stop=stop),
                    kind="claims").start()
