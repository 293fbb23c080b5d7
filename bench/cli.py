"""`python -m pipeline bench retrieval|stance|checkworthiness|extraction|speed|compare`: tables, or JSON."""

from __future__ import annotations

import argparse
from pathlib import Path

from bench import (
    checkworthiness_suite,
    extraction_suite,
    injection_suite,
    retrieval_suite,
    speed_suite,
    stance_suite,
    verdicts_suite,
)
from bench.report import SuiteResult, compare, render
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
                            ("extraction", "claims of 3 hand-annotated articles: recall, precision, span exactness"),
                            ("injection", "instruction detector: recall on held-out phrasings, false positives on "
                                          "news; --attack: verdict changes under attack with a real model"),
                            ("speed", "ingest throughput, search latency, memory, a full check with a fake LLM"),
                            ("verdicts", "Climate-FEVER claims checked as a --claims-file list against the pool: "
                                         "verdict accuracy, balanced accuracy of supported vs not, vs majority"),
                            ("shortclaims", "check-worthiness F1 of 80 short standalone claims (bench/data)"),
                            ("claim-matching", "CheckThat! 2020 Task 2 dev: MAP@5, recall@1/5 of prior fact-checks "
                                               "vs BM25 and dense")):
        p = suites.add_parser(name, help=help_text)
        p.add_argument("--data", help="dataset file or folder (default: ../shared/data/...)")
        p.add_argument("--limit", type=int, help="use only the first N items (with a slow local model keep it "
                                                  "small, e.g. stance --limit 40, checkworthiness --limit 150)")
        p.add_argument("--json", action="store_true", help="print the machine-readable result")
    suites.choices["retrieval"].add_argument("--weights", type=_weights, default=[],
                                             help="also sweep the score-fusion dense weight, e.g. 0.6,0.7,0.8,0.9")
    suites.choices["stance"].add_argument("--part", default="test", choices=("test", "tune", "all"),
                                          help="which hash-split half of Climate-FEVER to report (default: test)")
    suites.choices["verdicts"].add_argument("--part", default="test", choices=("test", "tune", "all"),
                                            help="which hash-split half of Climate-FEVER to check (default: test)")
    suites.choices["claim-matching"].add_argument(
        "--confirm", action="store_true", help="also re-rank each tweet's top 5 with the configured model's "
                                               "confirmation (one call per tweet: keep --limit small locally)")
    suites.choices["speed"].add_argument("--latency", type=float, default=1.0,
                                         help="seconds the fake LLM sleeps per call (default 1.0)")
    scale = suites.add_parser("scale", help="stores of 10k/100k/1M chunks: write throughput, hybrid latency, cold "
                                            "start, memory, disk, deletes; --server: the largest store over HTTP")
    scale.add_argument("--sizes", type=lambda t: [int(float(x)) for x in t.split(",")], default=[10_000, 100_000,
                       1_000_000], help="store sizes in chunks, grown in order (default 10000,100000,1000000)")
    scale.add_argument("--dir", type=Path, help="where the store grows (default data_dir/bench/scale; ~6 GB at 1M)")
    scale.add_argument("--queries", type=int, default=200, help="Climate-FEVER claims searched per size")
    scale.add_argument("--server", action="store_true", help="also serve the largest store with `chroma run`")
    scale.add_argument("--baseline-checkout", type=Path, help="a checkout of version 1: compare embedding and "
                                                               "`ingest` throughput with it in the same run")
    scale.add_argument("--extra-model", default="", help="another ONNX file to time beside the embedders")
    scale.add_argument("--json", action="store_true", help="print the machine-readable result")
    suites.choices["speed"].add_argument("--replicas", type=int, default=10,
                                         help="corpus multiple for the large search-latency store (default 10)")
    suites.choices["injection"].add_argument("--attack", action="store_true",
                                             help="also check the hostile articles in bench/data/injection/attack "
                                                  "with the engine's model under each prompt defence (slow locally)")
    compared = suites.add_parser("compare", help="print --json results of one suite from several engines side "
                                                 "by side (a Markdown table)")
    compared.add_argument("files", nargs="+", help="files written by `bench SUITE --json > FILE`")
    # One way to choose the engine for the whole CLI, so a suite measures exactly what `check` would run.
    bench.epilog = ("The engine is the one `check` would use: choose it before `bench` with --offline, --preset NAME "
                    "or FACTCHECK_LLM__* settings; every result names the engine, model and server it measured.")
    return bench


def run_suite(args: argparse.Namespace, engine: Engine) -> SuiteResult:
    """Run the suite named on the command line."""
    if args.suite == "retrieval":
        return retrieval_suite.run(engine, args.data, args.limit, args.weights)
    if args.suite == "stance":
        return stance_suite.run(engine, args.data, args.limit, args.part)
    if args.suite == "checkworthiness":
        return checkworthiness_suite.run(engine, args.data, args.limit)
    if args.suite == "injection":
        return injection_suite.run(engine, args.data, args.limit, args.attack)
    if args.suite == "scale":
        from bench import scale_suite
        from bench.pool import bench_dir

        return scale_suite.run(engine, args.sizes, args.dir or bench_dir(engine.settings) / "scale", args.queries,
                               args.server, args.baseline_checkout, args.extra_model)
    if args.suite == "verdicts":
        return verdicts_suite.run(engine, args.data, args.limit, args.part)
    if args.suite == "shortclaims":
        return verdicts_suite.run_short_claims(engine, args.data, args.limit)
    if args.suite == "claim-matching":
        from bench import claim_matching_suite

        return claim_matching_suite.run(engine, args.data, args.limit, args.confirm)
    if args.suite == "extraction":
        return extraction_suite.run(engine, args.data, args.limit)
    return speed_suite.run(engine, args.data, args.limit, args.latency, args.replicas)


def main(argv: list[str], engine: Engine) -> int:
    """Run one benchmark suite and print its tables (or its JSON result)."""
    args = build_parser().parse_args(argv)
    if args.suite == "compare":
        print(compare([SuiteResult.model_validate_json(Path(f).read_text(encoding="utf-8")) for f in args.files]))
        return 0
    result = run_suite(args, engine)
    print(result.model_dump_json(indent=2) if args.json else render(result))
    return 0
