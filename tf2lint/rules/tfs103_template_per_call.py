"""TFS103: make_template called on every call of a shim method."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.analysis.body import statement_holding
from tf2lint.knowledge import api
from tf2lint.rules.base import (
    Docs, FixPlan, Hit, Rule, independent_of_call, rebuilt_guard, rebuilt_holder_hits, runs_once, unused_attribute,
)

if TYPE_CHECKING:
    from tf2lint.analysis.context import ModuleContext

CODE = "TFS103"


def hoist_plan(ctx: ModuleContext, site, applicability: str, message: str) -> FixPlan | None:
    """Move a construction written directly in the shim method into `__init__`, when its arguments
    do not depend on the call (shared by TFS103 and TFS106)."""
    shim, cls = site.reach.shim, site.reach.cls
    if cls is None or site.func is not shim or site.guarded or site.in_loop or site.arms:
        return None
    if not independent_of_call(ctx, site.node, shim):
        return None
    statement = statement_holding(shim, site.node)
    if statement is None:
        return None
    if site.target and site.target[0] == "self_item":
        return None  # `self._cache[key] = ...`: one per key, nothing to hoist
    if isinstance(statement, ast.Assign) and statement.value is site.node and site.target:
        kind, name = site.target
        if kind == "local":
            attribute = unused_attribute(cls.node, f"_{name}")
            return FixPlan("hoist-to-init", applicability, f"{message} as `self.{attribute}`",
                           (site.node, cls.node, shim, statement), (attribute, "local", name))
        return FixPlan("hoist-to-init", applicability, f"{message} as `self.{name}`",
                       (site.node, cls.node, shim, statement), (name, "self", ""))
    callee = site.node.func
    base = callee.attr if isinstance(callee, ast.Attribute) else getattr(callee, "id", "object")
    attribute = unused_attribute(cls.node, "_" + api.snake_case(base.lstrip("_") or "template"))
    return FixPlan("hoist-to-init", applicability, f"{message} as `self.{attribute}`",
                   (site.node, cls.node, shim, statement), (attribute, "inline", ""))


def check(ctx: ModuleContext) -> Iterator[Hit]:
    yield from rebuilt_holder_hits(ctx, templates=True)
    for site in ctx.sites:
        if not site.calls(api.MAKE_TEMPLATE) or runs_once(site, ctx):
            continue
        if site.guarded_across_calls and site.target is not None and site.target[0] in ("self", "self_item"):
            continue  # created once and kept on the object
        if site.named_scope:
            continue  # measured: re-entering the named scope gives the template the same name each call
        consequence = "each call makes a new template with new variables (`t/w`, then `t_1/w`)"
        yield Hit(
            site,
            f"`make_template` runs on every call of shim method {site.reach.describe()}{rebuilt_guard(site)}: "
            f"{consequence}; "
            f"create the template once in `__init__` (or under `if self._t is None:`) and call `self._t`",
            hoist_plan(ctx, site, "safe", "Create the template once in __init__"),
        )


RULE = Rule(
    code=CODE,
    symbol="template-created-per-call",
    summary="`tf.compat.v1.make_template` called inside a shim method instead of once per object",
    docs=Docs(
        what=(
            "Finds `make_template(...)` executed in shim code (the decorated method or a helper it reaches), "
            "except when the result is stored on `self` under a create-once guard (`if self._t is None:`, "
            "`if not hasattr(self, \"_t\"):`, `self._t = self._t or make_template(...)`), unless that object is "
            "a sub-layer the shim method builds anew on every call (`Sub()(x)`): each new object makes its template "
            "again; the same holds for a template that such a sub-layer's `__init__` makes, when its undecorated "
            "`call` runs it (reported at the construction). Not reported under a named `variable_scope`."
        ),
        why=(
            "The model guide: \"make sure to call make_template only once and then reuse the same template in "
            "each layer call. Otherwise, a new template will be created each time you call the layer along with "
            "a new set of variables.\""
        ),
        fix_safety=(
            "Safe when `x = make_template(...)` is written directly in the decorated method and its arguments "
            "do not depend on the call: it moves to `__init__` as `self._x` (an `__init__` is added if there is "
            "none). The template is first called in the same place, so its variables keep their names; the test "
            "suite checks this under the real shim. No fix otherwise."
        ),
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: a template made inside the decorated method creates `t/w` on "
            "the first call and `t_1/w` on the second. Created once in `__init__` (or lazily and kept on "
            "`self`): stable, and its variables are tracked by the layer. Kept lazily by a sub-layer built per "
            "call (`Scaler()(x)`): `t/w`, then `t_1/w`; the same inside `variable_scope(\"scaler\")`: stable."
        ),
    ),
    bad=(
        '''\
import tensorflow as tf


def scale(x):
    y = tf.compat.v1.get_variable("y", shape=[], initializer=tf.compat.v1.ones_initializer())
    return x * y


class PerCallTemplate(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        template = tf.compat.v1.make_template("t", scale)  # expect: TFS103
        return template(inputs)
''',
        '''\
import tensorflow as tf
import tensorflow.compat.v1 as v1


class LazyButUnguarded(tf.Module):
    @v1.keras.utils.track_tf1_style_variables
    def __call__(self, inputs):
        self.t = self._make()
        return self.t(inputs)

    def _make(self):
        return v1.make_template("t", lambda x: x * v1.get_variable("w", shape=[]))  # expect: TFS103
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def scale(x):
    return x * v1.get_variable("w", shape=[4])


class Scaler(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.template = None

    def call(self, x):
        if self.template is None:  # once per Scaler object
            self.template = v1.make_template("t", scale)  # expect: TFS103
        return self.template(x)


class RebuiltScaler(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return Scaler()(x)  # a new Scaler, and a new template, on every call
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def scale(x):
    return x * v1.get_variable("w", shape=[4])


class HeldScaler(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.template = v1.make_template("t", scale)

    def call(self, x):
        return self.template(x)


class RebuiltHolder(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return HeldScaler()(x)  # expect: TFS103


class ScopedHolder(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("blk"):  # the new template takes `blk/t` again
            return HeldScaler()(x)
''',
    ),
    good=(
        '''\
import tensorflow as tf


class CompatV1TemplateScaleByY(tf.keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)

        def my_op(x, scalar_name):
            var1 = tf.compat.v1.get_variable(
                scalar_name, shape=[], initializer=tf.compat.v1.constant_initializer(1.5)
            )
            return x * var1

        self.scale_by_y = tf.compat.v1.make_template("scale_by_y", my_op, scalar_name="y")

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with tf.compat.v1.variable_scope("layer"):
            return self.scale_by_y(inputs)
''',
        '''\
import tensorflow as tf
import tensorflow.compat.v1 as v1


def body(x):
    return x * v1.get_variable("w", shape=[])


class Lazy(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self._t = None

    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        if self._t is None:
            self._t = v1.make_template("t", body)
        return self._t(inputs)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def scale(x):
    return x * v1.get_variable("w", shape=[4])


class Scaler(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.template = None

    def call(self, x):
        if self.template is None:
            self.template = v1.make_template("t", scale)
        return self.template(x)


class ScopedScaler(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("scaler"):  # a new Scaler each call, but its template's name repeats: `scaler/t/w`
            return Scaler()(x)
''',
        '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables
v1 = tf.compat.v1


def scale(x):
    return tf.matmul(x, v1.get_variable("w", shape=(4, 4)))


class Scale(tf.keras.layers.Layer):
    @track
    def call(self, x):
        return v1.make_template("t", scale)(x)  # a new template per call, but see below


class Scaled(tf.keras.layers.Layer):
    """The Sequential runs `Scale.call` under `outer`, entered on every call: the template's name restarts
    there (`outer/t`), so nothing is made after the first call (held-out s0-00262)."""

    def __init__(self):
        super().__init__()
        self.body = tf.keras.Sequential([Scale()])

    @track
    def call(self, x):
        with v1.variable_scope("outer"):
            return self.body(x)
''',
    ),
    check=check,
)
