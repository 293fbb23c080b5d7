"""The optional model confirmation of prior fact-checks, through a real HTTP model server (the stub)."""

import json
import re

from llm_fixtures import demo_responder
from llm_fixtures import stub_engine_for as stub_engine
from stub_openai import StubOpenAI, first_user_text

from pipeline.demo import DEMO_ARTICLE
from pipeline.factcheck_confirm import PROMPT_NAME
from pipeline.loaders import load_file
from pipeline.queue import FLAG_FACT_CHECKED
from pipeline.run import check_article
from ui.factcheck_cards import factcheck_card

_BLOCK = re.compile(r"<<<(CLAIM|FACT-CHECK (\d+)) (\w+)>>>\n(.*?)\n<<<END \1 \3>>>", re.DOTALL)
RIGHT = "The UN Security Council adopted resolution 2231 in 2010."
WRONG = "The UN Security Council adopted resolution 2231 in July 2015."


def confirming_responder(request: dict) -> str:
    """The demo's recorded replies, and confirmations: only the same text (up to case) is the same claim."""
    if request["response_format"]["json_schema"]["name"] != "Confirmations":
        return demo_responder(request)
    blocks = _BLOCK.findall(first_user_text(request))
    claim = next(text for kind, _, _, text in blocks if kind == "CLAIM")
    answers = [{"factcheck": int(number), "same_claim": text.lower() == claim.lower(),
                "quote": text if text.lower() == claim.lower() else "", "confidence": 0.9}
               for kind, number, _, text in blocks if kind != "CLAIM"]
    return json.dumps({"confirmations": answers})


def write_feed(path, *claims):
    path.write_text(json.dumps([{"@type": "ClaimReview", "url": f"https://desk{n}.example/check", "claimReviewed": c,
                                 "reviewRating": {"alternateName": "False"}, "author": {"name": f"Desk {n}"}}
                                for n, c in enumerate(claims)]))
    return str(path)


def test_the_model_confirms_the_same_claim_and_unflags_a_look_alike(tmp_path, embedder, demo_store_dir):
    with StubOpenAI(confirming_responder) as stub:
        engine = stub_engine(tmp_path, embedder, demo_store_dir, stub.base_url,
                             FACTCHECK_FACTCHECKS__CONFIRM_WITH_MODEL="true")
        assert engine.factchecks.import_sources([write_feed(tmp_path / "feed.json", WRONG, RIGHT)]).added == 2
        result = check_article(load_file(DEMO_ARTICLE), engine)
    asked = [r for r in stub.requests if r["response_format"]["json_schema"]["name"] == "Confirmations"]
    assert len(asked) == len(result.claims) and result.prompt_versions[PROMPT_NAME]
    resolution = next(c for c in result.claims if c.text == RIGHT)
    first, second = resolution.factchecks
    assert first.factcheck.claimReviewed == RIGHT and first.confirmed and first.confirmation_quote == RIGHT
    assert second.factcheck.claimReviewed == WRONG and second.confirmed is False and not second.flagged
    assert [f.reason for f in resolution.flags if f.flag == FLAG_FACT_CHECKED] == [
        "matches a fact-check rated False by Desk 1"]
    others = [c for c in result.claims if c.text != RIGHT]
    assert all(m.confirmed is False and not m.flagged for c in others for m in c.factchecks)
    assert not any(f.flag == FLAG_FACT_CHECKED for c in others for f in c.flags)
    card = factcheck_card(first, basis=False)
    assert "model: the same claim" in card and "a different claim" in factcheck_card(second, basis=False)


def test_the_bench_ranks_confirmed_matches_first_and_counts_the_answers(tmp_path, embedder, demo_store_dir):
    from bench.claim_matching_suite import URL_PREFIX, confirmation_table
    from pipeline.factcheck_library import Candidates
    from pipeline.factcheck_types import FactCheck

    checks = {v: FactCheck(id=v, claimReviewed=text, url=URL_PREFIX + v)
              for v, text in (("1", "Bananas are radioactive."), ("2", RIGHT), ("3", WRONG))}
    candidates = Candidates(found=checks, cosines={"1": 0.9, "2": 0.8, "3": 0.7}, bm25={})
    with StubOpenAI(confirming_responder) as stub:
        engine = stub_engine(tmp_path, embedder, demo_store_dir, stub.base_url)
        table, usage = confirmation_table(engine, [candidates], [(RIGHT, {"2"})], (1.0, 0.0), clean=False)
    before, after = table.rows
    assert before["MAP@5"] == 0.5 and after["MAP@5"] == 1.0 and usage.llm_calls == 1
    assert (after["confirmed"], after["rejected"], after["not answered"]) == (1, 2, 0)
