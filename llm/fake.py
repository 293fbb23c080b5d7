"""A fake chat model that answers through a function and counts tokens: for tests and speed benchmarks."""

from __future__ import annotations

import time
from typing import Any, Callable

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

Responder = Callable[[list[BaseMessage]], str]


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
        prompt_tokens = sum(len(str(m.content)) for m in messages) // 4
        usage = {"input_tokens": prompt_tokens, "output_tokens": max(1, len(content) // 4),
                 "total_tokens": prompt_tokens + max(1, len(content) // 4)}
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=content, usage_metadata=usage))])
