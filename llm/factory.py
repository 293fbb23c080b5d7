"""Build a LangChain chat model from settings; providers are registered by name (tests add fakes)."""

from __future__ import annotations

from typing import Callable

from langchain_core.language_models import BaseChatModel

from pipeline.config import LLMSettings, resolve_api_key
from pipeline.errors import ConfigError

ProviderBuilder = Callable[[LLMSettings], BaseChatModel]
_PROVIDERS: dict[str, ProviderBuilder] = {}
DEFAULT_OPENAI_MODEL = "gpt-4o-mini"


def register_provider(name: str, builder: ProviderBuilder) -> None:
    """Make a provider available under a name usable in llm.provider."""
    _PROVIDERS[name] = builder


def unregister_provider(name: str) -> None:
    """Remove a provider registered earlier (tests clean up with this)."""
    _PROVIDERS.pop(name, None)


def known_providers() -> list[str]:
    """Names accepted in llm.provider, besides "auto" and "offline"."""
    return sorted(_PROVIDERS)


def build_chat_model(settings: LLMSettings, provider: str) -> BaseChatModel:
    """The chat model for a resolved provider name, or a ConfigError saying how to fix the settings."""
    builder = _PROVIDERS.get(provider)
    if builder is None:
        known = ", ".join(["auto", "offline", *known_providers()])
        raise ConfigError(f"Unknown LLM provider '{provider}'", f"Set llm.provider to one of: {known}")
    return builder(settings)


def model_name(settings: LLMSettings, provider: str) -> str:
    """The model a provider will be asked for."""
    if provider == "openai":
        return settings.model or DEFAULT_OPENAI_MODEL
    return settings.model or "default"


def _chat_openai(settings: LLMSettings, base_url: str | None, api_key: str, model: str) -> BaseChatModel:
    """ChatOpenAI with our timeouts and retries (the client honours Retry-After on 429)."""
    from langchain_openai import ChatOpenAI

    try:
        return ChatOpenAI(model=model, base_url=base_url, api_key=api_key, temperature=settings.temperature,
                          timeout=settings.timeout_seconds, max_retries=settings.max_retries,
                          max_tokens=settings.max_output_tokens)
    except Exception as exc:  # pydantic validation inside ChatOpenAI
        raise ConfigError(f"Cannot configure the chat model ({exc})", "Check the llm settings")


def _build_openai(settings: LLMSettings) -> BaseChatModel:
    """OpenAI's API; needs a key."""
    key = resolve_api_key(settings)
    if not key:
        raise ConfigError("No OpenAI API key is set",
                          "Set OPENAI_API_KEY (or FACTCHECK_LLM__API_KEY), or choose a local model with "
                          "FACTCHECK_LLM__PRESET=ollama, or use FACTCHECK_LLM__PROVIDER=offline")
    return _chat_openai(settings, settings.base_url or None, key, model_name(settings, "openai"))


def _build_openai_compatible(settings: LLMSettings) -> BaseChatModel:
    """Any OpenAI-compatible server (Ollama, llama.cpp, vLLM, LM Studio); the key is optional.

    OPENAI_API_KEY is deliberately not sent here: a local server must never receive an OpenAI key.
    """
    if not settings.base_url:
        raise ConfigError("llm.provider is openai_compatible but no server URL is set",
                          "Set FACTCHECK_LLM__BASE_URL, e.g. http://localhost:11434/v1 for Ollama")
    key = settings.api_key.get_secret_value() if settings.api_key else ""
    key = key or "not-needed"
    return _chat_openai(settings, settings.base_url, key, model_name(settings, "openai_compatible"))


register_provider("openai", _build_openai)
register_provider("openai_compatible", _build_openai_compatible)
