"""TFS117: a shim-decorated method that reaches no TF1-style variable creation: the decorator can go."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.analysis.classes import ENTRY_NAMES
from tf2lint.analysis.migration import shim_reach
from tf2lint.rules.base import Docs, Hit, Rule

if TYPE_CHECKING:
    from tf2lint.analysis.context import ModuleContext

CODE = "TFS117"


def check(ctx: ModuleContext) -> Iterator[Hit]:
    if ctx.graph_mode:
        return  # graph-mode code is TF1 code: no migration hint there
    for method, deco, cls in ctx.shim_decorated:
        if cls is None or cls.methods.get(method.name) is not method or ctx.class_kind(cls) not in ("keras", "module"):
            continue  # TFS108's cases, and classes whose bases are unknown
        # Only the methods Keras and tf.Module run themselves: what runs around them is known.
        if method.name not in ENTRY_NAMES or ctx.tf_function_decorator(method) is not None:
            continue  # a helper's callers are unknown; a tf.function under the shim is TFS105's case
        # The method runs with the overrides of every subclass this module defines: each must be native too.
        if all(shim_reach(ctx, klass, [method]).native for klass in (cls, *ctx.subclasses(cls))):
            yield Hit(
                deco,
                f"`{cls.name}.{method.name}` reaches no TF1-style variable creation (`get_variable`, v1 layers, "
                f"TF-Slim, templates): the shim decorator does nothing here and can be removed",
            )

RULE = Rule(
    code=CODE,
    symbol="shim-decorator-does-nothing",
    summary="Shim decorator on a method that no longer reaches any TF1-style variable creation: it can go",
    docs=Docs(
        what=(
            "Finds `track_tf1_style_variables` on the `call` of a Keras layer or the `__call__` of a `tf.Module` "
            "when nothing the method "
            "reaches (its own body, methods on `self` with this module's subclasses' overrides, helpers, other "
            "project modules) creates variables the TF1 way: no `get_variable`, v1 layer, TF-Slim layer or "
            "variable, `make_template`, v1 RNN cell or `tf.contrib` call, and no v1 layer object kept on `self`. "
            "It stays silent when any reached call is unknown (an unresolved name, a method of a value of unknown "
            "type, an abstract hook a subclass elsewhere may fill, more than 48 functions), when the method calls "
            "`get_or_create_layer` or builds a Keras layer, `tf.Module` or `tf.Variable` itself (TFS106's case; "
            "except one made on the first call only, under `if self.x is None:` or `if not hasattr(self, \"x\"):` "
            "whose block sets `self.x`, and kept on `self`: the model-mapping guide's `FixedScalingLayer`), "
            "when it reaches a graph collection or a `Session` (TF1 graph code, broken either way: TFS112), "
            "when it calls another decorated method of the same object, when a `tf.function` is on the method or "
            "on anything it reaches (TFS105's ground, where the decorator does interact: measured, a second instance "
            "of a layer with `@track` over `@tf.function` raises the singleton-variables ValueError), "
            "on decorated helpers other than `call`/`__call__` (who calls them is not known), and in graph-mode "
            "(TF1) modules. "
            "Off by default, like TFS901 (`--extend-select TFS117`; `tf2lint report` always counts these classes as "
            "\"native\"): it is a hint about finished migration work, not a bug, and the model-mapping guide keeps "
            "the decorator on such intermediate stages (its `NearlyFullyNativeModel`)."
        ),
        why=(
            "The decorator is the last step of the model-mapping guide: once a layer is native, it only costs a "
            "variable store per object, makes readers believe TF1 code runs there, and hides TFS107 when someone "
            "later adds a `get_variable` to the method. `tf2lint report` counts such classes as \"native\"."
        ),
        fix_safety="No automatic fix: delete the decorator line (and the import, if it is the last use).",
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21 (tests/test_tfs117_runtime.py): for Keras sub-layers built in "
            "`__init__` (also inside a `variable_scope`), `add_weight` in `build`, pure tensor math, a `tf.Module` "
            "with a `tf.Variable`, a sub-layer with its own decorated `call` and a shimmed sub-module called in a "
            "loop, a `tf.Variable` made on the first call under such a guard (in a layer, a `tf.Module`, inside a "
            "`variable_scope`, in a helper of `call`), "
            "and for every class of the bad example below, removing the decorator leaves the variables "
            "(names, shapes, values), trainable weights, both calls' outputs, regularization losses and the "
            "object-based checkpoint keys unchanged. With `get_variable` the variables vanish from `weights`; "
            "with `get_or_create_layer` the call raises ValueError; a layer built in the method is untracked either "
            "way (TFS106), and a v1 layer object on `self` is still TF1 code: TFS117 is silent on all four. A Keras "
            "layer made on the first call behaves the same without the decorator too, but what the attribute holds "
            "is not typed from `call`: calling it is unknown, and TFS117 stays silent."
        ),
    ),
    enabled_by_default=False,
    bad=(
        '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables


class FullyNativeModel(tf.keras.layers.Layer):
    """The model-mapping guide's last step, with the decorator left behind."""

    def __init__(self, units=3, **kwargs):
        super().__init__(**kwargs)
        self.conv_layer = tf.keras.layers.Dense(4, kernel_regularizer="l2")
        self.dense_layer = tf.keras.layers.Dense(units)

    @track  # expect: TFS117
    def call(self, inputs):
        with tf.compat.v1.variable_scope("model"):
            return self.dense_layer(tf.nn.relu(self.conv_layer(inputs)))


