"""Run old TF-Slim code on TF 2.21 + tf-keras 2.21, for as long as it takes to prove its migration.

Measured: `slim.batch_norm` (tf-slim 1.1.0) fails there in two ways. Its fused path checks
`isinstance(x, ops.Tensor)`, an alias TensorFlow removed (`AttributeError`); its other path builds
`tensorflow.python.layers.normalization.BatchNormalization`, which loads `tf_keras.legacy_tf_layers`, a module
tf-keras 2.21 ships as `tf_keras.src.legacy_tf_layers` (`ModuleNotFoundError`). Inside `legacy_slim()` both
names exist again, so the old layer runs (and is compared with its native translation); on leaving, both
names are removed again, and TensorFlow's lazy loader of that module is made anew, so the process is as it
was: the old layer fails again (a test runs it before and after, in one process).

    from tf2lint import runtime
    with runtime.legacy_slim():
        runtime.assert_migration(OldSlimNet, NativeNet, x, stage="native")
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

from tf2lint.shim import tensorflow

_MODULES = ("tf_keras.legacy_tf_layers", "tf_keras.legacy_tf_layers.normalization")


@contextmanager
def legacy_slim() -> Iterator[None]:
    tf = tensorflow()
    import importlib

    from tensorflow.python.framework import ops
    from tensorflow.python.layers import normalization as tf_normalization  # loads the old layer lazily
    from tensorflow.python.util import lazy_loader

    added_tensor = not hasattr(ops, "Tensor")
    if added_tensor:
        ops.Tensor = tf.Tensor
    added = []
    for name in _MODULES:
        if name not in sys.modules:
            try:
                sys.modules[name] = importlib.import_module(name.replace("tf_keras.", "tf_keras.src.", 1))
            except ImportError:  # another tf-keras: leave it as it is
                continue
            added.append(name)
    try:
        yield
    finally:
        for name in added:
            sys.modules.pop(name, None)
        if added:  # the loader keeps what it loaded meanwhile: a new one looks the module up again
            tf_normalization.normalization = lazy_loader.LazyLoader(
                "normalization", vars(tf_normalization), "tf_keras.legacy_tf_layers.normalization"
            )
        if added_tensor:
            del ops.Tensor
