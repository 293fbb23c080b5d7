"""Prompt templates as files in prompts/: sections, checked variables, content-hash versions."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from string import Template
from typing import Literal

from pydantic import BaseModel

from pipeline.text import INVISIBLE

_SECTION = re.compile(r"^\[(system|user)\]\s*$", re.MULTILINE)
# Datamarking ("spotlighting"): a marker before every word of untrusted text. U+2063 is in the invisible set, so
# fence() strips it from the data first (an article cannot forge it) and quote matching ignores it (a quote the
# model copies with markers still grounds).
DATAMARK = "\u2063"
Defences = Literal["fence", "datamark", "none"]
_DEFENCES: ContextVar[Defences] = ContextVar("prompt_defences", default="fence")


class RenderedPrompt(BaseModel):
    """A prompt ready to send: system instructions, user message, and its template version."""

    name: str
    version: str
    system: str
    user: str


@dataclass(frozen=True)
class PromptTemplate:
    """A prompt file: a [system] section of instructions and a [user] section with $variables."""

    name: str
    version: str
    system: Template
    user: Template

    @property
    def variables(self) -> set[str]:
        """The $variables the template needs."""
        return set(self.system.get_identifiers()) | set(self.user.get_identifiers())

    def render(self, **values: str) -> RenderedPrompt:
        """Fill every variable; missing or unexpected variables are a programming error."""
        given = set(values)
        if given != self.variables:
            raise ValueError(f"prompt {self.name}: expected variables {sorted(self.variables)}, "
                             f"got {sorted(given)}")
        system, version = self.system.substitute(values).strip(), self.version
        if _DEFENCES.get() == "datamark":
            note = datamarking_note()
            system, version = f"{system}\n\n{note.system}", f"{version}+{note.version}"
        return RenderedPrompt(name=self.name, version=version, system=system,
                              user=self.user.substitute(values).strip())


def parse_template(name: str, raw: str) -> PromptTemplate:
    """Split a prompt file into its sections; the version is the hash of the file's bytes."""
    parts = _SECTION.split(raw)
    sections = dict(zip(parts[1::2], parts[2::2]))
    if set(sections) != {"system", "user"}:
        raise ValueError(f"prompt {name} must have exactly one [system] and one [user] section")
    version = hashlib.sha256(raw.encode("utf-8")).hexdigest()[:12]
    return PromptTemplate(name, version, Template(sections["system"]), Template(sections["user"]))


@cache
def load_prompt(name: str, directory: Path | None = None) -> PromptTemplate:
    """Load prompts/<name>.txt (the installed `prompts` package, or another directory)."""
    source = (directory / f"{name}.txt") if directory else resources.files("prompts").joinpath(f"{name}.txt")
    return parse_template(name, source.read_text(encoding="utf-8"))


@cache
def datamarking_note() -> RenderedPrompt:
    """The system-prompt paragraph that explains the data marker (prompts/datamarking.txt), with its version."""
    raw = resources.files("prompts").joinpath("datamarking.txt").read_text(encoding="utf-8")
    return RenderedPrompt(name="datamarking", version=hashlib.sha256(raw.encode("utf-8")).hexdigest()[:12],
                          system=Template(raw).substitute(marker=DATAMARK).strip(), user="")


@contextmanager
def prompt_defences(defences: Defences) -> Iterator[None]:
    """Render prompts in this block with the nonce fence (default), fence plus datamarking, or neither (benchmarks)."""
    token = _DEFENCES.set(defences)
    try:
        yield
    finally:
        _DEFENCES.reset(token)


def datamark(text: str) -> str:
    """Untrusted text with the data marker before every word (whitespace kept, so quotes still match)."""
    return re.sub(r"(?<!\S)(?=\S)", DATAMARK, text)


def fence(text: str, label: str) -> str:
    """Delimit untrusted text with a content-derived nonce so the text cannot close the fence itself."""
    clean = INVISIBLE.sub("", text)
    defences = _DEFENCES.get()
    if defences == "none":
        return clean
    nonce = hashlib.sha256(clean.encode("utf-8")).hexdigest()[:10]
    clean = clean.replace("<<<", "‹‹‹").replace(">>>", "›››")
    if defences == "datamark":
        clean = datamark(clean)
    return f"<<<{label} {nonce}>>>\n{clean}\n<<<END {label} {nonce}>>>"
