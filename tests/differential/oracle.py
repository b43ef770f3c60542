"""The independent half of the labels: what `runtime.check` should see, measured without it.

A fresh copy of the program (its own classes, so its own class-level `tf.function`s) is built twice and
each instance is called twice with `training=True`, as `runtime.check(..., training=True, calls=2)` and the
labeller do. Nothing here reads the shim's stores: the measurement is
- a variable-creator scope: the variables each call creates, and the object whose `add_weight` made each
  (none for a bare `get_variable`);
- the object's own variables (`weights` / `variables`) after the calls: a second call that adds variables
  the object keeps, made by no object that made any on the first call (a new layer, a new name), grows;
  one that makes variables the object does not keep, or that an object makes again (`add_weight` on every
  call), leaves them untracked;
- a GradientTape: the variables each call reads;
- the regularization penalties of a tf.Module's store, evaluated (non-zero = a penalty is lost);
- the moving statistics of batch norms, before and after the second call;
- the Keras (and v1) dropouts called with a non-zero rate, against the draws of dropout masks from Keras'
  random generator: in a `training=True` call each one should draw (fewer draws: one ran in inference);
- an exception, read by `tf2lint.runtime.pitfalls` (the one table of shim errors).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tf2lint.runtime import pitfalls

from .compare import family

STABILITY_FAMILIES = {"growth", "untracked"}


def _maker() -> Any:
    """The layer whose `add_weight` is creating a variable now (v1 layers too), or None."""
    frame = sys._getframe(2)  # noqa: SLF001 - walked, not kept
    while frame is not None:
        if frame.f_code.co_name == "add_weight" and "self" in frame.f_locals:
            return frame.f_locals["self"]
        frame = frame.f_back
    return None


def _own(obj: Any, is_keras: bool) -> list[Any]:
    return list(obj.weights if is_keras else obj.variables)


def _training_kwargs(obj: Any, is_keras: bool) -> dict[str, Any]:
    if is_keras:
        return {"training": True}
    parameters = inspect.signature(obj.__call__).parameters.values()
    accepts = any(p.name == "training" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters)
    return {"training": True} if accepts else {}


def _statistics(obj: Any, is_keras: bool) -> dict[str, Any]:
    return {v.name: v.numpy().copy() for v in _own(obj, is_keras) if not v.trainable and "moving_" in v.name}


def _penalty(obj: Any) -> float:
    store = getattr(obj, "_tf1_style_var_store", None)
    return sum(abs(float(penalty())) for penalty in getattr(store, "_regularizers", {}).values())


def penalties_reached(obj: Any) -> bool:
    """The module exposes its store's penalties itself (`regularization_loss()`, as tf-keras's shim tests
    read `_tf1_style_var_store._regularizers` through a base class): measured by calling it."""
    reader = getattr(obj, "regularization_loss", None)
    if not callable(reader) or getattr(obj, "_tf1_style_var_store", None) is None:
        return False  # no store (an undecorated module): nothing to hand out, and the reader would raise
    return abs(float(reader())) > 0 and abs(abs(float(reader())) - _penalty(obj)) < 1e-4


@contextmanager
def _dropouts_counted(counts: dict[str, int]) -> Iterator[None]:
    """Counts the dropout layers called with a non-zero rate ("called") and the masks Keras' random generator
    draws for them ("drawn"), without reading what `training` they received."""
    import tf_keras
    from tf_keras.src import backend

    dropout, generator = tf_keras.layers.Dropout, backend.RandomGenerator
    draw = generator.dropout

    def counted_call(self: Any, *args: Any, **kwargs: Any) -> Any:
        rate = getattr(self, "rate", 0)
        counts["called"] += not (isinstance(rate, (int, float)) and rate == 0)
        return super(dropout, self).__call__(*args, **kwargs)

    def counted_draw(self: Any, *args: Any, **kwargs: Any) -> Any:
        counts["drawn"] += 1
        return draw(self, *args, **kwargs)

    dropout.__call__, generator.dropout = counted_call, counted_draw
    try:
        yield
    finally:
        del dropout.__call__
        generator.dropout = draw


def observe(obj: Any, inputs: tuple) -> tuple[set[str], str | None]:
    """(families, error): what two `training=True` calls of ``obj`` show. A raised exception ends it."""
    import tensorflow as tf
    import tf_keras

    is_keras = isinstance(obj, tf_keras.layers.Layer)
    kwargs = _training_kwargs(obj, is_keras)
    created: list[list[tuple[Any, Any]]] = []  # per call: (variable, the object that made it)
    read: list[Any] = []
    statistics: dict[str, Any] = {}

    def record(next_creator: Any, **kw: Any) -> Any:
        variable = next_creator(**kw)
        created[-1].append((variable, _maker()))
        return variable

    counts = {"called": 0, "drawn": 0}
    for call in range(2):
        if call == 1:
            statistics = _statistics(obj, is_keras)
        created.append([])
        try:
            with tf.variable_creator_scope(record), tf.GradientTape() as tape, _dropouts_counted(counts):
                obj(*inputs, **kwargs)
        except Exception as exc:  # noqa: BLE001 - the exception is the observation
            error = pitfalls.read(exc)
            return ({family(error.code)} if error.code else {"error"}), str(error)
        read.extend(tape.watched_variables())
    owned = {v.ref() for v in _own(obj, is_keras)}
    # Weights only: Keras also creates int64 step counters.
    weights = [v for call in created for v, _ in call if v.dtype.is_floating]
    # A dropout of a `training=True` call that drew no mask ran in inference, whatever else the object keeps.
    families = {"TFS111"} if kwargs and counts["drawn"] < counts["called"] else set()
    if weights and not owned:
        return families | {"untracked"}, None  # nothing kept at all: whether names also changed is not observable
    first_makers = {id(maker) for _, maker in created[0] if maker is not None}
    second = [(v, maker) for v, maker in created[1] if v.dtype.is_floating]
    regrown = [v for v, maker in second if v.ref() in owned and id(maker) not in first_makers]
    if regrown:
        families.add("growth")
    if len(regrown) < len(second) or any(v.ref() not in owned for v in read):
        families.add("untracked")
    if not is_keras and _penalty(obj) > 0 and not penalties_reached(obj):
        families.add("TFS110")
    after = _statistics(obj, is_keras)
    if statistics and not families & STABILITY_FAMILIES and all(
            (after[name] == value).all() for name, value in statistics.items() if name in after):
        families.add("TFS111")
    return families, None


def observe_program(source: str, name: str) -> list[set[str]]:
    """The families of each of two instances of a fresh copy of the program (one after an exception)."""
    import tensorflow as tf

    namespace: dict[str, Any] = {"__name__": f"oracle_{name}"}
    exec(compile(source, f"<{name}>", "exec"), namespace)  # noqa: S102 - our own generated programs
    make, inputs = namespace["make"], namespace["inputs"]
    seen: list[set[str]] = []
    for _ in range(2):
        obj = make()
        if not isinstance(obj, tf.Module):
            return []
        families, error = observe(obj, inputs())
        seen.append(families)
        if error:
            break
    return seen


def disagreement(checked: set[str], observed: set[str]) -> str | None:
    """None when `runtime.check`'s families and the probe's agree, else what differs. No disagreement is
    explained today: each one drops the label (see label.py)."""
    if checked == observed:
        return None
    return f"runtime.check {sorted(checked) or ['ok']}, independent probe {sorted(observed) or ['ok']}"
