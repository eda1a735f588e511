"""``analytics`` sits beside ``planning``: it imports no package of the project above ``geodata``
(the dashboard imports it, never the other way)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "analytics"
ABOVE = {"etl", "access", "planning", "dashboard", "yipanqi", "synthetic", "app"}


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return names


def test_analytics_imports_nothing_above_it():
    modules = sorted(PACKAGE.glob("*.py"))
    assert len(modules) >= 5
    for path in modules:
        assert not imported(path) & ABOVE, path.name
