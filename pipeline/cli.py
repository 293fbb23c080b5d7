"""Command line: python -m pipeline ingest|check|search|export|runs|articles|reindex|doctor|demo (engine injected)."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from pipeline.backup import private_files
from pipeline.cli_admin import add_admin_commands
from pipeline.cli_claims import add_claims_options, cmd_check_claims, wants_claims
from pipeline.cli_export import add_scope_option, export_notes, title_note, write_report
from pipeline.cli_factchecks import add_factcheck_commands, read_queries
from pipeline.cli_progress import StageProgress
from pipeline.cli_store import (
    EXIT_ERROR,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PARTIAL,
    add_archive_commands,
    add_ingest_command,
)
from pipeline.config import Settings, load_settings
from pipeline.demo import DEMO_ARTICLE, DEMO_ARTICLE_TITLE, DEMO_CORPUS
from pipeline.engine import Engine
from pipeline.errors import FactCheckError, InputError, redact
from pipeline.ingest import ingest_paths
from pipeline.loaders import decode_text, load_file, load_text
from pipeline.ports import LLMRequest
from pipeline.prompts import load_prompt
from pipeline.report_formats import FORMATS, export
from pipeline.reports import load_report
from pipeline.run import check_article
from pipeline.runs import RunStore, write_atomic
from pipeline.text import clip
from pipeline.types import Article, ClaimStatus, RunResult, Usage, max_chars

EngineFactory = Callable[[Settings], Engine]


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from the config file and environment, plus command-line overrides."""
    overrides: dict = {}
    if args.data_dir:
        overrides["data_dir"] = str(Path(args.data_dir).resolve())
    llm: dict = {}
    if args.preset:
        llm["preset"] = args.preset
    if args.offline:
        llm["provider"] = "offline"
    environ = dict(os.environ)
    if llm.get("preset"):
        environ["FACTCHECK_LLM__PRESET"] = llm.pop("preset")
    if llm:
        overrides["llm"] = llm
    return load_settings(args.config, environ=environ, **overrides)


def read_article(source: str, max_mb: float) -> Article:
    """The article under review from a file path or '-' (stdin)."""
    if source == "-":
        raw = sys.stdin.buffer.read()
        return load_text(decode_text(raw, "stdin"), source="stdin")
    path = Path(source)
    if not path.is_file():
        raise InputError(f"{source} is not a file", "Give the path of the article to check, or - for stdin")
    return load_file(path, max_mb)


def cmd_check(args: argparse.Namespace, engine: Engine) -> int:
    """Check an article and print a summary (or the full result with --json)."""
    if wants_claims(args):
        return cmd_check_claims(args, engine)
    if not args.article:
        raise InputError("Nothing to check", "Give an article (a file, or - for stdin), --claim TEXT or "
                         "--claims-file FILE")
    article = read_article(args.article, engine.settings.ingest.max_file_mb)
    if args.title:
        article.title = args.title
    result = run_check(article, engine)
    if not args.title:
        print(title_note(article), file=sys.stderr)
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        print_summary(result)
    return EXIT_PARTIAL if result.stats.failed_claims else EXIT_OK


def run_check(article: Article, engine: Engine) -> RunResult:
    """Run a check with progress per stage on stderr (set-up errors surface before any progress line)."""
    _ = engine.extractor, engine.judge
    progress = StageProgress()
    try:
        return check_article(article, engine, progress)
    finally:
        progress.close()


def _corrected(count: int) -> str:
    """The summary's note on claims moved to the sentence holding their words (only when there are any)."""
    return f", {count} source sentence{'s' if count != 1 else ''} corrected" if count else ""


