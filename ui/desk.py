"""Claims of every run with their review state, for the inbox and the dashboard."""

from __future__ import annotations

from pipeline.errors import NotFoundError
from pipeline.queue import QueueRow, build_queue
from pipeline.review_types import Review
from ui.state import article_findings, get_settings, list_runs, load_run, review_store


def all_rows() -> list[QueueRow]:
    """Every claim of every saved run (run files are cached; reviews are read fresh, in one query)."""
    reviews: dict[str, dict[str, Review]] = {}
    for (run_id, claim_id), review in review_store().all_reviews().items():
        reviews.setdefault(run_id, {})[claim_id] = review
    low = get_settings().review.low_confidence
    rows: list[QueueRow] = []
    for run in list_runs():
        try:
            result = load_run(run.run_id)
        except NotFoundError:  # removed while we were listing
            continue
        rows += build_queue(result, reviews.get(run.run_id, {}), low, article_findings(result.article.text))
    return rows


def claim_link(row: QueueRow) -> str:
    """The deep link of a claim on the Review page."""
    return f"/?run={row.run_id}&claim={row.claim_id}"
