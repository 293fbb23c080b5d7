"""A plausible fake LLM for the speed benchmark: claims = sentences of the window, stance by word overlap."""

from __future__ import annotations

import json
import re

from pipeline.bm25 import tokenize
from pipeline.text import sentence_spans

_ARTICLE = re.compile(r"<<<ARTICLE (\w+)>>>\n(.*?)\n<<<END ARTICLE \1>>>", re.DOTALL)
_BLOCK = re.compile(r"<<<(CLAIM|PASSAGE (\d+)) (\w+)>>>\n(.*?)\n<<<END \1 \3>>>", re.DOTALL)
_SOURCE_LINE = re.compile(r"^\(source: [^\n]*\)\n")


def extraction_reply(user: str) -> str:
    """Every sentence of six words or more in the fenced window, as a claim quoting itself."""
    match = _ARTICLE.search(user)
    window = match.group(2) if match else ""
    sentences = [window[s:e] for s, e in sentence_spans(window)]
    claims = [{"text": s, "source_quote": s, "checkworthiness": 0.8}
              for s in sentences if len(s.split()) >= 6 and not s.endswith("?")]
    return json.dumps({"claims": claims[:40]})


def _judge(claim_words: set[str], number: int, passage: str) -> dict:
    """Supports when most claim words are in the passage's best sentence, else unrelated."""
    sentences = [passage[s:e] for s, e in sentence_spans(passage)] or [passage]
    overlaps = [len(claim_words & set(tokenize(s))) / max(len(claim_words), 1) for s in sentences]
    best = max(range(len(sentences)), key=overlaps.__getitem__)
    if overlaps[best] >= 0.5:
        return {"passage": number, "stance": "supports", "quote": sentences[best],
                "rationale": "Most of the claim's words appear in this sentence.", "confidence": overlaps[best]}
    return {"passage": number, "stance": "unrelated", "quote": "", "rationale": "Few shared words.",
            "confidence": 0.6}


def stance_reply(user: str) -> str:
    """One judgment per fenced passage."""
    claim, judgments = "", []
    for match in _BLOCK.finditer(user):
        if match.group(1) == "CLAIM":
            claim = match.group(4)
        else:
            passage = _SOURCE_LINE.sub("", match.group(4), count=1)
            judgments.append(_judge(set(tokenize(claim)), int(match.group(2)), passage))
    return json.dumps({"judgments": judgments})


def respond(messages) -> str:
    """Route a chat request to the extraction or the stance reply."""
    system, user = str(messages[0].content), str(messages[-1].content)
    return extraction_reply(user) if "<<<ARTICLE" in user and "extract" in system.lower() else stance_reply(user)
