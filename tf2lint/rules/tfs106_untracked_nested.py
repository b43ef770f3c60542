"""TFS106: a tf.Variable, Keras layer/model or tf.Module constructed on every call of shim code."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.rules.base import Docs, Hit, Rule, runs_once
from tf2lint.rules.tfs103_template_per_call import hoist_plan

if TYPE_CHECKING:
    from tf2lint.analysis.context import ModuleContext

CODE = "TFS106"


def check(ctx: ModuleContext) -> Iterator[Hit]:
    for site in ctx.sites:
        kind = ctx.constructs_tracked_object(site)
        if kind is None or site.guarded or runs_once(site, ctx):
            continue
        if site.target and site.target[0] == "self":
            how = f"assigned to `self.{site.target[1]}` on every call (a new object, with new weights, each time)"
        elif site.target:
            how = f"bound to the local `{site.target[1]}`: not tracked, re-initialised every call"
        else:
            how = "constructed inline: not tracked, re-initialised every call"
        remedy = (
            "create it once in `__init__`/`build` (or under `if self._x is None:`) and reuse it"
            if "tf.Variable" in kind
            else "create it once in `__init__` and reuse it, or use `tf.compat.v1.keras.utils.get_or_create_layer`"
        )
        plan = hoist_plan(ctx, site, "unsafe", "Create it once in __init__")
        yield Hit(site, f"{kind} in shim method {site.reach.describe()} {how}; {remedy}", plan)


RULE = Rule(
    code=CODE,
    symbol="untracked-nested-variable",
    summary="`tf.Variable`, Keras layer/model or `tf.Module` constructed on every call of a shim method",
    docs=Docs(
        what=(
            "Finds a `tf.Variable`, a Keras layer that owns weights, a Keras model or a `tf.Module` (including "
            "subclasses of these defined in the same module) constructed in shim code: used inline, bound to a "
            "local, or assigned to `self.x` without a create-once guard. Construction in `__init__`/`build`, "
            "under a guard, or through `get_or_create_layer` is correct."
        ),
        why=(
            "The shim only tracks variables created through `get_variable` (and the v1 layers built on it). The "
            "model guide: nested `tf.Variable`s, modules and layers must be created once, attached as "
            "attributes, and reused. Built per call, they are new objects each time: their weights are not "
            "tracked, get no gradients, and are re-initialised on every call."
        ),
        fix_safety=(
            "Unsafe: when the constructor's arguments do not depend on the call, the object is created once in "
            "`__init__` and reused (Keras/tf.Variable names may differ from what the old code created). When "
            "they do, there is no fix: use `get_or_create_layer`."
        ),
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: `tf.Variable(...)`, `tf.keras.layers.Dense(3)(x)` or a "
            "`tf.Module` built inside the decorated method leaves `len(layer.weights) == 0`, gradients `[]`, and "
            "outputs change between calls; inside a `tf.function` it raises the singleton-variables "
            "`ValueError`. `self.proj = tf.keras.layers.Dense(2)` run on every call makes a new layer each call."
        ),
    ),
    bad=(
        '''\
import tensorflow as tf


class Scale(tf.Module):
    def __call__(self, x):
        return x


class Inline(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        bias = tf.Variable(tf.zeros([3]))  # expect: TFS106
        out = tf.keras.layers.Dense(3)(inputs) + bias  # expect: TFS106
        self.proj = tf.keras.layers.Dense(2)  # expect: TFS106
        return Scale()(self.proj(out))  # expect: TFS106
''',
    ),
    good=(
        '''\
import tensorflow as tf


class NestedModel(tf.keras.Model):
    def __init__(self, units, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units

    def build_model(self):
        inp = tf.keras.Input(shape=(5, 5))
        dense_layer = tf.keras.layers.Dense(
            10, name="dense", kernel_regularizer="l2",
            kernel_initializer=tf.compat.v1.ones_initializer())
        return tf.keras.Model(inputs=inp, outputs=dense_layer(inp))

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        model = tf.compat.v1.keras.utils.get_or_create_layer("dense_model", self.build_model)
        return model(inputs)


class Guarded(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.proj = None
        self.dense = tf.keras.layers.Dense(3)

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        if self.proj is None:
            self.proj = tf.keras.layers.Dense(2)
        out = tf.keras.layers.Flatten()(inputs)
        return self.proj(self.dense(out))
''',
    ),
    check=check,
)
