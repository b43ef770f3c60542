"""Whole-project analysis: shim code followed into the project's other modules, on packages on disk."""

from __future__ import annotations

import json
import os
import textwrap
from pathlib import Path

import pytest

from tf2lint.engine import lint_path
from tf2lint.findings import Settings

MODEL_HEAD = """\
import tensorflow as tf
"""


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")


def findings(path: Path, **settings) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in lint_path(str(path), settings=Settings(**settings))]


def messages(path: Path) -> list[str]:
    return [f.message for f in lint_path(str(path))]


OPS_UNNAMED = """\
import tensorflow as tf


def conv_block(x, width):
    return tf.compat.v1.layers.conv2d(x, width, 3)
"""

OPS_SCOPED = """\
import tensorflow as tf


def conv_block(x, width, scope=None):
    with tf.compat.v1.variable_scope(scope, default_name="block"):
        return tf.compat.v1.layers.conv2d(x, width, 3)
"""


def model(import_line: str, call: str, decorator: str = "@tf.compat.v1.keras.utils.track_tf1_style_variables") -> str:
    return f"""\
import tensorflow as tf
{import_line}


class Model(tf.keras.layers.Layer):
    {decorator}
    def call(self, x):
        return {call}
"""


@pytest.mark.parametrize(
    ("import_line", "call"),
    [
        ("from . import ops", "ops.conv_block(x, 4)"),
        ("from .ops import conv_block", "conv_block(x, 4)"),
        ("from .ops import conv_block as block", "block(x, 4)"),
        ("import pkg.ops", "pkg.ops.conv_block(x, 4)"),
        ("from pkg import ops", "ops.conv_block(x, 4)"),
        ("from pkg.ops import *", "conv_block(x, 4)"),
    ],
)
def test_an_unnamed_layer_in_a_helper_module_is_reported_at_the_call_that_leaves_the_file(
    tmp_path: Path, import_line: str, call: str
) -> None:
    write(tmp_path, {"pkg/__init__.py": "", "pkg/ops.py": OPS_UNNAMED, "pkg/model.py": model(import_line, call)})
    assert findings(tmp_path / "pkg/model.py") == [(8, "TFS101")]
    (message,) = messages(tmp_path / "pkg/model.py")
    assert "conv_block" in message and "ops.py:5" in message, message


def test_re_exports_through_init_and_two_modules_deep(tmp_path: Path) -> None:
    write(
        tmp_path,
        {
            "pkg/__init__.py": "from .blocks import tower\n",
            "pkg/blocks.py": "from pkg.nets import ops\n\n\ndef tower(x):\n    return ops.conv_block(x, 8)\n",
            "pkg/nets/__init__.py": "",
            "pkg/nets/ops.py": OPS_UNNAMED,
            "pkg/model.py": model("from pkg import tower", "tower(x)"),
        },
    )
    assert findings(tmp_path / "pkg/model.py") == [(8, "TFS101")]


def test_a_graph_collection_read_in_a_helper_module(tmp_path: Path) -> None:
    """TFS112 through a helper: the collection API is spelled only in the other module."""
    regularized = (
        "import tensorflow as tf\n\n\ndef penalty(x):\n"
        "    return x + tf.compat.v1.losses.get_regularization_loss()\n"
    )
    write(tmp_path, {"pkg/__init__.py": "", "pkg/ops.py": regularized,
                     "pkg/model.py": model("from . import ops", "ops.penalty(x)")})
    assert findings(tmp_path / "pkg/model.py") == [(8, "TFS112")]


def test_a_finding_on_an_argument_in_a_helper_module_is_placed_where_the_path_leaves_the_file(tmp_path: Path) -> None:
    """TFS110 on `regularizer=REG` and TFS112 on `GraphKeys.UPDATE_OPS` passed to a call, both written in the helper
    module: reported at the call leaving the linted file, pointing at the argument's own line there. (A hit on an
    argument that is not itself a call used to be placed at the helper's line and column in the linted file.)"""
    ops = (
        "import tensorflow as tf\n\nREG = tf.keras.regularizers.L2()\n\n\ndef scale(x):\n"
        "    w = tf.compat.v1.get_variable(\n        'w', shape=(4, 4),\n        regularizer=REG)\n"
        "    return tf.group(tf.matmul(x, w), tf.compat.v1.GraphKeys.UPDATE_OPS)\n"
    )
    source = model("from . import ops", "ops.scale(x)").replace("tf.keras.layers.Layer", "tf.Module").replace(
        "def call(", "def __call__(")
    write(tmp_path, {"pkg/__init__.py": "", "pkg/ops.py": ops, "pkg/model.py": source})
    found = lint_path(str(tmp_path / "pkg/model.py"))
    assert [(f.line, f.code, f.related[1:] if f.related else None) for f in found] == [
        (8, "TFS110", (9, 20)), (8, "TFS112", (10, 37))]
    assert all(f.message.endswith(f"(at `pkg/ops.py:{f.related[1]}`)") for f in found)  # type: ignore[index]


