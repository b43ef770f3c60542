"""analysis.layer_names: the name each v1 layer of a shim method takes on its first call.

Statically first (no TensorFlow), then every case is run under the real shim and the names TF gives the
variables must be exactly the predicted ones.
"""

from __future__ import annotations

import ast
import textwrap

import pytest

from tf2lint.analysis.context import ModuleContext
from tf2lint.analysis.layer_names import Unknown, first_call_names
from tf2lint.analysis.summary import ModuleSummary

HEADER = "import tensorflow as tf\nv1 = tf.compat.v1\n\n\nclass L(tf.keras.layers.Layer):\n"


def _method(body: str, init: str = "") -> str:
    init_block = ("    def __init__(self):\n        super().__init__()\n" + textwrap.indent(textwrap.dedent(init), " " * 8)
                  if init else "")
    return (HEADER + init_block + "    @v1.keras.utils.track_tf1_style_variables\n    def call(self, x):\n"
            + textwrap.indent(textwrap.dedent(body), " " * 8))


def predicted(source: str) -> list[str] | Unknown:
    tree = ast.parse(source)
    ctx = ModuleContext(ModuleSummary(tree, source, "m.py"))
    shim = next(f for f, _d, _c in ctx.shim_decorated)
    found = first_call_names(ctx, shim)
    if isinstance(found, Unknown):
        return found
    return ["/".join((*n.path, n.name)) for n in found.values()]


# source -> the full layer names (scope path and layer name), in call order
KNOWN = {
    "nested": (_method('''
        with v1.variable_scope("model"):
            x = v1.layers.dense(x, 3)
            with v1.variable_scope("inner"):
                x = v1.layers.dense(x, 3)
            x = v1.layers.dense(x, 3)
            return x
    '''), ["model/dense", "model/inner/dense", "model/dense_1"]),
    "recorded scope": (_method('''
        with v1.variable_scope("model"):
            with v1.variable_scope("dense"):
                pass
            return v1.layers.dense(x, 3)
    '''), ["model/dense_1"]),
    "explicit name then auto": (_method('''
        with v1.variable_scope("model"):
            x = v1.layers.dense(x, 3, name="dense")
            x = v1.layers.dense(x, 3)
            return v1.layers.dense(x, 3, name="dense_5")
    '''), ["model/dense", "model/dense_1", "model/dense_5"]),
    "sequential scopes restart the numbering": (_method('''
        with v1.variable_scope("a"):
            x = v1.layers.dense(x, 3)
        with v1.variable_scope("b"):
            x = v1.layers.dense(x, 3)
            return v1.layers.conv1d(x[:, :, None], 2, 1)
    '''), ["a/dense", "b/dense", "b/conv1d"]),
    "objects and functional layers": (_method('''
        with v1.variable_scope("model"):
            x = self.first(x)
            x = self.second(x)
            return v1.layers.dense(x, 3)
    ''', init='''
        self.first = v1.layers.Dense(3)
        self.second = v1.layers.Dense(3, name="fc")
    '''), ["model/dense", "model/fc", "model/dense_1"]),
}

UNKNOWN = {
    "loop": _method('''
        with v1.variable_scope("m"):
            for _ in range(2):
                x = v1.layers.dense(x, 3)
            return x
    '''),
    "dynamic scope": _method('''
        with v1.variable_scope(self.name):
            return v1.layers.dense(x, 3)
    '''),
    "same scope twice shares": _method('''
        with v1.variable_scope("a"):
            x = v1.layers.dense(x, 3)
        with v1.variable_scope("a"):
            return v1.layers.dense(x, 3)
    '''),
    "object called twice": _method('''
        with v1.variable_scope("m"):
            return self.d(self.d(x))
    ''', init="self.d = v1.layers.Dense(3)\n"),
}


@pytest.mark.parametrize("case", sorted(KNOWN))
def test_predicted_names(case: str) -> None:
    source, expected = KNOWN[case]
    assert predicted(source) == expected


@pytest.mark.parametrize("case", sorted(UNKNOWN))
def test_unknown_is_said_with_a_reason(case: str) -> None:
    found = predicted(UNKNOWN[case])
    assert isinstance(found, Unknown) and len(found.reason) > 20


def test_tfs101_fix_counts_a_recorded_scope() -> None:
    """TFS101's safe fix reads the same names: after `variable_scope("dense")`, the layer is `dense_1`."""
    from tf2lint.engine import lint_source

    source = _method('''
        with v1.variable_scope("dense"):
            pass
        return v1.layers.dense(x, 3)
    ''')
    fixes = [f.fix for f in lint_source(source, "m.py", fixes=True) if f.code == "TFS101" and f.fix]
    assert fixes and fixes[0]["applicability"] == "safe"
    assert 'name="dense_1"' in fixes[0]["edits"][0]["content"]


@pytest.mark.parametrize("case", sorted(KNOWN))
def test_names_are_what_tf_gives(case: str) -> None:
    from conftest import require_runtime

    require_runtime()
    import tensorflow as tf

    source, expected = KNOWN[case]
    namespace: dict = {"__name__": "probe"}
    exec(compile(source, "probe", "exec"), namespace)  # noqa: S102
    layer = namespace["L"]()
    layer(tf.ones((2, 4)))
    scopes = {v.name.rsplit("/", 1)[0] for v in layer.weights}
    assert scopes == set(expected)


def test_same_scope_twice_shares_under_tf() -> None:
    """Why a scope opened twice is refused: leaving it forgets its counts, so the second `dense` is the first."""
    from conftest import require_runtime

    require_runtime()
    import tensorflow as tf

    namespace: dict = {"__name__": "probe"}
    exec(compile(UNKNOWN["same scope twice shares"], "probe", "exec"), namespace)  # noqa: S102
    layer = namespace["L"]()
    layer(tf.ones((2, 3)))
    assert sorted(v.name for v in layer.weights) == ["a/dense/bias:0", "a/dense/kernel:0"]
