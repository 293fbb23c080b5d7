"""Reply schemas as sent to a server: OpenAI's strict subset, bounded, and the longest reply they allow."""

from __future__ import annotations

from functools import cache
from typing import Any

from langchain_core.utils.function_calling import convert_to_openai_function
from pydantic import BaseModel

# Keywords OpenAI's strict structured outputs accept (platform.openai.com/docs/guides/structured-outputs:
# "Supported schemas"); anything else is rejected by OpenAI, so no schema may carry it there.
STRICT_KEYWORDS = frozenset({
    "type", "properties", "required", "additionalProperties", "items", "enum", "const", "anyOf", "$ref", "$defs",
    "description", "title", "pattern", "format", "multipleOf", "maximum", "exclusiveMaximum", "minimum",
    "exclusiveMinimum", "minItems", "maxItems",
})
# Enforced by llama.cpp's grammar (measured): bounding free text stops a small model copying the article on.
STRING_KEYWORDS = frozenset({"maxLength", "minLength"})
HINT = "x-max-chars"
_DEFAULT_STRING_CHARS = 400
_DEFAULT_ARRAY_ITEMS = 20
_CHARS_PER_TOKEN = 3.0


def _clean(node: Any, string_limits: bool) -> Any:
    """Drop docstrings, titles, defaults and what the server cannot take; turn size hints into maxLength."""
    if isinstance(node, list):
        return [_clean(item, string_limits) for item in node]
    if not isinstance(node, dict):
        return node
    cleaned = {}
    for key, value in node.items():
        if key in ("description", "title", "default") and not isinstance(value, dict):
            continue
        if key in STRING_KEYWORDS and not string_limits:
            continue
        if key == HINT:
            if string_limits:
                cleaned["maxLength"] = value
            continue
        cleaned[key] = _clean(value, string_limits) if key not in ("properties", "$defs") else {
            name: _clean(sub, string_limits) for name, sub in value.items()}
    return cleaned


@cache
def response_schema(schema: type[BaseModel], string_limits: bool = False) -> dict[str, Any]:
    """The reply schema as an OpenAI strict function ({name, parameters, strict}), built once per schema."""
    function = convert_to_openai_function(schema, strict=True)
    return {"name": function["name"], "parameters": _clean(function["parameters"], string_limits), "strict": True}


def _longest_chars(node: Any) -> float:
    """Characters of the longest JSON reply a schema allows (size hints bound strings without maxLength)."""
    if not isinstance(node, dict):
        return 8
    kind = node.get("type")
    if "enum" in node:
        return max((len(str(value)) for value in node["enum"]), default=0) + 2
    if kind == "object":
        props = node.get("properties", {})
        return 2 + sum(len(name) + 4 + _longest_chars(sub) for name, sub in props.items())
    if kind == "array":
        return 2 + node.get("maxItems", _DEFAULT_ARRAY_ITEMS) * (_longest_chars(node.get("items", {})) + 2)
    if kind == "string":
        return 2 + int(node.get("maxLength") or node.get(HINT) or _DEFAULT_STRING_CHARS)
    return 12  # numbers, booleans


@cache
def longest_reply_tokens(schema: type[BaseModel]) -> int:
    """Tokens of the longest valid reply, with room for the whitespace models put in JSON."""
    function = convert_to_openai_function(schema, strict=True)
    return int(_longest_chars(function["parameters"]) / _CHARS_PER_TOKEN * 1.15) + 32
