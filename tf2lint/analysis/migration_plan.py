"""Step 2 of the migration, decided per class: what `tf2lint migrate` may change, or why it must not.

A stage either migrates a whole class or leaves it as it is with reasons a user can act on; it never
changes what it cannot model (a layer whose arguments, name or number of calls are not known statically).

- ``objects``: each functional `tf.compat.v1.layers` call in the shim method becomes a v1 layer object
  built at the end of `__init__` on `self`, called in place, its `name=` pinned to the name the call takes
  today (`first_call_names`), so name-based checkpoint keys do not move and object paths are added.
  Each `w = get_variable(...)` is followed by `self.<name> = w`: the variable keeps its name and gains an
  object path.
- ``native``: each v1 layer object built in `__init__` becomes its native Keras layer on the same attribute
  (arguments from `tf2lint.knowledge.native`); where `compat.v1` layers remain in the method, a recorded scope
  (`with v1.variable_scope("dense"): pass`) after the object's call keeps their auto-generated names. Each
  TF-Slim layer call becomes a native Keras layer built in `__init__` (`tf2lint.analysis.slim_plan`: Slim has
  no objects stage), and the plan says which old variable each new weight loads from (`checkpoint_map`).
- ``weights``: each `get_variable` held on `self` becomes `self.add_weight` in a new `build`, the method
  reading the attribute; the checkpoint re-saved after the objects stage loads it by object path.

The host turns a plan into LibCST edits (`tf2lint.fixing.migrate`); it decides nothing.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tf2lint.analysis.layer_names import (
    LayerName, Unknown, first_call_names, functional_layer, literal_name, object_layer,
)
from tf2lint.analysis.names import evaluation_order
from tf2lint.analysis.slim_plan import (
    DropArgScope, SlimToNative, receiver_attribute, slim_calls, slim_sites, spent_arg_scopes, translate,
)
from tf2lint.analysis.summary import first_param
from tf2lint.knowledge import api, native

if TYPE_CHECKING:
    from tf2lint.analysis.context import ModuleContext
    from tf2lint.analysis.summary import ClassInfo

STAGES = native.STAGES

# Attributes a Keras layer or tf.Module already has: a new sub-layer must not shadow them.
_RESERVED = frozenset({"name", "dtype", "trainable", "weights", "losses", "input", "output", "built", "updates",
                       "variables", "submodules", "call", "build", "units", "activation", "inputs"})


@dataclass(frozen=True)
class ToObject:
    """objects: the functional call ``call`` -> ``self.<attribute>(<inputs>, <call keywords>)``, and
    ``self.<attribute> = <constructor>(<its other arguments>, name="<name>")`` at the end of `__init__`."""

    call: ast.Call
    attribute: str
    constructor: str  # spelled with the file's own aliases
    name: str
    inputs: int | str  # position of the inputs argument, or its keyword
    call_keywords: tuple[str, ...]  # keywords that go to the layer call (`training`)


@dataclass(frozen=True)
class ToNative:
    """native: the constructor ``constructor`` in `__init__` -> ``<keras>(..., <add_keywords>)``; and, when
    ``record_after`` is set, `with <record>("<record_name>"): pass` after that statement of the shim method."""

    constructor: ast.Call
    keras: str
    add_keywords: tuple[tuple[str, str], ...]
    record_after: ast.stmt | None = None
    record: str = ""
    record_name: str = ""


@dataclass(frozen=True)
class HoldVariable:
    """objects: after ``statement`` (`w = v1.get_variable(...)`), `self.<attribute> = <local>`: the variable
    keeps its name (the shim's store) and gains an object path for the checkpoint re-save."""

    statement: ast.stmt
    attribute: str
    local: str


@dataclass(frozen=True)
class ToWeight:
    """weights: ``get`` (`w = v1.get_variable(...)`) -> `w = self.<attribute>`; ``hold`` (`self.<attribute> = w`)
    goes; `self.<attribute> = self.add_weight(name="<name>", ...)` in a new `build(self, input_shape)`, the
    call's arguments by keyword (``positional``: their names), `<inputs>.shape` read as `input_shape`."""

    get: ast.Assign
    hold: ast.stmt
    attribute: str
    local: str
    name: str  # the variable's full name path (`dense/kernel`): a Keras weight named so ends with it
    positional: tuple[str, ...]
    inputs: tuple[str, ...]  # the call's inputs parameter and its plain copies (`out = inputs`) at that point
    add_keywords: tuple[tuple[str, str], ...] = ()  # `get_variable`'s defaults `add_weight` lacks


@dataclass
class ClassPlan:
    name: str
    line: int
    stage: str
    operations: list[ToObject | ToNative | HoldVariable | ToWeight | SlimToNative | DropArgScope] = field(
        default_factory=list)
    refusals: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    notes: list[tuple[int, str]] = field(default_factory=list)  # (line, what the stage leaves for another)
    # Old variable name (the name-keyed checkpoint's) -> the new weight that loads it (`self.conv.kernel`).
    checkpoint_map: list[tuple[str, str]] = field(default_factory=list)
    receiver: str = "self"  # the shim method's first parameter, and `__init__`'s: what the edits write
    init_receiver: str = "self"

    @property
    def status(self) -> str:
        if self.refusals:
            return "refused"
        return "migrated" if self.operations else "nothing to do"

    def refuse(self, node: ast.AST, reason: str) -> None:
        self.refusals.append((getattr(node, "lineno", self.line), reason))


def _spelled(ctx: ModuleContext, canonical: str, written: ast.expr | None = None, old: str = "", new: str = "") -> str | None:
    """How this file writes ``canonical``: through its own imports and aliases, else by renaming the last
    part of the expression the call was written with (`v1.layers.dense` -> `v1.layers.Dense`)."""
    found = ctx.names.spell(canonical)
    if found:
        return found
    if isinstance(written, ast.Attribute) and written.attr == old:
        return ast.unparse(written.value) + "." + new
    return None


def _shim_methods(ctx: ModuleContext, cls: ClassInfo) -> list[ast.FunctionDef]:
    return [func for func, _decorator, owner in ctx.shim_decorated if owner is cls and isinstance(func, ast.FunctionDef)]


def _init_assigned(cls: ClassInfo) -> set[str]:
    init = cls.methods.get("__init__")
    if init is None:
        return set()
    return {
        attr for node in ast.walk(init) if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if (attr := receiver_attribute(target, init)) is not None
    }


def _movable(ctx: ModuleContext, expr: ast.expr, method: ast.FunctionDef, assigned: set[str]) -> str | None:
    """Why ``expr`` cannot be evaluated once at the end of `__init__` instead of in the method, or None."""
    receiver = first_param(method)
    cls = ctx.owner.get(method)
    init = cls.methods.get("__init__") if cls is not None else None
    init_receiver = (first_param(init) if init is not None else None) or "self"
    for node in ast.walk(expr):
        if isinstance(node, ast.Name) and node.id == receiver != init_receiver:
            return f"it reads `{receiver}`, which `__init__` calls `{init_receiver}`: give the two one name"
        if isinstance(node, ast.Name) and node.id != receiver and ctx.names.is_local(node.id, method):
            return f"`{node.id}` is a value of the call"
        if isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
            return "it holds a lambda or an assignment expression"
        attr = receiver_attribute(node, method)
        if attr is not None and attr not in assigned:
            return f"`{receiver}.{attr}` is not set in `__init__`"
    return None


def _attribute(cls: ClassInfo, layer: LayerName, taken: set[str]) -> str:
    existing = {
        attr for method in cls.methods.values() for n in ast.walk(method)
        if (attr := receiver_attribute(n, method)) is not None
    } | set(cls.methods) | taken
    candidates = [layer.name, "_".join((*layer.path, layer.name)), f"{layer.name}_layer"]
    for candidate in candidates:
        if candidate not in existing and candidate not in _RESERVED and candidate.isidentifier():
            return candidate
    number = 2
    while f"{layer.name}_{number}_layer" in existing:
        number += 1
    return f"{layer.name}_{number}_layer"


def _slim_first(ctx: ModuleContext, cls: ClassInfo, shim: ast.FunctionDef, plan: ClassPlan) -> bool:
    """objects: a method with TF-Slim layers waits for `--stage native` (or is refused when those cannot be
    translated). There is no objects stage for Slim: no layer object keeps its variable names."""
    sites = slim_sites(ctx, shim)
    if not sites:
        return False
    found = slim_calls(ctx, cls, shim)
    if isinstance(found, tuple):
        plan.refuse(found[0], found[1])  # the node and the reason (an `Unknown` also says its module)
        return True
    first = min(sites, key=lambda s: (s.node.lineno, s.node.col_offset))
    v1 = any(functional_layer(s.names) for s in ctx.sites if s.reach.shim is shim)
    plan.notes.append((first.node.lineno, (
        f"`{first.names[0]}`" + (f" and {len(sites) - 1} more TF-Slim layer(s)" if len(sites) > 1 else "")
        + ": no layer object keeps TF-Slim's variable names (`weights`/`biases`; a layer object's are "
        "`kernel`/`bias`), so TF-Slim has no objects stage: `--stage native` translates them to native Keras "
        "layers and prints the checkpoint map"
        + ("; the compat.v1 layers of this class wait for that (their names are counted with TF-Slim's): run "
           "`--stage native`, then `--stage objects` again" if v1 else "")
    )))
    return True


def _plan_objects(
    ctx: ModuleContext, cls: ClassInfo, shim: ast.FunctionDef, plan: ClassPlan, checkpoint_only: bool = False
) -> None:
    if _slim_first(ctx, cls, shim, plan):
        return
    calls = [s.node for s in ctx.sites if s.reach.shim is shim and functional_layer(s.names)]
    gets = [s for s in ctx.sites if s.reach.shim is shim and s.calls(api.GET_VARIABLE)]
    if not calls and not gets:
        return
    names = first_call_names(ctx, shim)
    if isinstance(names, Unknown):
        plan.refuse(names.node, names.reason)
        return
    assigned = _init_assigned(cls) | {t.id for s in cls.node.body if isinstance(s, ast.Assign) for t in s.targets if isinstance(t, ast.Name)}
    taken: set[str] = set()
    for site in gets:
        _hold_variable(shim, cls, site.node, plan, taken)
    for call in calls:
        short = functional_layer(ctx.resolve(call.func, shim))
        entry = native.V1_LAYERS[short]  # type: ignore[index]
        layer = names[call]
        if not layer.path and literal_name(call) is None:
            plan.refuse(call, f"unnamed `{short}` outside a named `variable_scope`: it takes new names on every "
                              "call (TFS101); run `tf2lint check --fix` first")
            continue
        if not layer.fresh:
            plan.refuse(call, f"`name=\"{layer.name}\"` was opened as a scope before in the same scope: a layer "
                              f"object would be renamed `{layer.name}_1`; give it a name of its own")
            continue
        inputs: int | str
        if call.args and not isinstance(call.args[0], ast.Starred):
            inputs, rest = 0, call.args[1:]
        elif any(k.arg == "inputs" for k in call.keywords):
            inputs, rest = "inputs", call.args
        else:
            plan.refuse(call, f"`{short}` without its inputs argument")
            continue
        if len(rest) > entry.positional_object:
            plan.refuse(call, f"`{short}` passes more than {entry.positional_object} positional arguments after the "
                              "inputs: pass the later ones by keyword")
            continue
        regularizer = next((k.arg for k in call.keywords if k.arg and k.arg.endswith("_regularizer")), None)
        if regularizer is not None and not checkpoint_only:
            plan.refuse(call, (
                f"`{short}` has `{regularizer}=`: measured on TF 2.21, a compat.v1 layer object held on `self` "
                "adds its penalty twice to `layer.losses` under the shim (once through the shim's store, once "
                "as a sub-layer), so training would change; to re-save a checkpoint with object paths and go on "
                "to `--stage native` (which counts it once again), pass `--checkpoint-only`"
            ))
            continue
        moved = [*rest, *(k.value for k in call.keywords if k.arg not in ("inputs", "name", *entry.call_params))]
        reasons = [why for why in (_movable(ctx, expr, shim, assigned) for expr in moved) if why]
        if reasons:
            plan.refuse(call, f"an argument of `{short}` cannot be computed once in `__init__`: {reasons[0]}")
            continue
        constructor = _spelled(ctx, api.V1_LAYERS + entry.v1_class, call.func, short, entry.v1_class)
        if constructor is None:
            plan.refuse(call, f"no spelling of `tf.compat.v1.layers.{entry.v1_class}` in this file: import "
                              "`tensorflow` as `tf`")
            continue
        attribute = _attribute(cls, layer, taken)
        taken.add(attribute)
        call_keywords = tuple(k.arg for k in call.keywords if k.arg in entry.call_params)
        plan.operations.append(ToObject(call, attribute, constructor, layer.name, inputs, call_keywords))


def _variable_name(call: ast.Call) -> str | None:
    value = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "name"), None)
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def _scope_path(body: list[ast.stmt], node: ast.AST, path: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The literal `variable_scope` names around ``node`` in the method (checked literal by first_call_names)."""
    for statement in body:
        if isinstance(statement, ast.With) and any(node is n for n in ast.walk(statement)):
            names = tuple(item.context_expr.args[0].value for item in statement.items  # type: ignore[attr-defined]
                          if isinstance(item.context_expr, ast.Call) and item.context_expr.args
                          and isinstance(item.context_expr.args[0], ast.Constant))
            return _scope_path(statement.body, node, (*path, *names))
    return path


def _holder(body: list[ast.stmt], statement: ast.stmt) -> ast.stmt | None:
    """The statement right after ``statement`` in its block, if any."""
    for block in [body] + [s.body for s in ast.walk(ast.Module(body=body, type_ignores=[])) if isinstance(s, ast.With)]:
        for index, candidate in enumerate(block):
            if candidate is statement:
                return block[index + 1] if index + 1 < len(block) else None
    return None


def _holds(statement: ast.stmt | None, local: str, method: ast.FunctionDef) -> str | None:
    """`self.<attr> = <local>` -> attr."""
    if (isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.value, ast.Name)
            and statement.value.id == local):
        return receiver_attribute(statement.targets[0], method)
    return None


def _hold_variable(shim: ast.FunctionDef, cls: ClassInfo, call: ast.Call, plan: ClassPlan, taken: set[str]) -> None:
    statement = _statement_holding(shim.body, call)
    name = _variable_name(call)
    if (not isinstance(statement, ast.Assign) or statement.value is not call or len(statement.targets) != 1
            or not isinstance(statement.targets[0], ast.Name)):
        plan.refuse(call, "`get_variable` whose result is not assigned to a name of its own (`w = get_variable(...)`)")
        return
    if name is None:
        plan.refuse(call, "`get_variable` whose name is not a string literal")
        return
    local = statement.targets[0].id
    if _holds(_holder(shim.body, statement), local, shim) is not None:
        return  # held already
    attribute = _attribute(cls, LayerName(name, _scope_path(shim.body, call)), taken)
    taken.add(attribute)
    plan.operations.append(HoldVariable(statement, attribute, local))


def _plan_weights(ctx: ModuleContext, cls: ClassInfo, shim: ast.FunctionDef, plan: ClassPlan) -> None:
    gets = [s.node for s in ctx.sites if s.reach.shim is shim and s.calls(api.GET_VARIABLE)]
    if not gets:
        return
    if ctx.class_kind(cls) != "keras":
        plan.refuse(cls.node, "`add_weight` needs a Keras layer; a tf.Module keeps `get_variable` (or `tf.Variable`)")
        return
    if "build" in cls.methods:
        plan.refuse(cls.methods["build"], "the class has its own `build`: add the weights there by hand")
        return
    if shim.name != "call":
        plan.refuse(shim, f"the shim method is `{shim.name}`: Keras runs `build` only from its own `__call__`, "
                          "before `call`; decorate `call` instead")
        return
    names = first_call_names(ctx, shim)
    if isinstance(names, Unknown):
        plan.refuse(names.node, names.reason)
        return
    params = [a.arg for a in shim.args.args]
    inputs = params[1] if len(params) > 1 else ""
    assigned = _init_assigned(cls)
    # Moving creation to `build` runs it before the method: only when nothing else creates variables first.
    order = [c for c in evaluation_order(shim.body)]
    first_other = next((i for i, c in enumerate(order) if c not in gets and _creates_in(ctx, cls, shim, c)), len(order))
    for call in gets:
        if order.index(call) > first_other:
            plan.refuse(call, "another layer creates variables before this `get_variable`: in `build` it would be "
                              "created first and the random initialization would change order")
            return
        statement = _statement_holding(shim.body, call)
        hold = _holder(shim.body, statement) if statement is not None else None
        local = statement.targets[0].id if isinstance(statement, ast.Assign) and isinstance(statement.targets[0], ast.Name) else ""
        attribute = _holds(hold, local, shim) if local else None
        if attribute is None or not isinstance(statement, ast.Assign) or statement.value is not call:
            plan.refuse(call, "`get_variable` not held on `self` yet: run `--stage objects` first and re-save the "
                              "checkpoint (the weight's object path comes from there)")
            return
        unsupported = [k.arg for k in call.keywords if k.arg is None or k.arg in native.GET_VARIABLE_UNSUPPORTED]
        if unsupported or len(call.args) > len(native.GET_VARIABLE_PARAMS):
            plan.refuse(call, f"`get_variable` with `{unsupported[0] if unsupported else '*args'}`: "
                              "`add_weight` has no such argument")
            return
        known = _inputs_names(shim, inputs, call.lineno)
        for expr in [*call.args, *(k.value for k in call.keywords)]:
            why = _movable_to_build(ctx, expr, shim, known, assigned)
            if why:
                plan.refuse(call, f"an argument of `get_variable` cannot be computed in `build`: {why}")
                return
        given = {*native.GET_VARIABLE_PARAMS[: len(call.args)], *(k.arg for k in call.keywords)}
        add: tuple[tuple[str, str], ...] = ()
        if "initializer" not in given:
            if "dtype" in given:
                plan.refuse(call, "`get_variable` with a `dtype` and no `initializer`: its default depends on the "
                                  "dtype; pass the initializer explicitly")
                return
            default = _spelled(ctx, native.GET_VARIABLE_DEFAULT_INITIALIZER)
            if default is None:
                plan.refuse(call, "no spelling of `tf.compat.v1.glorot_uniform_initializer` (get_variable's default "
                                  "initializer) in this file: import `tensorflow` as `tf`")
                return
            add = (("initializer", f"{default}()"),)
        path = _scope_path(shim.body, call)
        plan.operations.append(ToWeight(
            statement, hold, attribute, local, "/".join((*path, _variable_name(call) or "")),
            native.GET_VARIABLE_PARAMS[: len(call.args)], known, add,
        ))


def _creates_in(ctx: ModuleContext, cls: ClassInfo, shim: ast.FunctionDef, call: ast.Call) -> bool:
    """Whether a call of the method may create variables: a layer, a creator, a layer object on `self`."""
    names = ctx.resolve(call.func, shim)
    if functional_layer(names) or any(api.creates_tf1_variables(n) for n in names) or api.VARIABLE_SCOPE in names:
        return api.VARIABLE_SCOPE not in names
    return receiver_attribute(call.func, shim) in cls.attr_ctors


def _inputs_names(method: ast.FunctionDef, inputs: str, line: int) -> tuple[str, ...]:
    """Names that hold the call's inputs unchanged at ``line``: the parameter and plain copies (`out = inputs`)
    assigned once, all before ``line`` (what the guide's `DenseLayer` does)."""
    if not inputs:
        return ()
    bindings: dict[str, list[ast.AST]] = {}
    for node in ast.walk(method):
        targets = (node.targets if isinstance(node, ast.Assign) else [node.target]
                   if isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.NamedExpr)) else [])
        for target in targets:
            for name in ast.walk(target):
                if isinstance(name, ast.Name):
                    bindings.setdefault(name.id, []).append(node)
    known = [inputs] if all(n.lineno >= line for n in bindings.get(inputs, [])) else []
    for name, nodes in bindings.items():
        before = [n for n in nodes if n.lineno < line]
        if (len(before) == 1 and isinstance(before[0], ast.Assign) and isinstance(before[0].value, ast.Name)
                and before[0].value.id in known and len(before[0].targets) == 1):
            known.append(name)
    return tuple(known)


