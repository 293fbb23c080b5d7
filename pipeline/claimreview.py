"""schema.org ClaimReview JSON-LD: one ClaimReview per claim a person decided."""

from __future__ import annotations

import json

from pipeline.claim_lists import item_reviewed as given_claim_fields
from pipeline.factcheck_match import accepted_factcheck, based_on
from pipeline.reports import claim_anchor, permalink, safe_url
from pipeline.review_types import ClaimReport, Report


def rating_value(rating: str, scale: list[str]) -> int | None:
    """Position on the house scale where higher means truer: first (truest) = len(scale), last = 1."""
    if rating not in scale:
        return None
    return len(scale) - scale.index(rating)


def claim_review(item: ClaimReport, report: Report) -> dict:
    """One ClaimReview object for a decided claim."""
    review = item.review
    rating: dict = {"@type": "Rating", "alternateName": review.rating,
                    "bestRating": len(report.rating_scale), "worstRating": 1}
    value = rating_value(review.rating, report.rating_scale)
    if value is not None:
        rating["ratingValue"] = value
    item_reviewed: dict = {"@type": "Claim"}
    article = report.run.article
    if article_url := safe_url(article.url):
        appearance = {"@type": "CreativeWork", "url": article_url}
        item_reviewed["appearance"] = [{**appearance, "datePublished": article.published} if article.published
                                       else appearance]
    if item.claim.source is not None:  # a claim handed in: where it appeared, who said it, when
        item_reviewed.update(given_claim_fields(item.claim.source))
    author: dict = {"@type": "Organization", "name": report.organisation}
    if safe_url(report.organisation_url):
        author["url"] = report.organisation_url
    document = {
        "@context": "https://schema.org", "@type": "ClaimReview",
        **({"url": f"{page}#{claim_anchor(item)}"} if (page := permalink(report)) else {}),
        "datePublished": (review.updated_at or report.generated_at)[:10],
        "claimReviewed": item.claim.text, "itemReviewed": item_reviewed, "author": author,
        "reviewRating": rating,
    }
    if review.explanation:
        document["reviewBody"] = review.explanation
    if prior := accepted_factcheck(item):
        document["isBasedOn"] = based_on(prior)
    return document


def to_claimreview(report: Report) -> str:
    """A JSON-LD array of ClaimReview objects (undecided claims are never published)."""
    reviews = [claim_review(item, report) for item in report.claims if item.decided]
    return json.dumps(reviews, indent=2, ensure_ascii=False)
