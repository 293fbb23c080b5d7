"""Claim detail: the claim in its article context, the evidence side by side, and the reviewer's decision."""

from __future__ import annotations

import streamlit as st

from pipeline.injection import HIDDEN_NOTICE, INJECTION_FLAG, article_addresses_model
from pipeline.queue import QueueRow, claim_flags, effective_stance, neighbours, sort_queue
from pipeline.reports import safe_url
from pipeline.review_types import Review, ReviewStatus
from pipeline.text import locate, sentence_around
from pipeline.types import Claim, ClaimOrigin, ClaimStatus, Evidence, RunResult, Stance, VerdictLabel
from ui.claim_origin import render_claim_origin
from ui.decisions import (
    ADVANCE_KEY,
    CONFLICT_KEY,
    FLASH_KEY,
    allowed_ratings,
    keep_mine,
    keep_theirs,
    mark_done,
    on_widget_change,
    refusal,
    set_rating,
    widget_key,
)
from ui.factcheck_cards import render_factchecks
from ui.review_queue import STATUS_LABELS, open_claim
from ui.safe import h, highlight, md
from ui.state import article_findings, get_settings, review_store, reviewer

STANCE_ICONS = {Stance.SUPPORTS: ":material/check_circle: supports",
                Stance.CONTRADICTS: ":material/cancel: contradicts",
                Stance.UNRELATED: ":material/remove: unrelated"}
STANCE_NAMES = {Stance.SUPPORTS: "supports", Stance.CONTRADICTS: "contradicts", Stance.UNRELATED: "unrelated"}
_CONTEXT_CHARS = 1200
# Streamlit's own `shortcut=` binds keys to buttons but cannot focus a text field; this does, for Ctrl+E only.
FOCUS_EXPLANATION = """<script>
if (!window.fcFocusExplanation) {
  window.fcFocusExplanation = true;
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "e") {
      const field = document.querySelector('textarea[aria-label="Explanation"]');
      if (field) { event.preventDefault(); field.focus(); }
    } else if (event.key === "Escape" && ["TEXTAREA", "INPUT"].includes(document.activeElement?.tagName)) {
      document.activeElement.blur();  // Streamlit saves a text field when it loses the focus
    }
  });
}
</script>"""


def back_to_queue() -> None:
    """Leave the detail view."""
    st.query_params.pop("claim", None)


def paragraph_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The article paragraph (line) holding the span, trimmed to a readable length around it."""
    left = text.rfind("\n", 0, start) + 1
    right = text.find("\n", end)
    right = len(text) if right < 0 else right
    return max(left, start - _CONTEXT_CHARS // 2), min(right, end + _CONTEXT_CHARS // 2)


def render_navigation(rows: list[QueueRow], claim_id: str) -> None:
    """Back to the queue, previous/next claim in flagged-first order, position, and the keyboard help."""
    ordered = sort_queue(rows)
    previous, following = neighbours(ordered, claim_id)
    position = [r.claim_id for r in ordered].index(claim_id) + 1
    left = sum(1 for r in rows if r.status != ReviewStatus.DONE)
    cols = st.columns([1, 1, 1, 2.4, 1.3])
    cols[0].button("Queue", icon=":material/arrow_back:", on_click=back_to_queue, width="stretch",
                   shortcut="Q", key="nav_queue")
    cols[1].button("Previous", on_click=open_claim, args=(previous,), disabled=previous is None, width="stretch",
                   shortcut="K", key="nav_previous")
    cols[2].button("Next", on_click=open_claim, args=(following,), disabled=following is None, width="stretch",
                   shortcut="J", key="nav_next")
    cols[3].caption(f"Claim {position} of {len(ordered)} (flagged first) · "
                    f"{sum(1 for r in rows if r.flagged)} flagged · {left} still to decide")
    with cols[4].popover("Keyboard", icon=":material/keyboard:", width="stretch"):
        keyboard_help()


def keyboard_help() -> None:
    """The shortcuts of the claim view (they act when no text field has the focus)."""
    ratings = allowed_ratings()
    lines = ["| key | does |", "|---|---|", "| J / K | next / previous claim (flagged first) |",
             "| Q | back to the queue |"]
    lines += [f"| {key} | rating “{md(rating)}” |" for key, rating in rating_keys(ratings)]
    lines += ["| D | mark done and open the next claim to decide |", "| Ctrl+E | write the explanation |",
              "| Ctrl+Enter / Esc | save the text you typed / and leave the field |",
              "| O | (in the queue) open the selected claim |"]
    st.markdown("\n".join(lines))
    st.caption("Keys act when no text field has the focus: press Esc to leave one.")


def rating_keys(ratings: list[str]) -> list[tuple[str, str]]:
    """Number keys for ratings: 1, 2, … for the scale, 0 for "not checkable" (the last entry)."""
    scale, rest = ratings[:-1][:9], ratings[-1:]
    return [(str(i), r) for i, r in enumerate(scale, start=1)] + [("0", r) for r in rest]


def render_messages(claim: Claim) -> None:
    """The last save result, and any conflict with another reviewer's change."""
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        getattr(st, flash[0])(md(flash[1]))
    conflict = st.session_state.get(CONFLICT_KEY)
    if not conflict or conflict["claim_id"] != claim.id:
        return
    conflict["shown"] = True
    lines = [f"- **{md(c['field'])}**: {md(c['by'] or 'another reviewer')} set “{md(c['theirs'] or '—')}” at "
             f"{md(c['at'])}; you had “{md(c['base'] or '—')}” and changed it to “{md(c['mine'] or '—')}”."
             for c in conflict["conflicts"]]
    st.warning("**Not saved: someone else changed this claim while you were editing.**\n\n" + "\n".join(lines))
    cols = st.columns(2)
    cols[0].button("Keep mine (overwrite theirs)", on_click=keep_mine, type="primary", width="stretch")
    cols[1].button("Keep theirs", on_click=keep_theirs, width="stretch")


