"""Prior fact-checks of a claim as cards beside the evidence; the reviewer may mark one as the basis of the decision."""

from __future__ import annotations

import streamlit as st

from pipeline.factcheck_types import FactCheckMatch
from pipeline.reports import safe_url
from pipeline.types import Claim
from ui.decisions import on_widget_change, widget_key
from ui.safe import h
from ui.state import review_store, reviewer

_NONE = ""


def factcheck_card(match: FactCheckMatch, basis: bool) -> str:
    """One prior fact-check: publisher (linked), rating, date, score, and the claim it reviewed."""
    factcheck = match.factcheck
    url = safe_url(factcheck.url)
    publisher = h(factcheck.publisher)
    source = f'<a href="{h(url)}" target="_blank" rel="noopener noreferrer">{publisher}</a>' if url else publisher
    meta = " · ".join(x for x in (f"rated <b>{h(factcheck.rating)}</b>", h(factcheck.datePublished),
                                  f"match {match.score:.2f}" + (" ⚑" if match.flagged else "")) if x)
    claimant = f" — {h(factcheck.itemReviewed.author)}" if factcheck.itemReviewed.author else ""
    marked = '<div class="fc-muted">✔ basis of the decision</div>' if basis else ""
    return (f'<div class="fc-card fc-factcheck"><div><b>{source}</b> <span class="fc-muted">{meta}</span></div>'
            f"<div>“{h(factcheck.claimReviewed)}”{claimant}</div>{confirmation(match)}{also_links(match)}{marked}</div>")


def confirmation(match: FactCheckMatch) -> str:
    """What the model said about this match (factchecks.confirm_with_model), if it was asked."""
    if match.confirmed is None:
        return ""
    if match.confirmed:
        return f'<div class="fc-muted">model: the same claim — “{h(match.confirmation_quote)}”</div>'
    return '<div class="fc-muted">model: a different claim (not flagged)</div>'


def also_links(match: FactCheckMatch) -> str:
    """Links to the near-identical fact-checks folded into this card, if any."""
    links = [f'<a href="{h(url)}" target="_blank" rel="noopener noreferrer">{number}</a>'
             for number, url in enumerate(filter(None, map(safe_url, match.also)), start=1)]
    if not links:
        return ""
    return f'<div class="fc-muted">also published, near-identical: {", ".join(links)}</div>'


@st.fragment
def render_factchecks(run_id: str, claim: Claim) -> None:
    """The claim's prior fact-checks as cards, and the choice of one as the basis of the decision (saved, audited)."""
    if not claim.factchecks:
        return
    review = review_store().get(run_id, claim.id)
    st.markdown(f"**Prior fact-checks** ({len(claim.factchecks)})")
    columns = st.columns(len(claim.factchecks))
    for column, match in zip(columns, claim.factchecks):
        column.html(factcheck_card(match, review.factcheck_basis == match.factcheck.id))
    options = [_NONE, *[m.factcheck.id for m in claim.factchecks]]
    names = {m.factcheck.id: f"{m.factcheck.publisher}: {m.factcheck.rating} — {m.factcheck.claimReviewed[:60]}"
             for m in claim.factchecks}
    key = widget_key("factcheck_basis", review)
    current = review.factcheck_basis if review.factcheck_basis in options else _NONE
    st.selectbox("Basis of my decision", options, index=options.index(current), key=key, disabled=not reviewer(),
                 format_func=lambda fid: names.get(fid, "— no prior fact-check —"),
                 on_change=on_widget_change, args=("factcheck_basis", key, review.model_dump_json()))
