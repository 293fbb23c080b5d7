"""Stance judgments: one batched call per claim, quotes grounded verbatim or marked and ignored."""

import json

from factcheck.wiring import build_llm
from llm.fake import ResponderChatModel
from pipeline.config import load_settings
from pipeline.stance import NO_JUDGMENT, LLMStanceJudge, ground
from pipeline.types import Passage, Stance, Usage, VerdictLabel
from pipeline.verdict import decide

PASSAGES = [
    Passage(chunk_id="p1", text="The UN Security Council adopted resolution 2231 unanimously on 20 July 2015.",
            score=0.9, source="res2231.txt"),
    Passage(chunk_id="p2", text="Under Annex B, transfers of certain drones require approval.", score=0.8),
    Passage(chunk_id="p3", text="OPEC+ cut output by two million barrels per day.", score=0.3),
]


def judge_with(reply: dict, tmp_path, fake_provider, seen=None):
    """Judge PASSAGES with a model that gives the same reply every time (so a re-ask gets it again)."""
    def respond(messages):
        if seen is not None:
            seen.append(messages)
        return json.dumps(reply)
    fake_provider(ResponderChatModel(respond=respond))
    settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(tmp_path), "FACTCHECK_LLM__PROVIDER": "fake"})
    [evidence] = LLMStanceJudge(build_llm(settings, "fake")).judge_many(
        [("Resolution 2231 was adopted in 2010.", PASSAGES)], Usage())
    return evidence


def test_fabricated_quotes_are_ungrounded_and_never_count(tmp_path, fake_provider):
    reply = {"judgments": [
        {"passage": 1, "stance": "supports", "quote": "resolution 2231 was adopted in 2010", "rationale": "r",
         "confidence": 1},
        {"passage": 2, "stance": "supports", "quote": "The Council adopted it in 2010.", "rationale": "r",
         "confidence": 1},
        {"passage": 3, "stance": "unrelated", "quote": "", "rationale": "r", "confidence": 1}]}
    seen = []
    evidence = judge_with(reply, tmp_path, fake_provider, seen)
    # re-asked once with the exact problem, then kept as ungrounded judgments
    assert len(seen) == 2 and "the quote for passage 1 is not in that passage" in seen[1][-1].content
    assert [e.grounded for e in evidence] == [False, False, True]
    assert evidence[0].quote == "resolution 2231 was adopted in 2010"  # kept for the reviewer
    assert decide(evidence).label == VerdictLabel.NOT_ENOUGH_EVIDENCE


def test_grounded_quote_is_the_passage_own_text(tmp_path, fake_provider):
    reply = {"judgments": [
        {"passage": 1, "stance": "contradicts", "quote": "adopted resolution 2231  unanimously on 20 July 2015",
         "rationale": "Different year.", "confidence": 0.9}]}
    evidence = judge_with(reply, tmp_path, fake_provider)
    assert evidence[0].grounded and evidence[0].quote == "adopted resolution 2231 unanimously on 20 July 2015"
    assert evidence[0].quote in PASSAGES[0].text
    assert evidence[1].rationale == NO_JUDGMENT and not evidence[1].grounded
    assert decide(evidence).label == VerdictLabel.REFUTED


def test_unrelated_with_made_up_quote_is_ungrounded():
    evidence = ground(PASSAGES[2], Stance.UNRELATED, "not in the passage", "r", 1.0)
    assert not evidence.grounded
