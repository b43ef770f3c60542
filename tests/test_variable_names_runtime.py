"""The variable-name model against the real shim (TF 2.21 + tf-keras 2.21, one process).

The first test is the silent-misload scenario of step 2, re-measured: three unnamed dense layers under `variable_scope("net")`,
the first replaced by a native Dense; the old checkpoint loads the old first kernel into the new second layer,
and recording the removed layer's scope (`with variable_scope("dense"): pass`) puts every kernel back.
The others check that wherever the model claims a name (and a shape), TF creates exactly that.
"""

from __future__ import annotations

import ast
import tempfile
import textwrap

import pytest

from variable_runtime import created, first_call, load

ISSUE = '''
import tensorflow as tf
v1 = tf.compat.v1


class Old(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("net"):
            x = v1.layers.dense(x, 4)
            x = v1.layers.dense(x, 4)
            return v1.layers.dense(x, 4)


class New(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.first = tf.keras.layers.Dense(4)

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("net"):
            x = self.first(x)
            x = v1.layers.dense(x, 4)
            return v1.layers.dense(x, 4)


class Recorded(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.first = tf.keras.layers.Dense(4)

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("net"):
            x = self.first(x)
            with v1.variable_scope("dense"):
                pass
            x = v1.layers.dense(x, 4)
            return v1.layers.dense(x, 4)
'''


@pytest.fixture(scope="module")
def tf():
    from conftest import require_runtime

    require_runtime()
    import tensorflow

    return tensorflow


def _model(source: str) -> dict[str, list]:
    from tf2lint.analysis.context import ModuleContext
    from tf2lint.analysis.summary import ModuleSummary
    from tf2lint.analysis.variables import class_variables

    ctx = ModuleContext(ModuleSummary(ast.parse(source), source, "<program>"))
    return {m.cls.name: m for m in class_variables(ctx)}


def test_issue_scenario_misloads_and_record_scope_fixes_it(tf, tmp_path) -> None:
    namespace = load(ISSUE)
    old = first_call(namespace["Old"], (2, 4))
    assert sorted(created(old)) == sorted(
        f"net/{layer}/{var}" for layer in ("dense", "dense_1", "dense_2") for var in ("kernel", "bias"))
    old_values = {name: v.numpy() for name, v in zip(created(old), old._tf1_style_var_store._vars.values())}
    path = tf.train.Checkpoint(model=old).save(str(tmp_path / "ckpt"))
    keys = {key for key, _ in tf.train.list_variables(path)}
    assert "model/_tf1_style_var_store/_vars/net.Sdense_1.Skernel/.ATTRIBUTES/VARIABLE_VALUE" in keys

    def restored(cls_name: str) -> dict[str, str | None]:
        new = first_call(namespace[cls_name], (2, 4))
        status = tf.train.Checkpoint(model=new).restore(path)
        with pytest.raises(AssertionError):
            status.assert_existing_objects_matched()  # the native layer is new: nothing to restore it from
        got = {}
        for name, var in new._tf1_style_var_store._vars.items():
            same = [o for o, value in old_values.items() if o.endswith("kernel") and value.shape == var.shape
                    and (value == var.numpy()).all()]
            got[name] = same[0] if same else None
        return {k: v for k, v in got.items() if k.endswith("kernel")}

    # The two remaining v1 layers are renamed: the new second layer (`net/dense`) gets the old FIRST kernel.
    assert restored("New") == {"net/dense/kernel": "net/dense/kernel", "net/dense_1/kernel": "net/dense_1/kernel"}
    assert sorted(_model(ISSUE)["New"].names) == sorted(
        f"net/{layer}/{var}" for layer in ("dense", "dense_1") for var in ("kernel", "bias"))
    # Recording the removed layer's scope restores the names: every kernel loads where it belongs.
    assert restored("Recorded") == {"net/dense_1/kernel": "net/dense_1/kernel",
                                    "net/dense_2/kernel": "net/dense_2/kernel"}


