"""Step 2 of the migration as data: each `compat.v1` / TF-Slim layer, its layer object and its native Keras layer.

`tf2lint migrate` reads these tables; tests/test_native_tables.py checks every entry against the installed
packages (parameters and defaults with `inspect.signature`, and the numbers under TensorFlow for the defaults
that differ). Names are relative: v1 functions and classes under `tf.compat.v1.layers.`, Keras classes under
`tf.keras.layers.`, TF-Slim functions under `slim.`.
"""

from __future__ import annotations

from typing import NamedTuple

# The stages of step 2 in the model-mapping guide's order: layer objects, native layers, `add_weight`.
STAGES = ("objects", "native", "weights")

V1_LAYERS_PREFIX = "tf.compat.v1.layers."
KERAS_LAYERS_PREFIX = "tf.keras.layers."


class V1Layer(NamedTuple):
    """A functional `tf.compat.v1.layers` layer.

    ``v1_class``: its class form, built once in `__init__` (objects stage); the functional form takes the same
    parameters plus ``inputs`` first, ``reuse`` and, for ``call_params``, arguments that go to the call instead.
    ``keras``: the native Keras layer replacing the class (native stage). ``base``: its auto-name base.
    ``positional_object`` / ``positional_keras``: how many leading parameters the functional form (after
    ``inputs``) and the class, and the class and the Keras layer, share in the same order (a positional
    argument beyond them is not translated). ``keras_defaults``: arguments the Keras layer needs where the
    v1 class has a default the Keras layer lacks or differs from (measured: only Dropout's ``rate``).
    ``creates``: whether it creates variables.
    """

    v1_class: str
    keras: str
    base: str
    positional_object: int
    positional_keras: int
    call_params: tuple[str, ...] = ()
    keras_defaults: tuple[tuple[str, str, int], ...] = ()  # (parameter, value, its position in the class)
    creates: bool = True


V1_LAYERS: dict[str, V1Layer] = {
    "dense": V1Layer("Dense", "Dense", "dense", 12, 10),
    "conv1d": V1Layer("Conv1D", "Conv1D", "conv1d", 17, 6),
    "conv2d": V1Layer("Conv2D", "Conv2D", "conv2d", 17, 6),
    "conv3d": V1Layer("Conv3D", "Conv3D", "conv3d", 17, 6),
    "conv2d_transpose": V1Layer("Conv2DTranspose", "Conv2DTranspose", "conv2d_transpose", 16, 4),
    "conv3d_transpose": V1Layer("Conv3DTranspose", "Conv3DTranspose", "conv3d_transpose", 16, 4),
    "separable_conv1d": V1Layer("SeparableConv1D", "SeparableConv1D", "separable_conv1d", 21, 19),
    "separable_conv2d": V1Layer("SeparableConv2D", "SeparableConv2D", "separable_conv2d", 21, 19),
    "batch_normalization": V1Layer(
        "BatchNormalization", "BatchNormalization", "batch_normalization", 13, 13, call_params=("training",)
    ),
    "dropout": V1Layer(
        "Dropout", "Dropout", "dropout", 3, 3, call_params=("training",), keras_defaults=(("rate", "0.5", 0),),
        creates=False,
    ),
    "flatten": V1Layer("Flatten", "Flatten", "flatten", 0, 1, creates=False),
    "max_pooling1d": V1Layer("MaxPooling1D", "MaxPooling1D", "max_pooling1d", 5, 4, creates=False),
    "max_pooling2d": V1Layer("MaxPooling2D", "MaxPooling2D", "max_pooling2d", 5, 4, creates=False),
    "max_pooling3d": V1Layer("MaxPooling3D", "MaxPooling3D", "max_pooling3d", 5, 4, creates=False),
    "average_pooling1d": V1Layer("AveragePooling1D", "AveragePooling1D", "average_pooling1d", 5, 4, creates=False),
    "average_pooling2d": V1Layer("AveragePooling2D", "AveragePooling2D", "average_pooling2d", 5, 4, creates=False),
    "average_pooling3d": V1Layer("AveragePooling3D", "AveragePooling3D", "average_pooling3d", 5, 4, creates=False),
}

# v1 class -> its entry (the native stage starts from layer objects).
V1_CLASSES: dict[str, V1Layer] = {entry.v1_class: entry for entry in V1_LAYERS.values()}

# Defaults that differ between a v1 class and its Keras layer but give the same result (measured):
# the v1 classes leave `kernel_initializer=None`, which TF1's get_variable turns into glorot uniform, the
# Keras default; `data_format="channels_last"` is what Keras' `None` means unless the user changed
# `image_data_format`. The tests build both with the same seed and compare the values.
EQUIVALENT_DEFAULTS = frozenset({"kernel_initializer", "depthwise_initializer", "pointwise_initializer",
                                 "bias_initializer", "beta_initializer", "gamma_initializer",
                                 "moving_mean_initializer", "moving_variance_initializer", "data_format"})


