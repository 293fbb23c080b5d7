"""Claim extraction: LLM over overlapping windows, then locate every source sentence and merge duplicates."""

from __future__ import annotations

import threading
from functools import cache
from typing import Any

from pydantic import BaseModel, Field, ValidationError, create_model

from pipeline.bm25 import tokenize
from pipeline.claim_source import better_source
from pipeline.config import ClaimSettings
from pipeline.errors import CancelledError, InvalidReplyError, LLMError, LLMUnavailableError
from pipeline.injection import find_instructions, instruction_flags
from pipeline.ports import ClaimExtractor, LLMRequest, OnCandidates, Reply, StructuredLLM
from pipeline.prompts import fence, load_prompt
from pipeline.text import locate, pack_sentences, sentence_around, sentence_spans
from pipeline.types import Article, Claim, ClaimCandidate, ClaimOrigin, RunStats, Usage, content_id, updated

PROMPT_NAME = "extract_claims"
_SAME_CLAIM_JACCARD = 0.6


class ExtractedClaims(BaseModel):
    """The model's reply to the extraction prompt (each source_quote checked against the window)."""

    claims: list[ClaimCandidate]


@cache
def extraction_schema(max_claims: int) -> type[ExtractedClaims]:
    """The reply schema with at most max_claims claims (bounded, so a looping model stops)."""
    field: Any = (list[ClaimCandidate], Field(max_length=max_claims))
    return create_model("ExtractedClaims", __base__=ExtractedClaims, claims=field)


def windows(text: str, size: int, overlap: int) -> list[str]:
    """Split text into windows of whole sentences of about `size` chars, overlapping by about `overlap`."""
    spans = sentence_spans(text)
    if len(text) <= size or not spans:
        return [text]
    return [text[start:end] for start, end in pack_sentences(spans, size, overlap_chars=overlap)]


def early_candidates(items: list[Any], window: str) -> list[ClaimCandidate]:
    """Streamed reply items that are already valid claims quoting their window."""
    found = []
    for item in items:
        try:
            found.append(ClaimCandidate.model_validate(item, context={"article": window}))
        except ValidationError:
            continue
    return found


def salvage(unchecked: object) -> list[ClaimCandidate]:
    """The well-formed claims of a reply that failed validation twice (unlocatable quotes are dropped later)."""
    items = unchecked.get("claims") if isinstance(unchecked, dict) else None
    kept = []
    for item in items if isinstance(items, list) else []:
        try:
            kept.append(ClaimCandidate.model_validate(item))
        except ValidationError:
            continue
    return kept


class LLMClaimExtractor:
    """Claims from a chat model, one call per window of the article, all windows in one batch."""

    def __init__(self, llm: StructuredLLM, settings: ClaimSettings, fallback: ClaimExtractor | None = None):
        self.llm = llm
        self.settings = settings
        self.fallback = fallback
        self.prompt = load_prompt(PROMPT_NAME)
        self.prompt_versions = {PROMPT_NAME: self.prompt.version}

    def request(self, window: str) -> LLMRequest:
        """The extraction call for one window; its claims' quotes must be found in that window."""
        rendered = self.prompt.render(article=fence(window, "ARTICLE"), max_claims=str(self.settings.max_claims))
        return LLMRequest(prompt=rendered, schema=extraction_schema(self.settings.max_claims),
                          context={"article": window})

    def candidates(self, article: Article, usage: Usage, stop: threading.Event | None = None,
                   on_candidates: OnCandidates | None = None) -> list[ClaimCandidate]:
        """Ask the model for every window; a window whose reply failed gets the fallback's sentences instead.

        Claims are offered to `on_candidates` as soon as they stream in, each checked against its window.
        An unreachable server, or a transport error on every window, fails the whole extraction.
        """
        parts = windows(article.text, self.settings.window_chars, self.settings.window_overlap_chars)

        def streamed(index: int, items: list[Any]) -> None:
            if on_candidates is not None:
                on_candidates(early_candidates(items, parts[index]))

        replies = self.llm.generate([self.request(part) for part in parts], usage, stop=stop,
                                    on_partial=streamed if on_candidates else None)
        found = [self.window_candidates(part, reply) for part, reply in zip(parts, replies)]
        errors = [r for r in found if isinstance(r, LLMError)]
        unavailable = next((e for e in errors if isinstance(e, (LLMUnavailableError, CancelledError))), None)
        if unavailable or (len(errors) == len(parts) and all(e.retryable for e in errors)) or (
                errors and self.fallback is None and len(errors) == len(parts)):
            raise unavailable or errors[0]
        claims: list[ClaimCandidate] = []
        for part, result in zip(parts, found):
            claims += self.stand_in(part, result, usage) if isinstance(result, LLMError) else result
        return claims

    def stand_in(self, window: str, error: LLMError, usage: Usage) -> list[ClaimCandidate]:
        """The fallback extractor's claims for a window the model failed on, marked as such."""
        if self.fallback is None:
            return []
        note = f"Offered by the offline extractor because the model's reply for this part failed: {error.message}."
        found = self.fallback.candidates(Article.from_text(window), usage)
        return [updated(c, origin=ClaimOrigin.FALLBACK, note=note) for c in found]

    @staticmethod
    def window_candidates(window: str, reply: Reply) -> list[ClaimCandidate] | LLMError:
        """The claims of one window's reply; from a reply that failed validation, the ones quoting the window."""
        if isinstance(reply, ExtractedClaims):
            return list(reply.claims)
        salvaged = salvage(reply.unchecked) if isinstance(reply, InvalidReplyError) else []
        if any(locate(c.source_quote, window) is not None for c in salvaged):
            return salvaged  # the unlocatable ones are dropped and counted with the rest
        return reply if isinstance(reply, LLMError) else LLMError("The model returned an unexpected reply type")


