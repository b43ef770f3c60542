"""TFS111: batch normalization / dropout in shim code without `training` forwarded."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.analysis.body import attribute_stores, name_stores
from tf2lint.knowledge import api
from tf2lint.rules.base import Docs, FixPlan, Hit, Rule, self_attribute, supplied_by_arg_scope

if TYPE_CHECKING:
    from tf2lint.analysis.context import CallSite, ModuleContext

CODE = "TFS111"
# Functional layers whose behaviour depends on the phase (v1 layers, TF-Slim): see api.TRAINING_ARGS.
FUNCTIONAL = api.TRAINING_ARGS
CLASSES = {"tf.compat.v1.layers.BatchNormalization", "tf.compat.v1.layers.Dropout"}
CLASS_CALL = api.TrainingArg("training", 1, False)  # `layer(x, training)`
_INFERENCE = "inference mode (batch-norm statistics never update, dropout never drops)"


def _phase_kept(layer: str) -> str:
    """What a layer left in the phase it was built with does at inference."""
    name = layer.rsplit(".", 1)[-1]
    if "dropout" in name:
        return "dropout keeps dropping"
    if "norm" in name:
        return "batch norm keeps training"
    return "dropout keeps dropping, batch norm keeps training"


def _training_value(call: ast.Call, arg: api.TrainingArg) -> ast.expr | None:
    value = next((k.value for k in call.keywords if k.arg == arg.param), None)
    if value is None and arg.position is not None and len(call.args) > arg.position:
        value = call.args[arg.position]
    return value


def _training_missing(call: ast.Call, arg: api.TrainingArg) -> bool:
    """No usable training argument: absent, or the constant None (which means the default phase)."""
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        return False
    value = _training_value(call, arg)
    return value is None or (isinstance(value, ast.Constant) and value.value is None)


def _follows_the_phase(call: ast.Call, arg: api.TrainingArg) -> bool:
    """A Keras layer's `training` that is None when the call runs: `training=None` given to a v1 layer, or left out
    of a layer object's call (a functional v1 layer left without it takes its default, False)."""
    if arg.param != "training":
        return False  # TF-Slim turns `is_training=None` into inference (measured)
    return arg is CLASS_CALL or _training_value(call, arg) is not None


def _left_at_none(site: CallSite, arg: api.TrainingArg) -> str | None:
    """`training=training` where ``training`` is a parameter this path leaves at `None` (the helper holding the
    call is called without it) and the function never rebinds: the parameter's name, else None."""
    value = _training_value(site.node, arg)
    if not isinstance(value, ast.Name) or site.value(value) != ("none",) or site.func is site.reach.shim:
        return None
    rebound = any(store.id == value.id for store in name_stores(site.func))
    return value.id if _declares(site.func, value.id) and not rebound else None


def _fixed_attribute(ctx: ModuleContext, site: CallSite, arg: api.TrainingArg) -> str | None:
    """`training=self.flag`: the attribute that fixes the phase when the object is built."""
    value = _training_value(site.node, arg)
    return self_attribute(ctx, value, site.func) if value is not None else None


def _layer_kind(ctx: ModuleContext, site: CallSite) -> tuple[str, api.TrainingArg] | None:
    """The training-dependent layer a call runs, and how it takes the phase."""
    for name in site.names:
        if name in FUNCTIONAL:
            return name, FUNCTIONAL[name]
    func = site.node.func
    if isinstance(func, ast.Call):  # `BatchNormalization(...)(x, training=...)`
        inner = ctx.resolve(func.func, site.func)
        found = next((n for n in inner if n in CLASSES), None)
        return (found, CLASS_CALL) if found else None
    if self_attribute(ctx, func, site.func) is not None:
        cls = site.reach.cls
        for klass in ctx.mro(cls) if cls else []:
            found = next((n for n in klass.attr_types.get(func.attr, ()) if n in CLASSES), None)
            if found:
                return found, CLASS_CALL
    return None


