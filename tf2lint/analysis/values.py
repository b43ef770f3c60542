"""The values a function's parameters take on a call path: literals passed or defaulted, and functions passed
as arguments; the `if` branches those values decide. Unknown values are left out (unknown is silent)."""

from __future__ import annotations

import ast
import re
import weakref
from collections.abc import Callable
from typing import NamedTuple

from tf2lint.analysis.body import constant_locals
from tf2lint.analysis.callables import Callee, CallableValues, Frame, merged_call
from tf2lint.analysis.callers import module_callers
from tf2lint.analysis.names import Function, walk_expr
from tf2lint.analysis.summary import FUNCTION_DEFS, FunctionDef, ModuleSummary, first_param, own_statements

# A parameter's value on a call path: ("str", text), ("none",), ("const", a bool or number), ("fn", callees)
# for a function passed as the argument, ("kwargs", ((key, value or None), ...)) for a `**kwargs` parameter (the
# keys passed into it), ("args", (value or None, ...)) for a `*args` parameter, or absent when unknown.
Value = tuple


def _defaults(func: Function, skip_self: bool = False) -> tuple[tuple[str, Value], ...]:
    """Parameter values when the caller passes nothing: the literal defaults."""
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    if skip_self:
        positional = positional[1:]
    found: list[tuple[str, Value]] = []
    for param, default in zip(positional[len(positional) - len(args.defaults):] if args.defaults else [], args.defaults):
        value = literal_value(default, {})
        if value is not None:
            found.append((param.arg, value))
    for param, default in zip(args.kwonlyargs, args.kw_defaults):
        value = literal_value(default, {}) if default is not None else None
        if value is not None:
            found.append((param.arg, value))
    return tuple(sorted(found))


# Parameters of `call` that Keras fills in itself whatever their default (measured: `fit` passes training=True).
_KERAS_FILLED = frozenset({"training", "mask"})


def naming_defaults(func: Function) -> tuple[tuple[str, Value], ...]:
    """An entry point's literal string and None defaults, skipping `self` (a bool or number default, such
    as ``training=False``, is what Keras or the caller overrides: unknown), and `training` / `mask`, which
    Keras passes: `if training:` under `training=None` is entered in training."""
    return tuple((k, v) for k, v in _defaults(func, skip_self=True) if v[0] != "const" and k not in _KERAS_FILLED)