def test_a_library_class_the_project_also_holds_is_the_library_class(tmp_path: Path) -> None:
    """Linting tf-keras' own tree: its `base_layer.Layer` is a `tf.Module` subclass there, but a class built on it
    is a Keras layer, whose penalties reach `.losses` (7 false TFS110 in tf-keras' shim tests)."""
    layer = "import tensorflow as tf\n\n\nclass Layer(tf.Module):\n    pass\n"
    user = (
        "import tensorflow as tf\nfrom tf_keras.engine import base_layer\n\n\n"
        "class Wrapped(base_layer.Layer):\n    @tf.compat.v1.keras.utils.track_tf1_style_variables\n"
        "    def call(self, x):\n"
        "        return tf.compat.v1.get_variable('w', [2], regularizer=tf.keras.regularizers.L2())\n"
    )
    write(tmp_path, {"tf_keras/__init__.py": "", "tf_keras/engine/__init__.py": "", "tf_keras/tests/__init__.py": "",
                     "tf_keras/engine/base_layer.py": layer, "tf_keras/tests/shim_test.py": user})
    assert findings(tmp_path / "tf_keras/tests/shim_test.py") == []
    write(tmp_path, {"tf_keras/tests/shim_test.py": user.replace("base_layer.Layer", "tf.Module")})
    assert findings(tmp_path / "tf_keras/tests/shim_test.py") == [(8, "TFS110")]


def test_the_named_variant_is_silent(tmp_path: Path) -> None:
    named = OPS_UNNAMED.replace("conv2d(x, width, 3)", 'conv2d(x, width, 3, name="conv")')
    write(tmp_path, {"pkg/__init__.py": "", "pkg/ops.py": named, "pkg/model.py": model("from . import ops", "ops.conv_block(x, 4)")})
    assert findings(tmp_path / "pkg/model.py") == []


def test_a_named_scope_at_the_call_site_covers_the_helper(tmp_path: Path) -> None:
    source = model("from . import ops", "ops.conv_block(x, 4)").replace(
        "        return ops", '        with tf.compat.v1.variable_scope("m"):\n            return ops'
    )
    write(tmp_path, {"pkg/__init__.py": "", "pkg/ops.py": OPS_UNNAMED, "pkg/model.py": source})
    assert findings(tmp_path / "pkg/model.py") == []


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("ops.conv_block(x, 4)", [(8, "TFS101"), (8, "TFS102")]),
        ("ops.conv_block(x, 4, scope=None)", [(8, "TFS101"), (8, "TFS102")]),
        ('ops.conv_block(x, 4, scope="b1")', []),
        ('ops.conv_block(x, 4, "b1")', []),
        ("ops.conv_block(x, 4, scope=self.name)", []),
    ],
)
def test_a_scope_name_parameter_takes_the_callers_value(tmp_path: Path, call: str, expected: list) -> None:
    write(tmp_path, {"pkg/__init__.py": "", "pkg/ops.py": OPS_SCOPED, "pkg/model.py": model("from . import ops", call)})
    assert findings(tmp_path / "pkg/model.py") == expected


def test_the_sys_path_script_layout(tmp_path: Path) -> None:
    script = model("import os\nimport sys\n\nsys.path.insert(0, os.path.join(os.path.dirname(__file__), '..', 'lib'))\nimport ops", "ops.conv_block(x, 4)")
    write(tmp_path, {"lib/ops.py": OPS_UNNAMED, "scripts/train.py": script})
    assert [code for _line, code in findings(tmp_path / "scripts/train.py")] == ["TFS101"]


def test_a_sibling_module_of_a_script(tmp_path: Path) -> None:
    write(tmp_path, {"ops.py": OPS_UNNAMED, "train.py": model("import ops", "ops.conv_block(x, 4)")})
    assert findings(tmp_path / "train.py") == [(8, "TFS101")]


def test_a_base_class_in_another_module(tmp_path: Path) -> None:
    base = """\
    import tensorflow as tf


    class Base(tf.keras.layers.Layer):
        def tower(self, x):
            return tf.compat.v1.layers.dense(x, 3)
    """
    sub = """\
    import tensorflow as tf

    from pkg.base import Base


    class Sub(Base):
        @tf.compat.v1.keras.utils.track_tf1_style_variables
        def call(self, x):
            return self.tower(x)


    class Forgotten(Base):
        def call(self, x):
            with tf.compat.v1.variable_scope("f"):
                return tf.compat.v1.get_variable("w", [3])
    """
    write(tmp_path, {"pkg/__init__.py": "", "pkg/base.py": base, "pkg/sub.py": sub})
    assert findings(tmp_path / "pkg/sub.py") == [(9, "TFS101"), (13, "TFS107")]


