"""Prompt templates as files in prompts/: sections, checked variables, content-hash versions."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from string import Template

from pydantic import BaseModel

from pipeline.text import INVISIBLE

_SECTION = re.compile(r"^\[(system|user)\]\s*$", re.MULTILINE)


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
        return RenderedPrompt(name=self.name, version=self.version,
                              system=self.system.substitute(values).strip(),
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


def fence(text: str, label: str) -> str:
    """Delimit untrusted text with a content-derived nonce so the text cannot close the fence itself."""
    clean = INVISIBLE.sub("", text)
    nonce = hashlib.sha256(clean.encode("utf-8")).hexdigest()[:10]
    clean = clean.replace("<<<", "‹‹‹").replace(">>>", "›››")
    return f"<<<{label} {nonce}>>>\n{clean}\n<<<END {label} {nonce}>>>"
