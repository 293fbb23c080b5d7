"""The offline engine end to end on the real seed article and the demo article, against the demo corpus."""

from collections import Counter

from conftest import SEED_ARTICLE

from pipeline.demo import DEMO_ARTICLE
from pipeline.loaders import load_file
from pipeline.offline.checkworthiness import score
from pipeline.run import check_article
from pipeline.runs import RunStore
from pipeline.types import ClaimStatus


def _assert_well_formed(result):
    text = result.article.text
    for claim in result.claims:
        assert text[claim.span[0]:claim.span[1]] == claim.source_quote
        for evidence in claim.evidence:
            if evidence.grounded and evidence.quote:
                assert evidence.quote in evidence.text


def test_seed_article_gives_claims_with_exact_spans_and_both_kinds_of_evidence(demo_engine):
    result = check_article(load_file(SEED_ARTICLE), demo_engine)
    assert result.engine.kind == "offline" and result.usage.llm_calls == 0
    assert len(result.claims) >= 8
    _assert_well_formed(result)
    stances = Counter(e.stance.value for c in result.claims for e in c.evidence if e.grounded)
    assert stances["supports"] > 0 and stances["contradicts"] > 0
    assert all(c.status == ClaimStatus.OK for c in result.claims)
    assert RunStore(demo_engine.settings.runs_dir).load(result.run_id).claims == result.claims


def test_demo_article_refutes_planted_errors(demo_engine):
    result = check_article(load_file(DEMO_ARTICLE), demo_engine)
    _assert_well_formed(result)
    by_quote = {c.source_quote: c for c in result.claims}
    amini = by_quote["Mahsa Amini was 32 years old when she died in the custody of the morality police in "
                     "September 2022."]
    assert any(e.stance.value == "contradicts" and e.grounded and "22" in e.quote for e in amini.evidence)
    assert len(result.claims) >= 8
    planted = ["Iran and six world powers signed the nuclear deal in 2013.",
               "The United States withdrew from the agreement in 2016 under President Barack Obama.",
               "The Security Council adopted resolution 2231 in 2010.", amini.source_quote]
    contradicted = [q for q in planted
                    if any(e.stance.value == "contradicts" and e.grounded for e in by_quote[q].evidence)]
    assert len(contradicted) == 4
    assert sum(by_quote[q].verdict.value == "refuted" for q in planted) >= 3


def test_checkworthiness_cues_rank_facts_above_opinions_and_questions():
    fact = "Iran sold hundreds of attack drones to Russia in the summer of 2022, the White House said."
    assert score(fact) > score("I think this is a terrible, terrible idea.")
    assert score(fact) > score("Will Moscow help save the agreement?")
