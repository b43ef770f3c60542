"""Callable values: which project functions a called expression runs.

A call's callee is often not the plain name of a function: ``functools.partial(self._f, ...)``, a
module-level ``P = functools.partial(block)``, a local alias ``fn = block`` (or ``fn = tf.function(block)``,
which runs ``block`` traced: `Callee.compiled`), a lambda bound to a local,
a dict, list or tuple of functions (local or module-level) indexed by a literal or not, the variable
of a loop over a literal list of functions, ``getattr(self, "_f")`` with a literal name, a conditional
expression, and a parameter whose callers pass a function. This module answers all of them with one
resolver; the plain names (``f``, ``self.f``, ``ops.f``, ``Base.f``) are looked up by the caller's
``lookup``. What it cannot see (a name assigned from an unknown call, a parameter no caller binds) gives
no callee: unknown is silent.
"""

from __future__ import annotations

import ast
import weakref
from collections.abc import Callable
from types import MethodType
from typing import Any, NamedTuple

from tf2lint.analysis.names import PARTIAL, Function, loop_items
from tf2lint.analysis.summary import FUNCTION_DEFS, ClassInfo, ModuleSummary
from tf2lint.knowledge import api

_MAX_DEPTH = 6  # aliases of aliases: deeper chains are unknown


class Callee(NamedTuple):
    """A project function a call runs, with the `self` it gets and how the call's arguments reach it."""

    func: Function
    self_name: str | None
    label: str
    module: ModuleSummary
    cls: ClassInfo | None = None  # a sub-layer's class, when the call runs its `call` through an instance
    # Whether the callee is called bound (its first parameter is not among the call's arguments); None: as
    # the call is spelled (`obj.f(...)` is bound).
    bound: bool | None = None
    partials: tuple[ast.Call, ...] = ()  # `functools.partial(...)` calls whose arguments come first, inner first
    # The `tf.function(f)` call the value was compiled by (`step = tf.function(self._step)`; `step(x)` runs `f`
    # traced), when it was.
    compiled: ast.Call | None = None
    # The construction of the instance whose `call` runs, when the calling function builds it on every run
    # (`Sub()(x)`, or `sub = Sub()` then `sub(x)`): a new object each time.
    built: ast.Call | None = None
    # One of the objects a list holds, another in each iteration of the loop over them (`for block in self.blocks:`).
    each: bool = False


# A frame of the walk: anything with `func`, `self_name`, `module`, `bindings` and `_replace(func=...)`.
Frame = Any
Lookup = Callable[[ast.expr, Frame], "Callee | None"]


