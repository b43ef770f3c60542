"""Step 2 of the migration, decided per class: what `tf2lint migrate` may change, or why it must not.

A stage either migrates a whole class or leaves it as it is with reasons a user can act on; it never
changes what it cannot model (a layer whose arguments, name or number of calls are not known statically).

- ``objects``: each functional `tf.compat.v1.layers` call in the shim method becomes a v1 layer object
  built at the end of `__init__` on `self`, called in place, its `name=` pinned to the name the call takes
  today (`first_call_names`), so name-based checkpoint keys do not move and object paths are added.
- ``native``: each v1 layer object built in `__init__` becomes its native Keras layer on the same attribute
  (arguments from `tf2lint.knowledge.native`); where `compat.v1` layers remain in the method, a recorded scope
  (`with v1.variable_scope("dense"): pass`) after the object's call keeps their auto-generated names.

The host turns a plan into LibCST edits (`tf2lint.fixing.migrate`); it decides nothing.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tf2lint.analysis.first_names import (
    LayerName, Unknown, first_call_names, functional_layer, literal_name, object_layer,
)
from tf2lint.knowledge import api, native

if TYPE_CHECKING:
    from tf2lint.analysis.context import ModuleContext
    from tf2lint.analysis.summary import ClassInfo

STAGES = ("objects", "native")

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


@dataclass
class ClassPlan:
    name: str
    line: int
    stage: str
    operations: list[ToObject | ToNative] = field(default_factory=list)
    refusals: list[tuple[int, str]] = field(default_factory=list)  # (line, reason)
    needs_init: bool = False  # the class has no `__init__`: the host adds one

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
        target.attr for node in ast.walk(init) if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign))
        for target in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self"
    }


def _movable(ctx: ModuleContext, expr: ast.expr, method: ast.FunctionDef, assigned: set[str]) -> str | None:
    """Why ``expr`` cannot be evaluated once at the end of `__init__` instead of in the method, or None."""
    for node in ast.walk(expr):
        if isinstance(node, ast.Name) and node.id != "self" and ctx.names.is_local(node.id, method):
            return f"`{node.id}` is a value of the call"
        if isinstance(node, (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
            return "it holds a lambda or an assignment expression"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self":
            if node.attr not in assigned:
                return f"`self.{node.attr}` is not set in `__init__`"
    return None


def _attribute(cls: ClassInfo, layer: LayerName, taken: set[str]) -> str:
    existing = {
        n.attr for n in ast.walk(cls.node)
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == "self"
    } | set(cls.methods) | taken
    candidates = [layer.name, "_".join((*layer.path, layer.name)), f"{layer.name}_layer"]
    for candidate in candidates:
        if candidate not in existing and candidate not in _RESERVED and candidate.isidentifier():
            return candidate
    number = 2
    while f"{layer.name}_{number}_layer" in existing:
        number += 1
    return f"{layer.name}_{number}_layer"


def _slim_refusal(ctx: ModuleContext, shim: ast.FunctionDef, plan: ClassPlan) -> bool:
    for site in ctx.sites:
        if site.reach.shim is not shim:
            continue
        slim_layer = next((n[len("slim."):] for n in site.names if n.startswith("slim.") and n[len("slim."):] in native.SLIM_LAYERS), None)
        if slim_layer is None:
            continue
        entry = native.SLIM_LAYERS[slim_layer]
        renamed = ", ".join(f"`{a}` -> `{b}`" for a, b in entry.variables)
        plan.refuse(site.node, (
            f"`slim.{slim_layer}` has no layer object that keeps its variable names"
            + (f" ({renamed})" if renamed else "")
            + f"; its native form is `tf.keras.layers.{entry.keras}` with "
            + (", ".join(f"{k}={v}" for k, v in entry.keras_defaults) or "the same defaults")
            + ": convert it to `tf.compat.v1.layers` first (the migration guide's advice for Slim), then migrate"
        ))
        return True
    return False


def _plan_objects(
    ctx: ModuleContext, cls: ClassInfo, shim: ast.FunctionDef, plan: ClassPlan, checkpoint_only: bool = False
) -> None:
    if _slim_refusal(ctx, shim, plan):
        return
    calls = [s.node for s in ctx.sites if s.reach.shim is shim and functional_layer(s.names)]
    if not calls:
        return
    names = first_call_names(ctx, shim)
    if isinstance(names, Unknown):
        plan.refuse(names.node, names.reason)
        return
    assigned = _init_assigned(cls) | {t.id for s in cls.node.body if isinstance(s, ast.Assign) for t in s.targets if isinstance(t, ast.Name)}
    taken: set[str] = set()
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


def _plan_native(ctx: ModuleContext, cls: ClassInfo, shim: ast.FunctionDef, plan: ClassPlan) -> None:
    objects: dict[str, str] = {}
    init = cls.methods.get("__init__")
    for attr in cls.attr_ctors:
        call = ast.Call(func=ast.Attribute(value=ast.Name("self"), attr=attr), args=[], keywords=[])
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
        calls = [n for n in ast.walk(shim) if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                 and n.func.attr == attr and isinstance(n.func.value, ast.Name) and n.func.value.id == "self"]
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
        plan = ClassPlan(cls.name, cls.node.lineno, stage, needs_init="__init__" not in cls.methods)
        if len(shims) > 1:
            plan.refuse(shims[1], "more than one shim method: layers shared between them are not modelled")
        elif stage == "objects":
            _plan_objects(ctx, cls, shims[0], plan, checkpoint_only)
        else:
            _plan_native(ctx, cls, shims[0], plan)
        if plan.refusals:
            plan.operations.clear()
        plans.append(plan)
    return plans
