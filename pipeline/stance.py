"""Stance: judge every retrieved passage against a claim (one LLM call per claim), then ground the quotes."""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel, Field

from pipeline.interfaces import StructuredLLM
from pipeline.prompts import fence, load_prompt
from pipeline.text import locate
from pipeline.types import Evidence, Passage, Stance, UnitScore, Usage

PROMPT_NAME = "judge_stance"
NO_JUDGMENT = "The model returned no judgment for this passage."


class Judgment(BaseModel):
    """The model's judgment of one numbered passage."""

    passage: int
    stance: Stance
    quote: str = ""
    rationale: str = ""
    confidence: UnitScore = 1.0



class Judgments(BaseModel):
    """The model's reply to the stance prompt."""

    judgments: list[Judgment] = Field(default_factory=list)


class StanceJudge(Protocol):
    """Judges passages for a claim."""

    prompt_versions: dict[str, str]

    def judge(self, claim: str, passages: list[Passage], usage: Usage) -> list[Evidence]:
        """One Evidence per passage, in the same order."""


def ground(passage: Passage, stance: Stance, quote: str, rationale: str, strength: float) -> Evidence:
    """Build Evidence; the quote is replaced by the passage's own characters when found, else ungrounded."""
    quote = quote.strip()
    found = locate(quote, passage.text) if quote else None
    if found is not None:
        quote, grounded = passage.text[found[0]:found[1]], True
    else:
        grounded = not quote and stance == Stance.UNRELATED
    return Evidence(chunk_id=passage.chunk_id, source=passage.source, title=passage.title, url=passage.url,
                    date=passage.date, text=passage.text, score=passage.score, stance=stance, quote=quote,
                    grounded=grounded, rationale=rationale.strip(), strength=strength)


def render_passages(passages: list[Passage]) -> str:
    """Numbered, fenced passages for the prompt."""
    blocks = []
    for number, passage in enumerate(passages, start=1):
        header = f"(source: {passage.title or passage.source})\n" if (passage.title or passage.source) else ""
        blocks.append(fence(header + passage.text, f"PASSAGE {number}"))
    return "\n\n".join(blocks)


class LLMStanceJudge:
    """All k passages of a claim judged in one call."""

    def __init__(self, llm: StructuredLLM):
        self.llm = llm
        self.prompt = load_prompt(PROMPT_NAME)
        self.prompt_versions = {PROMPT_NAME: self.prompt.version}

    def judge(self, claim: str, passages: list[Passage], usage: Usage) -> list[Evidence]:
        """Judge the passages; a passage the model skipped counts as an ungrounded 'unrelated'."""
        if not passages:
            return []
        rendered = self.prompt.render(claim=fence(claim, "CLAIM"), passages=render_passages(passages))
        reply = self.llm.generate(rendered, Judgments, usage)
        by_number: dict[int, Judgment] = {}
        for judgment in reply.judgments:
            by_number.setdefault(judgment.passage, judgment)
        evidence = []
        for number, passage in enumerate(passages, start=1):
            j = by_number.get(number)
            if j is None:
                item = ground(passage, Stance.UNRELATED, "", NO_JUDGMENT, 0.0)
                item.grounded = False
            else:
                item = ground(passage, j.stance, j.quote, j.rationale, j.confidence)
            evidence.append(item)
        return evidence
