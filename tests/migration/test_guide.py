"""The model-mapping guide's own examples (tests/data/guide_correct.py) through `tf2lint migrate`, stage by
stage, each step proven under TensorFlow 2.21; the variable names TF prints are shown at the end of the run.

The guide's regularized layers go through the objects stage with `--checkpoint-only` (as an object, a
regularized compat.v1 layer counts its penalty twice under the shim: measured below), and its hand-written
objects stage (`OOStyleCompatModel`) goes on to native as `PartiallyNativeKerasLayersModel` does.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import require_runtime

require_runtime()

from .proof import GUIDE, load, prove, summary_line  # noqa: E402

pytestmark = pytest.mark.filterwarnings("ignore:`tf.layers:UserWarning")
SOURCE = (Path(__file__).parent.parent / "data" / "guide_correct.py").read_text()

# class -> (constructor args, input shape, call kwargs, expected status)
CASES = {
    "CompatV1LayerModel": ((10,), (10, 5, 5, 5), {}, "proven"),
    "CompatV1BatchNorm": ((), (8, 3), {"training": True}, "proven"),
    "CompatModel": ((10,), (10, 5, 5, 5), {"training": True}, "proven"),
    "FunctionalStyleCompatModel": ((), (10, 10, 10, 10), {}, "proven"),
    "WrappedDenseLayer": ((10,), (4, 5), {}, "proven"),
    "WrappedDoubleDenseLayer": ((10,), (4, 5), {}, "proven"),
    "DenseLayer": ((10,), (4, 5), {}, "proven"),  # get_variable only: objects, then weights
    "NestedLayer": ((10,), (4, 5), {}, "refused"),  # its shim method is `__call__`: no `build` runs
}


def _status(outcome) -> str:
    return "broken" if outcome.broken else "refused" if outcome.refused else "proven" if outcome.reports else "nothing"


@pytest.fixture(scope="module")
def outcomes():
    results = {}
    for name, (args, shape, kwargs, _expected) in CASES.items():
        x = np.random.RandomState(0).normal(size=shape).astype("float32")
        results[name] = prove(SOURCE, name, x, kwargs, args, checkpoint_only=True)
    # The guide's own objects stage, by hand: on to native, numbers against its functional original.
    x = np.random.RandomState(0).normal(size=(10, 10, 10, 10)).astype("float32")
    functional = load(SOURCE, "FunctionalStyleCompatModel", "functional")
    oo = prove(SOURCE, "OOStyleCompatModel", x, {}, stages=("native",))
    results["OOStyleCompatModel"] = oo
    from tf2lint.runtime import compare_migration

    native = load(oo.sources["native"], "OOStyleCompatModel", "native")
    oo.reports["native"] = compare_migration(functional, native, x, "native",
                                             checkpoint_from=load(SOURCE, "OOStyleCompatModel", "oo"))
    for name, outcome in results.items():
        GUIDE.append(f"{name}: {_status(outcome)}" + "".join(f"; {why}" for why in outcome.reasons))
        for stage in ("original", "objects", "native", "weights"):
            if stage in outcome.names:
                GUIDE.append(f"  {stage}: {', '.join(outcome.names[stage])}")
    GUIDE.append(summary_line(list(results.values())).replace("migrate:", "guide:"))
    return results


def test_guide_examples_are_proven_stage_by_stage(outcomes) -> None:
    got = {name: _status(o) for name, o in outcomes.items()}
    expected = {name: case[3] for name, case in CASES.items()} | {"OOStyleCompatModel": "proven"}
    assert got == expected, {n: [str(r) for r in outcomes[n].reports.values()] for n in got if got[n] != expected[n]}


def test_native_stage_keeps_the_guide_names(outcomes) -> None:
    """What the guide asserts after its record_scope step: the remaining conv2d is still `model/conv2d_2`."""
    names = outcomes["OOStyleCompatModel"].names["native"]
    assert "model/conv2d_2/kernel" in names and "model/conv2d_2/bias" in names
    source = outcomes["OOStyleCompatModel"].sources["native"]
    assert 'variable_scope("conv2d")' in source and 'variable_scope("conv2d_1")' in source
    original = outcomes["FunctionalStyleCompatModel"].names["original"]
    assert set(original) == set(outcomes["FunctionalStyleCompatModel"].names["objects"])


def test_regularized_layer_object_counts_its_penalty_twice() -> None:
    """The measurement behind the objects stage's refusal of regularizers (without --checkpoint-only)."""
    import tensorflow as tf

    from tf2lint import shim

    class Functional(shim.Layer):
        @shim.track_tf1_style_variables
        def call(self, x):
            with shim.variable_scope("m"):
                return shim.layers.dense(x, 3, kernel_regularizer="l2")

    class Objects(shim.Layer):
        def __init__(self):
            super().__init__()
            self.dense = shim.layers.Dense(3, kernel_regularizer="l2", name="dense")

        @shim.track_tf1_style_variables
        def call(self, x):
            with shim.variable_scope("m"):
                return self.dense(x)

    x = tf.ones((2, 4))
    functional, objects = Functional(), Objects()
    functional(x), objects(x)
    assert len(functional.losses) == 1 and len(objects.losses) == 2
    assert float(objects.losses[0]) == pytest.approx(float(objects.losses[1]))
