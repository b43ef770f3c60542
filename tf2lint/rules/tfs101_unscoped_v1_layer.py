"""TFS101: an auto-named v1 layer with no named variable_scope around it, in a shim context."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.knowledge import api
from tf2lint.rules.base import (
    Docs, FixPlan, Hit, Rule, first_name, has_explicit_name, spelled, supplied_by_arg_scope,
)

if TYPE_CHECKING:
    from tf2lint.analysis.context import ModuleContext

CODE = "TFS101"


def _evaluation_order(statements: list[ast.stmt]) -> list[ast.Call]:
    """Calls of a block in the order Python runs them (arguments before the call)."""
    order: list[ast.Call] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, (ast.Lambda, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return
        for child in ast.iter_child_nodes(node):
            visit(child)
        if isinstance(node, ast.Call):
            order.append(node)

    for statement in statements:
        visit(statement)
    return order


def _auto_names(ctx: ModuleContext, shim: ast.AST) -> dict[ast.Call, str] | None:
    """The names the shim method's unnamed layers take on the first call, when that is certain.

    Certain means: every variable-creating v1 layer and scope reached from the method is a functional
    call written directly in it, outside loops, branches, tf.functions and variable scopes, with a
    literal name or none, and no unknown callee could take one of the names first. Names then follow
    TF's own rule: an explicit name takes itself; an auto name is the base if unused in the scope,
    else the first unused `base_N`.
    """
    sites = [s for s in ctx.sites if s.reach.shim is shim]
    names: dict[ast.Call, str] = {}
    for site in sites:
        layer = first_name(site, lambda n: api.v1_layer_base_name(n) is not None)
        creates = layer or site.calls(api.VARIABLE_SCOPE, api.MAKE_TEMPLATE, api.GET_VARIABLE)
        if not creates:
            known = any(n.startswith(("tf.", "keras.")) for n in site.names) or not site.names
            if not known:
                return None  # an imported helper might create layers too
            continue
        if site.func is not shim or site.in_loop or site.arms or site.reach.tf_function or site.scopes:
            return None
        if layer and api.is_v1_layer_class(layer):
            return None  # class layers take their name when first called, not where they are built
        if layer and has_explicit_name(site.node) and _literal_name(site.node) is None:
            return None
    order = [c for c in _evaluation_order(shim.body) if c in {s.node for s in sites}]  # type: ignore[attr-defined]
    used: set[str] = set()
    by_node = {s.node: s for s in sites}
    for call in order:
        layer = first_name(by_node[call], lambda n: api.v1_layer_base_name(n) is not None)
        if layer is None:
            continue
        explicit = _literal_name(call)
        if explicit is not None:
            used.add(explicit)
            continue
        base = api.v1_layer_base_name(layer)
        name, index = base, 1
        while name in used:
            name, index = f"{base}_{index}", index + 1
        used.add(name)
        names[call] = name
    return names


def _literal_name(call: ast.Call) -> str | None:
    value = next((k.value for k in call.keywords if k.arg == "name"), None)
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def _plan(ctx: ModuleContext, site, cache: dict) -> FixPlan | None:
    shim = site.reach.shim
    if shim not in cache:
        cache[shim] = _auto_names(ctx, shim)
    names = cache[shim]
    if names and site.node in names:
        name = names[site.node]
        return FixPlan("add-keyword", "safe", f'Name the layer "{name}" (the name it gets on the first call)',
                       (site.node,), ("name", f'"{name}"'))
    scope = spelled(ctx, api.VARIABLE_SCOPE)
    if scope is None or site.reach.cls is None:
        return None
    scope_name = re.sub(r"(?<!^)(?=[A-Z])", "_", site.reach.cls.name).lower()
    return FixPlan("wrap-body-in-scope", "unsafe",
                   f'Open variable_scope("{scope_name}") around the body of `{site.reach.shim_name}` '
                   "(variable names gain that prefix: old checkpoints need a name map)",
                   (shim,), (f'{scope[0]}("{scope_name}")', scope[1]))


def _wraps_creator(ctx: ModuleContext, site, position: int | None) -> bool:
    """For a wrapper (slim.repeat/stack): whether the layer it calls creates variables (unknown: no)."""
    if position is None:
        return True
    wrapped = site.node.args[position] if len(site.node.args) > position else None
    if wrapped is None:
        return False
    return any(api.creates_tf1_variables(name) for name in ctx.resolve(wrapped, site.func))


def check(ctx: ModuleContext) -> Iterator[Hit]:
    plans: dict = {}
    for site in ctx.sites:
        name = first_name(site, lambda n: api.auto_named_creator(n) is not None)
        if name is None or site.named_scope:
            continue
        creator = api.auto_named_creator(name)
        assert creator is not None
        if has_explicit_name(site.node, creator.param, creator.position) or supplied_by_arg_scope(site, creator.param):
            continue
        if not _wraps_creator(ctx, site, creator.wraps):
            continue
        if api.is_v1_layer_class(name) and site.guarded:
            continue  # a layer object built once under a create-once guard keeps its name
        base, param = creator.base, creator.param
        where = "inside a `tf.function` (which resets variable scopes)" if site.reach.tf_function else ""
        yield Hit(
            site.node,
            f"`{name}` without `{param}=` and outside a named `variable_scope`{' ' + where if where else ''}, "
            f"reached from shim method {site.reach.describe()}: it takes a new auto-generated name "
            f"(`{base}`, `{base}_1`, ...) and new variables on every call; pass `{param}=` or open a named "
            f"`variable_scope`",
            _plan(ctx, site, plans),
        )


RULE = Rule(
    code=CODE,
    symbol="unscoped-v1-layer",
    summary="Auto-named `tf.compat.v1.layers` layer with no named `variable_scope`, in a shim method",
    docs=Docs(
        what=(
            "Finds `tf.compat.v1.layers` layers that create variables (`dense`, `conv1d/2d/3d`, transposed and "
            "separable convolutions, `batch_normalization`, and their class forms) called without `name=`, and "
            "TF-Slim layers (`conv2d`, `fully_connected`, `batch_norm`, ..., and `slim.repeat` / `slim.stack` "
            "around one) called without `scope=`, with no non-empty `variable_scope` around them and no "
            "`slim.arg_scope` that may supply the name, in code reached from a method decorated with "
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
            "Safe when the decorated method is straight-line code (no loops, branches, helpers, scopes or class "
            "layers around its v1 layers): each layer gets `name=` set to the name it takes on the first call "
            "(`dense`, `dense_1`, ... per base name, in call order), so checkpoints still load; the test suite "
            "checks the variables under the real shim. Otherwise the fix is unsafe: a named `variable_scope` "
            "around the method body, which stops the growth but prefixes every variable name."
        ),
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: two unnamed `dense` layers give 4 weights after the first call "
            "and 8 after the second (`dense`, `dense_1`, then `dense_2`, `dense_3`). Under an outer "
            "`tf.function` or `model.fit`: `ValueError: tf.function only supports singleton tf.Variables "
            "created on the first call`. TF-Slim 1.1.0 the same way: `slim.conv2d` and `slim.fully_connected` give "
            "`Conv/*`, `fully_connected/*`, then `Conv_1/*`, `fully_connected_1/*` (4 -> 8 variables); "
            "`slim.repeat` / `slim.stack` without `scope=` grow `Repeat` -> `Repeat_1`, `Stack` -> `Stack_1`, "
            "and are stable with `scope=`, inside a named `variable_scope` or under an `arg_scope` supplying it."
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
        '''\
import tensorflow as tf
import tf_slim as slim


class SlimTower(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        net = slim.conv2d(inputs, 8, [3, 3])  # expect: TFS101
        net = slim.repeat(net, 2, slim.conv2d, 8, [3, 3])  # expect: TFS101
        net = slim.stack(net, slim.conv2d, [(8, [3, 3]), (8, [3, 3])])  # expect: TFS101
        with slim.arg_scope([slim.fully_connected], activation_fn=None):
            return slim.fully_connected(slim.flatten(net), 4)  # expect: TFS101
''',
        '''\
# tf-keras, spelled with the wheel's internal paths.
import tensorflow as tf
from tf_keras.src.engine.base_layer import Layer
from tf_keras.src.legacy_tf_layers import core
from tf_keras.src.legacy_tf_layers.variable_scope_shim import track_tf1_style_variables


class WheelInternals(Layer):
    @track_tf1_style_variables
    def call(self, inputs):
        return core.Dense(3)(inputs)  # expect: TFS101
''',
        '''\
# tf-keras, spelled with its source tree's paths (as its own tests do).
from tf_keras.engine.base_layer import Layer
from tf_keras.legacy_tf_layers import core
from tf_keras.legacy_tf_layers.variable_scope_shim import track_tf1_style_variables


class SourceTree(Layer):
    @track_tf1_style_variables
    def call(self, inputs):
        return core.Dense(3)(inputs)  # expect: TFS101
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
        '''\
import tensorflow as tf
import tf_slim as slim


class SlimScoped(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        net = slim.conv2d(inputs, 8, [3, 3], scope="conv0")
        net = slim.repeat(net, 2, slim.conv2d, 8, [3, 3], scope="conv1")
        net = slim.stack(net, slim.conv2d, [(8, [3, 3])], scope="conv2")
        net = slim.repeat(net, 2, slim.max_pool2d, [2, 2], padding="SAME")  # pooling creates no variables
        with slim.arg_scope([slim.fully_connected], scope="logits"):
            net = slim.fully_connected(slim.flatten(net), 4)
        with tf.compat.v1.variable_scope("head"):
            return slim.fully_connected(net, 2)


def slim_graph_model(images):
    # Plain TF-Slim graph code, never reached from a shim method.
    return slim.fully_connected(slim.conv2d(images, 8, [3, 3]), 10)
''',
        '''\
import tensorflow as tf
from tf_keras.src.engine.base_layer import Layer
from tf_keras.src.legacy_tf_layers import core
from tf_keras.src.legacy_tf_layers.variable_scope_shim import track_tf1_style_variables


class WheelInternalsNamed(Layer):
    @track_tf1_style_variables
    def call(self, inputs):
        return core.dense(inputs, 3, name="out")
''',
    ),
    check=check,
)