def _movable_to_build(ctx: ModuleContext, expr: ast.expr, method: ast.FunctionDef, inputs: tuple[str, ...],
                      assigned: set[str]) -> str | None:
    """Like `_movable`, except that `<inputs>.shape` is known in `build` (as `input_shape`)."""
    shapes = {id(n.value) for n in ast.walk(expr) if isinstance(n, ast.Attribute) and n.attr == "shape"
              and isinstance(n.value, ast.Name) and n.value.id in inputs}
    receiver = first_param(method)
    for node in ast.walk(expr):
        if isinstance(node, ast.Name) and id(node) in shapes:
            continue
        if isinstance(node, ast.Name) and node.id != receiver and ctx.names.is_local(node.id, method):
            return (f"`{node.id}` is a value of the call"
                    + (f" (only the shape of the inputs, `{inputs[0]}.shape`, is known in `build`)" if inputs else ""))
        attr = receiver_attribute(node, method)
        if attr is not None and attr not in assigned:
            return f"`{receiver}.{attr}` is not set in `__init__`"
    return None


def _statement_holding(body: list[ast.stmt], node: ast.AST) -> ast.stmt | None:
    """The simple statement of ``body`` (or of `with` blocks in it) that holds ``node``."""
    for statement in body:
        if isinstance(statement, ast.With):
            if any(node in ast.walk(item.context_expr) for item in statement.items):
                return None
            found = _statement_holding(statement.body, node)
            if found is not None:
                return found
        elif any(child is node for child in ast.walk(statement)):
            return statement if not isinstance(statement, (ast.If, ast.For, ast.While, ast.Try)) else None
    return None


