"""Name resolution: every import form reaches the same canonical names."""

from __future__ import annotations

import ast
import textwrap

import pytest
from conftest import codes_at

from tf2lint.analysis.names import Names, canonical

SHIM_BODY = """
class L(Base):
    @{deco}
    def call(self, x):
        return {dense}(x, 3)
"""

IMPORT_FORMS = [
    ("import tensorflow as tf\nBase = tf.keras.layers.Layer",
     "tf.compat.v1.keras.utils.track_tf1_style_variables", "tf.compat.v1.layers.dense"),
    ("import tensorflow.compat.v1 as tf\nBase = tf.keras.layers.Layer",
     "tf.keras.utils.track_tf1_style_variables", "tf.layers.dense"),
    ("import tensorflow\nBase = object",
     "tensorflow.compat.v1.keras.utils.track_tf1_style_variables", "tensorflow.compat.v1.layers.dense"),
    ("from tensorflow.compat import v1\nBase = object",
     "v1.keras.utils.track_tf1_style_variables", "v1.layers.dense"),
    ("from tensorflow.compat.v1 import layers as L\nfrom tensorflow.compat.v1.keras.utils import "
     "track_tf1_style_variables as track\nBase = object", "track", "L.dense"),
    ("import tensorflow as tf\nv1 = tf.compat.v1\nshim = v1.keras.utils.track_tf1_style_variables\n"
     "dense = v1.layers.dense\nBase = object", "shim", "dense"),
    ("import tf_keras\nfrom tf_keras.api._v1.keras.utils import track_tf1_style_variables\n"
     "from tf_keras.api._v1.keras.__internal__.legacy import layers\nBase = object",
     "track_tf1_style_variables", "layers.dense"),
    ("from tf2lint import shim\nBase = shim.Layer", "shim.track_tf1_style_variables", "shim.layers.dense"),
    ("from tensorflow.compat.v1.layers import *\nfrom tensorflow.compat.v1.keras.utils import "
     "track_tf1_style_variables\nBase = object", "track_tf1_style_variables", "dense"),
    ("try:\n    import tensorflow.compat.v1 as tf\nexcept ImportError:\n    import tensorflow as tf\n"
     "Base = object", "tf.keras.utils.track_tf1_style_variables", "tf.layers.dense"),
    ("try:\n    from tensorflow.compat.v1.keras.utils import track_tf1_style_variables as track\n"
     "except ImportError:\n    from tf2lint.shim import track_tf1_style_variables as track\n"
     "import tensorflow.compat.v1 as v1\nBase = object", "track", "v1.layers.dense"),
    # tf-keras' wheel internals and source-tree paths, and Keras 2's (2.13+ under `keras.src`, before under `keras`).
    ("from tf_keras.src.legacy_tf_layers import core\nfrom tf_keras.src.legacy_tf_layers.variable_scope_shim import "
     "track_tf1_style_variables\nfrom tf_keras.src.engine.base_layer import Layer as Base",
     "track_tf1_style_variables", "core.dense"),
    ("import tf_keras.legacy_tf_layers.core as core\nimport tf_keras.legacy_tf_layers.variable_scope_shim as vs\n"
     "from tf_keras.engine import base_layer\nBase = base_layer.Layer", "vs.track_tf1_style_variables", "core.dense"),
    ("from keras.src.legacy_tf_layers import core, variable_scope_shim\nfrom keras.src.engine.base_layer import "
     "Layer as Base", "variable_scope_shim.track_tf1_style_variables", "core.dense"),
    ("from keras.legacy_tf_layers import core\nfrom keras.legacy_tf_layers.variable_scope_shim import "
     "track_tf1_style_variables as track\nfrom keras.engine.base_layer import Layer as Base", "track", "core.dense"),
]

# Every TF-Slim spelling: `{dense}(x, 3)` is `slim.fully_connected(x, 3)`, auto-named `fully_connected`.
SLIM_FORMS = [
    ("import tf_slim as slim", "slim.fully_connected"),
    ("from tf_slim import layers", "layers.fully_connected"),
    ("import tf_slim", "tf_slim.layers.fully_connected"),
    ("import tf_slim", "tf_slim.fully_connected"),
    ("from tf_slim import fully_connected", "fully_connected"),
    ("from tf_slim.layers import layers as slim_layers", "slim_layers.fully_connected"),
    ("import tf_slim.layers.layers as slim_layers", "slim_layers.fully_connected"),
    ("", "tf.contrib.slim.fully_connected"),
    ("slim = tf.contrib.slim", "slim.fully_connected"),
    ("from tensorflow.contrib import slim", "slim.fully_connected"),
    ("import tensorflow.contrib.slim as slim", "slim.fully_connected"),
    ("", "tf.contrib.layers.fully_connected"),
    ("from tensorflow.contrib import layers", "layers.fully_connected"),
]
IMPORT_FORMS += [
    (f"import tensorflow as tf\n{imports}\nBase = tf.keras.layers.Layer",
     "tf.compat.v1.keras.utils.track_tf1_style_variables", dense)
    for imports, dense in SLIM_FORMS
]


@pytest.mark.parametrize(("imports", "deco", "dense"), IMPORT_FORMS, ids=range(len(IMPORT_FORMS)))
def test_import_form_reaches_the_rule(imports: str, deco: str, dense: str) -> None:
    source = imports + "\n" + SHIM_BODY.format(deco=deco, dense=dense)
    line = source.splitlines().index(f"        return {dense}(x, 3)") + 1
    assert codes_at(source) == [(line, "TFS101")]


