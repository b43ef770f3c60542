"""tf2lint/knowledge/variables.py against the real packages: every layer kind is built and called once under
the shim (tf-keras 2.21, tf-slim 1.1.0) and the variables it creates are compared with the table."""

from __future__ import annotations

import pytest

from tf2lint.knowledge import api
from tf2lint.knowledge import variables as table


@pytest.fixture(scope="module")
def tf():
    from conftest import require_runtime

    require_runtime()
    import tensorflow

    return tensorflow


def _suffixes(spec: tuple[table.Var, ...], switched_off: str | None = None) -> list[str]:
    return sorted(v.suffix for v in spec if v.switch is None or v.switch[0] != switched_off)


def _store_names(tf, build) -> list[str]:
    """Suffixes (below the layer's own scope `s/<layer>/`) of what ``build(x)`` creates in a shim layer."""
    from tf2lint import runtime

    class Probe(tf.keras.layers.Layer):
        @tf.compat.v1.keras.utils.track_tf1_style_variables
        def call(self, x):
            with tf.compat.v1.variable_scope("s"):
                return build(x)

    runtime.reset()
    layer = Probe()
    layer(tf.ones((1, 6, 6, 2)) if build.rank == 4 else tf.ones((1, 6, 2)) if build.rank == 3 else tf.ones((2, 4)))
    return sorted(v.name.split(":")[0].split("/", 2)[2] for v in layer.weights)


def _with_rank(rank: int, build):
    build.rank = rank
    return build


_RANK = {"dense": 2, "conv1d": 3, "separable_conv1d": 3, "conv3d": 5, "conv3d_transpose": 5}


@pytest.mark.parametrize("base", sorted(table.V1_LAYERS))
def test_v1_layers(tf, base: str) -> None:
    layers = tf.compat.v1.layers
    function = getattr(layers, base)
    assert api.v1_layer_base_name(f"tf.compat.v1.layers.{base}") == base
    rank = _RANK.get(base, 4)
    if rank == 5:
        pytest.skip("3-D convolutions: same table entry as 2-D, input too large for the quick probe")
    args = {"batch_normalization": ()}.get(base, (3,) if base == "dense" else (2, 3))
    spec = table.V1_LAYERS[base]
    assert _store_names(tf, _with_rank(rank, lambda x: function(x, *args))) == _suffixes(spec)
    for var in spec:
        if var.switch is not None:
            off = {var.switch[0]: not var.switch[1]}
            names = _store_names(tf, _with_rank(rank, lambda x, off=off: function(x, *args, **off)))
            assert names == _suffixes(spec, var.switch[0]), (base, off)


@pytest.mark.parametrize("name", sorted(table.SLIM_LAYERS))
def test_slim_layers(tf, name: str) -> None:
    slim = pytest.importorskip("tf_slim")
    from tf2lint.runtime import legacy_slim

    function = getattr(slim, name)
    rank = 3 if name.endswith("1d") else 2 if name in ("fully_connected", "linear") else 4
    if name.endswith("3d"):
        pytest.skip("3-D convolutions: same table entry as 2-D")
    args = () if name == "batch_norm" else (3,) if rank == 2 else (2, 3)
    spec = table.SLIM_LAYERS[name]
    base = api.auto_named_creator(f"slim.{name}")
    assert base is not None
    with legacy_slim():  # the old `slim.batch_norm` runs on TF 2.21 only so
        names = _store_names(tf, _with_rank(rank, lambda x: function(x, *args, scope="t")))
        assert names == sorted(v.suffix for v in spec if v.switch is None or v.switch[1])
        for var in spec:  # each switch flipped: its variable comes or goes
            if var.switch is not None:
                flipped = {var.switch[0]: not var.switch[1] if var.switch[0] != "biases_initializer" else None}
                names = _store_names(tf, _with_rank(rank, lambda x, f=flipped: function(x, *args, scope="t", **f)))
                assert names == sorted(v.suffix for v in spec if (v.switch is None or v.switch[1]) != (v is var)), flipped


@pytest.mark.parametrize("cell", sorted(table.RNN_CELLS))
def test_rnn_cells(tf, cell: str) -> None:
    cls_name = next(k for k, v in api.V1_RNN_CELL_CLASSES.items() if v == cell)
    cls = getattr(tf.compat.v1.nn.rnn_cell, cls_name)

    def build(x):
        made = cls(3, name="t")
        return made(x, made.zero_state(2, tf.float32))[0]

    assert _store_names(tf, _with_rank(2, build)) == _suffixes(table.RNN_CELLS[cell])


@pytest.mark.parametrize("name", sorted(table.KERAS_LAYERS))
def test_keras_layers(tf, name: str) -> None:
    import tf_keras

    cls = getattr(tf_keras.layers, name)
    args = {"Dense": (3,), "BatchNormalization": (), "LayerNormalization": (), "Embedding": (5, 3)}.get(name, (2, 1))
    layer = cls(*args)
    rank = {"Conv1D": 3, "Conv1DTranspose": 3, "Conv3D": 5, "Conv3DTranspose": 5, "Dense": 2, "Embedding": 2}.get(name, 4)
    layer(tf.ones((1,) + (4,) * (rank - 2) + (2,)) if name != "Embedding" else tf.zeros((1, 2), tf.int32))
    suffixes = sorted(v.name.split(":")[0].rsplit("/", 1)[-1] for v in layer.weights)
    assert suffixes == _suffixes(table.KERAS_LAYERS[name])


def test_checkpoint_key_is_what_tf_writes(tf, tmp_path) -> None:
    from tf2lint import runtime

    class Probe(tf.keras.layers.Layer):
        @tf.compat.v1.keras.utils.track_tf1_style_variables
        def call(self, x):
            with tf.compat.v1.variable_scope("n.et"):
                return tf.compat.v1.layers.dense(x, 2, name="dense_1")

    runtime.reset()
    layer = Probe()
    layer(tf.ones((1, 2)))
    keys = {k for k, _ in tf.train.list_variables(tf.train.Checkpoint(model=layer).save(str(tmp_path / "c")))}
    assert f"model/{table.checkpoint_key('n.et/dense_1/kernel')}/.ATTRIBUTES/VARIABLE_VALUE" in keys
