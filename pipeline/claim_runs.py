"""Check claims a person handed in (one, or a list): every one is checked, whatever its check-worthiness.

A list becomes one run. Its "article" is the claims one per line, so every claim keeps an exact span and the
result document keeps its shape; each claim carries where it came from (`Claim.source`). Finished claims are
journalled as they finish, so an interrupted list resumes where it stopped, with any engine.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError

from pipeline.claim_checks import ClaimChecks, Progress
from pipeline.claim_lists import ClaimList
from pipeline.engine import Engine
from pipeline.factcheck_match import match_claims
from pipeline.injection import find_instructions, instruction_flags
from pipeline.offline.checkworthiness import score, weights_version
from pipeline.runs import RunStore
from pipeline.types import (
    Article,
    Claim,
    ClaimOrigin,
    ClaimStatus,
    ProgressEvent,
    RunResult,
    RunStats,
    Usage,
    content_id,
)

MAX_NOTICES = 20
INPUT_KIND = "claims"  # run.config["input"] of a run of given claims


def list_article(claims: ClaimList) -> Article:
    """The list as an article: one claim per line, titled after the list, skipped lines in its notices."""
    count = len(claims.claims)
    title = (f"Claim: {claims.claims[0].text[:80]}" if count == 1 else f"{count} claims from {claims.name}")
    notices = claims.problem_messages()
    if len(notices) > MAX_NOTICES:
        notices = [*notices[:MAX_NOTICES], f"… and {len(notices) - MAX_NOTICES} more skipped lines."]
    return Article.from_text("\n".join(c.text for c in claims.claims), title=title, source=claims.name,
                             notices=notices)


def list_claims(article: Article, claims: ClaimList) -> list[Claim]:
    """Every given claim as a Claim with its line's span, its check-worthiness (offline cue model) and origin."""
    found, start = [], 0
    for given in claims.claims:
        end = start + len(given.text)
        flags = [f.model_copy(update={"span": (start + f.span[0], start + f.span[1]) if f.span else None})
                 for f in instruction_flags(given.text, [], find_instructions(given.text))]
        found.append(Claim(id=content_id(article.id, str(start), str(end), given.text), text=given.text,
                           source_quote=given.text, span=(start, end), checkworthiness=round(score(given.text), 3),
                           origin=ClaimOrigin.GIVEN, source=given.source, flags=flags))
        start = end + 1
    return found


class Journal:
    """Finished claims of one list run, one JSON line each, so a re-run of the same list skips them."""

    def __init__(self, runs_dir: Path, key: str):
        self.path = runs_dir / ".partial" / f"{key}.jsonl"
        self.lock = threading.Lock()

    @staticmethod
    def key(article: Article, engine: Engine) -> str:
        """Same list, same engine, same settings, same store size: the finished checks still hold."""
        settings = engine.settings
        return content_id(article.id, engine.info.model_dump_json(), json.dumps(engine.prompt_versions,
                          sort_keys=True), settings.retrieval.model_dump_json(), str(engine.store.count()))

    def load(self) -> dict[str, Claim]:
        """Claims finished by an earlier, interrupted run (a line cut short by a crash is ignored)."""
        if not self.path.exists():
            return {}
        finished = {}
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                claim = Claim.model_validate_json(line)
            except ValidationError:
                continue
            finished[claim.id] = claim
        return finished

    def add(self, claim: Claim) -> None:
        """Record a claim that finished well (failed or cancelled ones are retried by the next run)."""
        if claim.status != ClaimStatus.OK:
            return
        with self.lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(claim.model_dump_json() + "\n")

    def remove(self) -> None:
        """The run is saved complete: nothing left to resume."""
        self.path.unlink(missing_ok=True)


def check_claim_list(claims: ClaimList, engine: Engine, progress: Progress | None = None, save: bool = True,
                     stop: threading.Event | None = None) -> RunResult:
    """Check every claim of the list (retrieval, stance, verdict) as one run; resumes an interrupted run."""
    started, now = time.perf_counter(), datetime.now(UTC)
    notify = progress or (lambda event: None)
    article = list_article(claims)
    wanted = list_claims(article, claims)
    journal = Journal(engine.settings.runs_dir, Journal.key(article, engine))
    resumed = journal.load() if save else {}
    pending = [c for c in wanted if c.id not in resumed]
    usage = Usage()
    stats = RunStats(candidates=len(wanted), skipped_lines=len(claims.problems),
                     resumed_claims=len(wanted) - len(pending))
    resumed_note = (f"{stats.resumed_claims} of {len(wanted)} claims were finished by an interrupted run of this "
                    "list; checking the rest") if stats.resumed_claims else ""
    notify(ProgressEvent(stage="claims", done=0, total=len(pending), message=resumed_note))
    checks = ClaimChecks(article.id, engine, usage, notify, stop, on_checked=journal.add if save else None)
    checked = {c.id: c for c in checks.finish(pending)}
    final = match_claims([resumed.get(c.id) or checked[c.id] for c in wanted], engine, usage)  # prior fact-checks too
    stats.failed_claims = sum(1 for c in final if c.status == ClaimStatus.FAILED)
    stats.seconds = round(time.perf_counter() - started, 3)
    settings = engine.settings
    versions = {**engine.prompt_versions, "offline_checkworthiness": weights_version()}
    result = RunResult(
        run_id=f"{now:%Y%m%d-%H%M%S}-{article.id[:8]}", created_at=now.isoformat(timespec="seconds"),
        engine=engine.info, prompt_versions=versions, article=article, claims=final, usage=usage, stats=stats,
        config={"k": settings.retrieval.k, "retrieval": settings.retrieval.mode, "input": INPUT_KIND,
                "min_checkworthiness": settings.claims.min_checkworthiness,
                "concurrency": settings.run.concurrency})
    if save:
        RunStore(settings.runs_dir).save(result)
        if not stats.failed_claims:
            journal.remove()
    notify(ProgressEvent(stage="done", done=len(final), total=len(final), message=result.run_id))
    return result
