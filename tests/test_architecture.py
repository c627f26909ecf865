"""Architecture rules that a reviewer would otherwise have to remember."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "pbvote"
FORBIDDEN_IN_CORE = (
    "flask",
    "flask_sqlalchemy",
    "sqlalchemy",
    "pandas",
    "plotly",
    "werkzeug",
    "jinja2",
    "wtforms",
)
FEATURES_IN_ORDER = ("auth", "processes", "proposals", "ballots", "results", "workshop")


def runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node outside `if TYPE_CHECKING:` blocks (typing-only imports may point the other way)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for child in ast.walk(node))
    return [node for node in ast.walk(tree) if id(node) not in skipped]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    names: set[str] = set()
    for node in runtime_nodes(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.joinpath("core").rglob("*.py")), ids=lambda p: p.name)
def test_core_imports_no_framework(path: Path) -> None:
    modules = imported_modules(path)
    bad = sorted(m for m in modules if m.split(".")[0] in FORBIDDEN_IN_CORE)
    assert not bad, f"{path} imports {bad}; pbvote.core must stay pure"
    features = sorted(m for m in modules if m.startswith("pbvote.") and not m.startswith("pbvote.core"))
    assert not features, f"{path} imports {features}; core depends on nothing"


def test_features_depend_one_way() -> None:
    for index, feature in enumerate(FEATURES_IN_ORDER):
        later = FEATURES_IN_ORDER[index + 1 :]
        for path in PACKAGE.joinpath(feature).rglob("*.py") if PACKAGE.joinpath(feature).is_dir() else []:
            wrong = [m for m in imported_modules(path) if m.split(".")[:2] in (["pbvote", f] for f in later)]
            assert not wrong, f"{path} imports later features {wrong}"


def test_nothing_is_loaded_from_a_cdn() -> None:
    for path in PACKAGE.rglob("*.html"):
        text = path.read_text("utf-8")
        for marker in ("http://", "https://", "//cdn"):
            for line in text.splitlines():
                if marker in line and ("src=" in line or "href=" in line):
                    pytest.fail(f"{path}: loads an external resource: {line.strip()}")
