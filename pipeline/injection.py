"""Spot text that talks to an AI model instead of a reader, so a reviewer can look twice."""

from __future__ import annotations

import json
import math
import re
from functools import lru_cache
from itertools import pairwise
from pathlib import Path

from pydantic import BaseModel

from pipeline.text import sentence_around, sentence_spans
from pipeline.types import ClaimFlag

INJECTION_FLAG = "possible instructions to the model in this text"
HIDDEN_NOTICE = "Hidden page content that addressed the model was removed before checking."
CLASSIFIER_REASON = "reads like an instruction to an automated reader"
WEIGHTS_FILE = Path(__file__).with_name("offline") / "injection_weights.json"

_MODEL = r"(?:ai|a\.i\.|assistant|model|chat ?bot|gpt|llm|language model|fact[- ]?checker|bot|machine)s?"
# An automated reader: a machine noun on its own ("model", "summarizer"), or a reader/tool noun made automatic
# by what qualifies it ("automated systems", "AI reviewers", "any machine processing this text").
_MACHINE_NOUN = (r"(?:a\.?i\.?|artificial intelligence|(?:large )?language models?|llms?|models?|"
                 r"(?:ai |digital |virtual |voice )?assistants?|chat ?bots?|bots?|robots?|gpt(?:-?\d\w*)?|chatgpt|"
                 r"claude|gemini|copilot|machines?|"
                 r"computers?|summari[sz]ers?|classifiers?|algorithms?|crawlers?|parsers?|neural networks?|agents?)")
_QUALIFIER = (r"(?:automated|automatic|ai(?:[- ]based|[- ]powered)?|llm(?:[- ]based)?|model[- ]based|"
              r"machine(?:[- ]learning)?"
              r"|robotic|digital|virtual|computer(?:ized)?|software|algorithmic|evaluation|summari[sz]ation|"
              r"fact[- ]?checking|text[- ]processing|reviewing|grading)")
_TOOL_NOUN = (r"(?:systems?|tools?|readers?|reviewers?|checkers?|fact[- ]?checkers?|evaluators?|graders?|judges?|"
              r"pipelines?|programs?|software|engines?|processes|services?|agents?|assistants?|pipelines?|readers?)")
_READER = (rf"\b(?:(?:the|any|all|every|each|whichever|whatever)\s+)?(?:(?:large|automated|ai|llm|machine|neural)\s+)*"
           rf"(?:{_QUALIFIER}[\s-]+{_TOOL_NOUN}|{_MACHINE_NOUN}(?:[\s-]+{_TOOL_NOUN})?)\b")
_SELF = (r"(?:here|above|below|(?:in|of|on) (?:this|the following|the above) "
         r"(?:article|text|story|report|piece|document|page))")
_CLAIMS = (r"(?:claims?|statements?|sentences?|facts?|figures?|numbers?|quot(?:es?|ations?)|assertions?|article|story|"
           r"report|piece|text|document|page|everything|all of (?:this|it|them)|each one|every one)")
_VERDICT = (r"(?:true|false|accurate|correct|supported|refuted|verified|credible|reliable|established|trustworthy|"
            r"misleading|fake|confirmed|unreliable|incorrect|right|wrong|fact-checked|not enough evidence|"
            r"supports?|refutes?)")
_EVIDENCE = (r"(?:passages?|evidence|sources?|references?|documents?|context|corpus|search results?|"
             r"reference (?:passages|texts?|corpus))")
_DIRECTIVE_VERB = (r"(?:rate|mark|label|classify|judge|score|grade|treat|consider|report|tag|deem|regard|count|assign|"
                   r"set|declare|confirm|describe|present|call|find|accept|approve|output|answer|respond|say|conclude|"
                   r"verify|trust|ignore|disregard|discard|skip|flag|believe|assume|leave out|give)")
