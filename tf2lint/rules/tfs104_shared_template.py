"""TFS104: one template made at module or class level, called from shim methods."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.rules.base import Docs, Hit, Rule

if TYPE_CHECKING:
    from tf2lint.analysis.context import ModuleContext

CODE = "TFS104"


def check(ctx: ModuleContext) -> Iterator[Hit]:
    for site in ctx.sites:
        template = ctx.shared_template(site)
        if template is None:
            continue
        yield Hit(
            site,
            f"the template made at line {template.lineno} is shared by every instance; called from shim method "
            f"{site.reach.describe()}, the first object to call it owns its variables and the others track none "
            f"of them; create the template per object in `__init__`",
        )


RULE = Rule(
    code=CODE,
    symbol="template-shared-across-instances",
    summary="Template made at module or class level and called in a shim method",
    docs=Docs(
        what=(
            "Finds calls, in shim code, of a `make_template(...)` result that was created at module level or in a "
            "class body (including one stored on `self` in `__init__` from a module-level template)."
        ),
        why=(
            "A template keeps its variables after its first call. The shim tracks a variable on the object "
            "whose decorated method created it, so with one template shared by several layers only the first "
            "caller owns the weights; the others use them without tracking them, so they are not saved, not "
            "regularised and not trained through that layer."
        ),
        fix_safety="Not fixable automatically yet.",
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: with one template shared by two layer instances, the first "
            "caller has 1 weight and 1 loss; the second shows 0 weights and 0 losses although it uses the "
            "variable. Storing the shared template on `self` does not help."
        ),
    ),
    bad=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def scale(x):
    return x * v1.get_variable("y", shape=[], regularizer=tf.keras.regularizers.L2())


shared_scale = v1.make_template("scale", scale)


class UsesShared(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with v1.variable_scope("layer"):
            return shared_scale(inputs)  # expect: TFS104


class StoresShared(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.scale = shared_scale

    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with v1.variable_scope("layer"):
            return self.scale(inputs)  # expect: TFS104
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class ClassLevel(tf.keras.layers.Layer):
    scale = v1.make_template("scale", lambda x: x * v1.get_variable("y", shape=[]))

    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with v1.variable_scope("layer"):
            return self.scale(inputs)  # expect: TFS104
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def _table(t):
    emb = v1.get_variable("emb", shape=[t.shape[-1], 2])
    return tf.matmul(t, emb)


SHARED_LOOKUP = v1.make_template("lookup", _table)


def lookup(t):
    return SHARED_LOOKUP(t)  # expect: TFS104


class Embedder(tf.Module):
    @v1.keras.utils.track_tf1_style_variables
    def __call__(self, x):
        step = lambda t: lookup(t)  # noqa: E731 - a lambda bound to a local
        return step(x)
''',
    ),
    good=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def scale(x):
    return x * v1.get_variable("y", shape=[])


shared_scale = v1.make_template("scale", scale)


def graph_model(x, y):
    # TF1 graph code: sharing a template between two towers is what templates are for.
    return shared_scale(x) + shared_scale(y)


class PerInstance(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.scale = v1.make_template("scale", scale)

    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with v1.variable_scope("layer"):
            return self.scale(inputs)
''',
    ),
    check=check,
)
