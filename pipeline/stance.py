"""Stance: judge every retrieved passage against a claim (one LLM call per claim), quotes checked verbatim."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any

from pydantic import BaseModel, Field, ValidationError, ValidationInfo, create_model, model_validator

from pipeline.errors import InvalidReplyError, LLMError
from pipeline.ports import LLMRequest, Reply, StructuredLLM
from pipeline.prompts import fence, load_prompt
from pipeline.text import quote_problem, verbatim
from pipeline.types import Evidence, Passage, Stance, UnitScore, Usage, max_chars

PROMPT_NAME = "judge_stance"
NO_JUDGMENT = "The model returned no judgment for this passage."


class Judgment(BaseModel):
    """The model's judgment of one numbered passage.

    With `{"passages": [text, ...]}` as validation context, a passage number out of range or a quote that is
    not verbatim in its passage is an error (re-asked once, then the judgment is kept as ungrounded).
    """

    passage: int
    stance: Stance
    quote: str = Field(json_schema_extra=max_chars(300))
    rationale: str = Field(json_schema_extra=max_chars(240))
    confidence: UnitScore

    @model_validator(mode="after")
    def _quote_is_in_its_passage(self, info: ValidationInfo) -> Judgment:
        passages = (info.context or {}).get("passages")
        if passages is not None and (problem := quote_problem(self.passage, self.quote, passages, "passage")):
            raise ValueError(problem)
        return self


class Judgments(BaseModel):
    """The model's reply to the stance prompt: one judgment per passage."""

    judgments: list[Judgment]

    @model_validator(mode="after")
    def _each_passage_once(self, info: ValidationInfo) -> Judgments:
        numbers = [j.passage for j in self.judgments]
        if info.context and len(numbers) != len(set(numbers)):
            raise ValueError("each passage must be judged exactly once")
        return self


@cache
def judgments_schema(passages: int) -> type[Judgments]:
    """The reply schema for this many passages: exactly one judgment each (bounded, so a model cannot loop)."""
    field: Any = (list[Judgment], Field(min_length=passages, max_length=passages))
    return create_model("Judgments", __base__=Judgments, judgments=field)


def ground(passage: Passage, stance: Stance, quote: str, rationale: str, strength: float) -> Evidence:
    """Build Evidence; the quote is replaced by the passage's own characters when found, else ungrounded."""
    quote = quote.strip()
    own = verbatim(quote, passage.text)
    if own:
        quote, grounded = own, True
    else:
        grounded = not quote and stance == Stance.UNRELATED
    return Evidence(passage=passage, stance=stance, quote=quote, grounded=grounded, rationale=rationale.strip(),
                    strength=strength)


def render_passages(passages: list[Passage]) -> str:
    """Numbered, fenced passages for the prompt."""
    blocks = []
    for number, passage in enumerate(passages, start=1):
        name = passage.article.title or passage.article.source
        header = f"(source: {name})\n" if name else ""
        blocks.append(fence(header + passage.text, f"PASSAGE {number}"))
    return "\n\n".join(blocks)


def evidence_from(passages: list[Passage], judgments: list[Judgment]) -> list[Evidence]:
    """One Evidence per passage: its first judgment, grounded against it; a passage left out is ungrounded."""
    by_number: dict[int, Judgment] = {}
    for judgment in judgments:
        by_number.setdefault(judgment.passage, judgment)
    evidence = []
    for number, passage in enumerate(passages, start=1):
        j = by_number.get(number)
        if j is None:
            evidence.append(Evidence(passage=passage, stance=Stance.UNRELATED, rationale=NO_JUDGMENT,
                                     strength=0.0, grounded=False))
        else:
            evidence.append(ground(passage, j.stance, j.quote, j.rationale, j.confidence))
    return evidence


def salvage(unchecked: object) -> list[Judgment]:
    """The well-formed judgments of a reply that failed validation twice (their quotes are checked later)."""
    items = unchecked.get("judgments") if isinstance(unchecked, dict) else None
    kept = []
    for item in items if isinstance(items, list) else []:
        try:
            kept.append(Judgment.model_validate(item))
        except ValidationError:
            continue
    return kept


class LLMStanceJudge:
    """All k passages of a claim judged in one call; claims are judged in one batch."""

    def __init__(self, llm: StructuredLLM):
        self.llm = llm
        self.prompt = load_prompt(PROMPT_NAME)
        self.prompt_versions = {PROMPT_NAME: self.prompt.version}

    def request(self, claim: str, passages: list[Passage]) -> LLMRequest:
        """The stance call for one claim and its passages."""
        rendered = self.prompt.render(claim=fence(claim, "CLAIM"), passages=render_passages(passages))
        return LLMRequest(prompt=rendered, schema=judgments_schema(len(passages)),
                          context={"passages": [p.text for p in passages]})

    def judge_many(self, items: Sequence[tuple[str, list[Passage]]], usage: Usage,
                   on_judged: Callable[[int, list[Evidence] | LLMError], None] | None = None,
                   stop: threading.Event | None = None) -> list[list[Evidence] | LLMError]:
        """Judge every claim's passages; a claim with no passages needs no call."""
        results: list[list[Evidence] | LLMError] = [[] for _ in items]
        asked = [i for i, (_, passages) in enumerate(items) if passages]
        for i in (i for i, (_, passages) in enumerate(items) if not passages):
            if on_judged:
                on_judged(i, [])

        def done(position: int, reply: Reply) -> None:
            index = asked[position]
            results[index] = self.to_evidence(items[index][1], reply)
            if on_judged:
                on_judged(index, results[index])

        self.llm.generate([self.request(*items[i]) for i in asked], usage, on_reply=done, stop=stop)
        return results

    @staticmethod
    def to_evidence(passages: list[Passage], reply: Reply) -> list[Evidence] | LLMError:
        """Evidence from a reply; after a failed re-ask the salvageable judgments are kept (ungrounded if need be)."""
        if isinstance(reply, Judgments):
            return evidence_from(passages, reply.judgments)
        if isinstance(reply, InvalidReplyError) and (judgments := salvage(reply.unchecked)):
            return evidence_from(passages, judgments)
        return reply if isinstance(reply, LLMError) else LLMError("The model returned an unexpected reply type")
