"""Every spelling of the APIs tf2lint knows -> one canonical dotted name, as data.

``tf.compat.v1.layers.dense`` for the v1 layers, ``tf.compat.v1.keras.utils.track_tf1_style_variables`` for
the shim, ``tf.keras.layers.Dense`` for tf.keras (also spelled ``tf_keras``), ``keras.*`` for Keras 3, which is
a different library.
"""

from __future__ import annotations

from functools import lru_cache

# Source prefix -> canonical prefix, most specific first. Matched on dotted boundaries.
_PREFIXES: tuple[tuple[str, str], ...] = (
    ("tensorflow.compat.v1", "tf.compat.v1"),
    ("tensorflow.compat.v2", "tf"),
    ("tensorflow._api.v2.compat.v1", "tf.compat.v1"),
    ("tensorflow.python.ops.variable_scope", "tf.compat.v1"),
    ("tensorflow.python.ops.template", "tf.compat.v1"),
    ("tensorflow", "tf"),
    ("tf_keras.api._v1.keras.__internal__.legacy.layers", "tf.compat.v1.layers"),
    ("tf_keras.__internal__.legacy.layers", "tf.compat.v1.layers"),
    ("tf_keras.api._v1.keras", "tf.compat.v1.keras"),
    ("tf_keras.api._v2.keras", "tf.keras"),
    ("tf_keras.src.legacy_tf_layers.variable_scope_shim", "tf.compat.v1.keras.utils"),
    ("tf_keras.src.legacy_tf_layers.migration_utils", "tf.compat.v1.keras.utils"),
    ("tf_keras.src.legacy_tf_layers.base", "tf.compat.v1.layers"),
    ("tf_keras.src.legacy_tf_layers.core", "tf.compat.v1.layers"),
    ("tf_keras.src.legacy_tf_layers.convolutional", "tf.compat.v1.layers"),
    ("tf_keras.src.legacy_tf_layers.normalization", "tf.compat.v1.layers"),
    ("tf_keras.src.legacy_tf_layers.pooling", "tf.compat.v1.layers"),
    ("tf_keras", "tf.keras"),
    # Our reference shim (tf2lint.shim) exposes the same objects under flat names.
    ("tf2lint.shim.layers", "tf.compat.v1.layers"),
    ("tf2lint.shim.Layer", "tf.keras.layers.Layer"),
    ("tf2lint.shim.track_tf1_style_variables", "tf.compat.v1.keras.utils.track_tf1_style_variables"),
    ("tf2lint.shim.get_or_create_layer", "tf.compat.v1.keras.utils.get_or_create_layer"),
    ("tf2lint.shim.DeterministicRandomTestTool", "tf.compat.v1.keras.utils.DeterministicRandomTestTool"),
    ("tf2lint.shim", "tf.compat.v1"),
)

# `tf.compat.v1.keras` is tf.keras except for the few v1-only migration utilities.
_V1_ONLY_KERAS = frozenset(
    {"utils.track_tf1_style_variables", "utils.get_or_create_layer", "utils.DeterministicRandomTestTool"}
)
# Names under `tf.compat.v1` that are the very same objects as in TF2.
_SAME_IN_V2 = frozenset({"Variable", "Module", "function", "init_scope", "keras"})
# Top-level `tf.X` (TF1.x spelling) that only exist as v1 APIs.
_V1_ONLY_TOP = frozenset(
    {
        "layers", "variable_scope", "get_variable", "get_variable_scope", "make_template",
        "get_collection", "get_collection_ref", "add_to_collection", "add_to_collections",
        "global_variables", "trainable_variables", "local_variables", "model_variables",
        "GraphKeys", "AUTO_REUSE", "disable_v2_behavior", "placeholder", "Session",
    }
)
_V1_ONLY_PATHS = frozenset({"losses.get_regularization_loss", "losses.get_regularization_losses"})


@lru_cache(maxsize=4096)
def canonical(path: str) -> str:
    """Canonical name of a fully qualified source path (``tensorflow.compat.v1.layers.dense``)."""
    for source, target in _PREFIXES:
        if path == source or path.startswith(source + "."):
            path = target + path[len(source):]
            break
    if path.startswith("tf.compat.v1.keras."):
        rest = path[len("tf.compat.v1.keras."):]
        return path if rest in _V1_ONLY_KERAS else "tf.keras." + rest
    if path.startswith("tf.compat.v1."):
        head = path[len("tf.compat.v1."):].split(".", 1)[0]
        if head in _SAME_IN_V2:
            return "tf." + path[len("tf.compat.v1."):]
    elif path.startswith("tf."):
        rest = path[3:]
        if rest.split(".", 1)[0] in _V1_ONLY_TOP or rest in _V1_ONLY_PATHS:
            return "tf.compat.v1." + rest
    return path