# Where an instruction starts: a sentence (or clause) start, after "please", a vocative, or "you must" and the like.
_LEAD = (r"(?:^|[;:,—–]\s*|\bplease\s+|\bjust\s+|\b(?:you|it|they)\s+(?:must|should|will|shall|need to|have to|are to|"
         r"is to|are (?:required|instructed|asked|told) to|is (?:required|instructed|asked|told) to)\s+)"
         r"(?:(?:always|never|now|simply|then)\s+)?")

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
     rf"{_LEAD}(?:(?:so|and|but)\s+)?(?:you\s+)?(?:do not|don't|never|must not|should not|mustn't)\s+(?:flag|"
     rf"fact[- ]?check|verify|question|doubt|report|mention|contradict)\b"),
    ("fake chat turn", r"(?im)^\s*(?:system|assistant|user|developer)\s*(?:message|prompt)?\s*[:>\]]"),
    ("chat-format tokens", r"<\|[a-z_]{2,20}\|>|\[/?INST\]|<</?SYS>>|\bBEGIN (?:SYSTEM|INSTRUCTIONS)\b"),
    ("fake delimiters", r"<<<|>>>|</?(?:article|passage|claim|instructions?|system|prompt|data)>"),
    ("new instructions", rf"(?:^|[:;]\s*)(?:new|updated|additional|hidden|secret) (?:instructions?|prompt|task)\b|"
                         rf"\b(?:new|updated|additional|hidden|secret) (?:instructions?|prompt|task)"
                         rf"\s*(?::|follows?\b)|"
                         rf"\binstructions? (?:to|for) (?:the )?{_MODEL}\b"),
    ("dictates the output",
     r"\b(?:output|respond|reply|answer|return)\s+(?:only\s+)?(?:with\s+)?(?:json|the following|this exact)\b"),
    # Generalised: who is addressed, and what the text tells its reader to do with claims and evidence.
    ("addresses an automated reader",
     rf"^(?:(?:dear|hey|hi|hello|attention|note|message|memo|instructions?|reminder|notice|warning|directive|to|for)"
     rf"(?:\s+(?:to|for))?[\s,:]+)?{_READER}(?:\s*[,!—–]\s*(?:please\s+)?(?:{_DIRECTIVE_VERB}|you|your|do|don't|never|"
     rf"stop|the following|all|every|each|everything|these|this|there|here|just|note|remember|when|if|from now)\b|"
     rf"[\s\w-]{{0,40}}?:\s+\S)"),
    ("addresses an automated reader",
     rf"\b(?:note|message|memo|instructions?|reminder|directive|guidance|notice|warning)\s+(?:to|for)\s+{_READER}\b"),
    ("addresses an automated reader",
     rf"\b{_READER}\s+(?:(?:that is\s+|currently\s+)?(?:reading|processing|parsing|analy[sz]ing|summari[sz]ing|"
     rf"evaluating|reviewing|checking|grading|scanning|seeing|handling|assessing|judging)\b[^.\n]{{0,40}}?\b"
     rf"(?:this|these|the following|the above|it)\b|(?:should|must|shall|is to|are to|has to|have to|needs? to|"
     rf"(?:is|are) (?:required|instructed|asked|told|expected) to)\s+(?:not\s+|never\s+|always\s+)?"
     rf"{_DIRECTIVE_VERB}\b)"),
    ("addresses an automated reader",
     rf"\b(?:if|when|whenever|since)\s+(?:you\s+are|you're|an?\s+{_READER}\s+is)\s+(?:an?\s+|the\s+)?{_READER}\b|"
     rf"\bas an?\s+{_READER}\b[^.\n]{{0,20}}?\byour?\b|\byou,? (?:the|an?) {_READER}\b"),
    ("tells how to rate claims",
     rf"{_LEAD}{_DIRECTIVE_VERB}\b[^.\n]{{0,60}}?\b{_CLAIMS}\b[^.\n]{{0,50}}?\b(?:as|to be|is|are)?\s*"
     rf"[\"“']?{_VERDICT}\b"),
    ("tells how to rate claims",
     rf"\b{_CLAIMS}\b[^.\n]{{0,40}}?\b{_SELF}\b[^.\n]{{0,30}}?\b(?:must|should|are to|is to|need to|needs to|have to|"
     rf"has to)\s+be\s+(?:\w+\s+)?(?:rated|marked|labell?ed|treated|considered|classified|judged|scored|regarded|"
     rf"reported|accepted|counted|described|presented)\b"),
    ("declares the claims verified",
     rf"\b(?:all|every|each|the|everything|these)\b[^.\n]{{0,30}}?\b{_SELF}\b[^.\n]{{0,30}}?\b"
     rf"(?:is|are|was|were|has been|"
     rf"have been)\s+(?:all\s+|already\s+|fully\s+|independently\s+)?(?:verified|confirmed|true|accurate|correct|"
     rf"supported|fact-checked|established)\b"),
    ("tells how to treat the evidence",
     rf"{_LEAD}(?:ignore|disregard|discard|dismiss|skip|overlook|forget|pay no attention to|do not (?:use|cite|rely on|"
     rf"consider|trust|look at)|don't (?:use|cite|rely on|consider|trust|look at)|never (?:use|cite|rely on|trust))\b"
     rf"[^.\n]{{0,30}}?\b{_EVIDENCE}\b"),
    ("tells how to treat the evidence",
     rf"{_LEAD}(?:treat|consider|regard|count)\s+[^.\n]{{0,40}}?\b{_EVIDENCE}\b[^.\n]{{0,20}}?\b(?:as\s+)?(?:irrelevant|"
     rf"unrelated|outdated|wrong|fake|fabricated|unreliable|false|supporting)\b"),
    ("tells how to treat the evidence",
     rf"\b(?:the\s+)?(?:retrieved\s+|reference\s+|contradicting\s+)?{_EVIDENCE}\s+(?:should|must|is to|are to|need to|"
     rf"needs to)\s+be\s+(?:ignored|disregarded|discarded|dismissed|treated as (?:irrelevant|unrelated|outdated))\b"),
    ("dictates the verdict",
     rf"{_LEAD}(?:answer|respond|reply|output|return|say|write|print|state|conclude|declare)\s+(?:with\s+|that\s+)?"
     rf"(?:only\s+)?[\"“']?(?:supported|refuted|supports|refutes|true|not[ _]enough[ _]evidence|conflicting)\b"),
    ("dictates the verdict",
     r"\b(?:correct|right|final|only correct|expected)\s+(?:verdict|answer|label|rating|response)\b[^.\n]{0,40}?"
     r"\b(?:is|should be|must be|will be)\s+[\"“']?(?:supported|refuted|true|accurate|correct|not enough evidence)\b"),
    ("dictates the verdict",
     rf"\b(?:verdict|label|rating)s?\b[^.\n]{{0,30}}?\b(?:for|of|on)\s+(?:every|each|all|the)\s+{_CLAIMS}\b"
     rf"[^.\n]{{0,20}}?\b(?:is|are|should be|must be)\s+[\"“']?{_VERDICT}\b"),
]
_COMPILED = [(reason, re.compile(pattern, re.IGNORECASE | re.MULTILINE)) for reason, pattern in _RULES]
_RANK = {reason: rank for rank, (reason, _) in reversed(list(enumerate(_RULES)))}


