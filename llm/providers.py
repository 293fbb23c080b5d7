"""Chat-model builders for the provider registry: OpenAI, and any OpenAI-compatible server (keys never leak)."""

from __future__ import annotations

from pathlib import Path

from langchain_core.language_models import BaseChatModel

from llm.local_server import server_for
from pipeline.config import LLMSettings, resolve_api_key
from pipeline.errors import ConfigError

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


def model_name(settings: LLMSettings, provider: str) -> str:
    """The model a provider will be asked for."""
    if provider == "openai":
        return settings.model or DEFAULT_OPENAI_MODEL
    if provider == "gguf" and not settings.model:
        return Path(settings.model_path.rpartition(":")[2] or "local").stem
    return settings.model or "default"


def chat_openai(settings: LLMSettings, base_url: str | None, api_key: str, model: str,
                local_server: bool = False) -> BaseChatModel:
    """ChatOpenAI with our timeouts, retries (the client honours Retry-After on 429) and repetition controls."""
    from langchain_openai import ChatOpenAI

    penalties = {name: value for name in ("frequency_penalty", "presence_penalty")
                 if (value := getattr(settings, name))}
    extra = {"repeat_penalty": settings.repeat_penalty} if settings.repeat_penalty and local_server else None
    try:
        return ChatOpenAI(model=model, base_url=base_url, api_key=api_key, temperature=settings.temperature,
                          timeout=settings.timeout_seconds, max_retries=settings.max_retries,
                          max_tokens=settings.max_output_tokens, extra_body=extra, stream_usage=True, **penalties)
    except Exception as exc:  # pydantic validation inside ChatOpenAI
        raise ConfigError(f"Cannot configure the chat model ({exc})", "Check the llm settings") from None


def build_openai(settings: LLMSettings) -> BaseChatModel:
    """OpenAI's API; needs a key."""
    key = resolve_api_key(settings)
    if not key:
        raise ConfigError("No OpenAI API key is set",
                          "Set OPENAI_API_KEY (or FACTCHECK_LLM__API_KEY), or choose a local model with "
                          "FACTCHECK_LLM__PRESET=ollama, or use FACTCHECK_LLM__PROVIDER=offline")
    return chat_openai(settings, settings.base_url or None, key, model_name(settings, "openai"))


def build_openai_compatible(settings: LLMSettings) -> BaseChatModel:
    """Any OpenAI-compatible server (Ollama, llama.cpp, vLLM, LM Studio); the key is optional.

    OPENAI_API_KEY is deliberately not sent here: a local server must never receive an OpenAI key.
    """
    if not settings.base_url:
        raise ConfigError("llm.provider is openai_compatible but no server URL is set",
                          "Set FACTCHECK_LLM__BASE_URL, e.g. http://localhost:11434/v1 for Ollama")
    key = settings.api_key.get_secret_value() if settings.api_key else ""
    return chat_openai(settings, settings.base_url, key or "not-needed", model_name(settings, "openai_compatible"),
                       local_server=True)


def build_gguf(settings: LLMSettings) -> BaseChatModel:
    """The built-in llama.cpp server for llm.model_path, reached exactly like any OpenAI-compatible server."""
    server = server_for(settings)
    model = settings.model or server.model_path.stem
    return chat_openai(settings, server.url, "not-needed", model, local_server=True)


def endpoint(settings: LLMSettings, provider: str) -> tuple[str, str]:
    """(where requests go, what identifies the model in the reply cache) for a resolved provider.

    The built-in server listens on a new port each time, so its cache identity is the model file instead.
    """
    if provider == "gguf":
        server = server_for(settings)
        stat = server.model_path.stat()
        return server.url, f"gguf:{server.model_path.name}:{stat.st_size}"
    return settings.base_url, settings.base_url