def bind_call(
    call: ast.Call,
    callee: Callee,
    frame: Frame,
    bound: bool | None = None,
    callables: CallableValues | None = None,
) -> tuple[tuple[str, Value], ...]:
    """The values a call gives the callee's parameters (passed or defaulted); unknown ones are left out.
    ``bound``: whether the callee is called as a bound method (default: the callee's own answer, else the
    call is spelled `obj.f(...)`); ``callables``: also bind functions passed as arguments."""
    func = callee.func
    if bound is None:
        bound = callee.bound
    call = merged_call(call, callee)
    args = func.args
    positional = [p.arg for p in [*args.posonlyargs, *args.args]]
    if bound is None:
        bound = isinstance(call.func, ast.Attribute)
    if callee.self_name is not None and positional and bound:
        positional = positional[1:]  # bound method: `self` is not in the call's arguments
    values = dict(_defaults(func))
    caller = dict(frame.bindings)

    def value_of(arg: ast.expr) -> Value | None:
        value = literal_value(arg, caller)
        if value is None and isinstance(arg, ast.Name) and arg.id not in caller and frame.func is not None:
            value = _constant_local(frame.func, arg.id)  # `i = 0` then `block(x, i=i)`
        if value is None and callables is not None and isinstance(arg, (ast.Name, ast.Attribute, ast.Lambda, ast.Call)):
            found = callables.callees(arg, frame)
            value = ("fn", tuple(found)) if found else None
        return value

    passed: list[Value | None] = []
    for arg in call.args:
        if not isinstance(arg, ast.Starred):
            passed.append(value_of(arg))
            continue
        # `f(*args)` forwarding the caller's own `*args`, whose length the path knows: each item is passed
        forwarded = caller.get(arg.value.id) if isinstance(arg.value, ast.Name) else None
        if forwarded is None or forwarded[0] != "args":
            return ()
        passed.extend(forwarded[1])
    for name, value in zip(positional, passed):
        values.pop(name, None)
        if value is not None:
            values[name] = value
    if args.vararg is not None:
        values[args.vararg.arg] = ("args", tuple(passed[len(positional):]))  # the items passed, each value or None
    given: list[tuple[str, Value | None]] = []
    for keyword in call.keywords:
        if keyword.arg is not None:
            given.append((keyword.arg, value_of(keyword.value)))
            continue
        # `f(x, **kwargs)` forwarding the caller's own `**kwargs`, whose keys the path knows: each is passed
        forwarded = caller.get(keyword.value.id) if isinstance(keyword.value, ast.Name) else None
        if forwarded is None or forwarded[0] != "kwargs":
            return ()
        given.extend(forwarded[1])
    params = {p.arg for p in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    extra: list[tuple[str, Value | None]] = []
    for name, value in given:
        if name not in params and args.kwarg is not None:
            extra.append((name, value))
            continue
        values.pop(name, None)
        if value is not None:
            values[name] = value
    if args.kwarg is not None:
        values[args.kwarg.arg] = ("kwargs", tuple(extra))  # the keys passed, each with its value or None
    return _possible(func, values)


class _CallerFrame(NamedTuple):
    """A caller's frame of which nothing is known: a call binds only its literal arguments."""

    func: Function | None = None
    bindings: tuple = ()


_LITERALS_ONLY = _CallerFrame()


def bindings_from_callers(module: ModuleSummary, method: FunctionDef) -> list[dict[str, Value]] | None:
    """What each call of ``method`` on an object in its module (`self._block(x, scope="b1")`) binds its parameters
    to (passed or defaulted, literals only); None where the method may run from calls not seen (none is found, or
    its name is also read as a value)."""
    callers = module_callers(module)
    calls = callers.calls.get(method.name, [])
    if not calls or method.name in callers.values:
        return None
    callee = Callee(method, first_param(method), method.name, module)
    return [dict(bind_call(call, callee, _LITERALS_ONLY)) for call in calls]


def parameter_from_callers(module: ModuleSummary, method: FunctionDef, param: str) -> Value | None:
    """The one value every call of ``method`` in its module gives ``param`` (see `bindings_from_callers`); None
    where a call gives another or an unknown one, or where the method may run from calls not seen."""
    found = {bound.get(param) for bound in bindings_from_callers(module, method) or [{}]}
    return found.pop() if len(found) == 1 else None


def _constant_local(func: Function, name: str) -> Value | None:
    """The literal a local of the caller holds, when the function's own statements assign it one and nothing else
    binds it (`constant_locals`, whose walks of a large TF1 function are paid only then)."""
    body = func.body
    if not isinstance(body, list) or not any(
            type(stmt) is ast.Assign and len(stmt.targets) == 1 and type(stmt.targets[0]) is ast.Name
            and stmt.targets[0].id == name and type(stmt.value) is ast.Constant for stmt in body):
        return None
    fixed = constant_locals(func).get(name)
    return None if fixed is None else ("str", fixed) if isinstance(fixed, str) else ("const", fixed)


def _possible(func: Function, values: dict[str, Value]) -> tuple[tuple[str, Value], ...]:
    """The bindings, without a None the function's own code rules out (``"d_" + name`` raises on None)."""
    if ("none",) in values.values():  # (the walk over the body only when a None is to be ruled out)
        joined = _joined_with_text(func)
        values = {k: v for k, v in values.items() if not (v == ("none",) and k in joined)}
    return tuple(sorted(values.items()))


# Weak: a memo that held the functions kept hundreds of trees alive for the garbage collector to walk.
_JOINED: weakref.WeakKeyDictionary[Function, frozenset[str]] = weakref.WeakKeyDictionary()


def _joined_with_text(func: Function) -> frozenset[str]:
    """Parameters the function adds to a string literal (`"d_" + name`, `name + "/w"`): never None there."""
    known = _JOINED.get(func)
    if known is not None:
        return known
    found: set[str] = set()
    roots = [func.body] if isinstance(func, ast.Lambda) else own_statements(func)
    for root in roots:
        for node in walk_expr(root):
            if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
                for one, other in ((node.left, node.right), (node.right, node.left)):
                    if isinstance(one, ast.Name) and isinstance(other, ast.Constant) and isinstance(other.value, str):
                        found.add(one.id)
    _JOINED[func] = frozenset(found)
    return _JOINED[func]


def literal_value(expr: ast.expr | None, bindings: dict[str, Value]) -> Value | None:
    """A literal string, None, bool or number, directly or through a parameter whose value is known; else
    None (unknown). Functions passed as arguments are not values here (see `callables`)."""
    if isinstance(expr, ast.Constant):
        if expr.value is None:
            return ("none",)
        if isinstance(expr.value, str):
            return ("str", expr.value)
        if isinstance(expr.value, (bool, int, float)):
            return ("const", expr.value)
        return None
    if isinstance(expr, ast.Name):
        found = bindings.get(expr.id)
        return found if found is not None and found[0] != "fn" else None
    return None


def known_scalar(value: Value | None) -> int | str | None:
    """The int or str a known value holds (not a bool, None or a function), else None."""
    if value is None or len(value) < 2 or isinstance(value[1], bool) or not isinstance(value[1], (int, str)):
        return None
    return value[1]


# Three digits in a row: a field width of 100 or more would build a huge name (literal digits only cost knowing it).
_WIDE = re.compile(r"\d{3,}")


def formatted_text(expr: ast.expr | None, known: Callable[[ast.expr], int | str | None]) -> str | None:
    """The text Python builds from an f-string, `"block_%s" % tag` or `"{}_{}".format(a, i)` whose every part
    ``known`` gives (an int or a str), formatted by Python itself; None for anything else."""
    if isinstance(expr, ast.JoinedStr):
        parts = []
        for part in expr.values:
            if isinstance(part, ast.Constant):
                parts.append(str(part.value))
                continue
            plain = isinstance(part, ast.FormattedValue) and part.conversion == -1 and part.format_spec is None
            value = known(part.value) if plain else None  # type: ignore[attr-defined]
            if value is None:
                return None
            parts.append(str(value))
        return "".join(parts)
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod) and isinstance(expr.left, ast.Constant):
        template, items = expr.left.value, expr.right.elts if isinstance(expr.right, ast.Tuple) else [expr.right]
    elif isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute) and expr.func.attr == "format" \
            and isinstance(expr.func.value, ast.Constant) and not expr.keywords:
        template, items = expr.func.value.value, expr.args
    else:
        return None
    if not isinstance(template, str) or _WIDE.search(template) or any(isinstance(i, ast.Starred) for i in items):
        return None
    values = [known(item) for item in items]
    if any(value is None for value in values):
        return None
    try:
        return template % tuple(values) if isinstance(expr, ast.BinOp) else template.format(*values)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError):
        return None