class Scaled(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.scale = self.add_weight("scale", shape=(input_shape[-1],))

    @track  # expect: TFS117
    def call(self, inputs):
        return self._apply(inputs)

    def _apply(self, inputs):
        return inputs * self.scale


class Projection(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(tf.ones((4, 2)), name="w")

    @track  # expect: TFS117
    def __call__(self, inputs):
        return tf.matmul(inputs, self.w)


class LazyScale(tf.keras.layers.Layer):
    """The guide's `FixedScalingLayer`: its variables made on the first call, under a guard that sets what it
    tests, and kept on `self` (tracked as if made in `__init__`)."""

    def __init__(self):
        super().__init__()
        self.var = None

    @track  # expect: TFS117
    def call(self, inputs):
        if self.var is None:
            self.var = tf.Variable(2.0)
            self.bias = tf.Variable(1.0)
        return inputs * self.var + self.bias
''',
    ),
    good=(
        '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables


class PartlyNative(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.fc = tf.keras.layers.Dense(3)

    @track
    def call(self, inputs):
        with tf.compat.v1.variable_scope("head"):
            out = self.fc(inputs)
            return tf.compat.v1.layers.dense(out, 2, name="out")


class ViaHelper(tf.keras.layers.Layer):
    @track
    def call(self, inputs):
        return project(inputs)


def project(inputs):
    w = tf.compat.v1.get_variable("w", shape=(inputs.shape[-1], 2))
    return tf.matmul(inputs, w)


class Cached(tf.keras.layers.Layer):
    @track
    def call(self, inputs):
        fc = tf.compat.v1.keras.utils.get_or_create_layer("fc", lambda: tf.keras.layers.Dense(2))
        return fc(inputs)


class Base(tf.keras.layers.Layer):
    @track
    def call(self, inputs):
        return self.body(inputs)

    def body(self, inputs):
        return inputs


class Tower(Base):
    def body(self, inputs):
        with tf.compat.v1.variable_scope("tower"):
            return tf.compat.v1.layers.dense(inputs, 2)


class Unknown(tf.keras.layers.Layer):
    def __init__(self, block_fn=tf.nn.relu):
        super().__init__()
        self.block_fn = block_fn

    @track
    def call(self, inputs):
        return self.block_fn(inputs)  # could create anything


class LazyViaHelper(tf.keras.layers.Layer):
    """Made once too, but the attribute the guard tests is set by a helper: not shown to run once, not claimed."""

    def __init__(self):
        super().__init__()
        self.var = None

    @track
    def call(self, inputs):
        if self.var is None:
            self._make()
        return inputs * self.var

    def _make(self):
        self.var = tf.Variable(2.0)
''',
    ),
    check=check,
)
