"""Morning dashboard: what came in, where reviews stand, who decided what, how long decisions take."""

import altair as alt
import streamlit as st

from pipeline.desk_stats import (
    decisions_by_reviewer,
    hours_to_decision,
    median_hours,
    oldest_flagged,
    statuses_by_day,
    verdicts_by_day,
)
from pipeline.review_types import ReviewStatus
from ui.desk import all_rows, claim_link
from ui.review_queue import STATUS_LABELS
from ui.state import review_store


def bar_chart(data: list[dict[str, object]], x: str, y: str, color: str, title: str) -> None:
    """A stacked bar chart by day (Altair), or a line saying there is nothing to draw yet."""
    st.markdown(f"**{title}**")
    if not data:
        st.caption("Nothing yet.")
        return
    chart = alt.Chart(alt.Data(values=data)).mark_bar().encode(
        x=alt.X(f"{x}:O", title=None), y=alt.Y(f"{y}:Q", title=y), color=alt.Color(f"{color}:N", title=color),
        tooltip=[f"{x}:O", f"{color}:N", f"{y}:Q"])
    st.altair_chart(chart, width="stretch")


def duration(hours: float | None) -> str:
    """Hours as people say them."""
    if hours is None:
        return "—"
    return f"{hours * 60:.0f} min" if hours < 1 else f"{hours:.1f} h" if hours < 48 else f"{hours / 24:.1f} days"


st.title("Dashboard")
rows = all_rows()
if not rows:
    st.info("No checked claims yet: check an article first.")
    st.stop()
events = review_store().all_events(("status",))
hours = hours_to_decision(rows, events)
waiting = oldest_flagged(rows)
cols = st.columns(4)
cols[0].metric("claims checked", len(rows))
cols[1].metric("decided", sum(1 for r in rows if r.status == ReviewStatus.DONE))
cols[2].metric("flagged, waiting", sum(1 for r in rows if r.flagged and r.status != ReviewStatus.DONE))
cols[3].metric("median time check → decision", duration(median_hours(hours)),
               help=f"Over {len(hours)} decided claims: from the check that found the claim to the first "
                    "time a person marked it done.")
left, right = st.columns(2)
with left:
    bar_chart(verdicts_by_day(rows), "day", "claims", "verdict", "Claims checked per day, by model verdict")
    bar_chart(decisions_by_reviewer(events), "day", "decisions", "reviewer", "Decisions per reviewer per day")
with right:
    bar_chart(statuses_by_day(rows, events), "day", "claims", "status", "Review status at the end of each day")
st.markdown("**Oldest undecided flagged claims**")
if waiting:
    st.dataframe([{"open": claim_link(r), "checked": r.checked_at[:16].replace("T", " "), "claim": r.text,
                   "flags": ", ".join(r.flags), "status": STATUS_LABELS[r.status], "assignee": r.assignee or "—",
                   "article": r.article} for r in waiting], hide_index=True,
                 column_config={"open": st.column_config.LinkColumn(display_text="open", width=50),
                                "claim": st.column_config.TextColumn(width=440)})
else:
    st.success("No flagged claim is waiting for a decision.")
