"""bench extraction: the engine's claims on 3 hand-annotated articles — claim recall, precision, span exactness."""

from __future__ import annotations

import json
import time
from collections import Counter
from pathlib import Path

from pydantic import BaseModel

from bench.report import SuiteResult, Table, run_info
from pipeline.claims import build_claims
from pipeline.engine import Engine
from pipeline.loaders import load_file
from pipeline.text import sentence_spans
from pipeline.types import Article, Claim, ClaimOrigin, RunStats, Usage

GOLD_DIR = Path(__file__).resolve().parent / "data" / "extraction"
EVERY_SENTENCE = "every sentence"

Span = tuple[int, int]


class GoldArticle(BaseModel):
    """One annotated article: its cleaned text and the exact sentences a fact-checker would check."""

    name: str
    article: Article
    check_worthy: list[str]
    not_check_worthy: list[str]


class SpanCounts(BaseModel):
    """Counts behind recall, precision and span exactness; sums over articles give micro averages."""

    gold: int = 0
    claims: int = 0
    found_gold: int = 0
    matched_claims: int = 0
    exact_claims: int = 0

    def add(self, other: SpanCounts) -> None:
        """Accumulate another article's counts."""
        for name in SpanCounts.model_fields:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def recall(self) -> float | None:
        """Share of gold sentences that some claim's span overlaps."""
        return _ratio(self.found_gold, self.gold)

    def precision(self) -> float | None:
        """Share of claims whose span overlaps some gold sentence."""
        return _ratio(self.matched_claims, self.claims)

    def span_exactness(self) -> float | None:
        """Share of matched claims whose span is exactly a gold sentence's span."""
        return _ratio(self.exact_claims, self.matched_claims)


def _ratio(part: int, whole: int) -> float | None:
    """part / whole rounded, or None when undefined."""
    return round(part / whole, 3) if whole else None


def overlaps(a: Span, b: Span) -> bool:
    """Whether two half-open spans share at least one character."""
    return a[0] < b[1] and b[0] < a[1]


def score_spans(gold: list[Span], claims: list[Span]) -> SpanCounts:
    """Match claim spans to gold sentence spans by overlap; exact when a claim span equals a gold span."""
    gold_set = set(gold)
    matched = [c for c in claims if any(overlaps(c, g) for g in gold)]
    return SpanCounts(gold=len(gold), claims=len(claims), found_gold=sum(any(overlaps(g, c) for c in claims)
                                                                          for g in gold),
                      matched_claims=len(matched), exact_claims=sum(c in gold_set for c in matched))


def find_sentence(text: str, sentence: str) -> Span:
    """The span of a sentence that occurs exactly once, verbatim, in the text (else ValueError)."""
    start = text.find(sentence)
    if start < 0 or text.find(sentence, start + 1) >= 0:
        problem = "not found" if start < 0 else "found more than once"
        raise ValueError(f"gold sentence {problem} in the cleaned article: {sentence[:80]!r}")
    return start, start + len(sentence)