def test_a_layer_class_from_another_module_built_per_call(tmp_path: Path) -> None:
    layers = """\
    import tensorflow as tf


    class Head(tf.keras.layers.Layer):
        def build(self, shape):
            self.w = self.add_weight(shape=(shape[-1], 2))

        def call(self, x):
            return tf.matmul(x, self.w)
    """
    write(tmp_path, {"pkg/__init__.py": "", "pkg/layers.py": layers,
                     "pkg/model.py": model("from .layers import Head", "Head()(x)")})
    assert findings(tmp_path / "pkg/model.py") == [(8, "TFS106")]


def test_a_project_decorator_alias_is_the_shim(tmp_path: Path) -> None:
    compat = "import tensorflow as tf\n\ntrack = tf.compat.v1.keras.utils.track_tf1_style_variables\n"
    write(tmp_path, {"pkg/__init__.py": "", "pkg/compat.py": compat, "pkg/ops.py": OPS_UNNAMED,
                     "pkg/model.py": model("from . import ops\nfrom .compat import track", "ops.conv_block(x, 4)", "@track")})
    assert findings(tmp_path / "pkg/model.py") == [(9, "TFS101")]


GOCL_HELPER = """\
import tensorflow as tf


def make_head():
    return tf.keras.layers.Dense(3)


def head(x):
    return tf.compat.v1.keras.utils.get_or_create_layer("head", make_head)(x)
"""


def test_get_or_create_layer_helper_with_only_shim_callers_is_silent(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/__init__.py": "", "pkg/heads.py": GOCL_HELPER,
                     "pkg/model.py": model("from .heads import head", "head(x)")})
    assert findings(tmp_path / "pkg/model.py") == []
    assert findings(tmp_path / "pkg/heads.py") == []


def test_get_or_create_layer_helper_with_a_plain_caller_is_reported_at_that_caller(tmp_path: Path) -> None:
    plain = """\
    import tensorflow as tf

    from .heads import head


    class Plain(tf.keras.layers.Layer):
        def call(self, x):
            return head(x)  # Keras runs it for whoever calls the layer, and no class here uses it as a part


    def test_head():
        return head(tf.ones((1, 3)))
    """
    write(tmp_path, {"pkg/__init__.py": "", "pkg/heads.py": GOCL_HELPER, "pkg/plain.py": plain})
    assert findings(tmp_path / "pkg/plain.py") == [(8, "TFS109"), (12, "TFS109")]
    assert findings(tmp_path / "pkg/heads.py") == []


def test_unknown_and_broken_modules_are_silent(tmp_path: Path) -> None:
    write(tmp_path, {"pkg/__init__.py": "from .missing import *\n", "pkg/ops.py": "def conv_block(x, w:\n",
                     "pkg/cycle_a.py": "from .cycle_b import *\n", "pkg/cycle_b.py": "from .cycle_a import *\n",
                     "pkg/model.py": model("from . import ops, cycle_a\nfrom .nowhere import thing", "ops.conv_block(thing(cycle_a.f(x)), 4)")})
    os.mkdir(tmp_path / "pkg" / "dirmod")  # a directory named like a module
    assert findings(tmp_path / "pkg/model.py") == []


def test_configured_src_roots(tmp_path: Path) -> None:
    write(tmp_path, {"src/mylib/__init__.py": "", "src/mylib/ops.py": OPS_UNNAMED,
                     "app/model.py": model("from mylib import ops", "ops.conv_block(x, 4)")})
    assert findings(tmp_path / "app/model.py") == []  # mylib is not reachable: unknown, silent
    assert findings(tmp_path / "app/model.py", src=(str(tmp_path / "src"),)) == [(8, "TFS101")]


# -- hosts and the cache ---------------------------------------------------------------------------------

PACKAGE = {
    "pyproject.toml": "[tool.tf2lint]\n",
    "pkg/__init__.py": "from .blocks import tower\n",
    "pkg/ops.py": OPS_UNNAMED,
    "pkg/scoped.py": OPS_SCOPED,
    "pkg/blocks.py": "from pkg import ops\n\n\ndef tower(x):\n    return ops.conv_block(x, 8)\n",
    "pkg/base.py": "import tensorflow as tf\n\n\nclass Base(tf.keras.layers.Layer):\n    def tower(self, x):\n        return tf.compat.v1.layers.dense(x, 3)\n",
    "pkg/model.py": """\
        import tensorflow as tf

        from pkg import tower
        from pkg.base import Base

        from . import scoped


        class Model(Base):
            @tf.compat.v1.keras.utils.track_tf1_style_variables
            def call(self, x):
                x = tower(x)
                x = scoped.conv_block(x, 4, scope="named")
                x = scoped.conv_block(x, 4)  # noqa: TFS101
                return self.tower(x)
        """,
}
EXPECTED = {("model.py", "TFS101", 12), ("model.py", "TFS102", 14), ("model.py", "TFS101", 15)}


