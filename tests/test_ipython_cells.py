"""Notebook cells read as IPython reads them: the decisions of `tf2lint/ipython_cells.py` against IPython's own
input transformers (where IPython is installed), and line numbers kept."""

from __future__ import annotations

import ast
import json

import pytest

from tf2lint.engine import lint_notebook
from tf2lint.ipython_cells import PYTHON_CELL_MAGICS, python_lines

# Cells IPython runs; the ones marked in the issue (tensorflow/docs) were TFS000 before.
CELLS = {
    "indented first line": "    import tensorflow as tf\n    x = tf.ones([2])\n",
    "indented after blank lines": "\n\n  %time x = 1\n  y = 2\n",
    "shell escape continued": "!pip install \\\n   tensorflow \\\n   tf-keras\nx = 1\n",
    "indented shell escape continued": "if True:\n    !pip install \\\n      foo\n    x = 1\n",
    "modulo on a continuation line": "y = (3\n     % 2)\n",
    "modulo after a backslash": "y = 3 \\\n    % 2\n",
    "assigned shell continued": "files = !ls \\\n  -l\nn = len(files)\n",
    "assigned magic": "t = %timeit -o sum(range(3))\n",
    "help": "x = 1\nx?\nlen??\n",
    "classic prompts": ">>> x = 1\n... y = 2\n",
    "ipython prompts": "In [1]: x = 1\n   ...: y = 2\n",
    "magic text in a string": 's = """\n%notmagic\n!nor this\n"""\n',
    "magic after a string": 's = "(" \n%time x = 1\n',
    "comment with a bracket": "x = 1  # (\n%time y = 2\n",
    "time cell": "%%time\nx = 1\n",
    "bash cell": "%%bash\necho hi\n",
}


def test_line_numbers_are_kept_and_the_result_parses() -> None:
    for name, cell in CELLS.items():
        lines = cell.split("\n")
        result = python_lines(lines)
        if name == "bash cell":
            assert result is None
            continue
        assert result is not None and len(result.lines) == len(lines), name
        ast.parse("\n".join(result.lines))


def test_what_each_line_becomes() -> None:
    def read(cell: str) -> list[str]:
        result = python_lines(cell.split("\n"))
        assert result is not None
        return result.lines

    assert read(CELLS["shell escape continued"]) == ["pass", "", "", "x = 1", ""]
    assert read(CELLS["indented shell escape continued"]) == ["if True:", "    pass", "", "    x = 1", ""]
    assert read(CELLS["modulo on a continuation line"]) == ["y = (3", "     % 2)", ""]
    assert read(CELLS["assigned shell continued"]) == ["files = None", "", "n = len(files)", ""]
    assert read(CELLS["magic text in a string"])[1:3] == ["%notmagic", "!nor this"]
    assert read(CELLS["indented first line"]) == ["import tensorflow as tf", "x = tf.ones([2])", ""]
    assert python_lines(CELLS["indented first line"].split("\n")).shifts == [4, 4, 0]  # type: ignore[union-attr]


def _normalised(tree: ast.Module) -> str:
    """IPython's calls (`get_ipython().system(...)`) as the do-nothing lines tf2lint writes instead."""

    class Calls(ast.NodeTransformer):
        def visit_Expr(self, node: ast.Expr) -> ast.AST:
            return ast.Pass() if _ipython_call(node.value) else node

        def visit_Assign(self, node: ast.Assign) -> ast.AST:
            if _ipython_call(node.value):
                node.value = ast.Constant(None)
            return node

    return ast.dump(Calls().visit(tree), include_attributes=False)


def _ipython_call(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and "get_ipython" in ast.unparse(node.func)


@pytest.mark.parametrize("name", sorted(CELLS))
def test_the_same_decisions_as_ipython(name: str) -> None:
    transformer = pytest.importorskip("IPython.core.inputtransformer2").TransformerManager()
    cell = CELLS[name]
    ours = python_lines(cell.split("\n"))
    first = cell.lstrip("\n").split("\n", 1)
    magic = first[0][2:].split(None, 1)[0] if first[0].startswith("%%") else None
    if magic is not None:
        # A cell magic: IPython hands the body to the magic. Python-bodied ones (`%%time`) run it as Python,
        # which tf2lint checks; any other is another language, which it skips.
        assert (ours is None) == (magic not in PYTHON_CELL_MAGICS)
        if ours is not None:
            assert _normalised(ast.parse("\n".join(ours.lines))) == _normalised(ast.parse(transformer.transform_cell(first[1])))
        return
    assert ours is not None
    assert _normalised(ast.parse("\n".join(ours.lines))) == _normalised(ast.parse(transformer.transform_cell(cell)))


def test_a_notebook_of_such_cells_is_checked_and_located_exactly() -> None:
    cells = [*(c for n, c in CELLS.items() if n != "bash cell"), (
        "  import tensorflow as tf\n"
        "\n"
        "  class Net(tf.keras.layers.Layer):\n"
        "      @tf.compat.v1.keras.utils.track_tf1_style_variables\n"
        "      def call(self, x):\n"
        "          return tf.compat.v1.layers.dense(x, 3)\n"
    )]
    document = {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": cell} for cell in cells],
    }
    found = lint_notebook(json.dumps(document).encode(), "n.ipynb")
    assert [(f.cell, f.line, f.col, f.code) for f in found] == [(len(cells), 6, 17, "TFS101")]


# One-line cells, as IPython's dynamic transforms read them (automagic): the ones marked run a magic in IPython.
AUTOMAGIC_CELLS = {
    "ls ./data/train/": True,  # tensorflow/docs' wav2vec2 tutorial: was TFS000
    "ls ./x\n": True,
    "\n\n    pip install -q datasets": True,
    "mkdir -p data": True,
    "ls ./x\n\n": False,  # two lines: no dynamic transform, a syntax error in IPython too
    "x = 1\nls ./x": False,
    "ls = 3": False,
    "tensorboard --logdir x": False,  # not a magic: a syntax error in IPython too
}
# Python that IPython still runs as a magic unless the session binds the name: read as the Python it is.
PYTHON_MAGIC_NAMES = ("pwd", "ls(3)", "ls -la | head")


@pytest.mark.parametrize("cell", sorted(AUTOMAGIC_CELLS))
def test_a_one_line_cell_calls_a_magic_as_ipython_does(cell: str) -> None:
    ours = python_lines(cell.split("\n"))
    assert ours is not None
    magic = "pass" in ours.lines
    assert magic == AUTOMAGIC_CELLS[cell]
    shell = pytest.importorskip("IPython.core.interactiveshell").InteractiveShell.instance()
    assert ("run_line_magic" in shell.transform_cell(cell)) == magic
    if not magic:
        assert ours.lines == cell.split("\n")


@pytest.mark.parametrize("cell", PYTHON_MAGIC_NAMES)
def test_a_one_line_cell_that_is_python_stays_python(cell: str) -> None:
    ours = python_lines([cell])
    assert ours is not None and ours.lines == [cell]
    ast.parse(cell)
    shell = pytest.importorskip("IPython.core.interactiveshell").InteractiveShell.instance()
    assert "run_line_magic" in shell.transform_cell(cell)  # (in a session that binds none of these names)
