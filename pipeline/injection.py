"""Spot text that talks to an AI model instead of a reader, so a reviewer can look twice."""

from __future__ import annotations

import re

from pydantic import BaseModel

INJECTION_FLAG = "possible instructions to the model in this text"
HIDDEN_NOTICE = "Hidden page content that addressed the model was removed before checking."

_MODEL = r"(?:ai|a\.i\.|assistant|model|chat ?bot|gpt|llm|language model|fact[- ]?checker|bot|machine)s?"
_RULES: list[tuple[str, str]] = [
    ("asks to ignore instructions",
     r"\b(?:ignore|disregard|forget|override|overrule|bypass)\b[^.\n]{0,50}?\b(?:instructions?|prompts?|rules|"
     r"directions|guidelines|guardrails|system message)\b"),
    ("addresses the model",
     rf"\b(?:dear|attention|note to|message to|memo to|hey|hello|hi)\s+(?:the\s+|any\s+|all\s+)?{_MODEL}\b"),
    ("assigns the model a role",
     rf"\b(?:you are|you're|act as|pretend to be|from now on,? you)\b[^.\n]{{0,40}}?\b{_MODEL}\b"),
    ("tells how to rate claims",
     r"(?:^|[.!?:]\s+|\bplease\s+|\byou (?:must|should|will|shall)\s+|\balways\s+)"
     r"(?:rate|mark|label|classify|judge|score|grade|treat|consider|report)\b[^.\n]{0,50}?\b(?:claims?|statements?|"
     r"articles?|facts?|everything|sentences?)\b[^.\n]{0,40}?\b(?:as\s+)?(?:true|accurate|correct|supported|verified|"
     r"credible|false|refuted)\b"),
    ("tells the model what not to do",
     r"\b(?:do not|don't|never|must not)\s+(?:flag|fact[- ]?check|verify|question|doubt|report|mention|contradict)\b"),
    ("fake chat turn", r"(?im)^\s*(?:system|assistant|user|developer)\s*(?:message|prompt)?\s*[:>\]]"),
    ("chat-format tokens", r"<\|[a-z_]{2,20}\|>|\[/?INST\]|<</?SYS>>|\bBEGIN (?:SYSTEM|INSTRUCTIONS)\b"),
    ("fake delimiters", r"<<<|>>>|</?(?:article|passage|claim|instructions?|system|prompt|data)>"),
    ("new instructions", rf"\b(?:new|updated|additional|hidden|secret) (?:instructions?|prompt|task)\b|"
                         rf"\binstructions? (?:to|for) (?:the )?{_MODEL}\b"),
    ("dictates the output",
     r"\b(?:output|respond|reply|answer|return)\s+(?:only\s+)?(?:with\s+)?(?:json|the following|this exact)\b"),
]
_COMPILED = [(reason, re.compile(pattern, re.IGNORECASE | re.MULTILINE)) for reason, pattern in _RULES]


class InstructionFinding(BaseModel):
    """A span of text that reads like an instruction to a model."""

    start: int
    end: int
    text: str
    reason: str


def find_instructions(text: str) -> list[InstructionFinding]:
    """Every instruction-like span, in text order (overlaps merged into the first reason)."""
    findings: list[InstructionFinding] = []
    for reason, pattern in _COMPILED:
        for match in pattern.finditer(text):
            findings.append(InstructionFinding(start=match.start(), end=match.end(), text=match.group(), reason=reason))
    findings.sort(key=lambda f: (f.start, -f.end))
    merged: list[InstructionFinding] = []
    for finding in findings:
        if merged and finding.start < merged[-1].end:
            merged[-1].end = max(merged[-1].end, finding.end)
            merged[-1].text = text[merged[-1].start:merged[-1].end]
            continue
        merged.append(finding)
    return merged


def article_addresses_model(notices: list[str], findings: list[InstructionFinding]) -> bool:
    """True when the article (its `find_instructions` findings) or content removed from it addressed a model."""
    return HIDDEN_NOTICE in notices or bool(findings)
