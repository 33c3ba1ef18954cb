"""Floors inside the money apps, read from the source with ``ast`` (imports inside functions count).

- No import cycle between the modules of credits, billing, books or onboarding.
- On floor 5 the order is books, then billing, then onboarding: books imports neither billing nor
  onboarding, billing does not import onboarding.
- Scheduling (floor 2) imports neither credits (3) nor onboarding (5): they listen to its events
  and fill its booking guards.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "coachos"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules(app: str) -> dict[str, Path]:
    return {_module_name(p): p for p in (PACKAGE / app).rglob("*.py") if "migrations" not in p.parts}


def _imports(name: str, path: Path) -> set[str]:
    """Every module ``name`` imports (``from x import y`` counts y when it is a module)."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.add(target)
            found.update(f"{target}.{alias.name}" for alias in node.names)
    return found


def _graph(app: str) -> dict[str, set[str]]:
    modules = _modules(app)
    return {name: {t for t in _imports(name, path) if t in modules and t != name} for name, path in modules.items()}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle, or [] (depth-first search)."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return []

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


@pytest.mark.parametrize("app", ["credits", "billing", "books", "onboarding"])
def test_no_import_cycle_between_the_modules_of(app: str) -> None:
    graph = _graph(app)
    assert len(graph) > 3
    assert _cycle(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}) == ["a", "b", "c", "a"]


@pytest.mark.parametrize("lower, higher", [
    ("books", "billing"), ("books", "onboarding"), ("billing", "onboarding"),
    ("scheduling", "credits"), ("scheduling", "onboarding"),
])
def test_a_lower_app_does_not_import_a_higher_one(lower: str, higher: str) -> None:
    offending = sorted(
        f"{name} -> {target}"
        for name, path in _modules(lower).items()
        for target in _imports(name, path)
        if target == f"coachos.{higher}" or target.startswith(f"coachos.{higher}.")
    )
    assert offending == []
