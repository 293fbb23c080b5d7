"""Published fact-checks (schema.org ClaimReview) as the product keeps them, and a claim's matches against them.

Field names follow ClaimReview so a stored fact-check reads like the JSON-LD it came from. Every text field
holds plain text (markup is removed on import) and every URL is an http(s) URL or empty.
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, Field


def factcheck_id(url: str, claim: str) -> str:
    """Same url and claim, same id: re-importing a fact-check adds nothing."""
    return hashlib.sha256(f"{url}\x1f{claim}".encode()).hexdigest()[:16]


class FactCheckRating(BaseModel):
    """The publisher's verdict: its words (alternateName) and, when given and in range, its number."""

    alternateName: str = ""
    ratingValue: float | None = None
    bestRating: float | None = None
    worstRating: float | None = None


class FactCheckAuthor(BaseModel):
    """Who published the fact-check."""

    name: str = ""
    url: str = ""


class ItemReviewed(BaseModel):
    """The claim that was checked: who made it and where it appeared."""

    author: str = ""
    appearance: list[str] = Field(default_factory=list)


class FactCheck(BaseModel):
    """One published fact-check (a ClaimReview), normalised and safe to show."""

    id: str
    claimReviewed: str
    headline: str = ""
    reviewRating: FactCheckRating = Field(default_factory=FactCheckRating)
    url: str = ""
    author: FactCheckAuthor = Field(default_factory=FactCheckAuthor)
    datePublished: str = ""
    itemReviewed: ItemReviewed = Field(default_factory=ItemReviewed)
    language: str = ""

    @property
    def rating(self) -> str:
        """The rating in words, or its number on its own scale, or "unrated"."""
        rating = self.reviewRating
        if rating.alternateName:
            return rating.alternateName
        if rating.ratingValue is not None and rating.bestRating is not None:
            return f"{rating.ratingValue:g}/{rating.bestRating:g}"
        return "unrated"

    @property
    def publisher(self) -> str:
        """The publisher's name, or the host of its URL, or "unknown publisher"."""
        if self.author.name:
            return self.author.name
        host = (self.author.url or self.url).split("://", 1)[-1].split("/", 1)[0]
        return host or "unknown publisher"

    def index_text(self) -> str:
        """What is embedded and keyword-indexed: the claim reviewed, then the fact-check's headline."""
        if self.headline and self.headline != self.claimReviewed:
            return f"{self.claimReviewed}\n{self.headline}"
        return self.claimReviewed


class FactCheckMatch(BaseModel):
    """A prior fact-check found for a claim, with its similarity score; flagged above the configured threshold."""

    factcheck: FactCheck
    score: float
    flagged: bool = False
    # Addresses of near-identical fact-checks (same publisher, same claim words) folded into this one.
    also: list[str] = Field(default_factory=list)
    # The model's confirmation (factchecks.confirm_with_model): None when not asked, with the grounded quote.
    confirmed: bool | None = None
    confirmation_quote: str = ""

    def describe(self) -> str:
        """The flag's reason in words, e.g. "matches a fact-check rated False by PolitiFact"."""
        return f"matches a fact-check rated {self.factcheck.rating} by {self.factcheck.publisher}"