def _plan_slim_native(ctx: ModuleContext, cls: ClassInfo, shim: ast.FunctionDef, plan: ClassPlan) -> None:
    """Each TF-Slim layer call -> a native Keras layer built in `__init__`, called in place."""
    if not slim_sites(ctx, shim):
        return
    found = slim_calls(ctx, cls, shim)
    if isinstance(found, tuple):
        plan.refuse(found[0], found[1])  # the node and the reason (an `Unknown` also says its module)
        return
    assigned = _init_assigned(cls) | {t.id for s in cls.node.body if isinstance(s, ast.Assign) for t in s.targets if isinstance(t, ast.Name)}
    taken = {op.attribute for op in plan.operations if isinstance(op, SlimToNative)}
    for call, slim in sorted(found.items(), key=lambda item: (item[0].lineno, item[0].col_offset)):
        translated = translate(ctx, slim, shim, lambda expr: _movable(ctx, expr, shim, assigned))
        if isinstance(translated, str):
            plan.refuse(call, translated)
            continue
        constructor, call_arguments = translated
        path = tuple(scope.name for scope in slim.site.scopes)  # literal names: checked by slim_calls
        attribute = _attribute(cls, LayerName((slim.scope or slim.short).lower(), path), taken)  # type: ignore[arg-type]
        taken.add(attribute)
        inputs: int | str = 0 if call.args else "inputs"
        plan.operations.append(SlimToNative(call, attribute, constructor, inputs, tuple(call_arguments)))
        entry = native.SLIM_LAYERS[slim.short]
        for old, new in entry.variables:
            if _slim_variable_exists(slim, old):
                plan.checkpoint_map.append(("/".join((*path, slim.scope or "", old)), f"{plan.receiver}.{attribute}.{new}"))
    plan.operations += [DropArgScope(statement) for statement in spent_arg_scopes(ctx, shim)]


