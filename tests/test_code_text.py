"""The construct count read from the text (`analysis/code_text.py`) against the pruned walk of the tree.

`constructs.find` reads most modules from their text and walks the tree only where the text cannot tell: both
must give the same calls, for the same classes, and the same classes. The walk is the oracle here, on every
rule example, on generated TF1 modules and on hypothesis-composed modules built from the spellings that make
text hard to read (strings and comments spelling calls, names split across lines, f-strings, decorators, class
headers, `;`)."""

from __future__ import annotations

import ast
import textwrap

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tf2lint.analysis import constructs
from tf2lint.analysis.code_text import CodeReader, Unreadable
from tf2lint.analysis.names import Names
from tf2lint.rules import RULES

HEAD = "import tensorflow.compat.v1 as tf\nimport tf_slim as slim\nfrom tf_slim.layers import conv2d\n"


def _sites_and_classes(source: str, text_first: bool) -> tuple[list, list]:
    """(kind, line, owning class) of each construct call, and each class with its qualified name."""
    tree = ast.parse(source)
    parents: dict = {}
    found = constructs.find(tree, source, Names(tree, parents), parents, classes=True, mentioned={}) if text_first \
        else _walked(tree, source, parents)
    return (sorted(((s.kind, s.line, s.owner.name if s.owner else None) for s in found.sites), key=str),
            [(node.lineno, name) for node, name in found.classes])


def _walked(tree: ast.Module, source: str, parents: dict) -> constructs.Found:
    original = constructs._read_text
    constructs._read_text = lambda *args: None
    try:
        return constructs.find(tree, source, Names(tree, parents), parents, classes=True, mentioned={})
    finally:
        constructs._read_text = original


def _read(source: str) -> constructs.Found | None:
    """The text reading alone (None where it defers to the walk)."""
    tree = ast.parse(source)
    read: list = []
    original = constructs._read_text

    def spy(*args):
        read.append(original(*args))
        return read[-1]

    constructs._read_text = spy
    try:
        constructs.find(tree, source, Names(tree, {}), {}, classes=True, mentioned={})
    finally:
        constructs._read_text = original
    return read[0] if read else None


def assert_agrees(source: str) -> bool:
    """The text's answer equals the walk's; returns whether the text answered."""
    assert _sites_and_classes(source, True) == _sites_and_classes(source, False), source
    return _read(source) is not None


EXAMPLES = [source for rule in RULES for source in (*rule.bad, *rule.good)]


def test_the_rule_examples_read_from_the_text_as_the_walk_finds_them() -> None:
    answered = sum(assert_agrees(source) for source in EXAMPLES)
    assert answered >= len(EXAMPLES) * 0.8  # the text answers for most of them (it must be able to)


def test_generated_tf1_modules_read_as_walked() -> None:
    from differential.generator import generate

    answered = sum(assert_agrees(program.source) for program in generate(150, seed=7))
    assert answered >= 100


def test_hostile_inputs_read_as_walked() -> None:
    """Encodings, tabs, form feeds, long lines, deep nesting, 60,000 lines before the class (robustness_inputs)."""
    import robustness_inputs

    from tf2lint.source import decode

    for name, data in sorted(robustness_inputs.analysable().items()):
        text = decode(data)
        try:
            ast.parse(text)
        except (SyntaxError, RecursionError, MemoryError):
            continue
        assert_agrees(text)


