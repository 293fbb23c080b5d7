"""Queue logic: flags, flagged-first order, filters, next/previous."""

from pipeline.queue import (
    FLAG_FAILED,
    FLAG_LOW_CONFIDENCE,
    FLAG_REFUTED,
    FLAG_UNGROUNDED,
    build_queue,
    filter_queue,
    neighbours,
    sort_queue,
)
from pipeline.types import (
    Article,
    Claim,
    ClaimStatus,
    EngineInfo,
    Evidence,
    Review,
    ReviewStatus,
    RunResult,
    Stance,
    VerdictLabel,
)


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
