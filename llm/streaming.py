"""Streamed replies: hand out the items of a reply's list as they complete, so work can start before it ends."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.output_parsers import JsonOutputParser
from langchain_core.runnables import Runnable
from langchain_core.utils.json import parse_partial_json

from pipeline.config import OutputMode


def streaming_model(chat_model: BaseChatModel, function: dict[str, Any], mode: OutputMode) -> Runnable:
    """The chat model with the same response format with_structured_output would bind, for streaming."""
    if mode == "json_schema":
        schema = {"name": function["name"], "schema": function["parameters"], "strict": True}
        return chat_model.bind(response_format={"type": "json_schema", "json_schema": schema})
    if mode == "json_mode":
        return chat_model.bind(response_format={"type": "json_object"})
    return chat_model


def list_items(text: str) -> list[Any]:
    """The items of the first list in a partial JSON object (the last one may still be incomplete)."""
    try:
        partial = parse_partial_json(text.strip() or "{}")
    except Exception:  # not JSON yet (or a model chatting before its JSON): nothing to hand out
        return []
    if not isinstance(partial, dict):
        return []
    return next((value for value in partial.values() if isinstance(value, list)), [])


def stream_reply(model: Runnable, messages: list[BaseMessage],
                 on_items: Callable[[list[Any]], None]) -> dict[str, Any]:
    """Stream one reply, handing complete list items to on_items; returns {"raw", "parsed", "parsing_error"}."""
    total: Any = None
    handed = 0
    for chunk in model.stream(messages):
        total = chunk if total is None else total + chunk
        complete = list_items(str(total.content))[:-1]
        if len(complete) > handed:
            on_items(complete[handed:])
            handed = len(complete)
    raw = AIMessage(content=str(total.content) if total is not None else "",
                    usage_metadata=getattr(total, "usage_metadata", None),
                    response_metadata=getattr(total, "response_metadata", {}) or {})
    try:
        return {"raw": raw, "parsed": JsonOutputParser().parse(str(raw.content)), "parsing_error": None}
    except Exception as exc:  # malformed JSON is handled like with_structured_output's parsing_error
        return {"raw": raw, "parsed": None, "parsing_error": exc}
