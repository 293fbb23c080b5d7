"""Export a run as a report: JSON (the result document) or Markdown."""

from __future__ import annotations

import re

from pipeline.types import Claim, ClaimStatus, Evidence, RunResult, Stance

FORMATS = ("md", "json")
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|<>~])")


def md_escape(text: str) -> str:
    """Article and model text rendered literally in Markdown: no links, images, HTML or emphasis."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))


def to_json(result: RunResult) -> str:
    """The stable result document."""
    return result.model_dump_json(indent=2)


def _evidence_line(number: int, evidence: Evidence) -> str:
    """One evidence bullet: stance, grounding, quote, source."""
    flag = "" if evidence.grounded else " **(ungrounded quote: not found in the passage; not counted)**"
    quote = f" — “{md_escape(evidence.quote)}”" if evidence.quote else ""
    return (f"- [{number}] *{evidence.stance.value}* (score {evidence.score:.2f}){flag}{quote}"
            f"  \n  {md_escape(evidence.rationale)}")


def _claim_section(index: int, claim: Claim, sources: dict[str, int]) -> list[str]:
    """A claim with its verdict and evidence."""
    lines = [f"### {index}. {md_escape(claim.text)}", ""]
    if claim.status == ClaimStatus.FAILED:
        lines += [f"**Failed:** {md_escape(claim.error)}", ""]
        return lines
    lines += [f"**Model verdict:** {claim.verdict.value} (confidence {claim.confidence:.2f}) · "
              f"check-worthiness {claim.checkworthiness:.2f}", "",
              f"> {md_escape(claim.source_quote)}", ""]
    for stance in (Stance.SUPPORTS, Stance.CONTRADICTS, Stance.UNRELATED):
        items = [e for e in claim.evidence if e.stance == stance]
        if items:
            lines.append(f"**{stance.value.capitalize()}:**")
            lines += [_evidence_line(sources[e.chunk_id], e) for e in items]
            lines.append("")
    return lines


def number_sources(result: RunResult) -> dict[str, int]:
    """Number every cited passage once, in order of first citation."""
    numbers: dict[str, int] = {}
    for claim in result.claims:
        for evidence in claim.evidence:
            numbers.setdefault(evidence.chunk_id, len(numbers) + 1)
    return numbers


def to_markdown(result: RunResult) -> str:
    """A readable report of the model's findings with numbered sources and a method note."""
    sources = number_sources(result)
    title = result.article.title or result.article.source or "Untitled article"
    lines = [f"# Fact-check report: {md_escape(title)}", "",
             f"Run `{result.run_id}` · {result.created_at} · engine: {md_escape(result.engine.label())}", ""]
    for index, claim in enumerate(result.claims, start=1):
        lines += _claim_section(index, claim, sources)
    lines += ["## Sources", ""]
    by_id = {e.chunk_id: e for c in result.claims for e in c.evidence}
    for chunk_id, number in sources.items():
        e = by_id[chunk_id]
        link = f" <{e.url}>" if e.url.startswith(("http://", "https://")) else ""
        lines.append(f"{number}. {md_escape(e.title or e.source)}{link} (passage `{chunk_id}`)")
    lines += ["", "## Method", "", method_note(result)]
    return "\n".join(lines) + "\n"


def method_note(result: RunResult) -> str:
    """How the findings were produced, stated plainly."""
    engine = result.engine
    prompts = ", ".join(f"{k} {v}" for k, v in sorted(result.prompt_versions.items()))
    made_by = ("the built-in offline heuristic engine (no language model)" if engine.kind == "offline"
               else f"the language model {engine.model} via {engine.provider}")
    return (f"Claims were extracted and evidence judged by {made_by}; passages retrieved with "
            f"{engine.retrieval or 'the configured retriever'} over embedding {engine.embedding}. "
            f"Prompt/model versions: {prompts}. Generated {result.created_at}. "
            f"LLM calls: {result.usage.llm_calls} ({result.usage.cached_calls} cached). "
            "These are machine suggestions: a person must review each claim before publication.")


def export(result: RunResult, fmt: str) -> str:
    """Render a run in one of FORMATS."""
    if fmt == "json":
        return to_json(result)
    if fmt == "md":
        return to_markdown(result)
    raise ValueError(f"unknown format {fmt}")
