"""TFS117 under the real shim: for the classes it reports, removing the decorator changes nothing.

Each case is one class written once, built twice from the same source (with and without the shim
decorator) under the same seed, and called twice on the same input. Compared: the variables (names,
shapes, values), what is trainable, the outputs of both calls, the regularization losses and the
object-based checkpoint keys. Cases where the two differ are the ones TFS117 must stay silent on; the
linter's verdict on each case's source is checked here too, so the rule and the runtime cannot drift.
"""

from __future__ import annotations

import textwrap
import types

import pytest
from conftest import require_runtime

from tf2lint.engine import Settings, lint_source
from tf2lint.rules import BY_CODE

require_runtime()
import tensorflow as tf  # noqa: E402

from tf2lint import runtime  # noqa: E402

_PRELUDE = """\
import tensorflow as tf
track = tf.compat.v1.keras.utils.track_tf1_style_variables
"""

# name -> (source with `@track` on the method under test, what removing it does, whether TFS117 reports it)
CASES: dict[str, tuple[str, str, bool]] = {
    "native_sub_layers": ("""
class Model(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.fc1 = tf.keras.layers.Dense(3, kernel_regularizer="l2")
        self.fc2 = tf.keras.layers.Dense(2)

    @track
    def call(self, inputs):
        return self.fc2(tf.nn.relu(self.fc1(inputs)))
""", "same", True),
    "native_sub_layers_in_a_scope": ("""
class Model(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.fc = tf.keras.layers.Dense(3, kernel_regularizer="l2")

    @track
    def call(self, inputs):
        with tf.compat.v1.variable_scope("model"):
            return self.fc(inputs)
""", "same", True),
    "add_weight_in_build": ("""
class Model(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight("w", shape=(input_shape[-1], 3), regularizer="l2")

    @track
    def call(self, inputs):
        return tf.matmul(inputs, self.w)
""", "same", True),
    "pure_math": ("""
class Model(tf.keras.layers.Layer):
    @track
    def call(self, inputs):
        return tf.nn.relu(inputs) * 2.0
""", "same", True),
    "module_with_variable": ("""
class Model(tf.Module):
    def __init__(self):
        super().__init__()
        self.w = tf.Variable(tf.ones((4, 3)), name="w")

    @track
    def __call__(self, inputs):
        return tf.matmul(inputs, self.w)
""", "same", True),
    # Excluded from TFS117: the decorator still matters, or the code is broken either way.
    # Removing the decorator changes nothing here, but the layer is broken either way (a new, untracked
    # Dense on every call: TFS106 says so); "the decorator can go" would be the wrong advice.
    "native_layer_built_in_call": ("""
class Model(tf.keras.layers.Layer):
    @track
    def call(self, inputs):
        return tf.keras.layers.Dense(3)(inputs)
""", "same", False),
    "get_or_create_layer": ("""
class Model(tf.keras.layers.Layer):
    @track
    def call(self, inputs):
        fc = tf.compat.v1.keras.utils.get_or_create_layer("fc", lambda: tf.keras.layers.Dense(3))
        return fc(inputs)
""", "differs", False),
    # A shimmed sub-layer called from a decorated method: its variables are its own either way.
    "shimmed_sub_layer": ("""
class Inner(tf.keras.layers.Layer):
    @track
    def call(self, inputs):
        with tf.compat.v1.variable_scope("inner"):
            w = tf.compat.v1.get_variable("w", shape=(4, 3))
        return tf.matmul(inputs, w)


class Model(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.inner = Inner()

    @track
    def call(self, inputs):
        return self.inner(inputs)
""", "same", True),
    # The same with tf.Modules, the sub-module called twice (in a loop) and auto-naming its v1 layer object.
    "shimmed_sub_module_in_a_loop": ("""
class Inner(tf.Module):
    def __init__(self):
        super().__init__()
        self.v = tf.Variable(tf.ones((4, 4)), name="v")

    @track
    def __call__(self, inputs):
        with tf.compat.v1.variable_scope("inner"):
            fc = tf.compat.v1.layers.Dense(4)
            return tf.matmul(fc(inputs), self.v)


class Model(tf.Module):
    def __init__(self):
        super().__init__()
        self.inner = Inner()

    @track
    def __call__(self, inputs):
        for _step in range(2):
            inputs = self.inner(inputs)
        return inputs
""", "same", True),
    # A v1 layer object kept on `self`: Keras tracks it, and removing the decorator changes nothing measured
    # here, but it is still TF1-style code (v1 layer names, a v1 variable scope inside): not "native".
    "v1_layer_object": ("""
class Model(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.fc = tf.compat.v1.layers.Dense(3)

    @track
    def call(self, inputs):
        return self.fc(inputs)
""", "same", False),
    # The model-mapping guide's `FixedScalingLayer` (TFS117's bad example `LazyScale`, measured by
    # `test_bad_examples_are_the_same_without_the_decorator`): made on the first call only, under a guard that sets
    # the attribute it tests, and kept on `self`; here inside a variable scope, in a helper, in a tf.Module.
    "variable_made_once_in_a_scope": ("""
class Model(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.var = None

    @track
    def call(self, inputs):
        with tf.compat.v1.variable_scope("blk"):
            if self.var is None:
                self.var = tf.Variable(tf.ones((4, 3)))
            return tf.matmul(inputs, self.var)
""", "same", True),
    "variable_made_once_in_a_helper": ("""
class Model(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.var = None

    @track
    def call(self, inputs):
        return self._block(inputs)

    def _block(self, inputs):
        if self.var is None:
            self.var = tf.Variable(tf.ones((4, 3)))
        return tf.matmul(inputs, self.var)
""", "same", True),
    "module_variable_made_once_in_call": ("""
class Model(tf.Module):
    def __init__(self):
        super().__init__()
        self.var = None

    @track
    def __call__(self, inputs):
        if self.var is None:
            self.var = tf.Variable(tf.ones((4, 3)), name="var")
        return tf.matmul(inputs, self.var)
""", "same", True),
    # The same with a Keras layer: the decorator does nothing either, but what `self.fc` holds is set in `call`,
    # where the analysis does not type attributes: calling it is unknown, so TFS117 stays silent.
    "layer_made_once_in_call": ("""
class Model(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.fc = None

    @track
    def call(self, inputs):
        if self.fc is None:
            self.fc = tf.keras.layers.Dense(3, kernel_regularizer="l2")
        return self.fc(inputs)
""", "same", False),
    "get_variable": ("""
class Model(tf.keras.layers.Layer):
    @track
    def call(self, inputs):
        w = tf.compat.v1.get_variable("w", shape=(4, 3))
        return tf.matmul(inputs, w)
""", "differs", False),
}


