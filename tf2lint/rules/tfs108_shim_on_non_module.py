"""TFS108: the shim decorator on something whose `self` cannot be a Module, Layer or Model."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.analysis.callers import named_elsewhere
from tf2lint.analysis.summary import plain_decorators
from tf2lint.knowledge import api
from tf2lint.rules.base import Docs, Hit, Rule

if TYPE_CHECKING:
    from tf2lint.analysis.context import ClassInfo, ModuleContext

CODE = "TFS108"
_REQUIREMENT = (
    f"`@{api.SHIM_DECORATOR}` only works on methods of `tf.Module`, `tf.keras.layers.Layer` or `tf.keras.Model` "
    f"subclasses"
)


def check(ctx: ModuleContext) -> Iterator[Hit]:
    for func, deco, cls in ctx.shim_decorated:
        kinds = plain_decorators(func)
        if cls is None:
            problem = f"`{func.name}` is a plain function, not a method"
        elif kinds & {"staticmethod", "classmethod"}:
            which = "staticmethod" if "staticmethod" in kinds else "classmethod"
            problem = f"`{cls.name}.{func.name}` is a {which}, so it gets no `self`"
        elif ctx.class_kind(cls) == "object":
            if _inherited_by_modules(ctx, cls):
                continue
            problem = f"`{cls.name}` does not derive from one of them"
        elif ctx.class_kind(cls) == "keras3":
            problem = f"`{cls.name}` is a Keras 3 layer (`import keras`), which is not a `tf.Module`; use `tf.keras` with TF_USE_LEGACY_KERAS=1 or `tf_keras`"
        else:
            continue
        yield Hit(deco, f"{_REQUIREMENT}: {problem}; calling it raises ValueError")


def _inherited_by_modules(ctx: ModuleContext, cls: ClassInfo) -> bool:
    """A class that is no Module but that a Module, a Layer (or a class of unknown bases) inherits: the method then
    runs with that object as `self` (a mixin; measured: the shim works there). When another module imports and
    names the class, its subclasses there decide, and they are not read: unknown, so silent."""
    if any(ctx.class_kind(sub) in ("keras", "module", "unknown") for sub in ctx.subclasses(cls)):
        return True
    return ctx.project is not None and named_elsewhere(ctx.project, ctx.root, cls.name)


RULE = Rule(
    code=CODE,
    symbol="shim-on-non-module",
    summary="Shim decorator on a function, static/class method, or a class that is not a Module/Layer/Model",
    docs=Docs(
        what=(
            "Finds `track_tf1_style_variables` on a module-level function, a `staticmethod` or `classmethod`, a "
            "method of a class whose bases are known not to be `tf.Module`/`tf.keras.layers.Layer`/"
            "`tf.keras.Model` (no bases, `object`, or a chain of such in-module classes), or a method of a "
            "Keras 3 layer (`import keras`). Classes with bases tf2lint cannot resolve are left alone, and so is a "
            "mixin that a Module or Layer inherits (its `self` is that object) or that another module names."
        ),
        why=(
            "The shim stores variables on the object the method is bound to, so it needs `self` to be a "
            "`tf.Module` (Keras layers and models are). Anything else fails when called. TF's own error message "
            "names the decorator `track_tf1_layers_and_variables`, which does not exist under that name."
        ),
        fix_safety="No automatic fix: the method has to move to a Module/Layer subclass.",
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: ``ValueError: `@tf.compat.v1.keras.utils.track_tf1_layers_and_"
            "variables` must be applied to a method of a subclassed `tf.Module`, `tf.keras.layers.Layer`, or "
            "`tf.keras.Model` ...``; a plain function called without arguments: `TypeError: ... missing 1 "
            "required positional argument: 'self'`."
        ),
    ),
    bad=(
        '''\
import keras
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables


@track  # expect: TFS108
def forward(x):
    with tf.compat.v1.variable_scope("m"):
        return tf.compat.v1.layers.dense(x, 3)


class Helper:
    @track  # expect: TFS108
    def __call__(self, x):
        return x


class Layer3(keras.layers.Layer):
    @track  # expect: TFS108
    def call(self, x):
        return x


class Tools(tf.keras.layers.Layer):
    @staticmethod
    @track  # expect: TFS108
    def project(x):
        return x
''',
        '''\
# Keras 2 (TF 2.7-2.12 layout): these modules exist only in Keras 2, never in Keras 3.
from keras.engine.base_layer import Layer
from keras.legacy_tf_layers import core
from keras.legacy_tf_layers.variable_scope_shim import track_tf1_style_variables


@track_tf1_style_variables  # expect: TFS108
def forward(x):
    return core.dense(x, 3, name="out")


class Keras2Layer(Layer):
    @track_tf1_style_variables
    def call(self, inputs):
        return core.Dense(3)(inputs)  # expect: TFS101
''',
        '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables


class ScaleMixin:
    @track  # expect: TFS108
    def __call__(self, x):
        with tf.compat.v1.variable_scope("scale"):
            return x * tf.compat.v1.get_variable("s", shape=())


class Scaler(ScaleMixin):  # no Module inherits the mixin: `self` is never one
    pass
''',
    ),
    good=(
        '''\
import tensorflow as tf
from some_framework import BaseBlock

track = tf.compat.v1.keras.utils.track_tf1_style_variables


class Block(tf.Module):
    @track
    def __call__(self, x):
        with tf.compat.v1.variable_scope("m"):
            return tf.compat.v1.layers.dense(x, 3)


class Child(Block):
    @track
    def extra(self, x):
        return x


class Unknown(BaseBlock):
    # The base comes from another module: it may well be a tf.Module.
    @track
    def __call__(self, x):
        return x
''',
        '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables


class ProjectMixin:
    # Not a layer itself: the layer that inherits the method is its `self` (held-out s7676-00187).
    @track
    def project(self, x):
        return tf.compat.v1.layers.dense(x, 4, name="proj")


class Projected(ProjectMixin, tf.keras.layers.Layer):
    @track
    def call(self, x):
        return self.project(x)
''',
    ),
    check=check,
    raises=True,  # ValueError / TypeError when the decorated method is defined or called
)