def test_cli_flake8_and_pylint_agree_on_a_package_linted_one_file_at_a_time(tmp_path: Path) -> None:
    from test_hosts import cli_findings, flake8_findings, pylint_findings

    write(tmp_path, PACKAGE)
    cli = {(name, code, line) for name, code, line, _col in cli_findings(tmp_path)}
    assert cli == EXPECTED
    only = ["pkg/model.py"]
    flake8 = {(n, c, line) for n, c, line, _col in flake8_findings(tmp_path, only)}
    pylint = {(n, c, line) for n, c, line, _col in pylint_findings(tmp_path, only, "--disable=unscoped-v1-layer")}
    assert flake8 == EXPECTED
    # pylint does not read `# noqa`: the suppressed line 14 shows up there unless disabled its own way.
    assert pylint == {f for f in EXPECTED if f[1] != "TFS101"}


def test_a_cached_result_is_dropped_when_a_module_it_reached_changes(tmp_path: Path, capsys) -> None:
    from tf2lint.hosts.cli import main

    write(tmp_path, PACKAGE)
    cache = tmp_path / "cache"
    argv = ["check", "--cache-dir", str(cache), "-j1", str(tmp_path / "pkg" / "model.py")]
    assert main(argv) == 1
    first = capsys.readouterr().out
    assert "TFS101" in first and "ops.py:5" in first
    # Name the helper's layer: the linted file did not change, but its finding must go.
    ops = tmp_path / "pkg" / "ops.py"
    ops.write_text(OPS_UNNAMED.replace("conv2d(x, width, 3)", 'conv2d(x, width, 3, name="c")'), encoding="utf-8")
    assert main(argv) == 1
    second = capsys.readouterr().out
    assert "ops.py:5" not in second and second.count("TFS1") == first.count("TFS1") - 1


def test_a_cached_result_is_dropped_when_a_module_read_only_for_a_text_gate_changes(tmp_path: Path, capsys) -> None:
    """The base class's module is first read only to see whether it mentions the shim: that read counts
    as a dependency too, so decorating the base's `call` later re-analyses the subclass's file."""
    from tf2lint.hosts.cli import main

    base = """\
import tensorflow as tf


class Base(tf.keras.layers.Layer):
    {decorator}
    def call(self, x):
        return self.body(x)
"""
    subclass = """\
import tensorflow as tf

from .base import Base


class Model(Base):
    def body(self, x):
        return tf.compat.v1.layers.dense(x, 3)
"""
    write(tmp_path, {"pkg/__init__.py": "", "pkg/base.py": base.format(decorator="# no decorator yet"),
                     "pkg/model.py": subclass})
    argv = ["check", "--cache-dir", str(tmp_path / "cache"), "-j1", "--select", "TFS101", str(tmp_path / "pkg" / "model.py")]
    assert main(argv) == 0
    (tmp_path / "pkg" / "base.py").write_text(
        base.format(decorator="@tf.compat.v1.keras.utils.track_tf1_style_variables"), encoding="utf-8")
    capsys.readouterr()
    assert main(argv) == 1
    assert "TFS101" in capsys.readouterr().out


def test_src_option_and_config(tmp_path: Path, capsys) -> None:
    from tf2lint.hosts.cli import main

    write(tmp_path, {"lib/mylib/__init__.py": "", "lib/mylib/ops.py": OPS_UNNAMED,
                     "app/model.py": model("from mylib import ops", "ops.conv_block(x, 4)")})
    target = str(tmp_path / "app" / "model.py")
    assert main(["check", "--no-cache", target]) == 0
    assert main(["check", "--no-cache", "--src", str(tmp_path / "lib"), target]) == 1
    assert main(["check", "--no-cache", "--no-project", "--src", str(tmp_path / "lib"), target]) == 0
    (tmp_path / "pyproject.toml").write_text('[tool.tf2lint]\nsrc = ["lib"]\n', encoding="utf-8")
    assert main(["check", "--no-cache", target]) == 1
    assert "TFS101" in capsys.readouterr().out


