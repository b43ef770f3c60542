"""One monorepo, every host: nested `[tool.tf2lint]` tables (one `extend`s the root), a `.gitignore`, an
`extend-exclude`, `shim-decorators` set only in `[tool.tf2lint]`. The CLI, stdin, flake8, pylint and the
editor server must report the same findings in it."""

from __future__ import annotations

import asyncio
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import ClientServerConfig

from test_hosts import flake8_findings

TWO_PROBLEMS = """\
import tensorflow as tf


class L(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        y = tf.compat.v1.layers.dense(x, 3)
        return tf.keras.layers.Dense(2)(y)
"""

WRAPPED = """\
import tensorflow as tf

from mono.compat import tracked


class L(tf.keras.layers.Layer):
    @tracked
    def call(self, x):
        return tf.compat.v1.layers.dense(x, 3)
"""

FILES = {
    "pyproject.toml": '[tool.tf2lint]\nshim-decorators = ["mono.compat.tracked"]\nextend-exclude = ["generated_*.py"]\n',
    ".gitignore": "legacy/\n/src/scratch.py\n",
    "a/pyproject.toml": '[tool.tf2lint]\nextend = "../pyproject.toml"\nignore = ["unscoped-v1-layer"]\n',
    "a/model.py": TWO_PROBLEMS,
    "a/generated_model.py": TWO_PROBLEMS,  # excluded by the root's extend-exclude, inherited through `extend`
    "a/wrapped.py": WRAPPED,  # inherits shim-decorators, ignores TFS101: silent
    "b/pyproject.toml": '[tool.tf2lint]\nignore = ["TFS106"]\n',  # no `extend`: nothing of the root applies
    "b/model.py": TWO_PROBLEMS,
    "b/generated_model.py": TWO_PROBLEMS,
    "b/wrapped.py": WRAPPED,  # the root's decorator is not known here: TFS107 instead
    "c/wrapped.py": WRAPPED,
    "src/scratch.py": TWO_PROBLEMS,  # ignored by an anchored .gitignore pattern
    "src/keep/scratch.py": TWO_PROBLEMS,
    "legacy/model.py": TWO_PROBLEMS,
}
EXPECTED = {
    ("a/model.py", "TFS106"),
    ("b/model.py", "TFS101"),
    ("b/generated_model.py", "TFS101"),
    ("b/wrapped.py", "TFS107"),
    ("c/wrapped.py", "TFS101"),
    ("src/keep/scratch.py", "TFS101"),
    ("src/keep/scratch.py", "TFS106"),
}
PYTHON = sorted(name for name in FILES if name.endswith(".py"))


@pytest.fixture(scope="module")
def mono(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mono")
    (root / ".git").mkdir()  # a repository: .gitignore applies
    for name, text in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def tf2lint(*argv: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tf2lint", *argv], cwd=cwd, input=stdin, capture_output=True, text=True, timeout=600
    )


def test_cli(mono: Path) -> None:
    result = tf2lint("check", "--no-cache", "--format", "json", ".", cwd=mono)
    assert result.returncode == 1, result.stderr
    assert {(Path(r["path"]).as_posix(), r["code"]) for r in json.loads(result.stdout)} == EXPECTED


def test_cli_from_a_subdirectory_and_by_name(mono: Path) -> None:
    result = tf2lint("check", "--no-cache", "--format", "json", "model.py", "../b/model.py", cwd=mono / "a")
    assert {(Path(r["path"]).as_posix(), r["code"]) for r in json.loads(result.stdout)} == {
        ("model.py", "TFS106"), ("../b/model.py", "TFS101")
    }


def test_named_paths_that_end_up_excluded_say_so(mono: Path) -> None:
    result = tf2lint("check", "--no-cache", "legacy/model.py", "a/generated_model.py", cwd=mono)
    assert result.returncode == 0 and result.stdout == "All checks passed!\n"
    assert "legacy/model.py is excluded by " in result.stderr and ".gitignore" in result.stderr
    assert "a/generated_model.py is excluded by `exclude`/`extend-exclude` in " in result.stderr
    assert "no Python files found" in result.stderr
    unignored = tf2lint("check", "--no-cache", "--no-respect-gitignore", "--format", "json", "legacy", cwd=mono)
    assert {r["code"] for r in json.loads(unignored.stdout)} == {"TFS101", "TFS106"}


def test_command_line_excludes(mono: Path) -> None:
    result = tf2lint("check", "--no-cache", "--format", "json", "--extend-exclude", "b/*.py,c", ".", cwd=mono)
    assert {(Path(r["path"]).as_posix(), r["code"]) for r in json.loads(result.stdout)} == {
        e for e in EXPECTED if not e[0].startswith(("b/", "c/"))
    }
    # --exclude replaces `exclude`, not the inherited `extend-exclude`
    result = tf2lint("check", "--no-cache", "--format", "json", "--exclude", "src", ".", cwd=mono)
    assert {(Path(r["path"]).as_posix(), r["code"]) for r in json.loads(result.stdout)} == {
        e for e in EXPECTED if not e[0].startswith("src/")
    }


def test_stdin(mono: Path, monkeypatch, capsys) -> None:
    from tf2lint.hosts.cli import main

    monkeypatch.chdir(mono)
    found = set()
    for name in PYTHON:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(FILES[name].encode())))
        code = main(["check", "--no-cache", "--format", "json", "--stdin-filename", name, "-"])
        out, err = capsys.readouterr()
        assert code in (0, 1), err
        found |= {(name, r["code"]) for r in json.loads(out)}
    assert found == EXPECTED


def test_flake8(mono: Path) -> None:
    found = flake8_findings(mono, ["."])
    assert {(path, code) for path, code, _, _ in found} == {(Path(p).name, c) for p, c in EXPECTED}
    found = {(p, c) for p, c, _, _ in flake8_findings(mono, ["b/model.py", "legacy/model.py"])}
    assert found == {("model.py", "TFS101")}  # legacy/ is ignored by .gitignore


def test_pylint(mono: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pylint", "--load-plugins=pylint_tf2lint", "--disable=all", "--enable=tf2lint",
         "--persistent=n", "--score=n", "--msg-template={path}|{msg_id}", *PYTHON],
        cwd=mono, capture_output=True, text=True, timeout=600,
    )
    assert "Traceback" not in result.stderr, result.stderr
    found = set()
    for line in result.stdout.splitlines():
        if "|" in line:
            path, msgid = line.split("|")
            found.add((Path(path).as_posix(), "TFS1" + msgid[3:]))  # W7301 -> TFS101
    assert found == EXPECTED


def test_server(mono: Path) -> None:
    async def diagnostics() -> set[tuple[str, str]]:
        client = await ClientServerConfig(server_command=[sys.executable, "-m", "tf2lint", "server"]).start()
        await client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=mono.as_uri()))
        uris = {(mono / name).as_uri(): name for name in PYTHON}
        for uri, name in uris.items():
            client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, FILES[name])))
        for _ in range(1500):
            if all(uri in client.diagnostics for uri in uris):
                break
            await asyncio.sleep(0.02)
        found = {(uris[uri], d.code) for uri in uris for d in client.diagnostics.get(uri, [])}
        await client.shutdown_session()
        await client.stop()
        return found

    assert asyncio.run(diagnostics()) == EXPECTED