def load_gold(folder: Path = GOLD_DIR) -> list[GoldArticle]:
    """Every annotation file of the folder with its article (a path relative to the file), cleaned as a check does."""
    found = []
    for path in sorted(folder.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found.append(GoldArticle(name=path.stem, article=load_file(path.parent / data["article"]),
                                 check_worthy=data["check_worthy"], not_check_worthy=data["not_check_worthy"]))
    if not found:
        raise ValueError(f"no annotation files (*.json) in {folder}")
    return found


def extract(engine: Engine, article: Article, usage: Usage) -> list[Claim]:
    """The claims of the check's extraction stage (model or offline, located, filtered, merged)."""
    candidates = engine.extractor.candidates(article, usage)
    return build_claims(article, candidates, engine.settings.claims, RunStats())


def article_row(gold: GoldArticle, claims: list[Claim], usage: Usage, seconds: float) -> dict:
    """One article's scores, fallback count and model cost."""
    counts = score_spans(gold_spans(gold), [c.span for c in claims])
    return {"article": gold.name, "sentences": len(sentence_spans(gold.article.text)), **scores_row(counts),
            "from fallback": sum(c.origin == ClaimOrigin.FALLBACK for c in claims), "LLM calls": usage.llm_calls,
            "output tokens": usage.output_tokens, "model s": round(usage.model_seconds, 1),
            "wall s": round(seconds, 1)}


def gold_spans(gold: GoldArticle) -> list[Span]:
    """The gold sentences' spans in the cleaned article."""
    return [find_sentence(gold.article.text, s) for s in gold.check_worthy]


def scores_row(counts: SpanCounts) -> dict:
    """The table cells of a set of counts."""
    return {"gold": counts.gold, "claims": counts.claims, "recall": counts.recall(),
            "precision": counts.precision(), "span exact": counts.span_exactness()}


def mistakes(gold: GoldArticle, claims: list[Claim]) -> dict[str, list[str]]:
    """What to read when a number is low: gold sentences missed, claims off the gold, inexact spans."""
    text, spans = gold.article.text, gold_spans(gold)
    return {"missed": [text[g[0]:g[1]] for g in spans if not any(overlaps(g, c.span) for c in claims)],
            "not_gold": [c.source_quote for c in claims if not any(overlaps(c.span, g) for g in spans)],
            "inexact": [c.source_quote for c in claims
                        if c.span not in spans and any(overlaps(c.span, g) for g in spans)]}


def run(engine: Engine, data: str | None, limit: int | None) -> SuiteResult:
    """Extract claims from every annotated article with the engine in use, beside taking every sentence."""
    folder = Path(data) if data else GOLD_DIR
    articles = load_gold(folder)[:limit] if limit else load_gold(folder)
    total, own, baseline, usage = SpanCounts(), SpanCounts(), SpanCounts(), Usage()
    rows, details, reasons = [], {}, Counter[str]()
    started = time.perf_counter()
    for gold in articles:
        spent, began = Usage(), time.perf_counter()
        claims = extract(engine, gold.article, spent)
        rows.append(article_row(gold, claims, spent, time.perf_counter() - began))
        usage.add(spent)
        total.add(score_spans(gold_spans(gold), [c.span for c in claims]))
        own.add(score_spans(gold_spans(gold), [c.span for c in claims if c.origin != ClaimOrigin.FALLBACK]))
        baseline.add(score_spans(gold_spans(gold), sentence_spans(gold.article.text)))
        reasons.update(c.origin_note for c in claims if c.origin == ClaimOrigin.FALLBACK)
        details[gold.name] = mistakes(gold, claims)
    info = run_info(engine, usage, time.perf_counter() - started)
    fallback = total.claims - own.claims
    model_rows = [{"predictor": f"{info['engine']}, its own claims only", **scores_row(own), "from fallback": 0}]
    summary = Table(title=f"Claim extraction ({len(articles)} annotated articles, {total.gold} gold sentences)",
                    columns=["predictor", "gold", "claims", "recall", "precision", "span exact", "from fallback"],
                    baseline=[EVERY_SENTENCE],
                    rows=[{"predictor": info["engine"], **scores_row(total), "from fallback": fallback},
                          *(model_rows if engine.llm is not None else []),
                          {"predictor": EVERY_SENTENCE, **scores_row(baseline), "from fallback": 0}],
                    note="Micro-averaged over the articles. recall = gold sentences some claim's span overlaps; "
                         "precision = claims whose span overlaps a gold sentence; span exact = matched claims whose "
                         "span is exactly the gold sentence; from fallback = claims the offline extractor offered "
                         "because the model's reply for that part failed (with a model, the next row leaves them out). "
                         "Baseline: every sentence as a claim.")
    per_article = Table(title=f"Claim extraction per article ({info['engine']})", columns=list(rows[0]), rows=rows)
    return SuiteResult(suite="extraction", data=str(data or "bench/data/extraction (built in)"),
                       tables=[summary, per_article],
                       info={**info, "fallback_claims": fallback, "fallback_reasons": dict(reasons),
                             "articles": details})