def print_summary(result: RunResult) -> None:
    """Readable run summary: engine, counts, each claim's verdict and its strongest evidence."""
    stats = result.stats
    print(f"Run {result.run_id} · engine: {result.engine.label()} · {len(result.claims)} claims "
          f"({stats.failed_claims} failed, {stats.dropped_unlocated} dropped unlocated, "
          f"{stats.merged_duplicates} merged{_corrected(stats.corrected_sources)}) · {stats.seconds:.1f} s · "
          f"LLM calls {result.usage.llm_calls} (+{result.usage.cached_calls} cached)")
    for number, claim in enumerate(result.claims, start=1):
        if claim.status == ClaimStatus.FAILED:
            print(f"{number:>3}. [FAILED] {claim.text}\n       {claim.error}")
            continue
        print(f"{number:>3}. [{claim.verdict.value.upper()} {claim.confidence:.2f}] {claim.text}")
        decisive = [e for e in claim.evidence if e.grounded and e.stance.value != "unrelated"]
        for evidence in decisive[:2]:
            source = evidence.article.title or evidence.article.source
            print(f"       {evidence.stance.value}: “{clip(evidence.quote, 140)}” — {source}")
    if not result.claims:
        print("No check-worthy claims were found in this article.")
    for reason, count in failure_reasons(result).items():
        print(f"{count} claim(s) failed: {reason} Re-run the same command to retry only those (finished "
              "replies are cached).")
    print(f"Export: python -m pipeline export {result.run_id} --format md")


def failure_reasons(result: RunResult) -> dict[str, int]:
    """Failed claims grouped by their one-sentence reason."""
    reasons: dict[str, int] = {}
    for claim in result.claims:
        if claim.status == ClaimStatus.FAILED:
            reasons[claim.error] = reasons.get(claim.error, 0) + 1
    return reasons


def cmd_search(args: argparse.Namespace, engine: Engine) -> int:
    """Show what retrieval returns for a text, or for each line of a queries file."""
    for query in read_queries(args):
        passages = engine.retriever.search(query, args.k) if query.strip() else []
        hits: list[dict[str, Any]] = [{"chunk_id": p.chunk_id, "source": p.article.url or p.article.source,
                                       "title": p.article.title, "text": p.text, "score": p.score} for p in passages]
        if args.json:
            print(json.dumps({"query": query, "hits": hits}, ensure_ascii=False), flush=True)
        else:
            print(f"Query: {query}")
            for rank, hit in enumerate(hits, start=1):
                print(f"  {rank}. {hit['score']:.3f}  {hit['source']}  [{hit['chunk_id']}]\n"
                      f"     {' '.join(hit['text'].split())[:200]}")
    return EXIT_OK


def cmd_export(args: argparse.Namespace, engine: Engine) -> int:
    """Write a saved run, with its reviews, as a report."""
    report = load_report(args.run_id, engine.settings)
    text = export(report, args.format, args.scope)
    if args.out:
        write_atomic(Path(args.out), text)
        print(f"Wrote {args.out}")
    else:
        write_report(text, args.format, sys.stdout)
    for note in export_notes(report, args.format, args.scope):
        print(note, file=sys.stderr)
    return EXIT_OK


class SmokeReply(BaseModel):
    """The model's answer to the smoke test."""

    reply: str = Field(json_schema_extra=max_chars(120))


def cmd_models(args: argparse.Namespace, engine: Engine) -> int:
    """Show the configured model, where it runs, and (unless --no-call) one timed call to it."""
    info = engine.info
    print(f"engine:     {info.label()}")
    print(f"provider:   {info.provider}")
    print(f"embedding:  {info.embedding} · retrieval {info.retrieval}")
    if engine.llm is None:
        print("No language model is configured: claims and stances come from the offline engine "
              "(set FACTCHECK_LLM__PRESET or FACTCHECK_LLM__BASE_URL to use one).")
        return EXIT_OK
    if args.no_call:
        return EXIT_OK
    prompt = load_prompt("smoke_test").render(question="In one sentence: what does a fact-checker do?")
    usage, started = Usage(), time.monotonic()
    [reply] = engine.llm.generate([LLMRequest(prompt=prompt, schema=SmokeReply)], usage)
    seconds = time.monotonic() - started
    if isinstance(reply, FactCheckError):
        print(f"smoke test: failed after {seconds:.1f} s: {reply.user_message()}")
        return EXIT_ERROR
    speed = usage.tokens_per_second()
    print(f"smoke test: ok in {seconds:.1f} s · {usage.output_tokens} output tokens"
          + (f" · {speed:.1f} tokens/s" if speed else " (cached reply)"))
    print(f"reply:      {getattr(reply, 'reply', '')}")
    return EXIT_OK


