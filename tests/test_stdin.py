"""`tf2lint check --stdin-filename PATH -`: a piped buffer linted and fixed as if it were the file at PATH."""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tf2lint.hosts.cli import main

SOURCE = b"""\
import tensorflow as tf


class Net(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        h = tf.compat.v1.layers.dense(x, 3)
        return tf.keras.layers.Dense(2)(h)
"""


@dataclass
class Result:
    returncode: int
    stdout: bytes
    stderr: bytes


@pytest.fixture
def run(monkeypatch):
    """`tf2lint check ARGS` in-process with ``data`` on stdin (one test below uses a real pipe)."""

    def run(cwd: Path, *args: str, data: bytes = SOURCE) -> Result:
        out, err = io.BytesIO(), io.BytesIO()
        monkeypatch.chdir(cwd)
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
        monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out, encoding="utf-8", write_through=True))
        monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(err, encoding="utf-8", write_through=True))
        code = main(["check", *args])
        return Result(code, out.getvalue(), err.getvalue())

    return run


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.tf2lint]\nexclude = ["generated"]\n\n[tool.tf2lint.per-file-ignores]\n"sub/*" = ["TFS106"]\n'
    )
    return tmp_path


def test_reports_under_the_given_path_with_its_per_file_ignores(run, project: Path) -> None:
    inside = run(project, "--stdin-filename", "sub/x.py", "-")
    outside = run(project, "--stdin-filename", "x.py", "-")
    assert inside.returncode == outside.returncode == 1
    assert inside.stdout.decode().splitlines()[0].startswith("sub/x.py:7:13: TFS101 ")
    assert b"TFS106" not in inside.stdout
    assert b"x.py:8:16: TFS106" in outside.stdout


def test_config_is_found_from_the_given_path_not_the_working_directory(run, project: Path, tmp_path_factory) -> None:
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    result = run(elsewhere, "--stdin-filename", str(project / "sub" / "x.py"), "-")
    assert b"TFS101" in result.stdout and b"TFS106" not in result.stdout


def test_fix_writes_the_fixed_source_to_stdout_and_the_rest_to_stderr(project: Path) -> None:
    result = subprocess.run(  # a real pipe
        [sys.executable, "-m", "tf2lint", "check", "--stdin-filename", "x.py", "--fix", "-"],
        input=SOURCE, capture_output=True, cwd=project, timeout=120,
    )
    assert result.stdout == SOURCE.replace(b"dense(x, 3)", b'dense(x, 3, name="dense")')
    assert b"x.py:8:16: TFS106" in result.stderr and b"TFS101" not in result.stderr
    assert result.returncode == 1
    assert not (project / "x.py").exists()  # nothing written


def test_diff_prints_the_diff(run, project: Path) -> None:
    result = run(project, "--stdin-filename", "sub/x.py", "--diff", "-")
    assert result.returncode == 1
    assert b'+        h = tf.compat.v1.layers.dense(x, 3, name="dense")' in result.stdout
    assert b"--- a/sub/x.py" in result.stdout


def test_clean_input_exits_0_and_fix_echoes_it(run, project: Path) -> None:
    clean = b"import tensorflow as tf\n\nx = tf.ones([1])\n"
    assert run(project, "--stdin-filename", "x.py", "-", data=clean).returncode == 0
    fixed = run(project, "--stdin-filename", "x.py", "--fix", "-", data=clean)
    assert (fixed.returncode, fixed.stdout) == (0, clean)


def test_excluded_path_reports_nothing_and_fix_echoes(run, project: Path) -> None:
    assert run(project, "--stdin-filename", "generated/x.py", "-").stdout == b""
    assert run(project, "--stdin-filename", "generated/x.py", "--fix", "-").stdout == SOURCE


@pytest.mark.parametrize("data", [b"import os\n\0\n", b"\xff\xfe\xfa not text", b"# coding: nope\nx = 1\n"], ids=["nul", "undecodable", "bad-cookie"])
def test_unreadable_input_is_tfs000_and_echoed_unchanged_under_fix(run, project: Path, data: bytes) -> None:
    checked = run(project, "--stdin-filename", "x.py", "-", data=data)
    assert checked.returncode == 1 and b"x.py:1:1: TFS000" in checked.stdout
    fixed = run(project, "--stdin-filename", "x.py", "--fix", "-", data=data)
    assert fixed.returncode == 1 and fixed.stdout == data and b"TFS000" in fixed.stderr


def test_keeps_encoding_and_bom(run, project: Path) -> None:
    data = b"\xef\xbb\xbf# -*- coding: utf-8 -*-\n" + SOURCE.replace(b"import tensorflow as tf", b"import tensorflow as tf  # \xc3\xa9")
    fixed = run(project, "--stdin-filename", "x.py", "--fix", "-", data=data)
    assert fixed.stdout.startswith(b"\xef\xbb\xbf#") and b"# \xc3\xa9" in fixed.stdout and b'name="dense"' in fixed.stdout


def test_stdin_cannot_be_mixed_with_paths(run, project: Path) -> None:
    result = run(project, "--stdin-filename", "x.py", "-", "other.py")
    assert result.returncode == 2 and b"cannot be combined" in result.stderr


def test_a_notebook_on_stdin_is_fixed_as_json(run, project: Path) -> None:
    import json

    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import tensorflow as tf"),
                nbformat.v4.new_code_cell(SOURCE.decode().split("\n\n\n", 1)[1].rstrip("\n"))]
    data = nbformat.writes(nb).encode() + b"\n"
    result = run(project, "--stdin-filename", "nb.ipynb", "--fix", "-", data=data)
    fixed = nbformat.reads(result.stdout.decode(), as_version=4)
    nbformat.validate(fixed)
    assert 'name="dense"' in fixed.cells[1].source
    assert b"nb.ipynb:cell 2:5:16: TFS106" in result.stderr and result.returncode == 1
    assert json.loads(result.stdout)["cells"][0] == json.loads(data)["cells"][0]
