"""Errors a user can cause, each ending in one sentence that says how to fix it."""

from __future__ import annotations

import re

_SECRETS: set[str] = set()
_KEY_PATTERN = re.compile(r"\b(?:sk|pk|rk)-[A-Za-z0-9_\-]{8,}|\bBearer\s+[A-Za-z0-9._\-]{8,}")


def register_secret(value: str | None) -> None:
    """Remember a secret (an API key) so `redact` removes it from anything we show or write."""
    if value and len(value) >= 6:
        _SECRETS.add(value)


def redact(text: str) -> str:
    """Text with every known secret and anything shaped like an API key replaced by [redacted]."""
    for secret in sorted(_SECRETS, key=len, reverse=True):
        text = text.replace(secret, "[redacted]")
    return _KEY_PATTERN.sub("[redacted]", text)


class FactCheckError(Exception):
    """Base error: a message for the user, a fix-it hint, and whether retrying can help."""

    retryable = False

    def __init__(self, message: str, help: str = "", *, retryable: bool | None = None):
        super().__init__(message)
        self.message = message
        self.help = help
        if retryable is not None:
            self.retryable = retryable

    def user_message(self) -> str:
        """The one-line message shown to users: what happened, then how to fix it."""
        text = self.message.rstrip(".") + "."
        if self.help:
            text += " " + self.help.rstrip(".") + "."
        return redact(text)


class ConfigError(FactCheckError):
    """The configuration is invalid or incomplete."""


class InputError(FactCheckError):
    """A file or text the user gave cannot be used."""


class LLMError(FactCheckError):
    """The model server failed or returned something unusable."""


class LLMUnavailableError(LLMError):
    """The model server cannot be reached or rejects our credentials; every call would fail."""


class StoreError(FactCheckError):
    """The evidence store cannot be opened or queried."""


class NotFoundError(FactCheckError):
    """A run, claim or article id does not exist."""


class InvalidReplyError(LLMError):
    """The model's reply failed validation even after one re-ask; `unchecked` is what parsed, if anything."""

    def __init__(self, message: str, help: str = "", *, unchecked: object | None = None):
        super().__init__(message, help)
        self.unchecked = unchecked


class CancelledError(LLMError):
    """The person running the check cancelled it before this item was started."""

    def __init__(self) -> None:
        super().__init__("Cancelled before it was checked",
                         "Re-run the same check to finish it (finished replies are cached)")


class CutOffError(LLMError):
    """The model stopped at the output length limit before finishing its reply."""
