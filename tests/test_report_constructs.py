"""The report's construct counts and class facts, from the analysis `check` builds and no more.

`analysis/constructs.py` counts TF1-style calls with a walk pruned to the lines that spell them; these cases
pin down what it counts, which class each call counts for (methods, nested functions, lambdas, class bodies,
nested and local classes), what Python's scoping hides, and that a module that can hold no shim code is
reported without building its analysis unless one of its classes holds a construct.
"""

from __future__ import annotations

import textwrap

import pytest
import robustness_inputs

from tf2lint.analysis.migration import ModuleFacts, module_facts
from tf2lint.engine import lint_source

MODULE = textwrap.dedent('''\
    import tensorflow.compat.v1 as tf
    import tf_slim as slim
    from tf_slim.layers import conv2d

    v1 = tf


    class Outer(object):
        scale = tf.get_variable("s", [1])  # a class body counts for its class

        class Inner(object):
            def build(self, x):
                helper = lambda y: tf.layers.dense(y, 3)  # a lambda in a method: the method's class

                def nested(z):
                    return conv2d(z, 8, 3)  # imported by its own name; a function nested in a method

                return nested(helper(x))

        def call(self, x):
            with tf.variable_scope("o"):  # a compound statement's own expression
                return slim.fully_connected(
                    x,
                    3)

        @staticmethod
        def shadowed(tf):
            return tf.get_variable("x")  # the parameter hides the module's `tf`: not a construct


    def free(x):
        v1.get_collection("losses")  # through a module alias; outside any class: only the module's count
        hidden = lambda tf: tf.get_variable("y")  # so does a lambda's
        return hidden(tf.keras.layers.Dense(3)(x))  # a Keras layer is no construct


    def factory():
        class Local(object):
            def f(self):
                return tf.Session()

        return Local


    class Plain(object):
        """Spells tf.get_variable("w") only in its docstring."""
''')
CLASSES = {
    "Outer": ("tf1", {"get_variable": 1, "variable_scope": 1, "slim": 1}),
    "Outer.Inner": ("tf1", {"v1_layers": 1, "slim": 1}),
    "Local": ("tf1", {"session": 1}),
    "Plain": ("no_tf1", {}),
}
TOTAL = {"get_variable": 1, "variable_scope": 1, "v1_layers": 1, "slim": 2, "collections": 1, "session": 1}
SHIMMED = textwrap.dedent('''\

    import tensorflow as tf2


    class Shimmed(tf2.keras.layers.Layer):
        @tf2.compat.v1.keras.utils.track_tf1_style_variables
        def call(self, x):
            return tf.layers.dense(x, 3)
''')


def facts_of(tmp_path, source: str) -> tuple[ModuleFacts, int]:
    """The module's facts as `tf2lint report` gathers them, and how often it asked for the analysis."""
    path = tmp_path / "module.py"
    path.write_text(source)
    found: list[ModuleFacts] = []
    asked = []

    def observe(triage, context):
        def counted():
            asked.append(1)
            return context()

        found.append(module_facts(triage, counted))

    lint_source(source, str(path))
    lint_source(source, str(path), observe=observe)
    assert len(found) == 1
    return found[0], len(asked)


def classes_of(facts: ModuleFacts) -> dict[str, tuple[str, dict[str, int]]]:
    return {c.name: (c.stage, dict(c.constructs)) for c in facts.classes}


def test_what_counts_and_for_which_class(tmp_path) -> None:
    facts, _ = facts_of(tmp_path, MODULE)
    assert classes_of(facts) == CLASSES
    assert dict(facts.constructs) == TOTAL
    assert {c.name: c.kind for c in facts.classes} == {"Outer": "object", "Outer.Inner": "object", "Local": "object",
                                                       "Plain": ""}


def test_the_same_counts_where_the_module_holds_shim_code(tmp_path) -> None:
    facts, asked = facts_of(tmp_path, MODULE + SHIMMED)
    assert asked == 1
    assert classes_of(facts) == {**CLASSES, "Shimmed": ("shimmed", {"v1_layers": 1})}
    assert dict(facts.constructs) == {**TOTAL, "v1_layers": 2}


def test_no_analysis_is_built_that_check_did_not_need(tmp_path) -> None:
    """Constructs only outside classes, in a module that can hold no shim code: the counts come from the
    pruned walk alone; a construct in a class needs the analysis (the class's kind reads its bases)."""
    source = MODULE.split("\n\nclass Outer")[0] + "\n\nclass Config(object):\n    depth = 3\n\n\n" + \
        "def free(x):\n    return tf.layers.dense(x, 3)\n"
    facts, asked = facts_of(tmp_path, source)
    assert asked == 0
    assert classes_of(facts) == {"Config": ("no_tf1", {})}
    assert dict(facts.constructs) == {"v1_layers": 1}
    _, asked = facts_of(tmp_path, MODULE)
    assert asked == 1


@pytest.mark.parametrize("name", sorted(robustness_inputs.analysable()))
def test_hostile_inputs_are_counted_like_their_plain_form(tmp_path, name) -> None:
    """Encodings, line endings (a lone carriage return ends a line too), tabs, long expressions, 60,000 lines
    before the class: the class and its v1 layer are found, with the shim and without it."""
    data = robustness_inputs.analysable()[name]
    line = 4 + robustness_inputs.offset_of(name)[0]
    unshimmed = data.replace(b"@tf.compat.v1.keras.utils.track_tf1_style_variables", b"@some_decorator")
    for source, stage in ((data, "shimmed"), (unshimmed, "tf1")):
        found: list[ModuleFacts] = []
        path = tmp_path / name
        path.write_bytes(source)
        findings = lint_source(
            source, str(path), observe=lambda triage, context: found.append(module_facts(triage, context))
        )
        assert all(f.code != "TFS000" for f in findings)
        assert [(c.name, c.line, c.stage, dict(c.constructs)) for c in found[0].classes] == \
            [("L", line, stage, {"v1_layers": 1})]


