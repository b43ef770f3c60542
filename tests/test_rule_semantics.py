"""Edges of the rule-local semantics: where the rules must stay silent (unknown, or correct
code) and where they must report. The runtime facts behind them are probed in test_shim_semantics.py."""

from __future__ import annotations

from conftest import codes_at, lint

from tf2lint.engine import lint_source

HEADER = """
import os
import tensorflow as tf
v1 = tf.compat.v1
track = v1.keras.utils.track_tf1_style_variables
"""


def test_fixed_name_in_a_loop_only_when_the_path_is_known_not_to_vary() -> None:
    assert codes_at(HEADER + """
class L(tf.keras.layers.Layer):
    def __init__(self, scope_name="s"):
        super().__init__()
        self.scope_name = scope_name

    @track
    def call(self, x):
        for i in range(3):
            with v1.variable_scope(f"block{i}"):
                x = v1.layers.dense(x, 3, name="fc")
            with v1.variable_scope(None, default_name="b"):
                x = v1.layers.dense(x, 3, name="fc")
            with v1.variable_scope("shared", reuse=(i > 0)):
                x = v1.layers.dense(x, 3, name="fc")
            if i == 0:
                x = v1.layers.dense(x, 3, name="first")
            x = v1.layers.dense(x, 3, name=f"fc{i}")
        with v1.variable_scope(self.scope_name):
            for _ in range(2):
                x = v1.layers.dense(x, 3, name="fc")
        with v1.variable_scope("t") as scope:
            for _ in range(2):
                x = tf.matmul(x, v1.get_variable("w", shape=[3, 3]))
                scope.reuse_variables()
        return x
""") == [(17, "TFS102"), (26, "TFS113")]
    # The default-name scope in the loop is TFS102's, not a duplicate name. A scope entered once, before the
    # loop, is the same for every iteration even when its name is not known: `fc` is shared (measured).


def test_fixed_name_in_a_helper_called_in_a_loop() -> None:
    findings = lint(HEADER + """
def block(x):
    return v1.layers.dense(x, 3, name="fc")

class L(tf.keras.layers.Layer):
    @track
    def call(self, x):
        with v1.variable_scope("tower"):
            for _ in range(3):
                x = block(x)
        return x
""")
    assert [(f.line, f.code) for f in findings] == [(8, "TFS113")]
    assert "tower" in findings[0].message


def test_same_key_in_different_named_scopes_or_branches_is_fine() -> None:
    assert codes_at(HEADER + """
goc = v1.keras.utils.get_or_create_layer

class L(tf.keras.layers.Layer):
    @track
    def call(self, x, training=None):
        with v1.variable_scope("a"):
            a = goc("head", lambda: tf.keras.layers.Dense(3))
        with v1.variable_scope("b"):
            b = goc("head", lambda: tf.keras.layers.Dense(4))
        if training:
            c = goc("tail", lambda: tf.keras.layers.Dense(3))
        else:
            c = goc("tail", lambda: tf.keras.layers.Dense(4))
        return a(x) + b(x) + c(x)
""") == []


def test_default_name_scope_under_an_opaque_named_scope_is_stable() -> None:
    assert codes_at(HEADER + """
class L(tf.keras.layers.Layer):
    @track
    def call(self, x):
        with v1.variable_scope(self.name):
            with v1.variable_scope(None, default_name="b"):
                return v1.layers.dense(x, 3)
""") == []


def test_no_fix_for_a_default_name_scope_in_a_loop() -> None:
    source = HEADER + """
class L(tf.keras.layers.Layer):
    @track
    def call(self, x):
        for _ in range(2):
            with v1.variable_scope(None, default_name="b"):
                x = tf.matmul(x, v1.get_variable("w", shape=[3, 3]))
        with v1.variable_scope(None, default_name="c"):
            return tf.matmul(x, v1.get_variable("w", shape=[3, 3]))
"""
    findings = lint_source(source, "m.py", fixes=True)
    assert [(f.line, f.code, bool(f.fix)) for f in findings] == [(11, "TFS102", False), (13, "TFS102", True)]
    assert "merge" in findings[0].message


