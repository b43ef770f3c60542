"""TFS116: an undecorated Keras `call` / `tf.Module.__call__` that builds weights on every call (no shim at all)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.analysis.unshimmed import owns_weights, per_call_sites, project_class
from tf2lint.knowledge import api
from tf2lint.rules.base import Docs, Hit, Rule, runs_once, self_attribute
from tf2lint.rules.tfs103_template_per_call import hoist_plan
from tf2lint.rules.tfs106_untracked_nested import class_attribute_kind

if TYPE_CHECKING:
    from tf2lint.analysis.context import CallSite, ModuleContext

CODE = "TFS116"


def _built(walk: ModuleContext, site: CallSite) -> str | None:
    """What the call builds that owns weights, described; None when nothing (or nothing known)."""
    attr = self_attribute(walk, site.node.func, site.func)
    if attr in api.ADD_WEIGHT:
        return f"`self.{attr}(...)` adds a new weight to the object"
    stored = class_attribute_kind(walk, site, attr) if attr else None
    if stored is not None:
        return f"{stored} builds a new object with freshly initialised weights"
    kind = next((api.tracked_object_kind(n) for n in site.names if api.tracked_object_kind(n)), None)
    if kind is not None:
        name = next(n for n in site.names if api.tracked_object_kind(n))
        described = f"`{name}`" if kind == name else f"`{name}` ({kind})"
        return f"{described} builds a new object with freshly initialised weights"
    cls = project_class(walk, site.module or walk.root, site.node, site.func)
    if cls is not None and walk.v1_layer_base(cls) is None and walk.class_kind(cls) in ("keras", "module"):
        if owns_weights(walk, cls):
            return f"`{cls.name}` (a project layer that owns weights) builds a new object with new weights"
    return None


def check(ctx: ModuleContext) -> Iterator[Hit]:
    found = per_call_sites(ctx)
    if found is None:
        return
    walk, sites = found
    for site in sites:
        if site.guarded or runs_once(site, walk):
            continue
        built = _built(walk, site)
        if built is None:
            continue
        where = f"`{site.reach.shim_name}`"
        entry = "`tf.Module.__call__`" if site.reach.shim.name == "__call__" else "Keras `call`"
        if built.startswith("`self."):
            consequence, plan = "each call adds one more weight (the earlier ones stay, untrained); create it in `build`", None
        else:
            consequence = (
                "each call makes new variables, not tracked by the object and re-initialised every time, so training "
                "updates nothing; create it once in `__init__`/`build` (or under `if self._x is None:`) and reuse it"
            )
            foreign = site.module is not walk.root
            plan = None if foreign else hoist_plan(walk, site, "unsafe", "Create it once in __init__")
        # A site in another module is reported where the path left this one (the engine places a CallSite).
        yield Hit(site, f"{built} on every call of {where} (an undecorated {entry}, no shim involved): {consequence}", plan)


RULE = Rule(
    code=CODE,
    symbol="per-call-weights-without-shim",
    summary="Keras `call` / `tf.Module.__call__` without the shim building a layer, `tf.Variable` or weight on every call",
    docs=Docs(
        what=(
            "Finds, in a `call` of a Keras layer or model or a `__call__` of a `tf.Module` that carries no decorator "
            "and is not reached from shim code, a construction that owns weights on every call: a Keras layer "
            "or model that owns weights (weightless ones such as `Activation`, `Flatten`, `Dropout` are fine), a "
            "`tf.Variable`, a `tf.Module`, a project layer that builds weights (of the module or one it imports; "
            "holding a project subclass of a v1 layer counts), or "
            "`self.add_weight(...)`. The method's helpers on `self` are followed (also through a local lambda), and the "
            "project functions it calls, "
            "of its module or one it imports (a construction in another module is reported at the call that leaves "
            "the file). Construction in `__init__`/`build` "
            "or under a create-once guard (`if self._d is None:`, a per-key dict cache) is correct. Classes with "
            "shim methods are TFS106's; modules in TF1 graph mode (`disable_v2_behavior()`) are not reported."
        ),
        why=(
            "Keras and `tf.Module` track the objects an object keeps, not those it builds and drops inside a call. "
            "Built per call, a layer's weights are new, randomly initialised variables each time: nothing tracks "
            "them, no gradient reaches a kept weight, outputs change from call to call. Adding the shim decorator "
            "would not help (the shim tracks only `get_variable`); the object must be created once."
        ),
        fix_safety=(
            "Unsafe: when the constructor's arguments do not depend on the call, the object is created once in "
            "`__init__` and reused (its weights then belong to the layer, and their names change). No fix for "
            "`add_weight`: move it to `build`."
        ),
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21, two calls on one input: `tf.keras.layers.Dense(3)(x)` or "
            "`tf.Variable(...)` in an undecorated `call`: `weights == []` after both calls, outputs differ; "
            "`self.add_weight(...)` there: 1 weight after the first call, 2 after the second (the same name "
            "twice); `self.d = Dense(3)` on every call: `dense` then `dense_1`, outputs differ. A `tf.Module`'s "
            "`__call__` building `Dense` or a `tf.Variable`: `trainable_variables == []`, outputs differ. "
            "`Activation`/`Flatten`/`Dropout` per call, `if self.d is None:` guarded creation, or a `tf.Variable` "
            "under `if self.w is None:` in a Module: stable (2 weights, 1 variable)."
        ),
    ),
    bad=(
        '''\
import functools

import tensorflow as tf


class Gate(tf.keras.layers.Layer):
    def call(self, x):
        with tf.compat.v1.variable_scope("gate"):
            return self._squash(x)

    def _squash(self, x):
        squash = tf.keras.layers.Dense(3, activation="sigmoid")  # expect: TFS116
        return squash(x)


class Bias(tf.keras.layers.Layer):
    def call(self, x):
        b = tf.Variable(tf.zeros([x.shape[-1]]))  # expect: TFS116
        w = self.add_weight(name="w", shape=[x.shape[-1]])  # expect: TFS116
        return x * w + b


def offset(x):
    return x + tf.Variable(tf.random.normal([x.shape[-1]]))  # expect: TFS116


class Shift(tf.keras.layers.Layer):
    def call(self, x):
        shift = offset  # a local alias: the function still runs on every call
        return shift(x)


class Stages(tf.keras.layers.Layer):
    def call(self, x):
        stages = [self._scale]  # a local table of methods: the entry runs on every call
        return stages[0](x)

    def _scale(self, x):
        return x * self.add_weight(name="s", shape=[x.shape[-1]])  # expect: TFS116


class Looped(tf.keras.layers.Layer):
    def call(self, x):
        for stage in [self._project]:  # a loop over a literal list of methods runs each
            x = stage(x)
        return x

    def _project(self, x):
        return tf.keras.layers.Dense(3)(x)  # expect: TFS116


def _gate(x):
    return x * tf.Variable(tf.random.normal([x.shape[-1]]))  # expect: TFS116


GATE = functools.partial(_gate)


class Partial(tf.keras.layers.Layer):
    def call(self, x):
        return GATE(x)  # a module-level partial: its function runs on every call
''',
        '''\
import tensorflow as tf


class Head(tf.Module):
    def __call__(self, x):
        self.proj = tf.keras.layers.Dense(2)  # expect: TFS116
        return self.proj(x) * tf.Variable(1.0)  # expect: TFS116
''',
        '''\
import tensorflow as tf


class CellBlock(tf.keras.layers.Layer):
    """Decorated: the RNN cell it builds is in its own store, which lives as long as the object."""

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with tf.compat.v1.variable_scope("block"):
            cell = tf.compat.v1.nn.rnn_cell.BasicRNNCell(8)
            return cell(x, cell.zero_state(2, tf.float32))[0]


class Recurrent(tf.keras.layers.Layer):
    def call(self, x):
        return CellBlock()(x)  # expect: TFS116
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class ProjectDense(v1.layers.Dense):
    """A project subclass of a v1 layer class: it builds weights like one."""


class Projection(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.fc = ProjectDense(4)

    def call(self, x):
        return self.fc(x)


class Rebuilt(tf.keras.layers.Layer):
    def call(self, x):
        return Projection()(x)  # expect: TFS116


class Stepped(tf.keras.layers.Layer):
    def call(self, x):
        step = lambda t: self._scale(t)  # noqa: E731 - a lambda calling a method on `self`
        return step(x)

    def _scale(self, x):
        return x * tf.Variable(tf.random.normal([x.shape[-1]]))  # expect: TFS116
''',
        '''\
import tensorflow as tf


class LookedUp(tf.keras.layers.Layer):
    def call(self, x):
        return getattr(self, "_project")(x)

    def _project(self, x):
        w = tf.Variable(tf.random.normal([x.shape[-1], 3]))  # expect: TFS116
        return tf.matmul(x, w)
''',
        '''\
import tensorflow as tf


class InnerBlock(tf.keras.layers.Layer):
    def call(self, x):
        def block(x):
            w = self.add_weight(name="w", shape=(x.shape[-1], 3))  # expect: TFS116
            return tf.matmul(x, w)

        return block(x)
''',
        '''\
import tensorflow as tf


class Base(tf.keras.layers.Layer):
    def _block(self, x):
        return tf.keras.layers.Dense(4, name="fc")(x)  # expect: TFS116


class Forwarding(Base):
    """Held-out s7777-01523: the override hands the call to the base's method."""

    def call(self, x):
        return self._block(x)

    def _block(self, x):
        return super()._block(x)