def _slim_variable_exists(slim, name: str) -> bool:
    """Whether the Slim layer creates ``name`` (`biases` unless `biases_initializer=None`, `gamma` with `scale`, ...)."""
    arguments = slim.arguments
    switch = {"biases": ("biases_initializer", True), "gamma": ("scale", False), "beta": ("center", True)}.get(name)
    if switch is None:
        return True
    param, default = switch
    value = arguments.get(param)
    if value is None:
        return default
    return not (isinstance(value, ast.Constant) and value.value in (None, False))


def _plan_native(ctx: ModuleContext, cls: ClassInfo, shim: ast.FunctionDef, plan: ClassPlan) -> None:
    _plan_slim_native(ctx, cls, shim, plan)
    if plan.refusals:
        return
    objects: dict[str, str] = {}
    init = cls.methods.get("__init__")
    for attr in cls.attr_ctors:
        call = ast.Call(func=ast.Attribute(value=ast.Name(first_param(shim) or ""), attr=attr), args=[], keywords=[])
        klass = object_layer(cls, call)
        if klass is not None:
            objects[attr] = klass
    if not objects or init is None:
        return
    remaining = any(functional_layer(s.names) for s in ctx.sites if s.reach.shim is shim)
    found = first_call_names(ctx, shim)
    if isinstance(found, Unknown) and remaining:
        plan.refuse(found.node, f"compat.v1 layers remain in the method and their names must be kept: {found.reason}")
        return
    names = {} if isinstance(found, Unknown) else found
    record = _spelled(ctx, api.VARIABLE_SCOPE) or ""
    for attr, klass in objects.items():
        entry = native.V1_CLASSES[klass]
        ctor_expr = cls.attr_ctors[attr]
        constructor = next((n for n in ast.walk(init) if isinstance(n, ast.Call) and n.func is ctor_expr), None)
        if constructor is None:
            plan.refuse(init, f"`self.{attr}` is built outside `__init__`'s own body")
            continue
        if any(k.arg is None for k in constructor.keywords) or any(isinstance(a, ast.Starred) for a in constructor.args):
            plan.refuse(constructor, f"`self.{attr}` is built with `*args`/`**kwargs`: spell its arguments out")
            continue
        if len(constructor.args) > entry.positional_keras:
            plan.refuse(constructor, f"`{klass}` gets more than {entry.positional_keras} positional arguments: "
                                     f"`tf.keras.layers.{entry.keras}` orders them differently, pass them by keyword")
            continue
        given = {k.arg for k in constructor.keywords}
        add = tuple((param, value) for param, value, position in entry.keras_defaults
                    if param not in given and len(constructor.args) <= position)
        keras = _spelled(ctx, native.KERAS_LAYERS_PREFIX + entry.keras)
        if keras is None:
            plan.refuse(constructor, f"no spelling of `tf.keras.layers.{entry.keras}` in this file: import "
                                     "`tensorflow` as `tf`")
            continue
        calls = [n for n in ast.walk(shim) if isinstance(n, ast.Call) and receiver_attribute(n.func, shim) == attr]
        if "name" not in given and len(calls) == 1 and calls[0] in names:
            # The Keras layer gets the name the object took (`conv2d_1`), not a Keras auto-name (`conv2d_39`).
            add = (*add, ("name", f'"{names[calls[0]].name}"'))
        if not remaining:
            plan.operations.append(ToNative(constructor, keras, add))
            continue
        if len(calls) != 1 or calls[0] not in names:
            plan.refuse(constructor, f"`self.{attr}` is called {len(calls)} times in the shim method: the scope "
                                     "to record for the remaining compat.v1 layers is not known")
            continue
        layer = names[calls[0]]
        after = _statement_holding(shim.body, calls[0])
        if after is None or not record:
            plan.refuse(calls[0], f"`self.{attr}(...)` is not a statement of its own (or `variable_scope` has no "
                                  "spelling here): the scope to record has no place")
            continue
        if not layer.path:
            plan.refuse(calls[0], f"`self.{attr}` is called outside a named `variable_scope`: its name differs per "
                                  "instance (TFS101)")
            continue
        plan.operations.append(ToNative(constructor, keras, add, after, record, layer.name))


