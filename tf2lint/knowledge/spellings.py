"""Every spelling of the APIs tf2lint knows -> one canonical dotted name, as data.

``tf.compat.v1.layers.dense`` for the v1 layers, ``tf.compat.v1.keras.utils.track_tf1_style_variables`` for
the shim, ``tf.keras.layers.Dense`` for tf.keras (also spelled ``tf_keras``, and Keras 2's internal paths),
``slim.conv2d`` for TF-Slim, ``keras.*`` for Keras 3, which is a different library.
"""

from __future__ import annotations

from functools import lru_cache

from tf2lint.knowledge import slim

# Where tf-keras keeps the shim, the v1 layers and the Keras base classes, relative to its source root
# -> canonical prefix. The tf-keras wheel puts the tree under `tf_keras.src`; tf-keras' own tests and
# forks import the tree itself (`tf_keras.engine.base_layer`). Keras 2 (TF 2.7-2.15) has the same tree
# under `keras.src` (2.13+) or `keras` (before); these modules do not exist in Keras 3.
KERAS_INTERNALS: tuple[tuple[str, str], ...] = (
    ("legacy_tf_layers.variable_scope_shim", "tf.compat.v1.keras.utils"),
    ("legacy_tf_layers.migration_utils", "tf.compat.v1.keras.utils"),
    ("legacy_tf_layers.base", "tf.compat.v1.layers"),
    ("legacy_tf_layers.core", "tf.compat.v1.layers"),
    ("legacy_tf_layers.convolutional", "tf.compat.v1.layers"),
    ("legacy_tf_layers.normalization", "tf.compat.v1.layers"),
    ("legacy_tf_layers.pooling", "tf.compat.v1.layers"),
    ("engine.base_layer", "tf.keras.layers"),
    ("engine.training", "tf.keras"),
    ("engine.sequential", "tf.keras"),
)
TF_KERAS_ROOTS = ("tf_keras.src", "tf_keras")
KERAS2_ROOTS = ("keras.src", "keras")
# Packages whose classes the public API re-exports flat: `tf_keras.src.layers.core.dense.Dense` is
# `tf.keras.layers.Dense` (module components between the package and a class name are dropped).
FLAT_PACKAGES: tuple[tuple[str, str], ...] = (
    ("tf_keras.src.layers", "tf.keras.layers"),
    ("tf_keras.layers", "tf.keras.layers"),
)

# Source prefix -> canonical prefix, most specific first. Matched on dotted boundaries.
_PREFIXES: tuple[tuple[str, str], ...] = (
    *((f"{root}.{module}", target) for root in (*TF_KERAS_ROOTS, *KERAS2_ROOTS) for module, target in KERAS_INTERNALS),
    *((module, "slim") for module in (*slim.FLAT_MODULES, *slim.CONTRIB_MODULES)),
    ("tensorflow.contrib.losses", "slim.losses"),
    ("tf_slim", "slim"),
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


def _flat(path: str) -> str | None:
    """``tf_keras.src.layers.core.dense.Dense`` -> ``tf.keras.layers.Dense``; None when no class follows."""
    for package, target in FLAT_PACKAGES:
        if path.startswith(package + "."):
            parts = path[len(package) + 1:].split(".")
            first_class = next((i for i, part in enumerate(parts) if part[:1].isupper()), None)
            if first_class is not None:
                return ".".join([target, *parts[first_class:]])
    return None


@lru_cache(maxsize=4096)
def canonical(path: str) -> str:
    """Canonical name of a fully qualified source path (``tensorflow.compat.v1.layers.dense``)."""
    flat = _flat(path)
    if flat is not None:
        return flat
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
