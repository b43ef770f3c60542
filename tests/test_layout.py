"""The layout the README's Development section draws: data flows one way, so no module of the package imports,
directly or through others, a module that imports it (function-level imports included: deferring an import
hides a cycle from Python, not from a reader)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "tf2lint"


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package modules ``name`` imports. `from pkg import mod` imports `pkg.mod`, not `pkg`: a package's
    `__init__` runs first either way, but depending on a sibling is not depending on the package."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    edges = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base for alias in node.names]
        else:
            continue
        for target in targets:
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                edges.add(target)
    return edges


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert _cycles(graph) == []


def test_the_cycle_finder_sees_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_the_linter_never_imports_tensorflow() -> None:
    """Only the runtime half (and the reference shim) may import TensorFlow or Keras, and only lazily."""
    modules = _modules()
    for name, path in modules.items():
        if name.startswith(("tf2lint.runtime", "tf2lint.shim")):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                assert not any(n.split(".")[0] in ("tensorflow", "tf_keras", "keras", "tf_slim") for n in names), name



def test_the_package_has_no_unused_or_shadowed_names() -> None:
    """flake8's pyflakes codes (F) are clean over the package: an import kept only for a type checker must be
    used where pyflakes sees it, and a lazy import must not shadow a module-level one."""
    result = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "F", str(PACKAGE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0 and not result.stdout, result.stdout + result.stderr


def _imported_names(path: Path) -> set[str]:
    """`module.name` for each `from module import name` in a file (function-level ones included)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_server_reaches_the_analysis_only_through_its_adapter() -> None:
    """Every call from the language server into the analysis, the engine or the fixes goes through
    `hosts/lsp_analysis.py`; the server reads only the engine's noqa grammar."""
    imported = _imported_names(PACKAGE / "hosts" / "lsp.py")
    inward = {
        name for name in imported
        if name.startswith(("tf2lint.analysis", "tf2lint.fixing", "tf2lint.hosts.incremental", "tf2lint.engine"))
    }
    assert inward == {"tf2lint.engine.NOQA"}
    assert "tf2lint.hosts.lsp_analysis.ServerAnalysis" in imported


def test_rules_read_the_analysis_instead_of_walking_the_tree() -> None:
    """A rule reads facts the analysis computed (tf2lint/analysis/: the walk's sites, the class model,
    body.py's per-function facts, ...); it never walks a tree again with `ast.walk`."""
    walking = []
    for path in sorted((PACKAGE / "rules").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "walk" and isinstance(node.value, ast.Name) and node.value.id == "ast":
                walking.append(f"{path.name}:{node.lineno}")
    assert walking == []
