"""Translate client exceptions into one-sentence errors that say how to fix them."""

from __future__ import annotations

from pipeline.errors import CutOffError, LLMError, LLMUnavailableError


def _where(provider: str, endpoint: str) -> str:
    """How to name the server in a message."""
    return f"the model server at {endpoint}" if endpoint else f"the {provider} API"


def translate_error(exc: Exception, provider: str, endpoint: str, model: str) -> LLMError:
    """Map openai/httpx errors to LLMError (this item fails) or LLMUnavailableError (every call would fail)."""
    import openai

    where = _where(provider, endpoint)
    if isinstance(exc, LLMError):
        return exc
    if isinstance(exc, openai.APITimeoutError):
        return LLMError(f"{where} did not answer in time", "Raise llm.timeout_seconds or use a faster model",
                        retryable=True)
    if isinstance(exc, openai.APIConnectionError):
        return LLMUnavailableError(f"Cannot reach {where}",
                                   "Start the server, or fix FACTCHECK_LLM__BASE_URL "
                                   "(or use FACTCHECK_LLM__PROVIDER=offline)", retryable=True)
    if isinstance(exc, openai.AuthenticationError):
        return LLMUnavailableError(f"{where} rejected the API key",
                                   "Set a valid key in OPENAI_API_KEY or FACTCHECK_LLM__API_KEY")
    if isinstance(exc, openai.NotFoundError):
        return LLMUnavailableError(f"{where} has no model '{model}'",
                                   "Set FACTCHECK_LLM__MODEL to a model the server serves")
    if isinstance(exc, openai.RateLimitError):
        return LLMError(f"{where} is rate-limiting requests (HTTP 429) and retries ran out",
                        "Wait and re-run (finished claims are cached), or lower run.concurrency",
                        retryable=True)
    if isinstance(exc, openai.BadRequestError) and "response_format" in str(exc):
        return LLMUnavailableError(f"{where} does not support structured outputs",
                                   "Set FACTCHECK_LLM__OUTPUT_MODE=json_mode, or prompt")
    if isinstance(exc, openai.LengthFinishReasonError):
        return CutOffError("The model's reply was cut off at the output length limit",
                           "Raise llm.max_output_tokens", retryable=False)
    if isinstance(exc, openai.InternalServerError):
        return LLMError(f"{where} failed with a server error (HTTP {exc.status_code})",
                        "Re-run later; finished claims are cached", retryable=True)
    if isinstance(exc, openai.APIStatusError):
        return LLMError(f"{where} refused the request (HTTP {exc.status_code})",
                        "Check the model and server settings", retryable=False)
    return LLMError(f"The model call failed ({type(exc).__name__}: {str(exc)[:200]})",
                    "Check the model server's logs", retryable=False)