# Each program: one shim class `L`, its input shape; the model's known names must be exactly TF's.
CASES = {
    "empty_scope_inside": ('''
    with v1.variable_scope("outer"):
        x = v1.layers.dense(x, 4)
        with v1.variable_scope(""):
            w = v1.get_variable("w0", shape=(4, 4))
            x = v1.layers.dense(tf.matmul(x, w), 4)
            with v1.variable_scope("in"):
                x = v1.layers.dense(x, 4)
        return v1.layers.dense(x, 4)''', (2, 4)),
    "reenter": ('''
    with v1.variable_scope("net"):
        x = v1.layers.dense(x, 4)
    with v1.variable_scope("net"):
        x = v1.layers.dense(x, 4)
    return x''', (2, 4)),
    "nested": ('''
    with v1.variable_scope("a"):
        x = v1.layers.dense(x, 4)
        with v1.variable_scope("b"):
            x = v1.layers.dense(x, 4)
        x = v1.layers.dense(x, 4)
        with v1.variable_scope("b"):
            x = v1.layers.dense(x, 4)
    return x''', (2, 4)),
    "explicit": ('''
    with v1.variable_scope("a"):
        x = v1.layers.dense(x, 4, name="dense_1")
        x = v1.layers.dense(x, 4)
        x = v1.layers.dense(x, 4, use_bias=False)
        return v1.layers.dense(x, 4, name="dense")''', (2, 4)),
    "top_level": ('''
    return v1.layers.dense(v1.layers.dense(x, 3), 2)''', (2, 4)),
    "get_variable_and_recorded": ('''
    with v1.variable_scope("a"):
        w = v1.get_variable("w", [4, 3])
        with v1.variable_scope("dense"):
            pass
        x = v1.layers.dense(x, 3)
    return tf.matmul(x, tf.ones((3, 3))) + tf.matmul(tf.ones((2, 4)), w)''', (2, 4)),
    "conv_bn": ('''
    with v1.variable_scope("a"):
        x = v1.layers.conv2d(x, 2, 3)
        x = v1.layers.batch_normalization(x, training=True, center=False)
        return v1.layers.conv2d(x, 3, (1, 2), use_bias=False)''', (1, 5, 5, 2)),
    "default_name": ('''
    with v1.variable_scope(None, default_name="blk"):
        x = v1.layers.dense(x, 4)
    with v1.variable_scope("q"):
        with v1.variable_scope(None, default_name="blk"):
            x = v1.layers.dense(x, 4)
        with v1.variable_scope(None, default_name="blk"):
            x = v1.layers.dense(x, 4)
    return x''', (2, 4)),
    "helper": ('''
    with v1.variable_scope("m"):
        x = block(x, 3)
        x = block(x, 3)
        return v1.layers.dense(x, 2)''', (2, 4)),
    "slim": ('''
    with v1.variable_scope("s"):
        x = slim.conv2d(x, 2, [3, 3])
        x = slim.conv2d(x, 2, [3, 3], scope="named")
        x = slim.conv2d(x, 2, [3, 3])
        return slim.fully_connected(slim.flatten(x), 3, biases_initializer=None)''', (1, 5, 5, 2)),
    # TF-Slim under literal `arg_scope`s: without `scope=` the names are the call's own, but for the variables a
    # supplied switch drops (`biases_initializer=None`: no `biases`); `batch_norm` makes `beta` (and `gamma`
    # only with `scale=True`); `slim.dropout` makes nothing but opens `Dropout`, so the next default-named
    # `Dropout` scope is `Dropout_1`.
    "slim_arg_scope": ('''
    with v1.variable_scope("s"):
        with slim.arg_scope([slim.fully_connected, slim.batch_norm], activation_fn=None):
            x = slim.fully_connected(x, 3)
            with slim.arg_scope([slim.fully_connected], biases_initializer=None):
                x = slim.fully_connected(x, 3)
            x = slim.batch_norm(x, fused=False)
            x = slim.batch_norm(x, scale=True, center=False, fused=False)
        x = slim.dropout(x, 0.5)
        with v1.variable_scope(None, default_name="Dropout"):
            return v1.layers.dense(x, 2)''', (2, 4)),
    "separable": ('''
    with v1.variable_scope("a"):
        x = v1.layers.separable_conv2d(x, 2, 3)
        return v1.layers.conv2d_transpose(x, 2, 3)''', (1, 5, 5, 2)),
    "branch_is_unknown": ('''
    with v1.variable_scope("a"):
        x = v1.layers.dense(x, 4)
        if x.shape[0] == 2:
            x = v1.layers.dense(x, 4)
        with v1.variable_scope("fixed"):
            x = v1.layers.dense(x, 4)
        return v1.layers.dense(x, 4)''', (2, 4)),
}
HEADER = '''
import tensorflow as tf
import tf_slim as slim
v1 = tf.compat.v1


def block(x, units):
    return v1.layers.dense(x, units)

'''


def _layer(*before: str, call: str, init: str = "", methods: str = "") -> str:
    """A program: HEADER, the module-level definitions `before`, then the shim class `L`, whose `__init__` runs `init`
    after `super().__init__()`, whose decorated `call(self, x)` runs `call`, then its other `methods` (each part
    written at any indentation)."""

    def part(text: str, indent: int) -> str:
        return textwrap.indent(textwrap.dedent(text).strip("\n"), " " * indent) + "\n"

    source = HEADER + "".join(part(definition, 0) + "\n\n" for definition in before)
    source += "class L(tf.keras.layers.Layer):\n"
    if init:
        source += "    def __init__(self):\n        super().__init__()\n" + part(init, 8) + "\n"
    source += "    @v1.keras.utils.track_tf1_style_variables\n    def call(self, x):\n" + part(call, 8)
    return source + ("\n" + part(methods, 4) if methods else "")


OBJECTS = _layer(init='''
    self.d = v1.layers.Dense(4)
    self.e = v1.layers.Dense(4, name="fc")
    self.native = tf.keras.layers.Dense(3)
''', call='''
    with v1.variable_scope("m"):
        x = v1.layers.dense(x, 4)
        x = self.e(self.d(x))
        x = self.d(x)
        return self.native(x)
''')


# Probe programs (each a class `L` called on a (2, 4) input) -> the (known, unknown) counts of the model on it; every
# known name must be one TF creates (`_check`). The comment above each entry says what was measured.
PROBES: dict[str, tuple[str, tuple[int, int]]] = {}


def _check(source: str, shape: tuple[int, ...]) -> tuple[int, int]:
    """(known, unknown) names of the model; fails unless every known name and shape is what TF created."""
    layer = first_call(load(source)["L"], shape)
    actual = created(layer)
    model = _model(source)["L"]
    known = [v for c in model.creations if c.known for v in c.variables]
    for variable in known:
        assert variable.name in actual, (variable.name, sorted(actual))
        if variable.shape is not None:
            assert len(variable.shape) == len(actual[variable.name])
            assert all(d is None or d == a for d, a in zip(variable.shape, actual[variable.name])), variable
    if model.complete:
        assert sorted(model.names) == sorted(actual)
    return len(known), sum(not c.known for c in model.creations)


@pytest.mark.parametrize("case", sorted(CASES))
def test_model_names_what_tf_creates(tf, case: str) -> None:
    body, shape = CASES[case]
    from tf2lint.runtime import legacy_slim

    with legacy_slim():  # the old `slim.batch_norm` runs on TF 2.21 only so
        known, unknown = _check(_layer(call=body), shape)
    assert known, "the model should know some names here"
    assert bool(unknown) == (case == "branch_is_unknown")


def test_layer_objects_are_named_at_their_first_call(tf) -> None:
    known, unknown = _check(OBJECTS, (2, 4))
    assert (known, unknown) == (6, 0)
    assert _model(OBJECTS)["L"].objects == ["d/kernel", "d/bias", "e/kernel", "e/bias", "native/kernel", "native/bias"]