HEAD = "import tensorflow.compat.v1 as tf\n"
REBINDINGS = [  # each binds `tf` in a function or a lambda, or may: the name cannot be resolved as at module level
    "def f(tf):\n    pass\n", "def f(*, tf=None):\n    pass\n", "def f():\n    tf = 1\n", "def f():\n    tf += 1\n",
    "def f():\n    import tf.compat\n", "def f():\n    import os, tf.compat\n", "def f():\n    import os, \\\n        tf.x\n",
    "def f():\n    from m import tf\n", "def f():\n    for tf in x:\n        pass\n", "def f():\n    with x as tf:\n        pass\n",
    "def f():\n    global tf\n", "def f():\n    (tf := 3)\n", "def f():\n    def tf():\n        pass\n",
    "def f():\n    g = lambda tf: 1\n",
    "def f():\n    a, tf = 1, 2\n", "def f():\n    try:\n        pass\n    except E as tf:\n        pass\n",
    "try:\n    import tensorflow as tf\nexcept ImportError:\n    pass\n", "def f():\n    s = 'tf'\n",
    "def f():\n    x = ｔf\n", "def f():\r    tf = 1\r",
]
MODULE_LEVEL_ONLY = [
    "", "import tensorflow as tf2\ntf_x = 1\n", "def f(x):\n    return tf.get_variable(x) + self.tf.y + outf(x)\n",
    "from tf.x import y\n", "import os\nimport a.tf.b\n", "g = lambda tf: tf\n", "tf = tf.compat\n",
]


@pytest.mark.parametrize("source", REBINDINGS)
def test_a_name_bound_in_a_function_is_resolved_there(source: str) -> None:
    import ast

    from tf2lint.analysis.constructs import _module_bound

    text = HEAD + source
    assert not _module_bound(text, ast.parse(text.replace("ｔf", "tf")), "tf")


@pytest.mark.parametrize("source", MODULE_LEVEL_ONLY)
def test_a_name_bound_only_at_module_level_resolves_there_in_every_function(source: str) -> None:
    import ast

    from tf2lint.analysis.constructs import _module_bound

    text = HEAD + source
    assert _module_bound(text, ast.parse(text), "tf")


@pytest.mark.parametrize("source", [
    "def f():\n    # tf is only named in prose here\n    return 1\n", 'def f():\n    """Uses tf, the library."""\n',
    "def f():\n    s = 'tf'\n", "def f(x):\n    return tf(x) + tf [0]\n", "def f():\n    s = 'import tf.x'\n",
])
def test_a_name_in_a_string_a_comment_or_a_call_binds_nothing(source: str) -> None:
    """With the module's text read (`CodeReader`), a string or a comment spelling the name binds nothing; a
    call or a subscript of it never does (`def tf(` does: see above)."""
    import ast

    from tf2lint.analysis.code_text import CodeReader
    from tf2lint.analysis.constructs import _module_bound

    text = HEAD + source
    tree = ast.parse(text)
    assert _module_bound(text, tree, "tf", CodeReader(text, tree))


def test_a_class_body_counts_for_its_class_even_inside_a_method(tmp_path) -> None:
    source = HEAD + textwrap.dedent('''\
        class Layer(object):
            def call(self, x):
                class Inside(object):
                    w = tf.get_variable("w", [1])

                return tf.layers.dense(x, 3)
        ''')
    facts, _ = facts_of(tmp_path, source)
    assert classes_of(facts) == {"Layer": ("tf1", {"v1_layers": 1}), "Layer.Inside": ("tf1", {"get_variable": 1})}


def test_calls_in_functions_of_a_module_that_binds_tf_once(tmp_path) -> None:
    """No function rebinds `tf`: its calls are resolved as at module level (one resolution per spelling)."""
    source = HEAD + textwrap.dedent('''\
        class A(object):
            def f(self, x):
                return tf.get_variable("w", [1]) + tf.layers.dense(x, 3)

            def g(self):
                return tf.get_variable("v", [1])


        def free(x):
            return tf.layers.dense(x, 3)
        ''')
    facts, _ = facts_of(tmp_path, source)
    assert classes_of(facts) == {"A": ("tf1", {"get_variable": 2, "v1_layers": 1})}
    assert dict(facts.constructs) == {"get_variable": 2, "v1_layers": 2}


def test_classes_listed_by_the_analysis_a_rule_built(tmp_path) -> None:
    """A rule built the analysis (TFS107 follows `call`): its summary lists the classes, with the names the
    walk gives them (nested in a class, local to a method)."""
    source = HEAD + textwrap.dedent('''\
        class Layer(tf.keras.layers.Layer):
            class Inner(object):
                pass

            def call(self, x):
                class Local(object):
                    pass

                return helper(x)


        def helper(x):
            return tf.layers.dense(x, 3)
        ''')
    path = tmp_path / "module.py"
    path.write_text(source)
    assert "TFS107" in {f.code for f in lint_source(source, str(path))}
    facts, asked = facts_of(tmp_path, source)
    assert asked == 1
    assert classes_of(facts) == {"Layer": ("no_tf1", {}), "Layer.Inner": ("no_tf1", {}), "Layer.Local": ("no_tf1", {})}
    assert dict(facts.constructs) == {"v1_layers": 1}
