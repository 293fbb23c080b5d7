"""Run a check: extract claims, retrieve passages for each, judge them in one batch, decide; save the run."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel

from pipeline.claims import build_claims
from pipeline.engine import Engine
from pipeline.errors import CancelledError, FactCheckError, LLMError
from pipeline.runs import RunStore
from pipeline.types import Article, Claim, ClaimStatus, Evidence, Passage, RunResult, RunStats, Usage, updated
from pipeline.verdict import decide


class ProgressEvent(BaseModel):
    """Where a run is, with counts for progress bars."""

    stage: Literal["extract", "retrieve", "claims", "done"]
    done: int
    total: int
    message: str = ""
    # The model's output speed so far (None offline, or before the first call returns).
    tokens_per_second: float | None = None


Progress = Callable[[ProgressEvent], None]


def failed(claim: Claim, reason: str) -> Claim:
    """The claim, marked failed with a one-sentence reason."""
    return updated(claim, status=ClaimStatus.FAILED, error=reason, evidence=[])


def decided(claim: Claim, evidence: list[Evidence]) -> Claim:
    """The claim with its judged evidence and the verdict they roll up to."""
    verdict = decide(evidence)
    return updated(claim, evidence=evidence, verdict=verdict.label, confidence=verdict.confidence,
                   status=ClaimStatus.OK, error="")


def new_run_id(article: Article, now: datetime) -> str:
    """Sortable, unique-enough id: UTC time plus the article hash prefix."""
    return f"{now:%Y%m%d-%H%M%S}-{article.id[:8]}"


def check_article(article: Article, engine: Engine, progress: Progress | None = None,
                  save: bool = True, stop: threading.Event | None = None) -> RunResult:
    """The whole check of one article; the run is saved so the review screen and exports can open it.

    Setting `stop` cancels what has not started: finished claims are kept, the rest are marked cancelled, and
    re-running the same check answers the finished ones from the cache.
    """
    started = time.perf_counter()
    now = datetime.now(UTC)
    usage, stats = Usage(), RunStats()
    notify = progress or (lambda event: None)
    notify(ProgressEvent(stage="extract", done=0, total=1, message="Extracting claims"))
    candidates = engine.extractor.candidates(article, usage, stop=stop)
    claims = build_claims(article, candidates, engine.settings.claims, stats)
    notify(ProgressEvent(stage="extract", done=1, total=1, message=f"{len(claims)} claims",
                         tokens_per_second=usage.tokens_per_second()))
    checked = check_claims(claims, article.id, engine, usage, notify, stop)
    stats.failed_claims = sum(1 for c in checked if c.status == ClaimStatus.FAILED)
    stats.seconds = round(time.perf_counter() - started, 3)
    settings = engine.settings
    result = RunResult(
        run_id=new_run_id(article, now), created_at=now.isoformat(timespec="seconds"), engine=engine.info,
        prompt_versions=engine.prompt_versions, article=article, claims=checked, usage=usage, stats=stats,
        config={"k": settings.retrieval.k, "retrieval": settings.retrieval.mode,
                "min_checkworthiness": settings.claims.min_checkworthiness, "concurrency": settings.run.concurrency})
    if save:
        RunStore(settings.runs_dir).save(result)
    notify(ProgressEvent(stage="done", done=len(checked), total=len(checked), message=result.run_id))
    return result


def retrieve_all(claims: list[Claim], article_id: str, engine: Engine, notify: Progress,
                 stop: threading.Event | None = None) -> list[list[Passage] | FactCheckError]:
    """Passages for every claim (never from the article under review); a failed search fails only its claim."""
    found: list[list[Passage] | FactCheckError] = []
    k = engine.settings.retrieval.k
    for done, claim in enumerate(claims, start=1):
        if stop is not None and stop.is_set():
            found.append(CancelledError())
            continue
        try:
            found.append(engine.retriever.search(claim.text, k, exclude_article_id=article_id))
        except FactCheckError as exc:
            found.append(exc)
        except Exception as exc:  # one bad claim must never sink the run
            found.append(FactCheckError(f"Unexpected error while searching ({type(exc).__name__}: {exc})"))
        notify(ProgressEvent(stage="retrieve", done=done, total=len(claims), message=claim.text[:80]))
    return found


def check_claims(claims: list[Claim], article_id: str, engine: Engine, usage: Usage,
                 notify: Progress, stop: threading.Event | None = None) -> list[Claim]:
    """Retrieve, judge (one batch, up to run.concurrency calls at a time) and decide every claim, in order."""
    passages = retrieve_all(claims, article_id, engine, notify, stop)
    searchable = [i for i, p in enumerate(passages) if not isinstance(p, FactCheckError)]
    results: dict[int, Claim] = {i: failed(claims[i], p.user_message())
                                 for i, p in enumerate(passages) if isinstance(p, FactCheckError)}
    notify(ProgressEvent(stage="claims", done=len(results), total=len(claims), message="Checking claims"))

    def judged(position: int, evidence: list[Evidence] | LLMError) -> None:
        index = searchable[position]
        claim = claims[index]
        results[index] = (failed(claim, evidence.user_message()) if isinstance(evidence, LLMError)
                          else decided(claim, evidence))
        notify(ProgressEvent(stage="claims", done=len(results), total=len(claims), message=claim.text[:80],
                             tokens_per_second=usage.tokens_per_second()))

    items = [(claims[i].text, passages[i]) for i in searchable]
    engine.judge.judge_many(items, usage, on_judged=judged, stop=stop)  # type: ignore[arg-type]
    return [results[i] for i in range(len(claims))]
