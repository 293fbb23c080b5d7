"""Claim extraction: LLM over overlapping windows, then locate every source sentence and merge duplicates."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Protocol

from pydantic import BaseModel, Field

from pipeline.bm25 import tokenize
from pipeline.config import ClaimSettings
from pipeline.errors import LLMError, LLMUnavailableError
from pipeline.injection import find_instructions
from pipeline.interfaces import StructuredLLM
from pipeline.prompts import fence, load_prompt
from pipeline.text import locate, sentence_around, sentence_spans
from pipeline.types import (
    Article,
    Claim,
    ClaimCandidate,
    RunStats,
    UnitScore,
    Usage,
    content_id,
)

PROMPT_NAME = "extract_claims"
_SAME_CLAIM_JACCARD = 0.6


class ExtractedClaim(BaseModel):
    """One claim as the model returns it."""

    text: str
    source_quote: str
    checkworthiness: UnitScore



class ExtractedClaims(BaseModel):
    """The model's reply to the extraction prompt."""

    claims: list[ExtractedClaim] = Field(default_factory=list)


class ClaimExtractor(Protocol):
    """Proposes claim candidates for an article."""

    prompt_versions: dict[str, str]

    def candidates(self, article: Article, usage: Usage) -> list[ClaimCandidate]:
        """Claims with their quoted source sentences (not yet located)."""


def windows(text: str, size: int, overlap: int) -> list[str]:
    """Split text into windows of whole sentences of about `size` chars, overlapping by about `overlap`."""
    spans = sentence_spans(text)
    if len(text) <= size or not spans:
        return [text]
    result = []
    first = 0
    while first < len(spans):
        last = first
        while last + 1 < len(spans) and spans[last + 1][1] - spans[first][0] <= size:
            last += 1
        result.append(text[spans[first][0]:spans[last][1]])
        if last + 1 >= len(spans):
            break
        next_first = last + 1
        while next_first - 1 > first and spans[last][1] - spans[next_first - 1][0] <= overlap:
            next_first -= 1
        first = next_first
    return result


class LLMClaimExtractor:
    """Claims from a chat model, one call per window of the article; windows are asked concurrently."""

    def __init__(self, llm: StructuredLLM, settings: ClaimSettings, concurrency: int = 8):
        self.llm = llm
        self.settings = settings
        self.concurrency = max(1, concurrency)
        self.prompt = load_prompt(PROMPT_NAME)
        self.prompt_versions = {PROMPT_NAME: self.prompt.version}

    def candidates(self, article: Article, usage: Usage) -> list[ClaimCandidate]:
        """Ask the model for every window; one failed window is skipped unless all fail."""
        parts = windows(article.text, self.settings.window_chars, self.settings.window_overlap_chars)
        workers = min(self.concurrency, len(parts))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="window") as pool:
            replies = list(pool.map(lambda part: self._window(part, usage), parts))
        errors = [r for r in replies if isinstance(r, LLMError)]
        if errors and len(errors) == len(parts):
            raise errors[0]
        return [c for r in replies if not isinstance(r, LLMError) for c in r]

    def _window(self, part: str, usage: Usage) -> list[ClaimCandidate] | LLMError:
        """Candidates of one window, or the error that made it fail (an unreachable server raises)."""
        rendered = self.prompt.render(article=fence(part, "ARTICLE"), max_claims=str(self.settings.max_claims))
        try:
            reply = self.llm.generate(rendered, ExtractedClaims, usage)
        except LLMUnavailableError:
            raise
        except LLMError as exc:
            return exc
        return [ClaimCandidate(**c.model_dump()) for c in reply.claims]


def build_claims(article: Article, candidates: list[ClaimCandidate], settings: ClaimSettings,
                 stats: RunStats) -> list[Claim]:
    """Locate each candidate's source sentence; drop unlocatable and instruction-like ones; merge duplicates."""
    stats.candidates += len(candidates)
    claims: list[Claim] = []
    for candidate in candidates:
        found = locate(candidate.source_quote, article.text)
        if found is None:
            stats.dropped_unlocated += 1
            continue
        start, end = sentence_around(article.text, *found)
        if find_instructions(article.text[start:end]):
            stats.dropped_instructions += 1  # text addressed to a model is not a factual claim
            continue
        if candidate.checkworthiness < settings.min_checkworthiness:
            stats.below_threshold += 1
            continue
        text = " ".join(candidate.text.split())
        duplicate = _find_duplicate(claims, text, (start, end))
        if duplicate is not None:
            stats.merged_duplicates += 1
            duplicate.checkworthiness = max(duplicate.checkworthiness, candidate.checkworthiness)
            continue
        claims.append(Claim(id=content_id(article.id, str(start), str(end), text), text=text,
                            source_quote=article.text[start:end], span=(start, end),
                            checkworthiness=round(candidate.checkworthiness, 3)))
    claims.sort(key=lambda c: -c.checkworthiness)
    kept = claims[: settings.max_claims]
    stats.below_threshold += len(claims) - len(kept)
    return sorted(kept, key=lambda c: c.span)


def _find_duplicate(claims: list[Claim], text: str, span: tuple[int, int]) -> Claim | None:
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
