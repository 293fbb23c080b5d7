"""The import graph: no cycles anywhere, and dependencies point one way (entry points → root → pipeline ← adapters)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

PACKAGES = ("pipeline", "llm", "vectorstore", "ui", "factcheck", "bench", "prompts")
ADAPTERS = ("llm", "vectorstore")
# (importer prefix, imported prefix, why): no module under the first may import one under the second.
FORBIDDEN = [
    ("pipeline", "llm", "the domain declares ports; adapters implement them"),
    ("pipeline", "vectorstore", "the domain declares ports; adapters implement them"),
    ("pipeline", "ui", "the domain knows nothing of the UI"),
    ("pipeline", "factcheck", "only entry points call the composition root"),
    ("pipeline", "bench", "benchmarks are not part of the product"),
    ("llm", "vectorstore", "adapters never import each other"),
    ("vectorstore", "llm", "adapters never import each other"),
    ("llm", "ui", "adapters never import the UI"),
    ("vectorstore", "ui", "adapters never import the UI"),
    ("ui", "chromadb", "the UI goes through the pipeline"),
    ("ui", "sqlite3", "the UI goes through the pipeline"),
    ("ui", "openai", "no client construction in the UI"),
    ("ui", "langchain_core", "no client construction in the UI"),
    ("ui", "langchain_openai", "no client construction in the UI"),
    ("ui", "llm", "no client construction in the UI"),
    ("ui", "vectorstore", "the UI goes through the composition root"),
]
# Entry points may call the composition root (DESIGN: __main__, console script, app.py).
ENTRY_POINTS = {"pipeline.__main__"}


def module_name(path: Path) -> str:
    """Dotted module name of a file under the repository root."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def first_party_files() -> dict[str, Path]:
    """Every first-party module and app.py."""
    files = {module_name(p): p for package in PACKAGES for p in (ROOT / package).rglob("*.py")}
    files["app"] = ROOT / "app.py"
    return files


def imports_of(path: Path, modules: set[str]) -> list[tuple[str, str | None]]:
    """(imported module, enclosing function or None) for every import statement anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, str | None]] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)) else function
            if isinstance(child, ast.Import):
                found.extend((alias.name, function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and not child.level:
                for alias in child.names:
                    candidate = f"{child.module}.{alias.name}"
                    found.append((candidate if candidate in modules else child.module, function))
            visit(child, inner)

    visit(tree, None)
    return found


def graph() -> dict[str, set[str]]:
    """First-party module → every module it imports (first-party or not), counting imports inside functions."""
    files = first_party_files()
    modules = set(files)
    return {name: {target for target, _ in imports_of(path, modules) if target != name}
            for name, path in files.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in edges:
                continue
            if target not in index:
                connect(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            connect(node)
    return found


def under(module: str, prefix: str) -> bool:
    """True when module is prefix or inside it."""
    return module == prefix or module.startswith(prefix + ".")


def violations(edges: dict[str, set[str]]) -> list[str]:
    """Every forbidden edge, as 'importer → imported (why)'."""
    bad = []
    for importer, targets in edges.items():
        if importer in ENTRY_POINTS:
            continue
        for target in targets:
            for source, forbidden, why in FORBIDDEN:
                if under(importer, source) and under(target, forbidden):
                    bad.append(f"{importer} → {target} ({why})")
    return sorted(bad)


def test_the_checker_finds_cycles_and_forbidden_edges():
    made_up = {"pipeline.a": {"pipeline.b"}, "pipeline.b": {"pipeline.a", "llm.x"}, "llm.x": {"pipeline.types"},
               "ui.page": {"sqlite3"}}
    assert cycles(made_up) == [["pipeline.a", "pipeline.b"]]
    assert violations(made_up) == ["pipeline.b → llm.x (the domain declares ports; adapters implement them)",
                                   "ui.page → sqlite3 (the UI goes through the pipeline)"]


def test_no_import_cycles():
    assert cycles(graph()) == []


def test_dependencies_point_one_way():
    assert violations(graph()) == []


def test_only_the_composition_root_builds_adapters():
    edges = graph()
    users = sorted(m for m, targets in edges.items() if any(under(t, a) for t in targets for a in ADAPTERS)
                   and not any(under(m, p) for p in (*ADAPTERS, "factcheck", "bench")))
    assert users == []


def test_the_cli_imports_bench_only_inside_the_bench_command():
    files = first_party_files()
    for name in ("pipeline.cli", "factcheck.cli"):
        places = {function for target, function in imports_of(files[name], set(files)) if under(target, "bench")}
        assert places <= {"run_bench"}, (name, places)
    loaded = subprocess.run([sys.executable, "-c", "import sys, factcheck.cli; print('bench' in sys.modules)"],
                            capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "False"


def test_search_ingest_and_the_offline_engine_start_without_langchain():
    code = ("import sys, factcheck.cli, pipeline.run\n"
            "from factcheck.wiring import Engine\n"
            "from pipeline.config import load_settings\n"
            "engine = Engine(load_settings(environ={'FACTCHECK_LLM__PROVIDER': 'offline'}))\n"
            "assert engine.llm is None and engine.extractor and engine.judge\n"
            "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(('langchain', 'openai', 'llm'))}))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.strip() == "[]"