def cmd_runs(args: argparse.Namespace, engine: Engine) -> int:
    """List saved runs, newest first."""
    for run in RunStore(engine.settings.runs_dir).list():
        print(f"{run.run_id}  {run.created_at}  {run.claims:>3} claims  {run.engine:<10}  {run.title}")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace, engine: Engine) -> int:
    """Load the bundled demo corpus and check the bundled demo article."""
    report = ingest_paths([DEMO_CORPUS], engine.store, engine.embedder, engine.settings.ingest,
                          engine.settings.retrieval.contextual_header)
    print(f"Demo corpus: {report.summary()}")
    article = load_file(DEMO_ARTICLE)
    article.title = DEMO_ARTICLE_TITLE
    result = run_check(article, engine)
    if args.json:
        print(result.model_dump_json(indent=2))
    else:
        print_summary(result)
    return EXIT_OK


def build_parser(more_commands: Callable[[argparse._SubParsersAction], None] | None = None,
                 ) -> argparse.ArgumentParser:
    """All subcommands and options; `more_commands` adds the entry point's own (e.g. bench)."""
    parser = argparse.ArgumentParser(prog="python -m pipeline", description="Claim fact-check assistant.")
    parser.add_argument("--config", help="TOML config file (default: factcheck.toml or $FACTCHECK_CONFIG)")
    parser.add_argument("--data-dir", help="where the store, runs and cache live ($FACTCHECK_DATA_DIR)")
    parser.add_argument("--preset", help="LLM preset: openai, ollama, llamacpp, vllm, lmstudio")
    parser.add_argument("--offline", action="store_true", help="use the offline engine whatever is configured")
    sub = parser.add_subparsers(dest="command", required=True)
    add_ingest_command(sub)
    p = sub.add_parser("check", help="check an article (a file, or - for stdin), or claims (--claim, --claims-file)")
    p.add_argument("article", nargs="?")
    add_claims_options(p)
    p.add_argument("--title", default="")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_check)
    p = sub.add_parser("search", help="show what retrieval returns for a text")
    p.add_argument("text", nargs="*")
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--queries-file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_search)
    p = sub.add_parser("export", help="write a saved run as a report")
    p.add_argument("run_id")
    p.add_argument("--format", default="md", choices=FORMATS)
    p.add_argument("--out")
    add_scope_option(p)
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("models", help="show the configured model, where it runs, and time one call to it")
    p.add_argument("--no-call", action="store_true", help="only show the configuration")
    p.set_defaults(func=cmd_models)
    sub.add_parser("runs", help="list saved runs").set_defaults(func=cmd_runs)
    add_archive_commands(sub)
    add_factcheck_commands(sub)
    add_admin_commands(sub)
    p = sub.add_parser("demo", help="load the demo corpus and check the demo article")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_demo)
    if more_commands:
        more_commands(sub)
    return parser


def main(argv: list[str] | None, make_engine: EngineFactory,
         more_commands: Callable[[argparse._SubParsersAction], None] | None = None) -> int:
    """Run a command; user-caused errors end in one sentence, never a traceback."""
    args = build_parser(more_commands).parse_args(argv)
    try:
        settings = _settings(args)
        private_files(settings.data_dir)
        engine = make_engine(settings)
        return args.func(args, engine)
    except FactCheckError as exc:
        print(f"error: {exc.user_message()}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("Interrupted. Finished LLM replies are cached: re-run the same command to resume.", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:
        if os.environ.get("FACTCHECK_DEBUG"):
            raise
        print(redact(f"error: unexpected {type(exc).__name__}: {exc}. Re-run with FACTCHECK_DEBUG=1 for "
                     "details, and report it."), file=sys.stderr)
        return EXIT_ERROR
