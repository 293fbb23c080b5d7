"""Errors a user can cause, each ending in one sentence that says how to fix it."""

from __future__ import annotations


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
        return text


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