def test_add_weight_only_when_it_runs_on_every_shim_call() -> None:
    assert codes_at(HEADER + """
class Built(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.w = self.add_weight(name="w", shape=[3])

    @track
    def call(self, x):
        if self.b is None:
            self.b = self.add_weight(name="b", shape=[3])
        return x * self.w + self.b


class NotShim(tf.keras.layers.Layer):
    def call(self, x):
        return x * self.add_weight(name="w", shape=[3])
""") == [(HEADER.count("\n") + 15, "TFS116")]  # no shim at all: TFS116's, not TFS106's


def test_class_attribute_holding_a_stateless_layer_or_an_unknown_value() -> None:
    assert codes_at(HEADER + """
class L(tf.keras.layers.Layer):
    def __init__(self, norm_cls=None):
        super().__init__()
        self.act_cls = tf.keras.layers.ReLU
        self.norm_cls = norm_cls
        self.dense = tf.keras.layers.Dense(3)

    @track
    def call(self, x):
        return self.act_cls()(self.norm_cls()(self.dense(x)))
""") == []


def test_training_fixed_at_construction_where_the_phase_cannot_arrive() -> None:
    """Reported where the phase is lost: `call` has no `training` parameter (Keras passes nothing), or the
    function receives `training` and gives the layer a flag instead (measured on a module: dropout stays on
    in `training=False` calls). Silent where the phase may arrive some other way (`**kwargs`) or where no
    phase exists to forward (a tf.Module called without one)."""
    assert codes_at(HEADER + """
class WithParam(tf.keras.layers.Layer):
    @track
    def call(self, x, training=None):
        return v1.layers.dropout(x, 0.5, training=self.is_training)


class Kwargs(tf.keras.layers.Layer):
    @track
    def call(self, x, **kwargs):
        return v1.layers.dropout(x, 0.5, training=self.is_training)


class Module(tf.Module):
    @track
    def __call__(self, x):
        return v1.layers.dropout(x, 0.5, training=self.is_training)
""") == [(10, "TFS111")]


def test_opt_out_reported_only_where_the_shim_is_used() -> None:
    keras3 = """
import os
os.environ["TF_USE_LEGACY_KERAS"] = "False"
import tensorflow as tf
model = tf.keras.Sequential([tf.keras.layers.Dense(3)])
"""
    assert codes_at(keras3) == []
    uses_shim = """
import os
os.environ.setdefault("TF_USE_LEGACY_KERAS", "0")
import tensorflow as tf

def make():
    return tf.compat.v1.keras.utils.track_tf1_style_variables
"""
    findings = lint(uses_shim)
    assert [(f.line, f.code) for f in findings] == [(3, "TFS114")]
    assert "track_tf1_style_variables" in findings[0].message


def test_rnn_cells_whose_calls_are_not_seen_or_are_scoped() -> None:
    assert codes_at(HEADER + """
class L(tf.keras.layers.Layer):
    @track
    def call(self, x):
        cell = v1.nn.rnn_cell.LSTMCell(3)
        out, _ = v1.nn.dynamic_rnn(cell, x, dtype=tf.float32)
        other = v1.nn.rnn_cell.GRUCell(3)
        with v1.variable_scope("gru"):
            out, _ = other(out[:, -1], other.zero_state(2, tf.float32))
        return self.helper(out)

    def helper(self, x):
        return v1.nn.rnn_cell.BasicRNNCell(3)
""") == []


def test_rnn_cell_called_directly_without_a_named_scope() -> None:
    findings = lint(HEADER + """
class L(tf.keras.layers.Layer):
    @track
    def call(self, x):
        cell = v1.nn.rnn_cell.BasicRNNCell(3, name="rnn")
        out, _ = cell(x, cell.zero_state(2, tf.float32))
        return out
""")
    assert [(f.line, f.code) for f in findings] == [(10, "TFS101")]
    assert "`rnn`, `rnn_1`" in findings[0].message  # measured: `name=` is uniquified too


def test_lazy_creation_counts_only_for_a_stacked_tf_function() -> None:
    assert codes_at(HEADER + """
class L(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.dense = tf.keras.layers.Dense(3)

    @track
    def call(self, x):
        @tf.function
        def inner(y):
            return self.dense(y)

        return inner(x)
""") == []


