"""bench verdicts: Climate-FEVER claims checked as a flagged-claims list (--claims-file path) against the pool;
bench shortclaims: check-worthiness of short standalone claims (bench/data/short_claims.jsonl)."""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

from bench.datasets import REPO_ROOT, read_climate_fever, split_claims, unique_evidence
from bench.metrics import binary_scores
from bench.pool import fill_pool, open_pool, pool_settings
from bench.report import SuiteResult, Table, run_info
from bench.stance_suite import GOLD_VERDICT, VERDICTS, classification_rows
from factcheck.wiring import Engine
from pipeline.claim_lists import read_claims_file
from pipeline.claim_runs import check_claim_list
from pipeline.offline.checkworthiness import MIN_WORDS, OfflineClaimExtractor, score
from pipeline.types import Article, ProgressEvent, Usage

SHORT_CLAIMS = REPO_ROOT / "bench" / "data" / "short_claims.jsonl"
POOL = "cf-header"  # the retrieval suite's pool with title headers (the default retrieval)


def pool_engine(engine: Engine) -> Engine:
    """The same engine over the Climate-FEVER pool (built once, reused by the retrieval suite)."""
    settings = pool_settings(engine.settings, POOL, True)
    store = open_pool(engine.settings, engine.embedder, POOL, True)
    overrides = {"embedder": engine.embedder, "store": store, **({"llm": engine.llm} if engine.llm else {})}
    return Engine(settings, overrides=overrides)


def supported_rows(name: str, gold: list[str], predicted: list[str]) -> dict:
    """Accuracy and balanced accuracy of "supported" vs everything else."""
    gold_yes = [g == "supported" for g in gold]
    hits = [g == (p == "supported") for g, p in zip(gold_yes, predicted)]
    recalls = [sum(h for h, g in zip(hits, gold_yes) if g == side) / max(1, gold_yes.count(side))
               for side in (True, False)]
    return {"predictor": name, "claims": len(gold), "accuracy": sum(hits) / max(1, len(hits)),
            "balanced accuracy": sum(recalls) / 2, "recall supported": recalls[0], "recall not supported": recalls[1]}


def progress_line(event: ProgressEvent) -> None:
    """A progress line every 25 claims (the suite's own stderr)."""
    if event.stage == "claims" and (event.done % 25 == 0 or event.done == event.total):
        print(f"  checked {event.done}/{event.total} claims", file=sys.stderr, flush=True)


