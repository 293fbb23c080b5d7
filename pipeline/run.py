"""Run a check: extract claims and check each as soon as it is known (retrieve, judge, decide); save the run."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from pipeline.claim_checks import ClaimChecks, decided, failed
from pipeline.claims import build_claims
from pipeline.engine import Engine
from pipeline.factcheck_match import match_claims
from pipeline.runs import RunStore
from pipeline.types import Article, Claim, ClaimStatus, ProgressEvent, RunResult, RunStats, Usage

__all__ = ["ProgressEvent", "check_article", "check_claims", "decided", "failed"]

Progress = Callable[[ProgressEvent], None]


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
    checks = ClaimChecks(article.id, engine, usage, notify, stop)
    try:
        candidates = engine.extractor.candidates(article, usage, stop=stop,
                                                 on_candidates=lambda early: checks.offer(article, early))
    except BaseException:
        checks.close()
        raise
    claims = build_claims(article, candidates, engine.settings.claims, stats)
    notify(ProgressEvent(stage="extract", done=1, total=1, message=f"{len(claims)} claims",
                         tokens_per_second=usage.tokens_per_second()))
    checked = match_claims(checks.finish(claims), engine, usage)
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


def check_claims(claims: list[Claim], article_id: str, engine: Engine, usage: Usage, notify: Progress,
                 stop: threading.Event | None = None) -> list[Claim]:
    """Retrieve, judge and decide every claim (up to run.concurrency at a time), in order."""
    return ClaimChecks(article_id, engine, usage, notify, stop).finish(claims)