def decided_branch(test: ast.expr, bindings: dict[str, Value]) -> bool | None:
    """The outcome of an ``if`` test that only reads parameters with known values (`if wd:`, `if wd is True:`,
    `if not wd:`, `if mode == "train":`, `if i != n - 1:` with int arithmetic); None when it depends on
    anything else."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = decided_branch(test.operand, bindings)
        return None if inner is None else not inner
    if isinstance(test, ast.Name):
        value = literal_value(test, bindings)
        return None if value is None else bool(value[1]) if len(value) > 1 else False
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1):
        return None
    op, right_node = test.ops[0], test.comparators[0]
    if isinstance(op, (ast.Is, ast.IsNot)):
        if not (isinstance(right_node, ast.Constant) and (right_node.value is None or isinstance(right_node.value, bool))):
            return None
        mine = _scalar(test.left, bindings)
        if mine is _UNKNOWN:
            return None
        return (mine is right_node.value) == isinstance(op, ast.Is)
    left, right = _scalar(test.left, bindings), _scalar(right_node, bindings)
    if left is _UNKNOWN or right is _UNKNOWN:
        return None
    if isinstance(op, (ast.Eq, ast.NotEq)):
        return (left == right) == isinstance(op, ast.Eq)
    if type(left) is int and type(right) is int and type(op) in _ORDER:
        return _ORDER[type(op)](left, right)
    return None


_UNKNOWN = object()
_ORDER = {ast.Lt: int.__lt__, ast.LtE: int.__le__, ast.Gt: int.__gt__, ast.GtE: int.__ge__}
_ARITHMETIC = {ast.Add: int.__add__, ast.Sub: int.__sub__, ast.Mult: int.__mul__}


def _scalar(expr: ast.expr, bindings: dict[str, Value]) -> object:
    """The value of a literal, a known parameter, or `+`, `-`, `*` and negation over known ints (small
    ones: a test's arithmetic, not a computation); `_UNKNOWN` otherwise."""
    if isinstance(expr, ast.Name):
        value = literal_value(expr, bindings)
        return _UNKNOWN if value is None else None if value == ("none",) else value[1]
    if isinstance(expr, ast.Constant):
        return expr.value if expr.value is None or type(expr.value) in (bool, int, str) else _UNKNOWN
    if isinstance(expr, ast.UnaryOp) and isinstance(expr.op, ast.USub):
        operand = _scalar(expr.operand, bindings)
        return -operand if type(operand) is int else _UNKNOWN
    if isinstance(expr, ast.BinOp) and type(expr.op) in _ARITHMETIC:
        left, right = _scalar(expr.left, bindings), _scalar(expr.right, bindings)
        if type(left) is int and type(right) is int and abs(left) < 1 << 20 and abs(right) < 1 << 20:
            return _ARITHMETIC[type(expr.op)](left, right)
    return _UNKNOWN


def dead_calls(func: Function, bindings: dict[str, Value]) -> set[int]:
    """Ids of the calls in branches of ``func``'s own `if`s that constant parameter values rule out."""
    dead: set[int] = set()
    if isinstance(func, ast.Lambda):
        return dead
    stack: list[ast.stmt] = list(func.body)
    while stack:
        stmt = stack.pop()
        if isinstance(stmt, (*FUNCTION_DEFS, ast.ClassDef)):
            continue
        if isinstance(stmt, ast.If):
            decided = decided_branch(stmt.test, bindings)
            if decided is not None:
                for branch in (stmt.orelse if decided else stmt.body):
                    dead.update(id(n) for n in ast.walk(branch) if isinstance(n, ast.Call))
                stack.extend(stmt.body if decided else stmt.orelse)
                continue
        stack.extend(child for child in ast.iter_child_nodes(stmt) if isinstance(child, ast.stmt))
    return dead
