"""The Library's Fact-checks tab: import ClaimReview files or URLs, search, list and remove published fact-checks."""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from pipeline.access import import_factchecks, remove_factchecks
from pipeline.engine import Engine
from pipeline.errors import FactCheckError
from pipeline.factcheck_import import ImportReport
from pipeline.factcheck_types import FactCheck, FactCheckMatch
from ui.components import upload_limit_mb
from ui.factcheck_cards import factcheck_card
from ui.safe import md
from ui.state import current_actor

_PAGE = 20


def show_import(report: ImportReport) -> None:
    """What an import added, skipped and neutralised."""
    (st.success if report.added else st.info)(md(report.summary()))
    for source, reason in report.failed_sources.items():
        st.error(f"{md(Path(source).name)}: {md(reason)}")


def import_sources(engine: Engine, sources: list[str]) -> None:
    """Import with a progress bar (bytes read of each source)."""
    bar = st.progress(0.0, text="Reading fact-checks…")

    def show(name: str, done: int, total: int) -> None:
        bar.progress(min(1.0, done / max(total, 1)), text=f"{Path(name).name[:60]}: {done:,} of {total:,} bytes")

    try:
        report = import_factchecks(engine.factchecks, sources, current_actor(), show)
    except FactCheckError as exc:
        st.error(exc.user_message())
        return
    finally:
        bar.empty()
    show_import(report)


def import_uploads(engine: Engine, files: list) -> None:
    """Save uploads to a private folder (keeping their names, which tell CSV from JSON) and import them."""
    with tempfile.TemporaryDirectory() as folder:
        paths = []
        for number, file in enumerate(files):
            path = Path(folder) / f"{number}-{Path(file.name).name}"
            path.write_bytes(file.getvalue())
            paths.append(str(path))
        import_sources(engine, paths)


def remove(engine: Engine, factcheck_id: str) -> None:
    """Button callback: remove one fact-check."""
    try:
        remove_factchecks(engine.factchecks, [factcheck_id], current_actor())
    except FactCheckError as exc:
        st.session_state["factcheck_flash"] = exc.user_message()
        return
    st.session_state["factcheck_flash"] = "Removed 1 fact-check."


def show_list(engine: Engine, items: list[FactCheck] | list[FactCheckMatch], manage: bool = True) -> None:
    """Cards, with a remove button each for those who manage the library."""
    for item in items:
        match = item if isinstance(item, FactCheckMatch) else FactCheckMatch(factcheck=item, score=1.0)
        left, right = st.columns([6, 1])
        left.html(factcheck_card(match, basis=False))
        if manage:
            right.button("Remove", key=f"fc_remove_{match.factcheck.id}", on_click=remove,
                         args=(engine, match.factcheck.id))


def render_factcheck_library(engine: Engine, manage: bool = True) -> None:
    """Import, search, list and remove fact-checks (import and remove only for those who manage the library)."""
    library = engine.factchecks
    st.caption("Published fact-checks (schema.org ClaimReview) that every checked claim is matched against. They are "
               "kept apart from the evidence. Re-importing the same url and claim adds nothing.")
    if manage:
        import_form(engine)
    else:
        st.info("Importing and removing fact-checks is for editors: you can search and read them here.")
    if flash := st.session_state.pop("factcheck_flash", None):
        st.info(flash)
    query = st.text_input("Search fact-checks", key="fc_query")
    if query.strip():
        show_list(engine, library.search(query, _PAGE), manage)
        return
    total = library.count()
    st.markdown(f"**{total:,} fact-checks stored**" + (f" (first {_PAGE} shown)" if total > _PAGE else ""))
    show_list(engine, library.store.page(0, _PAGE), manage)


def import_form(engine: Engine) -> None:
    """Upload files or list URLs of fact-checks to import."""
    files = st.file_uploader("ClaimReview JSON-LD, feeds, fact-check pages (.html) or CSV", accept_multiple_files=True,
                             type=["json", "jsonld", "html", "htm", "csv"], key="fc_files",
                             max_upload_size=upload_limit_mb())  # bigger feeds: `factchecks import` or a URL
    if st.button("Import fact-checks", disabled=not files):
        import_uploads(engine, files)
    urls = st.text_area("Or URLs, one per line", key="fc_urls", height=68)
    if st.button("Import from URLs", disabled=not urls.strip()):
        import_sources(engine, [u.strip() for u in urls.splitlines() if u.strip()])
