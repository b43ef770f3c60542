"""The name each `compat.v1` layer of a shim method takes on its first call, for `tf2lint migrate`.

The names are the variable-name model's (`variables.class_variables`: the one derivation, which TFS101's fix,
TFS115, `tf2lint variables` and the report read too). Migration rewrites the method in place, so it asks more
than known names: every variable-creating call reached from the method is written directly in it, outside
loops, branches and tf.functions, under `variable_scope`s with literal names and nothing else, no unknown
callee could open a scope first, a layer object is called once and no two layers share a name. Where that
does not hold, or the model does not know a name, the answer is why (`Unknown`), with the node to point at.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, NamedTuple

from tf2lint.analysis.variable_model import Unknown
from tf2lint.analysis.variables import class_variables
from tf2lint.knowledge import api, native
from tf2lint.knowledge.variables import UNKNOWN

if TYPE_CHECKING:
    from tf2lint.analysis.context import CallSite, ModuleContext
    from tf2lint.analysis.summary import ClassInfo


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


def _creates(site: CallSite) -> bool:
    return bool(
        functional_layer(site.names)
        or any(api.v1_layer_base_name(n) or api.auto_named_creator(n) or api.v1_rnn_cell_base_name(n) for n in site.names)
        or site.calls(api.VARIABLE_SCOPE, api.MAKE_TEMPLATE, api.GET_VARIABLE, api.GET_OR_CREATE_LAYER)
    )


def unknown_placement(site: CallSite, shim: ast.FunctionDef) -> Unknown | None:
    """Why what a creating call makes cannot be known from where it runs (in a helper, a loop, under a condition,
    inside a tf.function), or None: the names model and the Slim migration both stop there."""
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
    return None


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
        placed = unknown_placement(site, shim)
        if placed is not None:
            return placed
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
    called: dict[str, ast.Call] = {}
    for node in dict.fromkeys(s.node for s in ctx.sites if s.reach.shim is shim and object_layer(cls, s.node)):
        attr = node.func.attr  # type: ignore[attr-defined]
        if attr in called:
            return Unknown(node, f"`self.{attr}` is called more than once: its later calls reuse its first scope, "
                                 "which tf2lint does not migrate")
        called[attr] = node
    model = next((m for m in class_variables(ctx) if m.method is shim), None)
    if model is None:
        return Unknown(shim, "tf2lint does not model this method's variables (its class is not in this module)")
    if model.unknowns:
        return model.unknowns[0]
    names: dict[ast.Call, LayerName] = {}
    taken: dict[str, ast.Call] = {}
    for creation in model.creations:
        call = creation.called if creation.called is not None else creation.node
        layer = functional_layer(ctx.resolve(call.func, shim)) if creation.called is None else object_layer(cls, call)
        if layer is None or UNKNOWN in creation.scope:
            continue
        if creation.scope in taken:
            return Unknown(call, f"two layers take the name `{creation.scope}` and share its variables (TFS113): "
                                 "give them distinct names first")
        taken[creation.scope] = call
        *path, name = creation.scope.split("/")
        names[call] = LayerName(name, tuple(path), call not in model.reopened)
    return names
