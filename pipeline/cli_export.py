"""The export command's terminal side: the --scope option, readable Markdown on a terminal, notes on stderr."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from pipeline.report_formats import REPORT_FORMATS, SCOPE_NAMES
from pipeline.reports import permalink, scoped
from pipeline.review_types import Report, ReportScope
from pipeline.types import Article


def add_scope_option(parser: argparse.ArgumentParser) -> None:
    """--scope decided|all, defaulting per format."""
    defaults = "; ".join(f"{fmt}: {spec.scope.value}" for fmt, spec in REPORT_FORMATS.items())
    parser.add_argument("--scope", choices=[s.value for s in ReportScope],
                        help="decided: only claims a person decided; all: every claim, machine suggestions "
                             f"marked (default per format: {defaults})")


def write_report(text: str, fmt: str, stream: TextIO) -> None:
    """The report as is, except Markdown on a terminal, which is rendered so it reads without escapes."""
    if fmt != "md" or not stream.isatty():
        stream.write(text)
        return
    from rich.console import Console
    from rich.markdown import Markdown

    Console(file=stream).print(Markdown(text))


def export_notes(report: Report, fmt: str, scope: str | None) -> list[str]:
    """What the user should know about an export: claims left out, a ClaimReview without urls."""
    spec = REPORT_FORMATS[fmt]
    shown = scoped(report, ReportScope(scope) if scope else spec.scope)
    notes = []
    if shown.left_out:
        notes.append(f"Exported {SCOPE_NAMES[shown.scope]}: {len(shown.claims)} claim(s); {shown.left_out} "
                     "undecided claim(s) left out (--scope all shows them, marked as machine suggestions).")
    if fmt == "claimreview" and not permalink(report):
        notes.append("The ClaimReview items have no url: set reports.base_url (or FACTCHECK_REPORTS__BASE_URL) "
                     "to the address your reports are published under.")
    return notes


def title_note(article: Article) -> str:
    """Which title a check chose when none was given, and where it came from."""
    if not article.title:
        return "Title: none found in the article (pass --title to give one)."
    if article.title in (article.source, Path(article.source).stem):
        origin = "the file name"
    elif article.title == article.url:
        origin = "the URL"
    else:
        origin = "the article"
    return f"Title: “{article.title}” (from {origin}; pass --title to change it)."