def test_checkpoint_report_and_assertion_on_the_issue_scenario(tf, tmp_path, monkeypatch) -> None:
    from tf2lint import runtime

    scratch = tmp_path / "scratch"  # where the checks write their checkpoints: nothing may be left there
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    namespace = load(ISSUE)
    x = tf.ones((2, 4))
    with pytest.raises(AssertionError, match="find no home: net/dense_2/(kernel|bias)"):
        runtime.assert_checkpoint_compatible(namespace["Old"], namespace["New"], x, expect_new=("*first*",))
    report = runtime.assert_checkpoint_compatible(
        namespace["Old"], namespace["Recorded"], x, expect_unused=("net/dense/*",), expect_new=("*first*", "new*",
                                                                                                "recorded*"))
    assert sorted(report.used) == sorted(
        f"model/_tf1_style_var_store/_vars/net.S{layer}.S{var}/.ATTRIBUTES/VARIABLE_VALUE"
        for layer in ("dense_1", "dense_2") for var in ("kernel", "bias"))
    assert list(scratch.iterdir()) == []
    # A rename by a shifted suffix is proposed as an assignment map.
    runtime.reset()
    old = namespace["Old"]()
    old(x)
    path = tf.train.Checkpoint(model=old).write(str(tmp_path / "old"))
    runtime.reset()
    report = runtime.checkpoint_report(namespace["Recorded"](), x, path)
    # net/dense_1, net/dense_2 restored; net/dense unused, and proposed for the native layer that replaced it
    # (its weights are named `recorded/net/dense/...`: the layer's own name first, then the same name).
    assert report.unused and report.renames == {"net/dense/kernel": "recorded/net/dense/kernel",
                                                "net/dense/bias": "recorded/net/dense/bias"}
    runtime.reset()
    report = runtime.checkpoint_report(namespace["New"](), x, path)
    assert [k.split("/")[3] for k in report.unused] == ["net.Sdense_2.Sbias", "net.Sdense_2.Skernel"]
    assert report.not_restored == ["new/net/dense/bias", "new/net/dense/kernel"] and not report.compatible
    renamed = load(ISSUE.replace("x = v1.layers.dense(x, 4)\n            return", "x = v1.layers.dense(x, 4)\n"
                                 "            return v1.layers.dense(x, 4, name=\"dense_7\")\n            return"))
    runtime.reset()
    report = runtime.checkpoint_report(renamed["Old"](), x, path)
    assert report.renames == {"net/dense_2/kernel": "net/dense_7/kernel", "net/dense_2/bias": "net/dense_7/bias"}
    assert "'net/dense_2/kernel': 'net/dense_7/kernel'," in str(report)


def test_checkpoint_check_fixture(checkpoint_check, tf) -> None:
    namespace = load(ISSUE)
    with pytest.raises(AssertionError):
        checkpoint_check(namespace["Old"], namespace["New"], tf.ones((2, 4)))


def test_tfs115_safe_fix_restores_the_baseline_names_under_tf(tf, tmp_path) -> None:
    """The fixes TFS115 writes, applied with the lock of its examples (the removed layer's scope recorded before
    the first layer after it, a pin on the next): each layer loads its own weights again."""
    from conftest import write_baseline_lock

    from tf2lint.engine import Settings
    from tf2lint.fixing.write import fix_text
    from tf2lint.rules import BY_CODE

    rule = BY_CODE["TFS115"]
    path = str(tmp_path / "m.py")
    lock = write_baseline_lock(tmp_path, [path])
    result = fix_text(rule.bad[0], path, Settings(variables_lock=lock), unsafe=False)
    assert result.fixed.count('name="dense_') == 1 and not [f for f in result.findings if f.code == "TFS115"]
    assert result.fixed.count('with v1.variable_scope("dense"):\n                pass\n') == 2  # `Tower`, `Head`
    fixed, baseline = load(result.fixed), load(rule.baselines[0])
    from tf2lint import runtime

    x = tf.ones((2, 4))
    runtime.assert_checkpoint_compatible(baseline["Tower"], fixed["Tower"], x, expect_unused=("net/dense/*",),
                                         expect_new=("*first*", "tower/*"))
    runtime.assert_checkpoint_compatible(baseline["Head"], fixed["Head"], x, expect_unused=("head/dense/*",))


LOOPS = {
    "literal_lists": ('''
    for stage in [block]:
        x = stage(x, 4)
    for name in ["a", "b"]:
        with v1.variable_scope(name):
            x = v1.layers.dense(x, 4, name=f"fc_{name}")
            x = v1.layers.dense(x, 4)
    return block(x, 4)''', (2, 4)),
    "unrolled_range": ('''
    with v1.variable_scope("m"):
        for i in range(3):
            x = v1.layers.dense(x, 4)
            with v1.variable_scope(f"blk_{i}"):
                x = v1.layers.dense(x, 4, name=f"fc_{i}")
    return x''', (2, 4)),
    "empty_scope_and_locals": ('''
    i = 0
    with v1.variable_scope(""):
        w = v1.get_variable(f"w_{i}", shape=(4, 4))
    with v1.variable_scope("cells"):
        cell = v1.nn.rnn_cell.GRUCell(4)
        x, _ = cell(tf.matmul(x, w), cell.zero_state(2, tf.float32))
        fc = v1.layers.Dense(4, name="fc")
        x = fc(fc(x))
        return v1.layers.Dense(4, name="fc")(x)''', (2, 4)),
}


@pytest.mark.parametrize("case", sorted(LOOPS))
def test_loops_locals_and_per_call_objects(tf, case: str) -> None:
    body, shape = LOOPS[case]
    from tf2lint.runtime import legacy_slim

    with legacy_slim():  # the old `slim.batch_norm` runs on TF 2.21 only so
        known, unknown = _check(_layer(call=body), shape)
    # The inline `Dense(...)(x)` is named at that call, as TF names it (`cells/fc_1`).
    assert (bool(known), unknown) == (True, 0)