def test_template_in_init_called_from_a_decorated_helper() -> None:
    assert codes_at(HEADER + """
class L(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.t = v1.make_template("t", lambda x: x * v1.get_variable("w", shape=[]))

    def call(self, x):
        return self.forward(x)

    @track
    def forward(self, x):
        return self.t(x)
""") == []


def test_plain_tf1_code_with_the_same_idioms_is_silent() -> None:
    """Never reached from a shim method: loops with fixed names, cells, re-entered scopes are TF1's business."""
    assert codes_at("""
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()


def tower(x, layers=3):
    with tf.variable_scope(tf.get_variable_scope(), reuse=tf.AUTO_REUSE):
        for _ in range(layers):
            x = tf.layers.dense(x, 3, name="fc")
    for _ in range(layers):
        with tf.variable_scope(None, default_name="block"):
            x = tf.layers.Dense(3)(x)
    cell = tf.nn.rnn_cell.LSTMCell(4)
    out, _ = cell(x, cell.zero_state(2, tf.float32))
    heads = {}
    if "a" not in heads:
        heads["a"] = tf.get_variable("w", shape=[4, 4])
    return tf.matmul(out, heads["a"])


class Head(tf.keras.layers.Layer):
    def call(self, x):
        return x * self.add_weight(name="w", shape=[3], trainable=False)
""") == []


def test_a_comprehension_is_a_loop() -> None:
    source = HEADER + """
class L(tf.keras.layers.Layer):
    @track
    def call(self, xs):
        outs = [self.block(x) for x in xs]
        with v1.variable_scope("heads"):
            return [v1.layers.dense(x, 3, name="fc") for x in outs]

    def block(self, x):
        with v1.variable_scope(None, default_name="b"):
            return tf.matmul(x, v1.get_variable("w", shape=[3, 3]))
"""
    findings = lint_source(source, "m.py", fixes=True)
    assert [(f.line, f.code, bool(f.fix)) for f in findings] == [(12, "TFS113", False), (15, "TFS102", False)]


def test_self_is_the_methods_first_parameter_also_in_closures() -> None:
    assert codes_at(HEADER + """
def scale(layer, x):
    return x * layer.add_weight(name="w", shape=[3])  # `layer` is unknown here: silent

class L(tf.keras.layers.Layer):
    @track
    def call(this, x):
        def bias(y):
            return y + this.add_weight(name="b", shape=[3])

        return bias(scale(this, x))
""") == [(14, "TFS106")]


def test_a_project_subclass_of_a_v1_layer_is_a_v1_layer_for_tf_function_and_the_decorator() -> None:
    """Measured by the differential suite (seed 202): built in `__init__` or lazily, behind `@tf.function`
    stacked under the shim, it raises the singleton-variables ValueError (TFS105); called from an
    undecorated `call`, its variables are untracked (TFS107)."""
    source = HEADER + """
class ProjectDense(v1.layers.Dense):
    pass


class Stacked(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.fc = ProjectDense(4, name="fc")

    @track
    @tf.function
    def call(self, x):
        return self.fc(x)


class Lazy(tf.Module):
    def __init__(self):
        super().__init__()
        self.fc = None

    @track
    @tf.function
    def __call__(self, x):
        if self.fc is None:
            self.fc = ProjectDense(4, name="fc")
        return self.fc(x)


class Undecorated(tf.keras.layers.Layer):
    def call(self, x):
        with v1.variable_scope("m"):
            return ProjectDense(4)(x)
"""
    assert [code for _line, code in codes_at(source)] == ["TFS105", "TFS105", "TFS107"]



def test_a_branch_on_training_is_entered_whatever_its_default() -> None:
    """`training=None` is Keras' to fill (measured: `fit` passes True): `if training:` is not ruled out by the
    default, as a constant a caller passes would rule it out (a pruned branch once hid this TFS101)."""
    assert codes_at("""
        import tensorflow as tf
        v1 = tf.compat.v1


        class Net(tf.keras.layers.Layer):
            @v1.keras.utils.track_tf1_style_variables
            def call(self, x, training=None):
                if training:
                    x = v1.layers.dense(x, 4)
                return x
    """) == [(10, "TFS101")]