def build_claims(article: Article, candidates: list[ClaimCandidate], settings: ClaimSettings,
                 stats: RunStats, findings: list[Any] | None = None) -> list[Claim]:
    """Locate each candidate's source sentence; drop unlocatable and instruction-like ones; merge duplicates."""
    stats.candidates += len(candidates)
    findings = find_instructions(article.text) if findings is None else findings
    flags = instruction_flags(article.text, article.notices, findings)
    claims: list[Claim] = []
    for candidate in candidates:
        located = source_span(candidate, article.text, stats)
        if located is None:
            continue
        start, end, note = located
        if any(f.start < end and f.end > start for f in findings):
            stats.dropped_instructions += 1  # text addressed to a model is not a factual claim
            continue
        if candidate.checkworthiness < settings.min_checkworthiness:
            stats.below_threshold += 1
            continue
        text = " ".join(candidate.text.split())
        duplicate = find_duplicate(claims, text, (start, end))
        if duplicate is not None:
            stats.merged_duplicates += 1
            duplicate.checkworthiness = max(duplicate.checkworthiness, candidate.checkworthiness)
            continue
        claims.append(Claim(id=content_id(article.id, str(start), str(end), text), text=text,
                            source_quote=article.text[start:end], span=(start, end),
                            checkworthiness=round(candidate.checkworthiness, 3), origin=candidate.origin,
                            origin_note=note, flags=flags))
    claims.sort(key=lambda c: -c.checkworthiness)
    kept = claims[: settings.max_claims]
    stats.below_threshold += len(claims) - len(kept)
    return sorted(kept, key=lambda c: c.span)


def source_span(candidate: ClaimCandidate, text: str, stats: RunStats) -> tuple[int, int, str] | None:
    """The sentence a candidate comes from and its note: moved when the quoted one lacks the claim's words."""
    found = locate(candidate.source_quote, text)
    if found is None:
        stats.dropped_unlocated += 1
        return None
    start, end = sentence_around(text, *found)
    better = better_source(candidate.text, text, (start, end))
    if better is None:
        return start, end, candidate.note
    stats.corrected_sources += 1
    note = candidate.note or (f"The model quoted another sentence for this claim (“{text[start:end][:160]}”); its "
                              "source was set to the sentence that holds the claim's words.")
    return *better, note


def find_duplicate(claims: list[Claim], text: str, span: tuple[int, int]) -> Claim | None:
    """An earlier claim with the same meaning: same words, or the same sentence and mostly the same words."""
    words = set(tokenize(text))
    for claim in claims:
        other = set(tokenize(claim.text))
        if words == other:
            return claim
        overlap = len(words & other) / max(len(words | other), 1)
        if claim.span == span and overlap >= _SAME_CLAIM_JACCARD:
            return claim
    return None
