"""The self-contained HTML report: all text escaped, no scripts, no remote content (a CSP forbids them)."""

from __future__ import annotations

from html import escape

from pipeline.reports import cited_passages, method_note, model_suggestion, number_sources, safe_url, shown_evidence
from pipeline.types import ClaimReport, Report, Stance

_CSS = """body{font-family:Georgia,serif;max-width:50rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.5}
h1{font-size:1.7rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}h3{font-size:1.1rem;margin-bottom:.3rem}
.meta{color:#555;font-size:.9rem}.claim{border-left:4px solid #999;padding:.2rem 1rem;margin:1.2rem 0}
.decided{border-color:#2b6cb0}.pending{border-color:#c05621;background:#fffaf0}
.rating{font-weight:bold;font-size:1.05rem}.pending-label{font-weight:bold;color:#c05621}
blockquote{margin:.5rem 0;padding-left:.8rem;border-left:2px solid #ccc;color:#333}
.supports{color:#276749}.contradicts{color:#9b2c2c}.ungrounded{color:#b7791f;font-style:italic}
ol.sources li{margin:.3rem 0}footer{margin-top:2rem;font-size:.85rem;color:#555}"""
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; script-src 'none'; base-uri 'none'"


def _text(value: object) -> str:
    """Escape any text for HTML (quotes included)."""
    return escape(str(value), quote=True)


def _link(url: str, label: str) -> str:
    """A link only for safe http(s) URLs; otherwise the label as text."""
    target = safe_url(url)
    if not target:
        return _text(label)
    return f'<a href="{_text(target)}" rel="noopener noreferrer nofollow">{_text(label)}</a>'


def _claim_html(number: int, item: ClaimReport, sources: dict[str, int]) -> str:
    """One claim's section."""
    review = item.review
    parts = [f'<section class="claim {"decided" if item.decided else "pending"}">',
             f"<h3>{number}. {_text(item.claim.text)}</h3>"]
    if item.decided:
        verdict = f" · verdict: {_text(review.verdict.value.replace('_', ' '))}" if review.verdict else ""
        parts.append(f'<p class="rating">Rating: {_text(review.rating)}{verdict}</p>')
    else:
        parts.append(f'<p><span class="pending-label">Not yet reviewed</span> — machine suggestion only: '
                     f"{_text(model_suggestion(item))}</p>")
    parts.append(f"<blockquote>In the article: “{_text(item.claim.source_quote)}”</blockquote>")
    if item.decided and review.explanation:
        parts.append(f"<p>{_text(review.explanation)}</p>")
    items = []
    for stance, evidence in shown_evidence(item):
        css = "supports" if stance == Stance.SUPPORTS else "contradicts"
        quote = f": “{_text(evidence.quote)}”" if evidence.quote else ""
        flag = "" if evidence.grounded else ' <span class="ungrounded">(quote not found in the source; not counted)</span>'
        items.append(f'<li><span class="{css}">{stance.value}</span> '
                     f'<a href="#source-{sources[evidence.chunk_id]}">[{sources[evidence.chunk_id]}]</a>{quote}{flag}</li>')
    if items:
        parts.append("<ul>" + "".join(items) + "</ul>")
    if item.decided:
        people = ", ".join(item.reviewers) or review.reviewer
        parts.append(f'<p class="meta">Decided by {_text(people)} on {_text(review.updated_at[:10])}.</p>')
    return "\n".join(parts + ["</section>"])


def to_html(report: Report) -> str:
    """A publishable, self-contained HTML page."""
    run = report.run
    sources = number_sources(report)
    title = run.article.title or run.article.source or "Untitled article"
    decided = sum(1 for c in report.claims if c.decided)
    article_link = (f'<p class="meta">Article: {_link(run.article.url, run.article.url)}</p>'
                    if safe_url(run.article.url) else "")
    claims = "\n".join(_claim_html(n, item, sources) for n, item in enumerate(report.claims, start=1))
    source_items = []
    for number, passage in cited_passages(report):
        date = f", {_text(passage.date)}" if passage.date else ""
        source_items.append(f'<li id="source-{number}">{_link(passage.url, passage.title or passage.source)}'
                            f"{date}</li>")
    organisation = _link(report.organisation_url, report.organisation)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Fact-check: {_text(title)}</title><style>{_CSS}</style></head>
<body><header><h1>Fact-check: {_text(title)}</h1>
<p class="meta">{organisation} · {_text(report.generated_at[:10])} · {decided} of {len(report.claims)} claims
decided by a person</p>{article_link}</header>
<main><h2>Claims</h2>
{claims}
<h2>Sources</h2><ol class="sources">{''.join(source_items)}</ol></main>
<footer><h2>Method</h2><p>{_text(method_note(report))}</p></footer>
</body></html>
"""
