"""The name each `compat.v1` layer of a shim method takes on its first call, where that is certain.

One computation, read by TFS101's safe fix and by `tf2lint migrate`: `first_call_names`. A variable-name
model of the whole class (scopes, `get_variable`, Slim, templates) can replace it behind the same signature.

Certain means: every variable-creating call reached from the method is written directly in it, outside loops,
branches and tf.functions, under `variable_scope`s with literal names and nothing else, and no unknown callee
could open a scope first. Names then follow TF's own rule (`_get_unique_variable_scope`, measured on 2.21): a
layer opens `variable_scope(name)` when it has a name, else the first of `base`, `base_1`, ... that no scope
opened in the current scope yet; a v1 layer object does the same with its `name=` (or its class's base) as
the base, at its first call; leaving a `variable_scope` forgets the counts below it.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, NamedTuple

from tf2lint.analysis.names import evaluation_order
from tf2lint.knowledge import api, native

if TYPE_CHECKING:
    from tf2lint.analysis.context import CallSite, ModuleContext
    from tf2lint.analysis.summary import ClassInfo


class Unknown(NamedTuple):
    """Why the names cannot be known: the node to point at and a reason a user can act on."""

    node: ast.AST
    reason: str


class LayerName(NamedTuple):
    name: str  # what the layer's own scope is called (the last part of its variables' names)
    path: tuple[str, ...]  # the literal scopes around it, outermost first
    # No scope of that name was opened in its scope before: a layer object given `name=` takes it unchanged
    # (an object numbers even a given name, `fc` -> `fc_1`, where a functional layer reuses it).
    fresh: bool = True


def functional_layer(names: tuple[str, ...]) -> str | None:
    """The short name of a functional v1 layer (`dense`) among a callee's canonical names."""
    for name in names:
        if name.startswith(api.V1_LAYERS) and native.v1_functional(name[len(api.V1_LAYERS):]):
            return name[len(api.V1_LAYERS):]
    return None


def object_layer(cls: ClassInfo | None, call: ast.Call) -> str | None:
    """For `self.<attr>(...)`: the v1 layer class (`Dense`) the attribute holds, built once in `__init__`."""
    func = call.func
    if cls is None or not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name)):
        return None
    for name in cls.attr_types.get(func.attr, ()):
        if name.startswith(api.V1_LAYERS) and name[len(api.V1_LAYERS):] in native.V1_CLASSES:
            return name[len(api.V1_LAYERS):]
    return None


def literal_name(call: ast.Call, param: str = "name") -> str | None | bool:
    """The literal ``name=`` of a call: a string, None when absent, False when it is not a literal."""
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        return False
    value = next((k.value for k in call.keywords if k.arg == param), None)
    if value is None or (isinstance(value, ast.Constant) and value.value is None):
        return None
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else False


def _object_base(cls: ClassInfo, attr: str, klass: str) -> str | None | bool:
    ctor = cls.attr_ctors.get(attr)
    call = next((n for n in ast.walk(cls.node) if isinstance(n, ast.Call) and n.func is ctor), None)
    if call is None:
        return False
    given = literal_name(call)
    return native.V1_CLASSES[klass].base if given is None else given


def _creates(site: CallSite) -> bool:
    return bool(
        functional_layer(site.names)
        or any(api.v1_layer_base_name(n) or api.auto_named_creator(n) or api.v1_rnn_cell_base_name(n) for n in site.names)
        or site.calls(api.VARIABLE_SCOPE, api.MAKE_TEMPLATE, api.GET_VARIABLE, api.GET_OR_CREATE_LAYER)
    )