DECORATED_HELPER = _layer('''
class Sub(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("in"):
            return v1.layers.dense(x, 4)
''', call='''
        with v1.variable_scope("outer"):
            x = v1.layers.dense(x, 4)
            x = self._block(x)
            x = v1.layers.dense(x, 4)
            x = v1.keras.utils.get_or_create_layer("sub", Sub)(x)
            x = v1.keras.utils.get_or_create_layer("head", lambda: tf.keras.layers.Dense(4))(x)
        x = v1.layers.dense(x, 4)
        return self._block(x)
''', methods='''
    @v1.keras.utils.track_tf1_style_variables
    def _block(self, x):
        x = v1.layers.dense(x, 4)
        with v1.variable_scope("blk"):
            return v1.layers.dense(x, 4)
''')


# Measured: a decorated method called from the decorated `call` names its layers as a plain helper would
# (`outer/dense_1`, then `dense_1` at the top); a built layer class with its own decorated call, or a library layer
# from a lambda, puts nothing in `_vars`.
PROBES["a_decorated_helper_counts_on_in_the_callers_store_and_builders_keep_their_own"] = (DECORATED_HELPER, (14, 0))


TRACED = _layer(call='''
        with v1.variable_scope("outer"):
            x = v1.layers.dense(x, 4)
            x = tf.function(self._block)(x)
            x = self._traced(x)
            return v1.layers.dense(x, 4)
''', methods='''
    def _block(self, x):
        w = v1.get_variable("w", [4, 4])
        with v1.variable_scope("blk"):
            return v1.layers.dense(tf.matmul(x, w), 4, name="fc")

    @tf.function
    def _traced(self, x):
        with v1.variable_scope("blk2"):
            return v1.layers.dense(x, 4, name="fc")
''')


# Measured: `outer/w`, `outer/blk/fc`, `outer/blk2/fc`, and the layer after them is `outer/dense_1`.
PROBES["helpers_traced_by_tf_function_keep_the_callers_scopes_and_explicit_names"] = (TRACED, (9, 0))


CALLABLES = _layer('''
import functools


def run_stage(stage_fn, t):
    return stage_fn(t)
''', init='''
        self.lazy = None
        self.cache = {}
        self.dense_cls = tf.keras.layers.Dense
''', call='''
        with v1.variable_scope("outer"):
            x = getattr(self, "_block")(x, i=0)
            x = run_stage(functools.partial(self._block, i=1), x)
            fn = functools.partial(self._block, i=2)
            x = fn(x)
            if self.lazy is None:
                self.lazy = tf.keras.layers.Dense(4)
            x = self.lazy(x)
            if "k" not in self.cache:
                self.cache["k"] = tf.keras.layers.Dense(4, name="fc")
            self.held = self.cache["k"]
            x = self.held(x)
            x = self.dense_cls(4)(x)
            k = tf.keras.layers.Dense(4)
            x = k(x)
            return v1.layers.dense(x, 4)
''', methods='''
    def _block(self, x, i=0):
        with v1.variable_scope(f"blk_{i}"):
            return v1.layers.dense(x, 4)
''')


# Measured: a method reached through `getattr`, a partial passed to a function parameter and a local partial names
# its layers as a direct call would (`outer/blk_0/dense` ...); native Keras layers built lazily, kept in a dict
# cache, built from a class attribute or a local put nothing in `_vars` and take no count.
PROBES["callable_values_and_native_layers_held_by_the_object"] = (CALLABLES, (8, 0))


# Module-level definitions several probes share: a v1 layer subclass that adds nothing, and the function of a template
# (one variable, `w`).
PROJECT_DENSE = '''
class ProjectDense(v1.layers.Dense):
    pass
'''
SCALE = '''
def _scale(x):
    w = v1.get_variable("w", shape=(4, 4))
    return tf.matmul(x, w)
'''


OBJECTS_INLINE = _layer(PROJECT_DENSE, '''
class Sub(tf.keras.layers.Layer):
    def call(self, x):
        return v1.layers.dense(x, 4)
''', call='''
        with v1.variable_scope("blk"):
            x = ProjectDense(4)(x)
            x = ProjectDense(4)(x)
            x = v1.layers.dense(x, 4)
            fc = ProjectDense(4, name="fc")
            x = fc(fc(x))
            x = Sub()(x)
            x = Sub()(x)
            return v1.layers.Dense(4)(v1.layers.dense(x, 4))
''')


# Measured: a v1 layer subclass that adds nothing takes its class's snake-case name (`project_dense`,
# `project_dense_1`); a layer object built and called at once is named at that call (after its argument's layer:
# `dense_3`, then `dense_4`); an undecorated project layer built inline runs in the caller's store and counts on
# there (`dense_1`, `dense_2`).
PROBES["objects_built_and_called_inline_and_v1_subclasses"] = (OBJECTS_INLINE, (16, 0))


BUILDERS = _layer('''
class Sub(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.cache = {}

    def call(self, x):
        with v1.variable_scope("in"):
            return v1.layers.dense(x, 4)
''', call='''
        with v1.variable_scope("outer"):
            x = v1.layers.dense(x, 4)
            x = v1.keras.utils.get_or_create_layer("sub", Sub)(x)
            x = v1.keras.utils.get_or_create_layer("head", create_layer_method=lambda: tf.keras.layers.Dense(4))(x)
            return v1.layers.dense(x, 4)
''')


# Measured: `get_or_create_layer` with a project class built without creating anything and an undecorated `call`
# runs that call in the caller's store (`outer/in/dense`); the builder passed as `create_layer_method=` returning a
# native layer names nothing in `_vars`.
PROBES["builders_of_layers_whose_call_runs_in_the_callers_store"] = (BUILDERS, (6, 0))


TEMPLATES = _layer(SCALE, '''
SHARED = v1.make_template("shared", _scale)
''', init='''
        self.t = v1.make_template("t", _scale)
        self.lazy = None
''', call='''
        with v1.variable_scope("outer"):
            x = self.t(x)
            x = self.t(x)
            local = v1.make_template("t", _scale)
            x = local(x)
            if self.lazy is None:
                self.lazy = v1.make_template("t", _scale)
            x = self.lazy(x)
            x = SHARED(x)
            with v1.variable_scope("t_5"):
                pass
            return v1.make_template("t", _scale)(x)
''')


