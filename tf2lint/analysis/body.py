"""Facts about the code of one function that rules ask for, each read in one pass over the function and kept
for it: the plain names it stores, the names its loops rebind, the names it binds once to a literal, the
variables of the loops over Python values around each node, the `with` items around each node, the attributes
it assigns, the calls whose result it keeps on an attribute, and the statement of its body that holds a node.

Like ``ast.walk``, these passes include nested functions and lambdas: a store anywhere in the function's text
counts. The memos hold functions weakly (a memo that held them kept whole trees alive for the collector).
"""

from __future__ import annotations

import ast
import weakref
from collections.abc import Callable
from typing import TypeVar

from tf2lint.analysis.names import Function
from tf2lint.analysis.summary import first_param

_K = TypeVar("_K")
_T = TypeVar("_T")
_LOOPS = (ast.For, ast.AsyncFor, ast.While)


def weak_memo(compute: Callable[[_K], _T]) -> Callable[[_K], _T]:
    """``compute`` once per key, the answer kept while the key lives (a function, a module's analysis)."""
    known: weakref.WeakKeyDictionary[_K, _T] = weakref.WeakKeyDictionary()

    def read(key: _K) -> _T:
        found = known.get(key)
        if found is None:
            found = known[key] = compute(key)
        return found

    read.__doc__ = compute.__doc__
    return read


@weak_memo
def name_stores(func: Function) -> tuple[ast.Name, ...]:
    """Every plain name the function assigns (the nodes: the server's incremental analysis moves the lines of
    statements it keeps, so a line read here would go stale)."""
    return tuple(n for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))


@weak_memo
def loop_rebound(func: Function) -> frozenset[str]:
    """Names a loop of the function rebinds: the targets of its `for`s and comprehensions, and every plain
    name assigned inside a `for` or `while`."""
    rebound: set[str] = set()
    for node in ast.walk(func):
        if isinstance(node, (ast.For, ast.AsyncFor, ast.comprehension)):
            rebound.update(n.id for n in ast.walk(node.target) if isinstance(n, ast.Name))
        if isinstance(node, _LOOPS):
            rebound.update(n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))
    return frozenset(rebound)


@weak_memo
def constant_locals(func: Function) -> dict[str, int | str]:
    """Names the function binds exactly once, with `name = <int or str literal>`, that are none of its
    parameters and that no loop rebinds: the same value wherever the function reads them after that."""
    counts: dict[str, int] = {}
    for store in name_stores(func):
        counts[store.id] = counts.get(store.id, 0) + 1
    params = {arg.arg for arg in ast.walk(func.args) if isinstance(arg, ast.arg)}
    rebound = loop_rebound(func)
    found: dict[str, int | str] = {}
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) \
                and isinstance(node.value, ast.Constant) and type(node.value.value) in (int, str):
            name = node.targets[0].id
            if counts.get(name) == 1 and name not in params and name not in rebound:
                found[name] = node.value.value
    return found


@weak_memo
def _python_loop_variables(func: Function) -> dict[int, frozenset[str]]:
    """Node id -> the targets of the `for` loops around it that iterate over Python values (`range(...)`,
    `enumerate(...)`, a literal list or tuple of constants): each iteration gives them a new Python value."""
    around: dict[int, frozenset[str]] = {}
    for loop in ast.walk(func):
        if isinstance(loop, ast.For) and _python_values(loop.iter):
            targets = frozenset(n.id for n in ast.walk(loop.target) if isinstance(n, ast.Name))
            for node in ast.walk(loop):
                around[id(node)] = around.get(id(node), frozenset()) | targets
    return around


@weak_memo
def _with_items(func: Function) -> dict[int, tuple[ast.expr, ...]]:
    """Node id -> the context expressions of the `with` statements around it, outermost first."""
    around: dict[int, tuple[ast.expr, ...]] = {}
    for statement in ast.walk(func):
        if isinstance(statement, (ast.With, ast.AsyncWith)):
            items = tuple(item.context_expr for item in statement.items)
            for inner in statement.body:
                for node in ast.walk(inner):
                    around[id(node)] = around.get(id(node), ()) + items  # (ast.walk meets outer ones first)
    return around


def with_items(func: Function, node: ast.AST) -> tuple[ast.expr, ...]:
    """The context expressions of the `with` statements of ``func`` around ``node`` (`variable_scope("blk")`)."""
    return _with_items(func).get(id(node), ())


def python_loop_variables(func: Function, node: ast.AST) -> frozenset[str]:
    """The variables of the loops over Python values in ``func`` around ``node`` (see `_python_loop_variables`)."""
    return _python_loop_variables(func).get(id(node), frozenset())


def _python_values(iterable: ast.expr) -> bool:
    if isinstance(iterable, (ast.List, ast.Tuple)):
        return all(isinstance(item, ast.Constant) for item in iterable.elts)
    return isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Name) and iterable.func.id in (
        "range", "enumerate")


