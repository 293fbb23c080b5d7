"""`bench claim-matching`: CheckThat! 2020 Task 2 English (previously fact-checked claims), through the real import.

The 10,389 verified claims become a ClaimReview feed (claimReviewed = the claim, headline = the fact-check's title,
author = Snopes, url = a reserved `.invalid` address carrying the vclaim id) imported with `factchecks import`'s
code path. Tweets are the queries; the query cleaning and the fusion weight are tuned on train, reported on dev.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench.datasets import SHARED_DATA, _unquote, require
from bench.metrics import mean
from bench.pool import bench_dir
from bench.report import SuiteResult, Table, run_info
from factcheck.wiring import Engine
from pipeline.config import load_settings
from pipeline.errors import InputError
from pipeline.factcheck_confirm import ModelConfirmer
from pipeline.factcheck_library import Candidates, FactCheckLibrary, clean_query, collapse_near_identical, fuse
from pipeline.factcheck_types import FactCheckMatch
from pipeline.types import Usage

CHECKTHAT2020 = SHARED_DATA / "checkthat2020-task2-en"
URL_PREFIX = "https://checkthat2020-task2.invalid/vclaim/"
_ROW_START = re.compile(r"^\d+\t")
WEIGHTS = [round(w * 0.1, 1) for w in range(11)]
HEADLINE_WEIGHTS = [round(w * 0.1, 1) for w in range(7)]
Weights = tuple[float, float]  # (dense weight, headline weight)


def read_tsv(path: Path) -> list[list[str]]:
    """Rows of a CheckThat! TSV (header dropped): a line that does not start with an id continues the row before
    (a quoted field holds a newline); quotes are not trusted to pair up, so fields are split on tabs."""
    rows: list[str] = []
    for line in require(path, "CheckThat! 2020 Task 2").read_text(encoding="utf-8").splitlines()[1:]:
        if _ROW_START.match(line) or not rows:
            rows.append(line)
        else:
            rows[-1] += " " + line
    return [[_unquote(field) for field in row.split("\t")] for row in rows if row.strip()]


def write_feed(directory: Path, into: Path) -> int:
    """The verified claims as a ClaimReview dataFeedElement feed; return how many items."""
    items = [{"@type": "ClaimReview", "claimReviewed": claim, "headline": title, "url": f"{URL_PREFIX}{vid}",
              "author": {"@type": "Organization", "name": "Snopes", "url": "https://www.snopes.com"}}
             for vid, claim, title in read_tsv(directory / "verified_claims.docs.tsv")]
    into.parent.mkdir(parents=True, exist_ok=True)
    into.write_text(json.dumps({"@context": "https://schema.org", "@type": "DataFeed",
                                "dataFeedElement": [{"@type": "DataFeedItem", "item": [i]} for i in items]}),
                    encoding="utf-8")
    return len(items)


def read_split(directory: Path, split: str) -> list[tuple[str, set[str]]]:
    """(tweet, gold vclaim ids) for every tweet of a split that has a relevant verified claim."""
    gold: dict[str, set[str]] = {}
    for line in require(directory / split / "tweet-vclaim-pairs.qrels", "qrels").read_text().splitlines():
        tweet_id, _, vclaim_id, relevant = line.split()
        if relevant == "1":
            gold.setdefault(tweet_id, set()).add(vclaim_id)
    return [(text, gold[tid]) for tid, text in read_tsv(directory / split / "tweets.queries.tsv") if tid in gold]


def average_precision_at_5(ranked: list[str], gold: set[str]) -> float:
    """AP@5: mean of precision at each rank holding a relevant item, over min(|gold|, 5)."""
    hits, total = 0, 0.0
    for rank, item in enumerate(ranked[:5], start=1):
        if item in gold:
            hits += 1
            total += hits / rank
    return total / min(len(gold), 5)


def scores(rankings: list[tuple[list[str], set[str]]]) -> dict[str, float]:
    """MAP@5, recall@1 and recall@5 over (ranked vclaim ids, gold) pairs."""
    return {"MAP@5": round(mean([average_precision_at_5(r, g) for r, g in rankings]), 4),
            "recall@1": round(mean([len(g & set(r[:1])) / len(g) for r, g in rankings]), 4),
            "recall@5": round(mean([len(g & set(r[:5])) / len(g) for r, g in rankings]), 4)}


def all_candidates(library: FactCheckLibrary, queries: list[str]) -> list[Candidates]:
    """Each query's dense and BM25 candidates (vectors computed in one batch)."""
    vectors = library.embedder.embed(queries) if queries else np.zeros((0, 1))
    n = library.settings.candidates
    return [library.candidates(q, v, n) for q, v in zip(queries, vectors)]


