"""`python -m pipeline bench retrieval|stance|checkworthiness|speed`: tables, or JSON with --json."""

from __future__ import annotations

import argparse

from bench import checkworthiness_suite, retrieval_suite, speed_suite, stance_suite
from bench.report import SuiteResult, render
from factcheck.wiring import Engine


def _weights(text: str) -> list[float]:
    """Comma-separated floats."""
    return [float(part) for part in text.split(",") if part.strip()]


def build_parser() -> argparse.ArgumentParser:
    """The bench command's own parser: one subcommand per suite."""
    bench = argparse.ArgumentParser(prog="python -m pipeline bench",
                                    description="Measure retrieval, stance, check-worthiness or speed on real data.")
    suites = bench.add_subparsers(dest="suite", required=True)
    for name, help_text in (("retrieval", "Climate-FEVER evidence retrieval: recall@5/10, MRR@10 vs BM25 and dense"),
                            ("stance", "Climate-FEVER passage stance and claim verdicts vs the majority class"),
                            ("checkworthiness", "CheckThat! 2024 dev-test F1 of the Yes class vs all-Yes"),
                            ("speed", "ingest throughput, search latency, memory, a full check with a fake LLM")):
        p = suites.add_parser(name, help=help_text)
        p.add_argument("--data", help="dataset file or folder (default: ../shared/data/...)")
        p.add_argument("--limit", type=int, help="use only the first N items")
        p.add_argument("--json", action="store_true", help="print the machine-readable result")
    suites.choices["retrieval"].add_argument("--weights", type=_weights, default=[],
                                             help="also sweep the score-fusion dense weight, e.g. 0.6,0.7,0.8,0.9")
    suites.choices["stance"].add_argument("--part", default="test", choices=("test", "tune", "all"),
                                          help="which hash-split half of Climate-FEVER to report (default: test)")
    suites.choices["speed"].add_argument("--latency", type=float, default=1.0,
                                         help="seconds the fake LLM sleeps per call (default 1.0)")
    suites.choices["speed"].add_argument("--replicas", type=int, default=10,
                                         help="corpus multiple for the large search-latency store (default 10)")
    return bench


def run_suite(args: argparse.Namespace, engine: Engine) -> SuiteResult:
    """Run the suite named on the command line."""
    if args.suite == "retrieval":
        return retrieval_suite.run(engine, args.data, args.limit, args.weights)
    if args.suite == "stance":
        return stance_suite.run(engine, args.data, args.limit, args.part)
    if args.suite == "checkworthiness":
        return checkworthiness_suite.run(engine, args.data, args.limit)
    return speed_suite.run(engine, args.data, args.limit, args.latency, args.replicas)


def main(argv: list[str], engine: Engine) -> int:
    """Run one benchmark suite and print its tables (or its JSON result)."""
    args = build_parser().parse_args(argv)
    result = run_suite(args, engine)
    print(result.model_dump_json(indent=2) if args.json else render(result))
    return 0