@weak_memo
def attribute_stores(func: Function) -> frozenset[str]:
    """The attribute names the function assigns (`obj.<name> = ...`, whatever the object)."""
    return frozenset(n.attr for n in ast.walk(func) if isinstance(n, ast.Attribute) and isinstance(n.ctx, ast.Store))


def attribute_names(node: ast.AST) -> frozenset[str]:
    """Every attribute name a function or class spells (`obj.<name>`, read or written): for choosing a new one."""
    return frozenset(n.attr for n in ast.walk(node) if isinstance(n, ast.Attribute))


@weak_memo
def calls_kept_on_attributes(func: Function) -> tuple[tuple[str, str, ast.Call], ...]:
    """(holder, attribute, call) for each `holder.attr = Call(...)` or `holder.attr[key] = Call(...)` in the
    function."""
    found = []
    for node in ast.walk(func):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            for target in node.targets:
                if isinstance(target, ast.Subscript):
                    target = target.value
                if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                    found.append((target.value.id, target.attr, node.value))
    return tuple(found)


@weak_memo
def attribute_aliases(func: Function) -> dict[str, frozenset[tuple[str, str]]]:
    """Attribute of the function's first parameter (`self`) -> what the function binds to it, or to an item of it:
    `layer = self.a` gives ("local", "layer") for "a", `self.b = self.a[key]` gives ("self", "b")."""
    owner = first_param(func)
    if owner is None:
        return {}
    found: dict[str, set[tuple[str, str]]] = {}
    for node in ast.walk(func):
        if not (isinstance(node, ast.Assign) and len(node.targets) == 1):
            continue
        value = node.value.value if isinstance(node.value, ast.Subscript) else node.value
        if not (isinstance(value, ast.Attribute) and isinstance(value.value, ast.Name) and value.value.id == owner):
            continue
        target = node.targets[0]
        if isinstance(target, ast.Name):
            found.setdefault(value.attr, set()).add(("local", target.id))
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == owner:
            found.setdefault(value.attr, set()).add(("self", target.attr))
    return {attr: frozenset(aliases) for attr, aliases in found.items()}


def statement_holding(func: Function, node: ast.AST) -> ast.stmt | None:
    """The statement of ``func``'s own body whose source span holds ``node`` (the statements of one body never
    overlap; a nested def's span starts at its first decorator)."""
    if isinstance(func, ast.Lambda) or not hasattr(node, "lineno"):
        return None
    start = (node.lineno, node.col_offset)
    end = (node.end_lineno or node.lineno, node.end_col_offset or 0)
    for stmt in func.body:
        first = min([(stmt.lineno, stmt.col_offset)] + [(d.lineno, d.col_offset) for d in getattr(stmt, "decorator_list", ())])
        if first <= start and end <= (stmt.end_lineno or stmt.lineno, stmt.end_col_offset or 0):
            return stmt
    return None


_BLOCK_FIELDS = ("body", "orelse", "finalbody")


def same_block(func: Function, first: ast.AST, second: ast.AST) -> bool:
    """Whether two nodes of ``func`` lie in statements of one statement list (a body, an `else`), neither inside a
    block nested in its statement: run in that list's order, with no branch or loop between them."""
    if isinstance(func, ast.Lambda) or not (hasattr(first, "lineno") and hasattr(second, "lineno")):
        return False
    block: list[ast.stmt] = func.body  # type: ignore[union-attr]
    while True:
        holding = [_holding(block, node) for node in (first, second)]
        if holding[0] is None or holding[1] is None:
            return False
        nested = [_nested_block(stmt, node) for stmt, node in zip(holding, (first, second))]
        if holding[0] is not holding[1]:
            return nested == [None, None]
        if nested[0] is None or nested[0] is not nested[1]:
            return False
        block = nested[0]


def _holding(block: list[ast.stmt], node: ast.AST) -> ast.stmt | None:
    start = (node.lineno, node.col_offset)  # type: ignore[attr-defined]
    for stmt in block:
        if (stmt.lineno, stmt.col_offset) <= start <= (stmt.end_lineno or stmt.lineno, stmt.end_col_offset or 0):
            return stmt
    return None


def _nested_block(stmt: ast.stmt, node: ast.AST) -> list[ast.stmt] | None:
    """The statement list of ``stmt`` holding ``node`` (a `with` body, an `if`'s arms, ...), None where ``node`` is in
    the statement's own expressions. A handler's or a case's body is nested too, and never shared."""
    for field in _BLOCK_FIELDS:
        inner = getattr(stmt, field, None)
        if isinstance(inner, list) and inner and isinstance(inner[0], ast.stmt) and _holding(inner, node) is not None:
            return inner
    for part in (*getattr(stmt, "handlers", ()), *getattr(stmt, "cases", ())):
        if _holding(part.body, node) is not None:
            return [part]  # a fresh list: two nodes there are never in the same block
    return None