# Statements whose text is hard to read: each is placed at module level, in a class body and in a method.
TRICKY = [
    'x = tf.get_variable("w", [1])',
    'x = tf .get_variable("w", [1])',
    'x = (tf.\n    get_variable("w", [1]))',
    'x = tf.get_variable \\\n    ("w")',
    'x = (tf.get_variable\n     ("w"))',
    'x = (tf.get_variable  # c\n     ("w"))',
    'x = (tf.get_variable\n\n     ("w"))',
    'x = (a.  # c\n     tf.get_variable("n"))',
    'x = (a.\n     tf.get_variable("n"))',
    'x = a. \\\n    tf.get_variable("n")',
    '"""tf.get_variable("doc")"""',
    "'''it's tf.layers.dense(x)'''",
    '# tf.get_variable("comment")',
    's = "tf.get_variable(\\"x\\")"',
    "s = 'a # b'; y = tf.layers.dense(x, 3)",
    's = f"{tf.get_variable(\'x\')}"',
    's = f"tf.get_variable(x)"',
    "s = rb'\\\\'; t = slim.conv2d(x, 3, 3)",
    "s = 'it\\'s'; t = tf.make_template('t', f)",
    'y = foo(x).layers.dense(x)',
    'y = "s".layers(x)',
    'y = conv2d(x, 8, 3)',
    'y = [tf.get_variable("a"), slim.fully_connected(x, 3)]',
    'with tf.variable_scope("s"):\n    z = tf.get_variable("z", [1])',
    'f = lambda tf: tf.get_variable("q")',
    'f = lambda: tf.layers.dense(x, 1)',
    'v = tf.contrib.layers.xavier_initializer()',
    'sess = tf.Session()',
    'tf.add_to_collection("k", x)',
    'y = (\n    tf.get_variable("m")\n)',
    'x = """multi\nline tf.get_variable("in string")\n"""; y = tf.get_variable("after")',
    'x = """a\\""" tf.get_variable("s") """; y = slim.conv2d(x, 1, 1)',
    "x = '''\nq\"\"\" tf.get_variable('s')\n'''",
    '@slim.add_arg_scope\ndef h(x):\n    return slim.conv2d(x, 1, 1)',
    '@tf.make_template("d", f)\ndef h2(x):\n    return x',
    'def get_variable(self):\n    return tf.get_variable("g")',
    'class K(tf.layers.Layer):\n    pass',
    'class K2(make(tf.get_variable("b"))):\n    w = tf.get_variable("c")',
    'class K3: w = tf.get_variable("d")',
    'if x:\n    y = tf.layers.dense(x, 1)\nelse:\n    y = slim.conv2d(x, 1, 1)',
    'try:\n    tf.get_variable("t")\nexcept E:\n    tf.layers.dense(x, 1)\nfinally:\n    pass',
    'for i in r:\n    tf.get_variable("f%d" % i)',
    'tf.get_variable("a"); tf.get_variable("b")',
    'def tf_fn(tf):\n    return tf.get_variable("p")',
    'x = tf.layers[0](x)',
    'x = tf.get_variable',
    'x = slim.arg_scope([slim.conv2d], padding="SAME")',
    'x = tf.compat.v1.get_variable("c")',
    'def g(x=tf.get_variable("default")):\n    return x',
    'match x:\n    case slim.conv2d():\n        tf.get_variable("m")\n    case _:\n        pass',
]


def _module(parts: list[tuple[str, str]]) -> str:
    lines = [HEAD]
    for place, statement in parts:
        if place == "module":
            lines.append(statement)
        elif place == "class":
            lines.append("class Holder(object):\n" + textwrap.indent(statement, "    "))
        else:
            lines.append("class Layer(object):\n    def call(self, x):\n" + textwrap.indent(statement, "        ")
                         + "\n        return x")
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(["module", "class", "method"]), st.sampled_from(TRICKY)),
                min_size=1, max_size=6))
def test_hard_spellings_read_as_walked(parts) -> None:
    source = _module(parts)
    try:
        ast.parse(source)
    except SyntaxError:
        return
    assert_agrees(source)


@pytest.mark.parametrize("statement", TRICKY)
def test_each_hard_spelling_alone(statement) -> None:
    for place in ("module", "class", "method"):
        source = _module([(place, statement)])
        try:
            ast.parse(source)
        except SyntaxError:
            continue
        assert_agrees(source)


def test_line_ends_other_than_newlines_are_walked() -> None:
    """A carriage return ends a line for the parser, not for this reading: such a text is walked."""
    source = _module([("class", "x = 1"), ("method", 'y = tf.get_variable("w", [1])')])
    for ends in ("\r\n", "\r"):
        text = source.replace("\n", ends)
        assert _read(text) is None
        assert _sites_and_classes(text, True) == _sites_and_classes(source, False)


def test_the_text_answers_for_plain_tf1_code_and_defers_where_it_cannot_tell() -> None:
    plain = _module([("method", 'y = tf.get_variable("w", [1])  # tf.layers.dense("comment")'),
                     ("module", '"""tf.layers.dense(x) in a docstring"""')])
    found = _read(plain)
    assert found is not None and [(s.kind, s.owner.name) for s in found.sites] == [("get_variable", "Layer")]
    for statement in ('x = (tf.\n    get_variable("w", [1]))', 's = f"{tf.get_variable(\'x\')}"',
                      'def f(tf):\n    return tf.get_variable("p")', 'class K(make(tf.get_variable("b"))):\n    pass'):
        assert _read(_module([("module", statement)])) is None, statement


@pytest.mark.parametrize(("line", "code"), [
    ('x = "tf.get_variable"', False), ("x = 'a' + tf.get_variable", True), ('x = "\\"" + tf.get_variable', True),
    ("x = r'\\' ' + tf.get_variable", True), ("x = 1  # tf.get_variable", False), ('x = "#" + tf.get_variable', True),
    ("x = '''a''' + tf.get_variable", True), ("x = ''; y = tf.get_variable", True),
])
def test_what_is_code_on_a_line(line: str, code: bool) -> None:
    reader = CodeReader(line, ast.parse(line))
    offset = line.index("tf.get_variable")
    place = reader.place(offset, 1)  # None past the statement's end: a comment
    assert (place is not None and reader.is_code(place, offset)) is code


def test_an_f_string_is_not_read() -> None:
    line = 'x = f"{a}" + f"{tf.get_variable()}"'
    reader = CodeReader(line, ast.parse(line))
    offset = line.index("tf.get_variable")
    with pytest.raises(Unreadable):
        reader.is_code(reader.place(offset, 1), offset)
