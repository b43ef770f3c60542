"""Probes of the shim's semantics that the rules rely on, beyond what the rule examples show.

Each test is a measurement under TF 2.21 + tf-keras 2.21 that a rule encodes; if a TensorFlow upgrade
changes the behaviour, the test fails and the rule has to follow. Examples' own behaviour is checked in
test_runtime_validation.py.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import require_runtime

require_runtime()
import tensorflow as tf  # noqa: E402

from tf2lint import runtime  # noqa: E402
from tf2lint.knowledge import api  # noqa: E402

v1 = tf.compat.v1
track = v1.keras.utils.track_tf1_style_variables


@pytest.fixture(autouse=True)
def fresh_naming_state():
    runtime.reset()
    yield
    runtime.reset()


def names(layer) -> list[str]:
    return sorted(w.name for w in layer.weights)


def test_tf1_graph_mode_refused_a_duplicate_under_reuse_false() -> None:
    """The shim shares `m/w` silently (TFS113 bad example); TF1 graph mode raised."""
    with tf.Graph().as_default():
        with v1.variable_scope("m", reuse=False):
            v1.get_variable("w", shape=[4, 3])
        with pytest.raises(ValueError, match="Variable m/w already exists, disallowed"):
            with v1.variable_scope("m", reuse=False):
                v1.get_variable("w", shape=[4, 3])


def test_fixed_name_in_a_loop_fails_when_the_shapes_change() -> None:
    class Widening(tf.keras.layers.Layer):
        @track
        def call(self, inputs):
            out = inputs
            with v1.variable_scope("m"):
                for units in (4, 5):
                    out = v1.layers.dense(out, units, name="fc")
            return out

    with pytest.raises(ValueError, match=r"Trying to share variable m/fc/kernel, but specified shape \(4, 5\)"):
        Widening()(tf.ones((2, 4)))


def test_one_key_two_builders_returns_the_first_object() -> None:
    class TwoBuilders(tf.keras.layers.Layer):
        @track
        def call(self, inputs):
            small = v1.keras.utils.get_or_create_layer("head", lambda: tf.keras.layers.Dense(3))
            large = v1.keras.utils.get_or_create_layer("head", lambda: tf.keras.layers.Dense(5))
            assert small is large
            return large(inputs)

    assert TwoBuilders()(tf.ones((2, 4))).shape == (2, 3)


def test_a_fixed_key_in_a_loop_builds_once_and_named_scopes_separate_keys() -> None:
    class LoopKey(tf.keras.layers.Layer):
        @track
        def call(self, inputs):
            out = inputs
            for units in (4, 5):
                out = v1.keras.utils.get_or_create_layer("head", lambda: tf.keras.layers.Dense(units))(out)
            with v1.variable_scope("a"):
                a = v1.keras.utils.get_or_create_layer("head", lambda: tf.keras.layers.Dense(3))
            with v1.variable_scope("b"):
                b = v1.keras.utils.get_or_create_layer("head", lambda: tf.keras.layers.Dense(3))
            assert a is not b
            return out

    assert LoopKey()(tf.ones((2, 4))).shape == (2, 4)  # one Dense(4), used twice; Dense(5) never built


def test_a_fixed_scope_name_in_a_loop_merges_the_blocks() -> None:
    """Why TFS102 offers no fix in a loop: `variable_scope("b")` there makes three blocks one."""

    class Merged(tf.keras.layers.Layer):
        @track
        def call(self, inputs):
            out = inputs
            for _ in range(3):
                with v1.variable_scope("b"):
                    out = v1.layers.dense(out, 4)
            return out

    layer = Merged()
    layer(tf.ones((2, 4)))
    assert names(layer) == ["b/dense/bias:0", "b/dense/kernel:0"]


@pytest.mark.parametrize("cls", sorted(api.V1_RNN_CELL_CLASSES))
def test_rnn_cell_auto_names(cls: str) -> None:
    """A v1 cell built per call and called directly outside a named scope takes `<base>`, then `<base>_1`."""
    base = api.V1_RNN_CELL_CLASSES[cls]

    class PerCall(tf.keras.layers.Layer):
        @track
        def call(self, inputs):
            cell = getattr(v1.nn.rnn_cell, cls)(4)
            out, _ = cell(inputs, cell.zero_state(2, tf.float32))
            return out

    layer = PerCall()
    layer(tf.ones((2, 3)))
    assert {name.split("/")[0] for name in names(layer)} == {base}
    layer(tf.ones((2, 3)))
    assert {name.split("/")[0] for name in names(layer)} == {base, f"{base}_1"}


def test_name_does_not_keep_a_per_call_cell_or_layer_object_stable() -> None:
    class Named(tf.keras.layers.Layer):
        @track
        def call(self, inputs):
            cell = v1.nn.rnn_cell.LSTMCell(4, name="lstm")
            out, _ = cell(inputs, cell.zero_state(2, tf.float32))
            return v1.layers.Dense(3, name="fc")(out)

    layer = Named()
    layer(tf.ones((2, 3)))
    layer(tf.ones((2, 3)))
    assert {name.split("/")[0] for name in names(layer)} == {"lstm", "lstm_1", "fc", "fc_1"}


def test_a_v1_layer_object_is_named_by_the_scope_of_its_first_call() -> None:
    class Later(tf.keras.layers.Layer):
        def __init__(self):
            super().__init__()
            with v1.variable_scope("ctor"):
                self.fc = v1.layers.Dense(3)

        @track
        def call(self, inputs):
            with v1.variable_scope("callsite"):
                return self.fc(inputs)

    layer = Later()
    layer(tf.ones((2, 4)))
    layer(tf.ones((2, 4)))
    assert names(layer) == ["callsite/dense/bias:0", "callsite/dense/kernel:0"]


def test_reentering_the_current_scope_restarts_the_numbering() -> None:
    """`variable_scope(get_variable_scope())`: stable like a named scope, and adds nothing to the path."""

    class ReEnter(tf.keras.layers.Layer):
        @track
        def call(self, inputs):
            with v1.variable_scope("m"):
                with v1.variable_scope(v1.get_variable_scope()):
                    return v1.layers.dense(v1.layers.dense(inputs, 4), 4)

    layer = ReEnter()
    assert runtime.check(layer, tf.ones((2, 4))) == []
    assert names(layer) == ["m/dense/bias:0", "m/dense/kernel:0", "m/dense_1/bias:0", "m/dense_1/kernel:0"]


@pytest.mark.parametrize("value", ["0", "false", "False"])
def test_opt_out_values_select_keras_3(value: str) -> None:
    code = (
        "import tensorflow as tf\n"
        "print(tf.keras.layers.Layer.__module__.split('.')[0])\n"
        "tf.compat.v1.keras.utils.track_tf1_style_variables\n"
    )
    env = {**os.environ, "TF_USE_LEGACY_KERAS": value}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert result.stdout.strip() == "keras"
    assert "module 'keras.utils' has no attribute 'track_tf1_style_variables'" in result.stderr