def test_a_redefined_helper_is_its_last_definition_and_a_conditional_one_unknown() -> None:
    """Python runs the last definition of a name; a definition under a condition may or may not have run.
    The first `helper` makes a `tf.Variable` per call (TFS106 were it called); the one that runs does not."""
    first = """
def helper(x):
    return x + tf.Variable(tf.zeros([4]))
"""
    layer = """
class L(tf.keras.layers.Layer):
    @track
    def call(self, x):
        return helper(x)
"""
    assert codes_at(HEADER + first + "\n\ndef helper(x):\n    return x * 2\n" + layer) == []
    assert codes_at(HEADER + first + "\n\nif os.environ.get('FAST'):\n    def helper(x):\n        return x * 2\n"
                    + layer) == []
    assert codes_at(HEADER + "\n\ndef helper(x):\n    return x * 2\n" + first + layer) == [(12, "TFS106")]


def test_a_flag_fixed_at_construction_through_a_call_assigned_in_a_base_or_a_decorated_helper() -> None:
    """`call = track(_impl)` in a base, `training=self.flag` in the subclass's override of a hook it runs: Keras'
    phase never reaches the dropout (s4646-00467, measured by the differential suite: on at inference); so too
    in a decorated helper of an undecorated `call` (s4646-00036), unless another method may switch the flag."""
    assert codes_at(HEADER + """
class Base(tf.keras.layers.Layer):
    def _impl(self, x):
        return self.body(x)
    call = track(_impl)

    def body(self, x):
        return x


class Model(Base):
    def __init__(self):
        super().__init__()
        self.flag = True

    def body(self, x):
        return v1.layers.dropout(x, 0.5, training=self.flag)
""") == [(8, "TFS111"), (22, "TFS111")]
    helper = """
class Model(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.flag = True

    def call(self, x):
        return self.block(x)

    @track
    def block(self, x):
        return v1.layers.dropout(x, 0.5, training=self.flag)
"""
    assert codes_at(HEADER + helper) == [(17, "TFS111")]
    assert codes_at(HEADER + helper + """
    def eval_mode(self):
        self.flag = False
""") == []


def test_blocks_a_shim_method_runs_in_a_way_the_walk_cannot_follow_are_unknown() -> None:
    """A holder's shim method runs its blocks through a slice: they run in its store (measured, TFS107's good
    example), but the walk cannot say so, and unknown is silent. Read only by an undecorated method, they are
    TFS107's again."""
    block = HEADER + """
class Block(tf.keras.layers.Layer):
    def call(self, x):
        return v1.layers.dense(x, 4, name="fc")
"""
    sliced = block + """

class Holder(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.blocks = [Block(), Block()]

    @track
    def call(self, x):
        for item in self.blocks[:1]:
            x = item(x)
        return x
"""
    assert codes_at(sliced) == []
    # The same loop in a method the shim walk never enters: what runs the blocks is known to be no shim code.
    elsewhere = sliced.replace("    @track\n    def call(self, x):\n        for", "    def head(self, x):\n        for")
    elsewhere += """
    @track
    def call(self, x):
        return v1.layers.dense(x, 4, name="out")
"""
    assert codes_at(elsewhere) == [(8, "TFS107")]


def test_a_phase_fixed_at_construction_is_named_as_the_layer_takes_it() -> None:
    """TFS111 spells the keyword the layer takes (`is_training=` for TF-Slim) and what that layer does at
    inference (a batch norm does not drop anything)."""
    findings = lint(HEADER + """import tf_slim as slim


class Block(tf.keras.layers.Layer):
    def __init__(self, is_training=True):
        super().__init__()
        self.is_training = is_training

    @track
    def call(self, x):
        x = slim.batch_norm(x, is_training=self.is_training)
        return v1.layers.dropout(x, 0.5, training=self.is_training)
""")
    fixed = [f.message for f in findings if f.code == "TFS111" and "fixed when the object is built" in f.message]
    assert len(fixed) == 2, [f.message for f in findings]
    norm, dropout = fixed
    assert "`is_training=self.is_training`" in norm and "pass `is_training=training`" in norm
    assert "batch norm keeps training at inference" in norm and "dropout keeps dropping" not in norm
    assert "`training=self.is_training`" in dropout and "dropout keeps dropping at inference" in dropout
