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
    (tmp_path / "bad.py").write_text("import tensorflow as tf\ndef (:\n")
    result = run("bad.py", "--stage", "objects", cwd=tmp_path)
    assert result.returncode == 1 and "bad.py: not migrated" in result.stdout and "Traceback" not in result.stderr
    (tmp_path / "m.py").write_text(SOURCE)
    result = run("m.py", "--stage", "native", "--class", "Nope", cwd=tmp_path)
    assert result.returncode == 0 and "0 class(es) migrated" in result.stdout
    assert "--class Nope: no class of that name with a shim method" in result.stderr
    assert "warning" not in run("m.py", "--stage", "native", "--class", "Tower", cwd=tmp_path).stderr
    assert os.path.getsize(tmp_path / "m.py") == len(SOURCE.encode())
    result = run("missing.py", "--stage", "objects", cwd=tmp_path)
    assert result.returncode == 2 and "path not found: missing.py" in result.stderr


def test_files_are_chosen_read_and_configured_as_check_does(tmp_path: Path) -> None:
    """A repository root: what `.gitignore` or `exclude` leaves out is not migrated, a module without TensorFlow
    that does not parse is no refusal (`check` does not read it either), a FIFO is never opened by the walk
    (named, it is reported), notebooks are named once, and a module is read in its project: the shim decorator
    another module spells is the shim (`check` reads it so)."""
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=False)
    (tmp_path / "pyproject.toml").write_text('[tool.tf2lint]\nexclude = ["vendored"]\n')
    (tmp_path / ".gitignore").write_text("generated/\n")
    for folder in ("vendored", "generated"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "m.py").write_text(SOURCE)
    (tmp_path / "jax_utils.py").write_text("import jax\n  broken = (\n")
    (tmp_path / "shims.py").write_text("import tensorflow as tf\n\ntrack = tf.compat.v1.keras.utils.track_tf1_style_variables\n")
    (tmp_path / "own.py").write_text(
        "import tensorflow as tf\n\nfrom shims import track\n\n\nclass Own(tf.keras.layers.Layer):\n"
        "    @track\n    def call(self, x):\n        with tf.compat.v1.variable_scope('own'):\n"
        "            return tf.compat.v1.layers.dense(x, 3)\n")
    (tmp_path / "model.ipynb").write_text('{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5, '
                                          '"note": "import tensorflow"}')
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "pipe.py")
    result = run(".", "--stage", "objects", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "vendored" not in result.stdout and "generated" not in result.stdout and "jax_utils" not in result.stdout
    assert "own.py:6: Own: migrated (objects)" in result.stdout
    assert "model.ipynb: not migrated: migrate rewrites Python modules" in result.stdout
    assert "1 class(es) migrated, 0 refused" in result.stdout
    if hasattr(os, "mkfifo"):
        named = run("pipe.py", "--stage", "objects", cwd=tmp_path)
        assert named.returncode == 1 and "pipe.py: not migrated: cannot read: not a regular file" in named.stdout


def test_a_file_not_written_counts_its_classes_as_refused(tmp_path: Path) -> None:
    """A hard-linked file is not replaced (that would split the links): its classes are left as they are, and
    the summary says so rather than counting them migrated."""
    (tmp_path / "m.py").write_text(SOURCE)
    os.link(tmp_path / "m.py", tmp_path / "linked.txt")
    result = run("m.py", "--stage", "objects", "--write", cwd=tmp_path)
    assert result.returncode == 1 and "hard links" in result.stderr
    assert "0 class(es) migrated, 2 refused" in result.stdout, result.stdout  # Tower not written, Looped refused
    assert (tmp_path / "m.py").read_text() == SOURCE


_STYLES = {  # how a file stores SOURCE: its line breaks, BOM and encoding
    "lf": lambda text: text.encode(),
    "crlf": lambda text: text.replace("\n", "\r\n").encode(),
    "cr": lambda text: text.replace("\n", "\r").encode(),
    "bom": lambda text: b"\xef\xbb\xbf" + text.encode(),
    "latin-1": lambda text: text.replace("coding: utf-8", "coding: latin-1").replace("# width", "# width \xe9").encode("latin-1"),
}


@pytest.mark.parametrize("style", sorted(_STYLES))
def test_written_files_keep_their_line_breaks_bom_and_encoding(tmp_path: Path, style: str) -> None:
    """What `--write` writes is the migrated text stored as the file was: CR-only files keep their last line
    break (LibCST drops it), a BOM stays, a Latin-1 file stays Latin-1 (it was written as UTF-8 under its cookie)."""
    expected = _STYLES[style](migrate_text(SOURCE, "m.py", "objects")[0])
    (tmp_path / "m.py").write_bytes(_STYLES[style](SOURCE))
    result = run("m.py", "--stage", "objects", "--write", cwd=tmp_path)
    assert "Tower: migrated" in result.stdout, result.stdout + result.stderr
    assert (tmp_path / "m.py").read_bytes() == expected


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


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_line_breaks_change_nothing_migrated(newline: str) -> None:
    """Every stage of every rule example, with CRLF or CR line breaks, migrates to the LF result with the same
    breaks (LibCST writes inserted lines with the module's newline, and drops a last lone CR we put back)."""
    migrated = 0
    for source in _corpus():
        for stage in ("objects", "native", "weights"):
            expected, _plans = migrate_text(source, "m.py", stage)
            if expected == source:
                continue
            migrated += 1
            assert migrate_text(source.replace("\n", newline), "m.py", stage)[0] == expected.replace("\n", newline)
    assert migrated >= 30


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


SLIM = textwrap.dedent('''\
    import tensorflow as tf
    import tf_slim as slim


    class Net(tf.keras.layers.Layer):
        def __init__(this, **kwargs):  # the receiver is not called `self`: the edits follow
            super().__init__(**kwargs)
            this.keep = 0.8

        @tf.compat.v1.keras.utils.track_tf1_style_variables
        def call(this, x, training=None):
            with tf.compat.v1.variable_scope("model"):
                # the trunk
                with slim.arg_scope([slim.conv2d, slim.fully_connected], weights_regularizer=slim.l2_regularizer(0.1)):
                    x = slim.conv2d(x, 4, [3, 3])  # first conv
                    x = slim.conv2d(x, 4, 3, stride=2, scope="c2", biases_initializer=None,
                                    weights_regularizer=slim.l1_regularizer(scale=this.keep))
                    x = slim.batch_norm(x)
                    x = slim.conv2d(x, 4, [3, 3], activation_fn=None)
                x = slim.flatten(x)
                x = slim.dropout(x, this.keep, is_training=training)
                x = slim.dropout(x, keep_prob=0.6, is_training=training)
                return slim.fully_connected(x, 3)
''')


def test_slim_has_no_objects_stage_and_says_so() -> None:
    same, plans = migrate_text(SLIM, "net.py", "objects")
    assert same == SLIM and plans[0].status == "nothing to do" and not plans[0].refusals
    assert "no layer object keeps TF-Slim's variable names" in plans[0].notes[0][1]
    assert "--stage native" in plans[0].notes[0][1]


def test_slim_native_stage_translates_arguments_defaults_and_arg_scopes() -> None:
    new, plans = migrate_text(SLIM, "net.py", "native")
    plan = plans[0]
    assert plan.status == "migrated", plan.refusals
    init = {line.strip().split(" = ")[0]: line.strip().split(" = ", 1)[1] for line in new.splitlines()
            if line.startswith("        this.") and "tf.keras.layers." in line}
    glorot = "kernel_initializer=tf.compat.v1.glorot_uniform_initializer()"
    assert init["this.conv"] == ("tf.keras.layers.Conv2D(filters=4, kernel_size=[3, 3], kernel_regularizer="
                                 'tf.keras.regularizers.l2(0.05), activation="relu", padding="same", '
                                 f'{glorot}, name="Conv")')
    assert init["this.c2"].startswith("tf.keras.layers.Conv2D(filters=4, kernel_size=3, strides=2, "
                                      "kernel_regularizer=tf.keras.regularizers.l1((this.keep) * 1.0), use_bias=False,")
    assert init["this.batchnorm"] == 'tf.keras.layers.BatchNormalization(momentum=0.999, scale=False, name="BatchNorm")'
    assert "activation=None" in init["this.conv_1"] and 'name="Conv_1"' in init["this.conv_1"]
    assert init["this.dropout"] == "tf.keras.layers.Dropout(rate=1 - (this.keep))"
    assert init["this.dropout_1"] == "tf.keras.layers.Dropout(rate=0.4)"
    assert init["this.fully_connected"] == f'tf.keras.layers.Dense(units=3, activation="relu", {glorot}, name="fully_connected")'
    body = new[new.index("def call"):]
    assert "slim." not in body and "arg_scope" not in body  # the spent arg_scope went, its body dedented
    assert "            # the trunk\n            x = this.conv(x)  # first conv\n" in body
    assert "x = this.batchnorm(x, training=True)" in body  # slim's is_training defaults to True
    assert "x = this.dropout(x, training=training)" in body and "return this.fully_connected(x)" in body
    assert dict(plan.checkpoint_map) == {
        "model/Conv/weights": "this.conv.kernel", "model/Conv/biases": "this.conv.bias",
        "model/c2/weights": "this.c2.kernel",
        "model/BatchNorm/beta": "this.batchnorm.beta", "model/BatchNorm/moving_mean": "this.batchnorm.moving_mean",
        "model/BatchNorm/moving_variance": "this.batchnorm.moving_variance",
        "model/Conv_1/weights": "this.conv_1.kernel", "model/Conv_1/biases": "this.conv_1.bias",
        "model/fully_connected/weights": "this.fully_connected.kernel",
        "model/fully_connected/biases": "this.fully_connected.bias",
    }


@pytest.mark.parametrize(("code", "reason"), [
    ("with slim.arg_scope(self.scope):\n    x = slim.fully_connected(x, 3)", "saved scope or `**kwargs`"),
    ("with slim.arg_scope([slim.fully_connected], **self.kw):\n    x = slim.fully_connected(x, 3)", "`**kwargs`"),
    ("with slim.arg_scope([slim.fully_connected], scope='s'):\n    x = slim.fully_connected(x, 3)", "supplies `scope=`"),
    ("with slim.arg_scope([ops.fc], activation_fn=None):\n    x = slim.fully_connected(x, 3)", "cannot resolve"),
    ("x = slim.fully_connected(x, 3, normalizer_fn=slim.batch_norm)", "passes `normalizer_fn=`"),
    ("x = slim.fully_connected(x, 3, weights_regularizer=reg)", "`reg` is a value of the call"),
    ("x = slim.fully_connected(x, self.units)", "`self.units` is not set in `__init__`"),
    ("x = slim.repeat(x, 2, slim.fully_connected, 3)", "`slim.repeat` has no translation"),
    ("for _ in range(2):\n    x = slim.fully_connected(x, 3)", "runs in a loop"),
    ("x = slim.fully_connected(x, x.shape[-1])", "`x` is a value of the call"),
    ("x = slim.fully_connected(x, 3, scope=self.name)", "not a string literal"),
    ("x = slim.fully_connected(x, 3, weights_regularizer=slim.l2_regularizer(0.1, scope='r'))", "regularizer tf2lint can"),
])
def test_slim_refusals_say_what_to_do(code: str, reason: str) -> None:
    body = textwrap.indent(code, "            ")
    source = ("import tensorflow as tf\nimport tf_slim as slim\nimport ops\n\n\nclass Net(tf.keras.layers.Layer):\n"
              "    def __init__(self, **kwargs):\n        super().__init__(**kwargs)\n        self.scope = {}\n"
              "        self.kw = {}\n\n    @tf.compat.v1.keras.utils.track_tf1_style_variables\n"
              "    def call(self, x):\n        reg = None\n        with tf.compat.v1.variable_scope('m'):\n"
              f"{body}\n        return x\n")
    for stage in ("objects", "native"):
        same, plans = migrate_text(source, "net.py", stage)
        if plans[0].refusals:
            break
    assert same == source and plans[0].status == "refused", (stage, plans[0].notes)
    assert reason in plans[0].refusals[0][1], plans[0].refusals


def test_slim_mixed_with_compat_v1_layers_goes_native_then_objects() -> None:
    source = textwrap.dedent('''\
        import tensorflow as tf
        import tf_slim as slim


        class Net(tf.keras.layers.Layer):
            @tf.compat.v1.keras.utils.track_tf1_style_variables
            def call(self, x):
                with tf.compat.v1.variable_scope("m"):
                    x = slim.fully_connected(x, 4, scope="dense")
                    return tf.compat.v1.layers.dense(x, 3)
    ''')
    # The Slim layer opened `dense`: the compat.v1 dense after it is `dense_1`, and would become `dense`.
    for stage in ("objects", "native"):
        same, plans = migrate_text(source, "net.py", stage)
        assert same == source and "give the Slim layer another `scope=`" in plans[0].refusals[0][1]
    fine = source.replace('scope="dense"', 'scope="fc"')
    same, plans = migrate_text(fine, "net.py", "objects")
    assert same == fine and "then `--stage objects` again" in plans[0].notes[0][1]
    native, plans = migrate_text(fine, "net.py", "native")
    assert "self.fc(x)" in native and "tf.compat.v1.layers.dense(x, 3)" in native
    objects, plans = migrate_text(native, "net.py", "objects")
    assert plans[0].status == "migrated" and "self.dense(x)" in objects


@pytest.mark.parametrize(("before", "call", "expected"), [
    ("", "slim.batch_norm(x)", "is not known statically"),
    ("x = slim.fully_connected(x, 3)\n", "slim.batch_norm(x)", "not known statically"),  # fc keeps the rank
    ("x = slim.flatten(slim.conv2d(x, 3, 3))\n", "slim.batch_norm(x)", "input is 2"),
    ("y = slim.conv2d(x, 3, 3)\n", "slim.batch_norm(slim.dropout(y))", "BatchNormalization(momentum=0.999, scale=False"),
    ("", "slim.batch_norm(x, fused=False)", "BatchNormalization(fused=False, momentum=0.999, scale=False"),
    ("", "slim.batch_norm(x, fused=FUSED)", "not a literal"),
])
def test_slim_batch_norm_is_translated_where_the_fused_kernels_agree(before: str, call: str, expected: str) -> None:
    body = textwrap.indent(f"{before}x = {call}\nreturn x", "            ")
    source = ("import tensorflow as tf\nimport tf_slim as slim\n\n\nclass Net(tf.keras.layers.Layer):\n"
              "    @tf.compat.v1.keras.utils.track_tf1_style_variables\n    def call(self, x):\n"
              f"        with tf.compat.v1.variable_scope('m'):\n{body}\n")
    new, plans = migrate_text(source, "net.py", "native")
    said = plans[0].refusals[0][1] if plans[0].refusals else new
    assert expected in said, said


def test_the_edits_write_the_class_own_receiver() -> None:
    """WEIGHTS with its object called `this` and a v1 layer after its variables: every stage writes `this.`, never
    `self.`."""
    source = WEIGHTS.replace("self", "this").replace(
        "return tf.matmul(out, kernel) + bias", 'return v1.layers.dense(tf.matmul(out, kernel) + bias, 3, name="out")')
    objects, plans = migrate_text(source, "d.py", "objects")
    assert plans[0].status == "migrated" and "this.kernel = kernel" in objects and "this.out = v1.layers.Dense(" in objects
    native, plans = migrate_text(objects, "d.py", "native")
    assert plans[0].status == "migrated" and "this.out = tf.keras.layers.Dense(" in native
    weights, plans = migrate_text(objects, "d.py", "weights")
    assert "def build(this, input_shape):" in weights and "this.kernel = this.add_weight(" in weights
    assert "self" not in objects + native + weights


def test_slim_names_come_from_the_variable_model_and_its_unknowns_refuse() -> None:
    """The scope a Slim layer opens is the variable-name model's name: where an earlier layer's name is not
    known, the Slim layer's is not either (it could be `fully_connected_1`), and the model's reason refuses."""
    source = textwrap.dedent('''\
        import tensorflow as tf
        import tf_slim as slim


        class Net(tf.keras.layers.Layer):
            def __init__(self, **kwargs):
                super().__init__(**kwargs)
                self.n = "fully_connected"

            @tf.compat.v1.keras.utils.track_tf1_style_variables
            def call(self, x):
                with tf.compat.v1.variable_scope("m"):
                    x = tf.compat.v1.layers.dense(x, 4, name=self.n)
                    return slim.fully_connected(x, 3)
    ''')
    same, plans = migrate_text(source, "net.py", "native")
    assert same == source and plans[0].status == "refused"
    assert "a creator whose `name` is not known" in plans[0].refusals[0][1], plans[0].refusals
    known = source.replace("name=self.n", 'name="fully_connected"')
    new, plans = migrate_text(known, "net.py", "native")
    assert 'name="fully_connected_1"' in new, plans[0].refusals  # the model counts the dense's name
