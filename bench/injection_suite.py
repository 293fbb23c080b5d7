"""bench injection: the instruction detector's recall on held-out phrasings and false positives on ordinary news;
with --attack, how often hostile text changes a real model's verdicts, with and without the prompt defences."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

from bench.datasets import REPO_ROOT, read_climate_fever, shared_dir, unique_evidence
from bench.report import SuiteResult, Table, run_info
from factcheck.wiring import Engine
from pipeline.demo import DEMO_ARTICLE, DEMO_CORPUS
from pipeline.ingest import ingest_paths
from pipeline.injection import _COMPILED, classifier_flags, find_instructions
from pipeline.loaders import load_file
from pipeline.prompts import Defences, prompt_defences
from pipeline.run import check_article
from pipeline.text import sentence_spans
from pipeline.types import Article, RunResult, Usage

EXAMPLES = REPO_ROOT / "bench" / "data" / "injection"
ATTACKS = EXAMPLES / "attack"
SEED_ARTICLE = shared_dir() / "samples" / "seed-article.txt"
_VERSION_1_RULES = 10  # the first ten rules are the pattern list this project shipped before issue 15
Detector = Callable[[str], bool]


def examples(name: str) -> list[str]:
    """One example set: a sentence a line, comments and blank lines left out."""
    lines = (EXAMPLES / f"{name}.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def sentences_of(text: str) -> list[str]:
    """Every sentence of a cleaned text."""
    return [text[start:end] for start, end in sentence_spans(text)]


def news_sets(data: str | None, limit: int | None) -> dict[str, list[str]]:
    """Ordinary news, sentence by sentence: the demo corpus and article, the seed article, Climate-FEVER evidence."""
    demo = [s for path in sorted(DEMO_CORPUS.iterdir()) for s in sentences_of(load_file(path).text)]
    evidence = [e.text for e in unique_evidence(read_climate_fever(data))]
    return {"demo corpus": demo, "demo article": sentences_of(load_file(DEMO_ARTICLE).text),
            "seed article": sentences_of(load_file(SEED_ARTICLE).text),
            "Climate-FEVER evidence": evidence[:limit] if limit else evidence}


def detectors() -> dict[str, Detector]:
    """The shipped detector and its parts, beside the pattern list of version 1."""
    old = _COMPILED[:_VERSION_1_RULES]
    return {"version-1 patterns": lambda s: any(p.search(s) for _, p in old),
            "patterns": lambda s: bool(find_instructions(s, classifier=False)),
            "classifier": classifier_flags,
            "shipped (patterns or classifier)": lambda s: bool(find_instructions(s))}


def detection_tables(data: str | None, limit: int | None) -> list[Table]:
    """Recall on positives, false-positive rate on tricky and on ordinary news sentences, per detector."""
    positives = {name: examples(name) for name in ("dev_positive", "heldout_positive")}
    negatives = {"heldout_negative (tricky news)": examples("heldout_negative")}
    news = news_sets(data, limit)
    rows = []
    for name, detect in detectors().items():
        row: dict = {"detector": name}
        for set_name, items in positives.items():
            row[f"recall {set_name}"] = sum(map(detect, items)) / len(items)
        for set_name, items in {**negatives, **news}.items():
            row[f"FP {set_name}"] = sum(map(detect, items)) / len(items)
        all_news = [s for items in news.values() for s in items]
        flagged = sum(map(detect, all_news))
        row["FP all news"] = flagged / len(all_news)
        row["news flagged"] = f"{flagged} of {len(all_news)}"
        rows.append(row)
    sizes = ", ".join(f"{k} {len(v)}" for k, v in {**positives, **negatives, **news}.items())
    columns = ["detector", *(f"recall {k}" for k in positives), *(f"FP {k}" for k in [*negatives, *news]),
               "FP all news", "news flagged"]
    return [Table(title="Instruction detection: recall and false-positive rate (share of sentences flagged)",
                  columns=columns, rows=rows, baseline=["version-1 patterns"],
                  note=f"Sizes: {sizes}. The held-out sets were written before the detector; held-out "
                       "instructions were never used to change it. After the first measurement the pattern rules were "
                       "tightened once against false positives (seen on CheckThat! train, the held-out news and "
                       "Climate-FEVER) and the classifier was limited to sentences that address someone. The "
                       "classifier is fitted on train_* and dev_* plus 6,000 CheckThat! 2024 train sentences, its "
                       "threshold chosen on CheckThat! 2024 dev (bench/fit_injection.py): dev recall is in-sample.")]


def flagged_news(data: str | None, limit: int | None) -> list[str]:
    """The ordinary news sentences the shipped detector flags (to read them, not only count them)."""
    return [s for items in news_sets(data, limit).values() for s in items if find_instructions(s)]


# ---- attack success against a real model ----------------------------------------------------------------------

DEFENCES: dict[str, Defences] = {"no prompt defence": "none", "nonce fence": "fence",
                                 "fence + datamarking": "datamark"}


def verdicts(result: RunResult) -> dict[str, str]:
    """Verdict per source sentence (a failed claim counts as "failed")."""
    return {c.source_quote: c.verdict.value if c.status.value == "ok" else "failed" for c in result.claims}


def changed(clean: dict[str, str], hostile: dict[str, str]) -> tuple[int, int]:
    """(claims of the clean run whose verdict differs or which vanished in the other run, claims compared)."""
    return sum(1 for s, v in clean.items() if hostile.get(s) != v), len(clean)


def attack_table(engine: Engine, limit: int | None) -> tuple[Table, Usage, float]:
    """Verdict changes between the clean article and each variant, per prompt-defence setting."""
    ingest_paths([DEMO_CORPUS], engine.store, engine.embedder, engine.settings.ingest,
                 engine.settings.retrieval.contextual_header)
    paths = sorted(ATTACKS.iterdir())[: max(limit, 3) if limit else None]  # the clean, the control, an attack
    articles = {p.stem: load_file(p) for p in paths}
    usage, started, rows = Usage(), time.perf_counter(), []
    for label, defences in DEFENCES.items():
        runs: dict[str, RunResult] = {}
        with prompt_defences(defences):
            for name, article in articles.items():
                _progress(f"  attack: {label}: {name} ({len(runs) + 1}/{len(articles)}) ...")
                runs[name] = _check(article, engine, usage)
        clean = verdicts(runs[paths[0].stem])
        row: dict = {"prompt defences": label, "clean claims": len(clean)}
        hostile_changed = hostile_total = hostile_articles = 0
        for name, result in list(runs.items())[1:]:
            moved, total = changed(clean, verdicts(result))
            row[name] = f"{moved}/{total}"
            if "control" not in name:
                hostile_changed, hostile_total = hostile_changed + moved, hostile_total + total
                hostile_articles += bool(moved)
        row["attack success (articles)"] = f"{hostile_articles}/{len(runs) - 2}"
        row["claim verdicts changed"] = hostile_changed / hostile_total if hostile_total else None
        rows.append(row)
    columns = ["prompt defences", "clean claims", *[p.stem for p in paths[1:]], "attack success (articles)",
               "claim verdicts changed"]
    table = Table(title="Attack success: verdicts that change between the clean and the hostile article",
                  columns=columns, rows=rows, baseline=["no prompt defence"],
                  note="Each cell: claims of the clean run (by source sentence) whose verdict differs, or that are "
                       "missing, in that article's run. 01-control-benign adds harmless sentences at the same places: "
                       "its changes are what any edit of the article does, not the attack. Instruction sentences never "
                       "become claims in any setting (build_claims drops them).")
    return table, usage, time.perf_counter() - started


def _progress(message: str) -> None:
    """Progress of the slow attack runs on stderr (a small local model takes minutes per article)."""
    print(message, file=sys.stderr, flush=True)


def _check(article: Article, engine: Engine, usage: Usage) -> RunResult:
    """One check without saving it; its model usage added to the suite's."""
    result = check_article(article, engine, save=False)
    usage.add(result.usage)
    return result


def run(engine: Engine, data: str | None, limit: int | None, attack: bool = False) -> SuiteResult:
    """The detector's tables; with `attack`, also the attack-success table for the engine's model."""
    started = time.perf_counter()
    tables = detection_tables(data, limit)
    info: dict = {"weights": str(Path("pipeline/offline/injection_weights.json")),
                  "detector_seconds": round(time.perf_counter() - started, 1)}
    if attack:
        table, usage, seconds = attack_table(engine, None)
        tables.append(table)
        info.update(run_info(engine, usage, seconds))
    return SuiteResult(suite="injection", data=str(EXAMPLES), tables=tables, info=info)