def render_article_warnings(result: RunResult, claim: Claim) -> bool:
    """Notices about the input and instruction-like text in it; True when the article addresses a model."""
    article = result.article
    if claim.origin == ClaimOrigin.GIVEN:
        return render_given_claim_warning(claim)
    for notice in article.notices:
        hidden = notice == HIDDEN_NOTICE or notice.startswith(("Hidden page text", "Invisible"))
        (st.warning if hidden else st.info)(md(notice))
    findings = article_findings(article.text)
    if findings:
        sentences = [article.text[slice(*sentence_around(article.text, f.start, f.end))] for f in findings[:5]]
        quoted = "; ".join(f"“{md(s[:200])}” ({md(f.reason)})" for s, f in zip(sentences, findings))
        st.warning(f"**{INJECTION_FLAG.capitalize()}.** This article contains text that reads like instructions "
                   f"to an AI model: {quoted}. The model was told to treat the article as data only; check this "
                   "claim's suggestion with extra care.")
    return article_addresses_model(article.notices, findings)


def render_given_claim_warning(claim: Claim) -> bool:
    """A claim handed in with a list is warned about for its own text only (its list is not its article)."""
    reasons = sorted({f.reason for f in claim.flags if f.flag == INJECTION_FLAG})
    if reasons:
        st.warning(f"**{INJECTION_FLAG.capitalize()}.** This claim reads like instructions to an AI model "
                   f"({md('; '.join(reasons))}). The model was told to treat it as data only; check its suggestion "
                   "with extra care.")
    return bool(reasons)


def render_claim_header(claim: Claim, article_flagged: bool) -> None:
    """The claim and the model's suggestion."""
    st.html(f'<div class="fc-claim">{h(claim.text)}</div>')
    flags = claim_flags(claim, get_settings().review.low_confidence, article_flagged)
    if claim.origin == ClaimOrigin.FALLBACK:
        st.warning(f"**Not from the model.** {md(claim.origin_note)}")
    elif claim.origin_note:
        st.info(f"**Source sentence corrected.** {md(claim.origin_note)}")
    if claim.status == ClaimStatus.FAILED:
        st.error(f"The automatic check of this claim failed: {md(claim.error)}")
        return
    st.caption(f"Model suggestion: **{claim.verdict.value.replace('_', ' ')}** (confidence {claim.confidence:.2f}) · "
               f"check-worthiness {claim.checkworthiness:.2f}" + (f" · flagged: {', '.join(flags)}" if flags else ""))


