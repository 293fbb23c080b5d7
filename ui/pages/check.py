"""Check an article: paste, upload or use the demo article; live progress; the finished run opens in Review."""

import streamlit as st

from pipeline.demo import DEMO_ARTICLE, DEMO_ARTICLE_TITLE
from pipeline.errors import FactCheckError
from pipeline.loaders import load_bytes, load_text
from pipeline.run import ProgressEvent, check_article
from ui.safe import md
from ui.state import get_engine, run_in_background

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
                                                                                "htm", "pdf"])
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


if st.button("Check article", type="primary", disabled=not (text.strip() or upload)):
    try:
        article = read_article()
    except FactCheckError as exc:
        st.error(exc.user_message())
        st.stop()
    with st.status("Checking the article…", expanded=True) as status:
        extract_bar = st.progress(0.0, text="Extracting claims…")
        claims_bar = st.progress(0.0, text="Checking claims: waiting for extraction")
        latest = st.empty()

        def show(event: ProgressEvent) -> None:
            if event.stage == "extract":
                extract_bar.progress(event.done / max(event.total, 1), text=f"Extracting claims: {md(event.message)}")
            elif event.stage == "claims":
                claims_bar.progress(event.done / max(event.total, 1),
                                    text=f"Checking claims: {event.done} of {event.total}")
                if event.message:
                    latest.caption(f"Done: {md(event.message)}")

        try:
            result = run_in_background(lambda report: check_article(article, engine, progress=report), show)
        except FactCheckError as exc:
            status.update(label="The check failed", state="error")
            st.error(exc.user_message())
            st.stop()
        failed = result.stats.failed_claims
        status.update(label=f"{len(result.claims)} claims checked in {result.stats.seconds:.1f} s"
                      + (f" ({failed} failed)" if failed else ""), state="complete")
    st.session_state["run_id"] = result.run_id
    st.switch_page("ui/pages/review.py", query_params={"run": result.run_id})

st.caption(f"Evidence comes from the {engine.store.count()} passages in the library; the article under review "
           "is never used as its own evidence.")
