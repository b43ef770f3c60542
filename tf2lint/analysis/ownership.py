"""Whether a call builds an object that owns variables of its own: built on every call of shim code, each
object makes them anew and nothing tracks them (TFS106).

A library class owns weights by the knowledge tables (`api.tracked_object_kind`). A project layer or module
owns them unless it provably owns nothing: no `build`, an `__init__` that only initialises its base, and a
`call` that makes nothing of its own. Undecorated, that `call` runs in the caller's variable store (measured:
an `Adapter()(x)` built per call in shim code reuses the caller's `get_variable`s, stable and tracked).
Decorated, it runs in the object's own store, which owns nothing when the shim walk from it reaches only
TensorFlow calls that create no variable (measured: a per-call `Sub()` whose decorated `call` holds only a
dropout changes nothing from call to call). A call the walk could not name, a call into the project, or a
function handed to a call is unknown there, and the object is taken to own weights, as before.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

from tf2lint.analysis.summary import first_param
from tf2lint.knowledge import api

if TYPE_CHECKING:
    from tf2lint.analysis.callables import Callee
    from tf2lint.analysis.context import CallSite, ModuleContext
    from tf2lint.analysis.summary import ClassInfo


def constructs_tracked_object(ctx: ModuleContext, site: CallSite) -> str | None:
    """Description of the weight-owning object a call constructs, if any."""
    for name in site.names:
        kind = api.tracked_object_kind(name)
        if kind:
            return f"`{name}`" if kind == name else f"`{name}` ({kind})"
    cls = ctx.class_called(site)
    if cls is None or ctx.v1_layer_base(cls) is not None:
        return None  # a v1 layer: its weights come from `get_variable`, reused by name in the shim's store
    kind = ctx.class_kind(cls)
    if kind not in ("keras", "module", "keras3") or owns_nothing(ctx, cls):
        return None
    return f"`{cls.name}` ({'tf.Module' if kind == 'module' else 'Keras layer'})"


def owns_nothing(ctx: ModuleContext, cls: ClassInfo) -> bool:
    """A project layer whose objects provably own no variable (see the module's docstring)."""
    callee = ctx.instance_call(cls)
    if callee is None:
        return False
    for klass in ctx.mro(cls):
        if "build" in klass.methods:
            return False
        init = klass.methods.get("__init__")
        if init is not None and any(not _initialises_base(c) for c in klass.module.own_calls(init)):
            return False
    return not ctx.is_shim_function(callee) or _store_stays_empty(ctx, callee)


def _store_stays_empty(ctx: ModuleContext, callee: Callee) -> bool:
    """Every call the shim walk reached from a decorated `call` is a TensorFlow API that creates no variable,
    handed only data the method was given, literals and TensorFlow constants (a function handed to a call, as
    in `tf.map_fn(self._block, x)`, runs what the walk does not follow)."""
    sites = [site for site in ctx.sites if site.reach.shim is callee.func]
    return bool(sites) and all(
        site.names and all(map(_creates_no_variable, site.names))
        and all(_is_data(arg, site, _given(ctx, site.func)) for arg in [*site.node.args, *(k.value for k in site.node.keywords)])
        for site in sites
    )


def _creates_no_variable(name: str) -> bool:
    return api.is_library_name(name) and not (
        api.creates_tf1_variables(name) or api.tracked_object_kind(name) or api.v1_rnn_cell_base_name(name)
        or api.is_v1_layer_class(name) or name == api.GET_OR_CREATE_LAYER
    )


_COMPOUND = (ast.Subscript, ast.Slice, ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.Tuple, ast.List,
             ast.Starred, ast.IfExp)


def _is_data(node: ast.expr, site: CallSite, given: set[str]) -> bool:
    """A parameter the calling function was ``given``, a literal, a TensorFlow constant, a call's result (a site
    of its own), or an expression of those; anything else may be a function."""
    if isinstance(node, (ast.Constant, ast.Call)):
        return True
    if isinstance(node, ast.Name):
        return node.id in given
    if isinstance(node, ast.Attribute):
        names = site.module.names.resolve(node, site.func) if site.module is not None else ()
        return bool(names) and all(map(api.is_library_name, names))
    if isinstance(node, _COMPOUND):
        return all(_is_data(child, site, given) for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr))
    return False


def _given(ctx: ModuleContext, func: ast.AST) -> set[str]:
    """A function's parameters but the object it is a method of (which a call may run)."""
    args = getattr(func, "args", None)
    if args is None:
        return set()
    every = {arg.arg for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs, *filter(None, (args.vararg, args.kwarg))]}
    return every - {first_param(func)} if func in ctx.owner else every


def _initialises_base(call: ast.Call) -> bool:
    """`super().__init__(...)`, `Base.__init__(self, ...)`, or the `super()` inside the first."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "__init__":
        return True
    return isinstance(func, ast.Name) and func.id == "super"