def test_keras3_is_not_tf_keras() -> None:
    names = Names(ast.parse("import keras\nfrom tensorflow import keras as tfk\n"))
    assert names.resolve(ast.parse("keras.layers.Dense", mode="eval").body) == ("keras.layers.Dense",)
    assert names.resolve(ast.parse("tfk.layers.Dense", mode="eval").body) == ("tf.keras.layers.Dense",)


def test_try_except_alternatives_count_in_source_order() -> None:
    source = textwrap.dedent("""
        try:
            import tf_keras as K
        except ImportError:
            import keras as K
    """)
    names = Names(ast.parse(source))
    assert names.resolve(ast.parse("K.layers.Dense", mode="eval").body) == ("tf.keras.layers.Dense", "keras.layers.Dense")


def test_rebinding_an_alias_to_its_own_attribute() -> None:
    names = Names(ast.parse("import tensorflow as tf\ntf = tf.compat.v1\n"))
    assert names.resolve(ast.parse("tf.layers.dense", mode="eval").body) == ("tf.compat.v1.layers.dense",)
    assert names.resolve(ast.parse("tf.get_variable", mode="eval").body) == ("tf.compat.v1.get_variable",)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("tensorflow.compat.v1.keras.utils.track_tf1_style_variables", "tf.compat.v1.keras.utils.track_tf1_style_variables"),
        ("tensorflow.compat.v1.keras.layers.Dense", "tf.keras.layers.Dense"),
        ("tensorflow.compat.v1.Variable", "tf.Variable"),
        ("tensorflow.variable_scope", "tf.compat.v1.variable_scope"),
        ("tensorflow.compat.v2.function", "tf.function"),
        ("tf_keras.layers.Dense", "tf.keras.layers.Dense"),
        ("tf_keras.src.legacy_tf_layers.core.dense", "tf.compat.v1.layers.dense"),
        ("tf2lint.shim.make_template", "tf.compat.v1.make_template"),
        ("keras.layers.Layer", "keras.layers.Layer"),
        ("tensorflow.losses.get_regularization_loss", "tf.compat.v1.losses.get_regularization_loss"),
        ("tensorflow_addons.layers.Dense", "tensorflow_addons.layers.Dense"),
    ],
)
def test_canonical(path: str, expected: str) -> None:
    assert canonical(path) == expected


def test_local_names_shadow_imports() -> None:
    source = """
        import tensorflow.compat.v1 as tf
        from tensorflow.compat.v1 import layers


        class L(tf.keras.layers.Layer):
            @tf.keras.utils.track_tf1_style_variables
            def call(self, x, layers=None):
                return layers.dense(x, 3)

            @tf.keras.utils.track_tf1_style_variables
            def other(self, x):
                tf = MyFakeModule()
                return tf.layers.dense(x, 3)
    """
    assert codes_at(source) == []


def test_function_level_import_is_seen() -> None:
    source = """
        import tensorflow as tf


        class L(tf.keras.layers.Layer):
            @tf.compat.v1.keras.utils.track_tf1_style_variables
            def call(self, x):
                import tensorflow.compat.v1 as tf1
                return tf1.layers.dense(x, 3)
    """
    assert codes_at(source) == [(9, "TFS101")]


def test_non_tensorflow_lookalikes_are_ignored() -> None:
    source = """
        import mylib as tf
        from tensorflow.compat.v1.keras.utils import track_tf1_style_variables


        class L(object):
            @track_tf1_style_variables
            def call(self, x):
                return tf.compat.v1.layers.dense(x, 3)
    """
    assert codes_at(source) == [(7, "TFS108")]  # no TFS101: `tf` here is not TensorFlow


ARG_SCOPE_MODULE = """
import tensorflow as tf
import tf_slim as slim

saved_scope = {{}}
defaults = {{}}


def head(x):
    return slim.conv2d(x, 8, [3, 3])


class L(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x, training=None):
        {with_line}
            return slim.dropout(head(x))
"""


@pytest.mark.parametrize(
    ("with_line", "reported"),
    [
        ("with slim.arg_scope([slim.conv2d], padding='SAME'), slim.arg_scope([slim.dropout], keep_prob=0.9):",
         [(10, "TFS101"), (17, "TFS111")]),
        ("with slim.arg_scope([slim.conv2d, slim.dropout], scope='c', is_training=training):", []),
        ("with slim.arg_scope(saved_scope):", []),
        ("with slim.arg_scope([slim.conv2d, slim.dropout], **defaults):", []),
    ],
)
def test_arg_scope_may_supply_arguments(with_line: str, reported: list) -> None:
    """An arg_scope on the call path that may supply `scope=` / `is_training=` (or anything unseen) silences;
    one that visibly supplies neither does not."""
    assert codes_at(ARG_SCOPE_MODULE.format(with_line=with_line)) == reported


@pytest.mark.parametrize(("test", "expected"), [
    ("wd", True), ("not wd", False), ("wd is True", True), ("mode == 'train'", True), ("mode != 'train'", False),
    ("i != n - 1", True), ("i + 1 < n", True), ("n * 2 >= 5", False), ("-i == 0", True),
    ("i is 1", None),  # `is` against anything but None, True or False is not decided (1 == True)
    ("unknown == 1", None), ("i < mode", None), ("n ** 2 > 3", None),
])
def test_decided_branch_reads_literals_parameters_and_small_arithmetic(test: str, expected: bool | None) -> None:
    from tf2lint.analysis.values import decided_branch

    bindings = {"wd": ("const", True), "mode": ("str", "train"), "i": ("const", 0), "n": ("const", 2)}
    assert decided_branch(ast.parse(test, mode="eval").body, bindings) is expected
