"""The verdict rule: grounded evidence only, dominance, conflict, no evidence."""

from pipeline.types import Evidence, Stance, VerdictLabel
from pipeline.verdict import decide


def ev(stance, grounded=True, strength=1.0, score=1.0):
    return Evidence(chunk_id="c", text="t", score=score, stance=Stance(stance), grounded=grounded,
                    strength=strength, quote="q" if stance != "unrelated" else "")


def test_no_passages_is_not_enough_evidence_with_zero_confidence():
    verdict = decide([])
    assert verdict.label == VerdictLabel.NOT_ENOUGH_EVIDENCE and verdict.confidence == 0.0


def test_only_unrelated_is_not_enough_evidence_confident():
    verdict = decide([ev("unrelated"), ev("unrelated")])
    assert verdict.label == VerdictLabel.NOT_ENOUGH_EVIDENCE and verdict.confidence == 1.0


def test_support_dominates():
    verdict = decide([ev("supports"), ev("supports"), ev("unrelated")])
    assert verdict.label == VerdictLabel.SUPPORTED and 0.9 < verdict.confidence <= 1.0


def test_contradiction_dominates():
    assert decide([ev("contradicts"), ev("supports", strength=0.2)]).label == VerdictLabel.REFUTED


def test_balanced_evidence_is_conflicting():
    verdict = decide([ev("contradicts"), ev("supports")])
    assert verdict.label == VerdictLabel.CONFLICTING and verdict.confidence > 0.5


def test_ungrounded_judgments_never_count():
    verdict = decide([ev("supports", grounded=False), ev("supports", grounded=False), ev("contradicts")])
    assert verdict.label == VerdictLabel.REFUTED


def test_thin_evidence_lowers_confidence():
    strong = decide([ev("supports"), ev("supports")]).confidence
    weak = decide([ev("supports", strength=0.3, score=0.3)]).confidence
    assert weak < strong