def ranked_ids(candidates: Candidates, weights: Weights) -> list[str]:
    """The vclaim ids of the five best fact-checks at these weights."""
    return [vclaim(f.url) for f, _ in fuse(candidates, *weights)[:5]]


def vclaim(url: str) -> str:
    """The vclaim id a benchmark fact-check's address carries."""
    return url.removeprefix(URL_PREFIX)


def collapsed(candidates: Candidates, gold: set[str], weights: Weights) -> tuple[list[str], set[str]]:
    """The ranking as the app shows it (near-identical fact-checks of one publisher folded into the first), and
    the shown items whose group holds a gold fact-check: a diagnostic, not the lab's measure."""
    matches = collapse_near_identical(fuse(candidates, *weights), 1.0)
    shown = [vclaim(m.factcheck.url) for m in matches]
    hits = {shown[i] for i, m in enumerate(matches) if gold & {shown[i], *map(vclaim, m.also)}}
    return shown, hits or gold


def split_candidates(library: FactCheckLibrary, split: list[tuple[str, set[str]]], clean: bool) -> list[Candidates]:
    """The candidates of every raw or cleaned tweet of a split."""
    return all_candidates(library, [clean_query(t) if clean else t for t, _ in split])


def evaluate(found: list[Candidates], split: list[tuple[str, set[str]]]) -> dict[Weights, dict[str, float]]:
    """Scores of a split's candidates at every dense weight and headline weight."""
    return {(w, h): scores([(ranked_ids(c, (w, h)), g) for c, (_, g) in zip(found, split)])
            for w in WEIGHTS for h in HEADLINE_WEIGHTS}


def library_for(engine: Engine, directory: Path) -> tuple[FactCheckLibrary, dict[str, Any]]:
    """A fact-check library in the bench folder with the feed imported (again: re-import adds nothing)."""
    folder = bench_dir(engine.settings) / "claim-matching"
    feed = folder / "checkthat2020-verified-claims.claimreview.json"
    items = write_feed(directory, feed)
    settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(folder / "data"), "FACTCHECK_LLM__PROVIDER": "offline"})
    library = Engine(settings, overrides={"embedder": engine.embedder}).factchecks
    started = time.perf_counter()
    report = library.import_sources([str(feed)])
    return library, {"feed_items": items, "import": report.summary(), "stored": library.count(),
                     "import_seconds": round(time.perf_counter() - started, 1)}


def confirmation_table(engine: Engine, found: list[Candidates], dev: list[tuple[str, set[str]]], weights: Weights,
                       clean: bool) -> tuple[Table, Usage]:
    """The top 5 of each tweet before and after the model's confirmation (confirmed first), same tweets."""
    if engine.llm is None:
        raise InputError("--confirm needs a model", "Configure one (e.g. --preset smollm2) or leave out --confirm")
    items = [(clean_query(tweet) if clean else tweet,
              [FactCheckMatch(factcheck=f, score=s) for f, s in fuse(c, *weights)[:5]])
             for c, (tweet, _) in zip(found, dev)]
    usage = Usage()
    answered = ModelConfirmer(engine.llm).confirm_many(items, usage)
    table = Table(title=f"Model confirmation of the top 5 ({len(dev)} dev tweets, {engine.llm.model})",
                  columns=["ranking", "MAP@5", "recall@1", "recall@5", "confirmed", "rejected", "not answered"],
                  note="Confirmed matches (same claim, quote verbatim in the fact-check) move first; the rest keep "
                       "their order. Counts are over all tweets' top-5 items.")
    for label, ranked in (("hybrid", [m for _, m in items]), ("hybrid + model confirmation", answered)):
        flat = [m for matches in ranked for m in matches]
        table.rows.append({"ranking": label, **scores([([vclaim(m.factcheck.url) for m in matches], gold)
                                                       for matches, (_, gold) in zip(ranked, dev)]),
                           "confirmed": sum(m.confirmed is True for m in flat),
                           "rejected": sum(m.confirmed is False for m in flat),
                           "not answered": sum(m.confirmed is None for m in flat)})
    return table, usage


