"""Queue logic: flags, flagged-first order, filters, next/previous, the cross-run inbox and desk statistics."""

from pipeline.desk_stats import decisions_by_reviewer, hours_to_decision, oldest_flagged, statuses_by_day
from pipeline.inbox import UNASSIGNED, InboxFilter, inbox, row_key, status_counts
from pipeline.queue import (
    FLAG_FAILED,
    FLAG_LOW_CONFIDENCE,
    FLAG_REFUTED,
    FLAG_UNGROUNDED,
    build_queue,
    filter_queue,
    neighbours,
    next_to_decide,
    sort_queue,
)
from pipeline.review_types import Review, ReviewEvent, ReviewStatus
from pipeline.types import Article, Claim, ClaimStatus, EngineInfo, Evidence, RunResult, Stance, VerdictLabel


def make_run() -> RunResult:
    ungrounded = Evidence(chunk_id="e", text="t", score=0.5, stance=Stance.SUPPORTS, quote="x", grounded=False)
    claims = [
        Claim(id="ok", text="fine", source_quote="a", span=(0, 1), checkworthiness=0.9,
              verdict=VerdictLabel.SUPPORTED, confidence=0.9),
        Claim(id="ref", text="wrong", source_quote="b", span=(2, 3), checkworthiness=0.6,
              verdict=VerdictLabel.REFUTED, confidence=0.8),
        Claim(id="fail", text="broken", source_quote="c", span=(4, 5), checkworthiness=0.7,
              status=ClaimStatus.FAILED, error="Timeout."),
        Claim(id="ung", text="odd", source_quote="d", span=(6, 7), checkworthiness=0.8,
              verdict=VerdictLabel.SUPPORTED, confidence=0.3, evidence=[ungrounded]),
    ]
    return RunResult(run_id="r", created_at="now", engine=EngineInfo(kind="offline", provider="o", model="m",
                                                                      embedding="e"),
                     article=Article(id="a", text="a b c d e f g"), claims=claims)


def test_flags_and_flagged_first_order():
    rows = build_queue(make_run(), {}, low_confidence=0.5)
    flags = {r.claim_id: r.flags for r in rows}
    assert flags == {"ok": [], "ref": [FLAG_REFUTED], "fail": [FLAG_FAILED],
                     "ung": [FLAG_UNGROUNDED, FLAG_LOW_CONFIDENCE]}
    assert [r.claim_id for r in sort_queue(rows)] == ["fail", "ref", "ung", "ok"]


def test_done_claims_sink_and_filters_apply():
    reviews = {"fail": Review(run_id="r", claim_id="fail", status=ReviewStatus.DONE, rating="False")}
    rows = sort_queue(build_queue(make_run(), reviews, 0.5))
    assert [r.claim_id for r in rows][-1] == "fail"
    assert [r.claim_id for r in filter_queue(rows, flagged_only=True)] == ["ref", "ung", "fail"]
    assert [r.claim_id for r in filter_queue(rows, statuses=[ReviewStatus.DONE])] == ["fail"]
    assert [r.claim_id for r in filter_queue(rows, verdicts=["supported"])] == ["ung", "ok"]


def test_other_sorts():
    rows = build_queue(make_run(), {}, 0.5)
    assert [r.claim_id for r in sort_queue(rows, "article order")] == ["ok", "ref", "fail", "ung"]
    assert [r.claim_id for r in sort_queue(rows, "check-worthiness")] == ["ok", "ung", "fail", "ref"]


def test_neighbours():
    rows = sort_queue(build_queue(make_run(), {}, 0.5))
    assert neighbours(rows, "ref") == ("fail", "ung")
    assert neighbours(rows, "fail") == (None, "ref")
    assert neighbours(rows, "ok") == ("ung", None)
    assert neighbours(rows, "missing") == (None, "fail")


def test_next_to_decide_is_flagged_first_skips_done_and_ends_with_none():
    done = {c: Review(run_id="r", claim_id=c, status=ReviewStatus.DONE, rating="False") for c in ("fail", "ref")}
    rows = build_queue(make_run(), done, 0.5)
    assert next_to_decide(rows, "ref") == "ung"  # the flagged one before the unflagged one
    assert next_to_decide(rows, "ung") == "ok"
    done["ung"] = done["ok"] = Review(run_id="r", claim_id="x", status=ReviewStatus.DONE, rating="True")
    assert next_to_decide(build_queue(make_run(), done, 0.5), "ok") is None


def test_deciding_a_claim_after_skipping_one_moves_on_instead_of_back_to_the_skipped_one():
    rows = build_queue(make_run(), {}, 0.5)
    assert [r.claim_id for r in sort_queue(rows)] == ["fail", "ref", "ung", "ok"]
    skipped_fail_decided_ref = {"ref": Review(run_id="r", claim_id="ref", status=ReviewStatus.DONE, rating="False")}
    rows = build_queue(make_run(), skipped_fail_decided_ref, 0.5)
    assert next_to_decide(rows, "ref") == "ung"
    assert next_to_decide(rows, "ok") == "fail"  # past the end: back to the first one left


def test_inbox_across_runs_filters_searches_counts_and_ages():
    first, second = make_run(), make_run()
    second.run_id, second.created_at, second.article.title = "r2", "2026-01-02T09:00:00+00:00", "Other"
    first.created_at = "2026-01-01T09:00:00+00:00"
    reviews = {"ref": Review(run_id="r2", claim_id="ref", status=ReviewStatus.DONE, rating="False",
                             assignee="Ana")}
    rows = build_queue(first, {}, 0.5) + build_queue(second, reviews, 0.5)
    assert status_counts(rows) == {ReviewStatus.UNREVIEWED: 7, ReviewStatus.IN_PROGRESS: 0, ReviewStatus.DONE: 1}
    assert [row_key(r) for r in inbox(rows, InboxFilter(text="WRO"))] == ["r/ref", "r2/ref"]
    assert [row_key(r) for r in inbox(rows, InboxFilter(assignees=["Ana"]))] == ["r2/ref"]
    assert len(inbox(rows, InboxFilter(assignees=[UNASSIGNED], articles=["Other"]))) == 3
    assert [r.run_id for r in inbox(rows, InboxFilter(), "newest check first")][:4] == ["r2"] * 4
    events = [ReviewEvent(run_id="r2", claim_id="ref", reviewer="Ana", at="2026-01-02T12:00:00+00:00",
                          field="status", old="unreviewed", new="done", version=1)]
    assert hours_to_decision(rows, events) == [3.0]
    assert decisions_by_reviewer(events) == [{"day": "2026-01-02", "reviewer": "Ana", "decisions": 1}]
    by_day = {(d["day"], d["status"]): d["claims"] for d in statuses_by_day(rows, events)}
    assert by_day[("2026-01-01", "unreviewed")] == 4 and by_day[("2026-01-02", "done")] == 1
    assert by_day[("2026-01-02", "unreviewed")] == 7
    assert [row_key(r) for r in oldest_flagged(rows)] == ["r/ref", "r/fail", "r/ung", "r2/fail", "r2/ung"]
