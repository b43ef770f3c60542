"""Whole-project analysis: shim code followed into the project's other modules, on packages on disk."""

from __future__ import annotations

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
            return head(x)  # its caller is unknown: silent here


    def test_plain():
        return Plain()(tf.ones((1, 3)))
    """
    write(tmp_path, {"pkg/__init__.py": "", "pkg/heads.py": GOCL_HELPER, "pkg/plain.py": plain})
    assert findings(tmp_path / "pkg/plain.py") == [(12, "TFS109")]
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
