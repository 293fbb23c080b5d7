"""`python -m pipeline factchecks import|search|list|remove`: published fact-checks (ClaimReview)."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path
from typing import Any

from pipeline.cli_progress import StageProgress
from pipeline.cli_store import EXIT_ERROR, EXIT_OK, EXIT_PARTIAL
from pipeline.engine import Engine
from pipeline.errors import InputError
from pipeline.factcheck_types import FactCheck, FactCheckMatch


def cmd_import(args: argparse.Namespace, engine: Engine) -> int:
    """Import fact-checks from files and URLs, with progress; print what was added and skipped."""
    progress = StageProgress()
    with contextlib.closing(progress):
        report = engine.factchecks.import_sources(
            args.sources, lambda name, done, total: progress.show("factchecks", done, total, name),
            on_batch=lambda r: progress.show("factchecks-stored", r.added + r.already_stored,
                                             r.added + r.already_stored, f"{r.added} added"))
    print(report.model_dump_json(indent=2) if args.json else report.summary())
    for source, reason in report.failed_sources.items():
        print(f"  failed: {source}: {reason}", file=sys.stderr)
    if report.failed_sources and not (report.added or report.already_stored):
        return EXIT_ERROR
    return EXIT_PARTIAL if report.failed_sources else EXIT_OK


def match_json(match: FactCheckMatch) -> dict[str, Any]:
    """One search hit as a JSON object: the fact-check's ClaimReview fields plus its score."""
    return {"score": match.score, "flagged": match.flagged, "rating": match.factcheck.rating,
            "publisher": match.factcheck.publisher, **match.factcheck.model_dump(), "also": match.also}


def describe(factcheck: FactCheck) -> str:
    """One readable line: rating, publisher, date, url."""
    date = f" · {factcheck.datePublished}" if factcheck.datePublished else ""
    return f"{factcheck.rating} · {factcheck.publisher}{date} · {factcheck.url or 'no url'}"


def read_queries(args: argparse.Namespace) -> list[str]:
    """The query TEXT, or each line of --queries-file (in order)."""
    if args.queries_file:
        return Path(args.queries_file).read_text(encoding="utf-8").splitlines()
    if args.text:
        return [" ".join(args.text)]
    raise InputError("No query given", "Pass TEXT or --queries-file FILE")


def cmd_search(args: argparse.Namespace, engine: Engine) -> int:
    """The fact-checks most like a text, or like each line of a queries file (one JSON line per query)."""
    for query in read_queries(args):
        matches = engine.factchecks.search(query, args.k) if query.strip() else []
        if args.json:
            print(json.dumps({"query": query, "hits": [match_json(m) for m in matches]}, ensure_ascii=False),
                  flush=True)
            continue
        print(f"Query: {query}")
        for rank, match in enumerate(matches, start=1):
            flag = "  ⚑" if match.flagged else ""
            print(f"  {rank}. {match.score:.3f}{flag}  {match.factcheck.claimReviewed[:160]}\n"
                  f"     {describe(match.factcheck)}  [{match.factcheck.id}]")
        if not matches:
            print("  no fact-checks found (import some with `python -m pipeline factchecks import FILE`)")
    return EXIT_OK


def cmd_list(args: argparse.Namespace, engine: Engine) -> int:
    """List stored fact-checks, a page at a time."""
    library = engine.factchecks
    for factcheck in library.store.page(args.offset, args.limit):
        if args.json:
            print(factcheck.model_dump_json())
        else:
            print(f"{factcheck.id}  {factcheck.claimReviewed[:100]}\n    {describe(factcheck)}")
    print(f"{library.count()} fact-checks stored", file=sys.stderr)
    return EXIT_OK


def cmd_remove(args: argparse.Namespace, engine: Engine) -> int:
    """Remove fact-checks by id."""
    removed = engine.factchecks.remove(args.ids)
    print(f"Removed {removed} fact-check(s).")
    if removed < len(set(args.ids)):
        print("Some ids were not stored: list them with `python -m pipeline factchecks list`.", file=sys.stderr)
        return EXIT_PARTIAL
    return EXIT_OK


def add_factcheck_commands(sub: argparse._SubParsersAction) -> None:
    """Register `factchecks` and its subcommands."""
    parser = sub.add_parser("factchecks", help="import, search, list and remove published fact-checks")
    commands = parser.add_subparsers(dest="factchecks_command", required=True)
    p = commands.add_parser("import", help="import ClaimReview JSON-LD, HTML pages, feeds or CSV (files or URLs)")
    p.add_argument("sources", nargs="+", metavar="PATH|URL")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)
    p = commands.add_parser("search", help="the fact-checks most like a text")
    p.add_argument("text", nargs="*")
    p.add_argument("--k", type=int, default=None)
    p.add_argument("--queries-file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)
    p = commands.add_parser("list", help="list stored fact-checks")
    p.add_argument("--offset", type=int, default=0)
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_list)
    p = commands.add_parser("remove", help="remove fact-checks by id")
    p.add_argument("ids", nargs="+")
    p.set_defaults(func=cmd_remove)