def _module_fixed_at_construction(ctx: ModuleContext, cls, attr: str) -> bool:
    """A tf.Module whose `__call__` takes no phase, and whose ``attr`` only `__init__` assigns: nothing can
    change the phase after construction (measured: dropout on and batch norm training in every call)."""
    if cls is None or ctx.class_kind(cls) != "module":
        return False
    entry = ctx.resolved_method(cls, "__call__")
    if entry is None or _accepts_training(entry[1]):
        return False
    return _set_only_in_init(ctx, cls, attr)


def _set_only_in_init(ctx: ModuleContext, cls, attr: str) -> bool:
    """Whether ``attr`` is assigned by `__init__` and by no other method of the class or its bases."""
    set_in_init = False
    for klass in ctx.mro(cls):
        for name, method in klass.methods.items():
            if attr not in attribute_stores(method):
                continue
            if name != "__init__":
                return False  # `def eval(self): self.flag = False`: the phase can change
            set_in_init = True
    return set_in_init


def _runs_as_call(ctx: ModuleContext, cls, method: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The method Keras runs as `call`: `def call`, or decorated by assignment (`call = track(_impl)`, in the
    class or a base)."""
    return method.name == "call" or any(k.assigned_shim.get("call") == method.name for k in ctx.mro(cls))


def _declares(func: ast.AST, name: str = "training") -> bool:
    """Whether the function has a parameter ``name`` (not `**kwargs`)."""
    args = getattr(func, "args", None)
    return args is not None and name in {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}


def _accepts_training(method: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    args = method.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    return "training" in names or args.kwarg is not None


def check(ctx: ModuleContext) -> Iterator[Hit]:
    reported_defs: set[ast.AST] = set()
    for site in ctx.sites:
        found = _layer_kind(ctx, site)
        if found is None:
            continue
        layer, arg = found
        shim = site.reach.shim
        cls = site.reach.cls
        # The Keras `call` the phase comes through: the shim method, or a sub-layer's undecorated `call` the walk
        # entered (its own signature decides what Keras passes it).
        entry = site.func if cls is not None and site.func is not shim and _runs_as_call(ctx, cls, site.func) else shim
        # In a Keras layer's call, a `training` of None (given, or a layer object's left out) takes the phase
        # the call runs in, declared or not (measured); a tf.Module has no such phase to take.
        keras_host = cls is not None and ctx.class_kind(cls) == "keras"
        missing = _training_missing(site.node, arg)
        follows = keras_host and missing and _follows_the_phase(site.node, arg)
        keras_call_without_training = (
            keras_host and _runs_as_call(ctx, cls, entry) and not _accepts_training(entry)  # type: ignore[arg-type]
        )
        fixed = _fixed_attribute(ctx, site, arg)
        # A decorated helper that Keras' `call` reaches: a flag only `__init__` sets, and a `call` that takes no
        # phase, fix the phase as in `call` itself (measured: dropout on at inference).
        helper_fixed = keras_host and fixed is not None and not _runs_as_call(ctx, cls, entry) and (
            (keras_entry := ctx.resolved_method(cls, "call")) is not None and not _accepts_training(keras_entry[1])
            and _set_only_in_init(ctx, cls, fixed))
        if fixed is not None and _declares(site.func):
            yield Hit(
                site,
                f"`{layer}` in shim method {site.reach.describe()} takes `{arg.param}=self.{fixed}` although the "
                f"function receives `training`: the phase it is called with never reaches this layer, so it "
                f"runs in whatever phase `self.{fixed}` says (at inference too); pass `{arg.param}=training`",
            )
        elif fixed is not None and _module_fixed_at_construction(ctx, cls, fixed):
            yield Hit(
                site,
                f"`{layer}` in shim method {site.reach.describe()} takes `{arg.param}=self.{fixed}`, set only in "
                f"`__init__`, and `{cls.name}.__call__` takes no `training`: the module runs in that phase at "
                f"inference too ({_phase_kept(layer)}); give `__call__` a `training` argument and pass it on",
            )
        elif fixed is not None and (keras_call_without_training or helper_fixed):
            yield Hit(
                site,
                f"`{layer}` in shim method {site.reach.describe()} takes `{arg.param}=self.{fixed}`, fixed when "
                f"the object is built, and `{cls.name}.call` has no `training` parameter: Keras' training phase "
                f"never reaches it, so {_phase_kept(layer)} at inference; add `training=None` to `call` and pass "
                f"`{arg.param}=training`",
            )
        if keras_call_without_training and not follows and entry not in reported_defs:
            reported_defs.add(entry)
            yield Hit(
                entry,
                f"`{cls.name}.call` runs `{layer}` but has no `training` parameter: Keras only passes the "
                f"training phase to a `call` that declares it, so `layer(x, training=True)` is silently dropped; "
                f"add `training=None` and forward it",
                FixPlan("add-training-param", "safe", "Add a `training=None` parameter", (entry,)),
            )
        unforwarded = None if keras_host else _left_at_none(site, arg)
        if unforwarded is not None:
            yield Hit(
                site,
                f"`{layer}` in shim method {site.reach.describe()} takes `{arg.param}={unforwarded}`, but "
                f"`{getattr(site.func, 'name', 'this function')}` is called without `{unforwarded}` here, so it is "
                f"`None`: the layer always runs in {_INFERENCE}; pass `{unforwarded}` on to it",
            )
        elif missing and not supplied_by_arg_scope(site, arg.param) and not follows:
            forwardable = site.func is shim and _declares(shim)
            plan = FixPlan(
                "add-keyword", "safe", f"Forward `{arg.param}=training`", (site.node,), (arg.param, "training")
            ) if forwardable else None
            mode = (
                "training mode, at inference too (batch statistics instead of the moving averages, which keep "
                "moving; dropout always drops)"
                if arg.default_training
                else _INFERENCE
            )
            yield Hit(
                site,
                f"`{layer}` in shim method {site.reach.describe()} without a `{arg.param}` value: it always runs "
                f"in {mode}; pass `{arg.param}=training`",
                plan,
            )


RULE = Rule(
    code=CODE,
    symbol="training-not-forwarded",
    summary="v1 batch normalization / dropout in shim code without `training` forwarded",
    docs=Docs(
        what=(
            "Finds `tf.compat.v1.layers.batch_normalization` / `dropout` in shim code called without `training=`, "
            "and, in a `tf.Module` (no Keras call gives it a phase), with `training=None` or a helper's `training` "
            "parameter its caller leaves at `None`, or the `BatchNormalization` / `Dropout` objects called without "
            "it; inside a Keras layer's `call` those take the call's phase and are fine. Also "
            "`slim.batch_norm` / `slim.dropout` without `is_training=` (unless a `slim.arg_scope` around them may "
            "supply it), and a "
            "decorated `call` of a Keras layer (or a sub-layer's `call` it runs) that declares no `training` "
            "parameter while one of them there does not take the call's phase (reported at the `def`). A "
            "`training=self.flag` value in such a `call` (the phase fixed when the object is built) is reported at "
            "the layer call."
        ),
        why=(
            "The v1 layers default to `training=False`. Keras passes the training phase only to a `call` that "
            "declares `training` (or `**kwargs`), and the shim's API doc warns that v1 layers \"are usually not "
            "called with training=None, so the training arg ... might not feed through to them unless you pass "
            "it to their calls explicitly\". Otherwise batch-norm moving statistics never update and dropout "
            "never drops, with no error."
        ),
        fix_safety=(
            "Safe: adds `training=None` to the decorated `call` and forwards `training=training` to calls made "
            "directly in it (calls in helpers are left to you). Inference stays the default; variables are the same."
        ),
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: a decorated `call(self, inputs, training=None)` receives "
            "`None`/`True`/`False` as Keras passes it and `fit` passes `True`; `training=None` means inference. "
            "In a decorated Keras `call` run with `training=True`, `dropout(x, 0.5, training=None)`, a held "
            "`v1.layers.Dropout` called without `training` and a helper's `training=None` left by its caller all "
            "drop (the call's phase), and `batch_normalization(training=None)` updates its statistics; in a "
            "`tf.Module`'s decorated `__call__` the same three never drop, and `slim.dropout(is_training=None)` "
            "never drops in either. A decorated `call(self, x)` that declares no `training` still hands its phase "
            "to those (they drop in a `training=True` call, not at inference); a sub-layer's undecorated `call(self, "
            "x)` with `dropout(x, 0.5, training=self.flag)` keeps dropping at inference. "
            "If `call` lacks the parameter, `layer(x, training=True)` is accepted silently and batch-norm "
            "statistics never update; accepted but not forwarded: never update. `dropout(..., "
            "training=self.flag)` with the flag set in `__init__` and no `training` parameter on `call`: two "
            "`layer(x, training=False)` calls give different outputs (dropout stays on at inference). TF-Slim "
            "defaults to `is_training=True`: `slim.dropout` without it drops half the units in a `training=False` "
            "call too (tf-slim 1.1.0). `slim.batch_norm` cannot run under TF 2.21 at all (`ModuleNotFoundError: No "
            "module named 'tf_keras.legacy_tf_layers'` for rank-3+ inputs, `AttributeError: module "
            "'tensorflow.python.framework.ops' has no attribute 'Tensor'` on its fused path); on TF 2.13 its fused "
            "path (rank-2 inputs or `updates_collections=None`) works and the rest fails; `tf2lint doctor` says so."
        ),
    ),
    bad=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class NoTrainingParam(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):  # expect: TFS111
        with v1.variable_scope("bn"):
            return v1.layers.batch_normalization(inputs)  # expect: TFS111


class NotForwarded(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs, training=None):
        with v1.variable_scope("block"):
            return v1.layers.batch_normalization(inputs)  # expect: TFS111


class ModuleNotForwarded(tf.Module):  # no Keras call here: a `training` of None means inference
    def __init__(self):
        super().__init__()
        self.drop = v1.layers.Dropout(0.5)

    @v1.keras.utils.track_tf1_style_variables
    def __call__(self, x, training=None):
        x = v1.layers.dropout(x, 0.5, training=None)  # expect: TFS111
        x = self.drop(x)  # expect: TFS111
        return self._block(x)

    def _block(self, x, training=None):
        return v1.layers.dropout(x, 0.5, training=training)  # expect: TFS111
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class FixedAtConstruction(tf.keras.layers.Layer):
    def __init__(self, is_training=True):
        super().__init__()
        self.is_training = is_training

    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):  # expect: TFS111
        return v1.layers.dropout(inputs, 0.5, training=self.is_training)  # expect: TFS111


class FixedSub(tf.keras.layers.Layer):  # a sub-layer's undecorated call: its own signature decides
    def __init__(self):
        super().__init__()
        self.is_training = True

    def call(self, x):  # expect: TFS111
        return v1.layers.dropout(x, 0.5, training=self.is_training)  # expect: TFS111


class HoldsFixedSub(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.sub = FixedSub()

    def _forward(self, x, training=None):
        return self.sub(x)

    call = v1.keras.utils.track_tf1_style_variables(_forward)


class FixedInHelper(tf.keras.layers.Layer):  # a decorated helper of a `call` that takes no phase
    def __init__(self):
        super().__init__()
        self.is_training = True

    def call(self, inputs):
        return self.block(inputs)

    @v1.keras.utils.track_tf1_style_variables
    def block(self, inputs):
        return v1.layers.dropout(inputs, 0.5, training=self.is_training)  # expect: TFS111
''',
        '''\
import tensorflow as tf
import tf_slim as slim


class SlimDropout(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs, training=None):
        return slim.dropout(inputs, 0.5)  # expect: TFS111


class SlimBatchNorm(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs, training=None):
        return slim.batch_norm(inputs, scope="bn", is_training=None)  # expect: TFS111
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class IgnoresTraining(tf.Module):
    def __init__(self):
        super().__init__()
        self.is_training = True

    @v1.keras.utils.track_tf1_style_variables
    def __call__(self, x, training=None):
        with v1.variable_scope("block"):
            return v1.layers.dropout(x, 0.5, training=self.is_training)  # expect: TFS111
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class FixedPhase(tf.Module):
    def __init__(self):
        super().__init__()
        self.is_training = True

    @v1.keras.utils.track_tf1_style_variables
    def __call__(self, x):
        with v1.variable_scope("block"):
            return v1.layers.dropout(x, 0.5, training=self.is_training)  # expect: TFS111
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Normed(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x, training=None):
        for stage in [self._norm]:  # a loop over a literal list of methods
            x = stage(x)
        return x

    def _norm(self, x):
        return v1.layers.batch_normalization(x, name="norm")  # expect: TFS111
''',
    ),
    good=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class CompatV1BatchNorm(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs, training=None):
        with v1.variable_scope("batch_norm_layer"):
            out = v1.layers.batch_normalization(inputs, training=training)
            return v1.layers.dropout(out, 0.1, None, None, training)


class ModuleWithExplicitTraining(tf.Module):
    @v1.keras.utils.track_tf1_style_variables
    def __call__(self, inputs, is_training):
        with v1.variable_scope("bn"):
            return v1.layers.batch_normalization(inputs, training=is_training)


def tf1_graph(x):
    return v1.layers.batch_normalization(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class ForwardedPhase(tf.keras.layers.Layer):
    def __init__(self, rate=0.5):
        super().__init__()
        self.rate = rate

    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs, training=None):
        return v1.layers.dropout(inputs, self.rate, training=training)


# In a Keras call, a `training` of None (given, or left out of a layer object's call) takes the call's phase,
# whether or not the call declares `training`.
class PhaseUndeclared(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.drop = v1.layers.Dropout(0.5)

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return self.drop(v1.layers.dropout(x, 0.5, training=None))


class PhaseConstant(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x, training=None):
        return v1.layers.dropout(x, 0.5, training=None)


class PhaseHeld(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.drop = v1.layers.Dropout(0.5)

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x, training=None):
        return self.drop(x)


class PhaseHelper(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x, training=None):
        return self._block(x)

    def _block(self, x, training=None):
        return v1.layers.dropout(x, 0.5, training=training)
''',
        '''\
import tensorflow as tf
import tf_slim as slim


class SlimForwarded(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs, training=None):
        net = slim.dropout(inputs, 0.5, is_training=training)
        with slim.arg_scope([slim.dropout, slim.batch_norm], is_training=training):
            return slim.dropout(net, 0.5)


def slim_graph(images, is_training):
    # TF-Slim graph code, never reached from a shim method.
    return slim.batch_norm(slim.dropout(images), is_training=is_training)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class ForwardsTraining(tf.Module):
    def __init__(self):
        super().__init__()
        self.is_training = True

    @v1.keras.utils.track_tf1_style_variables
    def __call__(self, x, training=None):
        with v1.variable_scope("block"):
            return v1.layers.dropout(x, 0.5, training=training)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class SwitchablePhase(tf.Module):
    def __init__(self):
        super().__init__()
        self.is_training = True

    def eval_mode(self):
        self.is_training = False  # the phase can change after construction

    @v1.keras.utils.track_tf1_style_variables
    def __call__(self, x):
        with v1.variable_scope("block"):
            return v1.layers.dropout(x, 0.5, training=self.is_training)
''',
    ),
    check=check,
)
