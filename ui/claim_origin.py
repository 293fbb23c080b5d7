"""Where a claim handed in by a person came from (URL, speaker, date, flagger, note), shown instead of an article."""

from __future__ import annotations

import streamlit as st

from pipeline.reports import safe_url
from pipeline.types import Claim, ClaimSource
from ui.safe import h

_ROWS = (("speaker", "Said by"), ("date", "When"), ("flagged_by", "Flagged by"), ("note", "Note"))


def origin_html(source: ClaimSource) -> str:
    """The origin as an escaped HTML table; the URL is a link only when it is http(s)."""
    rows = []
    if source.url:
        url = safe_url(source.url)
        shown = (f'<a href="{h(url)}" target="_blank" rel="noopener noreferrer">{h(source.url)}</a>' if url
                 else h(source.url))
        rows.append(("Where it appeared", shown))
    rows += [(label, h(getattr(source, field))) for field, label in _ROWS if getattr(source, field)]
    if source.list_name:
        rows.append(("From", h(source.list_name) + (f", line {source.line}" if source.line else "")))
    if not rows:
        return '<div class="fc-context">Handed in by a person, with no details of where it came from.</div>'
    body = "".join(f"<tr><th>{label}</th><td>{value}</td></tr>" for label, value in rows)
    return f'<div class="fc-context"><table class="fc-origin">{body}</table></div>'


def render_claim_origin(claim: Claim) -> bool:
    """Show where a given claim came from; False (nothing shown) for a claim taken from an article."""
    if claim.source is None:
        return False
    st.markdown("**Flagged claim** — checked because a person asked, whatever its check-worthiness")
    st.html(origin_html(claim.source))
    return True
