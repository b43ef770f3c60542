"""Whether a call builds an object that owns variables of its own: built on every call of shim code, each
object makes them anew and nothing tracks them (TFS106).

A library class owns weights by the knowledge tables (`api.tracked_object_kind`). A project layer or module
owns them unless it provably owns nothing: no `build`, an `__init__` that only initialises its base, and a
`call` that makes nothing of its own (a weight it makes once, under a guard on its own state, is its own:
each new object makes it again). Undecorated, that `call` runs in the caller's variable store (measured:
an `Adapter()(x)` built per call in shim code reuses the caller's `get_variable`s, stable and tracked), and
so do the v1 layer objects and templates its `__init__` may build: the caller's store tracks their variables
(measured: a per-call object holding a `tf.compat.v1.layers.Dense` or a `make_template`, called under a named scope,
keeps the caller's variables; called at the root it makes new ones each call, as the numbering of the new object's
name goes on: growth, which `rebuilt_held_objects` finds for TFS101 and TFS103, not an untracked object).
Decorated, it runs in the object's own store, which owns nothing when the shim walk from it reaches only
TensorFlow calls that create no variable (measured: a per-call `Sub()` whose decorated `call` holds only a
dropout changes nothing from call to call). A call the walk could not name, a call into the project, or a
function handed to a call is unknown there, and the object is taken to own weights, as before.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tf2lint.analysis.body import weak_memo
from tf2lint.analysis.held_objects import attribute_values
from tf2lint.analysis.scope_names import argument_of
from tf2lint.analysis.summary import first_param, is_self_attr
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
    undecorated = not ctx.is_shim_function(callee)
    for klass in ctx.mro(cls):
        if "build" in klass.methods:
            return False
        init = klass.methods.get("__init__")
        if init is None:
            continue
        held = [ctor for ctor in klass.attr_ctors.values() if v1_object(ctx, klass, ctor, init)] if undecorated else []
        for call in klass.module.own_calls(init):
            if not (_initialises_base(call) or any(call.func is ctor for ctor in held)):
                return False
    if not undecorated:
        return _store_stays_empty(ctx, callee)
    return not any(_made_once_on_itself(ctx, site, cls) for site in ctx.sites)


@dataclass(frozen=True)
class RebuiltHeld:
    """A v1 layer object or template that a sub-layer's `__init__` makes, called outside a named scope, where the
    sub-layer is built anew on every call of a shim method: a new object each call, under a new name."""

    built: CallSite  # the construction of the sub-layer (`Sub()`), in the linted module
    call: CallSite  # `self.<attr>(...)` in the sub-layer's method
    attr: str
    kind: str  # the v1 layer class (canonical), `make_template`, or the project subclass of a v1 layer
    ctor: ast.Call  # its construction in `__init__`


@weak_memo
def rebuilt_held_objects(ctx: ModuleContext) -> tuple[RebuiltHeld, ...]:
    """Measured: a per-call `Sub()` whose undecorated `call` runs `self.fc` (`__init__`: `self.fc =
    tf.compat.v1.layers.Dense(4)`, with or without `name=`) or a template it holds makes `dense`, then `dense_1`
    (`t/w`, then `t_1/w`): tracked by the caller's store, but new every call. Under a named `variable_scope` the
    names, so the variables, are kept. Read by TFS101 and TFS103: worked out once per module."""
    found: list[RebuiltHeld] = []
    for site in ctx.sites:
        if site.fresh is None or any(scope.named and not scope.uniquified for scope in site.scopes):
            continue
        held = held_object(ctx, site)
        built = construction_site(ctx, site.fresh) if held is not None else None
        if built is not None:
            found.append(RebuiltHeld(built, site, *held))  # type: ignore[misc]
    return tuple(found)


def held_object(ctx: ModuleContext, site: CallSite) -> tuple[str, str, ast.Call] | None:
    """A call `self.<attr>(x)` in the undecorated `call` of a sub-layer (it runs in the caller's store), where an
    `__init__` sets attr to a v1 layer object or a template: (attr, its kind, its construction), made with each
    object (on every call, where the caller builds the sub-layer then: `site.fresh`)."""
    cls, func = site.reach.cls, site.node.func
    if cls is None or not isinstance(func, ast.Attribute):
        return None
    owner = ctx.owner.get(site.func)
    if owner is None or owner not in ctx.mro(cls) or not is_self_attr(func, first_param(site.func)):
        return None
    callee = ctx.instance_call(cls)
    if callee is None or ctx.is_shim_function(callee):
        return None  # decorated: its own store makes the variables (TFS106 reports the construction)
    attr = ctx.attribute(cls, func.attr)
    held = _held_v1_object(ctx, cls, attr)
    return (attr, *held) if held is not None else None


def name_argument(kind: str, ctor: ast.Call) -> ast.expr | None:
    """What a held object's construction names it (see `held_object`): a template's first argument or `name_=`,
    a v1 layer's `name=`; None when not given."""
    return argument_of(ctor, "name_", 0) if kind == api.MAKE_TEMPLATE else argument_of(ctor, "name", None)


def construction_site(ctx: ModuleContext, construction: ast.Call) -> CallSite | None:
    """The walk's site of a construction in the linted module (where a report about the object it builds goes)."""
    return _constructions(ctx).get(construction)


@weak_memo
def _constructions(ctx: ModuleContext) -> dict[ast.Call, CallSite]:
    return {s.node: s for s in ctx.sites if not ctx.is_foreign(s.module)}


def _held_v1_object(ctx: ModuleContext, cls: ClassInfo, attr: str) -> tuple[str, ast.Call] | None:
    """What ``attr`` holds, and where it is built, when an `__init__` of ``cls`` (or of a base) sets it to a v1
    layer object or a template."""
    for klass in ctx.mro(cls):
        ctor, init = klass.attr_ctors.get(attr), klass.methods.get("__init__")
        if ctor is not None and init is not None:
            kind = v1_object(ctx, klass, ctor, init)
            call = next((call for call in klass.module.own_calls(init) if call.func is ctor), None)
            return (kind, call) if kind is not None and call is not None else None
    return None


def _made_once_on_itself(ctx: ModuleContext, site: CallSite, cls: ClassInfo) -> bool:
    """A weight-owning object (a `tf.Variable`, a Keras layer, `self.add_weight`) made in a method of ``cls`` under
    a guard: made once per object, kept on it, so made again by each new object (measured: a per-call `Sub()`
    whose `call` caches a `tf.Variable` in its own dict, or makes `self.add_weight` under `if self.w is None:`,
    makes a new, untracked weight every call)."""
    owner = ctx.owner.get(site.func)
    if not (site.guarded or site.once) or owner is None or owner not in ctx.mro(cls):
        return False
    func = site.node.func
    if is_self_attr(func, first_param(site.func)) and func.attr in api.ADD_WEIGHT:  # type: ignore[attr-defined]
        return True
    return any(api.tracked_object_kind(name) for name in site.names)


def v1_object(ctx: ModuleContext, klass: ClassInfo, ctor: ast.expr, init: ast.AST) -> str | None:
    """What a constructor in ``klass``'s `__init__` builds when its objects' variables come from `get_variable`,
    by name, in the store of whoever calls them: a v1 layer class (`tf.compat.v1.layers.Dense`, canonical),
    `make_template`, or a project subclass of a v1 layer class (its name)."""
    for name in klass.module.names.resolve(ctor, init):
        if api.is_v1_layer_class(name) or name == api.MAKE_TEMPLATE:
            return name
    built = ctx.class_of(klass.module, ctor, init) if isinstance(ctor, (ast.Name, ast.Attribute)) else None
    return built.name if built is not None and ctx.v1_layer_base(built) is not None else None


def _store_stays_empty(ctx: ModuleContext, callee: Callee) -> bool:
    """Every call the shim walk reached from a decorated `call` is a TensorFlow API that creates no variable,
    handed only data the method was given, literals and TensorFlow constants (a function handed to a call, as
    in `tf.map_fn(self._block, x)`, runs what the walk does not follow)."""
    sites = [site for site in ctx.sites if site.reach.shim is callee.func]
    assigned: dict | None = None  # what the object's methods give its attributes, read once, when asked

    def constant(attr: str) -> bool:
        """`self.<attr>` is given only literals by the object's methods (`self.flag = True` in `__init__`)."""
        nonlocal assigned
        if assigned is None:
            assigned = attribute_values(ctx, callee.cls) if callee.cls is not None else {}
        values = assigned.get((attr, False))
        return bool(values) and all(isinstance(value, ast.Constant) for value, _method in values)

    return bool(sites) and all(
        site.names and all(map(_creates_no_variable, site.names))
        and all(_is_data(arg, site, _given(ctx, site.func), constant)
                for arg in [*site.node.args, *(k.value for k in site.node.keywords)])
        for site in sites
    )


def _creates_no_variable(name: str) -> bool:
    return api.is_library_name(name) and not (
        api.creates_tf1_variables(name) or api.tracked_object_kind(name) or api.v1_rnn_cell_base_name(name)
        or api.is_v1_layer_class(name) or name == api.GET_OR_CREATE_LAYER
    )


_COMPOUND = (ast.Subscript, ast.Slice, ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.Tuple, ast.List,
             ast.Starred, ast.IfExp)


def _is_data(node: ast.expr, site: CallSite, given: set[str], constant: Callable[[str], bool]) -> bool:
    """A parameter the calling function was ``given``, a literal, a TensorFlow constant, an attribute of the
    object that holds only literals (``constant``), a call's result (a site of its own), or an expression of
    those; anything else may be a function."""
    if isinstance(node, (ast.Constant, ast.Call)):
        return True
    if isinstance(node, ast.Name):
        return node.id in given
    if isinstance(node, ast.Attribute):
        module = site.module
        if module is not None and is_self_attr(node, module.object_name(site.func)) and constant(node.attr):
            return True
        names = module.names.resolve(node, site.func) if module is not None else ()
        return bool(names) and all(map(api.is_library_name, names))
    if isinstance(node, _COMPOUND):
        return all(_is_data(child, site, given, constant)
                   for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr))
    return False


def _given(ctx: ModuleContext, func: ast.AST) -> set[str]:
    """A function's parameters but the object it is a method of (which a call may run)."""
    args = getattr(func, "args", None)
    if args is None:
        return set()
    params = [*args.posonlyargs, *args.args, *args.kwonlyargs, *filter(None, (args.vararg, args.kwarg))]
    every = {param.arg for param in params}
    return every - {first_param(func)} if func in ctx.owner else every


def _initialises_base(call: ast.Call) -> bool:
    """`super().__init__(...)`, `Base.__init__(self, ...)`, or the `super()` inside the first."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "__init__":
        return True
    return isinstance(func, ast.Name) and func.id == "super"
