"""What counts as shim context: reachability, variable-scope stacks, guards and tf.function."""

from __future__ import annotations

from pathlib import Path

from conftest import codes_at, lint

from tf2lint.engine import Settings, lint_path

DATA = Path(__file__).parent / "data"
HEADER = """
import tensorflow as tf
v1 = tf.compat.v1
track = v1.keras.utils.track_tf1_style_variables
"""


def test_guide_correct_examples_are_silent() -> None:
    assert lint_path(str(DATA / "guide_correct.py")) == []
    # Asked for, the hint names only the guide's `NearlyFullyNativeModel`, whose next step removes the decorator.
    found = lint_path(str(DATA / "guide_correct.py"), settings=Settings(extend_select=("TFS117",)))
    assert [(f.line, f.code) for f in found] == [(178, "TFS117")]


def test_tf1_graph_code_is_silent() -> None:
    assert lint_path(str(DATA / "tf1_graph_code.py")) == []


def test_helper_is_fine_when_every_call_site_is_scoped() -> None:
    assert codes_at(HEADER + """
def helper(x):
    return v1.layers.dense(x, 3)

class L(tf.keras.layers.Layer):
    @track
    def call(self, x):
        with v1.variable_scope("a"):
            x = helper(x)
        with v1.variable_scope("b"):
            return helper(x)
""") == []


def test_helper_reported_once_when_one_call_site_is_unscoped() -> None:
    findings = lint(HEADER + """
def helper(x):
    return v1.layers.dense(x, 3)

class L(tf.keras.layers.Layer):
    @track
    def call(self, x):
        with v1.variable_scope("a"):
            x = helper(x)
        return helper(x)

    @track
    def other(self, x):
        return helper(x)
""")
    assert [(f.line, f.code) for f in findings] == [(7, "TFS101")]
    assert "`L.call` via `helper`" in findings[0].message


def test_helper_with_its_own_named_scope_is_fine() -> None:
    assert codes_at(HEADER + """
class L(tf.keras.layers.Layer):
    @track
    def call(self, x):
        return self._block(x, "block1")

    def _block(self, x, name):
        with v1.variable_scope(name):
            return v1.layers.dense(x, 3)
""") == []


def test_code_not_reached_from_a_shim_method_is_not_shim_context() -> None:
    assert codes_at(HEADER + """
class L(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.t = self._unused()

    def _unused(self):
        return v1.layers.dense(tf.zeros([1, 2]), 3)

    @track
    def call(self, x):
        with v1.variable_scope("m"):
            return v1.layers.dense(x, 3)
""") == []


def test_in_module_base_class_and_super() -> None:
    assert codes_at(HEADER + """
class Base(tf.keras.layers.Layer):
    def body(self, x):
        return v1.layers.dense(x, 3)

    def call(self, x):
        return v1.layers.conv1d(x, 3, 1)

class Child(Base):
    @track
    def call(self, x):
        return self.body(super().call(x))
""") == [(8, "TFS101"), (11, "TFS101")]


def test_nested_functions_only_when_called() -> None:
    assert codes_at(HEADER + """
class L(tf.keras.layers.Layer):
    @track
    def call(self, x):
        def used(y):
            return v1.layers.dense(y, 3)

        def unused(y):
            return v1.layers.dense(y, 3)

        return used(x)
""") == [(10, "TFS101")]


def test_recursion_terminates_and_deep_chains_are_followed() -> None:
    chain = "\n".join(f"def f{i}(x):\n    return f{i + 1}(x)\n" for i in range(3000))
    source = HEADER + chain + """
def f3000(x):
    return f0(v1.layers.dense(x, 3))

class L(tf.keras.layers.Layer):
    @track
    def call(self, x):
        return f0(x)
"""
    findings = lint(source)
    assert [(f.code) for f in findings] == ["TFS101"]
    assert findings[0].line == source.count("\n", 0, source.index("v1.layers.dense(x, 3))")) + 1


def test_tf_function_resets_the_enclosing_scope() -> None:
    assert codes_at(HEADER + """
class L(tf.keras.layers.Layer):
    @track
    def call(self, x):
        with v1.variable_scope("outer"):
            return self.fast(x)

    @tf.function
    def fast(self, x):
        return v1.layers.dense(x, 3)
""") == [(12, "TFS105"), (14, "TFS101")]


def test_create_once_guards() -> None:
    assert codes_at(HEADER + """
class L(tf.keras.layers.Layer):
    @track
    def call(self, x):
        if not hasattr(self, "_proj"):
            self._proj = tf.keras.layers.Dense(2)
        if not self.built_extra:
            self._make_more()
        if self._t is not None:
            pass
        else:
            self._t = v1.make_template("t", lambda y: y)
        self._u = self._u or v1.make_template("u", lambda y: y)
        return self._proj(x)

    def _make_more(self):
        self.bias = tf.Variable(0.0)
""") == []


def test_get_or_create_layer_builders_are_not_shim_context() -> None:
    assert codes_at(HEADER + """
class L(tf.keras.layers.Layer):
    @track
    def call(self, x):
        model = v1.keras.utils.get_or_create_layer("m", lambda: tf.keras.Sequential([tf.keras.layers.Dense(3)]))
        return model(x)
""") == []


