"""`--fix`, `--unsafe-fixes` and `--diff` on notebooks: edits land in their cells, everything else is kept."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from tf2lint.engine import Settings, lint_notebook
from tf2lint.fixing.notebook import fix_notebook
from tf2lint.hosts.cli import main

LAYER = '''\
class Net(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        %time y = 1
        h = tf.compat.v1.layers.dense(x, 3)
        return tf.compat.v1.layers.dense(h, 4)'''

SCOPE = '''\
class Scoped(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with tf.compat.v1.variable_scope(None, default_name="block"):
            return tf.compat.v1.layers.dense(x, 4, name="out")'''


def notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Model\n![plot](attachment:plot.png)",
                                      attachments={"plot.png": {"image/png": "iVBORw0KGgo="}}),
        nbformat.v4.new_code_cell("!pip install tensorflow\nimport tensorflow as tf"),
        nbformat.v4.new_code_cell(LAYER, execution_count=3, metadata={"tags": ["model"], "collapsed": False},
                                  outputs=[nbformat.v4.new_output("stream", text="built\n")]),
        nbformat.v4.new_code_cell("%%bash\necho tensorflow"),
        nbformat.v4.new_code_cell(SCOPE),
        nbformat.v4.new_code_cell("Net()(tf.ones([1, 2]))", execution_count=4, outputs=[
            nbformat.v4.new_output("execute_result", data={"text/plain": "<tf.Tensor ...>"}, execution_count=4)
        ]),
    ]
    return nb


def write(tmp_path: Path, nb: nbformat.NotebookNode | None = None, **dumps) -> Path:
    path = tmp_path / "model.ipynb"
    if dumps:
        path.write_text(json.dumps(nb or notebook(), **dumps), encoding="utf-8")
    else:
        nbformat.write(nb or notebook(), str(path))
    return path


def without_sources(document: dict) -> dict:
    return {**document, "cells": [{k: v for k, v in c.items() if k != "source"} for c in document["cells"]]}


def test_fix_edits_the_cells_and_keeps_everything_else(tmp_path: Path) -> None:
    path = write(tmp_path)
    before_text = path.read_text(encoding="utf-8")
    assert main(["check", "--fix", str(path)]) == 1  # the unsafe TFS102 remains
    after_text = path.read_text(encoding="utf-8")
    before, after = json.loads(before_text), json.loads(after_text)
    assert without_sources(after) == without_sources(before)  # outputs, metadata, ids, attachments
    assert list(after) == list(before) and [list(c) for c in after["cells"]] == [list(c) for c in before["cells"]]
    fixed = "".join(after["cells"][2]["source"])
    assert 'dense(x, 3, name="dense")' in fixed and 'dense(h, 4, name="dense_1")' in fixed
    assert "%time y = 1" in fixed  # magics untouched
    assert after["cells"][1] == before["cells"][1] and after["cells"][3] == before["cells"][3]
    assert after["cells"][2]["source"][-1].endswith(")")  # nbformat's list-of-lines form, no newline added
    nbformat.validate(nbformat.reads(after_text, as_version=4))
    assert after_text == nbformat.writes(nbformat.reads(after_text, as_version=4)) + "\n"  # nbformat's own layout
    assert [f.code for f in lint_notebook(path.read_bytes(), str(path))] == ["TFS102"]


def test_second_fix_changes_nothing(tmp_path: Path) -> None:
    path = write(tmp_path)
    main(["check", "--fix", "--unsafe-fixes", str(path)])
    once = path.read_bytes()
    assert main(["check", "--fix", "--unsafe-fixes", str(path)]) == 0
    assert path.read_bytes() == once
    assert 'variable_scope("block")' in "".join(json.loads(once)["cells"][4]["source"])


@pytest.mark.parametrize("dumps", [{"indent": 2}, {"indent": 4, "ensure_ascii": True}], ids=["indent2", "indent4-ascii"])
def test_layout_of_other_writers_is_kept(tmp_path: Path, dumps: dict) -> None:
    nb = notebook()
    nb.cells[1].source += "  # café"
    path = write(tmp_path, nb, **dumps)  # no trailing newline either
    result = fix_notebook(path.read_bytes(), str(path), Settings(), unsafe=False)
    assert result is not None and result.changed and not result.problems
    expected = json.loads(result.fixed)
    assert result.fixed == json.dumps(expected, **dumps)
    nbformat.validate(nbformat.reads(result.fixed, as_version=4))


def test_diff_is_a_patch_of_the_notebook_and_writes_nothing(tmp_path: Path, capsys) -> None:
    path = write(tmp_path)
    before = path.read_bytes()
    assert main(["check", "--diff", "--unsafe-fixes", str(path)]) == 1
    out = capsys.readouterr().out
    # A diff of the .ipynb file itself (a valid patch), touching only the fixed lines of the cells' sources.
    assert f"--- a/{path}\n" in out and f"+++ b/{path}\n" in out
    assert '+    "        h = tf.compat.v1.layers.dense(x, 3, name=\\"dense\\")\\n",' in out
    assert all(line[1:].lstrip().startswith('"') for line in out.splitlines() if line[:1] in "+-" and line[1:3] not in ("--", "++"))
    assert path.read_bytes() == before


def test_a_fix_that_would_touch_a_magic_line_is_refused(tmp_path: Path) -> None:
    nb = notebook()
    # Not straight-line: the (unsafe) fix wraps the whole body in a scope, re-indenting `%time` too.
    nb.cells[2].source = LAYER.replace("        h = tf.compat.v1.layers.dense(x, 3)\n", "").replace(
        "        return tf.compat.v1.layers.dense(h, 4)",
        "        for _ in range(2):\n            x = tf.compat.v1.layers.dense(x, 3)\n        return x")
    path = write(tmp_path, nb)
    result = fix_notebook(path.read_bytes(), str(path), Settings(), unsafe=True)
    assert result is not None and "cell 3: a fix touches an IPython magic" in result.problems[0]
    fixed = json.loads(result.fixed)
    assert fixed["cells"][2]["source"] == nb.cells[2].source.splitlines(True)  # left as it was
    assert 'variable_scope("block")' in "".join(fixed["cells"][4]["source"])  # other cells still fixed
    assert [(f.cell, f.code) for f in result.findings] == [(3, "TFS101")]
    nbformat.validate(nbformat.reads(result.fixed, as_version=4))


def test_unreadable_notebook_is_reported_not_fixed(tmp_path: Path, capsys) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [ tensorflow')
    assert main(["check", "--fix", str(path)]) == 1
    assert "TFS000" in capsys.readouterr().out
    assert path.read_text() == '{"cells": [ tensorflow'
