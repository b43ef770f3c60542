"""Issue 22, the file half: fixes, caches and output never lose or damage what the user wrote. Each test
failed on the code before that issue was fixed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse
from pathlib import Path

import nbformat
import pytest
from conftest import FIGURES

from tf2lint.engine import Settings, lint_notebook, lint_source
from tf2lint.fixing.notebook import fix_notebook

SHIM = """\
import tensorflow as tf


class Net(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return tf.compat.v1.layers.dense(x, 3)
"""
CELL = SHIM.split("\n\n\n")[1].rstrip("\n")


def cli(*argv: str, cwd: Path | None = None, input: bytes | None = None, env: dict | None = None, timeout: float = 60):
    return subprocess.run([sys.executable, "-m", "tf2lint", *argv], capture_output=True, cwd=cwd, input=input,
                          timeout=timeout, env={**os.environ, **(env or {})})


def notebook(*sources: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [nbformat.v4.new_code_cell("import tensorflow as tf"), *(nbformat.v4.new_code_cell(s) for s in sources)]
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"
    return nb


# -- 5. a CR-only file keeps its line breaks --------------------------------------------------------------

def test_fix_of_a_cr_only_file_keeps_every_line_break(tmp_path: Path) -> None:
    path = tmp_path / "cr.py"
    path.write_bytes(SHIM.replace("\n", "\r").encode())
    assert cli("check", "--no-cache", "--fix", str(path)).returncode == 0
    fixed = path.read_bytes()
    assert fixed == SHIM.replace("\n", "\r").replace("dense(x, 3)", 'dense(x, 3, name="dense")').encode()


# -- 6./7. notebooks: bytes outside the changed sources are kept; CR cells ---------------------------------

def test_crlf_json_and_bom_notebook_changes_only_the_fixed_source(tmp_path: Path) -> None:
    path = tmp_path / "crlf.ipynb"
    original = b"\xef\xbb\xbf" + nbformat.writes(notebook(CELL)).replace("\n", "\r\n").encode()
    path.write_bytes(original)
    assert cli("check", "--no-cache", "--fix", str(path)).returncode == 0
    fixed = path.read_bytes()
    assert fixed.startswith(b"\xef\xbb\xbf") and b"\r\n" in fixed and b"\n" not in fixed.replace(b"\r\n", b"")
    expected = original.replace(b'dense(x, 3)', b'dense(x, 3, name=\\"dense\\")')
    assert fixed == expected


@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_a_notebook_cell_with_cr_line_endings_is_fixed(tmp_path: Path, newline: str) -> None:
    path = tmp_path / "cr.ipynb"
    nbformat.write(notebook(CELL.replace("\n", newline)), str(path))
    result = cli("check", "--no-cache", "--fix", str(path))
    assert result.returncode == 0, result.stderr
    source = "".join(json.loads(path.read_text())["cells"][1]["source"])
    assert source == CELL.replace("\n", newline).replace("dense(x, 3)", 'dense(x, 3, name="dense")')


def test_a_cell_with_one_stray_cr_is_fixed_not_refused_as_a_magic(tmp_path: Path) -> None:
    data = nbformat.writes(notebook("x = 1\ry = 2\n" + CELL)).encode()
    result = fix_notebook(data, "stray.ipynb", Settings(), False)
    assert not result.problems, result.problems
    source = "".join(json.loads(result.fixed)["cells"][1]["source"])
    assert source == "x = 1\ry = 2\n" + CELL.replace("dense(x, 3)", 'dense(x, 3, name="dense")')


# -- 8. LibCST failing on a deep expression is no internal error ---------------------------------------------

DEEP = SHIM.replace("        return", "        s = " + " + ".join(['"a"'] * 800) + "\n        return")


@pytest.mark.parametrize("argv", [["--format", "json"], ["--fix"], ["--diff"]])
def test_an_800_part_concatenation_gives_findings_not_an_internal_error(tmp_path: Path, argv: list[str]) -> None:
    path = tmp_path / "deep.py"
    path.write_text(DEEP)
    result = cli("check", "--no-cache", *argv, str(path))
    # LibCST cannot rebuild such a statement: the fix is not offered (--diff: nothing to show), the finding stays.
    assert result.returncode == (0 if "--diff" in argv else 1) and b"internal error" not in result.stderr and b"Traceback" not in result.stderr, result.stderr[-500:]
    if "json" in argv:
        assert [r["code"] for r in json.loads(result.stdout)] == ["TFS101"]


# -- 9./13. the cache ------------------------------------------------------------------------------------------

def _special(tmp_path: Path, kind: str) -> Path:
    """A path that is no regular file: a FIFO (opening it blocks), /dev/zero (endless), a directory."""
    if kind == "fifo":
        os.mkfifo(tmp_path / "fifo")
        return tmp_path / "fifo"
    if kind == "dir":
        return tmp_path
    (tmp_path / "zero").symlink_to("/dev/zero")
    return tmp_path / "zero"


def _cached(tmp_path: Path) -> Path:
    (tmp_path / "model.py").write_text(SHIM)
    cache = tmp_path / "cache"
    assert cli("check", "--cache-dir", str(cache), "model.py", cwd=tmp_path).returncode == 1
    return cache


@pytest.mark.parametrize("kind", ["fifo", "zero", "dir"])
def test_a_cache_entry_naming_a_special_file_as_dependency_does_not_block(tmp_path: Path, kind: str) -> None:
    cache = _cached(tmp_path)
    (entry,) = [p for p in cache.rglob("*.json")]
    stored = json.loads(entry.read_text())
    stored["dependencies"] = {str(_special(tmp_path, kind)): "0" * 32}
    entry.write_text(json.dumps(stored))
    FIGURES["cache entries poisoned"] += 1
    result = cli("check", "--cache-dir", str(cache), "model.py", cwd=tmp_path, timeout=20)
    assert result.returncode == 1 and b"TFS101" in result.stdout


@pytest.mark.parametrize("kind", ["fifo", "zero"])
def test_a_cache_entry_that_is_a_special_file_does_not_block(tmp_path: Path, kind: str) -> None:
    cache = _cached(tmp_path)
    (entry,) = [p for p in cache.rglob("*.json")]
    entry.unlink()
    if kind == "fifo":
        os.mkfifo(entry)
    else:
        entry.symlink_to("/dev/zero")
    FIGURES["cache entries poisoned"] += 1
    result = cli("check", "--cache-dir", str(cache), "model.py", cwd=tmp_path, timeout=20)
    assert result.returncode == 1 and b"TFS101" in result.stdout


@pytest.mark.parametrize("kind", ["fifo", "zero", "dir"])
def test_a_names_lock_that_is_a_special_file_does_not_block(tmp_path: Path, kind: str) -> None:
    """The configured `variables-lock` is read as sources are: a FIFO there used to block `check` for ever."""
    (tmp_path / "model.py").write_text(SHIM)
    lock = _special(tmp_path, kind)
    (tmp_path / "pyproject.toml").write_text(f'[tool.tf2lint]\nvariables-lock = "{lock.name if lock != tmp_path else "."}"\n')
    result = cli("check", "--no-cache", "model.py", cwd=tmp_path, timeout=20)
    assert result.returncode == 1 and b"TFS101" in result.stdout and b"Traceback" not in result.stderr, result.stderr


def test_identical_files_in_different_packages_do_not_share_a_cache_entry(tmp_path: Path) -> None:
    model = "import tensorflow as tf\nfrom .ops import block\n\n\n" + SHIM.split("\n\n\n")[1].replace(
        "return tf.compat.v1.layers.dense(x, 3)", "return block(x)")
    for package, name in (("good", ', name="d"'), ("bad", "")):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
        (tmp_path / package / "model.py").write_text(model)
        (tmp_path / package / "ops.py").write_text(f"import tensorflow as tf\n\n\ndef block(x):\n    return tf.compat.v1.layers.dense(x, 3{name})\n")
    cache = tmp_path / "cache"
    assert cli("check", "--cache-dir", str(cache), "good/model.py", cwd=tmp_path).returncode == 0
    FIGURES["cache entries poisoned"] += 1  # the entry of an identical file elsewhere, waiting to be taken
    result = cli("check", "--cache-dir", str(cache), "bad/model.py", cwd=tmp_path)
    assert b"TFS101" in result.stdout, result.stdout


# -- 16. stdin gets max-file-size ----------------------------------------------------------------------------

def test_max_file_size_applies_to_stdin(tmp_path: Path) -> None:
    path = tmp_path / "big.py"
    path.write_text(SHIM)
    as_file = cli("check", "--no-cache", "--max-file-size", "50", str(path))
    as_stdin = cli("check", "--no-cache", "--max-file-size", "50", "--stdin-filename", str(path), "-", input=SHIM.encode())
    assert b"TFS000" in as_file.stdout
    assert as_stdin.stdout == as_file.stdout


# -- 18. SARIF uris ------------------------------------------------------------------------------------------

def test_sarif_uris_are_percent_encoded_and_resolvable(tmp_path: Path) -> None:
    for name in ("my model#2.py", "100%.py"):
        (tmp_path / name).write_text(SHIM)
    result = cli("check", "--no-cache", "--format", "sarif", ".", cwd=tmp_path)
    run = json.loads(result.stdout)["runs"][0]
    base = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.endswith("/") and urllib.parse.urlparse(base).scheme == "file"
    uris = sorted(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"])
    assert uris == ["100%25.py", "my%20model%232.py"]
    for uri in uris:
        resolved = urllib.parse.urljoin(base, uri)
        assert Path(urllib.parse.unquote(urllib.parse.urlparse(resolved).path)).is_file()


# -- 19. --diff stays a valid patch with notebooks --------------------------------------------------------------

def test_diff_with_a_notebook_is_a_patch_git_applies(tmp_path: Path) -> None:
    (tmp_path / "model.py").write_text(SHIM)
    nbformat.write(notebook(CELL), str(tmp_path / "x.ipynb"))
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    result = cli("check", "--no-cache", "--diff", ".", cwd=tmp_path)
    assert result.returncode == 1
    (tmp_path / "fix.patch").write_bytes(result.stdout)
    applied = subprocess.run(["git", "apply", "fix.patch"], cwd=tmp_path, capture_output=True)
    assert applied.returncode == 0, applied.stderr
    assert not lint_source((tmp_path / "model.py").read_text(), "model.py")
    assert not lint_notebook((tmp_path / "x.ipynb").read_bytes(), "x.ipynb")


# -- smaller: JSON fix edits end inside the file ------------------------------------------------------------------

def test_json_fix_edits_of_a_file_without_final_newline_end_inside_it(tmp_path: Path) -> None:
    path = tmp_path / "eof.py"
    path.write_text(SHIM.rstrip("\n"))
    (record,) = json.loads(cli("check", "--no-cache", "--format", "json", str(path)).stdout)
    lines = SHIM.rstrip("\n").split("\n")
    for edit in record["fix"]["edits"]:
        assert edit["end_line"] <= len(lines)
        assert edit["end_column"] <= len(lines[edit["end_line"] - 1]) + 1


def test_an_internal_error_whose_message_cannot_print_is_still_one_line(monkeypatch, capsys) -> None:
    """Item 8's second half: printing the "internal error" line failed too (a KeyError holding a deep tree)."""
    from tf2lint.hosts import cli as cli_module

    class Deep(KeyError):
        def __str__(self) -> str:
            raise RecursionError("maximum recursion depth exceeded")

    def fail(args):
        raise Deep()

    monkeypatch.delenv("TF2LINT_DEBUG", raising=False)
    monkeypatch.setattr(cli_module, "run_check", fail)
    assert cli_module.main(["check", "x.py"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tf2lint: internal error: Deep") and err.count("\n") == 1, err


# -- found by the byte-preservation property test: a CR-only file's coding cookie -------------------------------

def test_a_cr_only_file_with_a_coding_cookie_is_read_as_python_reads_it(tmp_path: Path) -> None:
    data = "# -*- coding: latin-1 -*-\rimport tensorflow as tf\r# größe\r\r\r".encode("latin-1") + (
        SHIM.split("\n\n\n")[1].replace("\n", "\r").encode("latin-1"))
    compile(data, "cookie.py", "exec")  # Python reads it
    path = tmp_path / "cookie.py"
    path.write_bytes(data)
    result = cli("check", "--no-cache", "--fix", str(path))
    assert result.returncode == 0 and b"TFS000" not in result.stdout, result.stdout
    assert path.read_bytes() == data.replace(b"dense(x, 3)", b'dense(x, 3, name="dense")')