def plan_module(ctx: ModuleContext, stage: str, only: str | None = None, checkpoint_only: bool = False) -> list[ClassPlan]:
    """Per class holding a shim method (or the one named ``only``): what the stage changes, or why not.
    ``checkpoint_only``: the objects stage is only a step to re-save a checkpoint, so regularized layers
    may move too (their penalty counts twice until the native stage)."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {', '.join(STAGES)}")
    plans = []
    for cls in ctx.classes:
        if only is not None and cls.name != only:
            continue
        shims = _shim_methods(ctx, cls)
        if not shims:
            continue
        init = cls.methods.get("__init__")
        plan = ClassPlan(cls.name, cls.node.lineno, stage, receiver=first_param(shims[0]) or "self",
                         init_receiver=(first_param(init) if init is not None else None) or "self")
        if len(shims) > 1:
            plan.refuse(shims[1], "more than one shim method: layers shared between them are not modelled")
        elif stage == "objects":
            _plan_objects(ctx, cls, shims[0], plan, checkpoint_only)
        elif stage == "native":
            _plan_native(ctx, cls, shims[0], plan)
        else:
            _plan_weights(ctx, cls, shims[0], plan)
        if plan.refusals:
            plan.operations.clear()
            plan.checkpoint_map.clear()
        plans.append(plan)
    return plans
