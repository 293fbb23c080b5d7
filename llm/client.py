"""Structured JSON calls over any LangChain chat model: schema modes, one re-ask, disk cache, usage."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ValidationError

from llm.cache import ReplyCache
from llm.errors import translate_error
from pipeline.errors import LLMError
from pipeline.prompts import RenderedPrompt
from pipeline.types import Usage

T = TypeVar("T", bound=BaseModel)
_REASK = ("Your previous reply could not be used: {error}. Reply again with only the JSON object, "
          "exactly in the required form, and nothing else.")


def strict_json_schema(schema: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema in OpenAI's strict form: every property required, no extra properties."""
    def visit(node: Any) -> Any:
        if isinstance(node, dict):
            node = {k: visit(v) for k, v in node.items() if k not in ("default", "title")}
            if node.get("type") == "object" and "properties" in node:
                node["additionalProperties"] = False
                node["required"] = list(node["properties"])
            return node
        if isinstance(node, list):
            return [visit(v) for v in node]
        return node

    return visit(schema.model_json_schema())


def extract_json(text: str) -> Any:
    """Parse the first JSON object in a reply, tolerating code fences and chatter around it."""
    text = text.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", text, re.DOTALL)
    if fenced:
        text = fenced.group(1).strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        start = text.find("{")
        if start < 0:
            raise
        obj, _ = json.JSONDecoder().raw_decode(text[start:])
        return obj


def estimate_tokens(text: str) -> int:
    """About four characters per token, for servers that report no usage."""
    return max(1, len(text) // 4)


class LangChainLLM:
    """StructuredLLM over a LangChain chat model, for OpenAI and OpenAI-compatible servers alike."""

    def __init__(self, chat_model: BaseChatModel, provider: str, model: str, output_mode: str = "json_schema",
                 cache: ReplyCache | None = None, endpoint: str = ""):
        self.chat_model = chat_model
        self.provider = provider
        self.model = model
        self.output_mode = output_mode
        self.cache = cache
        self.endpoint = endpoint
        self._usage_lock = threading.Lock()

    def generate(self, prompt: RenderedPrompt, schema: type[T], usage: Usage) -> T:
        """Validated output for the prompt: from the cache, else the model (re-asked once if malformed)."""
        messages = self._messages(prompt, schema)
        key = self._cache_key(prompt, schema)
        if self.cache is not None and (hit := self.cache.get(key)) is not None:
            try:
                result = schema.model_validate(extract_json(hit[0]))
                self._count(usage, cached=True)
                return result
            except (ValidationError, ValueError):
                pass  # a stale entry from an older schema: ask the model again
        reply = self._invoke(messages, schema, usage)
        try:
            result = schema.model_validate(extract_json(reply.content))
        except (ValidationError, ValueError) as exc:
            messages += [AIMessage(content=reply.content), HumanMessage(content=_REASK.format(
                error=_describe(exc)))]
            reply = self._invoke(messages, schema, usage)
            try:
                result = schema.model_validate(extract_json(reply.content))
            except (ValidationError, ValueError) as second:
                raise LLMError(f"The model returned malformed output twice ({_describe(second)})",
                               "Try a stronger model, or set llm.output_mode to \"json_schema\" if the server "
                               "supports it")
        if self.cache is not None:
            self.cache.put(key, result.model_dump_json(), *_tokens(reply, messages))
        return result

    def _messages(self, prompt: RenderedPrompt, schema: type[BaseModel]) -> list[BaseMessage]:
        """System instructions and the user message; plain prompting also gets the schema spelled out."""
        system = prompt.system
        if self.output_mode == "prompt":
            system += ("\n\nYour reply must be a single JSON object that validates against this JSON schema:\n"
                       + json.dumps(strict_json_schema(schema)))
        return [SystemMessage(content=system), HumanMessage(content=prompt.user)]

    def _invoke(self, messages: list[BaseMessage], schema: type[BaseModel], usage: Usage) -> AIMessage:
        """One model call with the response format for the configured mode; errors become LLMError."""
        model = self.chat_model
        if self.output_mode == "json_schema":
            model = model.bind(response_format={"type": "json_schema", "json_schema": {
                "name": schema.__name__, "schema": strict_json_schema(schema), "strict": True}})
        elif self.output_mode == "json_mode":
            model = model.bind(response_format={"type": "json_object"})
        try:
            reply = model.invoke(messages)
        except Exception as exc:
            with self._usage_lock:
                usage.llm_calls += 1
            raise translate_error(exc, self.provider, self.endpoint, self.model) from exc
        if not isinstance(reply.content, str):
            reply = AIMessage(content=json.dumps(reply.content), usage_metadata=reply.usage_metadata,
                              response_metadata=reply.response_metadata)
        self._count(usage, tokens=_tokens(reply, messages))
        if (reply.response_metadata or {}).get("finish_reason") == "length":
            raise LLMError("The model's reply was cut off at the output length limit",
                           "Raise llm.max_output_tokens (or use a model with a longer output limit)")
        return reply

    def _count(self, usage: Usage, cached: bool = False, tokens: tuple[int, int] = (0, 0)) -> None:
        """Add one call (or one cache hit) to the run's usage."""
        with self._usage_lock:
            if cached:
                usage.cached_calls += 1
            else:
                usage.llm_calls += 1
                usage.input_tokens += tokens[0]
                usage.output_tokens += tokens[1]

    def _cache_key(self, prompt: RenderedPrompt, schema: type[BaseModel]) -> str:
        """Model, endpoint, mode, prompt version, schema and the exact input."""
        material = json.dumps([self.provider, self.endpoint, self.model, self.output_mode, prompt.name,
                               prompt.version, schema.__name__, strict_json_schema(schema), prompt.system,
                               prompt.user], sort_keys=True)
        return hashlib.sha256(material.encode("utf-8")).hexdigest()


def _tokens(reply: AIMessage, messages: list[BaseMessage]) -> tuple[int, int]:
    """Reported (input, output) tokens, or an estimate when the server reports none."""
    meta = getattr(reply, "usage_metadata", None) or {}
    if meta.get("input_tokens") or meta.get("output_tokens"):
        return int(meta.get("input_tokens", 0)), int(meta.get("output_tokens", 0))
    prompt_chars = "".join(str(m.content) for m in messages)
    return estimate_tokens(prompt_chars), estimate_tokens(str(reply.content))


def _describe(exc: Exception) -> str:
    """A short description of why a reply failed to parse or validate."""
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the reply"
        return f"{where}: {first['msg']}"
    return f"not valid JSON ({exc})"