def _build(source: str, decorated: bool) -> types.SimpleNamespace:
    code = textwrap.dedent(_PRELUDE + source)
    if not decorated:  # the method under test is the last decorated one (`Model`'s)
        head, _sep, tail = code.rpartition("    @track\n")
        code = head + tail
    return _run(code)


def _run(code: str) -> types.SimpleNamespace:
    namespace: dict = {"__name__": "tfs117_probe"}
    exec(compile(code, "<tfs117 probe>", "exec"), namespace)  # noqa: S102 - our own cases
    return types.SimpleNamespace(**namespace)


def _observe(source: str, decorated: bool, tmp_path) -> dict:
    """What a user can see of one instance: variables, outputs, losses, checkpoint keys."""
    return _observe_class(lambda: _build(source, decorated).Model, tmp_path / ("on" if decorated else "off"))


def _observe_class(load, where) -> dict:
    runtime.reset()
    tf.keras.utils.set_random_seed(7)
    model = load()()
    inputs = tf.random.stateless_normal((2, 4), seed=(1, 2))
    try:
        outputs = [model(inputs).numpy().tolist() for _call in range(2)]
    except (ValueError, TypeError) as exc:
        return {"error": type(exc).__name__}
    losses = [float(loss) for loss in getattr(model, "losses", [])]
    path = tf.train.Checkpoint(model=model).write(str(where))
    keys = sorted(name for name, _shape in tf.train.list_variables(path) if not name.startswith("_CHECKPOINTABLE"))
    return {
        "variables": sorted((v.name, tuple(v.shape), v.numpy().round(6).tolist()) for v in model.variables),
        "trainable": sorted(v.name for v in model.trainable_variables),
        "outputs": outputs,
        "losses": losses,
        "checkpoint": keys,
    }


@pytest.mark.parametrize("case", sorted(CASES))
def test_removing_the_decorator(case: str, tmp_path) -> None:
    source, expected, reported = CASES[case]
    with_shim, without = _observe(source, True, tmp_path), _observe(source, False, tmp_path)
    assert "error" not in with_shim
    assert (with_shim == without) == (expected == "same"), (with_shim, without)
    # The rule reports exactly the cases where the decorator does nothing.
    found = [f.code for f in lint_source(textwrap.dedent(_PRELUDE + source), "probe.py", Settings(extend_select=("TFS117",)))]
    assert ("TFS117" in found) == reported, found


def _load(kind: str, index: int) -> types.SimpleNamespace:
    rule = BY_CODE["TFS117"]
    source = (rule.bad if kind == "bad" else rule.good)[index]
    namespace: dict = {"__name__": f"example_TFS117_{kind}{index}"}
    exec(compile(source, f"<TFS117 {kind}{index}>", "exec"), namespace)  # noqa: S102 - our own examples
    return types.SimpleNamespace(**namespace)


def _layers(namespace: types.SimpleNamespace) -> list[type]:
    return [v for v in vars(namespace).values() if isinstance(v, type) and issubclass(v, tf.Module)
            and v.__module__ == namespace.__name__]


@pytest.mark.parametrize(("kind", "index"), [("bad", i) for i in range(len(BY_CODE["TFS117"].bad))]
                         + [("good", i) for i in range(len(BY_CODE["TFS117"].good))])
def test_examples_run_under_the_shim(kind: str, index: int) -> None:
    """Every class of the examples runs under the shim, stable over two calls (the runtime check's codes
    are none): bad ones because their decorator does nothing, good ones because they are correct code."""
    namespace = _load(kind, index)
    classes = _layers(namespace)
    assert classes
    for cls in classes:
        runtime.reset()
        assert runtime.check(cls(), tf.ones((2, 4))) == [], cls.__name__


@pytest.mark.parametrize("index", range(len(BY_CODE["TFS117"].bad)))
def test_bad_examples_are_the_same_without_the_decorator(index: int, tmp_path) -> None:
    """Each reported decorator of the bad examples removed: every class behaves and saves exactly the same."""
    source = BY_CODE["TFS117"].bad[index]
    without = "\n".join(line for line in source.splitlines() if "# expect: TFS117" not in line)
    assert without.count("\n") < source.count("\n")
    for name in (cls.__name__ for cls in _layers(_load("bad", index))):
        with_shim = _observe_class(lambda: getattr(_load("bad", index), name), tmp_path / f"{name}-on")
        plain = _observe_class(lambda: getattr(_run(without), name), tmp_path / f"{name}-off")
        assert "error" not in with_shim and with_shim == plain, name
