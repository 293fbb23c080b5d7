"""Streamed replies: hand out the items of a reply's list as they complete, so work can start before it ends."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.output_parsers import JsonOutputParser
from langchain_core.runnables import Runnable

from pipeline.config import OutputMode


def streaming_model(chat_model: BaseChatModel, function: dict[str, Any], mode: OutputMode) -> Runnable:
    """The chat model with the same response format with_structured_output would bind, for streaming."""
    if mode == "json_schema":
        schema = {"name": function["name"], "schema": function["parameters"], "strict": True}
        return chat_model.bind(response_format={"type": "json_schema", "json_schema": schema})
    if mode == "json_mode":
        return chat_model.bind(response_format={"type": "json_object"})
    return chat_model


class ListItems:
    """Complete objects of the first JSON list in a reply that arrives in pieces, each character read once."""

    def __init__(self) -> None:
        self.text = ""
        self.position = 0
        self.in_string = self.escaped = self.in_list = self.ended = False
        self.depth = 0  # nesting inside the current list item
        self.item_start = -1

    def feed(self, piece: str) -> list[Any]:
        """Add a piece of the reply; the list items it completed, parsed."""
        self.text += piece
        found = []
        while self.position < len(self.text) and not self.ended:
            item = self._step(self.text[self.position])
            self.position += 1
            if item is not None:
                found.append(item)
        return found

    def _step(self, char: str) -> Any:
        """Advance over one character; a parsed item when it closes one."""
        if self.in_string:
            self.escaped, self.in_string = (False, True) if self.escaped else (char == "\\", char != '"')
            return None
        if char == '"':
            self.in_string = True
        elif not self.in_list:
            self.in_list = char == "["
        elif char in "{[":
            self.item_start = self.position if self.depth == 0 else self.item_start
            self.depth += 1
        elif char in "}]":
            if self.depth == 0:
                self.ended = True
                return None
            self.depth -= 1
            if self.depth == 0:
                return _parsed(self.text[self.item_start:self.position + 1])
        return None


def _parsed(text: str) -> Any:
    """One list item, or None when it is not valid JSON (the whole reply is validated at the end anyway)."""
    try:
        return json.loads(text)
    except ValueError:
        return None


def stream_reply(model: Runnable, messages: list[BaseMessage],
                 on_items: Callable[[list[Any]], None]) -> dict[str, Any]:
    """Stream one reply, handing complete list items to on_items; returns {"raw", "parsed", "parsing_error"}."""
    text, usage, metadata = "", None, dict[str, Any]()
    items = ListItems()
    for chunk in model.stream(messages):
        # Kept as plain text: adding message chunks re-copies the whole reply for every token.
        text += str(chunk.content)
        usage = getattr(chunk, "usage_metadata", None) or usage
        metadata.update(getattr(chunk, "response_metadata", None) or {})
        complete = items.feed(str(chunk.content))
        if complete:
            on_items(complete)
    raw = AIMessage(content=text, usage_metadata=usage, response_metadata=metadata)
    try:
        return {"raw": raw, "parsed": JsonOutputParser().parse(str(raw.content)), "parsing_error": None}
    except Exception as exc:  # malformed JSON is handled like with_structured_output's parsing_error
        return {"raw": raw, "parsed": None, "parsing_error": exc}