def test_project_shim_decorators_from_settings() -> None:
    source = """
import tensorflow as tf
from myproject.compat import tracked


class L(tf.keras.layers.Layer):
    @tracked
    def call(self, x):
        return tf.compat.v1.layers.dense(x, 3)
"""
    # Unknown to tf2lint, the method looks undecorated, and the message points at the setting.
    (finding,) = lint(source)
    assert (finding.line, finding.code) == (8, "TFS107") and "`shim-decorators`" in finding.message
    assert codes_at(source, shim_decorators=("myproject.compat.tracked",)) == [(9, "TFS101")]


def test_keyword_scope_name_and_non_literal_names() -> None:
    assert codes_at(HEADER + """
class L(tf.keras.layers.Layer):
    @track
    def call(self, x):
        with v1.variable_scope(name_or_scope="m"):
            x = v1.layers.dense(x, 3)
        with v1.variable_scope(f"{self.name}_x"):
            x = v1.layers.dense(x, 3)
        with v1.variable_scope(None):
            return v1.layers.dense(x, 3)
""") == [(13, "TFS102"), (14, "TFS101")]


def test_decorated_module_function_is_not_a_shim_root() -> None:
    # The shim rejects it at runtime (TFS108); no layer findings on top of that.
    assert codes_at(HEADER + """
@track
def forward(x):
    return v1.layers.dense(x, 3)
""") == [(6, "TFS108")]


def test_findings_are_sorted_and_unique() -> None:
    findings = lint(HEADER + """
def helper(x):
    return v1.layers.dense(x, 3)

class L(tf.keras.layers.Layer):
    @track
    def a(self, x):
        return helper(x)

    @track
    def b(self, x):
        return helper(helper(x))
""")
    assert [(f.line, f.code) for f in findings] == [(7, "TFS101")]


def test_recursive_helper_inside_scopes_and_branches_terminates() -> None:
    findings = lint(HEADER + """
def block(x, depth):
    if depth:
        with v1.variable_scope("inner"):
            return block(x, depth - 1)
    return v1.layers.dense(x, 3)

class L(tf.keras.layers.Layer):
    @track
    def call(self, x):
        return block(x, 3)
""")
    # Reached unscoped from `call` (depth 0 on the first path), so reported once.
    assert [(f.line, f.code) for f in findings] == [(10, "TFS101")]
    assert "via `block`" in findings[0].message and findings[0].message.count("via") == 1


def test_long_call_chains_are_described_briefly() -> None:
    chain = "\n".join(f"def g{i}(x):\n    return g{i + 1}(x)\n" for i in range(10))
    (finding,) = lint(HEADER + chain + "\ndef g10(x):\n    return v1.layers.dense(x, 3)\n\n"
                      "class L(tf.keras.layers.Layer):\n    @track\n    def call(self, x):\n        return g0(x)\n")
    assert "via `g0` via `g1` via ... via `g10`" in finding.message


def test_layer_class_inside_a_function_with_a_local_import() -> None:
    assert codes_at("""
def make_layer():
    import tensorflow as tf
    from tensorflow.compat.v1.keras.utils import track_tf1_style_variables

    class L(tf.keras.layers.Layer):
        @track_tf1_style_variables
        def call(self, x):
            return tf.compat.v1.layers.dense(x, 3)

    return L
""") == [(9, "TFS101")]


def test_bases_of_a_class_inside_a_function_resolve_in_its_scope() -> None:
    assert codes_at("""
def make_layer():
    import tensorflow as tf

    class Forgot(tf.keras.layers.Layer):
        def call(self, x):
            with tf.compat.v1.variable_scope("m"):
                return tf.compat.v1.layers.dense(x, 3)

    return Forgot
""") == [(6, "TFS107")]


def test_resolved_method_is_what_an_instance_runs() -> None:
    """`call`/`__call__` along the MRO: a `def`, or the function the shim is applied to by assignment, in the first
    class that has either (a grand-base's `def call` is hidden by a base's `call = track(_impl)`)."""
    import ast

    from tf2lint.analysis.context import ModuleContext
    from tf2lint.analysis.summary import ModuleSummary

    source = '''
import tensorflow as tf
track = tf.compat.v1.keras.utils.track_tf1_style_variables


class Grand(tf.keras.layers.Layer):
    def call(self, x):
        return x


class Base(Grand):
    def _impl(self, x):
        return x
    call = track(_impl)


class Sub(Base):
    pass


class Own(Base):
    def call(self, x):
        return x


class Plain:
    pass
'''
    ctx = ModuleContext(ModuleSummary(ast.parse(source), source, "m.py"))
    classes = {cls.name: cls for cls in ctx.classes}

    def runs(name: str, method: str = "call") -> tuple[str, str] | None:
        found = ctx.resolved_method(classes[name], method)
        return (found[0].name, found[1].name) if found else None

    assert runs("Grand") == ("Grand", "call")
    assert runs("Sub") == runs("Base") == ("Base", "_impl")
    assert runs("Own") == ("Own", "call")
    assert runs("Plain") is None and runs("Sub", "__call__") is None