@pytest.mark.parametrize("marker", ["pyproject.toml", "setup.py", "setup.cfg", ".git"])
def test_namespace_packages_resolve_from_the_project_top(tmp_path: Path, capsys, marker: str) -> None:
    """`ns/` has no `__init__.py`, so the file's own package root is `ns/` itself: `from ns import ops`
    resolves (as Python's namespace packages do from the project's top) only once something marks that top."""
    from tf2lint.hosts.cli import main
    from tf2lint.hosts.config import Loader

    write(tmp_path, {"ns/ops.py": OPS_UNNAMED, "ns/model.py": model("from ns import ops", "ops.conv_block(x, 4)")})
    target = str(tmp_path / "ns" / "model.py")
    assert main(["check", "--no-cache", target]) == 0  # no project around it: the helper is unknown, silent
    if marker == ".git":
        (tmp_path / marker).mkdir()
    else:
        (tmp_path / marker).write_text("", encoding="utf-8")
    assert Loader().for_path(target).source_roots() == (str(tmp_path),)  # flake8, pylint and the CLI
    capsys.readouterr()
    assert main(["check", "--no-cache", target]) == 1
    assert "ns/model.py:8:" in capsys.readouterr().out.replace(os.sep, "/")
    assert main(["check", "--no-cache", "--src", str(tmp_path / "ns"), target]) == 0  # `--src` replaces it


def test_the_project_top_stops_at_the_repository(tmp_path: Path) -> None:
    """Packaging above a repository's top belongs to another project (a stray pyproject.toml in a home
    directory must not make every checkout under it one source root)."""
    from tf2lint.hosts.config import Loader, default_config

    repo = tmp_path / "repo"
    write(tmp_path, {"pyproject.toml": "", "repo/ns/ops.py": OPS_UNNAMED,
                     "repo/ns/model.py": model("from repo.ns import ops", "ops.conv_block(x, 4)")})
    (repo / ".git").write_text("gitdir: elsewhere\n", encoding="utf-8")  # a worktree's `.git` is a file
    assert default_config(str(repo / "ns")).project_top == repo
    assert Loader().for_path(str(repo / "ns" / "model.py")).source_roots() == (str(repo),)
    assert findings(repo / "ns" / "model.py", src=(str(repo),)) == []
    assert findings(repo / "ns" / "model.py", src=(str(tmp_path),)) == [(8, "TFS101")]  # were it the top


def test_unsaved_text_of_a_helper_wins_over_the_disk(tmp_path: Path) -> None:
    from tf2lint.analysis import project

    write(tmp_path, {"pkg/__init__.py": "", "pkg/ops.py": OPS_UNNAMED,
                     "pkg/model.py": model("from . import ops", "ops.conv_block(x, 4)")})
    target = tmp_path / "pkg" / "model.py"
    assert findings(target) == [(8, "TFS101")]
    named = OPS_UNNAMED.replace("conv2d(x, width, 3)", 'conv2d(x, width, 3, name="c")')
    project.UNSAVED[os.path.realpath(tmp_path / "pkg" / "ops.py")] = named
    try:
        assert findings(target) == []  # the editor's buffer, not the file
    finally:
        project.UNSAVED.clear()
    assert findings(target) == [(8, "TFS101")]


OPS_WITH_LAYER = OPS_UNNAMED + """

class Head(tf.keras.layers.Layer):
    def call(self, x):
        return tf.compat.v1.get_variable("w", [3]) * x
"""


def test_a_file_read_as_a_dependency_reuses_that_tree_and_finds_the_same(tmp_path: Path, monkeypatch) -> None:
    """A linted file an earlier file's analysis read from the same text is not parsed again; any other text
    (an editor's buffer, stdin) is."""
    from tf2lint import engine
    from tf2lint.analysis import project

    write(tmp_path, {"pkg/__init__.py": "", "pkg/ops.py": OPS_WITH_LAYER,
                     "pkg/model.py": model("from . import ops", "ops.conv_block(x, 4)")})
    ops = tmp_path / "pkg" / "ops.py"
    fresh = findings(ops)
    assert [code for _line, code in fresh] == ["TFS107"]
    project._PROJECTS.clear()
    parsed: list[str] = []
    real_parse = engine.parse
    monkeypatch.setattr(engine, "parse", lambda text, path, flags=0: parsed.append(path) or real_parse(text, path, flags))
    assert findings(tmp_path / "pkg" / "model.py") == [(8, "TFS101")]  # reads ops.py as a dependency
    assert parsed == [str(tmp_path / "pkg" / "model.py")]
    assert findings(ops) == fresh
    assert len(parsed) == 1, parsed  # ops.py came from the dependency's tree
    assert findings(ops) == fresh  # and once more: the project's summary was not released by the first use
    edited = OPS_WITH_LAYER.replace('get_variable("w", [3])', "tf.ones([3])")
    assert engine.lint_source(edited, str(ops)) == []
    assert parsed[1:] == [str(ops)]


