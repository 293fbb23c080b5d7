"""Structured calls through LangChain: with_structured_output, batched with max_concurrency, one re-ask, disk cache."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.output_parsers import JsonOutputParser
from langchain_core.runnables import Runnable, RunnableLambda, RunnableMap, RunnablePassthrough
from pydantic import BaseModel, ValidationError

from llm.cache import ReplyCache
from llm.errors import translate_error
from llm.schemas import longest_reply_tokens, response_schema
from llm.streaming import stream_reply, streaming_model
from pipeline.config import OutputMode
from pipeline.errors import CancelledError, CutOffError, InvalidReplyError, LLMError, LLMUnavailableError
from pipeline.ports import LLMRequest, OnPartial, OnReply, Reply
from pipeline.types import Usage

REASK = ("Your previous reply could not be used: {error}. Reply again with only the JSON object, exactly in the "
         "required form, and nothing else.")


def cut_off(budget: int, longest: int) -> CutOffError:
    """The error for a reply stopped at its token budget, with the advice that can actually help."""
    if budget >= longest:
        return CutOffError(f"The model's reply ran past the longest valid answer ({longest} tokens) and was cut off, "
                           "so the model was repeating itself",
                           "Use a stronger model, set llm.frequency_penalty (e.g. 0.5), or lower claims.max_claims")
    return CutOffError(f"The model's reply was cut off at llm.max_output_tokens ({budget}) before it could finish "
                       f"(the longest valid answer is {longest} tokens)",
                       "Raise llm.max_output_tokens, or lower claims.max_claims")


def with_raw(model: Runnable, parser: Runnable) -> Runnable:
    """model → {"raw", "parsed", "parsing_error"}, the shape of with_structured_output(include_raw=True)."""
    parsed = RunnablePassthrough.assign(parsed=itemgetter("raw") | parser, parsing_error=lambda _: None)
    failed = RunnablePassthrough.assign(parsed=lambda _: None)
    return RunnableMap(raw=model) | parsed.with_fallbacks([failed], exception_key="parsing_error")


def structured_runnable(chat_model: BaseChatModel, function: dict[str, Any], mode: OutputMode) -> Runnable:
    """The chat model constrained to the schema as llm.output_mode says; always returns raw, parsed, error."""
    if mode == "prompt":
        return with_raw(chat_model, JsonOutputParser())
    if mode == "json_mode":
        return chat_model.with_structured_output(function, method="json_mode", include_raw=True)
    return chat_model.with_structured_output(function, method="json_schema", strict=True, include_raw=True)


def with_max_tokens(chat_model: BaseChatModel, tokens: int) -> BaseChatModel:
    """A copy of the chat model that asks for at most `tokens` output tokens (when it has that setting)."""
    if "max_tokens" not in type(chat_model).model_fields:
        return chat_model
    return chat_model.model_copy(update={"max_tokens": tokens})


_INVALID = "__invalid_reply__"


def invalid_reply(error: str, unchecked: Any) -> InvalidReplyError:
    """The one-sentence error for a reply that failed validation twice, with what parsed of it."""
    return InvalidReplyError(f"The model returned malformed output twice ({error})",
                             "Try a stronger model, or another llm.output_mode", unchecked=unchecked)


def estimate_tokens(text: str) -> int:
    """About four characters per token, for servers that report no usage."""
    return max(1, len(text) // 4)


class _Batch:
    """State shared by the calls of one `generate`: the first unreachable-server error, or a cancel, stops the rest."""

    def __init__(self, stop: threading.Event | None) -> None:
        self.unavailable: LLMUnavailableError | None = None
        self.stop = stop


class LangChainLLM:
    """StructuredLLM over a LangChain chat model, for OpenAI and OpenAI-compatible servers alike."""

    def __init__(self, chat_model: BaseChatModel, provider: str, model: str, output_mode: OutputMode = "json_schema",
                 cache: ReplyCache | None = None, endpoint: str = "", concurrency: int = 8, cache_identity: str = "",
                 max_output_tokens: int = 2048, string_limits: bool = False, stream: bool = True):
        self.chat_model = chat_model
        self.provider = provider
        self.model = model
        self.output_mode = output_mode
        self.cache = cache
        self.endpoint = endpoint
        self.cache_identity = cache_identity or endpoint
        self.max_output_tokens = max_output_tokens
        self.string_limits = string_limits
        self.stream = stream
        self.concurrency = max(1, concurrency)
        # Bounds calls in flight across nested batches (extraction windows and stance calls may overlap).
        self._slots = threading.BoundedSemaphore(self.concurrency)
        self._lock = threading.Lock()
        self._runnables: dict[type[BaseModel], Runnable] = {}

    def generate(self, requests: Sequence[LLMRequest], usage: Usage, on_reply: OnReply | None = None,
                 stop: threading.Event | None = None, on_partial: OnPartial | None = None) -> list[Reply]:
        """One reply per request, in order; cached replies first, the rest through one LangChain batch."""
        replies: list[Reply | None] = [None] * len(requests)
        pending = []
        for index, request in enumerate(requests):
            hit = self._from_cache(request)
            if hit is None:
                pending.append(index)
                continue
            self._count(usage, cached=True)
            replies[index] = hit
            if on_reply:
                on_reply(index, hit)
        batch = _Batch(stop)
        answer: RunnableLambda[int, Reply] = RunnableLambda(
            lambda i: self._answer(requests[i], usage, batch, _items_of(i, on_partial if self.stream else None)))
        inputs = list(pending)
        for position, reply in answer.batch_as_completed(inputs, config={"max_concurrency": self.concurrency},
                                                         return_exceptions=True):
            index = pending[position]
            if not isinstance(reply, (BaseModel, LLMError)):
                reply = LLMError(f"Unexpected error ({type(reply).__name__}: {reply})", "Re-run to retry")
            replies[index] = reply
            if on_reply:
                on_reply(index, reply)
        return [r for r in replies if r is not None]

    def _answer(self, request: LLMRequest, usage: Usage, batch: _Batch,
                on_items: Callable[[list[Any]], None] | None = None) -> Reply:
        """Ask, validate against the source text, re-ask once with the exact error; cache what validates."""
        messages = self._messages(request)
        first = self._call(messages, request, usage, batch, on_items)
        if isinstance(first, LLMError):
            return first
        result, error = self._validate(first, request)
        if result is None:
            if isinstance(error, CutOffError):
                return error
            raw = first["raw"]
            messages = [*messages, AIMessage(content=str(raw.content)), HumanMessage(content=REASK.format(error=error))]
            second = self._call(messages, request, usage, batch)
            if isinstance(second, LLMError):
                return second
            result, error = self._validate(second, request)
            if result is None:
                return error if isinstance(error, CutOffError) else self._remember_invalid(
                    request, str(error), second["parsed"] or first["parsed"])
        if self.cache is not None:
            self.cache.put(self._cache_key(request), result.model_dump_json(), 0, 0)
        return result

    def _remember_invalid(self, request: LLMRequest, error: str, unchecked: Any) -> InvalidReplyError:
        """The error for a reply unusable twice; one that parsed is cached, so an identical re-run repeats it."""
        if self.cache is not None and unchecked is not None:
            self.cache.put(self._cache_key(request), json.dumps({_INVALID: error, "unchecked": unchecked}), 0, 0)
        return invalid_reply(error, unchecked)

    def _call(self, messages: list[BaseMessage], request: LLMRequest, usage: Usage, batch: _Batch,
              on_items: Callable[[list[Any]], None] | None = None) -> dict[str, Any] | LLMError:
        """One model call; transport errors become LLMError, and an unreachable server stops the batch."""
        if batch.unavailable is not None:
            return batch.unavailable
        with self._slots:
            if batch.stop is not None and batch.stop.is_set():
                return CancelledError()
            started = time.monotonic()
            try:
                if on_items is None:
                    out = self._runnable(request.schema).invoke(messages)
                else:
                    out = stream_reply(self._streaming(request.schema), messages, on_items)
            except Exception as exc:
                error = translate_error(exc, self.provider, self.endpoint, self.model)
                if isinstance(error, CutOffError):  # the SDK's own check: say what the budget was
                    error = cut_off(*self._budget(request.schema))
                self._count(usage, seconds=time.monotonic() - started)
                if isinstance(error, LLMUnavailableError):
                    batch.unavailable = batch.unavailable or error
                return error
        self._count(usage, tokens=_tokens(out["raw"], messages), seconds=time.monotonic() - started)
        return out

    def _validate(self, out: dict[str, Any], request: LLMRequest) -> tuple[BaseModel | None, Any]:
        """(validated reply, None) or (None, what was wrong: a CutOffError or a description for the re-ask)."""
        raw = out["raw"]
        if (raw.response_metadata or {}).get("finish_reason") == "length":
            return None, cut_off(*self._budget(request.schema))
        if out["parsed"] is None:
            problem = str(out.get("parsing_error") or "no JSON object found").strip().splitlines()[0]
            return None, f"not valid JSON ({problem.rstrip('.')[:200]})"
        try:
            return request.schema.model_validate(out["parsed"], context=request.context), None
        except ValidationError as exc:
            return None, describe(exc)

    def _budget(self, schema: type[BaseModel]) -> tuple[int, int]:
        """(tokens asked for, tokens of the longest valid reply): never more than a valid reply can need."""
        longest = longest_reply_tokens(schema)
        return min(longest, self.max_output_tokens), longest

    def _runnable(self, schema: type[BaseModel]) -> Runnable:
        """The structured runnable for a schema, with its own output budget, built once."""
        with self._lock:
            if schema not in self._runnables:
                model = with_max_tokens(self.chat_model, self._budget(schema)[0])
                function = response_schema(schema, self.string_limits)
                self._runnables[schema] = structured_runnable(model, function, self.output_mode)
            return self._runnables[schema]

    def _streaming(self, schema: type[BaseModel]) -> Runnable:
        """The model bound to the schema's response format and output budget, for streamed replies."""
        model = with_max_tokens(self.chat_model, self._budget(schema)[0])
        return streaming_model(model, response_schema(schema, self.string_limits), self.output_mode)

    def _messages(self, request: LLMRequest) -> list[BaseMessage]:
        """System instructions and the user message; the schema is spelled out unless the server enforces it."""
        system = request.prompt.system
        if self.output_mode != "json_schema":
            system += ("\n\nYour reply must be a single JSON object that validates against this JSON schema:\n"
                       + json.dumps(response_schema(request.schema, self.string_limits)["parameters"]))
        return [SystemMessage(content=system), HumanMessage(content=request.prompt.user)]

    def _from_cache(self, request: LLMRequest) -> Reply | None:
        """A cached reply that still validates against this request's source text."""
        if self.cache is None:
            return None
        hit = self.cache.get(self._cache_key(request))
        if hit is None:
            return None
        try:
            stored = json.loads(hit[0])
            if isinstance(stored, dict) and _INVALID in stored:
                return invalid_reply(stored[_INVALID], stored.get("unchecked"))
            return request.schema.model_validate(stored, context=request.context)
        except (ValidationError, ValueError):
            return None  # an entry from an older schema: ask the model again

    def _count(self, usage: Usage, cached: bool = False, tokens: tuple[int, int] = (0, 0),
               seconds: float = 0.0) -> None:
        """Add one call (or one cache hit) to the run's usage."""
        with self._lock:
            if cached:
                usage.cached_calls += 1
                return
            usage.llm_calls += 1
            usage.input_tokens += tokens[0]
            usage.output_tokens += tokens[1]
            usage.model_seconds = round(usage.model_seconds + seconds, 3)

    def _cache_key(self, request: LLMRequest) -> str:
        """Model, endpoint, mode, prompt version, schema and the exact input."""
        prompt = request.prompt
        schema = response_schema(request.schema, self.string_limits)
        material = json.dumps([self.provider, self.cache_identity, self.model, self.output_mode, prompt.name,
                               prompt.version, schema, prompt.system, prompt.user],
                              sort_keys=True)
        return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _tokens(reply: AIMessage, messages: list[BaseMessage]) -> tuple[int, int]:
    """Reported (input, output) tokens, or an estimate when the server reports none."""
    meta = getattr(reply, "usage_metadata", None) or {}
    if meta.get("input_tokens") or meta.get("output_tokens"):
        return int(meta.get("input_tokens", 0)), int(meta.get("output_tokens", 0))
    reported = (reply.response_metadata or {}).get("token_usage") or {}  # streamed replies report it here
    if reported.get("prompt_tokens") or reported.get("completion_tokens"):
        return int(reported.get("prompt_tokens") or 0), int(reported.get("completion_tokens") or 0)
    prompt_chars = "".join(str(m.content) for m in messages)
    return estimate_tokens(prompt_chars), estimate_tokens(str(reply.content))


def _items_of(index: int, on_partial: OnPartial | None) -> Callable[[list[Any]], None] | None:
    """Route streamed items of one request to on_partial with that request's index."""
    if on_partial is None:
        return None
    return lambda items: on_partial(index, items)


def describe(exc: ValidationError, limit: int = 3) -> str:
    """The validation problems in words the model can act on."""
    parts = []
    for error in exc.errors()[:limit]:
        where = ".".join(str(p) for p in error["loc"]) or "the reply"
        parts.append(f"{where}: {error['msg'].removeprefix('Value error, ')}")
    more = f" (and {exc.error_count() - limit} more)" if exc.error_count() > limit else ""
    return "; ".join(parts) + more
