"""Integration: a real ChatOpenAI talks HTTP to a stub OpenAI-compatible server on 127.0.0.1."""

import json

import pytest
from conftest import free_port
from llm_fixtures import demo_responder
from llm_fixtures import stub_engine_for as stub_engine
from stub_openai import StubOpenAI, system_text, user_text

from pipeline.demo import DEMO_ARTICLE
from pipeline.errors import LLMUnavailableError
from pipeline.loaders import load_file
from pipeline.run import check_article
from pipeline.types import VerdictLabel


def test_check_through_base_url_uses_structured_outputs(tmp_path, embedder, demo_store_dir):
    with StubOpenAI(demo_responder) as stub:
        engine = stub_engine(tmp_path, embedder, demo_store_dir, stub.base_url)
        result = check_article(load_file(DEMO_ARTICLE), engine)
    assert result.engine.kind == "llm" and stub.base_url in result.engine.provider
    assert result.engine.model == "stub-model"
    first = stub.requests[0]
    assert first["model"] == "stub-model"
    assert first["response_format"]["type"] == "json_schema"
    assert first["response_format"]["json_schema"]["name"] == "ExtractedClaims"
    assert first["response_format"]["json_schema"]["strict"] is True
    assert "<<<ARTICLE " in user_text(first) and "Mahsa Amini" not in system_text(first)
    stance_requests = [r for r in stub.requests if r["response_format"]["json_schema"]["name"] == "Judgments"]
    # one per claim, plus one re-ask for the recorded fabricated quote on resolution 2231
    asked = [r for r in stance_requests if len(r["messages"]) == 2]
    reasked = [r for r in stance_requests if len(r["messages"]) > 2]
    assert len(asked) == len(result.claims) and len(reasked) == 1
    assert "quote for passage" in reasked[0]["messages"][-1]["content"]
    verdicts = {c.source_quote: c.verdict for c in result.claims}
    assert verdicts["The Security Council adopted resolution 2231 in 2010."] == VerdictLabel.REFUTED
    assert result.usage.llm_calls == len(stub.requests)
    assert result.usage.input_tokens == 100 * len(stub.requests)


def test_malformed_reply_is_repaired_by_the_reask(tmp_path, embedder, demo_store_dir):
    with StubOpenAI(demo_responder) as stub:
        stub.queue.append('{"claims": [{"text": "x"}]}')  # missing fields: fails validation
        engine = stub_engine(tmp_path, embedder, demo_store_dir, stub.base_url)
        result = check_article(load_file(DEMO_ARTICLE), engine)
    reask = stub.requests[1]["messages"]
    assert reask[-2]["role"] == "assistant" and reask[-2]["content"] == '{"claims": [{"text": "x"}]}'
    assert "could not be used" in reask[-1]["content"] and "source_quote" in reask[-1]["content"]
    assert len(result.claims) == 5


@pytest.mark.parametrize("mode,expected", [("json_mode", {"type": "json_object"}), ("prompt", None)])
def test_output_mode_switch(tmp_path, embedder, demo_store_dir, mode, expected):
    with StubOpenAI(demo_responder) as stub:
        engine = stub_engine(tmp_path, embedder, demo_store_dir, stub.base_url, FACTCHECK_LLM__OUTPUT_MODE=mode)
        result = check_article(load_file(DEMO_ARTICLE), engine)
    assert stub.requests[0].get("response_format") == expected
    if mode == "prompt":
        assert '"additionalProperties": false' in system_text(stub.requests[0])
    assert len(result.claims) == 5


def test_unreachable_server_is_one_clear_error(tmp_path, embedder, demo_store_dir):
    port = free_port()  # nothing listens there
    engine = stub_engine(tmp_path, embedder, demo_store_dir, f"http://127.0.0.1:{port}/v1")
    with pytest.raises(LLMUnavailableError) as info:
        check_article(load_file(DEMO_ARTICLE), engine)
    message = info.value.user_message()
    assert f"127.0.0.1:{port}" in message and "FACTCHECK_LLM__BASE_URL" in message and "\n" not in message


def test_local_server_never_receives_the_openai_key(tmp_path, embedder, demo_store_dir, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", "sk-openai-secret")
    with StubOpenAI(demo_responder) as stub:
        engine = stub_engine(tmp_path, embedder, demo_store_dir, stub.base_url)
        check_article(load_file(DEMO_ARTICLE), engine)
    assert all("sk-openai-secret" not in json.dumps(h) for h in stub.headers)


def test_stance_checks_start_while_the_extraction_reply_is_still_streaming(tmp_path, embedder, demo_store_dir):
    import threading

    from llm_fixtures import extraction_reply

    reply = extraction_reply()
    first_item_chunks = reply.index("}") // 16 + 1
    extraction_paused = threading.Event()
    resume = threading.Event()
    early_stance = []

    def responder(request: dict):
        if "extract check-worthy" in system_text(request):
            extraction_paused.set()
            return {"content": reply, "pause_after_chunks": first_item_chunks + 1, "resume": resume}
        early_stance.append(not resume.is_set())
        resume.set()  # the extraction stream goes on once a stance request has arrived
        return demo_responder(request)

    with StubOpenAI(responder) as stub:
        engine = stub_engine(tmp_path, embedder, demo_store_dir, stub.base_url)
        result = check_article(load_file(DEMO_ARTICLE), engine)
    assert stub.requests[0]["stream"] is True
    assert early_stance[0], "the first stance request waited for the whole extraction reply"
    with StubOpenAI(demo_responder) as stub:  # the same check, streaming off: the same claims and verdicts
        engine = stub_engine(tmp_path, embedder, demo_store_dir, stub.base_url, FACTCHECK_LLM__STREAM="false")
        unstreamed = check_article(load_file(DEMO_ARTICLE), engine)
    assert not any(r.get("stream") for r in stub.requests)
    assert [(c.id, c.verdict) for c in result.claims] == [(c.id, c.verdict) for c in unstreamed.claims]
