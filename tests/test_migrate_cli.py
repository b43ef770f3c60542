"""`tf2lint migrate` as a command: per-class report, formatting and comments kept, `--diff` applies with
`git apply` and gives what `--write` writes, refused classes untouched. No TensorFlow needed (the proof
under TF is tests/migration/)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tf2lint.hosts.migrate import migrate_text

SOURCE = textwrap.dedent('''\
    # -*- coding: utf-8 -*-
    """A model."""
    import tensorflow as tf

    v1 = tf.compat.v1


    class Tower(tf.keras.layers.Layer):
        """Two dense layers."""

        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units  # width

        @v1.keras.utils.track_tf1_style_variables
        def call(self, inputs, training=None):
            # the tower
            with v1.variable_scope("tower"):
                out = v1.layers.dense(
                    inputs,
                    self.units,  # the width
                    activation=tf.nn.relu,
                )
                out = v1.layers.dropout(out, 0.1, training=training)  # light
                out = v1.layers.dense(out, 2)
                return v1.layers.batch_normalization(out, training=training)


    class Looped(tf.keras.layers.Layer):
        @v1.keras.utils.track_tf1_style_variables
        def call(self, inputs):
            with v1.variable_scope("looped"):
                for _ in range(2):  # a loop
                    inputs = v1.layers.dense(inputs, 3)
                return inputs
''')


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tf2lint", "migrate", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def _comments(text: str) -> list[str]:
    return [line.split("#", 1)[1].strip() for line in text.splitlines() if "#" in line]


def test_objects_stage_keeps_formatting_and_comments() -> None:
    new, plans = migrate_text(SOURCE, "m.py", "objects")
    status = {p.name: p.status for p in plans}
    assert status == {"Tower": "migrated", "Looped": "refused"}
    assert sorted(_comments(new)) == sorted(_comments(SOURCE))  # each kept once (the moved ones move)
    assert "self.dense = v1.layers.Dense(\n" in new and 'name="dense_1"' in new
    assert "out = self.dense(inputs)" in new and "self.dropout(out, training=training)  # light" in new
    assert "self.batch_normalization = v1.layers.BatchNormalization(name=\"batch_normalization\")" in new
    looped = SOURCE[SOURCE.index("class Looped"):]
    assert new.endswith(looped)  # refused: untouched
    second, _ = migrate_text(new, "m.py", "objects")
    assert second == new  # nothing left to do


def test_native_stage_after_objects() -> None:
    objects, _ = migrate_text(SOURCE, "m.py", "objects")
    native, plans = migrate_text(objects, "m.py", "native", "Tower")
    assert [p.status for p in plans] == ["migrated"]
    assert "self.dense = tf.keras.layers.Dense(\n" in native
    assert 'self.dropout = tf.keras.layers.Dropout(0.1, name="dropout")' in native
    assert "v1.layers" not in native[: native.index("class Looped")].split("def call")[0]
    assert sorted(_comments(native)) == sorted(_comments(SOURCE))


def test_refusal_reasons_are_per_class_and_actionable(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(SOURCE)
    result = run("m.py", "--stage", "objects", cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert "m.py:8: Tower: migrated (objects): 4 change(s)" in lines
    assert "m.py:29: Looped: refused (objects), left as it is:" in lines
    assert any("m.py:34:" in line and "runs in a loop" in line for line in lines)
    assert (tmp_path / "m.py").read_text() == SOURCE  # no --write: nothing written


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_diff_applies_with_git_apply_and_equals_write(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "pkg").mkdir()
    (repo / "pkg" / "m.py").write_text(SOURCE)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    result = run("pkg/m.py", "--stage", "objects", "--diff", cwd=repo)
    assert result.returncode == 1 and result.stdout.startswith("--- a/pkg/m.py")
    assert "Tower: migrated" in result.stderr  # the report stays out of the patch
    (tmp_path / "patch").write_text(result.stdout)
    subprocess.run(["git", "apply", "--check", str(tmp_path / "patch")], cwd=repo, check=True)
    subprocess.run(["git", "apply", str(tmp_path / "patch")], cwd=repo, check=True)
    applied = (repo / "pkg" / "m.py").read_text()
    (repo / "pkg" / "m.py").write_text(SOURCE)
    run("pkg/m.py", "--stage", "objects", "--write", cwd=repo)
    assert (repo / "pkg" / "m.py").read_text() == applied != SOURCE


def test_unknown_class_and_bad_file(tmp_path: Path) -> None:
    (tmp_path / "bad.py").write_text("def (:\n")
    result = run("bad.py", "--stage", "objects", cwd=tmp_path)
    assert result.returncode == 1 and "bad.py: not migrated" in result.stdout and "Traceback" not in result.stderr
    (tmp_path / "m.py").write_text(SOURCE)
    result = run("m.py", "--stage", "native", "--class", "Nope", cwd=tmp_path)
    assert result.returncode == 0 and "0 class(es) migrated" in result.stdout
    assert os.path.getsize(tmp_path / "m.py") == len(SOURCE.encode())
    result = run("missing.py", "--stage", "objects", cwd=tmp_path)
    assert result.returncode == 2 and "path not found: missing.py" in result.stderr


def _corpus() -> list[str]:
    from tf2lint.rules import RULES

    data = Path(__file__).parent / "data"
    return [s for r in RULES for s in (*r.bad, *r.good)] + [(data / n).read_text() for n in ("guide_correct.py", "tf1_graph_code.py")]


@pytest.mark.parametrize("checkpoint_only", [False, True])
def test_every_rule_example_goes_through_every_stage_without_harm(checkpoint_only: bool) -> None:
    """No exception, the result parses, a migrated class gives a result the next stage accepts, and running a
    stage again changes nothing."""
    import ast

    migrated = 0
    for source in _corpus():
        objects, plans = migrate_text(source, "m.py", "objects", None, checkpoint_only)
        ast.parse(objects)
        migrated += sum(p.status == "migrated" for p in plans)
        assert all(p.refusals for p in plans if p.status == "refused")
        assert migrate_text(objects, "m.py", "objects", None, checkpoint_only)[0] == objects
        native, _ = migrate_text(objects, "m.py", "native")
        ast.parse(native)
        assert migrate_text(native, "m.py", "native")[0] == native
        weights, _ = migrate_text(native, "m.py", "weights")
        ast.parse(weights)
        assert migrate_text(weights, "m.py", "weights")[0] == weights
    assert migrated >= 3


WEIGHTS = textwrap.dedent('''\
    import tensorflow as tf

    v1 = tf.compat.v1


    class DenseLayer(tf.keras.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        @v1.keras.utils.track_tf1_style_variables
        def call(self, inputs):
            out = inputs
            with v1.variable_scope("dense"):
                kernel = v1.get_variable(
                    "kernel", [out.shape[-1], self.units],  # fan in, units
                    regularizer=tf.keras.regularizers.L2())
                bias = v1.get_variable(name="bias", shape=[self.units], initializer=v1.zeros_initializer())
                return tf.matmul(out, kernel) + bias
''')


def test_weights_stage_after_objects() -> None:
    same, plans = migrate_text(WEIGHTS, "m.py", "weights")
    assert same == WEIGHTS and "run `--stage objects` first" in plans[0].refusals[0][1]
    objects, _ = migrate_text(WEIGHTS, "m.py", "objects")
    assert "self.kernel = kernel\n" in objects and "self.bias = bias\n" in objects
    weights, plans = migrate_text(objects, "m.py", "weights")
    assert [p.status for p in plans] == ["migrated"]
    assert "    def build(self, input_shape):\n        self.kernel = self.add_weight(\n" in weights
    assert 'name="dense/kernel", shape=[input_shape[-1], self.units],  # fan in, units' in weights
    assert "initializer=v1.glorot_uniform_initializer())" in weights  # get_variable's default, made explicit
    assert "            kernel = self.kernel\n            bias = self.bias\n" in weights
    assert "get_variable" not in weights and sorted(_comments(weights)) == sorted(_comments(WEIGHTS))
    assert migrate_text(weights, "m.py", "weights")[0] == weights
