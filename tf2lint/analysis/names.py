"""Imports and aliases -> canonical TensorFlow names, without importing anything.

Every spelling of an API is reduced to one canonical dotted name:
``tf.compat.v1.layers.dense`` for the v1 layers, ``tf.compat.v1.keras.utils.track_tf1_style_variables``
for the shim, ``tf.keras.layers.Dense`` for tf.keras (also spelled ``tf_keras``), ``keras.*`` for Keras 3,
which is a different library. A name may have several candidates (``try/except ImportError`` alternatives,
conditional imports, rebinding); all of them count, in source order.
"""

from __future__ import annotations

import ast
import builtins
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tf2lint.knowledge.spellings import canonical

PYTHON_BUILTINS = frozenset(dir(builtins))  # Python's own names (where no binding of the module hides them)
PARTIAL = "functools.partial"  # binds a function's first arguments; calls through it run the function


def dotted(node: ast.AST) -> list[str] | None:
    """``a.b.c`` -> ``["a", "b", "c"]``; None for anything that is not a plain attribute chain."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    parts.reverse()
    return parts


Function = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


@dataclass
class _Scope:
    """Bindings of one function (or the module): imports/aliases by name, and other local names."""

    parent: _Scope | None
    aliases: dict[str, list[str]] = field(default_factory=dict)
    shadowed: set[str] = field(default_factory=set)
    stars: list[str] = field(default_factory=list)

    def bind(self, name: str, path: str) -> None:
        targets = self.aliases.setdefault(name, [])
        if path not in targets:
            targets.append(path)


class Names:
    """Resolves expressions of one module to canonical names, with Python's function scoping.

    The module's bindings are collected up front; a function's are collected the first time an
    expression inside it is resolved (most functions of a large module never are).
    ``parents`` maps each function to the function lexically enclosing it (None at module level).
    """

    def __init__(
        self,
        tree: ast.Module,
        parents: Mapping[ast.AST, Function | None] | None = None,
        package: str | None = None,
        chase: Callable[[str], tuple[str, ...]] | None = None,
    ) -> None:
        self._module = _Scope(parent=None)
        # Names module-level statements bind without making an alias (`x = f()`, `for x in ...`): not
        # shadowed, since a module-level name may still be imported by others, but not Python's builtins either.
        self._module_bound: set[str] = set()
        self._scopes: dict[ast.AST, _Scope] = {}
        self._parents: Mapping[ast.AST, Function | None] = parents if parents is not None else {}
        # The package relative imports start from (None: unknown, so they stay unresolved), and how to
        # follow a path through the project's own modules to what it finally names (identity by default).
        self._package = package
        self._chase = chase
        self._collect(tree.body, self._module, module_level=True)

    def paths(self, node: ast.AST, func: Function | None = None) -> tuple[str, ...]:
        """Fully qualified source paths an expression may refer to (empty when unknown or local)."""
        parts = dotted(node)
        return () if parts is None else self._paths(parts, func)

    def _paths(self, parts: list[str], func: Function | None) -> tuple[str, ...]:
        head, rest = parts[0], parts[1:]
        scope: _Scope | None = self._scope(func)
        while scope is not None:
            if head in scope.aliases:
                return tuple(".".join([target, *rest]) for target in scope.aliases[head])
            if head in scope.shadowed:
                return ()
            if scope.parent is None and scope.stars:
                return tuple(".".join([star, *parts]) for star in scope.stars)
            scope = scope.parent
        return ()

    def targets(self, node: ast.AST, func: Function | None = None) -> tuple[str, ...]:
        """Source paths an expression may refer to, followed through the project's own modules."""
        return self._followed(self.paths(node, func))

    def resolve(self, node: ast.AST, func: Function | None = None) -> tuple[str, ...]:
        """Canonical names an expression may refer to, deduplicated, in source order."""
        return _canonical(self.targets(node, func))

    def resolve_at_module_level(self, parts: list[str]) -> tuple[str, ...]:
        """`resolve` of the dotted name ``a.b.c`` spelled as ``["a", "b", "c"]``, at module level."""
        return _canonical(self._followed(self._paths(parts, None)))

    def _followed(self, paths: tuple[str, ...]) -> tuple[str, ...]:
        if self._chase is None:
            return paths
        seen: dict[str, None] = {}
        for path in paths:
            for final in self._chase(path):
                seen.setdefault(final, None)
        return tuple(seen)

    def module_bindings(self) -> Mapping[str, list[str]]:
        """Module-level imports and aliases: name -> source paths."""
        return self._module.aliases

    def module_stars(self) -> list[str]:
        """Modules star-imported at module level."""
        return self._module.stars

    def is_builtin(self, name: str, func: Function | None) -> bool:
        """``name`` is Python's own (`len`, `range`): no scope around ``func`` binds it, and no star import may."""
        if name not in PYTHON_BUILTINS or name in self._module_bound:
            return False
        scope: _Scope | None = self._scope(func)
        while scope is not None:
            if name in scope.aliases or name in scope.shadowed or scope.stars:
                return False
            scope = scope.parent
        return True

    def is_local(self, name: str, func: Function | None) -> bool:
        """True when ``name`` is bound by ``func`` or an enclosing function (so it hides module names)."""
        scope: _Scope | None = self._scope(func) if func is not None else None
        while scope is not None and scope.parent is not None:
            if name in scope.aliases or name in scope.shadowed:
                return True
            scope = scope.parent
        return False

    def binds(self, func: Function, name: str) -> bool:
        """True when ``func`` itself (not an enclosing scope) binds ``name``."""
        scope = self._scope(func)
        return name in scope.aliases or name in scope.shadowed

    def spell(self, name: str) -> str | None:
        """The shortest spelling of canonical ``name`` through this module's own imports/aliases."""
        best: str | None = None
        for alias, targets in self._module.aliases.items():
            for target in targets:
                prefix = canonical(target)
                if name == prefix:
                    candidate = alias
                elif name.startswith(prefix + "."):
                    candidate = alias + name[len(prefix):]
                else:
                    continue
                if best is None or len(candidate) < len(best):
                    best = candidate
        return best

    def is_bound(self, name: str) -> bool:
        """Whether the module binds ``name`` at top level (so an added import would clash)."""
        return name in self._module.aliases or name in self._module.shadowed

    def register_lambda(self, node: ast.Lambda, enclosing: Function | None) -> None:
        """Tell where a lambda sits, so that its parameters hide outer names inside it."""
        if node not in self._scopes and node not in self._parents:
            self._scopes[node] = self._new_scope(node, self._scope(enclosing))

    # -- collection -------------------------------------------------------------------------------

    def _scope(self, func: Function | None) -> _Scope:
        if func is None:
            return self._module
        scope = self._scopes.get(func)
        if scope is None:
            scope = self._new_scope(func, self._scope(self._parents.get(func)))
            self._scopes[func] = scope
        return scope

    def _new_scope(self, func: Function, parent: _Scope) -> _Scope:
        scope = _Scope(parent=parent)
        args = func.args
        for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]:
            if arg is not None:
                scope.shadowed.add(arg.arg)
        if not isinstance(func, ast.Lambda):
            self._collect(func.body, scope, module_level=False)
        return scope

    def _collect(self, body: list[ast.stmt], scope: _Scope, module_level: bool) -> None:
        """Record the bindings a block makes in ``scope``, in source order (nested defs are not entered)."""
        for stmt in flatten_blocks(body):
            self._bind_statement(stmt, scope, module_level)

    def _bind_statement(self, stmt: ast.stmt, scope: _Scope, module_level: bool) -> None:
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                if alias.asname:
                    scope.bind(alias.asname, alias.name)
                else:
                    root = alias.name.split(".", 1)[0]
                    scope.bind(root, root)
        elif isinstance(stmt, ast.ImportFrom):
            module = self._absolute(stmt)
            if module is None:
                for alias in stmt.names:
                    scope.shadowed.add(alias.asname or alias.name)
                return
            for alias in stmt.names:
                if alias.name == "*":
                    scope.stars.append(module)
                else:
                    scope.bind(alias.asname or alias.name, f"{module}.{alias.name}")
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            if not module_level:
                scope.shadowed.add(stmt.name)
            elif isinstance(stmt, ast.FunctionDef):
                for target in self._paths_in(_forwarded(stmt) or ast.Constant(None), scope):
                    scope.bind(stmt.name, target)  # `def tf1_compatible(m): return track(m)` is `track`
        elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            self._bind_assignment(stmt.targets[0].id, stmt.value, scope, module_level)
        elif not module_level:
            scope.shadowed.update(_bound_names(stmt))
        else:
            self._module_bound.update(_bound_names(stmt))

    def _absolute(self, stmt: ast.ImportFrom) -> str | None:
        """The absolute module an import-from names; None for a relative import with no known package."""
        if not stmt.level:
            return stmt.module
        if self._package is None:
            return None
        parts = self._package.split(".") if self._package else []
        if stmt.level - 1 > len(parts) or (stmt.level - 1 == len(parts) and not stmt.module):
            return None  # beyond the top-level package: Python raises ImportError
        base = parts[: len(parts) - (stmt.level - 1)]
        return ".".join([*base, stmt.module] if stmt.module else base) or None

    def _bind_assignment(self, name: str, value: ast.expr, scope: _Scope, module_level: bool) -> None:
        # `v1 = tf.compat.v1`: an alias. Resolved with the bindings made so far (source order), so
        # `tf = tf.compat.v1` adds a candidate instead of looping.
        targets = self._paths_in(_partial_target(value, self, scope), scope)
        if targets:
            for target in targets:
                scope.bind(name, target)
        elif not module_level:
            scope.shadowed.add(name)
        else:
            self._module_bound.add(name)

    def _paths_in(self, node: ast.expr, scope: _Scope) -> list[str]:
        parts = dotted(node)
        if parts is None:
            return []
        current: _Scope | None = scope
        while current is not None:
            if parts[0] in current.aliases:
                return [".".join([target, *parts[1:]]) for target in current.aliases[parts[0]]]
            if parts[0] in current.shadowed:
                return []
            current = current.parent
        return []