class InstructionFinding(BaseModel):
    """A span of text that reads like an instruction to a model."""

    start: int
    end: int
    text: str
    reason: str


def find_instructions(text: str, classifier: bool = True) -> list[InstructionFinding]:
    """Every instruction-like span, in text order: pattern matches per sentence, then sentences the classifier flags.

    Overlapping findings are merged under the reason of the earliest rule.
    """
    findings: list[InstructionFinding] = []
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        found = [InstructionFinding(start=start + m.start(), end=start + m.end(), text=m.group(), reason=reason)
                 for reason, pattern in _COMPILED for m in pattern.finditer(sentence)]
        if not found and classifier and classifier_flags(sentence):
            found = [InstructionFinding(start=start, end=end, text=sentence, reason=CLASSIFIER_REASON)]
        findings += found
    return _merge(text, findings)


def _merge(text: str, findings: list[InstructionFinding]) -> list[InstructionFinding]:
    """Overlapping findings as one span, named by the reason of the earliest rule among them."""
    findings.sort(key=lambda f: (f.start, -f.end))
    merged: list[InstructionFinding] = []
    for finding in findings:
        if merged and finding.start < merged[-1].end:
            last = merged[-1]
            last.end = max(last.end, finding.end)
            last.text = text[last.start:last.end]
            last.reason = min(last.reason, finding.reason, key=lambda r: _RANK.get(r, len(_RANK)))
            continue
        merged.append(finding)
    return merged