def render_context(result: RunResult, claim: Claim) -> None:
    """The paragraph around the claim with its source sentence highlighted; the whole article on demand."""
    if render_claim_origin(claim):  # a claim handed in by a person has an origin, not an article paragraph
        return
    text = result.article.text
    start, end = paragraph_around(text, *claim.span)
    prefix = "… " if start > 0 and text[start - 1] != "\n" else ""
    suffix = "…" if end < len(text) and text[end] != "\n" else ""
    shown = highlight(text[start:end], claim.span[0] - start, claim.span[1] - start)
    st.markdown("**In the article**")
    st.html(f'<div class="fc-context">{h(prefix)}{shown}'
            f"{h(suffix)}</div>")
    with st.expander("Whole article"):
        st.html(f'<div class="fc-context" style="white-space:pre-wrap">{highlight(text, *claim.span)}</div>')


@st.fragment
def render_decision(run_id: str, claim: Claim) -> None:
    """The reviewer's verdict, rating, explanation, notes and status, each saved on change.

    A fragment: a save reruns this form only, and it reads the stored review itself so it always shows
    what the store holds. Marking a claim done reruns the page, which opens the next claim to decide.
    """
    if st.session_state.get(ADVANCE_KEY) == claim.id:
        st.rerun(scope="app")
    review = review_store().get(run_id, claim.id)
    render_messages(claim)
    st.markdown("**Your decision**")
    disabled = not reviewer()
    if disabled:
        st.info("Enter your name in the sidebar to record decisions.")
    base = review.model_dump_json()
    verdicts = [""] + [v.value for v in VerdictLabel]
    key = widget_key("verdict", review)
    st.selectbox("Final verdict", verdicts, index=verdicts.index(review.verdict.value if review.verdict else ""),
                 format_func=lambda v: v.replace("_", " ") if v else "— not set —", key=key, disabled=disabled,
                 on_change=on_widget_change, args=("verdict", key, base))
    render_rating(review, disabled)
    for field, label, help_text in (("explanation", "Explanation", "Published in the report."),
                                    ("notes", "Notes (internal)", "Kept in the JSON/CSV exports only.")):
        key = widget_key(field, review)
        st.text_area(label, value=getattr(review, field), key=key, disabled=disabled, help=help_text, height=100,
                     on_change=on_widget_change, args=(field, key, base))
    key = widget_key("status", review)
    cols = st.columns([3, 2], vertical_alignment="bottom")
    cols[0].radio("Status", list(ReviewStatus), index=list(ReviewStatus).index(review.status), horizontal=True,
                  format_func=STATUS_LABELS.get, key=key, disabled=disabled, on_change=on_widget_change,
                  args=("status", key, base))
    cols[1].button("Done, next", icon=":material/done_all:", on_click=mark_done, args=(base,), disabled=disabled,
                   shortcut="D", key="decide_done", type="primary", width="stretch")
    refused_here(claim.id, "status")
    if review.version:
        st.caption(f"Last saved by {md(review.reviewer)} at {md(review.updated_at)} (version {review.version})."
                   + (f" Assigned to {md(review.assignee)}." if review.assignee else ""))
    st.html(FOCUS_EXPLANATION, unsafe_allow_javascript=True)


def render_rating(review: Review, disabled: bool) -> None:
    """The rating as a picker plus one button per rating, each bound to its number key."""
    ratings = ["", *allowed_ratings()]
    key = widget_key("rating", review)
    base = review.model_dump_json()
    st.selectbox("Rating (published)", ratings, index=ratings.index(review.rating) if review.rating in ratings else 0,
                 format_func=lambda r: r or "— not rated —", key=key, disabled=disabled,
                 on_change=on_widget_change, args=("rating", key, base))
    with st.container(horizontal=True, gap="small"):
        for number, rating in rating_keys(allowed_ratings()):
            st.button(rating, key=f"rate_{number}", shortcut=number, on_click=set_rating, args=(base, rating),
                      disabled=disabled, type="primary" if rating == review.rating else "tertiary")
    refused_here(review.claim_id, "rating")


def refused_here(claim_id: str, field: str) -> None:
    """Why a change of this field was just refused, right under its control."""
    message = refusal(claim_id, field)
    if message:
        st.error(md(message), icon=":material/block:")


