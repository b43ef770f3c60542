"""Does an old checkpoint still load into a migrated layer? Under the real shim; TensorFlow imported on first use.

    from tf2lint import runtime
    print(runtime.checkpoint_report(new_layer, x, "ckpt/old-1"))
    runtime.assert_checkpoint_compatible(OldLayer, NewLayer, x, expect_unused=("net/dense/*",))

Keys are those of `tf.train.Checkpoint(model=layer)` (the root name is ``root``): a shim variable is saved
under its name (`model/_tf1_style_var_store/_vars/net.Sdense_1.Skernel/...`), a native layer's under its
object path (`model/first/kernel/...`).
"""

from __future__ import annotations

import fnmatch
import os
import re
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from tf2lint.shim import tensorflow

_SUFFIX = "/.ATTRIBUTES/VARIABLE_VALUE"
_BOOKKEEPING = ("_CHECKPOINTABLE_OBJECT_GRAPH", "save_counter/.ATTRIBUTES/VARIABLE_VALUE")
# Spellings of one weight in two layer families: TF-Slim `weights`/`biases`, Keras `kernel`/`bias`.
_SPELLINGS = {"weights": "kernel", "biases": "bias"}


@dataclass
class CheckpointReport:
    keys: dict[str, str] = field(default_factory=dict)  # variable name -> its key in a checkpoint of the layer
    used: list[str] = field(default_factory=list)  # checkpoint keys the layer restores
    unused: list[str] = field(default_factory=list)  # checkpoint keys nothing restores
    not_restored: list[str] = field(default_factory=list)  # variables no key restores
    shape_mismatches: list[tuple[str, tuple, tuple]] = field(default_factory=list)  # (key, in checkpoint, in layer)
    renames: dict[str, str] = field(default_factory=dict)  # likely: old variable name -> new variable name

    @property
    def compatible(self) -> bool:
        return not (self.unused or self.not_restored or self.shape_mismatches)

    def __str__(self) -> str:
        lines = [f"{len(self.used)} keys restored, {len(self.unused)} unused, {len(self.not_restored)} variables "
                 f"not restored, {len(self.shape_mismatches)} shape mismatches"]
        lines += [f"  unused: {key}" for key in self.unused]
        lines += [f"  not restored: {name}" for name in self.not_restored]
        lines += [f"  shape mismatch: {key}: checkpoint {a}, layer {b}" for key, a, b in self.shape_mismatches]
        if self.renames:
            lines.append("  likely renames (an assignment map, old name -> new name):")
            lines += [f"    {old!r}: {new!r}," for old, new in sorted(self.renames.items())]
        return "\n".join(lines)


def _call(layer: Any, inputs: Any) -> None:
    if not getattr(layer, "variables", None):
        layer(*inputs) if isinstance(inputs, tuple) else layer(inputs)


def _name(variable: Any) -> str:
    return variable.name.rsplit(":", 1)[0]


def variable_keys(layer: Any, root: str = "model") -> dict[str, tuple[str, Any]]:
    """Checkpoint key -> (variable name, variable): each variable is given a distinct value, the layer is
    saved, and the keys are read back by value (then every value is put back)."""
    tf = tensorflow()
    variables = list(layer.variables)
    saved = [v.numpy() for v in variables]
    try:
        for index, variable in enumerate(variables):
            variable.assign(tf.fill(variable.shape, tf.cast(index + 1, variable.dtype)))
        with tempfile.TemporaryDirectory(prefix="tf2lint-") as scratch:
            path = tf.train.Checkpoint(**{root: layer}).write(os.path.join(scratch, "c"))
            keys = {}
            for key, _shape in tf.train.list_variables(path):
                if key in _BOOKKEEPING or not key.endswith(_SUFFIX):
                    continue
                value = tf.train.load_variable(path, key)
                flat = value.reshape(-1)
                if flat.size and (flat == flat[0]).all() and 1 <= int(flat[0]) <= len(variables):
                    variable = variables[int(flat[0]) - 1]
                    keys[key] = (_name(variable), variable)
        return keys
    finally:
        for variable, value in zip(variables, saved):
            variable.assign(value)


def normal_name(name: str, numbers: bool) -> str:
    """A variable name with the last part spelled the Keras way (and, with ``numbers``, no `_N` suffixes)."""
    parts = [re.sub(r"_\d+$", "", part) if numbers else part for part in name.split("/")]
    parts[-1] = _SPELLINGS.get(parts[-1], parts[-1])
    return "/".join(parts)


def _old_name(key: str) -> str:
    body = key[: -len(_SUFFIX)] if key.endswith(_SUFFIX) else key
    marker = "/_tf1_style_var_store/_vars/"
    if marker in body:
        body = body.split(marker, 1)[1]
        return body.replace(".S", "/").replace("..", ".")
    return body.split("/", 1)[1] if "/" in body else body


