"""Generated shim layers for the migration proof: each one a module with one class, and what it should give.

Dimensions: the layers (dense, conv, separable and transposed conv, pooling, flatten, batch norm, dropout),
named or unnamed (mixed, with repeated bases so numbering matters), positional or keyword arguments,
regularizers and activations, arguments read from `self`, `training` forwarded, nested and sequential
`variable_scope`s, the file's aliases (`tf.compat.v1`, `v1 = tf.compat.v1`, `import tensorflow.compat.v1`);
TF-Slim layers (fully_connected, conv2d, batch_norm, dropout, max_pool2d, flatten; named and unnamed, under
`arg_scope`s, mixed with compat.v1 layers); and classes tf2lint must refuse (TF-Slim it cannot see through:
a saved `arg_scope`, `**kwargs`, `normalizer_fn`, `slim.repeat`, loops; and loops, branches, dynamic names,
helpers, `reuse=`, arguments computed in the call).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

HEADERS = {
    "tf": ("import tensorflow as tf\n", "tf.compat.v1"),
    "alias": ("import tensorflow as tf\n\nv1 = tf.compat.v1\n", "v1"),
    "compat": ("import tensorflow as tf\nimport tensorflow.compat.v1 as tf1\n", "tf1"),
}

# kind -> (family, functional call template after the inputs argument)
IMAGE = {  # "same" padding mostly, so that any sequence keeps a spatial size to work on
    "conv2d": ["4, 3", "filters=4, kernel_size=3, padding=\"same\"", "4, 3, padding=\"same\", activation=tf.nn.relu",
               "4, 3, strides=2, padding=\"same\"", "4, (3, 3), kernel_regularizer=\"l2\", padding=\"same\"",
               "self.filters, 3, use_bias=False, padding=\"same\"", "4, 3, dilation_rate=2, padding=\"same\""],
    "separable_conv2d": ["4, 3, padding=\"same\"", "4, 3, depth_multiplier=2, padding=\"same\""],
    "conv2d_transpose": ["4, 3", "4, 3, strides=2, padding=\"same\""],
    "max_pooling2d": ["2, 2, padding=\"same\"", "pool_size=2, strides=1, padding=\"same\""],
    "average_pooling2d": ["2, 2, padding=\"same\""],
    "batch_normalization": ["training=training", "momentum=0.9, training=training", "epsilon=1e-2, training=training"],
    "dropout": ["training=training", "rate=0.3, training=training"],
}
VECTOR = {
    "dense": ["4", "units=3", "5, activation=tf.nn.tanh", "self.units", "4, use_bias=False", "3, bias_initializer=tf.compat.v1.ones_initializer()",
              "4, kernel_regularizer=\"l2\", use_bias=False"],
    "batch_normalization": ["training=training", "center=False, training=training"],
    "dropout": ["training=training", "0.2, training=training"],
}


@dataclass
class Case:
    name: str  # the class
    source: str
    shape: tuple[int, ...]
    refuse: bool  # tf2lint must refuse it (and say why)
    why: str  # the dimension that makes it a refusal, or what it exercises
    # A regularized v1 layer: refused by the objects stage, migrated with --checkpoint-only (the penalty
    # counts twice as an object, measured), then proven against the original through every stage.
    checkpoint_only: bool = False


def _layer(rng: random.Random, prefix: str, kind: str, args: str, named: bool, index: int) -> str:
    args = args.replace("tf.nn.", "tf.nn.")
    name = f', name="{kind[:4]}{index}"' if named else ""
    return f"{prefix}.layers.{kind}(x, {args}{name})" if args else f"{prefix}.layers.{kind}(x{name})"


def _class(name: str, header: str, prefix: str, body: list[str], init: list[str] | None = None) -> str:
    lines = [header, "", "", f"class {name}(tf.keras.layers.Layer):"]
    if init is not None:
        lines += ["    def __init__(self, **kwargs):", "        super().__init__(**kwargs)"]
        lines += [f"        {line}" for line in init]
        lines.append("")
    lines += [f"    @{prefix}.keras.utils.track_tf1_style_variables", "    def call(self, x, training=None):"]
    lines += [f"        {line}" for line in body]
    return "\n".join(lines) + "\n"


def _v1_case(rng: random.Random, index: int) -> Case:
    header, prefix = HEADERS[rng.choice(sorted(HEADERS))]
    image = rng.random() < 0.5
    table = IMAGE if image else VECTOR
    count = rng.randint(2, 5)
    kinds = [rng.choice(sorted(table)) for _ in range(count)]
    if rng.random() < 0.5:
        kinds.insert(rng.randint(0, len(kinds)), kinds[0])  # a repeated base: `conv2d`, `conv2d_1`
    statements = []
    for position, kind in enumerate(kinds):
        named = rng.random() < 0.3
        statements.append(f"x = {_layer(rng, prefix, kind, rng.choice(table[kind]), named, position)}")
    if image:
        statements.append(f"x = {prefix}.layers.flatten(x)")
        if rng.random() < 0.5:
            statements.append(f"x = {prefix}.layers.dense(x, 3)")
    # Scopes: always a named outer one; sometimes a nested or a second sequential one around a slice.
    shape = rng.choice(["outer", "nested", "sequential"])
    body: list[str] = []
    if shape == "outer":
        body = [f'with {prefix}.variable_scope("model"):'] + [f"    {s}" for s in statements]
    elif shape == "nested":
        cut = rng.randint(1, len(statements) - 1)
        body = [f'with {prefix}.variable_scope("model"):'] + [f"    {s}" for s in statements[:cut]]
        body += [f'    with {prefix}.variable_scope("block"):  # nested'] + [f"        {s}" for s in statements[cut:]]
    else:
        cut = rng.randint(1, len(statements) - 1)
        body = [f'with {prefix}.variable_scope("a"):'] + [f"    {s}" for s in statements[:cut]]
        body += [f'with {prefix}.variable_scope("b"):'] + [f"    {s}" for s in statements[cut:]]
    body.append("return x")
    init = ["self.units = 4", "self.filters = 3"]
    shape_in = (2, 20, 20, 3) if image else (4, 6)
    source = _class(f"Generated{index}", header, prefix, body, init)
    regularized = "_regularizer" in source
    return Case(f"Generated{index}", source, shape_in, False,
                f"{shape} scopes, {'image' if image else 'vector'}" + (", regularizer" if regularized else ""),
                checkpoint_only=regularized)


INITIALIZERS = ["", ", initializer=tf.compat.v1.initializers.glorot_normal", ", initializer=tf.compat.v1.zeros_initializer()",
                ", initializer=tf.compat.v1.constant_initializer(0.5)", ", initializer=tf.compat.v1.random_normal_initializer()"]


def _weights_case(rng: random.Random, index: int) -> Case:
    """`get_variable`s (the weights stage), alone or followed by layers; a layer before one is refused there."""
    header, prefix = HEADERS[rng.choice(sorted(HEADERS))]
    kernel = (f'kernel = {prefix}.get_variable("kernel", [x.shape[-1], self.units]{rng.choice(INITIALIZERS)}'
              + (", regularizer=tf.keras.regularizers.L2()" if rng.random() < 0.3 else "") + ")")
    bias = f'bias = {prefix}.get_variable(name="bias", shape=[self.units]{rng.choice(INITIALIZERS)})'
    frozen = f'scale = {prefix}.get_variable("scale", shape=[], trainable=False, initializer=tf.compat.v1.ones_initializer())'
    statements = [kernel, bias] + ([frozen] if rng.random() < 0.3 else []) + ["x = tf.matmul(x, kernel) + bias"]
    if "scale" in statements[-2]:
        statements.append("x = x * scale")
    layer_first = rng.random() < 0.2
    if layer_first:
        statements.insert(0, f"x = {prefix}.layers.dense(x, 5)")
    elif rng.random() < 0.5:
        statements.append(f"x = {prefix}.layers.dense(x, 3)")
    body = [f'with {prefix}.variable_scope("{rng.choice(["dense", "proj", "model"])}"):'] + [f"    {s}" for s in statements]
    if rng.random() < 0.4:
        body = [f'with {prefix}.variable_scope("outer"):'] + [f"    {line}" for line in body]
    body.append("return x")
    name = f"Weights{index}"
    source = _class(name, header, prefix, body, ["self.units = 4"])
    return Case(name, source, (4, 6), layer_first, "layer before get_variable" if layer_first else "get_variable")


SLIM_HEADER = "import tensorflow as tf\nimport tf_slim as slim\n"

# TF-Slim layer -> argument templates after the inputs argument (the translation tables' interesting cases:
# defaults that differ, keep_prob, l2 scales, `biases_initializer=None`, positional arguments, `self`).
SLIM_IMAGE = {
    "conv2d": ["4, [3, 3]", "4, 3, stride=2", "4, 3, padding=\"VALID\"", "4, [3, 3], activation_fn=None",
               "4, 3, rate=2", "4, 3, biases_initializer=None", "4, 3, weights_regularizer=slim.l2_regularizer(0.01)",
               "self.filters, [3, 3]", "num_outputs=4, kernel_size=3, activation_fn=tf.nn.tanh"],
    "batch_norm": ["is_training=training", "scale=True, is_training=training", "decay=0.9, is_training=training",
                   "center=False, is_training=training", "epsilon=1e-2, is_training=training", "",
                   "fused=False, is_training=training"],
    "dropout": ["0.8, is_training=training", "keep_prob=0.6, is_training=training", "is_training=training"],
    "max_pool2d": ["[2, 2]", "2, stride=1, padding=\"SAME\""],
}
SLIM_VECTOR = {
    "fully_connected": ["3", "5, activation_fn=tf.nn.tanh", "4, activation_fn=None", "self.units",
                        "3, weights_regularizer=slim.l2_regularizer(0.05)", "4, biases_initializer=None"],
    "batch_norm": ["fused=False, is_training=training", "scale=True, fused=False, is_training=training",
                   "decay=0.99, fused=False, is_training=training", "is_training=training"],
    "dropout": ["0.7, is_training=training", "is_training=training"],
}
SLIM_ARG_SCOPES = [
    "[slim.conv2d, slim.fully_connected], activation_fn=tf.nn.relu",
    "[slim.conv2d, slim.fully_connected], weights_regularizer=slim.l2_regularizer(0.02)",
    "[slim.conv2d], padding=\"VALID\", activation_fn=None",
    "[slim.batch_norm, slim.dropout], is_training=training",
    "[slim.fully_connected], activation_fn=None",
]
# What tf2lint must refuse in TF-Slim code, each with a reason a user can act on.
SLIM_REFUSALS = {
    "saved arg_scope": ["with slim.arg_scope(self.scope):", "    x = slim.fully_connected(x, 3)"],
    "arg_scope **kwargs": ["with slim.arg_scope([slim.fully_connected], **self.options):",
                           "    x = slim.fully_connected(x, 3)"],
    "normalizer_fn": ["x = slim.fully_connected(x, 3, normalizer_fn=slim.batch_norm)"],
    "slim.repeat": ["x = slim.repeat(x, 2, slim.fully_connected, 3)"],
    "slim in a loop": ["for _ in range(2):", "    x = slim.fully_connected(x, 3)"],
    "computed argument": ["x = slim.fully_connected(x, x.shape[-1])"],
}


def _slim_layer(kind: str, args: str, named: bool, index: int) -> str:
    scope = f'scope="{kind[:4]}{index}"' if named else ""
    joined = ", ".join(part for part in (args, scope) if part)
    return f"slim.{kind}(x, {joined})" if joined else f"slim.{kind}(x)"


def _spatial(args: str, kind: str, size: int) -> int:
    """The image size after a Slim layer with ``args`` on a ``size`` x ``size`` image."""
    if kind == "conv2d":
        size = size - 2 if "VALID" in args else size
        return (size + 1) // 2 if "stride=2" in args else size
    if kind == "max_pool2d":
        return size if "stride=1" in args else size // 2
    return size


def _slim_case(rng: random.Random, index: int) -> Case:
    """TF-Slim layers under a named scope: named and unnamed (repeated bases), under `arg_scope`s (nested
    sometimes), mixed with compat.v1 layers sometimes; or one of the Slim refusals."""
    name = f"Slim{index}"
    if rng.random() < 0.15:
        kind = sorted(SLIM_REFUSALS)[index % len(SLIM_REFUSALS)]
        body = ['with tf.compat.v1.variable_scope("model"):'] + [f"    {s}" for s in SLIM_REFUSALS[kind]] + ["return x"]
        init = ["self.scope = {}", "self.options = {}"]
        return Case(name, _class(name, SLIM_HEADER, "tf.compat.v1", body, init), (4, 6), True, kind)
    image = rng.random() < 0.5
    table = SLIM_IMAGE if image else SLIM_VECTOR
    kinds = [rng.choice(sorted(table)) for _ in range(rng.randint(2, 4))]
    if rng.random() < 0.5:
        kinds.insert(rng.randint(0, len(kinds)), kinds[0])  # a repeated base: `Conv`, `Conv_1`
    statements, size = [], 16
    for position, kind in enumerate(kinds):  # only what keeps a 3 x 3 image to work on
        args = rng.choice([a for a in table[kind] if not image or _spatial(a, kind, size) >= 3] or [""])
        size = _spatial(args, kind, size) if image else size
        statements.append(f"x = {_slim_layer(kind, args, rng.random() < 0.3, position)}")
    if image:
        statements.append("x = slim.flatten(x)")
        statements.append(f"x = {_slim_layer('fully_connected', rng.choice(SLIM_VECTOR['fully_connected']), False, 9)}")
    mixed = rng.random() < 0.3
    if mixed:  # compat.v1 layers among them: the objects stage waits for the Slim layers to go native
        v1 = "tf.compat.v1.layers.dense(x, 4)" if not image else "tf.compat.v1.layers.conv2d(x, 3, 3, padding=\"same\")"
        statements.insert(rng.randint(0, len(statements) - (2 if image else 0)), f"x = {v1}")
    scoped = rng.random() < 0.5
    if scoped:
        outer = f"with slim.arg_scope({rng.choice(SLIM_ARG_SCOPES)}):"
        cut = rng.randint(0, len(statements) - 1)
        body = statements[:cut] + [outer] + [f"    {s}" for s in statements[cut:]]
        if rng.random() < 0.3:  # a nested arg_scope overrides the outer one
            body.append(f"    with slim.arg_scope({rng.choice(SLIM_ARG_SCOPES)}):")
            body.append(f"        x = {_slim_layer('fully_connected', '3', False, 8)}")
    else:
        body = statements
    body = ['with tf.compat.v1.variable_scope("model"):'] + [f"    {line}" for line in body] + ["return x"]
    init = ["self.units = 4", "self.filters = 3"]
    why = ", ".join(filter(None, ["image" if image else "vector", "arg_scope" if scoped else "",
                                  "mixed with compat.v1" if mixed else ""]))
    # Slim's fused batch norm computes what Keras' does on 4-D inputs only: on the method's own input (rank
    # unknown) or a vector it is refused, unless it passes `fused=False`.
    fused = [s for s in statements if "slim.batch_norm(" in s and "fused=False" not in s]
    producers = ("slim.conv2d(", "slim.max_pool2d(", "layers.conv2d(")  # 4-D outputs
    unknown_rank = fused and not any(p in s for s in statements[: statements.index(fused[0])] for p in producers)
    return Case(name, _class(name, SLIM_HEADER, "tf.compat.v1", body, init), (2, 16, 16, 3) if image else (4, 6),
                bool(unknown_rank), "slim batch_norm fused on a vector or the input" if unknown_rank else f"slim: {why}")


REFUSALS = {
    "loop": ['with v1.variable_scope("model"):', "    for _ in range(2):", "        x = v1.layers.dense(x, 4)"],
    "branch": ['with v1.variable_scope("model"):', "    if training:", "        x = v1.layers.dense(x, 4)",
               "    x = v1.layers.dense(x, 4)"],
    "dynamic name": ['with v1.variable_scope("model"):', '    x = v1.layers.dense(x, 4, name="fc" + str(1))'],
    "computed argument": ['with v1.variable_scope("model"):', "    x = v1.layers.dense(x, x.shape[-1])"],
    "reuse": ['with v1.variable_scope("model"):', '    x = v1.layers.dense(x, 6, name="fc", reuse=True)'],
    "dynamic scope": ["with v1.variable_scope(self.name):", "    x = v1.layers.dense(x, 4)"],
    "unscoped unnamed": ["x = v1.layers.dense(x, 4)"],
    "helper": ['with v1.variable_scope("model"):', "    x = block(x)"],
}


def _refusal_case(rng: random.Random, index: int, kind: str) -> Case:
    header, prefix = HEADERS["alias"]
    body = [*REFUSALS[kind], "return x"]
    source = _class(f"Refused{index}", header, prefix, body)
    if kind == "helper":
        source = source.replace("\n\nclass", "\n\ndef block(x):\n    return v1.layers.dense(x, 4)\n\n\nclass", 1)
    return Case(f"Refused{index}", source, (4, 6), True, kind)


def generate(count: int, seed: int) -> list[Case]:
    """``count`` cases: about 47 % v1 layer classes, 15 % `get_variable` classes, 25 % TF-Slim (some of them
    refusals), 13 % other refusals."""
    rng = random.Random(seed)
    cases = []
    kinds = sorted(REFUSALS)
    for index in range(count):
        roll = rng.random()
        if roll < 0.47:
            cases.append(_v1_case(rng, index))
        elif roll < 0.62:
            cases.append(_weights_case(rng, index))
        elif roll < 0.87:
            cases.append(_slim_case(rng, index))
        else:
            cases.append(_refusal_case(rng, index, kinds[index % len(kinds)]))
    return cases
