"""Check an article: paste, upload or use the demo article; live progress; the finished run opens in Review."""

import time

import streamlit as st

from pipeline.demo import DEMO_ARTICLE, DEMO_ARTICLE_TITLE
from pipeline.errors import FactCheckError
from pipeline.loaders import load_bytes, load_text
from pipeline.run import check_article
from pipeline.types import RunResult
from ui.check_job import CheckJob, claims_status
from ui.claims_form import claims_form
from ui.components import upload_limit_mb
from ui.safe import md
from ui.state import get_engine

engine = get_engine()
settings = engine.settings
st.title("Check an article")
info = engine.info
if info.kind == "offline":
    st.caption("Engine: **offline heuristic baseline** (no language model). Every sentence with check-worthiness "
               "cues becomes a claim; stances come from similarity and mismatch cues.")
else:
    st.caption(f"Engine: {md(info.provider)} · {md(info.model)}")
if engine.store.count() == 0:
    st.warning("The library is empty, so no evidence can be found. Add reference articles in **Library** first "
               "(or load the demo corpus there).")


def use_demo_article() -> None:
    """Fill the form with the bundled demo article."""
    st.session_state["check_text"] = DEMO_ARTICLE.read_text(encoding="utf-8")
    st.session_state["check_title"] = DEMO_ARTICLE_TITLE
    st.session_state["check_url"] = ""


st.button("Use the demo article", on_click=use_demo_article)
upload = st.file_uploader("Upload the article (.txt, .md, .html, .pdf)", type=["txt", "md", "markdown", "html",
                                                                                "htm", "pdf"],
                          max_upload_size=upload_limit_mb())
text = st.text_area("…or paste it here (text or HTML)", height=260, key="check_text")
title = st.text_input("Title (optional)", key="check_title")
url = st.text_input("Where it was published (URL, optional; used in ClaimReview)", key="check_url")


def read_article():
    """The article from the upload or the text box."""
    if upload is not None:
        article = load_bytes(upload.getvalue(), upload.name, source=upload.name, url=url)
    else:
        article = load_text(text, title=title, source=title or "pasted text", url=url)
    if title:
        article.title = title
    return article


JOB_KEY = "check_job"


def show_progress(job: CheckJob, extract_bar, claims_bar, latest) -> None:
    """Draw the job's latest progress."""
    extract = job.latest.get("extract")
    if extract is not None and extract_bar is not None:
        extract_bar.progress(extract.done / max(extract.total, 1), text=f"Extracting claims: {md(extract.message)}")
    claims = job.latest.get("claims")
    claims_bar.progress(claims.done / max(claims.total, 1) if claims else 0.0, text=claims_status(job))
    if claims is not None and claims.message:
        latest.caption(f"Done: {md(claims.message)}")


def follow(job: CheckJob) -> RunResult:
    """Show the job until it ends (a Cancel click reruns the page and comes back here); stops on failure."""
    checking = "Checking the claims…" if job.kind == "claims" else "Checking the article…"
    label = "Cancelling: finishing the model calls in flight…" if job.stop.is_set() else checking
    with st.status(label, expanded=True) as status:
        st.button("Cancel", on_click=job.cancel, disabled=job.stop.is_set(), key="cancel_check",
                  help="Stop now: finished claims are kept, and re-running the same check resumes from the cache.")
        extract_bar = None if job.kind == "claims" else st.progress(0.0, text="Extracting claims…")
        claims_bar = st.progress(0.0, text=claims_status(job))
        latest = st.empty()
        while job.running:
            show_progress(job, extract_bar, claims_bar, latest)
            time.sleep(0.5)
        show_progress(job, extract_bar, claims_bar, latest)
        st.session_state.pop(JOB_KEY, None)
        if job.result is None:
            status.update(label="The check was cancelled" if job.stop.is_set() else "The check failed", state="error")
            st.error(job.error)
            st.stop()
        result = job.result
        failed = result.stats.failed_claims
        ending = " (cancelled; re-run to finish)" if job.stop.is_set() else (f" ({failed} failed)" if failed else "")
        ending += f" · {result.stats.resumed_claims} resumed" if result.stats.resumed_claims else ""
        status.update(label=f"{len(result.claims)} claims in {result.stats.seconds:.1f} s{ending}", state="complete")
    return result


job = st.session_state.get(JOB_KEY)
if st.button("Check article", type="primary", disabled=not (text.strip() or upload) or job is not None):
    try:
        article = read_article()
    except FactCheckError as exc:
        st.error(exc.user_message())
        st.stop()
    job = CheckJob(lambda report, stop: check_article(article, engine, progress=report, stop=stop)).start()
    st.session_state[JOB_KEY] = job
claims_job = claims_form(engine, job is not None)
if claims_job is not None:
    job = st.session_state[JOB_KEY] = claims_job
if job is not None:
    result = follow(job)
    st.session_state["run_id"] = result.run_id
    st.switch_page("ui/pages/review.py", query_params={"run": result.run_id})

st.caption(f"Evidence comes from the {engine.store.count()} passages in the library; the article under review "
           "is never used as its own evidence.")