def results_table(on_dev: dict[bool, dict[Weights, dict[str, float]]], chosen: tuple[bool, Weights],
                  folded: dict[str, float], title: str) -> Table:
    """Dev scores of the baselines, the tuned hybrid and the folded diagnostic, all from the same candidates."""
    clean, (weight, headline) = chosen
    table = Table(title=title, columns=["method", "query", "MAP@5", "recall@1", "recall@5"], baseline=["bm25", "dense"],
                  note="dense = cosine with the claim reviewed; + headline mixes in the cosine with the fact-check's "
                       "headline, embedded apart. The last row is a diagnostic, not the lab's MAP@5: the ranking as "
                       "the app shows it, with near-identical fact-checks of one publisher (same claim words, e.g. "
                       "differing only in quote marks) folded into one card, which counts as relevant when any "
                       "fact-check in it is gold.")
    for method, weights, cleaned in (("bm25", (0.0, 0.0), False), ("bm25", (0.0, 0.0), True),
                                     ("dense", (1.0, 0.0), False), ("dense", (1.0, 0.0), True),
                                     (f"dense + headline h={headline:g}", (1.0, headline), clean),
                                     (f"hybrid w={weight:g} h={headline:g} (tuned)", (weight, headline), clean)):
        table.rows.append({"method": method, "query": "cleaned" if cleaned else "raw", **on_dev[cleaned][weights]})
    table.rows.append({"method": f"hybrid w={weight:g} h={headline:g}, near-identical folded (diagnostic)",
                       "query": "cleaned" if clean else "raw", **folded})
    return table


def run(engine: Engine, data: str | None, limit: int | None, confirm: bool = False) -> SuiteResult:
    """Tune cleaning and the two weights on train; report dev with BM25 and dense baselines from the same run."""
    started = time.perf_counter()
    directory = Path(data) if data else CHECKTHAT2020
    library, info = library_for(engine, directory)
    train, dev = read_split(directory, "train")[:limit], read_split(directory, "dev")[:limit]
    tuning = {clean: evaluate(split_candidates(library, train, clean), train) for clean in (False, True)}
    clean, weights = max(((c, wh) for c in tuning for wh in tuning[c]), key=lambda cw: tuning[cw[0]][cw[1]]["MAP@5"])
    dev_found = {c: split_candidates(library, dev, c) for c in (False, True)}
    on_dev = {c: evaluate(dev_found[c], dev) for c in (False, True)}
    found = dev_found[clean]
    folded = scores([collapsed(c, g, weights) for c, (_, g) in zip(found, dev)])
    table = results_table(on_dev, (clean, weights), folded,
                          f"Claim matching on CheckThat! 2020 Task 2 English dev ({len(dev)} tweets, "
                          f"{info['stored']} fact-checks)")
    headline = weights[1]
    sweep = Table(title=f"Dense weight on train ({len(train)} tweets) and dev, headline weight h={headline:g} "
                        f"(chosen on train: w={weights[0]:g}, h={headline:g}, {'cleaned' if clean else 'raw'} "
                        "queries)",
                  columns=["dense weight", "train MAP@5", "dev MAP@5", "dev recall@1", "dev MAP@5, h=0"])
    for w in WEIGHTS:
        sweep.rows.append({"dense weight": w, "train MAP@5": tuning[clean][(w, headline)]["MAP@5"],
                           "dev MAP@5": on_dev[clean][(w, headline)]["MAP@5"],
                           "dev recall@1": on_dev[clean][(w, headline)]["recall@1"],
                           "dev MAP@5, h=0": on_dev[clean][(w, 0.0)]["MAP@5"]})
    tables, usage = [table, sweep], Usage()
    if confirm:
        confirmed_table, usage = confirmation_table(engine, found, dev, weights, clean)
        tables.append(confirmed_table)
    return SuiteResult(suite="claim-matching", data=str(directory), tables=tables,
                       info={**run_info(engine, usage, time.perf_counter() - started), **info,
                             "chosen": {"clean": clean, "dense_weight": weights[0], "headline_weight": headline}})