def article_addresses_model(notices: list[str], findings: list[InstructionFinding]) -> bool:
    """True when the article (its `find_instructions` findings) or content removed from it addressed a model."""
    return HIDDEN_NOTICE in notices or bool(findings)


def instruction_flags(text: str, notices: list[str], findings: list[InstructionFinding]) -> list[ClaimFlag]:
    """The flags every claim of an article carries when the article addressed a model: one per sentence that did,
    and one for hidden content that did."""
    flags = []
    for finding in findings:
        start, end = sentence_around(text, finding.start, finding.end)
        flags.append(ClaimFlag(flag=INJECTION_FLAG, reason=finding.reason, sentence=text[start:end], span=(start, end)))
    if HIDDEN_NOTICE in notices:
        flags.append(ClaimFlag(flag=INJECTION_FLAG, reason="hidden content removed from the page addressed the model"))
    return flags


# ---- the classifier: logistic regression over words, word pairs and cues (fitted by bench/fit_injection.py) ----

_WORD = re.compile(r"[a-z]+|\d+")
_CUES = {
    "you": r"\b(?:you|your|yourself)\b",
    "imperative_start": rf"^\W*(?:please\s+)?(?:{_DIRECTIVE_VERB}|do not|don't|never|stop|make sure|ensure|tell)\b",
    "reader": rf"\b{_READER}\b",
    "vocative": rf"^\W*(?:(?:dear|hey|hi|hello|attention|note|message)\b[^,:]{{0,30}}|{_READER}[\w\s]{{0,30}})[,:]",
    "verdict": rf"\b{_VERDICT}\b",
    "self_reference": rf"\b{_SELF}\b|\bthis (?:article|text|story|report|page|document)\b",
    "claims": rf"\b{_CLAIMS}\b",
    "evidence": rf"\b{_EVIDENCE}\b",
    "modal": r"\b(?:must|should|shall|need to|needs to|have to|has to|is to|are to)\b",
    "attribution": r"\b(?:said|says|told|according to|reported|announced|added|stated)\b",
    "number": r"\d",
}
_CUE_PATTERNS = {name: re.compile(pattern, re.IGNORECASE) for name, pattern in _CUES.items()}
CUES = tuple(_CUES)
# The classifier speaks only for a sentence that addresses someone: an automated reader, "you", an imperative,
# a vocative, or the text itself ("this article"). Talk *about* evidence and claims is what news is made of.
_ADDRESS_CUES = ("reader", "you", "imperative_start", "vocative", "self_reference")


def classifier_flags(sentence: str) -> bool:
    """The classifier's decision: the sentence addresses someone and its probability reaches the threshold."""
    return any(_CUE_PATTERNS[name].search(sentence) for name in _ADDRESS_CUES) and \
        instruction_probability(sentence) >= load_weights()["threshold"]


def features(sentence: str) -> set[str]:
    """The sentence's active features: cue names ("cue:…"), lowercased words and adjacent word pairs."""
    tokens = ["#" if t.isdigit() else t for t in _WORD.findall(sentence.lower())]
    cues = {f"cue:{name}" for name, pattern in _CUE_PATTERNS.items() if pattern.search(sentence)}
    return cues | set(tokens) | {f"{a}_{b}" for a, b in pairwise(tokens)}


@lru_cache(maxsize=1)
def load_weights(path: Path = WEIGHTS_FILE) -> dict:
    """The fitted weights: {"bias", "threshold", "weights": {feature: weight}}."""
    return json.loads(path.read_text(encoding="utf-8"))


def instruction_probability(sentence: str) -> float:
    """The classifier's probability that the sentence instructs an automated reader."""
    model = load_weights()
    weights = model["weights"]
    score = model["bias"] + sum(weights.get(f, 0.0) for f in features(sentence))
    return 1.0 / (1.0 + math.exp(-max(min(score, 30.0), -30.0)))
