"""LLM paths with fake chat models registered through the real provider registry."""

import itertools
import json
import time

import pytest
from llm_fixtures import RECORDED, extraction_reply, stance_reply

from factcheck.wiring import Engine, build_llm
from llm.fake import ResponderChatModel, queued
from pipeline.claims import extraction_schema, windows
from pipeline.config import load_settings
from pipeline.demo import DEMO_ARTICLE
from pipeline.errors import ConfigError, InvalidReplyError
from pipeline.loaders import load_file
from pipeline.ports import LLMRequest
from pipeline.prompts import load_prompt
from pipeline.run import check_article
from pipeline.types import ClaimStatus, Usage, VerdictLabel

UNLOCATED = "Iran sold 5,000 drones to Russia in 2021"


def llm_engine(tmp_path, embedder, demo_store_dir, provider, **env):
    import shutil

    data = tmp_path / "data"
    if not data.exists():
        shutil.copytree(demo_store_dir, data)
    settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(data), "FACTCHECK_LLM__PROVIDER": provider,
                                      "FACTCHECK_LLM__MODEL": "fake-model", **env})
    return Engine(settings, overrides={"embedder": embedder})


def recorded_model(latency=0.0, seen=None):
    def respond(messages):
        if seen is not None:
            seen.append(messages)
        system, user = messages[0].content, messages[1].content  # [1]: the original request, also on re-ask
        return extraction_reply() if "extract check-worthy" in system else stance_reply(user)
    return ResponderChatModel(respond=respond, latency=latency)


def extraction_request(article="x"):
    prompt = load_prompt("extract_claims").render(article=article, max_claims="3")
    return LLMRequest(prompt=prompt, schema=extraction_schema(3), context={"article": article})


def test_fake_model_runs_the_whole_check_through_the_factory(tmp_path, embedder, demo_store_dir, fake_provider):
    seen = []
    model = recorded_model(seen=seen)
    engine = llm_engine(tmp_path, embedder, demo_store_dir, fake_provider(model))
    result = check_article(load_file(DEMO_ARTICLE), engine)
    assert result.engine.kind == "llm" and result.engine.model == "fake-model"
    assert set(result.prompt_versions) == {"extract_claims", "judge_stance"}
    # 7 recorded claims: one unlocatable (re-asked once with the exact error, then dropped), one duplicate (merged)
    assert len(result.claims) == 5
    assert result.stats.dropped_unlocated == 1 and result.stats.merged_duplicates == 1
    # stance calls may start before the re-ask (claims are checked while extraction goes on), so find it by kind
    reask = next(m[-1].content for m in seen if "extract check-worthy" in m[0].content and len(m) > 2)
    assert "is not a verbatim sentence of the article" in reask and UNLOCATED[:40] in reask
    verdicts = {c.text: c.verdict for c in result.claims}
    assert verdicts["Iran and six world powers signed the Iran nuclear deal (JCPOA) in 2013."] == VerdictLabel.REFUTED
    assert verdicts[RECORDED["claims"][0]["text"]] == VerdictLabel.SUPPORTED
    # extraction and its re-ask, one stance call per claim (passages batched), and one re-ask for the recorded
    # fabricated quote on resolution 2231; re-asks count in the usage
    assert result.usage.llm_calls == 2 + len(result.claims) + 1 == model.calls
    fabricated = [e for c in result.claims for e in c.evidence if "as the article says" in e.quote]
    assert len(fabricated) == 1 and not fabricated[0].grounded
    assert result.usage.input_tokens > 0 and result.usage.output_tokens > 0


def test_identical_rerun_makes_zero_llm_calls(tmp_path, embedder, demo_store_dir, fake_provider):
    model = recorded_model()
    engine = llm_engine(tmp_path, embedder, demo_store_dir, fake_provider(model))
    first = check_article(load_file(DEMO_ARTICLE), engine)
    calls = model.calls
    engine2 = llm_engine(tmp_path, embedder, demo_store_dir, "fake")
    second = check_article(load_file(DEMO_ARTICLE), engine2)
    assert model.calls == calls and second.usage.llm_calls == 0
    assert second.usage.cached_calls == 1 + len(first.claims)  # one cached reply per request (re-asks included)
    assert [c.verdict for c in second.claims] == [c.verdict for c in first.claims]


def test_malformed_reply_is_reasked_once_with_the_error(tmp_path, fake_provider):
    good = json.dumps({"claims": [{"text": "a", "source_quote": "b", "checkworthiness": 0.5}]})
    model = queued("{not json", good)
    settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(tmp_path), "FACTCHECK_LLM__PROVIDER": "fake"})
    fake_provider(model)
    llm = build_llm(settings, "fake")
    usage = Usage()
    [reply] = llm.generate([extraction_request("b")], usage)
    assert reply.claims[0].text == "a"
    assert usage.llm_calls == 2