class SlimLayer(NamedTuple):
    """A TF-Slim layer and the Keras layer that computes the same thing.

    ``params``: the slim function's parameters after ``inputs``, in order (positional arguments are read
    through it). ``renames``: slim parameter -> Keras parameter (``scope`` -> ``name``). ``keras_defaults``:
    Keras arguments to pass when the slim call leaves the parameter at its default, because the defaults
    differ (slim `fully_connected` applies ReLU; slim `batch_norm` has `scale=False`, `decay=0.999`).
    ``keras_initializers``: the same for initializers, spelled with the file's aliases and called
    (`kernel_initializer=tf.compat.v1.glorot_uniform_initializer()`: slim's xavier initializer draws those
    numbers under DeterministicRandomTestTool, Keras' own glorot uniform draws others; measured).
    ``none_means``: a slim parameter given as None -> the Keras argument that says so (`biases_initializer=None`
    is `use_bias=False`). ``unsupported``: parameters with no Keras counterpart (collections, `normalizer_fn`,
    ...): a call passing one is not translated. ``variables``: slim variable name -> Keras attribute
    (`weights` -> `kernel`), which name-based checkpoints must be mapped through. ``call_params``: slim
    parameter -> argument of the Keras layer's call, with the slim default passed when the call omits it
    (`is_training` defaults to True: the call gets `training=True`). ``opens_scope``: it opens a
    `variable_scope` (so its name counts among its siblings'), not only a name scope.
    """

    keras: str
    base: str  # the default scope name
    params: tuple[str, ...]
    renames: tuple[tuple[str, str], ...]
    keras_defaults: tuple[tuple[str, str], ...] = ()
    unsupported: tuple[str, ...] = ()
    variables: tuple[tuple[str, str], ...] = ()
    call_params: tuple[tuple[str, str, str], ...] = ()  # (slim parameter, call argument, slim default)
    keras_initializers: tuple[tuple[str, str], ...] = ()
    none_means: tuple[tuple[str, str, str], ...] = ()
    opens_scope: bool = True


# Slim's default `weights_initializer` (xavier uniform) as Keras must be given it to draw the same numbers.
SLIM_WEIGHTS_INITIALIZER = "tf.compat.v1.glorot_uniform_initializer"

_COLLECTIONS = ("variables_collections", "outputs_collections", "reuse", "normalizer_fn", "normalizer_params")
_WEIGHTS = (("weights_initializer", "kernel_initializer"), ("weights_regularizer", "kernel_regularizer"),
            ("biases_initializer", "bias_initializer"), ("biases_regularizer", "bias_regularizer"),
            ("activation_fn", "activation"), ("trainable", "trainable"), ("scope", "name"))
_WEIGHTS_PARAMS = ("activation_fn", "normalizer_fn", "normalizer_params", "weights_initializer",
                   "weights_regularizer", "biases_initializer", "biases_regularizer", "reuse", "variables_collections",
                   "outputs_collections", "trainable", "scope")
_WEIGHTS_VARIABLES = (("weights", "kernel"), ("biases", "bias"))
_NO_BIAS = (("biases_initializer", "use_bias", "False"),)

