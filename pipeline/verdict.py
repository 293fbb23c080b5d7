"""The verdict rule: a pure function from a claim's judged evidence to a label and a confidence.

Only grounded judgments count (their quote was found verbatim in the passage). Each counts with
its weight = strength × retrieval score (both in [0, 1]), so a confident judgment on a
well-matching passage weighs more than a hesitant one on a weak match.

Let S = total weight of grounded "supports" and C = total weight of grounded "contradicts".

- S = C = 0 → not_enough_evidence. Confidence = the share of judged passages that were
  grounded "unrelated" (how sure we are that the corpus has nothing on it); 0 with no passages.
- Otherwise the dominant side's share D = max(S, C) / (S + C):
  - D ≥ DOMINANCE (0.75) → supported (S > C) or refuted (C > S);
    confidence = D × (1 − e^(−(S + C) / SATURATION)): agreement, discounted when evidence is thin.
  - D < DOMINANCE → conflicting; confidence = 1 − |S − C| / (S + C) (how evenly the evidence splits),
    discounted the same way.
"""

from __future__ import annotations

import math

from pipeline.types import Evidence, Stance, Verdict, VerdictLabel

DOMINANCE = 0.75
SATURATION = 0.8


def evidence_weight(evidence: Evidence) -> float:
    """How much one judgment counts: zero unless grounded and decisive."""
    if not evidence.grounded or evidence.stance == Stance.UNRELATED:
        return 0.0
    return max(0.0, min(1.0, evidence.strength)) * max(0.05, min(1.0, evidence.passage.score))


def decide(evidence: list[Evidence]) -> Verdict:
    """Roll judgments up into a verdict (see the module docstring for the rule)."""
    support = sum(evidence_weight(e) for e in evidence if e.stance == Stance.SUPPORTS)
    contra = sum(evidence_weight(e) for e in evidence if e.stance == Stance.CONTRADICTS)
    total = support + contra
    if total == 0:
        unrelated = sum(1 for e in evidence if e.grounded and e.stance == Stance.UNRELATED)
        confidence = unrelated / len(evidence) if evidence else 0.0
        return Verdict(label=VerdictLabel.NOT_ENOUGH_EVIDENCE, confidence=round(confidence, 3))
    amount = 1.0 - math.exp(-total / SATURATION)
    dominance = max(support, contra) / total
    if dominance >= DOMINANCE:
        label = VerdictLabel.SUPPORTED if support > contra else VerdictLabel.REFUTED
        return Verdict(label=label, confidence=round(dominance * amount, 3))
    balance = 1.0 - abs(support - contra) / total
    return Verdict(label=VerdictLabel.CONFLICTING, confidence=round(balance * amount, 3))
