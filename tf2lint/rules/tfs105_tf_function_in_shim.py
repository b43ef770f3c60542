"""TFS105: a tf.function inside shim code whose body creates variables."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.knowledge import api
from tf2lint.rules.base import Docs, FixPlan, Hit, Rule

if TYPE_CHECKING:
    from tf2lint.analysis.context import ModuleContext, TfFunctionUse

CODE = "TFS105"


def _creator(ctx: ModuleContext, use: TfFunctionUse) -> str | None:
    if use.target is None:
        return None
    for _call, names, _func in ctx.reached_calls(use.target, use.target_cls):
        for name in names:
            if api.creates_tf1_variables(name) or name == api.TF_VARIABLE:
                return name
    return None


def check(ctx: ModuleContext) -> Iterator[Hit]:
    for use in ctx.tf_functions:
        creator = _creator(ctx, use)
        if creator is None:
            continue
        if isinstance(use.anchor, ast.Call):
            plan = FixPlan("unwrap-call", "safe", "Call the function directly, without tf.function", (use.anchor,))
        else:
            plan = FixPlan("remove-decorator", "safe", "Remove the inner @tf.function", (use.anchor, use.target))
        yield Hit(
            use.anchor,
            f"`tf.function` in shim method {use.reach.describe()} wraps code that creates variables "
            f"(`{creator}`): entering a tf.function resets variable scopes, and unnamed layers fail with "
            f"\"tf.function only supports singleton tf.Variables created on the first call\"; remove the inner "
            f"`tf.function` (the decorated method may itself be called from a tf.function)",
            plan,
        )


RULE = Rule(
    code=CODE,
    symbol="tf-function-in-shim",
    summary="`tf.function` inside a shim method around code that creates variables",
    docs=Docs(
        what=(
            "Finds a `tf.function` defined, decorated or applied (`tf.function(fn)`) inside a shim method, or a "
            "`tf.function`-decorated helper reached from one, when the compiled code (or a helper it reaches) "
            "creates variables: `get_variable`, `tf.compat.v1.layers`, `make_template`, `tf.Variable`, TF-Slim layers, "
            "`slim.variable`, `slim.model_variable`. A "
            "`tf.function` below the shim decorator on the same method counts too."
        ),
        why=(
            "The model guide: \"it is not safe to put tf.functions inside of your shim-decorated methods if those "
            "tf.functions contain get_variable calls. Entering a tf.function resets variable_scopes\". A "
            "`tf.function` that creates no variables is harmless and is not reported. Calling the decorated "
            "method from an outer `tf.function` (or `model.fit`) is the supported way."
        ),
        fix_safety=(
            "Safe: removes the inner `@tf.function` (or replaces `tf.function(fn)` by `fn`). Eager code creates "
            "the same variables; to compile, call the decorated method from an outer `tf.function`."
        ),
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: an inner `tf.function` whose body creates unnamed v1 layers "
            "(or uses a default-name scope) raises `ValueError: tf.function only supports singleton "
            "tf.Variables created on the first call` on the first call. With only named variables it happens "
            "to stay stable; a pure-math `tf.function` is harmless."
        ),
    ),
    bad=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class InnerFunction(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        @tf.function  # expect: TFS105
        def forward(x):
            return v1.layers.dense(x, 3)  # expect: TFS101

        return forward(inputs)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def project(x):
    return v1.layers.dense(x, 3)


class Applied(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with v1.variable_scope("outer"):
            fast = tf.function(project)  # expect: TFS105
            return fast(inputs)


class Helper(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with v1.variable_scope("outer"):
            return self.helper(inputs)

    @tf.function  # expect: TFS105
    def helper(self, x):
        return v1.layers.dense(x, 3)  # expect: TFS101
''',
        '''\
import tensorflow as tf
import tf_slim as slim


class SlimInnerFunction(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        @tf.function  # expect: TFS105
        def forward(x):
            return slim.fully_connected(x, 3)  # expect: TFS101

        return forward(inputs)
''',
    ),
    good=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class PureMath(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        @tf.function
        def activation(x):
            return tf.nn.relu(x) * 2.0

        with v1.variable_scope("dense"):
            return activation(v1.layers.dense(inputs, 3))


class OuterFunction(tf.keras.layers.Layer):
    # tf.function outside the shim decorator: the supported order.
    @tf.function
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with v1.variable_scope("dense"):
            return v1.layers.dense(inputs, 3)
''',
    ),
    check=check,
)
