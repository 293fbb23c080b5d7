"""One registry shape for every pluggable part (chat models, embedders): a name → a builder from settings."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from pipeline.config import Settings
from pipeline.errors import ConfigError

T = TypeVar("T")
Builder = Callable[[Settings], T]


class Registry(Generic[T]):
    """Builders by name; an unknown name is a ConfigError naming the setting and the known names."""

    def __init__(self, kind: str, setting: str, reserved: tuple[str, ...] = ()):
        self.kind = kind
        self.setting = setting
        self.reserved = reserved
        self._builders: dict[str, Builder[T]] = {}

    def register(self, name: str, builder: Builder[T]) -> None:
        """Make a builder available under a name (tests register fakes the same way)."""
        self._builders[name] = builder

    def unregister(self, name: str) -> None:
        """Remove a builder registered earlier."""
        self._builders.pop(name, None)

    def names(self) -> list[str]:
        """Every accepted name, reserved ones (handled by the caller) first."""
        return [*self.reserved, *sorted(self._builders)]

    def build(self, name: str, settings: Settings) -> T:
        """The part registered under name, built from the settings."""
        builder = self._builders.get(name)
        if builder is None:
            raise ConfigError(f"Unknown {self.kind} '{name}'", f"Set {self.setting} to one of: "
                              + ", ".join(self.names()))
        return builder(settings)
