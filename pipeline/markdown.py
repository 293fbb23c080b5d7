"""Untrusted text (articles, model output, reviewer input) shown literally in Markdown."""

from __future__ import annotations

import re

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~&])")
_AUTOLINK = re.compile(r"(?i)(://|\bwww\.)")


def md_escape(text: object) -> str:
    """Article and model text rendered literally in Markdown: no links, autolinks, images, HTML or emphasis."""
    escaped = _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))
    escaped = _AUTOLINK.sub(lambda m: m.group(1).replace(":", "\\:").replace(".", "\\."), escaped)
    return "\\" + escaped if escaped[:1] in ("-", "=") else escaped
