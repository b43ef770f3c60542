"""TFS109: get_or_create_layer with a builder that needs arguments, or outside shim code."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.knowledge import api
from tf2lint.analysis.names import Function
from tf2lint.rules.base import Docs, Hit, Rule, keyword

if TYPE_CHECKING:
    from tf2lint.analysis.context import ModuleContext

CODE = "TFS109"


def _required_params(func: Function, bound: bool) -> list[str]:
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    if bound:
        positional = positional[1:]
    with_defaults = len(args.defaults)
    required = [a.arg for a in positional[: len(positional) - with_defaults]] if with_defaults else [a.arg for a in positional]
    required += [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is None]
    return required


def _builder(ctx: ModuleContext, expr: ast.expr, func: Function | None) -> tuple[Function, bool] | None:
    """The builder function and whether it is bound (a method called through `self`)."""
    if isinstance(expr, ast.Lambda):
        return expr, False
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == "self":
        cls = ctx.owner.get(func) if func is not None else None
        for klass in ctx.mro(cls) if cls else []:
            method = klass.methods.get(expr.attr)
            if method is not None:
                static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in method.decorator_list)
                return method, not static
        return None
    if isinstance(expr, ast.Name) and not (func is not None and ctx.names.is_local(expr.id, func)):
        found = ctx.module_functions.get(expr.id)
        return (found, False) if found is not None else None
    return None


def check(ctx: ModuleContext) -> Iterator[Hit]:
    in_shim = {site.node for site in ctx.sites if site.calls(api.GET_OR_CREATE_LAYER)}
    for call, func in ctx.nodes_on_lines("get_or_create_layer"):
        if not isinstance(call, ast.Call) or api.GET_OR_CREATE_LAYER not in ctx.resolve(call.func, func):
            continue
        builder_expr = call.args[1] if len(call.args) > 1 else keyword(call, "builder")
        found = _builder(ctx, builder_expr, func) if builder_expr is not None else None
        required = _required_params(*found) if found else []
        if required:
            params = ", ".join(f"`{p}`" for p in required)
            yield Hit(
                call,
                f"the builder passed to `get_or_create_layer` is called with no arguments, but it requires {params}: "
                f"this raises TypeError; bind them first (`functools.partial`, a lambda, or attributes on `self`)",
            )
        elif call not in in_shim and not ctx.graph_mode:
            yield Hit(
                call,
                f"`get_or_create_layer` called outside a method decorated with `@{api.SHIM_DECORATOR}` "
                f"(or code it reaches): in eager mode this raises ValueError",
            )


RULE = Rule(
    code=CODE,
    symbol="get-or-create-layer-misuse",
    summary="`get_or_create_layer` with a builder that needs arguments, or called outside shim code",
    docs=Docs(
        what=(
            "Finds `tf.compat.v1.keras.utils.get_or_create_layer(name, builder)` where the builder needs "
            "arguments (a method with required parameters beyond `self`, a function or lambda with required "
            "parameters), and calls of it from code that no shim-decorated method reaches."
        ),
        why=(
            "The shim calls the builder with no arguments, once, and keeps the result in the decorated object's "
            "variable store, so it only exists while a decorated method runs. The model guide: \"The model builder "
            "method passed into get_or_create_layer ... should take no arguments.\""
        ),
        fix_safety="No automatic fix.",
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: a builder with a parameter raises `TypeError: ...build_model() "
            "missing 1 required positional argument: 'units'`; a call from an undecorated method raises "
            "`ValueError: Tried to call get_or_create_layer in eager mode from a method not decorated with "
            "@tf.compat.v1.keras.utils.track_tf1_style_variables.`"
        ),
    ),
    bad=(
        '''\
import tensorflow as tf

utils = tf.compat.v1.keras.utils


class NeedsArgs(tf.keras.Model):
    def build_model(self, units):
        return tf.keras.Sequential([tf.keras.layers.Dense(units)])

    @utils.track_tf1_style_variables
    def call(self, inputs):
        model = utils.get_or_create_layer("dense_model", self.build_model)  # expect: TFS109
        lam = utils.get_or_create_layer("lam", lambda units: tf.keras.layers.Dense(units))  # expect: TFS109
        return lam(model(inputs))


class Undecorated(tf.keras.Model):
    def build_model(self):
        return tf.keras.Sequential([tf.keras.layers.Dense(3)])

    def call(self, inputs):
        return utils.get_or_create_layer("m", self.build_model)(inputs)  # expect: TFS109
''',
    ),
    good=(
        '''\
import functools

import tensorflow as tf

utils = tf.compat.v1.keras.utils


def make_dense(units=3):
    return tf.keras.layers.Dense(units)


class NoArgBuilder(tf.keras.Model):
    def build_model(self):
        return tf.keras.Sequential([tf.keras.layers.Dense(3)])

    @utils.track_tf1_style_variables
    def call(self, inputs):
        model = utils.get_or_create_layer("dense_model", self.build_model)
        other = utils.get_or_create_layer("other", make_dense)
        bound = utils.get_or_create_layer("bound", functools.partial(tf.keras.layers.Dense, 4))
        return bound(other(model(inputs)))
''',
    ),
    check=check,
)