def evidence_card(evidence: Evidence) -> str:
    """One passage: source, score, the model's stance and rationale, the quote highlighted inside the passage."""
    title = h(evidence.article.title or evidence.article.source or evidence.chunk_id)
    url = safe_url(evidence.article.url)
    source = f'<a href="{h(url)}" target="_blank" rel="noopener noreferrer">{title}</a>' if url else title
    found = locate(evidence.quote, evidence.text) if evidence.grounded and evidence.quote else None
    body = highlight(evidence.text, found[0], found[1], "fc-quote") if found else h(evidence.text)
    warning = ""
    if not evidence.grounded:
        warning = ('<div class="fc-ungrounded">⚠ Ungrounded: the model\'s quote is not in this passage, so this '
                   f"judgment is not counted. Quote given: “{h(evidence.quote)}”</div>" if evidence.quote else
                   '<div class="fc-ungrounded">⚠ Ungrounded: no usable judgment for this passage.</div>')
    meta = " · ".join(x for x in (h(evidence.article.published), f"score {evidence.passage.score:.2f}",
                                  f"model: {h(evidence.stance.value)} ({evidence.strength:.2f})") if x)
    return (f'<div class="fc-card"><div><b>{source}</b> <span class="fc-muted">{meta}</span></div>'
            f'<div>{body}</div><div class="fc-muted">{h(evidence.rationale)}</div>{warning}</div>')


def render_passage(evidence: Evidence, review: Review) -> None:
    """A passage card with the reviewer's stance override."""
    st.html(evidence_card(evidence))
    options = list(Stance)
    current = effective_stance(evidence, review)
    key = widget_key(f"stances.{evidence.chunk_id}", review)
    st.selectbox("Your stance", options, index=options.index(current), key=key, disabled=not reviewer(),
                 format_func=lambda s: "Your stance: " + STANCE_NAMES[s] + (" (model)" if s == evidence.stance else ""),
                 on_change=on_widget_change, label_visibility="collapsed",
                 args=(f"stances.{evidence.chunk_id}", key, review.model_dump_json(),
                       lambda value, model=evidence.stance: "" if value == model else value))


@st.fragment
def render_evidence(run_id: str, claim: Claim) -> None:
    """Evidence grouped by (the reviewer's) stance: supports and contradicts side by side, unrelated below.

    A fragment: overriding a stance regroups the cards without rerunning the page.
    """
    conflict = st.session_state.get(CONFLICT_KEY)
    if conflict and conflict["claim_id"] == claim.id and not conflict.get("shown"):
        st.rerun(scope="app")  # a stance save conflicted: the decision form shows it and how to resolve it
    flash = st.session_state.pop(FLASH_KEY, None)
    if flash:
        getattr(st, flash[0])(md(flash[1]))
    review = review_store().get(run_id, claim.id)
    groups = {stance: [e for e in claim.evidence if effective_stance(e, review) == stance] for stance in Stance}
    st.markdown(f"**Evidence** ({len(claim.evidence)} passages)")
    left, right = st.columns(2)
    for column, stance in ((left, Stance.SUPPORTS), (right, Stance.CONTRADICTS)):
        with column:
            st.markdown(f"{STANCE_ICONS[stance]} ({len(groups[stance])})")
            for evidence in groups[stance]:
                render_passage(evidence, review)
    with st.expander(f"{STANCE_ICONS[Stance.UNRELATED]} ({len(groups[Stance.UNRELATED])})"):
        for evidence in groups[Stance.UNRELATED]:
            render_passage(evidence, review)


def render_history(result: RunResult, claim: Claim) -> None:
    """The audit trail of this claim."""
    events = review_store().history(result.run_id, claim.id)
    with st.expander(f"History ({len(events)} changes)"):
        if events:
            st.dataframe([{"at": e.at, "reviewer": e.reviewer, "field": e.field, "from": e.old, "to": e.new}
                          for e in reversed(events)], hide_index=True)


def render_detail(result: RunResult, rows: list[QueueRow], claim: Claim) -> None:
    """The whole claim view."""
    render_navigation(rows, claim.id)
    render_claim_header(claim, render_article_warnings(result, claim))
    left, right = st.columns([3, 2])
    with left:
        render_context(result, claim)
    with right:
        render_decision(result.run_id, claim)
    render_factchecks(result.run_id, claim)
    render_evidence(result.run_id, claim)
    render_history(result, claim)
