"""Inbox: every claim that still needs a person, across runs and articles; filter, search, assign, act in bulk."""

import streamlit as st

from pipeline.inbox import INBOX_SORTS, UNASSIGNED, InboxFilter, inbox, row_key, status_counts
from pipeline.queue import QueueRow
from pipeline.review_types import Review, ReviewStatus
from pipeline.reviews import BulkOutcome
from ui.decisions import allowed_ratings
from ui.desk import all_rows, claim_link
from ui.review_queue import STATUS_LABELS, VERDICTS, verdict_label
from ui.safe import md
from ui.state import get_settings, review_store, reviewer

SHOWN_KEY = "inbox_shown"  # the row keys of the table as drawn, so a callback knows what a selection means
OUTCOME_KEY = "inbox_outcome"
TARGET_SELECTED, TARGET_ALL = "selected rows", "every row shown"


def filters(rows: list[QueueRow]) -> tuple[InboxFilter, str]:
    """The filter and sort widgets."""
    cols = st.columns([3, 1.3, 1, 1])
    text = cols[0].text_input("Search claim text", key="inbox_text", placeholder="words that must all appear")
    how = cols[1].selectbox("Sort", INBOX_SORTS, key="inbox_sort")
    flagged = cols[2].toggle("Flagged only", key="inbox_flagged")
    mine = cols[3].toggle("Assigned to me", key="inbox_mine", disabled=not reviewer())
    more = st.columns(5)
    statuses = more[0].multiselect("Review status", list(ReviewStatus), format_func=lambda s: STATUS_LABELS[s],
                                   default=[ReviewStatus.UNREVIEWED, ReviewStatus.IN_PROGRESS], key="inbox_status")
    verdicts = more[1].multiselect("Model verdict", VERDICTS, format_func=verdict_label, key="inbox_verdict")
    articles = more[2].multiselect("Article", sorted({r.article for r in rows}), key="inbox_article")
    runs = more[3].multiselect("Run", sorted({r.run_id for r in rows}, reverse=True), key="inbox_run")
    people = sorted({r.assignee for r in rows if r.assignee} | ({reviewer()} if reviewer() else set()))
    assignees = more[4].multiselect("Assignee", [UNASSIGNED, *people], key="inbox_assignee")
    if mine:
        assignees = [reviewer()]
    return InboxFilter(articles=articles, runs=runs, statuses=statuses, verdicts=verdicts, assignees=assignees,
                       flagged_only=flagged, text=text), how


def counts(rows: list[QueueRow]) -> None:
    """How many claims are in each status (over all runs), and how many flagged ones wait."""
    cols = st.columns(4)
    for col, (status, n) in zip(cols, status_counts(rows).items(), strict=False):
        col.metric(STATUS_LABELS[status], n)
    cols[3].metric("flagged, not done", sum(1 for r in rows if r.flagged and r.status != ReviewStatus.DONE))


def table(shown: list[QueueRow]) -> list[int]:
    """The claims as a table with a link to each; returns the selected row positions."""
    cells = [{"open": claim_link(r), "claim": r.text, "status": STATUS_LABELS[r.status], "rating": r.rating or "—",
              "assignee": r.assignee or "—", "reviewer": r.reviewer or "—", "flags": ", ".join(r.flags) or "—",
              "model verdict": verdict_label(r.model_verdict), "article": r.article,
              "checked": r.checked_at[:16].replace("T", " ")} for r in shown]
    st.session_state[SHOWN_KEY] = [seen(r) for r in shown]
    event = st.dataframe(cells, hide_index=True, on_select="rerun", selection_mode="multi-row", key="inbox_table",
                         row_height=56, column_config={
                             "open": st.column_config.LinkColumn(display_text="open", width=50),
                             "claim": st.column_config.TextColumn(width=440)})
    return list(getattr(getattr(event, "selection", None), "rows", []) or [])


def seen(row: QueueRow) -> str:
    """The review of a row as the reviewer saw it (the fields bulk actions change, and their version)."""
    return Review(run_id=row.run_id, claim_id=row.claim_id, status=row.status, rating=row.rating,
                  assignee=row.assignee, version=row.version).model_dump_json()