def test_inside_stable_files_the_hosts_contents_serve_as_dependencies(tmp_path: Path) -> None:
    """`tf2lint check` reads every file once: the bytes it read for linting are what other files' analyses
    follow (the batch declares the tree stable); outside the batch the disk is read again."""
    from tf2lint.analysis import project

    write(tmp_path, {"pkg/__init__.py": "", "pkg/ops.py": OPS_UNNAMED,
                     "pkg/model.py": model("from . import ops", "ops.conv_block(x, 4)")})
    named = OPS_UNNAMED.replace("conv2d(x, width, 3)", 'conv2d(x, width, 3, name="c")').encode()
    target = tmp_path / "pkg" / "model.py"
    assert findings(target) == [(8, "TFS101")]
    with project.stable_files([(str(tmp_path / "pkg" / "ops.py"), named)]):
        assert findings(target) == []
    assert findings(target) == [(8, "TFS101")]


# Modules whose shim code is only visible through the project: no shim word, no `def call` in their text.
# The triage (`tf2lint.analysis.triage`) must send each to the analysis, and the plain look-alike past it.
COMPAT_RENAMED = (
    "import tensorflow as tf\n\ntrack = tf.compat.v1.keras.utils.track_tf1_style_variables\nshim_it = track\n"
)
# The shim walk reads a base class's module only when its text could spell the decorator (`track...`).
BASE_CALLS_FORWARD = """\
import tensorflow as tf

from pkg.compat import track


class Base(tf.keras.layers.Layer):
    @track
    def call(self, x):
        return self.forward(x)

    def forward(self, x):
        return x
"""


@pytest.mark.parametrize(
    ("files", "target", "expected"),
    [
        pytest.param(  # a renamed alias, re-exported by the package, on a method that is not `call`
            {"pkg/__init__.py": "from .compat import shim_it as wrap\n", "pkg/compat.py": COMPAT_RENAMED,
             "pkg/model.py": "import tensorflow as tf\nfrom pkg import wrap\nfrom pkg.base import Base\n\n\n"
                             "class Model(Base):\n    @wrap\n    def forward(self, x):\n"
                             "        return tf.compat.v1.layers.dense(x, 3)\n"},
            "pkg/model.py", [(9, "TFS101")], id="re-exported-alias",
        ),
        pytest.param(  # the base's decorated `call` runs this module's override
            {"pkg/__init__.py": "", "pkg/compat.py": COMPAT_RENAMED,
             "pkg/model.py": "import tensorflow as tf\nfrom pkg.base import Base\n\n\n"
                             "class Model(Base):\n    def forward(self, x):\n"
                             "        return tf.compat.v1.layers.dense(x, 3)\n"},
            "pkg/model.py", [(7, "TFS101")], id="inherited-shim-method",
        ),
        pytest.param(  # the alias bound inside a function, used on a class defined there
            {"pkg/__init__.py": "", "pkg/compat.py": COMPAT_RENAMED,
             "pkg/model.py": "import tensorflow as tf\nfrom pkg import compat\n\n\ndef build():\n    wrap = compat.shim_it\n\n"
                             "    class Model(tf.keras.layers.Layer):\n        @wrap\n        def forward(self, x):\n"
                             "            return tf.compat.v1.layers.dense(x, 3)\n\n    return Model()\n"},
            "pkg/model.py", [(11, "TFS101")], id="alias-bound-in-a-function",
        ),
        pytest.param(  # the same module without any shim: parsed, not analysed, silent
            {"pkg/__init__.py": "", "pkg/compat.py": COMPAT_RENAMED,
             "pkg/model.py": "import tensorflow as tf\nfrom pkg import compat\n\n\n"
                             "class Model(tf.keras.layers.Layer):\n    @property\n    def size(self):\n        return 3\n\n"
                             "    def forward(self, x):\n        return tf.compat.v1.layers.dense(x, 3)\n"},
            "pkg/model.py", [], id="plain-look-alike",
        ),
    ],
)
def test_shim_code_seen_only_through_the_project_is_analysed(tmp_path: Path, files: dict, target: str, expected: list) -> None:
    write(tmp_path, {"pkg/base.py": BASE_CALLS_FORWARD, **files})
    assert findings(tmp_path / target) == expected


TRAINED_MODEL = """\
import tensorflow as tf


class Model(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return tf.compat.v1.layers.dense(x, 3)
"""

TRAIN_SCRIPT = """\
import tensorflow as tf

from pkg.model import Model

model = Model()
print(model(tf.ones((2, 4))))
"""


def test_a_model_a_script_imports_and_calls_is_still_checked(tmp_path: Path) -> None:
    """The common layout: the layer in its module, built and called by a script that opens no scope. The
    script's import must not make the layer's own unnamed dense unknown (it once silenced every such TFS101)."""
    write(tmp_path, {"pkg/__init__.py": "", "pkg/model.py": TRAINED_MODEL, "pkg/train.py": TRAIN_SCRIPT})
    assert findings(tmp_path / "pkg/model.py") == [(7, "TFS101")]


