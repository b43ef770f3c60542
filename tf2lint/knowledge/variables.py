"""What each layer kind creates on its first call, as data: variable suffixes under the layer's scope.

Checked against tf-keras 2.21 and tf-slim 1.1.0 under the real shim by tests/test_variables_knowledge.py
(each entry is built, called once, and its variable names compared). A suffix may depend on a keyword
(`use_bias=False` drops `bias`): ``Var.switch`` names it, with its default. ``Var.shape`` says how the
variable's shape follows from the call's literal arguments, when it does:
- "units": ``(units,)`` where ``units`` is the layer's output size;
- "kernel": ``(None, units)`` for dense, ``(*kernel_size, None, filters)`` for convolutions;
- None: not modelled (depends on the input's shape).
"""

from __future__ import annotations

from typing import NamedTuple


class Var(NamedTuple):
    suffix: str
    switch: tuple[str, bool] | None = None  # (keyword, default): the variable exists only when it is true
    shape: str | None = None


_DENSE = (Var("kernel", None, "kernel"), Var("bias", ("use_bias", True), "units"))
_CONV = _DENSE
_SEPARABLE = (Var("depthwise_kernel"), Var("pointwise_kernel"), Var("bias", ("use_bias", True), "units"))
_BATCH_NORM = (
    Var("gamma", ("scale", True)), Var("beta", ("center", True)), Var("moving_mean"), Var("moving_variance"),
)

# v1 layer auto-name base (see api.V1_FUNCTIONAL_LAYERS / V1_LAYER_CLASSES) -> its variables.
V1_LAYERS: dict[str, tuple[Var, ...]] = {
    "dense": _DENSE,
    "conv1d": _CONV,
    "conv2d": _CONV,
    "conv3d": _CONV,
    "conv2d_transpose": (Var("kernel"), Var("bias", ("use_bias", True), "units")),
    "conv3d_transpose": (Var("kernel"), Var("bias", ("use_bias", True), "units")),
    "separable_conv1d": _SEPARABLE,
    "separable_conv2d": _SEPARABLE,
    "batch_normalization": _BATCH_NORM,
}
# Spatial rank of the convolutions whose kernel shape is modelled (kernel_size as int or literal tuple).
CONV_RANK: dict[str, int] = {"conv1d": 1, "conv2d": 2, "conv3d": 3}
# Where the output size is given: (keyword, position in the functional form).
UNITS: dict[str, tuple[str, int]] = {
    "dense": ("units", 1),
    **{base: ("filters", 1) for base in ("conv1d", "conv2d", "conv3d", "conv2d_transpose", "conv3d_transpose",
                                         "separable_conv1d", "separable_conv2d")},
}
KERNEL_SIZE: tuple[str, int] = ("kernel_size", 2)

# TF-Slim layer (name in slim.LAYERS) -> its variables. `biases` are absent when a `normalizer_fn` is given
# (which then creates its own variables: not modelled) or `biases_initializer=None`.
SLIM_LAYERS: dict[str, tuple[Var, ...]] = {
    name: (Var("weights"), Var("biases", ("biases_initializer", True)))
    for name in ("conv1d", "conv2d", "conv3d", "convolution", "convolution1d", "convolution2d", "convolution3d",
                 "fully_connected", "linear")
} | {
    # `scale` defaults to False in Slim (so no `gamma`), unlike Keras.
    "batch_norm": (Var("beta", ("center", True)), Var("gamma", ("scale", False)), Var("moving_mean"),
                   Var("moving_variance")),
}
# Keywords whose presence (not None) makes the layer's variables unknown (`renorm` adds its own).
SLIM_UNMODELLED = ("normalizer_fn", "renorm")

# v1 RNN cell auto-name base (api.V1_RNN_CELL_CLASSES) -> its variables. `LSTMCell` with `num_proj` or
# `use_peepholes` makes more: unknown then.
RNN_CELLS: dict[str, tuple[Var, ...]] = {
    "basic_rnn_cell": (Var("kernel"), Var("bias")),
    "basic_lstm_cell": (Var("kernel"), Var("bias")),
    "lstm_cell": (Var("kernel"), Var("bias")),
    "gru_cell": (Var("gates/kernel"), Var("gates/bias"), Var("candidate/kernel"), Var("candidate/bias")),
}
RNN_UNMODELLED = ("num_proj", "use_peepholes")

# Native Keras layers (class name under tf.keras.layers) -> their variables' object-path suffixes.
KERAS_LAYERS: dict[str, tuple[Var, ...]] = {
    "Dense": (Var("kernel"), Var("bias", ("use_bias", True))),
    **{name: (Var("kernel"), Var("bias", ("use_bias", True)))
       for name in ("Conv1D", "Conv2D", "Conv3D", "Conv1DTranspose", "Conv2DTranspose", "Conv3DTranspose")},
    "BatchNormalization": (Var("gamma", ("scale", True)), Var("beta", ("center", True)), Var("moving_mean"),
                           Var("moving_variance")),
    "LayerNormalization": (Var("gamma", ("scale", True)), Var("beta", ("center", True))),
    "Embedding": (Var("embeddings"),),
}

UNKNOWN = "<unknown>"  # a name part the analysis cannot know; never compared


def checkpoint_key(name: str) -> str:
    """The key a shim variable has in a `tf.train.Checkpoint` of its owner (measured:
    `model/_tf1_style_var_store/_vars/net.Sdense_1.Skernel/.ATTRIBUTES/VARIABLE_VALUE`)."""
    return "_tf1_style_var_store/_vars/" + name.replace(".", "..").replace("/", ".S")
