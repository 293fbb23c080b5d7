"""Run a check: extract claims, then retrieve, judge and decide each claim concurrently; save the run."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from datetime import datetime, timezone
from typing import Callable

from pydantic import BaseModel

from pipeline.claims import build_claims
from pipeline.errors import FactCheckError, LLMUnavailableError
from pipeline.runs import RunStore
from pipeline.types import Article, Claim, ClaimStatus, RunResult, RunStats, Usage
from pipeline.verdict import decide
from pipeline.wiring import Engine


class ProgressEvent(BaseModel):
    """Where a run is: stage "extract", "claims" or "done", with counts for progress bars."""

    stage: str
    done: int
    total: int
    message: str = ""


Progress = Callable[[ProgressEvent], None]


class _Breaker:
    """After the model server proves unreachable, the remaining claims fail fast with the same reason."""

    def __init__(self):
        self.error: FactCheckError | None = None
        self._lock = threading.Lock()

    def trip(self, error: FactCheckError) -> None:
        with self._lock:
            self.error = self.error or error


def check_claim(claim: Claim, article_id: str, engine: Engine, usage: Usage, breaker: _Breaker) -> Claim:
    """Retrieve, judge and decide one claim; any failure marks just this claim failed."""
    if breaker.error is not None:
        return _failed(claim, breaker.error)
    try:
        passages = engine.retriever.search(claim.text, engine.settings.retrieval.k, exclude_article_id=article_id)
        evidence = engine.judge.judge(claim.text, passages, usage)
    except LLMUnavailableError as exc:
        breaker.trip(exc)
        return _failed(claim, exc)
    except FactCheckError as exc:
        return _failed(claim, exc)
    except Exception as exc:  # one bad claim must never sink the run
        return claim.model_copy(update={"status": ClaimStatus.FAILED,
                                        "error": f"Unexpected error ({type(exc).__name__}: {exc})."})
    verdict = decide(evidence)
    return claim.model_copy(update={"evidence": evidence, "verdict": verdict.label,
                                    "confidence": verdict.confidence, "status": ClaimStatus.OK, "error": ""})


def _failed(claim: Claim, error: FactCheckError) -> Claim:
    """The claim, marked failed with a one-sentence reason."""
    return claim.model_copy(update={"status": ClaimStatus.FAILED, "error": error.user_message()})


def new_run_id(article: Article, now: datetime) -> str:
    """Sortable, unique-enough id: UTC time plus the article hash prefix."""
    return f"{now:%Y%m%d-%H%M%S}-{article.id[:8]}"


def check_article(article: Article, engine: Engine, progress: Progress | None = None,
                  save: bool = True) -> RunResult:
    """The whole check of one article; the run is saved so the review screen and exports can open it."""
    started = time.perf_counter()
    now = datetime.now(timezone.utc)
    usage, stats = Usage(), RunStats()
    notify = progress or (lambda event: None)
    notify(ProgressEvent(stage="extract", done=0, total=1, message="Extracting claims"))
    candidates = engine.extractor.candidates(article, usage)
    claims = build_claims(article, candidates, engine.settings.claims, stats)
    notify(ProgressEvent(stage="extract", done=1, total=1, message=f"{len(claims)} claims"))
    checked = _check_all(claims, article.id, engine, usage, notify)
    stats.failed_claims = sum(1 for c in checked if c.status == ClaimStatus.FAILED)
    stats.seconds = round(time.perf_counter() - started, 3)
    result = RunResult(
        run_id=new_run_id(article, now), created_at=now.isoformat(timespec="seconds"), engine=engine.info,
        prompt_versions=engine.prompt_versions,
        article=article,
        claims=checked, usage=usage, stats=stats,
        config={"k": engine.settings.retrieval.k, "retrieval": engine.settings.retrieval.mode,
                "min_checkworthiness": engine.settings.claims.min_checkworthiness,
                "concurrency": engine.settings.run.concurrency})
    if save:
        RunStore(engine.settings.runs_dir).save(result)
    notify(ProgressEvent(stage="done", done=len(checked), total=len(checked), message=result.run_id))
    return result


def _check_all(claims: list[Claim], article_id: str, engine: Engine, usage: Usage,
               notify: Progress) -> list[Claim]:
    """Check claims concurrently (up to run.concurrency), keeping article order in the result."""
    results: dict[str, Claim] = {}
    breaker = _Breaker()
    _ = engine.retriever, engine.judge  # build shared parts once, before threads race to build them
    workers = max(1, min(engine.settings.run.concurrency, len(claims) or 1))
    notify(ProgressEvent(stage="claims", done=0, total=len(claims), message="Checking claims"))
    pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="claim")
    try:
        futures = {pool.submit(check_claim, c, article_id, engine, usage, breaker): c for c in claims}
        for done, future in enumerate(as_completed(futures), start=1):
            claim = future.result()
            results[claim.id] = claim
            notify(ProgressEvent(stage="claims", done=done, total=len(claims), message=claim.text[:80]))
    except BaseException:
        # Ctrl-C or a crash: drop the claims not started; calls in flight finish and land in the cache.
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    return [results[c.id] for c in claims]