# Measured: a template's first call opens `variable_scope(None, default_name=<its name>)` where it is called
# (`outer/t`, `outer/t_1`, `outer/t_2`, `outer/shared`, then `outer/t_3` ...), its later calls reuse it.
PROBES["templates_open_a_default_named_scope_at_their_first_call"] = (TEMPLATES, (5, 0))


REBUILT = _layer(init='''
        self.fc = v1.layers.Dense(4, name="a")
        self.lazy = None
''', call='''
        if self.lazy is None:
            self.lazy = v1.layers.Dense(4)
        x = self.lazy(x)
        self.fc = v1.layers.Dense(4, name="b")
        return self.fc(x)
''')


# Measured: a v1 layer built lazily on `self` is named at its first call (`dense`); one built in `__init__` and
# built again in the call makes the call's (`b`): the model leaves that one unknown, never `a`.
PROBES["layer_objects_built_lazily_or_rebuilt_in_the_call"] = (REBUILT, (2, 1))


REENTERED = _layer(call='''
        with v1.variable_scope("outer"):
            x = v1.layers.dense(x, 4)
            with v1.variable_scope(v1.get_variable_scope()):
                x = v1.layers.dense(x, 4)
                with v1.variable_scope("in"):
                    x = v1.layers.dense(x, 4)
                x = v1.layers.conv1d(x[:, :, None], 2, 1)[:, :, 0]
            x = v1.layers.conv1d(x[:, :, None], 2, 1, name="c")[:, :, 0]
            with v1.variable_scope(v1.get_variable_scope(), reuse=v1.AUTO_REUSE):
                x = v1.layers.dense(x, 4)
        return v1.layers.dense(x, 4)
''')


# Measured: `variable_scope(get_variable_scope())` adds nothing to the names and counts on from the current scope
# (`outer/dense_1`), and leaving it restores the counts it found: the next unnamed dense is `outer/dense_1` again
# (with AUTO_REUSE it shares that layer's variables).
# (Seven layers, one of them sharing `outer/dense_1`.)
PROBES["a_scope_object_re_entered_counts_on_and_forgets_on_leaving"] = (REENTERED, (14, 0))


DECIDED = _layer(call='''
        x = self._block(x, name="a", wd=False)
        return self._block(x, name="b", wd=True)
''', methods='''
    def _block(self, x, name="w", wd=True):
        if wd:
            w = v1.get_variable(name, shape=(4, 4))
            x = tf.matmul(x, w)
        if not wd:
            x = v1.layers.dense(x, 4)
        return x
''')


# Measured: `wd=False` runs only the `not wd` branch (`dense`), `wd=True` only the other (`b`).
PROBES["branches_a_constant_argument_decides"] = (DECIDED, (3, 0))


SUB_OBJECTS = _layer('''
class Sub(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.fc = v1.layers.Dense(4)
        self.lazy = None

    def call(self, x):
        x = self.fc(x)
        if self.lazy is None:
            self.lazy = v1.layers.Dense(4, name="lazy")
        return self.lazy(x)
''', init='''
        self.sub = Sub()
''', call='''
        with v1.variable_scope("outer"):
            x = self.sub(x)
            x = self.sub(x)
            x = Sub()(x)
            x = v1.keras.utils.get_or_create_layer("s", Sub)(x)
            return v1.keras.utils.get_or_create_layer("s", Sub)(x)
''')


# Measured: the v1 layers a sub-layer holds (built in its `__init__` or lazily) are named at their first call in the
# caller's scope (`outer/dense`, `outer/lazy`); called again through the same object they add nothing; another
# object of the class (built inline, or kept by `get_or_create_layer`) names its own anew (`outer/dense_1`,
# `outer/lazy_1` ...).
PROBES["layer_objects_of_a_sub_layer_whose_call_runs_in_the_callers_store"] = (SUB_OBJECTS, (12, 0))


CACHES = _layer(SCALE, PROJECT_DENSE, init='''
        self.cache = {}
        self.templates = {}
        self.fc = None
''', call='''
        with v1.variable_scope("outer"):
            if "fc" not in self.cache:
                self.cache["fc"] = v1.layers.Dense(4, name="fc")
            self.held = self.cache["fc"]
            x = self.held(x)
            if "t" not in self.templates:
                self.templates["t"] = v1.make_template("t", _scale)
            self.t_ = self.templates["t"]
            x = self.t_(x)
            if self.fc is None:
                self.fc = ProjectDense(4)
            x = self.fc(x)
            return self.held(x)
''')


# Measured: a v1 layer or a template kept under one literal key of a dict cache is named at its first call
# (`outer/fc`, `outer/t/w`); a v1 subclass built lazily takes its class's name (`outer/project_dense`).
PROBES["objects_kept_in_dict_caches_and_subclasses_built_lazily"] = (CACHES, (5, 0))


WEIGHTLESS = _layer(init='''
        self.a = v1.layers.Dense(4, name="flatten")
        self.b = v1.layers.Dense(4, name="dropout")
        self.c = v1.layers.Dense(4, name="max_pooling1d")
''', call='''
        with v1.variable_scope("m"):
            x = v1.layers.flatten(x)
            x = v1.layers.dropout(x, 0.5)
            x = v1.layers.max_pooling1d(x[:, :, None], 1, 1)[:, :, 0]
            x = self.a(x)
            x = self.b(x)
            return self.c(x)
''')


# Measured: `flatten`, `dropout` and pooling open their scope like any layer, so a layer object named `flatten`
# after them is `m/flatten_1` (and so on).
PROBES["functional_layers_without_variables_still_count"] = (WEIGHTLESS, (6, 0))


MAPPED = _layer(call='''
        with v1.variable_scope("outer"):
            x = v1.layers.dense(x, 4)
            x = list(map(self._block, [x]))[0]
            return v1.layers.dense(x, 4)
''', methods='''
    def _block(self, x):
        return v1.layers.dense(x, 4)
''')


