"""TFS112: graph collections read or written in shim code or inside a tf.function."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.knowledge import api
from tf2lint.analysis.names import Function
from tf2lint.rules.base import Docs, Hit, Rule

if TYPE_CHECKING:
    from tf2lint.analysis.context import CallSite, ModuleContext

CODE = "TFS112"
_INSTEAD = {
    "read": "collections are empty there; use the layer's `variables`, `losses` or attributes",
    "write": "nothing reads graph collections in eager mode; keep the object on `self` instead",
    "variables": "it returns `[]` there; use `layer.trainable_variables` / `layer.variables`",
    "losses": "it returns `[]` (or misses the `get_variable` regularizers) there; use `layer.losses`",
    "update_ops": "it is always empty there; batch-norm updates run automatically in TF2, drop the control dependency",
    "loss": (
        "the loss it returns is right, but it is also added to the `LOSSES` collection, which in eager mode "
        "grows on every call (`get_total_loss()` sums the losses of all calls so far); compute the loss "
        "outside shim code with `tf.keras.losses` / `tf.nn`"
    ),
}


def _mentions_update_ops(ctx: ModuleContext, call: ast.Call, func: Function | None) -> ast.AST | None:
    for arg in [*call.args, *(k.value for k in call.keywords)]:
        if isinstance(arg, ast.Attribute) and api.UPDATE_OPS in ctx.resolve(arg, func):
            return arg
    return None


def _hits(ctx: ModuleContext, call: ast.Call, names: tuple[str, ...], func: Function | None, where: str,
          site: CallSite | None = None) -> Iterator[Hit]:
    api_name = next((n for n in names if n in api.COLLECTION_APIS), None)
    update_ops = _mentions_update_ops(ctx, call, func)
    if api_name is not None:
        kind = "update_ops" if update_ops is not None else api.COLLECTION_APIS[api_name]
        yield Hit(call, f"`{api_name}` {where}: {_INSTEAD[kind]}")
    elif update_ops is not None:
        yield Hit(update_ops, f"`GraphKeys.UPDATE_OPS` {where}: {_INSTEAD['update_ops']}", site=site)


# Every API above is spelled with its last name; files without them need no walk.
_WORDS = tuple(sorted({name.rsplit(".", 1)[-1] for name in api.COLLECTION_APIS} | {"UPDATE_OPS"}))
_SPELLINGS = "|".join(map(re.escape, _WORDS))
# Fewer, shorter words that every one of them contains, for the triage (each word is a scan of the text).
_COVER = ("UPDATE_OPS", "collection", "variable", "loss", "_difference", "_distance", "_error", "cross_entropy")
_TRIGGERS = _COVER + tuple(word for word in _WORDS if not any(part in word for part in _COVER))


def check(ctx: ModuleContext) -> Iterator[Hit]:
    # Hits come only from shim code and tf.function bodies: a file with neither needs no text search.
    roots = list(ctx.tf_function_roots()) if not ctx.sites else None
    if roots == []:
        return
    # The text gate covers this file; shim code that reaches other modules is looked at call by call.
    if not ctx.nodes_on_lines(_SPELLINGS) and not any(ctx.is_foreign(site.module) for site in ctx.sites):
        return
    hits = [
        hit
        for site in ctx.sites
        for hit in _hits(ctx, site.node, site.names, site.func, f"in shim method {site.reach.describe()}", site)
    ]
    for root, cls in ctx.tf_function_roots() if roots is None else roots:
        label = getattr(root, "name", "<lambda>")
        for call, names, func in ctx.reached_calls(root, cls):
            hits.extend(_hits(ctx, call, names, func, f"inside `tf.function` `{label}`"))
    if hits and not ctx.graph_mode:  # TF1 graph mode: collections are how the code is meant to work
        yield from hits


RULE = Rule(
    code=CODE,
    symbol="graph-collection-in-eager",
    summary="Graph collections (`get_collection`, `UPDATE_OPS`, `trainable_variables()`, ...) in eager code",
    docs=Docs(
        what=(
            "Finds `get_collection`, `get_collection_ref`, `add_to_collection(s)`, `global_variables`, "
            "`trainable_variables`, `local_variables`, `model_variables`, `losses.get_regularization_loss(es)` "
            "and `GraphKeys.UPDATE_OPS` in shim code or in a `tf.function` body (and helpers reached from them); "
            "TF-Slim's collection helpers too: `slim.losses.*` (loss functions add to `LOSSES`), "
            "`slim.get_variables*`, `slim.get_model_variables`, `slim.add_model_variable`. "
            "Files that switch to graph mode (`disable_v2_behavior()`) are TF1 code and are not reported."
        ),
        why=(
            "In TF2 nothing is added to graph collections in eager mode, and a `tf.function` has its own graph: "
            "the calls return empty lists, so a control dependency on `UPDATE_OPS` or a loss built from "
            "`get_regularization_losses()` silently does nothing. The migration guide replaces them with the "
            "objects' own `variables`, `trainable_variables` and `losses`."
        ),
        fix_safety="No automatic fix.",
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: in eager mode all of them return `[]`; inside `tf.function`, "
            "`UPDATE_OPS` is `[]`, variable collections are `[]`, and `REGULARIZATION_LOSSES` holds only the v1 "
            "layers' kernel regularizer tensor, missing the `get_variable` regularizers. With tf-slim 1.1.0: "
            "`slim.get_variables()` / `slim.get_model_variables()` return `[]` next to a `slim.model_variable`, and "
            "`slim.losses.mean_squared_error` adds to a `LOSSES` collection that is never cleared: "
            "`slim.losses.get_total_loss()` is 1.0 on the first call and 2.0 on the second for the same loss."
        ),
    ),
    bad=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class CollectsUpdates(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs, training=None):
        with v1.variable_scope("bn"):
            out = v1.layers.batch_normalization(inputs, training=training)
        with tf.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):  # expect: TFS112
            out = tf.identity(out)
        self.reg = v1.losses.get_regularization_loss()  # expect: TFS112
        return out


@tf.function
def train_step(model, x):
    with tf.GradientTape() as tape:
        loss = tf.reduce_sum(model(x))
    variables = v1.trainable_variables()  # expect: TFS112
    return tape.gradient(loss, variables)
''',
        '''\
import tensorflow as tf
import tf_slim as slim


class SlimCollections(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        scale = slim.model_variable("scale", shape=[3])
        self.tracked = slim.get_model_variables() + slim.get_variables("scale")  # expect: TFS112, TFS112
        out = inputs * scale
        self.loss = slim.losses.mean_squared_error(out, tf.zeros_like(out))  # expect: TFS112
        self.total = slim.losses.get_total_loss()  # expect: TFS112
        return out
''',
    ),
    good=(
        '''\
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()


def train_op(loss):
    update_ops = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
    with tf.control_dependencies(update_ops):
        return tf.train.AdamOptimizer().minimize(loss, var_list=tf.trainable_variables())
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class UsesLayerState(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs, training=None):
        with v1.variable_scope("bn"):
            return v1.layers.batch_normalization(inputs, training=training)


def tf1_train_op(loss):
    # Never reached from shim code or a tf.function.
    with tf.control_dependencies(v1.get_collection(v1.GraphKeys.UPDATE_OPS)):
        return v1.train.AdamOptimizer().minimize(loss)
''',
        '''\
import tensorflow as tf
import tf_slim as slim


class SlimState(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        scale = slim.model_variable("scale", shape=[3])
        return inputs * scale


def slim_train_op(images, labels):
    # TF1 graph code, never reached from shim code: slim's collections work there.
    logits = slim.fully_connected(images, 10)
    slim.losses.softmax_cross_entropy(logits, labels)
    return slim.losses.get_total_loss(), slim.get_variables()
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def dense(x, units, wd):
    out = v1.layers.dense(x, units, name="fc")
    if wd:  # only ever False here: the collection is never written
        v1.add_to_collection("losses", tf.nn.l2_loss(out))
    return out


class Regressor(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return dense(x, 3, wd=False)
''',
    ),
    check=check,
    # Shim code, or a tf.function of this module with a collection API spelled in it.
    applies=lambda triage: triage.may_hold_shim_code or (
        triage.mentions("function") and triage.mentions(*_TRIGGERS) and triage.may_compile_tf_functions
    ),
)