def bulk_items(target: str) -> list[Review]:
    """The claims a bulk action applies to, as last shown, so a change made meanwhile is a conflict."""
    shown = st.session_state.get(SHOWN_KEY, [])
    if target == TARGET_SELECTED:
        selection = st.session_state.get("inbox_table", {}).get("selection", {}).get("rows", [])
        shown = [shown[i] for i in selection if i < len(shown)]
    return [Review.model_validate_json(entry) for entry in shown]


def apply(changes: dict[str, str], what: str) -> None:
    """Button callback: save the same changes on every targeted claim, then say what happened."""
    items = [(base, changes) for base in bulk_items(st.session_state.get("inbox_target", TARGET_SELECTED))]
    if not items:
        st.session_state[OUTCOME_KEY] = ("warning", "Select some rows first (tick them in the table), or choose "
                                                    f"“{TARGET_ALL}”.", [])
        return
    outcomes = review_store().save_many(items, reviewer(), allowed_ratings())
    saved = sum(o.saved for o in outcomes)
    st.session_state[OUTCOME_KEY] = ("success" if saved == len(outcomes) else "warning",
                                     f"{what}: {saved} of {len(outcomes)} claims saved.",
                                     [o for o in outcomes if not o.saved])
    st.session_state.pop("inbox_table", None)


def bulk_actions() -> None:
    """Assign, set status, or mark not checkable on the selection (or everything shown)."""
    me = reviewer()
    st.markdown("**Act on claims**")
    if not me:
        st.info("Enter your name in the sidebar to assign claims or act on them.")
    st.radio("Apply to", [TARGET_SELECTED, TARGET_ALL], horizontal=True, key="inbox_target", disabled=not me)
    cols = st.columns([1, 1.6, 1, 1.3, 1, 1.4], vertical_alignment="bottom")
    cols[0].button("Assign to me", on_click=apply, args=({"assignee": me}, f"Assigned to {me}"), disabled=not me)
    name = cols[1].text_input("Reviewer's name", key="inbox_assign_to", disabled=not me).strip()
    cols[2].button("Assign", on_click=apply, args=({"assignee": name}, f"Assigned to {name}"),
                   disabled=not (me and name))
    status = cols[3].selectbox("Status", list(ReviewStatus), format_func=lambda s: STATUS_LABELS[s],
                               key="inbox_set_status", disabled=not me) or ReviewStatus.IN_PROGRESS
    cols[4].button("Set status", on_click=apply, disabled=not me,
                   args=({"status": status.value}, f"Status set to {STATUS_LABELS[status]}"))
    not_checkable = get_settings().review.not_checkable
    cols[5].button(f"Mark “{not_checkable}”", on_click=apply, disabled=not me,
                   args=({"rating": not_checkable, "status": ReviewStatus.DONE.value}, f"Marked {not_checkable}"))


def outcome_message(rows: list[QueueRow]) -> None:
    """What the last bulk action did, naming each claim it could not save and why."""
    outcome = st.session_state.pop(OUTCOME_KEY, None)
    if not outcome:
        return
    kind, text, failed = outcome
    texts = {row_key(r): r.text for r in rows}
    lines = [f"- “{md(texts.get(f'{o.run_id}/{o.claim_id}', o.claim_id)[:90])}”: {md(o.reason)}"
             for o in failed if isinstance(o, BulkOutcome)]
    getattr(st, kind)(md(text) + ("\n\nNot saved:\n" + "\n".join(lines) if lines else ""))


st.title("Inbox")
st.caption("Every claim that still needs a person, across all runs and articles. Open one with its link; "
           "the Review page keeps each run's own queue.")
rows = all_rows()
if not rows:
    st.info("No checked claims yet: check an article first.")
    st.page_link("ui/pages/check.py", label="Check an article", icon=":material/search:")
    st.stop()
counts(rows)
wanted, how = filters(rows)
shown = inbox(rows, wanted, how)
outcome_message(rows)
st.caption(f"{len(shown)} of {len(rows)} claims match.")
if shown:
    table(shown)
else:
    st.info("No claims match these filters.")
    st.session_state[SHOWN_KEY] = []
bulk_actions()
