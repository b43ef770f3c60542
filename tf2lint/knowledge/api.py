"""Facts about TensorFlow's API, as data. Names are canonical (see ``names.canonical``)."""

from __future__ import annotations

import ast
import re
from typing import NamedTuple

from tf2lint.knowledge import slim

V1_LAYERS = "tf.compat.v1.layers."

SHIM_DECORATOR = "tf.compat.v1.keras.utils.track_tf1_style_variables"
GET_OR_CREATE_LAYER = "tf.compat.v1.keras.utils.get_or_create_layer"
# Layer methods that add a weight to the object they are called on (`self.add_weight(...)`).
ADD_WEIGHT = ("add_weight", "add_variable")
VARIABLE_SCOPE = "tf.compat.v1.variable_scope"
GET_VARIABLE = "tf.compat.v1.get_variable"
GET_VARIABLE_SCOPE = "tf.compat.v1.get_variable_scope"
MAKE_TEMPLATE = "tf.compat.v1.make_template"
TF_FUNCTION = "tf.function"
TF_VARIABLE = "tf.Variable"

# Functional v1 layers that create variables -> the base of the name they auto-generate
# (`dense`, then `dense_1`, ... per enclosing scope). Pooling, flatten and dropout create no
# variables, so an auto-generated name costs nothing there.
V1_FUNCTIONAL_LAYERS: dict[str, str] = {
    "dense": "dense",
    "conv1d": "conv1d",
    "conv2d": "conv2d",
    "conv3d": "conv3d",
    "conv2d_transpose": "conv2d_transpose",
    "conv3d_transpose": "conv3d_transpose",
    "separable_conv1d": "separable_conv1d",
    "separable_conv2d": "separable_conv2d",
    "batch_normalization": "batch_normalization",
}
# v1 layer classes that create variables -> auto-name base (snake case of the class name).
V1_LAYER_CLASSES: dict[str, str] = {
    "Dense": "dense",
    "Conv1D": "conv1d",
    "Conv2D": "conv2d",
    "Conv3D": "conv3d",
    "Conv2DTranspose": "conv2d_transpose",
    "Conv3DTranspose": "conv3d_transpose",
    "Convolution1D": "conv1d",
    "Convolution2D": "conv2d",
    "Convolution3D": "conv3d",
    "Convolution2DTranspose": "conv2d_transpose",
    "Convolution3DTranspose": "conv3d_transpose",
    "SeparableConv1D": "separable_conv1d",
    "SeparableConv2D": "separable_conv2d",
    "SeparableConvolution2D": "separable_conv2d",
    "BatchNormalization": "batch_normalization",
}

# v1 RNN cells that create variables on their first direct call -> auto-name base. Measured on TF 2.21 +
# tf-keras 2.21: built per call and called directly outside a named scope they take `lstm_cell`,
# `lstm_cell_1`, ... (even with `name=`: `lstm`, `lstm_1`); `dynamic_rnn`/`static_rnn` open a named `rnn`
# scope, and `MultiRNNCell` names its cells `cell_0`, ...: stable there. MultiRNNCell itself is stable.
V1_RNN_CELLS = "tf.compat.v1.nn.rnn_cell."
V1_RNN_CELL_CLASSES: dict[str, str] = {
    "BasicRNNCell": "basic_rnn_cell",
    "BasicLSTMCell": "basic_lstm_cell",
    "LSTMCell": "lstm_cell",
    "GRUCell": "gru_cell",
}


def v1_rnn_cell_base_name(name: str) -> str | None:
    """Auto-name base of a variable-creating v1 RNN cell class, else None."""
    if not name.startswith(V1_RNN_CELLS):
        return None
    return V1_RNN_CELL_CLASSES.get(name[len(V1_RNN_CELLS):])