def checkpoint_report(layer: Any, inputs: Any, checkpoint: str, root: str = "model") -> CheckpointReport:
    """What restoring ``checkpoint`` into ``layer`` (called once on ``inputs`` first) would do, by key."""
    tf = tensorflow()
    _call(layer, inputs)
    mine = variable_keys(layer, root)
    theirs = {k: tuple(s) for k, s in tf.train.list_variables(checkpoint) if k not in _BOOKKEEPING and k.endswith(_SUFFIX)}
    report = CheckpointReport(keys={name: key for key, (name, _v) in mine.items()})
    for key, (name, variable) in sorted(mine.items()):
        if key not in theirs:
            report.not_restored.append(name)
        elif theirs[key] != tuple(variable.shape):
            report.shape_mismatches.append((key, theirs[key], tuple(variable.shape)))
        else:
            report.used.append(key)
    report.unused = sorted(k for k in theirs if k not in mine)
    shapes = {name: tuple(v.shape) for _k, (name, v) in mine.items()}
    # A Keras layer's weights carry its own name first (`net_3/model/Conv/kernel`); the old name does not.
    own = f"{getattr(layer, 'name', '')}/"
    relative = {name: name[len(own):] if name.startswith(own) else name for name in report.not_restored}
    for numbers in (False, True):  # exact but for the spelling first, so `Conv` never goes to `Conv_1`
        for key in report.unused:
            old = _old_name(key)
            if old in report.renames:
                continue
            for new in report.not_restored:
                if (new not in report.renames.values() and shapes.get(new) == theirs[key] and old != new
                        and normal_name(old, numbers) in (normal_name(new, numbers), normal_name(relative[new], numbers))):
                    report.renames[old] = new
                    break
    report.not_restored.sort()
    return report


def restore_renamed(layer: Any, checkpoint: str, renames: dict[str, str], root: str = "model") -> list[str]:
    """Load each old variable of ``checkpoint`` (keyed by name in the shim's store, or by object path) into the
    variable of ``layer`` that ``renames`` names (old name -> the new variable's name, as `checkpoint_report`
    proposes, or its attribute path, `self.conv.kernel`, as `tf2lint migrate --stage native` prints);
    returns the new variables it loaded, as named in ``renames``."""
    tf = tensorflow()
    by_name = {_name(v): v for v in layer.variables}

    def target(new: str) -> Any:
        if "/" in new or "." not in new:
            return by_name.get(new)
        found = layer
        for part in new.split(".")[1:]:  # the first part is the receiver: the layer itself
            found = getattr(found, part, None)
        return found

    loaded = []
    for key, _shape in tf.train.list_variables(checkpoint):
        if key in _BOOKKEEPING or not key.startswith(root + "/"):
            continue
        new = renames.get(_old_name(key))
        variable = target(new) if new is not None else None
        if variable is not None:
            variable.assign(tf.train.load_variable(checkpoint, key))
            loaded.append(new)
    return loaded


def assert_checkpoint_compatible(
    make_old: Callable[[], Any], make_new: Callable[[], Any], inputs: Any, expect_unused: Iterable[str] = (),
    expect_new: Iterable[str] = (), root: str = "model",
) -> CheckpointReport:
    """Save a fresh old layer, restore it into a fresh new one, and fail when a value lands on a variable of
    another name or shape, or a variable of the old layer finds no home (``expect_unused``: glob patterns of
    old variable names that were removed on purpose; ``expect_new``: of new variables nothing should restore)."""
    tf = tensorflow()
    from tf2lint.runtime.stability import reset

    reset()
    old = make_old()
    _call(old, inputs)
    old_keys = variable_keys(old, root)
    with tempfile.TemporaryDirectory(prefix="tf2lint-") as scratch:  # a test suite calls this hundreds of times
        path = tf.train.Checkpoint(**{root: old}).write(os.path.join(scratch, "old"))
        reset()
        new = make_new()
        report = checkpoint_report(new, inputs, path, root)
    unused = [k for k in report.unused if not any(fnmatch.fnmatchcase(old_keys.get(k, ("", None))[0], p)
                                                   for p in expect_unused)]
    missing = [n for n in report.not_restored if not any(fnmatch.fnmatchcase(n, p) for p in expect_new)]
    # A value landing on a variable of another name: an object-path key both layers have, under two names.
    new_keys = variable_keys(new, root)
    moved = [(old_keys[k][0], new_keys[k][0]) for k in report.used if k in old_keys and old_keys[k][0] != new_keys[k][0]]
    problems = []
    if unused:
        problems.append("old variables that find no home: " + ", ".join(old_keys.get(k, (k,))[0] for k in unused))
    if missing:
        problems.append("new variables nothing restores: " + ", ".join(missing))
    if report.shape_mismatches:
        problems.append("shape mismatches: " + ", ".join(k for k, _a, _b in report.shape_mismatches))
    if moved:
        problems.append("values that land on a variable of another name: " + ", ".join(f"{a} -> {b}" for a, b in moved))
    if problems:
        raise AssertionError("checkpoint not compatible: " + "; ".join(problems) + "\n" + str(report))
    return report