def test_malformed_twice_fails_the_item_cleanly(tmp_path, fake_provider):
    model = queued("nope", '{"claims": 5}')
    settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(tmp_path), "FACTCHECK_LLM__PROVIDER": "fake"})
    fake_provider(model)
    llm = build_llm(settings, "fake")
    [reply] = llm.generate([extraction_request()], Usage())
    assert isinstance(reply, InvalidReplyError)
    assert "malformed output twice" in reply.user_message()


def test_one_failing_claim_does_not_sink_the_run(tmp_path, embedder, demo_store_dir, fake_provider):
    def respond(messages):
        system, user = messages[0].content, messages[1].content  # [1]: the original request, also on re-ask
        if "extract check-worthy" in system:
            return extraction_reply()
        if "Mahsa Amini" in user.split("Passages:")[0]:
            return '{"judgments": [{"passage": 1, "stance": "maybe", "quote": "", "rationale": "", "confidence": 1}]}'
        return stance_reply(user)
    engine = llm_engine(tmp_path, embedder, demo_store_dir, fake_provider(ResponderChatModel(respond=respond)))
    result = check_article(load_file(DEMO_ARTICLE), engine)
    failed = [c for c in result.claims if c.status == ClaimStatus.FAILED]
    assert len(failed) == 1 and "Mahsa Amini" in failed[0].text
    assert "malformed output twice" in failed[0].error
    assert result.stats.failed_claims == 1 and len(result.claims) == 5


def test_plain_prompt_mode_parses_fenced_json(tmp_path, fake_provider):
    reply = "Sure! ```json\n" + json.dumps({"claims": []}) + "\n```"
    fake_provider(queued(reply))
    settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(tmp_path), "FACTCHECK_LLM__PROVIDER": "fake",
                                      "FACTCHECK_LLM__OUTPUT_MODE": "prompt"})
    llm = build_llm(settings, "fake")
    assert llm.generate([extraction_request()], Usage())[0].claims == []


def test_openai_without_key_says_how_to_fix(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    settings = load_settings(environ={"FACTCHECK_DATA_DIR": str(tmp_path), "FACTCHECK_LLM__PROVIDER": "openai"})
    with pytest.raises(ConfigError) as info:
        build_llm(settings, "openai")
    assert "OPENAI_API_KEY" in info.value.user_message() and "ollama" in info.value.user_message()


def test_long_articles_are_read_in_overlapping_windows():
    text = " ".join(f"Sentence number {i} says that {i} drones were sent." for i in range(200))
    parts = windows(text, 1000, 200)
    assert len(parts) > 5 and all(len(p) <= 1000 for p in parts)
    for left, right in itertools.pairwise(parts):
        assert right.split(". ")[0] in left  # each window starts inside the previous one


def test_a_failed_extraction_window_falls_back_to_marked_offline_claims(tmp_path, embedder, demo_store_dir,
                                                                        fake_provider):
    def respond(messages):
        if "extract check-worthy" in messages[0].content:
            return '{"claims": [{"text": "x"'  # unusable, twice
        return stance_reply(messages[1].content)
    engine = llm_engine(tmp_path, embedder, demo_store_dir, fake_provider(ResponderChatModel(respond=respond)))
    result = check_article(load_file(DEMO_ARTICLE), engine)
    assert result.claims and all(c.origin.value == "offline_fallback" for c in result.claims)
    assert all("model's reply for this part failed" in c.origin_note for c in result.claims)
    assert all(result.article.text[c.span[0]:c.span[1]] == c.source_quote for c in result.claims)


def test_the_next_claims_retrieve_while_every_model_slot_is_busy(tmp_path, embedder, demo_store_dir, fake_provider):
    events = []

    def respond(messages):
        system, user = messages[0].content, messages[1].content
        if "extract check-worthy" in system:
            return extraction_reply()
        events.append("stance call")
        time.sleep(1.0)
        events.append("stance reply")
        return stance_reply(user)

    engine = llm_engine(tmp_path, embedder, demo_store_dir, fake_provider(ResponderChatModel(respond=respond)),
                        FACTCHECK_RUN__CONCURRENCY="1")
    search = engine.retriever.search
    engine.retriever.search = lambda *args, **kwargs: events.append("search") or search(*args, **kwargs)
    result = check_article(load_file(DEMO_ARTICLE), engine)
    assert len(result.claims) == 5 and events.count("stance call") == 6  # one is the re-ask of a fabricated quote
    assert events.index("search", 1) < events.index("stance reply")  # the second search did not wait for a slot
    # and the single slot was never exceeded: calls and replies alternate
    calls = [e for e in events if e != "search"]
    assert calls == ["stance call", "stance reply"] * (len(calls) // 2)