def run(engine: Engine, data: str | None, limit: int | None, part: str) -> SuiteResult:
    """Write the claims as a .jsonl list, check it as one run over the pool, compare verdicts with the gold."""
    claims = split_claims(read_climate_fever(data), part)
    claims = claims[:limit] if limit else claims
    checker = pool_engine(engine)
    fill_pool(checker.store, engine.embedder, engine.settings, unique_evidence(read_climate_fever(data)), True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "climate-fever-claims.jsonl"
        path.write_text("".join(json.dumps({"claim": c.claim, "note": f"claim_id {c.claim_id}"}) + "\n"
                                for c in claims), encoding="utf-8")
        started = time.perf_counter()
        result = check_claim_list(read_claims_file(path), checker, progress=progress_line, save=False)
    info = run_info(checker, result.usage, time.perf_counter() - started)
    gold = [GOLD_VERDICT[c.label] for c in claims]
    predicted = [c.verdict.value if c.status.value == "ok" else "not_enough_evidence" for c in result.claims]
    majority = max(VERDICTS, key=gold.count)
    four = Table(title=f"Claim verdicts of a flagged-claims list ({part} part, {len(claims)} Climate-FEVER claims, "
                       "evidence retrieved from the 5,240-sentence pool)", baseline=[f"majority ({majority})"],
                 columns=["predictor", "items", "accuracy", "macro-F1", *(f"F1 {v}" for v in VERDICTS),
                          "confusion (rows gold)"],
                 rows=[classification_rows(info["engine"], gold, predicted, VERDICTS),
                       classification_rows(f"majority ({majority})", gold, [majority] * len(gold), VERDICTS)],
                 note="Each claim goes through the same code as `check --claims-file` (read_claims_file, then "
                      "check_claim_list: retrieval k=5 from the pool, stance, verdict); DISPUTED counts as "
                      "conflicting, a failed claim as not_enough_evidence.")
    binary_majority = "supported" if gold.count("supported") * 2 >= len(gold) else "not supported"
    two = Table(title="Supported vs not (same claims)", baseline=[f"majority ({binary_majority})"],
                columns=["predictor", "claims", "accuracy", "balanced accuracy", "recall supported",
                         "recall not supported"],
                rows=[supported_rows(info["engine"], gold, predicted),
                      supported_rows(f"majority ({binary_majority})", gold, [binary_majority] * len(gold))],
                note="Balanced accuracy = mean of the recall of both sides (0.5 for any constant answer).")
    return SuiteResult(suite="verdicts", data=str(data or "Climate-FEVER default path"), tables=[four, two],
                       info={**info, "part": part, "failed_claims": result.stats.failed_claims})


def in_tuning_half(text: str) -> bool:
    """Deterministic split of the short claims: True for the half the scorer's hand-set cue was chosen on."""
    return int(hashlib.sha256(f"short:{text}".encode()).hexdigest()[:8], 16) % 2 == 0


def short_rows(name: str, gold: list[str], flags: list[bool], halves: list[bool]) -> dict:
    """F1 (Yes) on the held-out half and on all claims."""
    test = [i for i, tune in enumerate(halves) if not tune]
    held = binary_scores([gold[i] for i in test], ["Yes" if flags[i] else "No" for i in test], "Yes")
    every = binary_scores(gold, ["Yes" if f else "No" for f in flags], "Yes")
    return {"predictor": name, "claims": len(gold), "F1 (Yes) held-out half": held.f1,
            "precision held-out": held.precision, "recall held-out": held.recall, "F1 (Yes) all": every.f1}


def run_short_claims(engine: Engine, data: str | None, limit: int | None) -> SuiteResult:
    """Short standalone claims: the score a given claim shows, and whether an article made of it yields a claim."""
    listed = read_claims_file(Path(data or SHORT_CLAIMS))
    labels = {json.loads(line)["claim"]: json.loads(line)["label"]
              for line in Path(data or SHORT_CLAIMS).read_text(encoding="utf-8").splitlines() if line.strip()}
    texts = [c.text for c in listed.claims][:limit] if limit else [c.text for c in listed.claims]
    gold, halves = [labels[t] for t in texts], [in_tuning_half(t) for t in texts]
    threshold = engine.settings.claims.min_checkworthiness
    usage, started = Usage(), time.perf_counter()
    extracted = [any(c.checkworthiness >= threshold for c in engine.extractor.candidates(Article.from_text(t), usage))
                 for t in texts]
    info = run_info(engine, usage, time.perf_counter() - started)
    offline = OfflineClaimExtractor()
    offline_flags = [any(c.checkworthiness >= threshold for c in offline.candidates(Article.from_text(t), Usage()))
                     for t in texts]
    before = [len(t.split()) >= 4 and score(t, standalone_weight=0.0) >= threshold for t in texts]
    rows = [short_rows(f"{info['engine']}: a claim extracted from the sentence as an article", gold, extracted,
                       halves),
            short_rows("given-claim score (offline cue model) >= threshold", gold,
                       [score(t) >= threshold for t in texts], halves),
            short_rows("offline scorer before this change (no standalone cue, >= 4 words)", gold, before, halves),
            short_rows("all Yes", gold, [True] * len(texts), halves)]
    if engine.llm is not None:
        rows.insert(1, short_rows("offline extractor on the same sentences", gold, offline_flags, halves))
    table = Table(title=f"Check-worthiness of short standalone claims ({len(texts)}: "
                        f"{gold.count('Yes')} check-worthy, {gold.count('No')} opinions/predictions/jokes)",
                  columns=["predictor", "claims", "F1 (Yes) held-out half", "precision held-out", "recall held-out",
                           "F1 (Yes) all"],
                  baseline=["offline scorer before this change (no standalone cue, >= 4 words)", "all Yes"], rows=rows,
                  note=f"Threshold {threshold} (claims.min_checkworthiness); sentences under {MIN_WORDS} words are "
                       "fragments. The held-out half is the claims whose sha256('short:'+text) is odd; the hand-set "
                       "standalone cue was chosen on the other half and on CheckThat! dev.")
    return SuiteResult(suite="shortclaims", data=str(data or SHORT_CLAIMS.relative_to(REPO_ROOT)), tables=[table],
                       info={**info, "held_out": halves.count(False)})