def _check_sites(ctx: ModuleContext, shim: ast.FunctionDef, cls: ClassInfo | None) -> Unknown | None:
    for site in ctx.sites:
        if site.reach.shim is not shim:
            continue
        if not _creates(site):
            if site.names and not any(n.startswith(("tf.", "keras.")) for n in site.names):
                if not any(n.startswith(api.V1_LAYERS) for n in site.names):
                    return Unknown(site.node, f"`{site.names[0]}` is not a TensorFlow call: tf2lint cannot see "
                                              "which variable scopes it opens")
            continue
        what = site.names[0] if site.names else "this call"
        if site.func is not shim:
            return Unknown(site.node, f"`{what}` runs in a helper ({getattr(site.func, 'name', '?')}) called from the "
                                      "shim method: inline it, or migrate the helper by hand")
        if site.in_loop:
            return Unknown(site.node, f"`{what}` runs in a loop: how many layers it makes is not known statically")
        if site.arms:
            return Unknown(site.node, f"`{what}` runs under a condition: whether it runs is not known statically")
        if site.reach.tf_function is not None:
            return Unknown(site.node, f"`{what}` runs inside a tf.function")
        if site.arg_scopes:
            return Unknown(site.node, "a `slim.arg_scope` supplies arguments tf2lint does not model: pass them "
                                      "explicitly and remove the arg_scope")
        for scope in site.scopes:
            if not scope.named or scope.name is None or scope.reenters:
                return Unknown(scope.node, "a `variable_scope` without a literal name: name it with a string")
            if scope.node.keywords or len(scope.node.args) != 1:
                return Unknown(scope.node, "a `variable_scope` with more than a name (reuse, default_name, ...)")
        if site.calls(api.VARIABLE_SCOPE):
            if site.node.keywords or len(site.node.args) != 1 or not isinstance(site.node.args[0], ast.Constant):
                return Unknown(site.node, "a `variable_scope` without a literal name: name it with a string")
            continue
        if site.calls(api.GET_VARIABLE):
            continue  # names its variable, opens no scope
        if functional_layer(site.names) is None:
            return Unknown(site.node, f"`{what}`: tf2lint does not know the names this creator takes "
                                      "(only functional `tf.compat.v1.layers` and v1 layer objects are modelled)")
        if literal_name(site.node) is False:
            return Unknown(site.node, f"`{what}` has a name that is not a string literal")
        if any(k.arg == "reuse" for k in site.node.keywords):
            return Unknown(site.node, f"`{what}` passes `reuse=`: it shares variables by name, which tf2lint "
                                      "does not migrate")
    return None


def first_call_names(ctx: ModuleContext, shim: ast.FunctionDef) -> dict[ast.Call, LayerName] | Unknown:
    """Functional v1 layers and v1 layer objects (`self.<attr>(...)`) called in ``shim`` -> the name each takes
    on the first call; or why that is not known."""
    cls = ctx.owner.get(shim)
    problem = _check_sites(ctx, shim, cls)
    if problem is not None:
        return problem
    counts: dict[tuple[str, ...], set[str]] = {}
    names: dict[ast.Call, LayerName] = {}
    objects_called: set[str] = set()
    full_names: dict[tuple[str, ...], ast.Call] = {}

    def take(path: tuple[str, ...], base: str, exact: bool) -> tuple[str, bool]:
        used = counts.setdefault(path, set())
        name, index, fresh = base, 1, not exact or base not in used
        while not exact and name in used:
            name, index = f"{base}_{index}", index + 1
        used.add(name)
        return name, fresh

    def close(path: tuple[str, ...]) -> None:
        for key in [k for k in counts if k[: len(path)] == path]:
            del counts[key]

    def walk(statements: list[ast.stmt], path: tuple[str, ...]) -> Unknown | None:
        for statement in statements:
            if isinstance(statement, ast.With):
                inner = path
                for item in statement.items:
                    for call in evaluation_order([ast.Expr(item.context_expr)]):
                        if (problem := visit(call, inner)) is not None:
                            return problem
                    expr = item.context_expr
                    if isinstance(expr, ast.Call) and api.VARIABLE_SCOPE in ctx.resolve(expr.func, shim):
                        inner = (*inner, expr.args[0].value)  # literal: checked with the sites
                if (problem := walk(statement.body, inner)) is not None:
                    return problem
                if inner != path:
                    close(inner[: len(path) + 1])
                continue
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            for call in evaluation_order([statement]):
                if (problem := visit(call, path)) is not None:
                    return problem
        return None

    def visit(call: ast.Call, path: tuple[str, ...]) -> Unknown | None:
        resolved = ctx.resolve(call.func, shim)
        if api.VARIABLE_SCOPE in resolved:
            take(path, call.args[0].value, exact=True)
            return None
        short = functional_layer(resolved)
        if short is not None:
            given = literal_name(call)
            name, fresh = take(path, given if given else native.V1_LAYERS[short].base, exact=bool(given))
        else:
            klass = object_layer(cls, call)
            if klass is None:
                return None
            attr = call.func.attr  # type: ignore[attr-defined]
            if attr in objects_called:
                return Unknown(call, f"`self.{attr}` is called more than once: its later calls reuse its first "
                                     "scope, which tf2lint does not model")
            objects_called.add(attr)
            base = _object_base(cls, attr, klass)  # type: ignore[arg-type]
            if base is False:
                return Unknown(call, f"`self.{attr}` has a name that is not a string literal")
            name, fresh = take(path, base, exact=False)  # type: ignore[arg-type]
        full = (*path, name)
        if full in full_names:
            return Unknown(call, f"two layers take the name `{'/'.join(full)}` and share its variables "
                                 "(TFS113): give them distinct names first")
        full_names[full] = call
        names[call] = LayerName(name, path, fresh)
        return None

    problem = walk(shim.body, ())
    return problem if problem is not None else names
