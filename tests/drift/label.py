"""Label a pair under TF 2.21 + tf-keras 2.21, in this process: save a checkpoint of the old class and restore
it into the new one. Each layer's variables are found by creation order (a slot creates a known number), each
old variable holds a value that says whose it is, and after the restore every surviving layer must hold its
own values and no layer another's. Nothing here knows how TF names variables."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, replace
from typing import Any

from .generator import CREATES, Pair, Version

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")


@dataclass
class Label:
    drift: bool
    reason: str
    new_source: str


def _first_call(version: Version, source: str | None = None) -> tuple[Any, list[tuple[int, Any]]]:
    """A fresh instance called once, and (slot ident, variable) in creation order. ``source``: the version's
    code as a fix rewrote it (same layers, other names)."""
    import warnings

    import tensorflow as tf

    from tf2lint import runtime

    warnings.filterwarnings("ignore", message=".*is deprecated.*")
    runtime.reset()
    namespace: dict = {"__name__": "drift_program"}
    exec(compile(source or version.source(), "drift_program", "exec"), namespace)  # noqa: S102 - generated programs
    layer = namespace["Model"]()
    made: list = []

    def record(next_creator, **kwargs):
        variable = next_creator(**kwargs)
        made.append(variable)
        return variable

    with tf.variable_creator_scope(record):
        layer(tf.ones((2, 4)))
    owners = [slot.ident for slot in version.slots for _ in range(CREATES[slot.kind])]
    assert len(owners) == len(made), (len(owners), [v.name for v in made])
    return layer, list(zip(owners, made))


def _code(ident: int, index: int) -> float:
    return float(1000 * (ident + 1) + index)


def _layer_name(variable: Any) -> str:
    return variable.name.split(":")[0].rsplit("/", 2)[-2]


def finish(pair: Pair, old_names: dict[int, str]) -> Version:
    """The new version with what the edit's fix writes: pinned old names, or the removed layer's recorded scope."""
    new = pair.new
    if pair.pin_after is not None:
        slots = [replace(s, name=old_names[s.ident]) if i > pair.pin_after and s.name is None and s.ident in old_names
                 and s.kind not in ("native", "get_variable") else s for i, s in enumerate(new.slots)]
        new = replace(new, slots=slots)
    if pair.record_at is not None:
        new = replace(new, recorded={pair.record_at: old_names[new.slots[pair.record_at].ident]})
    return new


def label(pair: Pair, fixed: str | None = None) -> Label:
    """``fixed``: label this rewrite of the new version (a fix's output) instead of the version itself."""
    import tensorflow as tf

    old_layer, old_vars = _first_call(pair.old)
    kinds = {s.ident: s.kind for s in pair.old.slots}
    codes: dict[float, tuple[int, int]] = {}
    index: dict[int, int] = {}
    old_names: dict[int, str] = {}
    for ident, variable in old_vars:
        position = index[ident] = index.get(ident, -1) + 1
        variable.assign(tf.fill(variable.shape, _code(ident, position)))
        codes[_code(ident, position)] = (ident, position)
        old_names.setdefault(ident, _layer_name(variable))
    with tempfile.TemporaryDirectory(prefix="drift-") as scratch:
        path = tf.train.Checkpoint(model=old_layer).write(os.path.join(scratch, "old"))
        new_version = finish(pair, old_names)
        new_layer, new_vars = _first_call(new_version, fixed)
        new_kinds = {s.ident: s.kind for s in new_version.slots}
        try:
            tf.train.Checkpoint(model=new_layer).restore(path).expect_partial()
        except (ValueError, tf.errors.OpError) as exc:
            return Label(True, f"restore fails: {type(exc).__name__}", fixed or new_version.source())
    index = {}
    source = fixed or new_version.source()
    for ident, variable in new_vars:
        position = index[ident] = index.get(ident, -1) + 1
        values = variable.numpy().reshape(-1)
        held = codes.get(float(values[0])) if values.size and (values == values[0]).all() else None
        survived = kinds.get(ident) == new_kinds[ident] and new_kinds[ident] != "native"
        if held is not None and held != (ident, position):
            return Label(True, f"{variable.name} holds layer {held[0]}'s values", source)
        if survived and held is None:
            return Label(True, f"{variable.name}: its old values find no home", source)
    return Label(False, "every layer loads its own weights", source)