# Measured: `map(self._block, [x])` runs the block once where it is written (`outer/dense_1`).
PROBES["a_method_mapped_over_one_item_runs_once_in_place"] = (MAPPED, (6, 0))


SUBCLASS_IN_INIT = _layer(PROJECT_DENSE, init='''
        self.named = ProjectDense(4, name="fc")
        self.unnamed = ProjectDense(4)
''', call='''
        with v1.variable_scope(v1.get_variable_scope()):
            x = self.named(x)
        return self.unnamed(x)
''')


# Measured: a v1 subclass built in `__init__` is named at its first call like its base (`fc`), or by its class's
# snake case (`project_dense`) when unnamed.
PROBES["v1_subclass_objects_built_in_init"] = (SUBCLASS_IN_INIT, (4, 0))


LAMBDAS = _layer(call='''
        i = 0
        step = lambda t: self._block(t, i=i)  # noqa: E731
        with v1.variable_scope("outer"):
            x = step(x)
            i = 1
            x = step(x)
            return v1.layers.dense(x, 4)
''', methods='''
    def _block(self, x, i=0):
        return v1.layers.dense(x, 4, name=f"fc_{i}")
''')


# Measured: a lambda written in the method runs where it is called and reads the method's locals as they are then
# (`outer/fc_0`, then `outer/fc_1`).
PROBES["a_lambda_of_the_method_reads_its_locals_when_called"] = (LAMBDAS, (6, 0))


# Measured: scope and layer names formatted from a helper's parameters (`%`, `str.format`, an f-string) are the
# strings Python builds (`net/block_a/fc_1`, `net/block_a/proj_1`, `net/block_a/out_a1`, then `block_b`); a
# scope's `reuse=AUTO_REUSE` changes no name on the first call.
FORMATTED = _layer('''
def named(x, tag, i):
    with v1.variable_scope("block_%s" % tag, reuse=v1.AUTO_REUSE):
        x = v1.layers.dense(x, 4, name="fc_%d" % i)
        x = v1.layers.dense(x, 4, name="{}_{}".format("proj", i))
        return v1.layers.dense(x, 4, name=f"out_{tag}{i}")
''', call='''
with v1.variable_scope("net"):
    x = named(x, "a", 1)
    return named(x, "b", 2)
''')
PROBES["names_formatted_from_a_helpers_parameters"] = (FORMATTED, (12, 0))
# Measured: what the model cannot format stays unknown: a width it will not build, a mapping, a float.
UNFORMATTED = _layer('''
def named(x, i, scale):
    x = v1.layers.dense(x, 4, name="fc_%0100d" % i)
    x = v1.layers.dense(x, 4, name="%(i)s" % {"i": i})
    return v1.layers.dense(x, 4, name="s_%s" % scale)
''', call='''
with v1.variable_scope("net"):
    return named(x, 1, 0.5)
''')
PROBES["names_the_model_does_not_format_stay_unknown"] = (UNFORMATTED, (0, 3))


# Measured: a function or method defined twice runs its last definition (`net/fc`); one redefined under a
# condition may be either, and stays unknown.
PROBES["a_redefined_helper_runs_its_last_definition"] = (_layer('''
def helper(x):
    return v1.layers.dense(x, 4)
''', '''
def helper(x):
    return v1.layers.dense(x, 4, name="fc")
''', call='''
with v1.variable_scope("net"):
    return helper(x)
'''), (2, 0))
PROBES["a_redefined_method_runs_its_last_definition"] = (_layer(call='''
with v1.variable_scope("net"):
    return self.body(x)
''', methods='''
def body(self, x):
    return v1.layers.dense(x, 4)

def body(self, x):
    return v1.layers.dense(x, 4, name="fc")
'''), (2, 0))
PROBES["a_helper_redefined_under_a_condition_is_unknown"] = (_layer('''
def helper(x):
    return v1.layers.dense(x, 4)
''', '''
if tf.__version__ > "2":
    def helper(x):
        return v1.layers.dense(x, 4, name="fc")
''', call='''
with v1.variable_scope("net"):
    return helper(x)
'''), (0, 1))


# Measured: `for i in range(n)` over a parameter the call binds runs as `range(3)` does (`net/fc_0`..`fc_2`, and
# the auto-named `dense`, `dense_1`, `dense_2`); over an unbound parameter it is not unrolled.
RANGED = '''
def stack(x, n):
    for i in range(n):
        x = v1.layers.dense(x, 4, name=f"fc_{i}")
        x = v1.layers.dense(x, 4)
    return x
'''
PROBES["a_loop_over_range_of_a_bound_parameter_is_unrolled"] = (_layer(RANGED, call='''
with v1.variable_scope("net"):
    return stack(x, 3)
'''), (12, 0))
PROBES["a_loop_over_range_of_a_runtime_value_is_not"] = (_layer(RANGED, call='''
with v1.variable_scope("net"):
    return stack(x, x.shape[0])
'''), (0, 2))


def test_a_local_rebound_in_a_branch_is_no_longer_known(tf) -> None:
    """Measured: the branch runs (`fc_1`); the model, which cannot tell, leaves the name unknown rather than
    `fc_0`."""
    known, unknown = _check(_layer(call='''
    i = 0
    if x.shape[0] == 2:
        i = 1
    return v1.layers.dense(x, 4, name=f"fc_{i}")'''), (2, 4))
    assert (known, unknown) == (0, 1)


# Measured: in a loop the model runs once per value, a test over the index and a parameter (`i != n - 1`) is
# decided per iteration: `net/fc_0`, `net/proj_0`, `net/fc_1`, and no `proj_1`.
PROBES["a_test_over_an_unrolled_index_is_decided_per_iteration"] = (_layer('''
def stack(x, n):
    for i in range(n):
        x = v1.layers.dense(x, 4, name=f"fc_{i}")
        if i != n - 1:
            x = v1.layers.dense(x, 4, name=f"proj_{i}")
    return x
''', call='''
with v1.variable_scope("net"):
    return stack(x, 2)
'''), (6, 0))


