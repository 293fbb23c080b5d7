"""How a benchmark reports: named tables (printed as text) inside one JSON-serialisable result."""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field

from pipeline.engine import Engine
from pipeline.types import Usage

# The keys of `run_info`, in the order a comparison lists them.
RUN_KEYS = ["engine", "provider", "model", "server", "embedding", "prompt_versions", "llm_calls", "cached_calls",
            "input_tokens", "output_tokens", "model_seconds", "tokens_per_second", "wall_seconds"]

class Table(BaseModel):
    """Rows of values under named columns; `baseline` names the rows that are baselines."""

    title: str
    columns: list[str]
    rows: list[dict[str, Any]] = Field(default_factory=list)
    baseline: list[str] = Field(default_factory=list)
    note: str = ""


class SuiteResult(BaseModel):
    """One benchmark run: what was measured, on which data, on which machine, and the tables."""

    suite: str
    data: str
    tables: list[Table] = Field(default_factory=list)
    info: dict[str, Any] = Field(default_factory=dict)
    machine: str = Field(default_factory=lambda: f"{platform.machine()} · {_cpus()} CPUs · Python "
                                                 f"{platform.python_version()} · {platform.system()}")
    date: str = Field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


def run_info(engine: Engine, usage: Usage, wall_seconds: float) -> dict[str, Any]:
    """Which engine and model produced a suite's numbers, and what the model calls cost."""
    info = engine.info
    speed = usage.tokens_per_second()
    return {"engine": info.label(), "kind": info.kind, "provider": info.provider, "model": info.model,
            "server": getattr(engine.llm, "endpoint", "") if engine.llm is not None else "",
            "embedding": info.embedding, "prompt_versions": dict(engine.prompt_versions),
            "llm_calls": usage.llm_calls, "cached_calls": usage.cached_calls, "input_tokens": usage.input_tokens,
            "output_tokens": usage.output_tokens, "model_seconds": round(usage.model_seconds, 1),
            "tokens_per_second": round(speed, 1) if speed is not None else None,
            "wall_seconds": round(wall_seconds, 1)}


def _cpus() -> int:
    """CPUs this process may use."""
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _cell(value: Any) -> str:
    """A table cell: floats with 3 decimals, lists joined, n/a for an undefined value."""
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, list):
        separator = " / " if value and isinstance(value[0], list) else " "
        return separator.join(_cell(v) for v in value)
    return str(value)


def render_table(table: Table) -> str:
    """A Markdown table (readable in a terminal too)."""
    lines = [f"### {table.title}", "", "| " + " | ".join(table.columns) + " |",
             "|" + "|".join("---" for _ in table.columns) + "|"]
    for row in table.rows:
        lines.append("| " + " | ".join(_cell(row.get(c, "")) for c in table.columns) + " |")
    if table.note:
        lines += ["", table.note]
    return "\n".join(lines)


def _run_line(info: dict[str, Any]) -> str:
    """One line naming the engine and what its model calls cost (empty for a suite without run_info)."""
    if "llm_calls" not in info:
        return ""
    versions = ", ".join(f"{k} {v}" for k, v in info.get("prompt_versions", {}).items())
    return (f"  \nengine: {info['engine']} · embedding {info['embedding']} · prompts: {versions or 'none'}  \n"
            f"model calls: {info['llm_calls']} ({info['cached_calls']} cached) · tokens in/out "
            f"{info['input_tokens']}/{info['output_tokens']} · model s {info['model_seconds']} · tokens/s "
            f"{_cell(info['tokens_per_second'])} · wall s {info['wall_seconds']}")


def render(result: SuiteResult) -> str:
    """All tables of a result, with the data, machine, date and (for a quality suite) the engine and its cost."""
    head = (f"## bench {result.suite}\n\ndata: {result.data}  \nmachine: {result.machine}  \ndate: {result.date}"
            + _run_line(result.info))
    return "\n\n".join([head, *(render_table(t) for t in result.tables)]) + "\n"


def engine_row(table: Table, engine: str) -> dict[str, Any] | None:
    """The table's row named after the engine, or None (e.g. a per-article table)."""
    return next((r for r in table.rows if r.get(table.columns[0]) == engine), None)


def baseline_row(table: Table) -> dict[str, Any]:
    """The table's first baseline row (empty when it has none)."""
    return next((r for r in table.rows if r.get(table.columns[0]) in table.baseline), {})


def compare(results: list[SuiteResult]) -> str:
    """Results of one suite from different engines side by side, with the first result's baseline last."""
    if not results or len({r.suite for r in results}) != 1:
        raise ValueError("compare one or more results of the same suite")
    names = [str(r.info.get("engine", f"run {i}")) for i, r in enumerate(results, start=1)]
    lines = [f"| {results[0].suite} | " + " | ".join(names) + " | baseline (first run's items) |",
             "|---|" + "---|" * (len(names) + 1)]
    compared: list[tuple[Table, list[dict[str, Any]]]] = []
    for position, table in enumerate(results[0].tables):
        found = [engine_row(r.tables[position], name) if position < len(r.tables) else None
                 for r, name in zip(results, names)]
        if all(row is not None for row in found):  # a per-item table has no engine row: see each run's output
            compared.append((table, [row or {} for row in found]))
    for table, rows in compared:
        prefix = f"{table.title.split(' (')[0]}: " if len(compared) > 1 else ""
        baseline = baseline_row(table)
        lines.append(f"| {prefix}baseline | " + " | " * len(rows) + f"{_cell(baseline.get(table.columns[0], ''))} |")
        for column in table.columns[1:]:
            cells = [_cell(row.get(column, "")) for row in rows] + [_cell(baseline.get(column, ""))]
            lines.append(f"| {prefix}{column} | " + " | ".join(cells) + " |")
    extra = [k for r in results for k, v in r.info.items() if k not in RUN_KEYS and k != "kind"
             and isinstance(v, (int, float, str))]
    for key in RUN_KEYS[1:] + list(dict.fromkeys(extra)):
        cells = [_cell(_flat(r.info.get(key, ""))) for r in results]
        lines.append(f"| {key.replace('_', ' ')} | " + " | ".join(cells) + " |  |")
    return "\n".join(lines) + "\n"


def _flat(value: Any) -> Any:
    """A dict as `key value, ...` so it fits one table cell."""
    return ", ".join(f"{k} {v}" for k, v in value.items()) if isinstance(value, dict) else value
