"""A claim paired with the wrong sentence (a small model's habit) is re-asked, then moved to its own sentence."""

import json

from llm_fixtures import stance_reply
from test_llm_path import extraction_request, llm_engine

from factcheck.wiring import build_llm
from llm.fake import ResponderChatModel
from pipeline.claim_source import better_source
from pipeline.claims import build_claims
from pipeline.config import ClaimSettings, load_settings
from pipeline.demo import DEMO_ARTICLE
from pipeline.loaders import load_file
from pipeline.run import check_article
from pipeline.types import Article, ClaimCandidate, ClaimOrigin, RunStats, Usage

PILOTS = "Kirby said Russia was training Iranian pilots on the Sukhoi Su-35 fighter jet."
COOKIES = "We use cookies to improve your experience."
PILOTS_CLAIM = "Russia was training Iranian pilots to fly the Sukhoi Su-35 fighter jet."
TEXT = f"{PILOTS} {COOKIES} The jets would strengthen Iran's air force."


def test_the_sentence_holding_the_claims_words_beats_a_quoted_sentence_without_them():
    cookies = (TEXT.index(COOKIES), TEXT.index(COOKIES) + len(COOKIES))
    pilots = (0, len(PILOTS))
    assert better_source(PILOTS_CLAIM, TEXT, cookies) == pilots
    assert better_source(PILOTS_CLAIM, TEXT, pilots) is None


def test_a_decontextualised_claim_keeps_its_own_sentence():
    text = ("John Smith has been mayor of Springfield since 2019. He said on Tuesday the plant would close. "
            "Workers were not told.")
    own = (text.index("He said"), text.index("close.") + len("close."))
    claim = "Springfield mayor John Smith said the Springfield plant would close."
    assert better_source(claim, text, own) is None  # the names come from the sentence before; the claim does not


def test_a_wrong_pairing_is_reasked_with_the_error_naming_the_right_sentence(tmp_path, fake_provider):
    wrong = json.dumps({"claims": [{"text": PILOTS_CLAIM, "source_quote": COOKIES, "checkworthiness": 0.9}]})
    right = json.dumps({"claims": [{"text": PILOTS_CLAIM, "source_quote": PILOTS, "checkworthiness": 0.9}]})
    seen = []
    replies = iter([wrong, right])
    model = ResponderChatModel(respond=lambda messages: seen.append(messages) or next(replies))
    settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(tmp_path), "FACTCHECK_LLM__PROVIDER": "fake"})
    fake_provider(model)
    [reply] = build_llm(settings, "fake").generate([extraction_request(TEXT)], Usage())
    assert reply.claims[0].source_quote == PILOTS
    reask = seen[1][-1].content
    assert "is not the sentence the claim" in reask and PILOTS[:60] in reask


def test_a_pairing_still_wrong_after_the_reask_is_moved_counted_and_explained():
    stats = RunStats()
    article = Article.from_text(TEXT)
    candidate = ClaimCandidate(text=PILOTS_CLAIM, source_quote=COOKIES, checkworthiness=0.9)
    [claim] = build_claims(article, [candidate], ClaimSettings(), stats)
    assert claim.source_quote == PILOTS and claim.span == (0, len(PILOTS))
    assert stats.corrected_sources == 1 and COOKIES in claim.origin_note and claim.origin == ClaimOrigin.MODEL


def test_a_check_whose_model_keeps_the_wrong_sentence_reviews_the_right_one(tmp_path, embedder, demo_store_dir,
                                                                            fake_provider):
    article = load_file(DEMO_ARTICLE)
    other = "The two countries were also considering a joint drone assembly line inside Russia"
    wrong = json.dumps({"claims": [{"text": PILOTS_CLAIM, "source_quote": other, "checkworthiness": 0.9}]})

    def respond(messages):
        system, user = messages[0].content, messages[1].content
        return wrong if "extract check-worthy" in system else stance_reply(user)

    model = ResponderChatModel(respond=respond)
    result = check_article(article, llm_engine(tmp_path, embedder, demo_store_dir, fake_provider(model)))
    [claim] = result.claims
    assert claim.source_quote == PILOTS and article.text[slice(*claim.span)] == PILOTS
    assert result.stats.corrected_sources == 1 and result.stats.dropped_unlocated == 0
    assert model.calls == 2 + 1  # extraction, its re-ask, one stance call


def test_the_offline_extractor_never_corrects_its_own_sentences(demo_engine):
    result = check_article(load_file(DEMO_ARTICLE), demo_engine)
    assert result.claims and result.stats.corrected_sources == 0