def test_a_helper_that_starts_using_get_or_create_layer_is_seen_by_the_next_lint(tmp_path: Path) -> None:
    """A long-lived process (the editor server) lints outside `stable_files`: the import gate of TFS109
    (does a module this one imports mention `get_or_create_layer`?) must follow the helper's new text."""
    plain = "import tensorflow as tf\n\nfrom .heads import head\n\n\ndef test_head():\n    return head(tf.ones((1, 3)))\n"
    before = GOCL_HELPER.replace('tf.compat.v1.keras.utils.get_or_create_layer("head", make_head)(x)', "make_head()(x)")
    write(tmp_path, {"pkg/__init__.py": "", "pkg/heads.py": before, "pkg/plain.py": plain})
    assert findings(tmp_path / "pkg/plain.py") == []
    (tmp_path / "pkg" / "heads.py").write_text(GOCL_HELPER, encoding="utf-8")
    os.utime(tmp_path / "pkg" / "heads.py", ns=(1, 1))  # a new stamp even within the clock's resolution
    assert findings(tmp_path / "pkg/plain.py") == [(7, "TFS109")]


INNER_LAYER = """\
import tensorflow as tf


def make_dense():
    return tf.keras.layers.Dense(3)


class Inner(tf.keras.layers.Layer):
    def call(self, x):
        return tf.compat.v1.keras.utils.get_or_create_layer("inner", make_dense)(x)
"""

OUTER_LAYER = """\
import tensorflow as tf

from .inner import Inner


class Outer(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.inner = Inner()

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return self.inner(x)
"""


def test_a_layer_whose_caller_in_another_module_is_decorated_is_silent(tmp_path: Path) -> None:
    # Measured (TF 2.21): the inner undecorated `call` runs in the outer layer's store, no error.
    write(tmp_path, {"pkg/__init__.py": "", "pkg/inner.py": INNER_LAYER})
    assert findings(tmp_path / "pkg/inner.py") == [(10, "TFS109")]  # no caller anywhere: Keras runs it alone
    write(tmp_path, {"pkg/outer.py": OUTER_LAYER})
    assert findings(tmp_path / "pkg/inner.py") == []
    assert findings(tmp_path / "pkg/outer.py") == []


BUILDERS = """\
import tensorflow as tf


def sized(units):
    return tf.keras.layers.Dense(units)


def fixed():
    return tf.keras.layers.Dense(3)
"""


@pytest.mark.parametrize(
    ("builder", "expected"),
    [("sized", [(10, "TFS109")]), ("create_layer_method=sized", [(10, "TFS109")]), ("fixed", []),
     ("functools.partial(sized, 3)", [])],
)
def test_an_imported_builder_that_needs_arguments(tmp_path: Path, builder: str, expected: list) -> None:
    model = f"""\
    import functools

    import tensorflow as tf
    from .builders import fixed, sized

    class Model(tf.keras.layers.Layer):
        @tf.compat.v1.keras.utils.track_tf1_style_variables
        def call(self, x):
            utils = tf.compat.v1.keras.utils
            return utils.get_or_create_layer("head", {builder})(x)
    """
    write(tmp_path, {"pkg/__init__.py": "", "pkg/builders.py": BUILDERS, "pkg/model.py": model})
    assert findings(tmp_path / "pkg/model.py") == expected


def test_a_cached_silence_is_dropped_when_the_module_that_named_the_layer_changes(tmp_path: Path, capsys) -> None:
    from tf2lint.hosts.cli import main

    write(tmp_path, {"pkg/__init__.py": "", "pkg/inner.py": INNER_LAYER, "pkg/outer.py": OUTER_LAYER})
    cache = tmp_path / "cache"
    args = ["check", "--cache-dir", str(cache), "--format", "json", "--exit-zero", str(tmp_path / "pkg/inner.py")]
    main(args)
    assert "TFS109" not in capsys.readouterr().out
    (tmp_path / "pkg/outer.py").write_text("import tensorflow as tf\n", encoding="utf-8")  # no longer uses Inner
    main(args)
    assert "TFS109" in capsys.readouterr().out


BLOCK_LAYER = """\
import tensorflow as tf

v1 = tf.compat.v1


class Block(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, h):
        with v1.variable_scope(None, default_name="gate"):
            return h * v1.get_variable("g", shape=[4])
"""


def tower(scoped: bool) -> str:
    call = 'with v1.variable_scope("tower"):\n            return self.block(h)' if scoped else "return self.block(h)"
    return f"""\
import tensorflow as tf

from .layers import Block

v1 = tf.compat.v1


class Tower(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.block = Block()

    @v1.keras.utils.track_tf1_style_variables
    def call(self, h):
        {call}
"""


