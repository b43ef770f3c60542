"""`tf2lint variables` and the names lock: the guide's checkpoint examples against TF, the lock's format,
`--variables-base` through git, and the CLI's TFS115 with a configured lock."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tf2lint.hosts.cli import main
from tf2lint.rules import BY_CODE

GUIDE = Path(__file__).parent / "data" / "guide_correct.py"
# The classes of the guide's "Incremental migration to Native TF2" sections, their constructor arguments and
# input shapes, as the guide calls them.
GUIDE_CALLS = {
    "CompatModel": ((10,), (10, 5, 5, 5)),
    "PartiallyMigratedModel": ((10,), (10, 5, 5, 5)),
    "NearlyFullyNativeModel": ((10,), (10, 5, 5, 5)),
    "FunctionalStyleCompatModel": ((), (10, 10, 10, 10)),
    "OOStyleCompatModel": ((), (10, 10, 10, 10)),
    "PartiallyNativeKerasLayersModel": ((), (10, 10, 10, 10)),
    "FullyNativeKerasLayersModel": ((), (10, 10, 10, 10)),
}


def guide_source() -> str:
    return GUIDE.read_text(encoding="utf-8")


def run_cli(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_guide_examples_print_the_names_tf_prints(tmp_path, capsys) -> None:
    from conftest import require_runtime

    path = tmp_path / "guide.py"
    path.write_text(guide_source())
    code, out = run_cli(capsys, "variables", "--format", "json", str(path))
    assert code == 0
    classes = {key.split("::")[1].split(".")[0]: entry for key, entry in json.loads(out)["classes"].items()}
    assert set(classes) >= {"FunctionalStyleCompatModel", "OOStyleCompatModel", "PartiallyNativeKerasLayersModel"}
    predicted = {name: [v for layer in entry["layers"] for v in layer["variables"]] for name, entry in classes.items()}
    # What the guide itself asserts, without TensorFlow.
    assert "model/conv2d_2/kernel" in predicted["PartiallyNativeKerasLayersModel"]
    assert "model/conv2d/kernel" in predicted["OOStyleCompatModel"]
    require_runtime()
    import tensorflow as tf

    from tf2lint import runtime
    from variable_runtime import created, load

    namespace = load(guide_source())
    for name, (args, shape) in GUIDE_CALLS.items():
        runtime.reset()
        layer = namespace[name](*args)
        layer(tf.ones(shape))
        store = sorted(created(layer))
        if name in classes and classes[name]["complete"]:
            assert sorted(predicted[name]) == store, name
            for path in classes[name]["objects"]:  # `conv_1/kernel`: that attribute holds that weight
                attr, suffix = path.split("/", 1)
                held = [v.name.split(":")[0] for v in getattr(layer, attr).weights]
                assert any(h.endswith("/" + suffix) for h in held), (name, path, held)
        else:
            assert store == [], name  # fully native: no shim store names, and the model has no class


def test_lock_is_stable_sorted_and_one_line_per_variable(tmp_path, capsys) -> None:
    rule = BY_CODE["TFS115"]
    (tmp_path / "b.py").write_text(rule.baselines[0])
    (tmp_path / "a.py").write_text(rule.good[0])
    lock = tmp_path / "names.lock"
    code, out = run_cli(capsys, "variables", "--write", str(lock), str(tmp_path / "b.py"), str(tmp_path / "a.py"))
    assert code == 0 and "Wrote 4 classes" in out
    text = lock.read_text()
    keys = list(json.loads(text)["classes"])
    assert keys == sorted(keys) == ["a.py::Head.call", "a.py::Tower.call", "b.py::Head.call", "b.py::Tower.call"]
    assert '"net/dense_1/kernel": [null, 4],' in text  # a shape stays on its variable's line
    main(["variables", "--write", str(lock), str(tmp_path / "a.py"), str(tmp_path / "b.py")])
    assert lock.read_text().replace("a.py", "") != "" and json.loads(lock.read_text()) == json.loads(text)


def test_check_with_a_configured_lock_reports_and_fixes(tmp_path, capsys) -> None:
    rule = BY_CODE["TFS115"]
    module = tmp_path / "model.py"
    module.write_text(rule.baselines[0])
    assert main(["variables", "--write", str(tmp_path / "names.lock"), str(module)]) == 0
    (tmp_path / "pyproject.toml").write_text('[tool.tf2lint]\nvariables-lock = "names.lock"\n')
    module.write_text(rule.bad[0])
    capsys.readouterr()
    code, out = run_cli(capsys, "check", "--no-cache", "--select", "TFS115", str(module))
    assert code == 1 and out.count("TFS115") == 3 and "`net/dense` is what the checkpoint holds" in out
    code, out = run_cli(capsys, "check", "--no-cache", "--select", "TFS115", "--fix", str(module))
    assert code == 0, out
    fixed = module.read_text()  # the removed layer's scope recorded in both classes, one pin in `Tower`
    assert fixed.count('with v1.variable_scope("dense"):\n                pass\n') == 2
    assert 'v1.layers.dense(x, 4, name="dense_2")' in fixed
    code, out = run_cli(capsys, "check", "--no-cache", "--select", "TFS115", str(tmp_path / "model.py"))
    assert code == 0


def test_no_lock_no_finding_and_a_bad_lock_key_is_a_config_error(tmp_path, capsys) -> None:
    module = tmp_path / "model.py"
    module.write_text(BY_CODE["TFS115"].bad[0])
    code, out = run_cli(capsys, "check", "--no-cache", "--select", "TFS115", str(module))
    assert code == 0
    (tmp_path / "pyproject.toml").write_text("[tool.tf2lint]\nvariables-lock = 3\n")
    assert main(["check", str(module)]) == 2
    assert "variables-lock must be string" in capsys.readouterr().err


def _git(directory: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.email=t@t", "-c", "user.name=t", *args], cwd=directory, check=True,
                   capture_output=True)


def test_variables_base_reads_the_file_at_a_revision(tmp_path, capsys, monkeypatch) -> None:
    rule = BY_CODE["TFS115"]
    module = tmp_path / "model.py"
    module.write_text(rule.baselines[0])
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "model.py")
    _git(tmp_path, "commit", "-qm", "before step 2")
    module.write_text(rule.bad[0])
    monkeypatch.chdir(tmp_path)
    code, out = run_cli(capsys, "check", "--no-cache", "--select", "TFS115", "--variables-base", "HEAD", "model.py")
    assert code == 1 and out.count("TFS115") == 3 and "against revision" in out
    module.write_text(rule.good[0])
    code, out = run_cli(capsys, "check", "--no-cache", "--select", "TFS115", "--variables-base", "HEAD", "model.py")
    assert code == 0, out
    assert main(["check", "--variables-base", "no-such-rev", "model.py"]) == 2


def test_a_damaged_lock_gives_no_finding_and_no_error(tmp_path, capsys) -> None:
    module = tmp_path / "model.py"
    module.write_text(BY_CODE["TFS115"].bad[0])
    (tmp_path / "pyproject.toml").write_text('[tool.tf2lint]\nvariables-lock = "names.lock"\n')
    for text in ("{", '{"version": 1, "classes": {"model.py::Tower.call": {"complete": true, "layers": [3]}}}',
                 '{"version": 1, "classes": {"model.py::Tower.call": {"complete": true, "layers": [{"call": 1}]}}}'):
        (tmp_path / "names.lock").write_text(text)
        code, out = run_cli(capsys, "check", "--no-cache", str(module))
        assert code == 0 and "TFS000" not in out, out


def test_a_file_it_cannot_read_is_skipped_with_the_reason(tmp_path, capsys) -> None:
    (tmp_path / "broken.py").write_text("import tensorflow as tf\ndef (:\n")
    code = main(["variables", str(tmp_path / "broken.py")])
    assert code == 0 and "broken.py: skipped (SyntaxError: " in capsys.readouterr().err


def test_the_text_says_why_a_name_is_unknown(tmp_path, capsys) -> None:
    module = tmp_path / "model.py"
    module.write_text(
        "import tensorflow as tf\nv1 = tf.compat.v1\n\n\nclass L(tf.keras.layers.Layer):\n"
        "    @v1.keras.utils.track_tf1_style_variables\n    def call(self, x, n):\n"
        "        with v1.variable_scope(\"net\"):\n            x = v1.layers.dense(x, 4)\n"
        "            while n:\n                x = v1.layers.dense(x, 4)\n            return x\n")
    code, out = run_cli(capsys, "variables", str(module))
    assert code == 0 and "net/dense/kernel" in out and "net/<unknown>/*" in out
    assert "why unknown, line 11: a creator in a loop the model does not unroll" in out
    module.write_text(
        "import tensorflow as tf\nv1 = tf.compat.v1\n\n\nclass L(tf.keras.layers.Layer):\n"
        "    @v1.keras.utils.track_tf1_style_variables\n    def call(self, x):\n"
        "        cell = v1.nn.rnn_cell.MultiRNNCell([v1.nn.rnn_cell.LSTMCell(4) for _ in range(2)])\n"
        "        return v1.nn.dynamic_rnn(cell, x, dtype=tf.float32)\n")
    code, out = run_cli(capsys, "variables", str(module))
    assert "why unknown, line 8: an RNN cell (it names its variables where it runs)" in out, out
    assert "why unknown, line 9: an RNN driver" in out, out


def test_helpers_of_a_namespace_package_from_the_project_top_or_src(tmp_path, capsys) -> None:
    """The names of a helper module found as `check` finds it: from the project's top (a namespace package
    has no `__init__.py`), or from `--src` when nothing marks the top."""
    (tmp_path / "ns").mkdir()
    (tmp_path / "ns" / "ops.py").write_text(
        "import tensorflow as tf\n\n\ndef block(x):\n    return tf.compat.v1.layers.dense(x, 4, name='fc')\n")
    model = tmp_path / "ns" / "model.py"
    model.write_text(
        "import tensorflow as tf\nfrom ns import ops\n\n\nclass L(tf.keras.layers.Layer):\n"
        "    @tf.compat.v1.keras.utils.track_tf1_style_variables\n    def call(self, x):\n"
        "        with tf.compat.v1.variable_scope('net'):\n            return ops.block(x)\n")
    code, out = run_cli(capsys, "variables", str(model))
    assert code == 0 and "net/<unknown>/*" in out and "net/fc/kernel" not in out
    code, out = run_cli(capsys, "variables", "--src", str(tmp_path), str(model))
    assert code == 0 and "net/fc/kernel" in out and "<unknown>" not in out
    (tmp_path / "setup.cfg").write_text("", encoding="utf-8")
    code, out = run_cli(capsys, "variables", str(model))
    assert code == 0 and "net/fc/kernel" in out and "<unknown>" not in out


def test_the_text_names_the_helper_module_of_an_unknown_once(tmp_path, capsys) -> None:
    """A layer without variables is known (it is named and counted, and holds nothing), so is a Keras layer a
    `get_or_create_layer` builder makes (its weights are Keras's, not the store's); an unknown in a
    helper module says which file its line is in, once however many paths reach it."""
    (tmp_path / "setup.py").write_text("", encoding="utf-8")
    (tmp_path / "ops.py").write_text(
        "import tensorflow as tf\n\n\ndef block(x, n):\n"
        "    x = tf.compat.v1.layers.max_pooling1d(x, 2, 2, name='pool')\n"
        "    with tf.compat.v1.variable_scope('b_%d' % len(x.shape)):\n"
        "        return tf.compat.v1.layers.dense(x, 4, name='fc')\n")
    model = tmp_path / "model.py"
    model.write_text(
        "import tensorflow as tf\nimport ops\n\n\nclass L(tf.keras.layers.Layer):\n"
        "    @tf.compat.v1.keras.utils.track_tf1_style_variables\n    def call(self, x):\n"
        "        x = ops.block(x, 1)\n        x = ops.block(x, 2)\n"
        "        return tf.compat.v1.keras.utils.get_or_create_layer('head', lambda: tf.keras.layers.Dense(4))(x)\n")
    code, out = run_cli(capsys, "variables", str(model))
    assert code == 0
    assert "    pool  (no variables: max_pooling1d(2, 2))" in out
    assert "    head  (a Keras layer, its weights named by Keras: get_or_create_layer('head', " in out, out
    assert out.count("why unknown, ops.py:6: a `variable_scope` whose name is not known") == 1, out


def _notebook(path: Path, source: str) -> None:
    import nbformat  # a test dependency

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# Model"), nbformat.v4.new_code_cell(source)]
    nbformat.write(notebook, str(path))


def test_a_notebooks_names_lock_and_revision(tmp_path, capsys, monkeypatch) -> None:
    """A notebook's shim classes have names as a module's do (its code cells, as `check` reads them): the lock
    holds them, TFS115 compares them with it or with a revision, in cell coordinates."""
    rule = BY_CODE["TFS115"]
    notebook = tmp_path / "model.ipynb"
    _notebook(notebook, rule.baselines[0])
    code, out = run_cli(capsys, "variables", "--write", str(tmp_path / "names.lock"), str(notebook))
    assert code == 0 and "Wrote 2 classes" in out
    assert sorted(json.loads((tmp_path / "names.lock").read_text())["classes"]) == \
        ["model.ipynb::Head.call", "model.ipynb::Tower.call"]
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", "model.ipynb")
    _git(tmp_path, "commit", "-qm", "before step 2")
    (tmp_path / "pyproject.toml").write_text('[tool.tf2lint]\nvariables-lock = "names.lock"\n')
    _notebook(notebook, rule.bad[0])
    monkeypatch.chdir(tmp_path)
    for extra in ((), ("--variables-base", "HEAD")):
        code, out = run_cli(capsys, "check", "--no-cache", "--select", "TFS115", *extra, "model.ipynb")
        assert code == 1 and out.count("TFS115") == 3 and "model.ipynb:cell 2:" in out, (extra, out)
