"""Flaky model servers: the run always finishes, says what failed and why, and a re-run redoes only that."""

import json
import time

import pytest
from llm_fixtures import demo_responder, fenced_blocks, stub_engine_for
from stub_openai import StubOpenAI, first_user_text, system_text

from pipeline.demo import DEMO_ARTICLE
from pipeline.errors import LLMError
from pipeline.loaders import load_file
from pipeline.run import check_article
from pipeline.types import ClaimStatus

AMINI = "Mahsa Amini was 32 years old"


engine_for = stub_engine_for


def is_stance_for(request, text):
    return "extract check-worthy" not in system_text(request) and text in fenced_blocks(first_user_text(request))[0]


def failing_for_amini(reply):
    """Answer normally, except the stance request about the Amini claim gets `reply`."""
    def respond(request):
        return reply if is_stance_for(request, AMINI) else demo_responder(request)
    return respond


def run_once(tmp_path, embedder, demo_store_dir, responder, **env):
    with StubOpenAI(responder) as stub:
        result = check_article(load_file(DEMO_ARTICLE), engine_for(tmp_path, embedder, demo_store_dir,
                                                                    stub.base_url, **env))
    return result, stub


def only_failure(result):
    failed = [c for c in result.claims if c.status == ClaimStatus.FAILED]
    assert len(failed) == 1 and AMINI in failed[0].source_quote
    assert result.stats.failed_claims == 1 and len(result.claims) == 5
    return failed[0].error


@pytest.mark.parametrize("reply,expected", [
    ({"status": 500, "body": {"error": {"message": "boom"}}}, "server error (HTTP 500)"),
    ({"delay": 3}, "did not answer in time"),
    ({"content": '{"judgments": [{"passage": 1, "sta', "finish_reason": "length"}, "repeating itself"),
    ("this is not json", "malformed output twice"),
    (json.dumps({"judgments": [{"passage": 1, "stance": "probably", "quote": "", "rationale": "",
                                "confidence": 1}]}), "malformed output twice"),
], ids=["http-500", "timeout", "length-cutoff", "invalid-json", "unknown-label"])
def test_one_bad_reply_fails_one_claim_with_a_clear_reason(tmp_path, embedder, demo_store_dir, reply, expected):
    result, _ = run_once(tmp_path, embedder, demo_store_dir, failing_for_amini(reply),
                         FACTCHECK_LLM__TIMEOUT_SECONDS="1")
    error = only_failure(result)
    assert expected in error and error.endswith(".") and "\n" not in error


@pytest.mark.parametrize("mode", ["json_mode", "prompt"])
def test_length_cutoff_is_named_in_every_output_mode(tmp_path, embedder, demo_store_dir, mode):
    reply = {"content": '{"judgments": [', "finish_reason": "length"}
    result, _ = run_once(tmp_path, embedder, demo_store_dir, failing_for_amini(reply),
                         FACTCHECK_LLM__OUTPUT_MODE=mode)
    assert "ran past the longest valid answer" in only_failure(result)  # raising the limit would not help


def test_a_cutoff_below_the_longest_valid_reply_says_to_raise_the_limit(tmp_path, embedder, demo_store_dir):
    reply = {"content": '{"judgments": [', "finish_reason": "length"}
    result, stub = run_once(tmp_path, embedder, demo_store_dir, failing_for_amini(reply),
                            FACTCHECK_LLM__MAX_OUTPUT_TOKENS="200")
    error = only_failure(result)
    assert "cut off at llm.max_output_tokens (200)" in error and "Raise llm.max_output_tokens" in error
    assert all(r["max_completion_tokens"] == 200 for r in stub.requests)


def test_429_with_retry_after_is_retried_after_waiting(tmp_path, embedder, demo_store_dir):
    with StubOpenAI(demo_responder) as stub:
        stub.queue.append({"status": 429, "headers": {"Retry-After": "1"},
                           "body": {"error": {"message": "rate limited", "type": "rate_limit"}}})
        times = []
        original = stub._next_reply

        def timed(request):
            times.append(time.monotonic())
            return original(request)
        stub._next_reply = timed
        engine = engine_for(tmp_path, embedder, demo_store_dir, stub.base_url, FACTCHECK_LLM__MAX_RETRIES="2")
        result = check_article(load_file(DEMO_ARTICLE), engine)
    assert result.stats.failed_claims == 0 and len(result.claims) == 5
    assert times[1] - times[0] >= 0.9  # waited for Retry-After before the second attempt


def test_500_is_retried_with_backoff_when_retries_are_allowed(tmp_path, embedder, demo_store_dir):
    with StubOpenAI(demo_responder) as stub:
        stub.queue += [{"status": 500, "body": {"error": {"message": "x"}}}] * 2
        engine = engine_for(tmp_path, embedder, demo_store_dir, stub.base_url, FACTCHECK_LLM__MAX_RETRIES="2")
        result = check_article(load_file(DEMO_ARTICLE), engine)
    assert result.stats.failed_claims == 0


def test_empty_claim_list_finishes_with_no_claims(tmp_path, embedder, demo_store_dir):
    result, _ = run_once(tmp_path, embedder, demo_store_dir, lambda request: '{"claims": []}')
    assert result.claims == [] and result.usage.llm_calls == 1


def test_rerun_resumes_from_the_cache_and_redoes_only_what_failed(tmp_path, embedder, demo_store_dir):
    with StubOpenAI(failing_for_amini({"status": 500, "body": {"error": {"message": "down"}}})) as stub:
        engine = engine_for(tmp_path, embedder, demo_store_dir, stub.base_url)
        only_failure(check_article(load_file(DEMO_ARTICLE), engine))
        stub.responder, stub.requests = demo_responder, []  # the server recovers
        second = check_article(load_file(DEMO_ARTICLE), engine_for(tmp_path, embedder, demo_store_dir,
                                                                    stub.base_url))
    assert len(stub.requests) == 1 and is_stance_for(stub.requests[0], AMINI)
    assert second.stats.failed_claims == 0 and second.usage.cached_calls == 5 and second.usage.llm_calls == 1


def test_extraction_failure_is_one_clear_error(tmp_path, embedder, demo_store_dir):
    with pytest.raises(LLMError) as info:
        run_once(tmp_path, embedder, demo_store_dir, lambda request: {"status": 500, "body": {"error": {}}})
    assert "HTTP 500" in info.value.user_message()