class CallableValues:
    """The resolver, with its per-function memo of local assignments (each function body is read once)."""

    def __init__(self, lookup: Lookup) -> None:
        # An owner's bound method is held weakly: a strong one makes the owner, this resolver and every tree
        # they hold a reference cycle, which only the garbage collector frees (a third of a corpus run).
        self._lookup = weakref.WeakMethod(lookup) if isinstance(lookup, MethodType) else lambda: lookup
        self._assigned: dict[int, tuple[ast.AST, dict[str, list[ast.expr] | None]]] = {}
        self._lambda_parent: dict[ast.Lambda, Function | None] = {}  # a lambda's enclosing function

    def callees(self, expr: ast.expr, frame: Frame, depth: int = 0) -> list[Callee]:
        """The project functions ``expr`` may evaluate to, each once; [] when unknown."""
        if depth > _MAX_DEPTH:
            return []
        found: list[Callee] = []
        for callee in self._callees(expr, frame, depth):
            if all(callee.func is not c.func or callee.partials != c.partials for c in found):
                found.append(callee)
        return found

    def _callees(self, expr: ast.expr, frame: Frame, depth: int) -> list[Callee]:
        module: ModuleSummary = frame.module
        if isinstance(expr, ast.Lambda):
            module.names.register_lambda(expr, frame.func)
            self._lambda_parent.setdefault(expr, frame.func)
            return [Callee(expr, frame.self_name, "lambda", module, bound=False)]
        if isinstance(expr, ast.IfExp):
            return [*self.callees(expr.body, frame, depth + 1), *self.callees(expr.orelse, frame, depth + 1)]
        if isinstance(expr, ast.Call):
            return self._call_value(expr, frame, depth)
        if isinstance(expr, ast.Subscript):
            return [c for entry in self._entries(expr.value, expr.slice, frame, depth)
                    for c in self.callees(entry[0], entry[1], depth + 1)]
        if not isinstance(expr, (ast.Name, ast.Attribute)):
            return []
        direct = self._lookup()(expr, frame)
        if direct is not None:
            return [direct._replace(bound=_bound(direct, expr)) if isinstance(expr, ast.Attribute) else direct]
        if not isinstance(expr, ast.Name):
            return []
        passed = dict(frame.bindings).get(expr.id)
        if passed is not None and passed[0] == "fn":
            return list(passed[1])
        return [c for value, scope in self._values_of(expr.id, frame) for c in self.callees(value, scope, depth + 1)]

    def _call_value(self, call: ast.Call, frame: Frame, depth: int) -> list[Callee]:
        """``functools.partial(f, ...)``, ``tf.function(f)`` and ``getattr(obj, "name")`` evaluate to functions."""
        module: ModuleSummary = frame.module
        func = call.func
        attribute = literal_getattr(call, module, frame.func)
        if attribute is not None:
            return self.callees(attribute, frame, depth + 1)
        names = module.names.resolve(func, frame.func) if call.args else ()
        if api.TF_FUNCTION in names:
            return [c._replace(compiled=call, bound=_bound(c, call.args[0]))
                    for c in self.callees(call.args[0], frame, depth + 1) if c.compiled is None]
        if PARTIAL not in names:
            return []
        return [c._replace(partials=(*c.partials, call), bound=_bound(c, call.args[0]))
                for c in self.callees(call.args[0], frame, depth + 1)]

    def _entries(self, container: ast.expr, key: ast.expr, frame: Frame, depth: int) -> list[tuple[ast.expr, Frame]]:
        """The entries of a dict/list/tuple literal a subscript may select: the one a literal key names, else all."""
        literals: list[tuple[ast.expr, Frame]] = [(container, frame)] if isinstance(container, (ast.Dict, ast.List, ast.Tuple)) else []
        if isinstance(container, ast.Name) and depth <= _MAX_DEPTH:
            literals = [(v, s) for v, s in self._values_of(container.id, frame) if isinstance(v, (ast.Dict, ast.List, ast.Tuple))]
        found: list[tuple[ast.expr, Frame]] = []
        for literal, scope in literals:
            if isinstance(literal, ast.Dict):
                pairs = [(k, v) for k, v in zip(literal.keys, literal.values) if k is not None]
                chosen = [v for k, v in pairs if isinstance(key, ast.Constant) and isinstance(k, ast.Constant)
                          and k.value == key.value]
                found += [(v, scope) for v in (chosen[-1:] or [v for _k, v in pairs])]
            else:
                elements = [e for e in literal.elts if not isinstance(e, ast.Starred)]
                index = key.value if isinstance(key, ast.Constant) and type(key.value) is int else None
                if index is not None and -len(elements) <= index < len(elements):
                    elements = [elements[index]]
                found += [(e, scope) for e in elements]
        return found

    def local_value(self, name: str, func: Function, module: ModuleSummary) -> ast.expr | None:
        """The one value a function's own body assigns a local name (`sub = Sub()`), when nothing else binds it."""
        values = self._assignments(func, module).get(name)
        return values[0] if values is not None and len(values) == 1 else None

    def _values_of(self, name: str, frame: Frame) -> list[tuple[ast.expr, Frame]]:
        """What a local or module-level name is assigned, in the scope that assigns it (the function's own
        body, an enclosing function's, or the module's); a name also bound some other way is unknown."""
        module: ModuleSummary = frame.module
        func = frame.func
        while func is not None:
            values = self._assignments(func, module).get(name, [])
            if values is None:
                return []
            if values:
                scope = frame._replace(func=func)
                return [(v, scope) for v in values]
            if module.names.binds(func, name):
                return []  # a parameter or another kind of binding: unknown here
            func = module.parent_function.get(func) or self._lambda_parent.get(func)  # type: ignore[arg-type]
        if name in module.module_functions or name in module.class_by_name:
            return []
        values = self._assignments(module.tree, module).get(name) or []
        scope = frame._replace(func=None)
        return [(v, scope) for v in values]

    def _assignments(self, scope: ast.AST, module: ModuleSummary) -> dict[str, list[ast.expr] | None]:
        """Name -> the values a function (or module) body assigns it: `name = value`, and each element of a
        literal list/tuple a `for name in [...]` runs over. None for a name also bound in any other way."""
        memo = self._assigned.get(id(scope))
        if memo is not None and memo[0] is scope:
            return memo[1]
        found: dict[str, list[ast.expr] | None] = {}
        if isinstance(scope, ast.Lambda):
            return found  # binds only its parameters

        def unknown(target: ast.expr) -> None:
            for node in ast.walk(target):
                if isinstance(node, ast.Name):
                    found[node.id] = None

        def add(name: str, value: ast.expr) -> None:
            values = found.setdefault(name, [])
            if values is not None:
                values.append(value)

        stack: list[ast.AST] = list(getattr(scope, "body", []))
        while stack:
            stmt = stack.pop()
            if isinstance(stmt, (*FUNCTION_DEFS, ast.ClassDef)):
                continue
            if isinstance(stmt, ast.Assign):
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        add(target.id, stmt.value)
                    else:
                        unknown(target) if not isinstance(target, (ast.Attribute, ast.Subscript)) else None
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
                add(stmt.target.id, stmt.value)
            elif isinstance(stmt, (ast.For, ast.AsyncFor)):
                if isinstance(stmt.target, ast.Name) and isinstance(stmt.iter, (ast.List, ast.Tuple)):
                    for element in stmt.iter.elts:
                        add(stmt.target.id, element) if not isinstance(element, ast.Starred) else unknown(stmt.target)
                elif isinstance(stmt.target, ast.Name) and isinstance(stmt.iter, (ast.Name, ast.Attribute)):
                    # `for stage in stages:` over a name bound to a literal (or `for block in self.blocks:`): any of
                    # its entries
                    add(stmt.target.id, _any_item(stmt.iter))
                elif (items := loop_items(stmt)) is not None:
                    # `for i, block in enumerate(self.blocks):`, `for block, width in zip(self.blocks, widths):`
                    kept = {name for name, _container in items}
                    for element in stmt.target.elts:  # type: ignore[attr-defined]
                        unknown(element) if element.id not in kept else None
                    for name, container in items:
                        add(name, _any_item(container))
                else:
                    unknown(stmt.target)
            elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
                unknown(stmt.target)
            elif isinstance(stmt, (ast.With, ast.AsyncWith)):
                for item in stmt.items:
                    if item.optional_vars is not None:
                        unknown(item.optional_vars)
            for child in ast.iter_child_nodes(stmt):
                if isinstance(child, (ast.stmt, ast.excepthandler, ast.match_case)):
                    stack.append(child)
        walrus = not isinstance(scope, ast.Module) and module.mentions(":=")  # a text gate before the walk
        for node in ast.walk(scope) if walrus else ():
            if isinstance(node, ast.NamedExpr):
                unknown(node.target)
        self._assigned[id(scope)] = (scope, found)
        return found