# Keras layers that hold no weights: constructing one per call costs nothing worth reporting.
STATELESS_KERAS_LAYERS = frozenset(
    {
        "Activation", "ActivityRegularization", "Add", "AlphaDropout", "Average", "AveragePooling1D",
        "AveragePooling2D", "AveragePooling3D", "AvgPool1D", "AvgPool2D", "AvgPool3D", "CenterCrop",
        "Concatenate", "Cropping1D", "Cropping2D", "Cropping3D", "Dot", "Dropout", "ELU", "Flatten",
        "GaussianDropout", "GaussianNoise", "GlobalAveragePooling1D", "GlobalAveragePooling2D",
        "GlobalAveragePooling3D", "GlobalAvgPool1D", "GlobalAvgPool2D", "GlobalAvgPool3D",
        "GlobalMaxPool1D", "GlobalMaxPool2D", "GlobalMaxPool3D", "GlobalMaxPooling1D",
        "GlobalMaxPooling2D", "GlobalMaxPooling3D", "Identity", "Input", "InputLayer", "InputSpec",
        "Lambda", "LeakyReLU", "Masking", "MaxPool1D", "MaxPool2D", "MaxPool3D", "MaxPooling1D",
        "MaxPooling2D", "MaxPooling3D", "Maximum", "Minimum", "Multiply", "Permute", "ReLU",
        "RepeatVector", "Rescaling", "Reshape", "Resizing", "Softmax", "SpatialDropout1D",
        "SpatialDropout2D", "SpatialDropout3D", "Subtract", "ThresholdedReLU", "UpSampling1D",
        "UpSampling2D", "UpSampling3D", "ZeroPadding1D", "ZeroPadding2D", "ZeroPadding3D",
    }
)

# Module-level calls that put a file in TF1 graph mode, where collections and unshimmed layers work.
GRAPH_MODE_SWITCHES = frozenset(
    {"tf.compat.v1.disable_v2_behavior", "tf.compat.v1.disable_eager_execution"}
)

KERAS_MODEL_CLASSES = frozenset(
    {"Model", "Sequential", "models.Model", "models.Sequential"}
)
# A model that calls the layers of its first argument in turn (canonical names).
KERAS_SEQUENTIAL = frozenset({"tf.keras.Sequential", "tf.keras.models.Sequential"})


def v1_layer_base_name(name: str) -> str | None:
    """Auto-name base for a variable-creating v1 layer (functional or class), else None."""
    if not name.startswith(V1_LAYERS):
        return None
    short = name[len(V1_LAYERS):]
    return V1_FUNCTIONAL_LAYERS.get(short) or V1_LAYER_CLASSES.get(short)


def is_v1_layer_class(name: str) -> bool:
    return name.startswith(V1_LAYERS) and name[len(V1_LAYERS):] in V1_LAYER_CLASSES


class Creator(NamedTuple):
    """A call that creates variables under an auto-generated name unless one is given.

    ``base``: the name it takes (then ``base_1``, ... per enclosing scope); ``param``/``position``: the
    argument that names it (position None: keyword only); ``wraps``: position of a layer it calls
    (slim.repeat/stack), which must create variables for the wrapper to.
    """

    base: str
    param: str
    position: int | None = None
    wraps: int | None = None


def auto_named_creator(name: str) -> Creator | None:
    """How a variable-creating layer (v1 layers, TF-Slim) names itself, or None."""
    base = v1_layer_base_name(name)
    if base is not None:
        return Creator(base, "name")
    if name.startswith(slim.PREFIX):
        short = name[len(slim.PREFIX):]
        if short in slim.LAYERS:
            base, position = slim.LAYERS[short]
            return Creator(base, "scope", position)
        if short in slim.WRAPPERS:
            base, wrapped = slim.WRAPPERS[short]
            return Creator(base, "scope", None, wrapped)
    return None


def creates_tf1_variables(name: str) -> bool:
    """Calls that create variables through the v1 variable store (what the shim tracks)."""
    if name in (GET_VARIABLE, MAKE_TEMPLATE) or name in SLIM_VARIABLES:
        return True
    creator = auto_named_creator(name)
    return creator is not None and creator.wraps is None


# Every auto-name base (what a renamed variable path starts with when a layer grows).
AUTO_NAME_BASES = frozenset(
    {*V1_FUNCTIONAL_LAYERS.values(), *(base for base, _ in slim.LAYERS.values()),
     *(base for base, _ in slim.WRAPPERS.values())}
)
SLIM_VARIABLES = frozenset(slim.PREFIX + name for name in slim.VARIABLES)
ARG_SCOPE = slim.PREFIX + slim.ARG_SCOPE


class TrainingArg(NamedTuple):
    """Where a training-dependent layer takes the phase, and what it does without it."""

    param: str
    position: int | None
    default_training: bool  # the phase when the argument is missing


