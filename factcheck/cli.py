"""Entry point of `factcheck` and `python -m pipeline`: the pipeline's CLI wired to the composition root."""

from __future__ import annotations

import argparse
import sys

from factcheck.wiring import Engine
from pipeline import cli


def add_bench_command(subcommands: argparse._SubParsersAction) -> None:
    """`bench SUITE ...`: its options are parsed by the bench package, imported only when it runs."""
    bench = subcommands.add_parser("bench", add_help=False, prefix_chars="\0",
                                   help="measure retrieval, stance, check-worthiness or speed on real data")
    bench.add_argument("arguments", nargs=argparse.REMAINDER)
    bench.set_defaults(func=run_bench)


def run_bench(args: argparse.Namespace, engine: Engine) -> int:
    """Run a benchmark suite with this engine."""
    from bench.cli import main as bench_main

    return bench_main(args.arguments, engine)


def main(argv: list[str] | None = None) -> int:
    """Run one command and return its exit code."""
    return cli.main(sys.argv[1:] if argv is None else argv, Engine, add_bench_command)
