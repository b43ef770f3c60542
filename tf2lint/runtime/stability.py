"""Run a shim-decorated layer or module the way a training loop would, and report what went wrong.

    from tf2lint import runtime
    findings = runtime.check(MyLayer(), x, training=True)
    runtime.assert_shim_stable(MyLayer(), x)

Findings use the linter's codes where they mean the same thing. TensorFlow is imported on first use.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tf2lint.knowledge import api


@dataclass(frozen=True)
class RuntimeFinding:
    code: str
    message: str
    names: tuple[str, ...] = ()  # the variables concerned

    def __str__(self) -> str:
        return f"{self.code} {self.message}"


def _tf() -> Any:
    from tf2lint import shim

    shim.resolve()  # a clear ImportError when TF or tf_keras is missing
    import tensorflow as tf

    return tf


def _keras_layer_types() -> tuple[type, ...]:
    tf = _tf()
    types: list[type] = []
    try:
        import tf_keras

        types.append(tf_keras.layers.Layer)
    except ImportError:
        pass
    keras_layer = getattr(getattr(tf, "keras", None), "layers", None)
    if keras_layer is not None and isinstance(getattr(keras_layer, "Layer", None), type):
        types.append(keras_layer.Layer)
    return tuple(types)


def _naming_backends() -> list[Any]:
    backends = []
    for name in ("tf_keras.src.backend", "keras.src.backend", "tensorflow.python.keras.backend"):
        try:
            module = __import__(name, fromlist=["PER_GRAPH_OBJECT_NAME_UIDS"])
        except ImportError:
            continue
        if hasattr(module, "PER_GRAPH_OBJECT_NAME_UIDS"):
            backends.append(module)
    return backends


@contextmanager
def _naming_state_preserved() -> Iterator[None]:
    """Keras' auto-naming counters (`dense`, `dense_1`, ...) are process-global: put them back afterwards."""
    saved = []
    for backend in _naming_backends():
        uids = backend.PER_GRAPH_OBJECT_NAME_UIDS
        saved.append((uids, {graph: dict(counts) for graph, counts in uids.items()}))
    try:
        yield
    finally:
        for uids, snapshot in saved:
            for graph in list(uids.keys()):
                if graph in snapshot:
                    uids[graph].clear()
                    uids[graph].update(snapshot[graph])
                else:
                    del uids[graph]


def _tracked(obj: Any, is_keras: bool) -> list[Any]:
    return list(obj.weights) if is_keras else list(obj.variables)


def _store_variables(obj: Any) -> set[Any]:
    """Variables the shim created through `get_variable` for this object (and tracked objects inside it)."""
    refs = set()
    for module in [obj, *getattr(obj, "submodules", ())]:
        store = getattr(module, "_tf1_style_var_store", None)
        for variable in getattr(store, "_vars", {}).values():
            refs.add(variable.ref())
    return refs


