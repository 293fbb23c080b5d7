"""Library: add reference articles (upload, paste, URL, demo corpus), see what is stored, remove articles."""

import time
from datetime import UTC, datetime

import streamlit as st

from pipeline.access import Action, remove_article, require
from pipeline.cli_progress import eta
from pipeline.demo import DEMO_CORPUS
from pipeline.errors import FactCheckError, InputError
from pipeline.ingest import IngestFailure, IngestReport, ingest_articles, ingest_paths, list_articles
from pipeline.loaders import fetch_url, load_bytes, load_text
from ui.components import upload_limit_mb
from ui.factcheck_library import render_factcheck_library
from ui.safe import md
from ui.state import allowed, current_actor, get_engine

engine = get_engine()
settings = engine.settings
st.title("Library")
st.caption("Reference articles your checks draw evidence from. Re-adding the same text adds nothing.")
manage = allowed(Action.MANAGE_LIBRARY)  # editors and admins; the domain refuses others too
if not manage:
    st.info("Adding and removing reference articles is for editors: you can search the library below.")


def show_report(report: IngestReport) -> None:
    """What was added, skipped and refused."""
    (st.success if report.added_articles else st.info)(report.summary())
    if report.duplicates:
        with st.expander(f"{len(report.duplicates)} duplicate(s) skipped"):
            st.markdown("\n".join(f"- {md(d.name)}: same text as {md(d.same_as)}" for d in report.duplicates[:200]))
    for failure in report.failed:
        st.error(f"{md(failure.name)}: {md(failure.reason)}")


def _show(bar, started: float, done: int, total: int, name: str) -> None:
    """Move the progress bar, with the rate and the time left."""
    timing = eta(done, total, time.monotonic() - started, "files")
    bar.progress(done / total, text=f"{done}/{total} · {timing} · {md(name[:60])}")


def ingest_with_progress(articles, report: IngestReport) -> None:
    """Store articles with a progress bar, then report."""
    require(current_actor(), Action.MANAGE_LIBRARY)
    if articles:
        bar = st.progress(0.0, text="Adding to the library…")
        started = time.monotonic()
        ingest_articles(articles, engine.store, engine.embedder, settings.ingest,
                        settings.retrieval.contextual_header,
                        lambda done, total, name: _show(bar, started, done, total, name), report)
        bar.empty()
    show_report(report)


upload_tab, paste_tab, url_tab, demo_tab, factcheck_tab = st.tabs(["Upload files", "Paste text", "From URLs",
                                                                  "Demo corpus", "Fact-checks"])
with upload_tab:
    files = st.file_uploader("Reference files (.txt, .md, .html, .pdf)", accept_multiple_files=True,
                             type=["txt", "md", "markdown", "html", "htm", "pdf"], max_upload_size=upload_limit_mb())
    if st.button("Add files to the library", disabled=not files or not manage):
        report, articles = IngestReport(), []
        for file in files:
            try:
                if file.size > settings.ingest.max_file_mb * 1024 * 1024:
                    raise InputError(f"{file.name} is over the {settings.ingest.max_file_mb:g} MB limit",
                                     "Split the file or raise ingest.max_file_mb")
                articles.append(load_bytes(file.getvalue(), file.name, source=file.name))
            except FactCheckError as exc:
                report.failed.append(IngestFailure(name=file.name, reason=exc.user_message()))
        ingest_with_progress(articles, report)

with paste_tab:
    pasted_title = st.text_input("Title", key="lib_title")
    pasted_url = st.text_input("Source URL (optional)", key="lib_url")
    pasted = st.text_area("Article text", height=200, key="lib_text")
    if st.button("Add text to the library", disabled=not pasted.strip() or not manage):
        try:
            article = load_text(pasted, title=pasted_title, source=pasted_url or pasted_title or "pasted text",
                                url=pasted_url)
            ingest_with_progress([article], IngestReport())
        except FactCheckError as exc:
            st.error(exc.user_message())

with url_tab:
    urls = st.text_area("One URL per line", height=120, key="lib_urls")
    if st.button("Fetch and add", disabled=not urls.strip() or not manage):
        report, articles = IngestReport(), []
        for url in [u.strip() for u in urls.splitlines() if u.strip()]:
            try:
                articles.append(fetch_url(url, settings.ingest))
            except FactCheckError as exc:
                report.failed.append(IngestFailure(name=url, reason=exc.user_message()))
        ingest_with_progress(articles, report)

with demo_tab:
    st.write("Eleven short reference texts on Russia–Iran military cooperation (2022), the 2015 nuclear deal, "
             "resolution 2231, the 2022 protests in Iran and North Korean artillery.")
    if st.button("Load the demo corpus", disabled=not manage):
        with st.spinner("Adding the demo corpus…"):
            require(current_actor(), Action.MANAGE_LIBRARY)
            show_report(ingest_paths([DEMO_CORPUS], engine.store, engine.embedder, settings.ingest,
                                     settings.retrieval.contextual_header))

PAGE_SIZE = 50


def show_library() -> None:
    """One page of stored articles from the catalog, with search, paging and removal (never scans chunks)."""
    catalog = engine.store.catalog
    if notice := st.session_state.pop("lib_notice", ""):
        st.success(md(notice))
    search = st.text_input("Search titles, sources and links", key="lib_search").strip()
    matching = catalog.count(search)
    if not matching:
        st.info("No stored article matches that search." if search else
                "The library is empty: upload reference articles, or load the demo corpus.")
        return
    pages = (matching + PAGE_SIZE - 1) // PAGE_SIZE
    number = int(st.number_input(f"Page (of {pages})", min_value=1, max_value=pages, value=1, step=1,
                                 key="lib_page")) if pages > 1 else 1
    stored = list_articles(catalog, search, (number - 1) * PAGE_SIZE, PAGE_SIZE)
    st.dataframe([{"title": a.article.title, "source": a.article.source, "url": a.article.url,
                   "date": a.article.published, "added": added(a.added_at), "chunks": a.chunks, "id": a.article.id}
                  for a in stored], hide_index=True, width="stretch",
                 column_config={"url": st.column_config.LinkColumn("url")})
    shown = f"{matching} matching · " if search else ""
    st.caption(f"{shown}{catalog.count()} articles · {catalog.total_chunks()} passages")
    remove_one(stored)


def added(timestamp: float) -> str:
    """When an article was added, as a short UTC date and time ("" when unknown, e.g. after a reindex)."""
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d %H:%M") if timestamp else ""


def remove_one(stored) -> None:
    """Remove one article of the page from the store, the keyword index and the catalog (editors only)."""
    if not manage:
        return
    with st.expander("Remove an article"):
        labels = {a.article.id: f"{a.article.title or a.article.source} ({a.chunks} passages)" for a in stored}
        doomed = st.selectbox("Article (from this page)", list(labels), format_func=lambda a: labels[a],
                              key="lib_remove")
        confirm = st.checkbox("Yes, remove it from the library", key="lib_remove_confirm")
        if st.button("Remove", disabled=not confirm) and doomed:
            removed = remove_article(engine.store, doomed, current_actor())
            st.session_state["lib_notice"] = f"Removed {labels[doomed]}: {removed} passages."
            st.rerun()


st.subheader("In the library")
show_library()

with factcheck_tab:
    render_factcheck_library(engine, manage)
