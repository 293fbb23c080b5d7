"""The optional model confirmation of prior fact-checks: "did this fact-check review the same claim?", with a quote
that must be verbatim in the fact-check. Confirmed matches move first; a match the model rejects is not flagged."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from pydantic import BaseModel, Field, ValidationInfo, create_model, model_validator

from pipeline.factcheck_types import FactCheckMatch
from pipeline.ports import LLMRequest, Reply, StructuredLLM
from pipeline.prompts import fence, load_prompt
from pipeline.text import quote_problem, verbatim
from pipeline.types import UnitScore, Usage, max_chars

PROMPT_NAME = "confirm_factchecks"


class Confirmation(BaseModel):
    """The model's answer for one numbered fact-check; with `{"factchecks": [text, ...]}` as validation context a
    quote not verbatim in its fact-check is an error (re-asked once)."""

    factcheck: int
    same_claim: bool
    quote: str = Field(json_schema_extra=max_chars(300))
    confidence: UnitScore

    @model_validator(mode="after")
    def _quote_is_in_its_factcheck(self, info: ValidationInfo) -> Confirmation:
        texts = (info.context or {}).get("factchecks")
        if texts is not None and (problem := quote_problem(self.factcheck, self.quote, texts, "fact-check")):
            raise ValueError(problem)
        return self


class Confirmations(BaseModel):
    """The model's reply: one confirmation per fact-check."""

    confirmations: list[Confirmation]


@cache
def confirmations_schema(count: int) -> type[Confirmations]:
    """The reply schema for this many fact-checks: exactly one item each (bounded, so a model cannot loop)."""
    field: Any = (list[Confirmation], Field(min_length=count, max_length=count))
    return create_model("Confirmations", __base__=Confirmations, confirmations=field)


def confirmed(matches: list[FactCheckMatch], reply: Reply) -> list[FactCheckMatch]:
    """The matches with the model's answers: a same-claim answer with a grounded quote confirms (and moves the match
    first); "not the same" unflags it; no usable reply leaves the matches as they were (unconfirmed)."""
    if not isinstance(reply, Confirmations):
        return matches
    answers = {c.factcheck: c for c in reply.confirmations}
    result = []
    for number, match in enumerate(matches, start=1):
        answer = answers.get(number)
        if answer is None:
            result.append(match)
            continue
        quote = verbatim(answer.quote, match.factcheck.claimReviewed)
        same = answer.same_claim and bool(quote)
        result.append(match.model_copy(update={"confirmed": same, "confirmation_quote": quote,
                                               "flagged": match.flagged and same}))
    return sorted(result, key=lambda m: m.confirmed is not True)  # stable: confirmed first, score order kept


class ModelConfirmer:
    """Asks the model about every claim's prior fact-checks, one call per claim, all claims in one batch."""

    def __init__(self, llm: StructuredLLM):
        self.llm = llm
        self.prompt = load_prompt(PROMPT_NAME)

    def request(self, claim: str, matches: list[FactCheckMatch]) -> LLMRequest:
        """The confirmation call for one claim and its fact-checks."""
        texts = [m.factcheck.claimReviewed for m in matches]
        blocks = "\n\n".join(fence(text, f"FACT-CHECK {n}") for n, text in enumerate(texts, start=1))
        rendered = self.prompt.render(claim=fence(claim, "CLAIM"), factchecks=blocks)
        return LLMRequest(prompt=rendered, schema=confirmations_schema(len(matches)), context={"factchecks": texts})

    def confirm_many(self, items: Sequence[tuple[str, list[FactCheckMatch]]],
                     usage: Usage) -> list[list[FactCheckMatch]]:
        """Every claim's matches with the model's answers (claims without matches need no call)."""
        results = [list(matches) for _, matches in items]
        asked = [i for i, (_, matches) in enumerate(items) if matches]
        replies = self.llm.generate([self.request(*items[i]) for i in asked], usage)
        for index, reply in zip(asked, replies):
            results[index] = confirmed(results[index], reply)
        return results
