"""A fake chat model that answers through a function and counts tokens: for tests and speed benchmarks.

It is registered like any provider (through the composition root's registry), so it exercises the same
structured-output, batching, validation, re-ask and cache path as a real server.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.output_parsers import JsonOutputParser
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from langchain_core.runnables import Runnable

from llm.structured import with_raw

Responder = Callable[[list[BaseMessage]], str]
_PIECE = 24  # characters per streamed piece


def _usage(messages: list[BaseMessage], content: str) -> UsageMetadata:
    """Token counts as about four characters per token."""
    prompt_tokens = sum(len(str(m.content)) for m in messages) // 4
    output = max(1, len(content) // 4)
    return {"input_tokens": prompt_tokens, "output_tokens": output, "total_tokens": prompt_tokens + output}


class ResponderChatModel(BaseChatModel):
    """Replies with respond(messages) after `latency` seconds; reports usage as ~4 chars per token."""

    respond: Responder
    latency: float = 0.0
    calls: int = 0

    @property
    def _llm_type(self) -> str:
        return "responder-fake"

    def _generate(self, messages: list[BaseMessage], stop: list[str] | None = None,
                  run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> ChatResult:
        if self.latency:
            time.sleep(self.latency)
        self.calls += 1
        content = self.respond(messages)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=content,
                                                                        usage_metadata=_usage(messages, content)))])

    def _stream(self, messages: list[BaseMessage], stop: list[str] | None = None,
                run_manager: CallbackManagerForLLMRun | None = None, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        """The same reply in pieces, the latency spread over them like tokens arriving from a server."""
        content = self.respond(messages)
        self.calls += 1
        pieces = [content[i:i + _PIECE] for i in range(0, len(content), _PIECE)] or [""]
        started = time.monotonic()
        for number, piece in enumerate(pieces, start=1):
            # Sleep to a schedule, not per piece: thousands of tiny sleeps overshoot on a busy machine.
            wait = started + self.latency * number / len(pieces) - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            usage = _usage(messages, content) if number == len(pieces) else None
            yield ChatGenerationChunk(message=AIMessageChunk(content=piece, usage_metadata=usage))

    def with_structured_output(self, schema: Any = None, *, include_raw: bool = False,
                               **kwargs: Any) -> Runnable:
        """JSON replies parsed like ChatOpenAI's json_schema mode (the fake answers in JSON already)."""
        if include_raw:
            return with_raw(self, JsonOutputParser())
        return self | JsonOutputParser()


def queued(*replies: str, latency: float = 0.0) -> ResponderChatModel:
    """A fake that answers with these replies in order (and fails once they run out), like a scripted server."""
    remaining = list(replies)

    def respond(messages: list[BaseMessage]) -> str:
        if not remaining:
            raise RuntimeError("the queued fake model has no replies left")
        return remaining.pop(0)

    return ResponderChatModel(respond=respond, latency=latency)