# Layers whose behaviour depends on the training phase.
TRAINING_ARGS: dict[str, TrainingArg] = {
    "tf.compat.v1.layers.batch_normalization": TrainingArg("training", 14, False),
    "tf.compat.v1.layers.dropout": TrainingArg("training", 4, False),
    **{slim.PREFIX + name: TrainingArg("is_training", position, True) for name, position in slim.TRAINING.items()},
}


def tracked_object_kind(name: str) -> str | None:
    """What a constructor builds when it owns weights the shim does not track, else None.

    Returns a short description ("tf.Variable", "Keras layer", "Keras model", "tf.Module").
    """
    if name == TF_VARIABLE:
        return "tf.Variable"
    if name == "tf.Module":
        return "tf.Module"
    for root in ("tf.keras.", "keras."):
        if not name.startswith(root):
            continue
        rest = name[len(root):]
        if rest in KERAS_MODEL_CLASSES:
            return "Keras model"
        if rest.startswith("layers."):
            cls = rest[len("layers."):]
            if "." not in cls and cls[:1].isupper() and cls not in STATELESS_KERAS_LAYERS and cls != "Layer":
                return "Keras layer"
    return None


def module_base_kind(name: str) -> str | None:
    """Kind of object a class deriving from ``name`` is: "keras", "module", "keras3", or None."""
    if name == "tf.Module":
        return "module"
    if name.startswith("tf.keras.") and (
        name[len("tf.keras."):] in KERAS_MODEL_CLASSES or name.startswith("tf.keras.layers.")
    ):
        return "keras"
    if name.startswith(V1_LAYERS) and name[len(V1_LAYERS):][:1].isupper():
        return "keras"
    if name.startswith("keras.") and (name.startswith("keras.layers.") or name[6:] in KERAS_MODEL_CLASSES):
        return "keras3"
    return None


# Graph-collection APIs: empty in eager mode, and incomplete inside tf.function.
UPDATE_OPS = "tf.compat.v1.GraphKeys.UPDATE_OPS"
COLLECTION_APIS: dict[str, str] = {
    "tf.compat.v1.get_collection": "read",
    "tf.compat.v1.get_collection_ref": "read",
    "tf.compat.v1.add_to_collection": "write",
    "tf.compat.v1.add_to_collections": "write",
    "tf.compat.v1.global_variables": "variables",
    "tf.compat.v1.trainable_variables": "variables",
    "tf.compat.v1.local_variables": "variables",
    "tf.compat.v1.model_variables": "variables",
    "tf.compat.v1.losses.get_regularization_loss": "losses",
    "tf.compat.v1.losses.get_regularization_losses": "losses",
    **{slim.PREFIX + name: kind for name, kind in slim.COLLECTIONS.items()},
}


_LIBRARY_ROOTS = ("tf.", "keras.", "slim.", "tf_keras.", "tensorflow.")


def is_library_name(name: str) -> bool:
    """A canonical name of TensorFlow, Keras or TF-Slim (known from data, never a project function)."""
    return name.startswith(_LIBRARY_ROOTS)


def default_name_of(call: ast.Call) -> ast.expr | None:
    """The `default_name` a `variable_scope(name_or_scope, default_name, values)` call passes, if any: such a
    scope is numbered anew each time it is entered."""
    found = next((k.value for k in call.keywords if k.arg == "default_name"), None)
    return found if found is not None else (call.args[1] if len(call.args) > 1 else None)


def builder_expr(call: ast.Call) -> ast.expr | None:
    """The builder of `get_or_create_layer(name, create_layer_method)`, by position or keyword."""
    return call.args[1] if len(call.args) > 1 else next(
        (k.value for k in call.keywords if k.arg == "create_layer_method"), None
    )


def snake_case(class_name: str) -> str:
    """The name Keras derives from a class name (`MLPBlock` -> `mlp_block`, `Conv2DTranspose` ->
    `conv2d_transpose`): a word starts at a capital followed by lower case or digits, or after a lower-case
    letter; a leading underscore gets a `private` prefix. tests/test_knowledge.py checks it against tf-keras."""
    words = re.sub(r"(.)([A-Z][a-z0-9]+)", r"\1_\2", class_name)
    words = re.sub(r"([a-z])([A-Z])", r"\1_\2", words).lower()
    return "private" + words if words.startswith("_") else words
