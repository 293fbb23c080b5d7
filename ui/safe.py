"""Showing untrusted text (articles, model output) as text in Markdown or HTML contexts."""

from __future__ import annotations

from html import escape

from pipeline.markdown import md_escape


def md(text: object) -> str:
    """Text for any Streamlit element that renders Markdown (labels, captions, alerts)."""
    return md_escape(str(text))


def h(text: object) -> str:
    """Text for HTML we build ourselves (st.html)."""
    return escape(str(text), quote=True)


def highlight(text: str, start: int, end: int, css: str = "fc-mark") -> str:
    """Escaped text with [start, end) wrapped in a <mark>."""
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    return f'{h(text[:start])}<mark class="{css}">{h(text[start:end])}</mark>{h(text[end:])}'
