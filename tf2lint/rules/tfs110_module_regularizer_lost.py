"""TFS110: regularizers in a shim method of a tf.Module that is not a Keras layer."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.knowledge import api, slim
from tf2lint.rules.base import Docs, Hit, Rule

if TYPE_CHECKING:
    from tf2lint.analysis.context import ModuleContext

CODE = "TFS110"
REGULARIZER_KEYWORDS = frozenset({
    "regularizer", "kernel_regularizer", "bias_regularizer", "activity_regularizer", "beta_regularizer",
    "gamma_regularizer", "depthwise_regularizer", "pointwise_regularizer", *slim.REGULARIZER_KEYWORDS,
})


def check(ctx: ModuleContext) -> Iterator[Hit]:
    for site in (*ctx.sites, *ctx.template_sites):  # (a template's function runs in its caller's store)
        cls = site.reach.cls
        if cls is None or ctx.class_kind(cls) != "module" or any(k.reads_store_regularizers for k in ctx.mro(cls)):
            continue  # (a class that reads the shim's private store of penalties has reached them)
        if not any(api.creates_tf1_variables(name) for name in site.names):
            continue
        for kw in site.node.keywords:
            if kw.arg in REGULARIZER_KEYWORDS and not (isinstance(kw.value, ast.Constant) and kw.value.value is None):
                yield Hit(
                    kw.value,
                    f"`{kw.arg}=` in shim method {site.reach.describe()} of `{cls.name}`, a `tf.Module` that is "
                    f"not a Keras layer: the loss is computed nowhere you can reach (`.losses` does not exist, "
                    f"`get_regularization_losses()` is empty); make `{cls.name}` a `tf.keras.layers.Layer` or add "
                    f"the penalty to the loss yourself",
                    site=site,
                )


RULE = Rule(
    code=CODE,
    symbol="module-regularizer-lost",
    summary="Regularizer on a variable created in a shim method of a plain `tf.Module`",
    docs=Docs(
        what=(
            "Finds `regularizer=`, `kernel_regularizer=`, `bias_regularizer=`, `activity_regularizer=` (and the "
            "batch-norm/separable-conv variants; TF-Slim's `weights_regularizer=` / `biases_regularizer=`) on "
            "`get_variable`, `tf.compat.v1.layers`, TF-Slim layers or `slim.variable` calls in shim code (also in the "
            "function of a `make_template` template it calls) "
            "of a `tf.Module` subclass that is not a Keras layer or model. A class that reads the shim's store of "
            "penalties itself (`self._tf1_style_var_store._regularizers`, in it or a base class, as tf-keras's own "
            "shim tests do) has reached them and is not reported."
        ),
        why=(
            "The shim captures regularization losses in `layer.losses` only for Keras layers. On a `tf.Module` "
            "the variables are tracked, but the penalties end up in a private attribute, so the training loss "
            "silently loses its regularization term. The model guide: \"if the NestedLayer were a non-Keras "
            "tf.Module instead, variables would still be tracked but regularization losses would not be "
            "automatically tracked\"."
        ),
        fix_safety="No automatic fix.",
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: variables are in `module.trainable_variables`; there is no "
            "`.losses`; the penalties sit only in `module._tf1_style_var_store._regularizers` (a dict of "
            "callables), and `tf.compat.v1.losses.get_regularization_losses()` returns `[]`. The same for "
            "`slim.conv2d(..., weights_regularizer=slim.l2_regularizer(0.1))` (tf-slim 1.1.0)."
        ),
    ),
    bad=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Regularized(tf.Module):
    @v1.keras.utils.track_tf1_style_variables
    def __call__(self, x):
        with v1.variable_scope("block"):
            w = v1.get_variable("w", shape=[3, 3], regularizer=tf.keras.regularizers.L2())  # expect: TFS110
            return v1.layers.dense(tf.matmul(x, w), 2, kernel_regularizer="l2", name="out")  # expect: TFS110
''',
        '''\
import tensorflow as tf
import tf_slim as slim


class SlimRegularized(tf.Module):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def __call__(self, x):
        net = slim.conv2d(x, 4, [3, 3], scope="conv", weights_regularizer=slim.l2_regularizer(0.1))  # expect: TFS110
        scale = slim.model_variable("scale", shape=[4], regularizer=slim.l2_regularizer(0.1))  # expect: TFS110
        return net * scale
''',
        '''\
import tensorflow as tf
v1 = tf.compat.v1
def _scale(x):
    w = v1.get_variable("w", shape=[3, 3], regularizer=tf.keras.regularizers.L2())  # expect: TFS110
    return tf.matmul(x, w)
class TemplateHolder(tf.Module):
    def __init__(self):
        super().__init__()
        self.scale = v1.make_template("scale", _scale)
    @v1.keras.utils.track_tf1_style_variables
    def __call__(self, x):
        with v1.variable_scope("block"):
            return self.scale(x)
''',
    ),
    good=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class KerasRegularized(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("block"):
            return v1.layers.dense(x, 2, kernel_regularizer="l2", name="out")


class ModuleWithoutRegularizers(tf.Module):
    @v1.keras.utils.track_tf1_style_variables
    def __call__(self, x):
        with v1.variable_scope("block"):
            return v1.layers.dense(x, 2, kernel_regularizer=None, name="out")
''',
        '''\
import tensorflow as tf
import tf_slim as slim


class SlimKerasRegularized(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return slim.conv2d(x, 4, [3, 3], scope="conv", weights_regularizer=slim.l2_regularizer(0.1))


class SlimModuleUnregularized(tf.Module):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def __call__(self, x):
        return slim.conv2d(x, 4, [3, 3], scope="conv", weights_regularizer=None)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class ModuleWithLosses(tf.Module):
    def regularization_loss(self):
        return tf.add_n([reg() for reg in self._tf1_style_var_store._regularizers.values()])


class StoreReader(ModuleWithLosses):
    @v1.keras.utils.track_tf1_style_variables
    def __call__(self, x):
        with v1.variable_scope("block"):
            return v1.layers.dense(x, 2, kernel_regularizer="l2", name="out")
''',
        '''\
import tensorflow as tf
v1 = tf.compat.v1
def _scale(x):
    w = v1.get_variable("w", shape=[3, 3], regularizer=tf.keras.regularizers.L2())
    return tf.matmul(x, w)
class TemplateLayer(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.scale = v1.make_template("scale", _scale)
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("block"):
            return self.scale(x)
''',
    ),
    check=check,
)