# Measured: loops over list arguments (a partial's keywords, the call's own, a local list), unpacked from
# `enumerate(zip(...))` as ResNet-style blocks are written: `net/block_a/conv_0` (4 units), `net/block_a/conv_1`
# (8 units), then `net/out_4`, `net/out_8`.
PROBES["loops_over_list_arguments_unpacked_from_enumerate_and_zip"] = (_layer('''
def stage(x, filters, kernels, tag):
    with v1.variable_scope("block_%s" % tag):
        for i, (f, k) in enumerate(zip(filters, kernels)):
            x = v1.layers.dense(x, f, name="conv_%d" % i) * k
    return x
''', call='''
import functools
conv = functools.partial(stage, kernels=[1, 2])
widths = [4, 8]
with v1.variable_scope("net"):
    x = conv(x, filters=[4, 8], tag="a")
    for w in widths:
        x = v1.layers.dense(x, w, name=f"out_{w}")
    return x
'''), (8, 0))


# Measured: a v1 layer object first called in a traced helper is named as in an eager first call (the first trace
# decides it; the second finds it built): `outer/blk/fc`, which the functional `fc` after it shares, and `outer/blk/
# fc_1` for an object whose call comes after a functional `fc` (held-out s6565-00145).
PROBES["objects_first_called_in_a_traced_helper_keep_their_explicit_names"] = (_layer(init='''
self.first = v1.layers.Dense(4, name="fc")
self.after = v1.layers.Dense(4, name="head")
''', call='''
with v1.variable_scope("outer"):
    return self._traced(x)
''', methods='''
@tf.function
def _traced(self, x):
    with v1.variable_scope("blk"):
        x = self.first(x)
        x = v1.layers.dense(x, 4, name="fc")
        x = v1.layers.dense(x, 4, name="head")
        return self.after(x)
'''), (8, 0))


# Measured: a local rebuilt after `reuse_variables()` is a new object, named at its first call (`fc_1`, `t_1`: a
# v1 layer or a template asks its name as a default one); rebuilt in a branch no constant decides, it may be either
# object, and stays unknown (held-out s8383-00620, s8383-00545).
PROBES["a_local_rebuilt_in_the_same_block_is_a_new_object"] = (_layer('''
def scale(x):
    return x * v1.get_variable("w", shape=(), initializer=tf.ones_initializer())
''', call='''
with v1.variable_scope("blk") as scope:
    fc = v1.layers.Dense(4, name="fc")
    x = fc(x)
    t = v1.make_template("t", scale)
    x = t(x)
    scope.reuse_variables()
    fc = v1.layers.Dense(4, name="fc")
    x = fc(x)
    t = v1.make_template("t", scale)
    return t(x)
'''), (6, 0))
PROBES["a_local_rebuilt_in_an_undecided_branch_is_unknown"] = (_layer(call='''
fc = v1.layers.Dense(4, name="fc")
x = fc(x)
if tf.reduce_sum(x) > 0:
    fc = v1.layers.Dense(4, name="fc")
return fc(x)
'''), (2, 1))
# Measured: one constructor written twice under create-once guards (a block repeated under `reuse=True`) builds
# the attribute once, at the first guard (held-out s8383-00345, s0-00048).
PROBES["an_attribute_built_under_two_alike_guards_is_one_object"] = (_layer(init='''
self.fc = None
''', call='''
with v1.variable_scope("blk"):
    if self.fc is None:
        self.fc = v1.layers.Dense(4)
    x = self.fc(x)
with v1.variable_scope("blk", reuse=True):
    if self.fc is None:
        self.fc = v1.layers.Dense(4)
    return self.fc(x)
'''), (2, 0))

# Measured: a closure's `self` is its method's; the v1 layer `__init__` built, first called in the closure, is
# named there (held-out s8484-00056, where the model claimed every name and left `blk/fc/*` out).
PROBES["an_object_built_in_init_called_in_a_closure"] = (_layer(init='''
self.fc = v1.layers.Dense(4, name="fc")
''', call='''
def block(x):
    with v1.variable_scope("blk"):
        return self.fc(x)
return block(x)
'''), (2, 0))

# Measured: a loop whose body defines the helper it calls runs like any other (the helper's `return` leaves the
# helper, not the loop): `fc_0`, `fc_1` (s0-00236 was unknown for that `return`).
PROBES["a_loop_defining_its_helper_is_unrolled"] = (_layer(call='''
for i in range(2):
    def block(x):
        return v1.layers.dense(x, 4, name=f"fc_{i}")
    x = block(x)
return x
'''), (4, 0))

# Measured: a loop over a list of sub-layers runs each object's undecorated `call` in the holder's store, in order:
# auto-names count on (`dense`, `dense_1`, ...), scopes per index name them apart, and the v1 layer object each
# block keeps is named at its object's first call only: a second loop over the same list adds only the functional
# layers' next auto-names.
BLOCKS = '''
class Block(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.fc = v1.layers.Dense(4)

    def call(self, x):
        return v1.layers.dense(self.fc(x), 4)
'''
PROBES["a_loop_over_a_list_of_sub_layers_runs_each_object"] = (_layer(BLOCKS, init='''
self.blocks = [Block(), Block()]
self.more = [Block() for _ in range(2)]
''', call='''
for first in self.blocks:
    x = first(x)
for again in self.blocks:
    x = again(x)
for i, other in enumerate(self.more):
    with v1.variable_scope(f"more{i}"):
        x = other(x)
return x
'''), (20, 0))

# Measured: a `tf.keras.Sequential`'s first call builds it by running its layer once more, in the same store and
# scope: a fixed name is asked twice (one `s/fc`), an auto-name counts on (`s/dense`, `s/dense_1`).
SEQUENTIAL_BLOCKS = '''
class Fixed(tf.keras.layers.Layer):
    def call(self, x):
        return v1.layers.dense(x, 4, name="fc")


class Auto(tf.keras.layers.Layer):
    def call(self, x):
        return v1.layers.dense(x, 4)
'''
PROBES["a_sequential_runs_its_layer_twice_on_its_first_call"] = (_layer(SEQUENTIAL_BLOCKS, init='''
self.fixed = tf.keras.Sequential([Fixed()])
self.auto = tf.keras.Sequential([Auto()])
''', call='''
with v1.variable_scope("s"):
    x = self.fixed(x)
    return self.auto(x)
'''), (8, 0))  # (known counts each creation: `s/fc` twice)


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_the_model_names_what_tf_creates_in_each_probe(tf, probe: str) -> None:
    source, expected = PROBES[probe]
    assert _check(source, (2, 4)) == expected