@pytest.mark.parametrize(("scoped", "expected", "defining"), [
    (True, [], []),
    (False, [(15, "TFS102")], [(9, "TFS102")]),
])
def test_a_decorated_layer_of_another_module_runs_under_its_callers_scopes(
    tmp_path: Path, scoped, expected, defining, capsys,
) -> None:
    from tf2lint.hosts.cli import main

    # Measured (test_callable_semantics, one module): under the caller's named scope the default-name scope
    # is numbered afresh each call (stable); with no scope around it, it grows. The defining module sees its
    # callers only as text: one that may open a `variable_scope` around it leaves it unknown (silent there),
    # one that opens none cannot change what its own walk finds. The caller's module reports at the call.
    write(tmp_path, {"pkg/__init__.py": "", "pkg/layers.py": BLOCK_LAYER, "pkg/model.py": tower(scoped)})
    assert findings(tmp_path / "pkg/layers.py") == defining
    assert findings(tmp_path / "pkg/model.py") == expected
    # The same through `check`, where the index of importers is built once for the run's stable files.
    main(["check", "--no-cache", "--format", "json", "--exit-zero", str(tmp_path / "pkg")])
    reported = json.loads(capsys.readouterr().out)
    assert sorted((os.path.basename(f["path"]), f["line"], f["code"]) for f in reported) == sorted(
        [("layers.py", *f) for f in defining] + [("model.py", *f) for f in expected]
    )
    write(tmp_path, {"pkg/model.py": "import tensorflow as tf\n"})  # nobody imports it: Keras runs it alone
    assert findings(tmp_path / "pkg/layers.py") == [(9, "TFS102")]


WRAPPER = """\
import tensorflow as tf


def tf1_compatible(method):
    \"\"\"The project's name for the shim.\"\"\"
    return tf.compat.v1.keras.utils.track_tf1_style_variables(method)


def not_the_shim(method):
    return tf.function(method)
"""

WRAPPED = """\
import tensorflow as tf

from pkg.compat import {decorator}

v1 = tf.compat.v1


class Net(tf.keras.layers.Layer):
    @{decorator}
    def call(self, x):
        return v1.layers.dense(x, 3)
"""


@pytest.mark.parametrize(("decorator", "expected"), [("tf1_compatible", [(11, "TFS101")]), ("not_the_shim", [(10, "TFS107")])])
def test_a_function_forwarding_to_the_shim_in_another_module_is_the_shim(tmp_path: Path, decorator, expected) -> None:
    """Its methods are shim code (TFS101 inside, no TFS107); a forwarder to something else is not the shim."""
    write(tmp_path, {"pkg/__init__.py": "", "pkg/compat.py": WRAPPER, "pkg/model.py": WRAPPED.format(decorator=decorator)})
    assert findings(tmp_path / "pkg" / "model.py") == expected


OPS_PER_CALL = """\
import tensorflow as tf


def bn(x):
    return tf.keras.layers.BatchNormalization()(x)


def dense(x):
    return tf.compat.v1.layers.dense(x, 3)
"""

MANY_CALLS = """\
import tensorflow as tf

from pkg import ops

v1 = tf.compat.v1


class Net(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        x = ops.bn(x)
        x = ops.bn(x)
        with v1.variable_scope("a"):
            x = ops.bn(x)
            x = ops.dense(x)
        x = ops.dense(x)
        return ops.bn(x) + ops.dense(x)
"""


def test_one_cause_one_finding_where_the_path_does_not_matter(tmp_path: Path) -> None:
    """A helper building a Keras layer per call is one TFS106 (at the first call, naming the others); an
    unnamed v1 layer depends on the scope of each path, so each unscoped call keeps its own TFS101."""
    write(tmp_path, {"pkg/__init__.py": "", "pkg/ops.py": OPS_PER_CALL, "pkg/model.py": MANY_CALLS})
    found = lint_path(str(tmp_path / "pkg" / "model.py"))
    assert [(f.line, f.code) for f in found] == [(11, "TFS106"), (16, "TFS101"), (17, "TFS101")]
    assert "also built through the calls at lines 12, 14, 17" in found[0].message


def test_the_project_top_is_looked_for_once_per_directory(tmp_path: Path) -> None:
    """A run asks for the top of every directory it lints: each directory's answer is found once and serves
    the directories below it."""
    from tf2lint.hosts.config import project_top

    (tmp_path / "setup.cfg").write_text("", encoding="utf-8")
    deep = tmp_path / "a" / "b" / "c"
    deep.mkdir(parents=True)
    known: dict = {}
    assert project_top(str(deep), known) == tmp_path
    assert known == dict.fromkeys(map(str, (deep, deep.parent, deep.parent.parent, tmp_path)), tmp_path)
    (deep / "pyproject.toml").write_text("", encoding="utf-8")
    assert project_top(str(deep), known) == tmp_path  # answered from what the run found
    assert project_top(str(deep)) == deep  # a fresh look (the server's) sees the new file
