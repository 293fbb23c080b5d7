"""Retrieval, stance and verdict for each claim, started the moment the claim is known.

Claims stream out of extraction one by one; each is checked in LangChain's context-propagating thread pool
while the rest are still being extracted. The model calls themselves are bounded by run.concurrency inside
the LLM adapter, so neither early starts nor the pool's extra threads (retrieving ahead) ever exceed it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, as_completed

from pipeline.claims import build_claims, find_duplicate
from pipeline.engine import Engine
from pipeline.errors import CancelledError, FactCheckError, LLMError
from pipeline.injection import find_instructions
from pipeline.types import (
    Article,
    Claim,
    ClaimCandidate,
    ClaimStatus,
    Evidence,
    ProgressEvent,
    RunStats,
    Usage,
    updated,
)
from pipeline.verdict import decide

Progress = Callable[[ProgressEvent], None]


def failed(claim: Claim, reason: str) -> Claim:
    """The claim, marked failed with a one-sentence reason."""
    return updated(claim, status=ClaimStatus.FAILED, error=reason, evidence=[])


def decided(claim: Claim, evidence: list[Evidence]) -> Claim:
    """The claim with its judged evidence and the verdict they roll up to."""
    verdict = decide(evidence)
    return updated(claim, evidence=evidence, verdict=verdict.label, confidence=verdict.confidence,
                   status=ClaimStatus.OK, error="")


class ClaimChecks:
    """Checks claims as they are offered; `finish` returns the final claims, checked, in their order."""

    def __init__(self, article_id: str, engine: Engine, usage: Usage, notify: Progress,
                 stop: threading.Event | None = None, on_checked: Callable[[Claim], None] | None = None):
        """`on_checked` gets every finished claim (from the worker threads)."""
        self.article_id = article_id
        self.on_checked = on_checked
        self.engine = engine
        self.usage = usage
        self.notify = notify
        self.stop = stop or threading.Event()
        # imported here: LangChain's thread pool costs 0.3 s to import, which commands that check nothing skip
        from langchain_core.runnables.config import ContextThreadPoolExecutor

        # Twice the model's slots: while every slot waits on the model, the next claims already retrieve their
        # passages, so a freed slot starts a call at once instead of after a search (bench speed: 0.85 → 0.87).
        self.pool = ContextThreadPoolExecutor(max_workers=2 * engine.settings.run.concurrency,
                                              thread_name_prefix="claim")
        self.started: dict[str, Future[Claim]] = {}
        self.early: list[Claim] = []
        self.findings: list | None = None
        self.total: int | None = None
        self.done = 0
        self.lock = threading.Lock()

    def offer(self, article: Article, candidates: list[ClaimCandidate]) -> None:
        """Start checking the claims new candidates make, skipping duplicates of claims already started (the
        final list decides what counts)."""
        if self.findings is None:
            self.findings = find_instructions(article.text)
        for claim in build_claims(article, candidates, self.engine.settings.claims, RunStats(), self.findings):
            with self.lock:
                if find_duplicate(self.early, claim.text, claim.span) is not None:
                    continue
                self.early.append(claim)
            self.start(claim)

    def start(self, claim: Claim) -> Future[Claim]:
        """The claim's check, started now unless it already runs."""
        with self.lock:
            if claim.id not in self.started:
                self.started[claim.id] = self.pool.submit(self.check, claim)
            return self.started[claim.id]

    def check(self, claim: Claim) -> Claim:
        """Retrieve, judge and decide one claim; any failure marks just this claim failed."""
        if self.stop.is_set():
            return self.finished(claim, failed(claim, CancelledError().user_message()))
        try:
            settings = self.engine.settings
            passages = self.engine.retriever.search(claim.text, settings.retrieval.k,
                                                    exclude_article_id=self.article_id)
            [judged] = self.engine.judge.judge_many([(claim.text, passages)], self.usage, stop=self.stop)
        except FactCheckError as exc:
            return self.finished(claim, failed(claim, exc.user_message()))
        except Exception as exc:  # one bad claim must never sink the run
            return self.finished(claim, failed(claim, f"Unexpected error ({type(exc).__name__}: {exc})."))
        result = failed(claim, judged.user_message()) if isinstance(judged, LLMError) else decided(claim, judged)
        return self.finished(claim, result)

    def finished(self, claim: Claim, result: Claim) -> Claim:
        """Count a finished check and report progress."""
        if self.on_checked is not None:
            self.on_checked(result)
        with self.lock:
            self.done += 1
            total = max(self.total or 0, len(self.started), self.done)
            done = self.done
        self.notify(ProgressEvent(stage="claims", done=min(done, total), total=total, message=claim.text[:80],
                                  tokens_per_second=self.usage.tokens_per_second()))
        return result

    def finish(self, claims: list[Claim]) -> list[Claim]:
        """Every final claim checked (reusing early checks), in order; early claims not kept are dropped."""
        with self.lock:
            self.total = len(claims)
            self.done = sum(1 for c in claims if c.id in self.started and self.started[c.id].done())
        futures = {claim.id: self.start(claim) for claim in claims}
        try:
            for _ in as_completed(futures.values()):
                pass
        finally:
            self.close()
        return [carry(claim, futures[claim.id].result()) for claim in claims]

    def close(self) -> None:
        """Drop work not started yet (after Ctrl-C or an error); calls in flight finish and are cached."""
        self.pool.shutdown(wait=False, cancel_futures=True)


def carry(claim: Claim, checked: Claim) -> Claim:
    """The final claim with the outcome of its check (the early copy may differ, e.g. in check-worthiness)."""
    return updated(claim, evidence=checked.evidence, verdict=checked.verdict, confidence=checked.confidence,
                   status=checked.status, error=checked.error)
