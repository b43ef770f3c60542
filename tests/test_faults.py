"""Promises kept under faults: hostile files, damaged caches and configs, failing and killed
writes. Every test here failed on the code before its fix. The figures (faults injected,
kills, files damaged) are printed at the end of the run by tests/conftest.py."""

from __future__ import annotations

import ast
import errno
import io
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
import tokenize
from collections import Counter
from pathlib import Path

import pytest
from conftest import FIGURES

from tf2lint.engine import Settings, lint_source
from tf2lint.fixing import edits, write
from tf2lint.hosts.cli import main
from tf2lint.rules import RULES

TWO_DENSE = RULES[0].bad[0]  # TFS101: two safe fixes
BY_CODE = {rule.code: rule for rule in RULES}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["check", "--no-cache", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def cli(*argv: str, cwd: Path | None = None, env: dict | None = None, timeout: float = 60, **kwargs):
    """`python -m tf2lint` in a fresh process."""
    return subprocess.run(
        [sys.executable, "-m", "tf2lint", *argv], capture_output=True, cwd=cwd, timeout=timeout,
        env={**os.environ, **(env or {})}, **kwargs,
    )


def temporaries(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.startswith(".tf2lint-") or p.name.endswith(".tmp")]


# -- 1. an added import never moves the coding cookie; written bytes are verified -------------------

NEEDS_IMPORT = (
    "from tensorflow.compat.v1 import get_variable, variable_scope\n"
    "from tensorflow.keras.layers import Layer\n"
    "# caf\xe9\n"
    "class L(Layer):\n"
    "    def call(self, x):\n"
    "        with variable_scope('s'):\n"
    "            return get_variable('k', [3])\n"
)


@pytest.mark.parametrize(
    ("header", "import_line"),
    [
        ("#!/usr/bin/env python\n# -*- coding: latin-1 -*-\n", 3),
        ("# -*- coding: latin-1 -*-\n# Copyright 2020 Someone\n# Licensed under Apache 2.0\n", 4),
        ("# -*- coding: latin-1 -*-\n'''Docstring.'''\nfrom __future__ import annotations\n", 4),
    ],
    ids=["shebang-cookie", "licence-header", "docstring-future"],
)
def test_added_import_goes_below_shebang_cookie_header_docstring(tmp_path: Path, capsys, header, import_line) -> None:
    path = tmp_path / "m.py"
    path.write_bytes((header + NEEDS_IMPORT).encode("latin-1"))
    code, out, err = run(capsys, "--fix", str(path))
    data = path.read_bytes()
    ast.parse(data)  # decodes with the cookie it declares, and parses
    lines = data.decode("latin-1").splitlines()
    assert lines[import_line - 1] == "import tensorflow as tf" and "café" in lines[import_line + 2]
    assert code == 0 and "Fixed 1 finding; 0 remaining." in out


def test_fix_whose_bytes_would_not_decode_is_dropped(tmp_path: Path, capsys, monkeypatch) -> None:
    # The old placement (line 1): the cookie ends up on line 3, where Python ignores it.
    monkeypatch.setattr(edits, "_import_line", lambda tree, lines: 1)
    FIGURES["faults injected"] += 1
    path = tmp_path / "m.py"
    original = ("# -*- coding: latin-1 -*-\n" + NEEDS_IMPORT).encode("latin-1")
    path.write_bytes(original)
    code, out, err = run(capsys, "--fix", str(path))
    assert path.read_bytes() == original
    assert "dropped a fix" in err and "Fixed 0 findings; 1 remaining." in out and code == 1


# -- 2. fix text is spelled like the source; a fix that cannot be encoded is dropped, never fatal ---

MICRO = (
    b"# -*- coding: latin-1 -*-\nimport tensorflow as t\xb5\n\n"
    b"class L(t\xb5.keras.layers.Layer):\n    def call(self, x):\n"
    b"        with t\xb5.compat.v1.variable_scope('s'):\n            return t\xb5.compat.v1.get_variable('k', [3])\n"
)


def test_fix_uses_the_sources_own_spelling_of_normalised_names(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(MICRO)
    code, out, err = run(capsys, "--fix", str(path))
    assert b"    @t\xb5.compat.v1.keras.utils.track_tf1_style_variables\n" in path.read_bytes()
    assert code == 0 and not err


def test_unencodable_fix_is_dropped_and_reported(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.setattr(edits, "_respell", lambda content, spellings: content)  # GREEK MU: not latin-1
    FIGURES["faults injected"] += 1
    path = tmp_path / "m.py"
    path.write_bytes(MICRO)
    code, out, err = run(capsys, "--fix", str(path))
    assert path.read_bytes() == MICRO and code == 1
    assert "not encode as iso-8859-1" in err and "internal error" not in err


# -- 3. symlinks, hard links, owner ------------------------------------------------------------------


def test_fix_writes_through_a_symlink_inside_the_tree(tmp_path: Path, capsys) -> None:
    (tmp_path / "real.py").write_text(TWO_DENSE)
    (tmp_path / "link.py").symlink_to("real.py")
    code, out, err = run(capsys, "--fix", str(tmp_path / "link.py"))
    assert (tmp_path / "link.py").is_symlink() and 'name="dense_1"' in (tmp_path / "real.py").read_text()
    assert code == 0


def test_fix_refuses_to_write_outside_the_given_paths(tmp_path: Path, capsys) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "tree").mkdir()
    (tmp_path / "outside" / "target.py").write_text(TWO_DENSE)
    (tmp_path / "tree" / "link.py").symlink_to(tmp_path / "outside" / "target.py")
    code, out, err = run(capsys, "--fix", str(tmp_path / "tree"))
    assert (tmp_path / "outside" / "target.py").read_text() == TWO_DENSE
    assert "outside the paths given; not written" in err and "Fixed 0 findings; 2 remaining." in out and code == 1


def test_fix_keeps_hard_links_together(tmp_path: Path, capsys) -> None:
    (tmp_path / "a.py").write_text(TWO_DENSE)
    os.link(tmp_path / "a.py", tmp_path / "b.py")
    code, out, err = run(capsys, "--fix", str(tmp_path / "a.py"))
    assert os.stat(tmp_path / "a.py").st_ino == os.stat(tmp_path / "b.py").st_ino
    assert "hard links" in err and code == 1


@pytest.mark.skipif(os.geteuid() != 0, reason="changing a file's owner needs root")
def test_fix_keeps_the_owner(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_text(TWO_DENSE)
    os.chown(path, 4242, 4343)
    assert run(capsys, "--fix", str(path))[0] == 0
    assert (os.stat(path).st_uid, os.stat(path).st_gid) == (4242, 4343) and "name=" in path.read_text()


# -- 4. the summary counts only what was written -----------------------------------------------------


def test_failed_write_is_not_counted_as_fixed(tmp_path: Path, capsys, monkeypatch) -> None:
    def full_disk(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(write, "_replace", full_disk)
    FIGURES["faults injected"] += 1
    path = tmp_path / "m.py"
    path.write_text(TWO_DENSE)
    code, out, err = run(capsys, "--fix", str(path))
    assert "No space left on device" in err and out.splitlines()[-1] == "Fixed 0 findings; 2 remaining."
    assert code == 1 and path.read_text() == TWO_DENSE


def _small_files(limit: int):
    def limit_file_size() -> None:  # a real write fault, for root too: EFBIG past `limit` bytes
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return limit_file_size


def test_write_fault_in_a_real_process_leaves_file_and_directory_clean(tmp_path: Path) -> None:
    path = tmp_path / "m.py"
    path.write_text(TWO_DENSE)
    result = cli("check", "--no-cache", "--fix", str(path), preexec_fn=_small_files(100))
    FIGURES["faults injected"] += 1
    assert path.read_text() == TWO_DENSE and not temporaries(tmp_path)
    assert b"Fixed 0 findings; 2 remaining." in result.stdout and result.returncode == 1, result.stderr


# -- 5. `python -m tf2lint` never imports the linted tree ---------------------------------------------


def test_module_entry_point_does_not_import_the_working_directory(tmp_path: Path) -> None:
    for name in ("json", "argparse", "dataclasses", "tomllib", "difflib", "libcst"):
        (tmp_path / f"{name}.py").write_text(f"open({str(tmp_path / ('RAN-' + name))!r}, 'w').close()\n")
    (tmp_path / "m.py").write_text(TWO_DENSE)
    for argv in (["check", "--no-cache", "."], ["check", "--no-cache", "--diff", "."], ["rules"]):
        result = cli(*argv, cwd=tmp_path)
        assert result.returncode in (0, 1), result.stderr
    assert not list(tmp_path.glob("RAN-*"))


# -- 6. FIFOs, devices, huge files -------------------------------------------------------------------


def test_walking_skips_fifos_and_devices_naming_them_reports_them(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.py")
    (tmp_path / "y.py").symlink_to("/dev/zero")
    (tmp_path / "m.py").write_text(TWO_DENSE)
    walked = cli("check", "--no-cache", str(tmp_path), timeout=30)
    assert walked.returncode == 1 and walked.stdout.count(b"TFS101") == 2 and b"TFS000" not in walked.stdout
    named = cli("check", "--no-cache", str(tmp_path / "x.py"), str(tmp_path / "y.py"), timeout=30)
    assert b"x.py:1:1: TFS000 cannot read: not a regular file (a FIFO)" in named.stdout
    assert b"y.py:1:1: TFS000 cannot read: not a regular file (a character device)" in named.stdout


def test_file_size_cap_is_configurable(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_text(TWO_DENSE)
    code, out, err = run(capsys, "--max-file-size", "100", str(path))
    assert code == 1 and "TFS000 cannot read: larger than 100 bytes (max-file-size)" in out
    (tmp_path / "pyproject.toml").write_text("[tool.tf2lint]\nmax-file-size = 200\n")
    assert "larger than 200 bytes" in run(capsys, str(path))[1]
    assert run(capsys, "--max-file-size", "100000", str(path))[1].count("TFS101") == 2
    assert run(capsys, "--max-file-size", "0", str(path))[0] == 2


def test_cache_key_covers_every_subpackage(monkeypatch) -> None:
    # A fix in analysis/ (say, line numbering) must not be hidden by results cached before it.
    from tf2lint import cache

    hashed = []
    monkeypatch.setattr(Path, "read_bytes", lambda self: hashed.append(self.as_posix()) or b"")
    cache._code_fingerprint.cache_clear()
    try:
        cache._code_fingerprint()
    finally:
        cache._code_fingerprint.cache_clear()
    assert any(name.endswith("analysis/context.py") for name in hashed)
    assert any(name.endswith("fixing/edits.py") for name in hashed)


# -- 7. notebooks --------------------------------------------------------------------------------------


def notebook(cells: list, nbformat: int = 4, metadata: dict | None = None) -> str:
    if nbformat == 3:
        return json.dumps({"nbformat": 3, "metadata": metadata or {}, "worksheets": [{"cells": cells}]})
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": metadata or {}, "cells": cells})


def code_cell(source, key: str = "source") -> dict:
    return {"cell_type": "code", key: source, "metadata": {}, "outputs": []}


def test_one_damaged_cell_spoils_neither_its_notebook_nor_the_run(tmp_path: Path, capsys) -> None:
    (tmp_path / "bad.ipynb").write_text(notebook([code_cell(["import tensorflow\n", 3]), code_cell(TWO_DENSE)]))
    (tmp_path / "m.py").write_text(TWO_DENSE)
    code, out, err = run(capsys, str(tmp_path))
    assert code == 1 and not err
    assert "bad.ipynb:cell 1:1:1: TFS000" in out or "bad.ipynb:1:1: TFS000" in out, out
    assert out.count("TFS101") == 4  # both in the notebook's good cell and in m.py


def test_nbformat_3_is_read(tmp_path: Path, capsys) -> None:
    (tmp_path / "old.ipynb").write_text(notebook([code_cell(TWO_DENSE, key="input")], nbformat=3))
    code, out, err = run(capsys, str(tmp_path / "old.ipynb"))
    assert out.count("TFS101") == 2 and "TFS000" not in out


def test_notebooks_of_other_languages_are_not_linted(tmp_path: Path, capsys) -> None:
    r_kernel = {"kernelspec": {"name": "ir", "language": "R"}, "language_info": {"name": "R"}}
    (tmp_path / "r.ipynb").write_text(notebook([code_cell("library(keras)\nmodel %>% layer_dense(units = 3)")], metadata=r_kernel))
    assert run(capsys, str(tmp_path / "r.ipynb"))[:2] == (0, "All checks passed!\n")


def test_notebook_cells_with_cr_report_the_right_line(tmp_path: Path, capsys) -> None:
    (tmp_path / "cr.ipynb").write_text(notebook([code_cell(TWO_DENSE.replace("\n", "\r"))]))
    expected = [(f.line, f.code) for f in lint_source(TWO_DENSE, "m.py")]
    code, out, err = run(capsys, "--format", "json", str(tmp_path / "cr.ipynb"))
    assert code == 1 and [(r["line"], r["code"]) for r in json.loads(out)] == expected


# -- 8. damaged cache entries are misses; failed cache writes leave no temporary file -------------------


@pytest.mark.parametrize(
    "damage",
    [
        lambda r: [{**r[0], "line": "7"}],
        lambda r: [{**r[0], "fix": "x"}],
        lambda r: {"line": 1},
        lambda r: [{**r[0], "surprise": 1}],
        lambda r: [None],
        lambda r: [{**r[0], "fix": {"applicability": "safe", "message": "m", "edits": [{"line": "x"}]}}],
    ],
    ids=["line-as-string", "fix-as-string", "object", "extra-key", "null", "bad-edit"],
)
def test_damaged_cache_entry_is_a_miss(tmp_path: Path, capsys, damage) -> None:
    path = tmp_path / "m.py"
    path.write_text(TWO_DENSE)
    cache = tmp_path / "cache"
    main(["check", "--cache-dir", str(cache), "--format", "json", str(path)])
    expected = capsys.readouterr().out
    for entry in cache.rglob("*.json"):
        stored = json.loads(entry.read_text())
        entry.write_text(json.dumps({**stored, "findings": damage(stored["findings"])}))
        FIGURES["faults injected"] += 1
        FIGURES["cache entries poisoned"] += 1
    code = main(["check", "--cache-dir", str(cache), "--format", "json", str(path)])
    out, err = capsys.readouterr()
    assert (code, out, err) == (1, expected, "")


def test_failed_cache_writes_leave_no_temporary_files(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    for index in range(3):
        (tmp_path / "src" / f"m{index}.py").write_text(TWO_DENSE)
    cache = tmp_path / "cache"
    for _ in range(2):
        result = cli("check", "--cache-dir", str(cache), "-j1", str(tmp_path / "src"), preexec_fn=_small_files(300))
        FIGURES["faults injected"] += 1
        assert result.returncode == 1 and result.stdout.count(b"TFS101") == 6
    assert not temporaries(cache)


# -- 9. a bad pyproject.toml is a configuration error naming the file --------------------------------------


@pytest.mark.parametrize(
    ("content", "says"),
    [(b"tool = 1\n", "`tool` must be a table"), (b"[tool.x]\ny = '\xff'\n", "not UTF-8"),
     (b'tool = "tf2lint"\n', "`tool` must be a table")],
    ids=["tool-not-a-table", "not-utf8", "tool-a-string"],
)
def test_bad_pyproject_is_a_configuration_error(tmp_path: Path, capsys, content, says) -> None:
    (tmp_path / "pyproject.toml").write_bytes(content)
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text(TWO_DENSE)
    code, out, err = run(capsys, str(tmp_path / "pkg"))
    assert code == 2 and str(tmp_path / "pyproject.toml") in err and says in err and "internal error" not in err


# -- 10. file names that are not UTF-8 print --------------------------------------------------------------


def test_non_utf8_file_name_prints_with_a_strict_utf8_stdout(tmp_path: Path) -> None:
    name = os.fsencode(tmp_path) + b"/caf\xe9.py"
    with open(name, "w") as stream:
        stream.write(TWO_DENSE)
    for form in ("text", "json", "github", "sarif"):
        result = cli("check", "--no-cache", "--format", form, str(tmp_path), env={"PYTHONIOENCODING": "utf-8:strict"})
        assert result.returncode == 1 and b"internal error" not in result.stderr, result.stderr
        assert result.stdout.count(b"TFS101") >= 2
    text = cli("check", "--no-cache", str(tmp_path), env={"PYTHONIOENCODING": "utf-8:strict"})
    assert name + b":7:15: TFS101" in text.stdout  # the name's own bytes
    ascii_out = cli("check", "--no-cache", str(tmp_path), env={"PYTHONIOENCODING": "ascii:strict"})
    assert b"caf\\udce9.py:7:15: TFS101" in ascii_out.stdout


# -- 11. one line numbering: CR-only files and stray CRs -----------------------------------------------------


@pytest.mark.parametrize("code", ["TFS109", "TFS112", "TFS114"])
@pytest.mark.parametrize("ending", ["cr-only", "stray-cr"])
def test_line_based_rules_see_cr_line_breaks(code: str, ending: str) -> None:
    settings = Settings(extend_select=(code,))
    for source in BY_CODE[code].bad:
        expected = [(f.line, f.code) for f in lint_source(source, "m.py", settings)]
        assert expected
        if ending == "cr-only":
            found = [(f.line, f.code) for f in lint_source(source.replace("\n", "\r"), "m.py", settings)]
        else:
            found = [(f.line - 1, f.code) for f in lint_source("x = 1\r" + source, "m.py", settings)]
        assert found == expected


# -- 12. --diff output applies with git apply and patch -p1 --------------------------------------------------


@pytest.mark.parametrize("tool", ["git", "patch"])
def test_diff_applies_without_final_newline_and_with_cr_only(tmp_path: Path, capsys, tool: str) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    sources = {
        "a_no_final_newline.py": TWO_DENSE.rstrip("\n").encode(),
        "b_cr_only.py": TWO_DENSE.replace("\n", "\r").encode(),
        "c_crlf_no_final.py": TWO_DENSE.rstrip("\n").replace("\n", "\r\n").encode(),
        "d_latin1.py": ("# -*- coding: latin-1 -*-\n# caf\xe9\n" + TWO_DENSE).encode("latin-1"),
    }
    tree, fixed = tmp_path / "tree", tmp_path / "fixed"
    for root in (tree, fixed):
        root.mkdir()
        for name, data in sources.items():
            (root / name).write_bytes(data)
    previous = os.getcwd()
    os.chdir(tree)
    try:
        assert main(["check", "--no-cache", "--diff", "."]) == 1
    finally:
        os.chdir(previous)
    patch = capsys.readouterr().out.encode("utf-8", "surrogateescape")
    main(["check", "--no-cache", "--fix", str(fixed)])
    capsys.readouterr()
    command = ["git", "apply", "-"] if tool == "git" else ["patch", "-p1", "--batch"]
    applied = subprocess.run(command, input=patch, cwd=tree, capture_output=True)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    for name in sources:
        assert (tree / name).read_bytes() == (fixed / name).read_bytes() != sources[name], name


# -- 13. the same file reached twice is linted once ---------------------------------------------------------


def test_same_file_reached_twice_is_linted_once(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_text(TWO_DENSE)
    (tmp_path / "alias.py").symlink_to("m.py")
    code, out, err = run(capsys, str(path), str(tmp_path), str(tmp_path / "alias.py"), str(tmp_path / "." / "m.py"))
    assert out.count("TFS101") == 2


# -- 14. bytes outside the edited node stay byte-for-byte ---------------------------------------------------

FORMATTED = '''\
import tensorflow as tf


class L(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        out = tf.compat.v1.layers.dense(
            inputs,
            3,  # units
        )
        out = tf.compat.v1.layers.dense(
            out,
            4  # units
        )
        return out
'''


def test_added_keyword_keeps_comments_and_indentation() -> None:
    fixed = write.fix_text(FORMATTED, "m.py", Settings(), unsafe=False).fixed
    assert fixed == FORMATTED.replace(
        "3,  # units\n", '3,  # units\n            name="dense",\n'
    ).replace("4  # units\n", '4,  # units\n            name="dense_1"\n')


HOISTED = '''\
import tensorflow as tf


class L(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        # the bias, made on every call
        bias = tf.Variable(tf.zeros([3]))  # per call
        return inputs + bias
'''


def test_hoisted_statement_keeps_its_comments_and_adds_no_whitespace_only_line() -> None:
    fixed = write.fix_text(HOISTED, "m.py", Settings(), unsafe=True).fixed
    assert fixed == HOISTED.replace(
        "    @tf", "    def __init__(self, *args, **kwargs):\n        super().__init__(*args, **kwargs)\n"
        "        # the bias, made on every call\n        self._bias = tf.Variable(tf.zeros([3]))  # per call\n\n    @tf",
    ).replace("        # the bias, made on every call\n        bias = tf.Variable(tf.zeros([3]))  # per call\n"
              "        return inputs + bias\n", "        return inputs + self._bias\n")


def _comments(text: str, decorators: bool | None = None) -> Counter[str]:
    """The comments of a source; with ``decorators``, only those on (or not on) a decorator line."""
    lines = text.splitlines()
    return Counter(
        t.string
        for t in tokenize.generate_tokens(io.StringIO(text).readline)
        if t.type == tokenize.COMMENT
        and (decorators is None or lines[t.start[0] - 1].lstrip().startswith("@") == decorators)
    )


@pytest.mark.parametrize(
    "source", [pytest.param(s, id=f"{r.code}-bad{i}") for r in RULES for i, s in enumerate(r.bad)]
)
def test_fixes_keep_every_comment_once_and_add_no_whitespace_only_lines(source: str) -> None:
    result = write.fix_text(source, "m.py", Settings(extend_select=("TFS1",)), unsafe=True)
    after = _comments(result.fixed)
    assert not after - _comments(source)  # no comment is new or duplicated
    # None is lost, except with a decorator line that a fix removes (TFS105's).
    assert not _comments(source, decorators=False) - after
    blank_with_spaces = [line for line in result.fixed.split("\n") if line and not line.strip()]
    assert len(blank_with_spaces) <= len([line for line in source.split("\n") if line and not line.strip()])


# -- the suite: SIGKILL at random moments ---------------------------------------------------------------------

KILLS = int(os.environ.get("TF2LINT_FAULT_KILLS", "8"))


def test_sigkill_during_fix_never_leaves_a_damaged_or_temporary_file(tmp_path: Path) -> None:
    fixable = [s for r in RULES for s in r.bad if write.fix_text(s, "m.py", Settings(), False).changed]
    originals = {f"m{index:03}.py": fixable[index % len(fixable)].encode() for index in range(40)}
    expected_dir = tmp_path / "expected"
    expected_dir.mkdir()
    for name, data in originals.items():
        (expected_dir / name).write_bytes(data)
    started = time.monotonic()
    reference = cli("check", "--no-cache", "-j1", "--fix", str(expected_dir), timeout=300)
    duration = time.monotonic() - started
    expected = {name: (expected_dir / name).read_bytes() for name in originals}
    assert all(expected[name] != originals[name] for name in originals), reference.stdout + reference.stderr
    seed = int(os.environ.get("TF2LINT_KILL_SEED", "20261205"))  # fixed in CI; set it to explore others
    rng = random.Random(seed)
    work = tmp_path / "work"
    written = 0
    mid_write = 0  # kills that left some files fixed and some not: the run was killed while writing
    # The window in which the run writes files moves with the machine's load: each kill narrows it.
    early, late = 0.1 * duration, 1.2 * duration
    for _ in range(KILLS):
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir()
        for name, data in originals.items():
            (work / name).write_bytes(data)
        process = subprocess.Popen(
            [sys.executable, "-m", "tf2lint", "check", "--no-cache", "-j1", "--fix", str(work)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        delay = rng.uniform(early, late)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        FIGURES["kills"] += 1
        bad = [name for name in originals if (work / name).read_bytes() not in (originals[name], expected[name])]
        fixed = sum((work / name).read_bytes() == expected[name] for name in originals)
        written += fixed
        FIGURES["files damaged"] += len(bad)  # counted before asserting, so a failing run shows it
        assert not bad, f"seed {seed}: damaged {bad}"
        if fixed == 0:
            early = delay
        elif fixed == len(originals):
            late = delay
        else:
            mid_write += 1
        left = temporaries(work)
        if left:
            # Killed in the instant between naming a temporary and renaming it: the next run sweeps it.
            FIGURES["temporaries swept by the next run"] += len(left)
            cli("check", "--no-cache", "-j1", "--fix", str(work), timeout=300)
            assert not temporaries(work), f"seed {seed}: the next run left {temporaries(work)}"
    FIGURES["files written before a kill"] += written
    FIGURES["kills while writing"] += mid_write
    # A test of kills that all landed before the first write or after the last would prove nothing.
    assert mid_write, f"seed {seed}: no kill landed while files were being written (window {early:.2f}-{late:.2f} s)"


def _edits_on_their_node(source: str) -> list[tuple[str, str, str]]:
    """(original lines, new content, what must survive around the node) for each edit that rewrites
    exactly the lines of its finding's node."""
    lines = source.splitlines(keepends=True)
    found = []
    for finding in lint_source(source, "m.py", Settings(extend_select=("TFS1",)), fixes=True):
        for edit in (finding.fix or {}).get("edits", []):
            # A rewrite (not a removal: a removed statement or decorator goes with its line).
            # Same number of lines: a statement wrapped in a new block (a scope around the body) is not one.
            same_lines = edit["content"].count("\n") == finding.end_line - finding.line + 1
            if edit["line"] == finding.line and edit["end_line"] == finding.end_line + 1 and edit["content"] and same_lines:
                before = lines[finding.line - 1][: finding.col]
                after = lines[finding.end_line - 1][finding.end_col :]
                found.append((before, edit["content"], after))
    return found


@pytest.mark.parametrize(
    "source", [pytest.param(s, id=f"{r.code}-bad{i}") for r in RULES for i, s in enumerate(r.bad)] + [FORMATTED]
)
def test_bytes_around_the_edited_node_are_kept(source: str) -> None:
    for before, content, after in _edits_on_their_node(source):
        assert content.startswith(before) and content.endswith(after), (before, content, after)


def test_bytes_around_the_edited_node_are_checked_somewhere() -> None:
    assert sum(len(_edits_on_their_node(s)) for r in RULES for s in r.bad) >= 5