def _call_kwargs(obj: Any, training: bool | None, is_keras: bool) -> dict[str, Any]:
    if training is None:
        return {}
    if is_keras:
        return {"training": training}
    parameters = inspect.signature(obj.__call__).parameters.values()
    if any(p.name == "training" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return {"training": training}
    return {}


def _moving_statistics(obj: Any, is_keras: bool) -> dict[Any, Any]:
    return {
        v.ref(): v.numpy().copy()
        for v in _tracked(obj, is_keras)
        if not v.trainable and re.search(r"moving_(mean|variance)", v.name)
    }


def _growth_code(first: list[str], new: list[str]) -> str:
    """TFS101 when the renamed part is a layer's auto-name (v1 layers, TF-Slim), else TFS102 (scope or template)."""
    bases = api.AUTO_NAME_BASES
    first_parts = [name.split("/") for name in first]
    for name in new:
        parts = name.split("/")
        for depth, part in enumerate(parts):
            if not any(len(f) > depth and f[depth] == part for f in first_parts):
                if re.sub(r"_\d+$", "", part) in bases:
                    return "TFS101"
                break
    return "TFS102"


def check(obj: Any, *inputs: Any, training: bool | None = None, calls: int = 2) -> list[RuntimeFinding]:
    """Call ``obj`` ``calls`` times on ``inputs`` and report unstable or untracked variables.

    Works for Keras layers and models and for `tf.Module`s. Exceptions raised by the object propagate.
    """
    if calls < 1:
        raise ValueError("calls must be at least 1")
    tf = _tf()
    if not isinstance(obj, tf.Module):
        raise TypeError(f"runtime.check needs a tf.Module or a Keras layer/model, got {type(obj).__name__}")
    is_keras = isinstance(obj, _keras_layer_types())
    kwargs = _call_kwargs(obj, training, is_keras)
    created: list[list[Any]] = []
    read: dict[Any, Any] = {}
    statistics_before: dict[Any, Any] = {}

    def record(next_creator: Any, **kw: Any) -> Any:
        variable = next_creator(**kw)
        created[-1].append(variable)
        return variable

    with _naming_state_preserved():
        for index in range(calls):
            if index == calls - 1 and training is True and calls > 1:
                statistics_before = _moving_statistics(obj, is_keras)
            created.append([])
            with tf.variable_creator_scope(record), tf.GradientTape() as tape:
                obj(*inputs, **kwargs)
            for variable in tape.watched_variables():
                read.setdefault(variable.ref(), variable)
    return _findings(obj, is_keras, created, read, statistics_before)


def _findings(
    obj: Any, is_keras: bool, created: list[list[Any]], read: dict[Any, Any], statistics_before: dict[Any, Any]
) -> list[RuntimeFinding]:
    tracked = _tracked(obj, is_keras)
    tracked_refs = {v.ref() for v in tracked}
    # Weights only: Keras also creates int64 step counters, which are not model state anyone trains.
    created = [[v for v in call if v.dtype.is_floating] for call in created]
    everything = [v for call in created for v in call]
    findings: list[RuntimeFinding] = []
    if everything and not tracked:
        names = tuple(dict.fromkeys(v.name for v in everything))
        findings.append(RuntimeFinding(
            "TFS107",
            f"{len(everything)} variable(s) created over {len(created)} call(s) but the object tracks none "
            f"(`weights == []`): is the method decorated with `track_tf1_style_variables`?",
            names,
        ))
        return findings
    store = _store_variables(obj)
    later = [v for call in created[1:] for v in call]
    regrown = [v for v in later if v.ref() in tracked_refs and v.ref() in store]
    if regrown:
        first = [v.name for v in created[0]]
        names = tuple(v.name for v in regrown)
        findings.append(RuntimeFinding(
            _growth_code(first, list(names)),
            f"{len(regrown)} new variable(s) after the first call (the names changed): {', '.join(names)}",
            names,
        ))
    # Untracked: read during a call without being the object's, or built again on a later call.
    rebuilt = [v for v in later if v.ref() not in store]
    untracked = [v for ref, v in read.items() if ref not in tracked_refs]
    if rebuilt or untracked:
        names = tuple(dict.fromkeys(v.name for v in [*rebuilt, *untracked]))
        findings.append(RuntimeFinding(
            "TFS106",
            f"variables read on every call but not kept by the object (untracked, or replaced by a new "
            f"nested object each call): {', '.join(names)}",
            names,
        ))
    regularizers = getattr(getattr(obj, "_tf1_style_var_store", None), "_regularizers", {})
    if not is_keras and regularizers:
        names = tuple(regularizers)
        findings.append(RuntimeFinding(
            "TFS110",
            f"regularizers on {', '.join(names)} are held only in the private `_tf1_style_var_store` of a "
            f"tf.Module: no `.losses`, and `get_regularization_losses()` is empty",
            names,
        ))
    if statistics_before:
        after = {v.ref(): v.numpy() for v in tracked if v.ref() in statistics_before}
        if all((after[ref] == before).all() for ref, before in statistics_before.items() if ref in after):
            names = tuple(v.name for v in tracked if v.ref() in statistics_before)
            findings.append(RuntimeFinding(
                "TFS111",
                f"batch-norm statistics did not change in a `training=True` call: {', '.join(names)}",
                names,
            ))
    return findings


def assert_shim_stable(obj: Any, *inputs: Any, training: bool | None = None, calls: int = 2) -> None:
    """Raise AssertionError with a readable report when :func:`check` finds anything."""
    findings = check(obj, *inputs, training=training, calls=calls)
    if findings:
        report = "\n".join(f"  {finding}" for finding in findings)
        raise AssertionError(f"{type(obj).__name__} is not stable under the shim:\n{report}")


def reset() -> None:
    """Forget Keras' global naming state, as a fresh process would (between test cases)."""
    import tf_keras

    tf_keras.backend.clear_session()
