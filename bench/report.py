"""How a benchmark reports: named tables (printed as text) inside one JSON-serialisable result."""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field


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


def _cpus() -> int:
    """CPUs this process may use."""
    import os

    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _cell(value: Any) -> str:
    """A table cell: floats with 3 decimals, lists joined."""
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


def render(result: SuiteResult) -> str:
    """All tables of a result, with the data, machine and date."""
    head = f"## bench {result.suite}\n\ndata: {result.data}  \nmachine: {result.machine}  \ndate: {result.date}"
    return "\n\n".join([head, *(render_table(t) for t in result.tables)]) + "\n"