''',
    ),
    good=(
        '''\
import tensorflow as tf


class Weightless(tf.keras.layers.Layer):
    def call(self, x):
        y = tf.keras.layers.Activation("relu")(x)
        squash = _squash  # a local alias of a function that builds nothing with weights
        return squash(tf.keras.layers.Dropout(0.5)(tf.keras.layers.Flatten()(y)))


def _squash(x):
    return tf.keras.layers.Activation("sigmoid")(x)


class Lazy(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.d = None

    def call(self, x):
        if self.d is None:
            self.d = tf.keras.layers.Dense(3)
        return self.d(x)


class LazyModule(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = None

    def __call__(self, x):
        if self.w is None:
            self.w = tf.Variable(tf.ones([x.shape[-1]]))
        return x * self.w
''',
        '''\
import tensorflow as tf


class Built(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=[input_shape[-1]])
        self.proj = tf.keras.layers.Dense(3)

    def call(self, x):
        return self.proj(x * self.w)
''',
        '''\
import tensorflow as tf


class LookedUpBuilt(tf.keras.layers.Layer):
    def build(self, shape):
        self.w = self.add_weight(name="w", shape=[shape[-1], 3])

    def call(self, x):
        return getattr(self, "_project")(x)

    def _project(self, x):
        return tf.matmul(x, self.w)
''',
    ),
    check=check,
    # A `call`/`__call__` to run; the walk itself starts only where a weight-owning construction is spelled.
    applies=lambda triage: triage.defines_entry_method(),
)
