"""`check --claim TEXT` (repeatable) and `check --claims-file FILE`: check claims a person hands in."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline.claim_lists import ClaimList, claims_from_texts, read_claims_file
from pipeline.claim_runs import check_claim_list
from pipeline.cli_progress import StageProgress
from pipeline.cli_store import EXIT_OK, EXIT_PARTIAL
from pipeline.engine import Engine
from pipeline.errors import InputError
from pipeline.types import ClaimStatus, RunResult


def add_claims_options(parser: argparse.ArgumentParser) -> None:
    """The check command's options for claims given directly instead of an article."""
    parser.add_argument("--claim", action="append", default=[], metavar="TEXT",
                        help="check this claim whatever its check-worthiness (repeatable; instead of an article)")
    parser.add_argument("--claims-file", metavar="FILE",
                        help="check every claim of a .txt (one per line), .csv or .jsonl list as one run")
    for flag, help_text in (("--url", "with --claim: where the claim appeared"),
                            ("--speaker", "with --claim: who said it"),
                            ("--date", "with --claim: when (YYYY-MM-DD)"),
                            ("--flagged-by", "with --claim: who flagged it"),
                            ("--note", "with --claim: a note for the reviewer")):
        parser.add_argument(flag, default="", help=help_text)


def wants_claims(args: argparse.Namespace) -> bool:
    """True when the check is of given claims rather than an article."""
    return bool(args.claim or args.claims_file)


def read_given(args: argparse.Namespace, max_mb: float) -> ClaimList:
    """The claims of --claims-file or of the --claim options (never both, never with an article)."""
    if args.article:
        raise InputError("Give either an article or claims, not both",
                         "Drop the ARTICLE argument, or drop --claim/--claims-file")
    if args.claim and args.claims_file:
        raise InputError("Give either --claim or --claims-file, not both", "Put all the claims in the file")
    if args.claims_file:
        return read_claims_file(Path(args.claims_file), max_mb)
    meta = {"url": args.url, "speaker": args.speaker, "date": args.date, "flagged_by": args.flagged_by,
            "note": args.note}
    return claims_from_texts(args.claim, "command line", **meta)


def cmd_check_claims(args: argparse.Namespace, engine: Engine) -> int:
    """Check the given claims as one run; print a summary (or the result with --json); name skipped lines."""
    claims = read_given(args, engine.settings.ingest.max_file_mb)
    for message in claims.problem_messages():
        print(message, file=sys.stderr)
    _ = engine.judge
    progress = StageProgress()
    try:
        result = check_claim_list(claims, engine, progress)
    finally:
        progress.close()
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        print_claims_summary(result)
    return EXIT_PARTIAL if result.stats.failed_claims or result.stats.skipped_lines else EXIT_OK


def origin_line(result: RunResult, number: int) -> str:
    """Where claim `number` (1-based) came from, in a few words."""
    source = result.claims[number - 1].source
    if source is None:
        return ""
    parts = [f"line {source.line}" if source.line and source.list_name != "command line" else "",
             f"said by {source.speaker}" if source.speaker else "", source.date,
             f"at {source.url}" if source.url else "", f"flagged by {source.flagged_by}" if source.flagged_by else ""]
    return " · ".join(p for p in parts if p)


def print_claims_summary(result: RunResult) -> None:
    """Each claim's verdict, check-worthiness and origin, then the counts and how to export."""
    stats = result.stats
    print(f"Run {result.run_id} · engine: {result.engine.label()} · {len(result.claims)} claims checked "
          f"({stats.failed_claims} failed, {stats.skipped_lines} lines skipped, {stats.resumed_claims} resumed) · "
          f"{stats.seconds:.1f} s · LLM calls {result.usage.llm_calls} (+{result.usage.cached_calls} cached)")
    for number, claim in enumerate(result.claims, start=1):
        origin = origin_line(result, number)
        where = f"\n       {origin}" if origin else ""
        if claim.status == ClaimStatus.FAILED:
            print(f"{number:>3}. [FAILED] {claim.text}\n       {claim.error}{where}")
            continue
        print(f"{number:>3}. [{claim.verdict.value.upper()} {claim.confidence:.2f}] {claim.text} "
              f"(check-worthiness {claim.checkworthiness:.2f}){where}")
    if stats.failed_claims:
        print(f"{stats.failed_claims} claim(s) failed: re-run the same command to retry only those (finished claims "
              "are kept).")
    print(f"Review: streamlit run app.py, then /?run={result.run_id} · Export: python -m pipeline export "
          f"{result.run_id} --format md")
