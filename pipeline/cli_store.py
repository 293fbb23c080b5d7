"""Store commands of the command line: ingest, articles, reindex, doctor."""

from __future__ import annotations

import argparse
import sys

from pipeline.cli_progress import StageProgress
from pipeline.engine import Engine
from pipeline.ingest import ingest_paths, list_articles
from pipeline.maintenance import doctor, reindex

EXIT_OK, EXIT_ERROR, EXIT_PARTIAL, EXIT_INTERRUPTED = 0, 1, 3, 130
_PAGE = 1000


def cmd_ingest(args: argparse.Namespace, engine: Engine) -> int:
    """Add reference files and folders to the evidence store."""
    progress = StageProgress()
    try:
        report = ingest_paths(args.paths, engine.store, engine.embedder, engine.settings.ingest,
                              engine.settings.retrieval.contextual_header,
                              lambda done, total, name: progress.show("ingest", done, total, name))
    finally:
        progress.close()
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        print(report.summary())
        for duplicate in report.duplicates:
            print(f"  skipped duplicate: {duplicate.name} (same text as {duplicate.same_as})", file=sys.stderr)
        for failure in report.failed:
            print(f"  failed: {failure.name}: {failure.reason}", file=sys.stderr)
    if report.failed and not report.article_ids:
        return EXIT_ERROR
    return EXIT_PARTIAL if report.failed else EXIT_OK


def cmd_articles(args: argparse.Namespace, engine: Engine) -> int:
    """List the reference articles in the store (from the catalog, a page at a time)."""
    catalog = engine.store.catalog
    offset, left = args.offset, args.limit or None
    while page := list_articles(catalog, args.search, offset, min(_PAGE, left) if left else _PAGE):
        for article in page:
            ref = article.article
            print(f"{ref.id}  {article.chunks:>4} chunks  {ref.published or 'no date':<10}  {ref.title}")
        offset += len(page)
        if left is not None:
            left -= len(page)
            if left <= 0:
                break
    return EXIT_OK


def cmd_reindex(args: argparse.Namespace, engine: Engine) -> int:
    """Rebuild the keyword index and the article catalog from the chunk store."""
    progress = StageProgress()
    try:
        report = reindex(engine.store, lambda done, total, name: progress.show("reindex", done, total))
    finally:
        progress.close()
    print(report.summary())
    return EXIT_OK


def cmd_doctor(args: argparse.Namespace, engine: Engine) -> int:
    """Report drift between the chunk store, the keyword index and the catalog, and repair it."""
    print("Comparing the keyword index and the article catalog with the store…", file=sys.stderr, flush=True)
    report = doctor(engine.store, repair=not args.check_only)
    for line in report.lines():
        print(line)
    if report.needs_reindex or (report.drift and args.check_only):
        return EXIT_PARTIAL
    return EXIT_OK


def add_ingest_command(sub: argparse._SubParsersAction) -> None:
    """`ingest PATH...`."""
    p = sub.add_parser("ingest", help="add reference files, folders (.txt .md .html .pdf) or http(s) URLs")
    p.add_argument("paths", nargs="+")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_ingest)


def add_archive_commands(sub: argparse._SubParsersAction) -> None:
    """`articles`, `reindex` and `doctor`."""
    p = sub.add_parser("articles", help="list stored reference articles (newest first)")
    p.add_argument("--search", default="", help="only articles whose title, source or URL contains this text")
    p.add_argument("--limit", type=int, default=0, help="at most this many (default: all)")
    p.add_argument("--offset", type=int, default=0, help="skip this many first")
    p.set_defaults(func=cmd_articles)
    sub.add_parser("reindex", help="rebuild the keyword index and the article catalog from the store "
                                   "(after a tokenizer or contextual_header change)").set_defaults(func=cmd_reindex)
    p = sub.add_parser("doctor", help="report drift between the store, the keyword index and the catalog, "
                                      "and repair it")
    p.add_argument("--check-only", action="store_true", help="report only; exit 3 when there is drift")
    p.set_defaults(func=cmd_doctor)
