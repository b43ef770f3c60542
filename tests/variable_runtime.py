"""Run shim classes from source under TF 2.21 + tf-keras 2.21 (one process, state reset between runs) and
read what their first call created: the ground truth the variable-name model is tested against."""

from __future__ import annotations

import ast
import os
from typing import Any

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")


def load(source: str, name: str = "<program>") -> dict[str, Any]:
    import warnings

    warnings.filterwarnings("ignore", message=".*is deprecated.*")
    namespace: dict[str, Any] = {"__name__": name}
    exec(compile(source, name, "exec"), namespace)  # noqa: S102 - test programs we generate
    return namespace


def first_call(cls: type, shape: tuple[int, ...]) -> Any:
    """A fresh instance (after `runtime.reset()`), called once on ones of ``shape``."""
    import tensorflow as tf

    from tf2lint import runtime

    runtime.reset()
    layer = cls()
    layer(tf.ones(shape))
    return layer


def created(layer: Any) -> dict[str, tuple[int, ...]]:
    """Variable name (without `:0`) -> shape, of what the shim's store holds."""
    store = getattr(layer, "_tf1_style_var_store", None)
    variables = store._vars.values() if store is not None else ()  # noqa: SLF001 - the store is the truth
    return {v.name.rsplit(":", 1)[0]: tuple(v.shape) for v in variables}


def shim_classes(source: str) -> list[str]:
    return [node.name for node in ast.parse(source).body if isinstance(node, ast.ClassDef)]