# A helper module whose functions call each other (a selector picking a stack by a string argument, the stack
# calling a block of the same module directly and through `functools.partial`), as real model code is laid
# out (connectomics' `resnet.resnet_stack`). Measured under the shim: `base/s18/first/*` and
# `base/s18/block/fc/*` twice over (`block/fc` then `block_1/fc`); `s50` never runs.
HELPERS = '''
import functools
import tensorflow.compat.v1 as tf


def block(x, width, scale=1):
    with tf.variable_scope(None, default_name="block"):
        return tf.layers.dense(x, width, name="fc")


def stack18(x):
    conv = functools.partial(block, width=4, scale=2)
    with tf.variable_scope("s18"):
        x = tf.layers.dense(x, 4, name="first")
        x = block(x, 4)
        return conv(x)


def stack50(x):
    with tf.variable_scope("s50"):
        return tf.layers.dense(x, 4, name="first")


def stack(kind, x):
    if kind == "s18":
        return stack18(x)
    elif kind == "s50":
        return stack50(x)
    raise NotImplementedError(kind)
'''
SELECTING = '''
import tensorflow as tf
import nets_helpers


class Model(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with tf.compat.v1.variable_scope("base"):
            return nets_helpers.stack("s18", x)


def make():
    return Model()


def inputs():
    return (tf.ones((2, 4)),)
'''


def test_a_helper_modules_own_calls_are_followed(tf) -> None:
    from differential.compare import MODULE_MARKER
    from differential.names import first_call, predicted

    source = SELECTING + "\n" + MODULE_MARKER + "nets_helpers\n" + HELPERS
    ran = first_call(source, "helpers")
    assert ran is not None
    cls, actual = ran
    assert actual == {f"base/s18/{layer}/{part}" for layer in ("first", "block/fc", "block_1/fc")
                      for part in ("kernel", "bias")}
    model = predicted(source)[cls]
    assert model.complete and set(model.names) == actual, model.unknowns



# A `get_or_create_layer` builder that is a layer class of another module (held-out s8383-00037 and kin). Measured:
# a decorated `call` keeps its variables in the built layer's own store, the holder's stays empty; an undecorated
# one runs in the holder's store, under the scope around the call (`outer/blk/w`).
BUILT_ELSEWHERE = '''
import tensorflow as tf
from built_blocks import Own, Shared


class Model(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        for _ in range(2):
            x = tf.compat.v1.keras.utils.get_or_create_layer("own", Own)(x)
        with tf.compat.v1.variable_scope("outer"):
            return tf.compat.v1.keras.utils.get_or_create_layer("shared", Shared)(x)


def make():
    return Model()


def inputs():
    return (tf.ones((2, 4)),)
'''
BUILT_BLOCKS = '''
import tensorflow as tf


class Own(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with tf.compat.v1.variable_scope("blk"):
            return tf.compat.v1.layers.dense(x, 4, name="fc")


class Shared(tf.keras.layers.Layer):
    def call(self, x):
        with tf.compat.v1.variable_scope("blk"):
            return tf.matmul(x, tf.compat.v1.get_variable("w", shape=(4, 4)))
'''


def test_a_builder_class_of_another_module_is_followed(tf) -> None:
    from differential.compare import MODULE_MARKER
    from differential.names import first_call, predicted

    source = BUILT_ELSEWHERE + "\n" + MODULE_MARKER + "built_blocks\n" + BUILT_BLOCKS
    ran = first_call(source, "built")
    assert ran is not None
    cls, actual = ran
    assert actual == {"outer/blk/w"}
    model = predicted(source)[cls]
    assert model.complete and set(model.names) == actual, model.unknowns


# A `get_or_create_layer` builder whose Keras layer Keras names: Keras counts auto-names per base across v1 and
# native layers alike, so naming the v1 layer before it (TFS101's fix) renumbers it when the bases match.
# Measured: unnamed, the Keras layer's weights are `dense_1/*`; with `name="dense"` on the v1 layer, `dense/*`.
KERAS_BUILT = '''
import tensorflow as tf
v1 = tf.compat.v1


def build():
    return {built}


class Model(tf.Module):
    @v1.keras.utils.track_tf1_style_variables
    def __call__(self, x):
        x = v1.layers.dense(x, 4)
        return v1.keras.utils.get_or_create_layer("head", build)(x)
'''
KERAS_BUILT_LAYERS = {
    "same_base_unnamed": ("tf.keras.layers.Dense(4)", False),
    "same_base_named": ('tf.keras.layers.Dense(4, name="head")', True),
    "other_base": ("tf.keras.layers.LayerNormalization()", True),
}


@pytest.mark.parametrize("case", sorted(KERAS_BUILT_LAYERS))
def test_tfs101_fix_is_safe_only_where_no_keras_auto_name_follows(tf, case: str) -> None:
    from tf2lint.engine import lint_source
    from tf2lint.findings import Settings

    built, safe = KERAS_BUILT_LAYERS[case]
    source = KERAS_BUILT.format(built=built)
    fixed = source.replace("v1.layers.dense(x, 4)", 'v1.layers.dense(x, 4, name="dense")')
    names = [sorted(v.name for v in first_call(load(text)["Model"], (2, 4)).variables) for text in (source, fixed)]
    assert (names[0] == names[1]) is safe, names
    [finding] = [f for f in lint_source(source, "built.py", Settings(), fixes=True) if f.code == "TFS101"]
    assert finding.fix is not None and finding.fix["applicability"] == ("safe" if safe else "unsafe")
