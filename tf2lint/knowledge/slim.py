"""TF-Slim (tf-slim 1.1.0, also `tf.contrib.slim` / `tf.contrib.layers` in TF1) as data.

Names here are relative to the canonical namespace ``slim.`` (see ``spellings``). Every entry is checked
against the installed tf-slim by tests/test_knowledge.py: the functions exist, the parameter positions
match ``inspect.signature``, and the default scope names are what the layers create under the real shim.
"""

from __future__ import annotations

PREFIX = "slim."

# Variable-creating layers -> (default scope name, position of `scope`). Without `scope=` a layer
# opens `variable_scope(None, default_name=<default>)`: `Conv`, then `Conv_1`, ... on every call.
LAYERS: dict[str, tuple[str, int]] = {
    "conv1d": ("Conv", 18),
    "conv2d": ("Conv", 18),
    "conv3d": ("Conv", 18),
    "convolution": ("Conv", 18),
    "convolution1d": ("Conv", 18),
    "convolution2d": ("Conv", 18),
    "convolution3d": ("Conv", 18),
    "conv2d_transpose": ("Conv2d_transpose", 17),
    "convolution2d_transpose": ("Conv2d_transpose", 17),
    "conv3d_transpose": ("Conv3d_transpose", 17),
    "convolution3d_transpose": ("Conv3d_transpose", 17),
    "separable_conv2d": ("SeparableConv2d", 20),
    "separable_convolution2d": ("SeparableConv2d", 20),
    "conv2d_in_plane": ("ConvInPlane", 15),
    "convolution2d_in_plane": ("ConvInPlane", 15),
    "fully_connected": ("fully_connected", 13),
    "linear": ("fully_connected", 13),
    "batch_norm": ("BatchNorm", 18),
    "layer_norm": ("LayerNorm", 10),
    "group_norm": ("GroupNorm", 13),
    "instance_norm": ("InstanceNorm", 11),
    "bias_add": ("BiasAdd", 9),
}

# Layers that open a `variable_scope(scope, default_name)` but create no variable -> (default scope name,
# position of `scope`): the scope counts among its siblings' all the same.
SCOPED: dict[str, tuple[str, int]] = {
    "dropout": ("Dropout", 5),
}

# Wrappers that call a layer several times inside `variable_scope(scope, default_name)` -> (default
# scope name, position of the wrapped layer). `scope` is taken from `**kwargs` (no position).
WRAPPERS: dict[str, tuple[str, int]] = {
    "repeat": ("Repeat", 2),
    "stack": ("Stack", 1),
}

# Layers whose behaviour depends on the training phase -> position of `is_training`. Its default is
# True: without it the layer runs in training mode on every call, inference included.
TRAINING: dict[str, int] = {
    "batch_norm": 9,
    "dropout": 3,
}

# Explicitly named variables (`name` is required): created through `get_variable`, so the shim tracks them.
VARIABLES = frozenset({"variable", "model_variable"})

# Keywords of the layers above that attach a regularizer to the variables they create.
REGULARIZER_KEYWORDS = ("weights_regularizer", "biases_regularizer", "regularizer")

# `arg_scope(list_ops_or_scope, **kwargs)` supplies default arguments to the listed ops: neither a
# variable scope nor an error, but it may supply `scope=` or `is_training=` where no call shows them.
ARG_SCOPE = "arg_scope"

# Graph-collection APIs (what tf2lint.knowledge.api.COLLECTION_APIS calls them).
COLLECTIONS: dict[str, str] = {
    "get_variables": "variables",
    "get_variables_by_name": "variables",
    "get_variables_by_suffix": "variables",
    "get_variables_to_restore": "variables",
    "get_model_variables": "variables",
    "get_trainable_variables": "variables",
    "get_local_variables": "variables",
    "get_unique_variable": "variables",
    "add_model_variable": "write",
    "losses.get_losses": "losses",
    "losses.get_regularization_losses": "losses",
    "losses.get_total_loss": "losses",
    "losses.add_loss": "write",
    # Loss functions: the value they return is right, but they also add it to the LOSSES collection.
    "losses.absolute_difference": "loss",
    "losses.compute_weighted_loss": "loss",
    "losses.cosine_distance": "loss",
    "losses.hinge_loss": "loss",
    "losses.log_loss": "loss",
    "losses.mean_pairwise_squared_error": "loss",
    "losses.mean_squared_error": "loss",
    "losses.sigmoid_cross_entropy": "loss",
    "losses.softmax_cross_entropy": "loss",
    "losses.sparse_softmax_cross_entropy": "loss",
}

# Modules whose public names tf-slim re-exports at its top level (`tf_slim.conv2d` is
# `tf_slim.layers.conv2d` is `tf_slim.layers.layers.conv2d`), and the TF1 homes of the same functions.
FLAT_MODULES = (
    "tf_slim.layers.layers",
    "tf_slim.layers.normalization",
    "tf_slim.layers.initializers",
    "tf_slim.layers.regularizers",
    "tf_slim.layers",
    "tf_slim.ops.variables",
    "tf_slim.ops.arg_scope",
)
CONTRIB_MODULES = ("tensorflow.contrib.slim", "tensorflow.contrib.layers", "tensorflow.contrib.framework")
