"""Probes under TF 2.21 + tf-keras 2.21 for what the walk encodes about callers and callable values, each
paired with what tf2lint says about the same source: sub-layers under their callers' scopes, inline
sub-layers, constant guards, builders passed by keyword or through a partial."""

from __future__ import annotations

import pytest
from conftest import require_runtime

require_runtime()
import tensorflow as tf  # noqa: E402

from tf2lint import runtime  # noqa: E402
from tf2lint.engine import lint_source  # noqa: E402

HEAD = """\
import functools

import tensorflow as tf

v1 = tf.compat.v1
track = v1.keras.utils.track_tf1_style_variables


class Block(tf.keras.layers.Layer):
    @track
    def call(self, h):
        h = v1.layers.dense(h, 5)
        with v1.variable_scope(None, default_name="gate"):
            g = v1.get_variable("g", shape=[5])
        return h * g


class Tower(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.block = Block()

    @track
    def call(self, h):
{body}
"""


@pytest.fixture(autouse=True)
def fresh_naming_state():
    runtime.reset()
    yield
    runtime.reset()


def run(source: str) -> dict:
    namespace: dict = {"__name__": "probe"}
    exec(compile(source, "<probe>", "exec"), namespace)  # noqa: S102 - our own probe
    return namespace


def lint(source: str) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in lint_source(source, "probe.py")]


def codes(layer, *inputs, **kwargs) -> set[str]:
    return {f.code for f in runtime.check(layer, *inputs, **kwargs)}


@pytest.mark.parametrize(
    ("body", "grows"),
    [
        ('        with v1.variable_scope("tower"):\n            return self.block(h)', False),
        ("        return self.block(h)", True),
        # Two call sites, one outside any named scope: that one grows.
        ('        with v1.variable_scope("tower"):\n            h = self.block(h)\n        return self.block(h)', True),
    ],
    ids=["named-scope", "no-scope", "one-caller-unscoped"],
)
def test_a_decorated_sub_layer_runs_under_its_callers_scopes(body: str, grows: bool) -> None:
    source = HEAD.format(body=body)
    found = codes(run(source)["Tower"](), tf.ones((2, 5)))
    assert bool(found & {"TFS101", "TFS102"}) is grows, found
    assert bool(lint(source)) is grows


def test_a_sub_layer_also_used_on_its_own_grows_there() -> None:
    source = HEAD.format(body='        with v1.variable_scope("tower"):\n            return self.block(h)') + (
        "\n\ndef standalone(h):\n    return Block()(h)\n")
    namespace = run(source)
    assert codes(namespace["Tower"](), tf.ones((2, 5))) == set()
    assert codes(namespace["Block"](), tf.ones((2, 5))) & {"TFS101", "TFS102"}  # alone: no scope around it
    assert {code for _line, code in lint(source)} == {"TFS101", "TFS102"}


INLINE = """\
import tensorflow as tf

v1 = tf.compat.v1


class Adapter(tf.keras.layers.Layer):
{decorator}    def call(self, x):
        w = v1.get_variable("w", shape=[x.shape[-1], 2])
        return tf.matmul(x, w)


class Host(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("host"):
            return Adapter()(x)
"""


@pytest.mark.parametrize("decorated", [False, True])
def test_an_inline_sub_layer_runs_in_the_callers_store_unless_decorated(decorated: bool) -> None:
    source = INLINE.format(decorator="    @v1.keras.utils.track_tf1_style_variables\n" if decorated else "")
    host = run(source)["Host"]()
    found = codes(host, tf.ones((3, 4)))
    if decorated:
        assert found and len(host.weights) == 0  # its own store, new with every object: untracked
        assert lint(source) == [(17, "TFS106")]
    else:
        assert found == set() and len(host.weights) == 1
        assert lint(source) == []


GUARD = """\
import tensorflow as tf

v1 = tf.compat.v1


def dense(x, wd=True):
    out = v1.layers.dense(x, 3, name="fc")
    if wd:
        v1.add_to_collection("losses", tf.nn.l2_loss(out))
    return out


class Regressor(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return dense(x{argument})
"""


@pytest.mark.parametrize(("argument", "written"), [(", wd=False", False), ("", True), (", wd=True", True)])
def test_a_constant_argument_decides_the_guard(argument: str, written: bool) -> None:
    source = GUARD.format(argument=argument)
    before = len(tf.compat.v1.get_collection("losses"))
    layer = run(source)["Regressor"]()
    layer(tf.ones((2, 4)))
    assert (len(tf.compat.v1.get_collection("losses")) > before) is written
    assert lint(source) == ([(9, "TFS112")] if written else [])


BUILDER = """\
import functools

import tensorflow as tf

utils = tf.compat.v1.keras.utils


class Model(tf.keras.layers.Layer):
    def build_sized(self, units):
        return tf.keras.layers.Dense(units)

    @utils.track_tf1_style_variables
    def call(self, x):
        return utils.get_or_create_layer("head", {builder})(x)
"""


@pytest.mark.parametrize(
    ("builder", "raises"),
    [("create_layer_method=self.build_sized", True), ("functools.partial(self.build_sized)", True),
     ("create_layer_method=functools.partial(self.build_sized, 3)", False),
     ("functools.partial(self.build_sized, units=3)", False)],
)
def test_a_builder_by_keyword_or_through_a_partial(builder: str, raises: bool) -> None:
    source = BUILDER.format(builder=builder)
    layer = run(source)["Model"]()
    if raises:
        with pytest.raises(TypeError, match="missing 1 required positional argument: 'units'"):
            layer(tf.ones((2, 4)))
        assert lint(source) == [(14, "TFS109")]
    else:
        layer(tf.ones((2, 4)))
        assert len(layer.weights) == 2
        assert lint(source) == []


def test_nested_decorated_sub_layers_each_run_under_their_callers_scopes() -> None:
    source = """\
import tensorflow as tf

v1 = tf.compat.v1
track = v1.keras.utils.track_tf1_style_variables


class Leaf(tf.keras.layers.Layer):
    @track
    def call(self, h):
        return v1.layers.dense(h, 5)


class Branch(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.leaf = Leaf()

    @track
    def call(self, h):
        return self.leaf(h)


class Root(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.branch = Branch()

    @track
    def call(self, h):
        with v1.variable_scope("root"):
            return self.branch(h)
"""
    assert codes(run(source)["Root"](), tf.ones((2, 5))) == set()
    assert lint(source) == []


def test_a_builder_in_a_branch_a_constant_argument_rules_out_never_runs() -> None:
    source = """\
import tensorflow as tf

utils = tf.compat.v1.keras.utils


class Model(tf.Module):
    @utils.track_tf1_style_variables
    def __call__(self, x):
        return self._block(x, wd=False)

    @utils.track_tf1_style_variables
    def _block(self, x, wd=True):
        if wd:
            x = utils.get_or_create_layer("head", self._build)(x)
        return x

    def _build(self, units):
        return tf.keras.layers.Dense(units)
"""
    model = run(source)["Model"]()
    model(tf.ones((2, 4)))  # no TypeError: the builder never runs
    assert lint(source) == []
    assert lint(source.replace("wd=False", "wd=True")) == [(14, "TFS109")]
