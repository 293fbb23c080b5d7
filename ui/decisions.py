"""Saving reviewer decisions from widget callbacks: immediately, with conflicts surfaced, never lost."""

from __future__ import annotations

import hashlib
from typing import Any

import streamlit as st

from pipeline.errors import FactCheckError, InputError
from pipeline.review_types import Review, ReviewStatus
from pipeline.reviews import ReviewConflict, field_value
from ui.state import get_settings, review_store, reviewer

CONFLICT_KEY = "review_conflict"
FLASH_KEY = "review_flash"
REFUSED_KEY = "review_refused"  # {"claim_id", "field", "message"}: shown under the control that caused it
ADVANCE_KEY = "review_advance"  # the claim just marked done: the page moves on to the next one to decide


def allowed_ratings() -> list[str]:
    """The house scale plus "not checkable"."""
    review = get_settings().review
    return [*review.rating_scale, review.not_checkable]


def widget_key(field: str, review: Review) -> str:
    """Keys carry the field's stored value (and how often a change was refused), so a widget is drawn anew from
    the store when that field changes there or a change is refused, and never keeps showing a value the store
    does not hold. Saving another field leaves the widget alone: a text area being typed in keeps its focus and
    its unsaved text while a rating saved a moment earlier reruns the form."""
    refusals = st.session_state.get(f"{REFUSED_KEY}|{review.claim_id}|n", 0)
    digest = hashlib.sha256(field_value(review, field).encode()).hexdigest()[:12]
    return f"{field}|{review.claim_id}|{digest}" + (f"|r{refusals}" if refusals else "")


def refusal(claim_id: str, field: str) -> str:
    """Why the last change of this field was refused ("" when it was not)."""
    refused = st.session_state.get(REFUSED_KEY) or {}
    return refused.get("message", "") if (refused.get("claim_id"), refused.get("field")) == (claim_id, field) else ""


def save(base: Review, changes: dict[str, Any]) -> bool:
    """Save changes made on top of `base`; a conflict or error is kept in session state for the page to show."""
    st.session_state.pop(REFUSED_KEY, None)
    try:
        saved = review_store().save(base, changes, reviewer(), allowed_ratings())
        st.session_state.pop(CONFLICT_KEY, None)
        st.session_state[FLASH_KEY] = ("success", "Saved.")
        if _plain(changes.get("status")) == ReviewStatus.DONE.value and saved.status == ReviewStatus.DONE:
            st.session_state[ADVANCE_KEY] = base.claim_id
        return True
    except ReviewConflict as exc:
        st.session_state[CONFLICT_KEY] = {"run_id": base.run_id, "claim_id": base.claim_id,
                                          "changes": {k: _plain(v) for k, v in changes.items()},
                                          "conflicts": [c.model_dump() for c in exc.conflicts],
                                          "current": exc.current.model_dump_json()}
    except InputError as exc:  # a refused change: said next to the control, which shows the stored value again
        counter = f"{REFUSED_KEY}|{base.claim_id}|n"
        st.session_state[counter] = st.session_state.get(counter, 0) + 1
        st.session_state[REFUSED_KEY] = {"claim_id": base.claim_id, "field": ",".join(changes),
                                         "message": exc.user_message()}
    except FactCheckError as exc:
        st.session_state[FLASH_KEY] = ("error", exc.user_message())
    except Exception as exc:  # never lose the page (or show a traceback) over one save
        st.session_state[FLASH_KEY] = ("error", f"Could not save ({type(exc).__name__}: {exc}). Try again; "
                                                "your earlier decisions are safe.")
    return False


def on_widget_change(field: str, key: str, base_json: str, to_value=None) -> None:
    """Widget callback: save the widget's new value for `field`; on failure the widget reverts to the stored value."""
    value = st.session_state.get(key)
    value = to_value(value) if to_value else value
    if not save(Review.model_validate_json(base_json), {field: value}):
        st.session_state.pop(key, None)


def mark_done(base_json: str) -> None:
    """Button callback: mark the claim done (refused, with the reason under the button, when it has no rating)."""
    save(Review.model_validate_json(base_json), {"status": ReviewStatus.DONE.value})


def set_rating(base_json: str, rating: str) -> None:
    """Button callback: set the rating."""
    save(Review.model_validate_json(base_json), {"rating": rating})


def keep_mine() -> None:
    """Resolve a conflict by re-applying my changes on top of the other reviewer's version."""
    conflict = st.session_state.get(CONFLICT_KEY)
    if conflict:
        save(Review.model_validate_json(conflict["current"]), conflict["changes"])


def keep_theirs() -> None:
    """Resolve a conflict by dropping my change."""
    st.session_state.pop(CONFLICT_KEY, None)
    st.session_state[FLASH_KEY] = ("info", "Kept the other reviewer's version.")


def _plain(value: Any) -> Any:
    """Enum values as their strings for session state."""
    return value.value if hasattr(value, "value") else value