def _canonical(paths: tuple[str, ...]) -> tuple[str, ...]:
    """The canonical names of source paths, deduplicated, in order."""
    return tuple(dict.fromkeys(map(canonical, paths)))


def loop_items(loop: ast.For | ast.AsyncFor) -> list[tuple[str, ast.expr]] | None:
    """For `for i, item in enumerate(c):` and `for a, b in zip(c, d):`: each loop name bound to the items of a
    container, with that container (`i` is not: it counts); None for another loop."""
    target, iterated = loop.target, loop.iter
    if not (isinstance(target, ast.Tuple) and isinstance(iterated, ast.Call) and isinstance(iterated.func, ast.Name)
            and not iterated.keywords and not any(isinstance(a, ast.Starred) for a in iterated.args)
            and all(isinstance(e, ast.Name) for e in target.elts)):
        return None
    names = [e.id for e in target.elts]  # type: ignore[attr-defined]
    if iterated.func.id == "enumerate" and len(iterated.args) == 1 and len(names) == 2:
        return [(names[1], iterated.args[0])]
    if iterated.func.id == "zip" and len(iterated.args) == len(names) > 0:
        return list(zip(names, iterated.args))
    return None


def flatten_blocks(stmts: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a block including those nested in if/for/while/with/try/match (same scope)."""
    stack = list(reversed(stmts))
    while stack:
        stmt = stack.pop()
        yield stmt
        blocks = _NESTED_BLOCKS.get(type(stmt))
        if blocks is not None:  # most statements are simple: one dict lookup decides
            stack.extend(reversed(blocks(stmt)))


_NESTED_BLOCKS: dict[type, Callable[[Any], list[ast.stmt]]] = {
    ast.If: lambda s: [*s.body, *s.orelse],
    ast.For: lambda s: [*s.body, *s.orelse],
    ast.AsyncFor: lambda s: [*s.body, *s.orelse],
    ast.While: lambda s: [*s.body, *s.orelse],
    ast.With: lambda s: s.body,
    ast.AsyncWith: lambda s: s.body,
    ast.Try: lambda s: [*s.body, *[x for h in s.handlers for x in h.body], *s.orelse, *s.finalbody],
    ast.Match: lambda s: [x for case in s.cases for x in case.body],
}
if hasattr(ast, "TryStar"):
    _NESTED_BLOCKS[ast.TryStar] = _NESTED_BLOCKS[ast.Try]


def _bound_names(stmt: ast.stmt) -> set[str]:
    """Names a (non-import, non-def) statement binds in its own scope."""
    names: set[str] = set()
    kind = type(stmt)
    if kind is ast.Assign:
        for target in stmt.targets:  # type: ignore[attr-defined]
            _target_names(target, names)
    elif kind in (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor):
        _target_names(stmt.target, names)  # type: ignore[attr-defined]
    elif kind in (ast.With, ast.AsyncWith):
        for item in stmt.items:  # type: ignore[attr-defined]
            if item.optional_vars is not None:
                _target_names(item.optional_vars, names)
    elif kind in _TRY:
        names.update(h.name for h in stmt.handlers if h.name)  # type: ignore[attr-defined]
    return names


_TRY = (ast.Try, getattr(ast, "TryStar", ast.Try))


def _target_names(target: ast.expr, names: set[str]) -> None:
    """The names an assignment target binds: `x`, `a, (b, *c)`; `obj.attr = ...` and `x[i] = ...` bind none."""
    kind = type(target)
    if kind is ast.Name:
        names.add(target.id)  # type: ignore[attr-defined]
    elif kind is ast.Tuple or kind is ast.List:
        for element in target.elts:  # type: ignore[attr-defined]
            _target_names(element, names)
    elif kind is ast.Starred:
        _target_names(target.value, names)  # type: ignore[attr-defined]


def evaluation_order(statements: list[ast.stmt]) -> list[ast.Call]:
    """Calls of a block in the order Python runs them (arguments before the call; no nested defs)."""
    order: list[ast.Call] = []
    for statement in statements:
        _post_order_calls(statement, order)
    return order


def _post_order_calls(node: ast.AST, order: list[ast.Call]) -> None:
    # A module-level function, not a closure: a recursive closure is a reference cycle left to the collector.
    if isinstance(node, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return
    for child in ast.iter_child_nodes(node):
        _post_order_calls(child, order)
    if isinstance(node, ast.Call):
        order.append(node)


def walk_expr(node: ast.AST) -> Iterator[ast.AST]:
    """Iterative pre-order walk in source order that does not enter lambdas (they run later, if ever).

    The rules' searches spend most of their time in this loop, so children are read through a per-type
    table of the fields that can hold nodes (``ctx``, names and constants never do): measured, twice as
    fast as ``ast.iter_child_nodes``, which builds a generator per node and yields every ``Load()``."""
    stack = [node]
    pop, extend = stack.pop, stack.extend
    while stack:
        current = pop()
        yield current
        kind = type(current)
        if kind is ast.Lambda:
            continue
        fields = CHILD_FIELDS.get(kind)
        if fields is None:  # (a node type: its answer is a tuple)
            fields = child_fields(kind)
        children: list[ast.AST] = []
        for name in fields:
            value = getattr(current, name, None)
            if value is None:
                continue
            if type(value) is list:
                children.extend([item for item in value if isinstance(item, ast.AST)])
            elif isinstance(value, ast.AST):
                children.append(value)
        if children:
            children.reverse()
            extend(children)


# Node type -> the fields that may hold child nodes, in source order.
CHILD_FIELDS: dict[type, tuple[str, ...] | None] = {}  # (None: not a node type, e.g. a name in `global a, b`)
# Fields that never hold a node worth visiting (`ctx` holds the shared `Load()`/`Store()` singletons).
_NODE_LESS = frozenset({"ctx", "id", "arg", "attr", "name", "module", "level", "kind", "type_comment", "conversion"})


def names_in(expr: ast.AST) -> frozenset[str]:
    """Every plain name an expression spells, lambdas included (what it may read, or bind if a target)."""
    return frozenset(n.id for n in ast.walk(expr) if isinstance(n, ast.Name))


def child_fields(kind: type) -> tuple[str, ...] | None:
    """The fields of a node type that may hold nodes, kept in `CHILD_FIELDS` (the walks here and in
    constructs.py read that table first); None for a type that is no node."""
    if not issubclass(kind, ast.AST):
        fields = None
    else:
        fields = () if kind is ast.Constant else tuple(f for f in kind._fields if f not in _NODE_LESS)
    CHILD_FIELDS[kind] = fields
    return fields


# Keywords that name what a layer creates: a partial that fixes one of them is not the plain layer.
_NAMING_KEYWORDS = frozenset({"name", "scope", "name_or_scope"})


def _partial_target(value: ast.expr, names: Names, scope: _Scope) -> ast.expr:
    """``functools.partial(f, ...)`` -> ``f`` when the partial fixes no name (it then behaves like ``f``)."""
    if not (isinstance(value, ast.Call) and value.args):
        return value
    func = value.func
    if isinstance(func, ast.Attribute) and func.attr != "partial":
        return value  # `self.layer(x)`, `tf.reshape(x)`: most assignments; a name may be an alias of partial
    if PARTIAL not in names._paths_in(func, scope):
        return value
    if any(k.arg is None or k.arg in _NAMING_KEYWORDS for k in value.keywords):
        return value
    return value.args[0]


def _forwarded(func: ast.FunctionDef) -> ast.expr | None:
    """The decorator a project function only forwards to: ``def tf1_compatible(m): return track(m)`` (one
    parameter, an optional docstring, one `return`) -> ``track``, when its name says it may be the shim (any
    ``track...`` spelling; the resolution then decides). Calling it is calling that decorator."""
    args = func.args
    if func.decorator_list or len(args.args) != 1 or args.posonlyargs or args.kwonlyargs or args.vararg or args.kwarg:
        return None
    body = func.body[1:] if isinstance(func.body[0], ast.Expr) and isinstance(func.body[0].value, ast.Constant) else func.body
    if len(body) != 1 or not isinstance(body[0], ast.Return) or not isinstance(body[0].value, ast.Call):
        return None
    call = body[0].value
    if call.keywords or len(call.args) != 1 or not (isinstance(call.args[0], ast.Name) and call.args[0].id == args.args[0].arg):
        return None
    parts = dotted(call.func)
    return call.func if parts is not None and "track" in parts[-1] else None

