"""The reference shim: one import that works whatever the TensorFlow/Keras combination.

    from tf2lint import shim

    class Dense(shim.Layer):
        @shim.track_tf1_style_variables
        def call(self, x):
            with shim.variable_scope("dense"):
                return shim.layers.dense(x, 3)

TF < 2.16 ships the shim itself (`tf.compat.v1.keras.utils`, `tf.compat.v1.layers`). From 2.16 on,
`tf.keras` is Keras 3, which dropped it; tf_keras still has it under `tf_keras.api._v1`, reachable
without setting TF_USE_LEGACY_KERAS. TensorFlow is imported on first attribute use, not on import.
The linter treats every `tf2lint.shim.*` name as the TF API of the same name.
"""

from __future__ import annotations

from functools import lru_cache
from types import ModuleType
from typing import Any

EXPORTS = (
    "track_tf1_style_variables",
    "get_or_create_layer",
    "DeterministicRandomTestTool",
    "layers",
    "Layer",
    "variable_scope",
    "get_variable",
    "make_template",
)
INSTALL_HINT = 'pip install "tf2lint[runtime]"'

__all__ = list(EXPORTS)


def _version(module: ModuleType) -> tuple[int, int]:
    major, minor = (int("".join(c for c in part if c.isdigit()) or 0) for part in module.__version__.split(".")[:2])
    return major, minor


def tensorflow() -> ModuleType:
    """TensorFlow itself, for the runtime checks: a clear ImportError when it or tf_keras is missing."""
    resolve()
    import tensorflow as tf

    return tf


@lru_cache(maxsize=1)
def resolve() -> dict[str, Any]:
    """The shim's objects for the installed TensorFlow (imported here, once)."""
    try:
        import tensorflow as tf
    except ImportError as exc:
        raise ImportError(f"tf2lint.shim needs TensorFlow: {INSTALL_HINT} ({exc})") from None
    core = {
        "variable_scope": tf.compat.v1.variable_scope,
        "get_variable": tf.compat.v1.get_variable,
        "make_template": tf.compat.v1.make_template,
    }
    if _version(tf) < (2, 16):
        utils = tf.compat.v1.keras.utils
        return {
            **core,
            "track_tf1_style_variables": utils.track_tf1_style_variables,
            "get_or_create_layer": utils.get_or_create_layer,
            "DeterministicRandomTestTool": utils.DeterministicRandomTestTool,
            "layers": tf.compat.v1.layers,
            "Layer": tf.keras.layers.Layer,
        }
    try:
        import tf_keras
        from tf_keras.api._v1.keras import utils
        from tf_keras.api._v1.keras.__internal__.legacy import layers
    except ImportError as exc:
        raise ImportError(
            f"tf2lint.shim on TensorFlow {tf.__version__} needs tf_keras (Keras 3 has no "
            f"track_tf1_style_variables): {INSTALL_HINT} ({exc})"
        ) from None
    return {
        **core,
        "track_tf1_style_variables": utils.track_tf1_style_variables,
        "get_or_create_layer": utils.get_or_create_layer,
        "DeterministicRandomTestTool": utils.DeterministicRandomTestTool,
        "layers": layers,
        "Layer": tf_keras.layers.Layer,
    }


def __getattr__(name: str) -> Any:
    if name in EXPORTS:
        return resolve()[name]
    raise AttributeError(f"module 'tf2lint.shim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *EXPORTS])