ANY_ITEM = "_"  # the index of `_any_item`


def _any_item(container: ast.expr) -> ast.Subscript:
    """`container[_]`: one of its items, in a loop over them."""
    return ast.Subscript(value=container, slice=ast.Name(id=ANY_ITEM, ctx=ast.Load()), ctx=ast.Load())


def _bound(callee: Callee, expr: ast.expr) -> bool:
    """Whether a function taken as a value (``expr``) is bound: a method read through an object."""
    if callee.bound is not None:
        return callee.bound
    return isinstance(expr, ast.Attribute) and callee.self_name is not None


def merged_call(call: ast.Call, callee: Callee) -> ast.Call:
    """The call as the callee receives it: the partials' arguments first, then the call's own."""
    if not callee.partials:
        return call
    args: list[ast.expr] = []
    keywords: list[ast.keyword] = []
    for partial in callee.partials:
        args += partial.args[1:]
        keywords += partial.keywords
    merged = ast.Call(func=call.func, args=[*args, *call.args], keywords=[*keywords, *call.keywords])
    return ast.copy_location(merged, call)


def literal_getattr(expr: ast.expr, module: ModuleSummary, func: Function | None) -> ast.Attribute | None:
    """`getattr(obj, "name")` (the builtin, with a literal name) as the attribute `obj.name` it reads, else None."""
    if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id == "getattr"
            and len(expr.args) == 2):
        return None
    name = expr.args[1]
    if not (isinstance(name, ast.Constant) and isinstance(name.value, str) and name.value.isidentifier()):
        return None
    if module.names.is_local("getattr", func):
        return None
    return ast.copy_location(ast.Attribute(value=expr.args[0], attr=name.value, ctx=ast.Load()), expr)
