"""TFS101: an auto-named v1 layer with no named variable_scope around it, in a shim context."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint import api
from tf2lint.rules.base import Docs, Hit, Rule, first_name, has_explicit_name

if TYPE_CHECKING:
    from tf2lint.context import ModuleContext

CODE = "TFS101"


def check(ctx: ModuleContext) -> Iterator[Hit]:
    for site in ctx.sites:
        name = first_name(site, lambda n: api.v1_layer_base_name(n) is not None)
        if name is None or has_explicit_name(site.node) or site.named_scope:
            continue
        if api.is_v1_layer_class(name) and site.guarded:
            continue  # a layer object built once under a create-once guard keeps its name
        base = api.v1_layer_base_name(name)
        where = "inside a `tf.function` (which resets variable scopes)" if site.reach.tf_function else ""
        yield Hit(
            site.node,
            f"`{name}` without `name=` and outside a named `variable_scope`{' ' + where if where else ''}, "
            f"reached from shim method {site.reach.describe()}: it takes a new auto-generated name "
            f"(`{base}`, `{base}_1`, ...) and new variables on every call; pass `name=` or open a named "
            f"`variable_scope`",
        )


RULE = Rule(
    code=CODE,
    symbol="unscoped-v1-layer",
    summary="Auto-named `tf.compat.v1.layers` layer with no named `variable_scope`, in a shim method",
    docs=Docs(
        what=(
            "Finds `tf.compat.v1.layers` layers that create variables (`dense`, `conv1d/2d/3d`, transposed and "
            "separable convolutions, `batch_normalization`, and their class forms) called without `name=` "
            "and with no non-empty `variable_scope` around them, in code reached from a method decorated with "
            "`track_tf1_style_variables` (directly, or through helpers in the same module)."
        ),
        why=(
            "Such a layer takes its variable names from a process-wide counter (`dense`, `dense_1`, ...). The "
            "shim only reuses a variable when the name matches, so each call creates new weights under new "
            "names. The model guide asks for \"at least one non-empty outer scope for any tf.compat.v1.layers "
            "with auto-generated names\". `variable_scope(\"\")` and `variable_scope(None, default_name=...)` "
            "do not count."
        ),
        fix_safety=(
            "Not fixable automatically yet. Naming each layer with the name it auto-generates on the first call "
            "keeps existing checkpoints loadable."
        ),
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: two unnamed `dense` layers give 4 weights after the first call "
            "and 8 after the second (`dense`, `dense_1`, then `dense_2`, `dense_3`). Under an outer "
            "`tf.function` or `model.fit`: `ValueError: tf.function only supports singleton tf.Variables "
            "created on the first call`."
        ),
    ),
    bad=(
        '''\
import tensorflow as tf


class TwoDense(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        out = tf.compat.v1.layers.dense(inputs, 3)  # expect: TFS101
        return tf.compat.v1.layers.dense(out, 4)  # expect: TFS101
''',
        '''\
import tensorflow.compat.v1 as tf1
from tensorflow.compat.v1.keras.utils import track_tf1_style_variables as track


def tower(x, training):
    # A helper reached from the shim method, and no named scope at its call site.
    x = tf1.layers.conv2d(x, 8, 3)  # expect: TFS101
    return tf1.layers.batch_normalization(x, training=training)  # expect: TFS101


class Tower(tf1.keras.layers.Layer):
    @track
    def call(self, inputs, training=None):
        with tf1.variable_scope(""):  # expect: TFS102
            return self._head(tower(inputs, training))

    def _head(self, x):
        layer = tf1.layers.Dense(2)  # expect: TFS101
        return layer(x)
''',
    ),
    good=(
        '''\
import tensorflow as tf


class CompatV1LayerModel(tf.keras.layers.Layer):
    def __init__(self, units, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with tf.compat.v1.variable_scope("model"):
            out = tf.compat.v1.layers.conv2d(inputs, 3, 3, kernel_regularizer="l2")
            out = tf.compat.v1.layers.flatten(out)
            out = tf.compat.v1.layers.dense(out, self.units, kernel_regularizer="l2")
            return out
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def block(x, units):
    return v1.layers.dense(x, units)


class Named(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        out = v1.layers.dense(inputs, 3, name="fc1")
        with v1.variable_scope(self.name):
            return block(out, 4)


def graph_model(x):
    # Plain TF1 graph code, never reached from a shim method.
    return v1.layers.dense(x, 10)
''',
    ),
    check=check,
)
