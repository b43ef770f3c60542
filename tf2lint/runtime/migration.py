"""Prove one step of a migration under the real shim: same numbers, same variables, and the checkpoint loads.

    from tf2lint import runtime
    runtime.assert_migration(OldLayer, NewLayer, x, stage="objects")

What each stage must keep (the model-mapping guide's workflow):

- every stage: outputs and regularization losses equal under `DeterministicRandomTestTool` with the same
  seed, in both of its modes (`constant`, `num_random_ops`); called with `training=True`, also the outputs of
  an inference call after it (the moving statistics it updated); trainable variables of the same count and
  shapes; a second call creates nothing.
- ``objects``: the same variable names, so a checkpoint of the old layer (keyed by name, through the shim's
  store) restores every variable of the new one where it belongs.
- ``native``: the old layer is the ``objects`` stage re-saved (object paths); its checkpoint restores every
  variable of the new one, native layers by object path and the remaining `compat.v1` layers by name. A
  TF-Slim layer has no objects stage: its name-keyed variables (`model/Conv/weights`) load into the native
  layer through the assignment map `checkpoint_report` proposes (its likely renames, `weights` -> `kernel`),
  applied by `restore_renamed` (``MigrationReport.renames``).
- ``weights``: like ``native``: the old layer is the ``objects`` stage re-saved (`get_variable` held on
  `self`), whose checkpoint restores each `add_weight` weight by object path (its attribute).

"Where it belongs" is checked by value: before saving, every old variable gets distinct random values, and
each new variable must come back holding exactly the values of the old variable of its name (``objects``)
or whose name path ends its own (``native``, ``weights``: a Keras layer adds its own name in front). Then
the restored pair must compute the same outputs. TensorFlow is imported on first use.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tf2lint.runtime.checkpoint import normal_name, checkpoint_report, restore_renamed
from tf2lint.shim import tensorflow

STAGES = ("objects", "native", "weights")
MODES = ("constant", "num_random_ops")


@dataclass
class MigrationReport:
    """What `compare_migration` found; empty ``problems`` means the step is proven."""

    stage: str
    old_names: list[str] = field(default_factory=list)  # the variables of the old layer, as TF prints them
    new_names: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    renames: dict[str, str] = field(default_factory=dict)  # the assignment map the checkpoint was loaded through

    @property
    def proven(self) -> bool:
        return not self.problems

    def __str__(self) -> str:
        lines = [f"migration stage `{self.stage}`: " + ("proven" if self.proven else f"{len(self.problems)} problem(s)")]
        lines += [f"  - {problem}" for problem in self.problems]
        if self.problems:
            lines.append(f"  old variables: {', '.join(self.old_names)}")
            lines.append(f"  new variables: {', '.join(self.new_names)}")
            if self.renames:
                lines.append("  loaded through: " + ", ".join(f"{a} -> {b}" for a, b in sorted(self.renames.items())))
        return "\n".join(lines)


def _random_tool(mode: str) -> Any:
    from tf2lint import shim

    return shim.DeterministicRandomTestTool(mode=mode)


def _run(make: Callable[[], Any], inputs: Any, kwargs: dict, mode: str, seed: int) -> tuple[Any, Any, Any]:
    tf = tensorflow()
    with _random_tool(mode).scope():
        tf.keras.utils.set_random_seed(seed)
        layer = make()
        out = layer(inputs, **kwargs)
        losses = getattr(layer, "losses", [])
        loss = tf.math.add_n(losses) if losses else None
    return layer, out, loss


def _close(a: Any, b: Any, rtol: float, atol: float) -> str | None:
    import numpy as np

    tf = tensorflow()
    flat_a, flat_b = tf.nest.flatten(a), tf.nest.flatten(b)
    if len(flat_a) != len(flat_b):
        return f"{len(flat_a)} output(s) vs {len(flat_b)}"
    for x, y in zip(flat_a, flat_b):
        x, y = np.asarray(x), np.asarray(y)
        if x.shape != y.shape:
            return f"shape {x.shape} vs {y.shape}"
        if not np.allclose(x, y, rtol=rtol, atol=atol):
            return f"largest difference {float(np.max(np.abs(x - y))):.3g}"
    return None


def _short(name: str) -> str:
    return name[:-2] if name.endswith(":0") else name


def _own(name: str, owner: Any) -> str:
    short = _short(name)
    prefix = f"{getattr(owner, 'name', '')}/"
    return short[len(prefix):] if short.startswith(prefix) else short


def _numbers(make_old, make_new, inputs, kwargs, seed, rtol, atol, report: MigrationReport, losses: bool) -> tuple[Any, Any]:
    old = new = None
    for mode in MODES:
        old, out_old, loss_old = _run(make_old, inputs, kwargs, mode, seed)
        new, out_new, loss_new = _run(make_new, inputs, kwargs, mode, seed)
        differs = _close(out_old, out_new, rtol, atol)
        if differs:
            report.problems.append(f"outputs differ under DeterministicRandomTestTool(mode={mode!r}): {differs}")
        if mode == MODES[0] and kwargs.get("training") is True:
            # What the training call left behind (moving statistics): an inference call reads it.
            after = _close(old(inputs, **{**kwargs, "training": False}), new(inputs, **{**kwargs, "training": False}),
                           rtol, atol)
            if after:
                report.problems.append(f"after one training call, inference outputs differ (the moving statistics "
                                       f"were updated differently): {after}")
        if not losses:
            continue
        if (loss_old is None) != (loss_new is None):
            report.problems.append(f"regularization losses: old has {'none' if loss_old is None else 'some'}, "
                                   f"new has {'none' if loss_new is None else 'some'} (mode={mode!r})")
        elif loss_old is not None and (differs := _close(loss_old, loss_new, rtol, atol)):
            report.problems.append(f"regularization losses differ (mode={mode!r}): {differs}")
    return old, new


def _variables(old: Any, new: Any, inputs: Any, kwargs: dict, stage: str, report: MigrationReport) -> None:
    report.old_names = [_short(v.name) for v in old.weights]
    report.new_names = [_short(v.name) for v in new.weights]
    old_shapes = sorted(tuple(v.shape) for v in old.trainable_weights)
    new_shapes = sorted(tuple(v.shape) for v in new.trainable_weights)
    if len(old_shapes) != len(new_shapes):
        report.problems.append(f"{len(old_shapes)} trainable variable(s) before, {len(new_shapes)} after")
    elif old_shapes != new_shapes:
        report.problems.append(f"trainable variable shapes differ: {old_shapes} vs {new_shapes}")
    if stage == "objects":  # a Keras layer's weights carry its instance's name first (`net_3/...`): not compared
        old_own, new_own = {_own(v.name, old) for v in old.weights}, {_own(v.name, new) for v in new.weights}
        missing, added = sorted(old_own - new_own), sorted(new_own - old_own)
        if missing or added:
            report.problems.append(f"variable names changed: gone {missing}, new {added}")
    before = len(new.weights)
    new(inputs, **kwargs)
    if len(new.weights) != before:
        report.problems.append(f"the second call of the new layer created {len(new.weights) - before} variable(s)")


def _belongs(old_name: str, new_name: str, stage: str) -> bool:
    if stage in ("native", "weights"):
        # A native layer may spell the variable the Keras way (TF-Slim `weights` -> `kernel`), nothing else.
        old, new = normal_name(old_name, numbers=False), normal_name(new_name, numbers=False)
        return new == old or new.endswith("/" + old)
    return new_name == old_name


def _checkpoint(make_old, make_new, inputs, kwargs, stage, seed, rtol, atol, report: MigrationReport) -> None:
    """Save a layer made by ``make_old``, restore into one made by ``make_new``: each value where it belongs."""
    import numpy as np

    tf = tensorflow()
    old = make_old()
    old(inputs, **kwargs)
    generator = np.random.RandomState(seed)
    for variable in old.weights:  # distinct values everywhere, so where each one lands is visible
        variable.assign(generator.normal(size=variable.shape).astype(variable.dtype.as_numpy_dtype))
    new = make_new()
    new(inputs, **kwargs)
    with tempfile.TemporaryDirectory(prefix="tf2lint-migrate-") as directory:
        path = tf.train.Checkpoint(model=old).save(os.path.join(directory, "old"))
        try:
            tf.train.Checkpoint(model=new).restore(path).expect_partial()  # what it leaves is checked below
        except (ValueError, tf.errors.OpError) as exc:  # a value of another shape landed on a variable
            report.problems.append(f"restoring the old checkpoint failed: {str(exc).splitlines()[0]}")
            return
        if stage != "objects":  # name-keyed variables of another spelling (TF-Slim's): through the likely renames
            report.renames = checkpoint_report(new, inputs, path).renames
            restore_renamed(new, path, report.renames)
    # A Keras layer's weights carry the owner's name first (`my_layer_3/model/dense/kernel`): not part of the key.
    old_values = [(_own(v.name, old), v.numpy()) for v in old.weights]
    homes: dict[str, str] = {}
    for variable in new.weights:
        name = _own(variable.name, new)
        value = variable.numpy()
        sources = [old_name for old_name, old_value in old_values
                   if old_value.shape == value.shape and np.array_equal(old_value, value)]
        if not sources:
            report.problems.append(f"`{name}` was not restored from the old checkpoint (it kept its initial value)")
            continue
        if not any(_belongs(source, name, stage) for source in sources):
            report.problems.append(f"`{name}` received the value of `{sources[0]}`: a misload")
            continue
        homes[name] = next(source for source in sources if _belongs(source, name, stage))
    unused = sorted({old_name for old_name, _ in old_values} - set(homes.values()))
    if unused:
        report.problems.append(f"old variable(s) that found no home in the new layer: {', '.join(unused)}")
    with _random_tool("constant").scope():
        tf.keras.utils.set_random_seed(seed)
        out_old = old(inputs, **kwargs)
    with _random_tool("constant").scope():
        tf.keras.utils.set_random_seed(seed)
        out_new = new(inputs, **kwargs)
    differs = _close(out_old, out_new, rtol, atol)
    if differs:
        report.problems.append(f"after restoring the old checkpoint the outputs differ: {differs}")


def compare_migration(
    make_old: Callable[[], Any], make_new: Callable[[], Any], inputs: Any, stage: str = "objects", *,
    call_kwargs: dict | None = None, seed: int = 42, rtol: float = 1e-5, atol: float = 1e-6,
    checkpoint_from: Callable[[], Any] | None = None, losses: bool = True,
) -> MigrationReport:
    """Check one migration step (see the module docstring); ``make_*`` build a fresh layer each time.

    ``checkpoint_from``: for ``native``, the ``objects`` stage whose re-saved checkpoint must load, when the
    numbers are compared with an older stage (default: ``make_old``). ``losses=False``: do not compare
    regularization losses (an ``objects`` step made only to re-save a checkpoint counts a layer object's
    penalty twice, measured)."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {', '.join(STAGES)}, not {stage!r}")
    kwargs = dict(call_kwargs or {})
    report = MigrationReport(stage)
    old, new = _numbers(make_old, make_new, inputs, kwargs, seed, rtol, atol, report, losses)
    _variables(old, new, inputs, kwargs, stage, report)
    # The report on a failed restore is this module's own until `tf2lint.runtime.checkpoint` (a
    # `checkpoint_report` with keys used and unused, and likely renames) exists; then it should use that.
    _checkpoint(checkpoint_from or make_old, make_new, inputs, kwargs, stage, seed, rtol, atol, report)
    return report


def assert_migration(
    make_old: Callable[[], Any], make_new: Callable[[], Any], inputs: Any, stage: str = "objects", **options: Any,
) -> MigrationReport:
    """`compare_migration`, raising AssertionError with the report when the step is not proven."""
    report = compare_migration(make_old, make_new, inputs, stage, **options)
    if not report.proven:
        raise AssertionError(str(report))
    return report
