"""Chat-model builders for the provider registry: OpenAI, and any OpenAI-compatible server (keys never leak)."""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from pipeline.config import LLMSettings, resolve_api_key
from pipeline.errors import ConfigError

DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


def model_name(settings: LLMSettings, provider: str) -> str:
    """The model a provider will be asked for."""
    if provider == "openai":
        return settings.model or DEFAULT_OPENAI_MODEL
    return settings.model or "default"


def chat_openai(settings: LLMSettings, base_url: str | None, api_key: str, model: str) -> BaseChatModel:
    """ChatOpenAI with our timeouts and retries (the client honours Retry-After on 429)."""
    from langchain_openai import ChatOpenAI

    try:
        return ChatOpenAI(model=model, base_url=base_url, api_key=api_key, temperature=settings.temperature,
                          timeout=settings.timeout_seconds, max_retries=settings.max_retries,
                          max_tokens=settings.max_output_tokens)
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
    return chat_openai(settings, settings.base_url, key or "not-needed", model_name(settings, "openai_compatible"))