SLIM_LAYERS: dict[str, SlimLayer] = {
    "fully_connected": SlimLayer(
        "Dense", "fully_connected", ("num_outputs", *_WEIGHTS_PARAMS), (("num_outputs", "units"), *_WEIGHTS),
        keras_defaults=(("activation", '"relu"'),), unsupported=_COLLECTIONS, variables=_WEIGHTS_VARIABLES,
        keras_initializers=(("kernel_initializer", SLIM_WEIGHTS_INITIALIZER),), none_means=_NO_BIAS,
    ),
    "conv2d": SlimLayer(
        "Conv2D", "Conv", ("num_outputs", "kernel_size", "stride", "padding", "data_format", "rate", *_WEIGHTS_PARAMS),
        (("num_outputs", "filters"), ("kernel_size", "kernel_size"), ("stride", "strides"),
         ("padding", "padding"), ("rate", "dilation_rate"), *_WEIGHTS),
        keras_defaults=(("activation", '"relu"'), ("padding", '"same"')),
        unsupported=(*_COLLECTIONS, "data_format"), variables=_WEIGHTS_VARIABLES,
        keras_initializers=(("kernel_initializer", SLIM_WEIGHTS_INITIALIZER),), none_means=_NO_BIAS,
    ),
    "batch_norm": SlimLayer(
        "BatchNormalization", "BatchNorm",
        ("decay", "center", "scale", "epsilon", "activation_fn", "param_initializers", "param_regularizers",
         "updates_collections", "is_training", "reuse", "variables_collections", "outputs_collections", "trainable",
         "batch_weights", "fused", "data_format", "zero_debias_moving_mean", "scope", "renorm", "renorm_clipping",
         "renorm_decay", "adjustment"),
        (("decay", "momentum"), ("center", "center"), ("scale", "scale"), ("epsilon", "epsilon"),
         ("trainable", "trainable"), ("fused", "fused"), ("scope", "name")),
        keras_defaults=(("momentum", "0.999"), ("scale", "False")),
        unsupported=("variables_collections", "outputs_collections", "reuse", "activation_fn", "param_initializers",
                     "param_regularizers", "updates_collections", "batch_weights", "data_format",
                     "zero_debias_moving_mean", "renorm", "renorm_clipping", "renorm_decay", "adjustment"),
        variables=(("beta", "beta"), ("gamma", "gamma"), ("moving_mean", "moving_mean"),
                   ("moving_variance", "moving_variance")),
        call_params=(("is_training", "training", "True"),),
    ),
    "dropout": SlimLayer(
        "Dropout", "Dropout", ("keep_prob", "noise_shape", "is_training", "outputs_collections", "scope", "seed"),
        (("noise_shape", "noise_shape"), ("seed", "seed"), ("scope", "name")),
        keras_defaults=(("rate", "0.5"),), unsupported=("outputs_collections",),
        call_params=(("is_training", "training", "True"),),
    ),
    "flatten": SlimLayer("Flatten", "Flatten", ("outputs_collections", "scope"), (("scope", "name"),),
                         unsupported=("outputs_collections",), opens_scope=False),
    "max_pool2d": SlimLayer(
        "MaxPooling2D", "MaxPool2D", ("kernel_size", "stride", "padding", "data_format", "outputs_collections", "scope"),
        (("kernel_size", "pool_size"), ("stride", "strides"), ("padding", "padding"), ("scope", "name")),
        keras_defaults=(("strides", "2"),), unsupported=("outputs_collections", "data_format"), opens_scope=False,
    ),
    "avg_pool2d": SlimLayer(
        "AveragePooling2D", "AvgPool2D", ("kernel_size", "stride", "padding", "data_format", "outputs_collections", "scope"),
        (("kernel_size", "pool_size"), ("stride", "strides"), ("padding", "padding"), ("scope", "name")),
        keras_defaults=(("strides", "2"),), unsupported=("outputs_collections", "data_format"), opens_scope=False,
    ),
}

# `slim.batch_norm`'s default fused kernel (`fused=None` or `True`) reshapes a 2-D input to 4-D and updates
# `moving_variance` with Bessel's correction; Keras' BatchNormalization fuses only 4-D/5-D inputs and does not
# correct a 2-D one (measured, tests/test_native_tables.py). So the translation is exact for 4-D inputs, or
# with `fused=False` on both sides (one non-fused implementation): (layer, parameter, input rank).
SLIM_FUSED = ("batch_norm", "fused", 4)

# Slim's `keep_prob` is Keras' `1 - rate`: not a rename, a different quantity.
SLIM_KEEP_PROB = ("dropout", "keep_prob", "rate")

# Regularizers whose scale means something else in Keras: TF1 `l2_regularizer(s)` computes
# `s * sum(w ** 2) / 2` (`tf.nn.l2_loss`), Keras `l2(s)` computes `s * sum(w ** 2)`; so TF1's `s` is
# Keras' `s * factor`. L1 has no such half.
REGULARIZER_SCALES: dict[str, tuple[str, float]] = {
    "slim.l2_regularizer": ("tf.keras.regularizers.l2", 0.5),
    "slim.l1_regularizer": ("tf.keras.regularizers.l1", 1.0),
}

# Momentum of moving averages: v1 `batch_normalization` and Keras share 0.99; slim `batch_norm` uses 0.999.
BATCH_NORM_MOMENTUM = {"v1": 0.99, "keras": 0.99, "slim": 0.999}


def v1_functional(short: str) -> V1Layer | None:
    """The entry of a functional v1 layer (`dense`), or None."""
    return V1_LAYERS.get(short)


# `tf.compat.v1.get_variable(...)` -> `self.add_weight(...)` (weights stage): parameters in `get_variable`'s
# order (a positional argument is passed to `add_weight` by keyword), those `add_weight` takes under the same
# name, and those with no counterpart (a call passing one is not translated). Both default `initializer=None`
# to a glorot uniform for floating variables. `add_weight` runs in `build`, where `input_shape` stands for the
# call's `inputs.shape`.
GET_VARIABLE_PARAMS = ("name", "shape", "dtype", "initializer", "regularizer", "trainable", "collections",
                       "caching_device", "partitioner", "validate_shape", "use_resource", "custom_getter",
                       "constraint", "synchronization", "aggregation")
ADD_WEIGHT_PARAMS = frozenset({"name", "shape", "dtype", "initializer", "regularizer", "trainable", "constraint",
                               "synchronization", "aggregation"})
GET_VARIABLE_UNSUPPORTED = frozenset(GET_VARIABLE_PARAMS) - ADD_WEIGHT_PARAMS
# ... except that the two glorot uniforms draw different numbers (measured, tests/test_native_tables.py):
# `add_weight` is given `get_variable`'s own default explicitly when the call passes no initializer.
GET_VARIABLE_DEFAULT_INITIALIZER = "tf.compat.v1.glorot_uniform_initializer"
