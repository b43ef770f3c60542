"""The `tf2lint` command line: formats, exit codes, selection, noqa, discovery."""

from __future__ import annotations

import json
import re
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tf2lint import __version__
from tf2lint.hosts.cli import main
from tf2lint.rules import ALL_RULES

BAD = """\
import tensorflow as tf


class L(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        y = tf.compat.v1.layers.dense(x, 3){noqa1}
        return tf.keras.layers.Dense(2)(y){noqa2}
"""


def write(tmp_path: Path, name: str = "m.py", noqa1: str = "", noqa2: str = "") -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(BAD.format(noqa1=noqa1, noqa2=noqa2))
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_text_format_and_exit_code(tmp_path: Path, capsys) -> None:
    path = write(tmp_path)
    code, out, _ = run(capsys, "check", str(path))
    assert code == 1
    lines = out.splitlines()
    assert re.fullmatch(rf"{re.escape(str(path))}:7:13: TFS101 .*`L\.call`.*", lines[0])
    assert re.fullmatch(rf"{re.escape(str(path))}:8:16: TFS106 .*", lines[1])
    assert lines[2] == "Found 2 findings in 1 file."


def test_json_format(tmp_path: Path, capsys) -> None:
    path = write(tmp_path)
    code, out, _ = run(capsys, "check", "--format", "json", str(path))
    records = json.loads(out)
    assert code == 1
    assert [set(r) for r in records] == [
        {"path", "cell", "line", "column", "end_line", "end_column", "code", "symbol", "severity", "message", "fix", "url"}
    ] * 2
    first = records[0]
    assert (first["line"], first["column"], first["end_line"], first["end_column"]) == (7, 13, 7, 44)
    assert (first["code"], first["symbol"]) == ("TFS101", "unscoped-v1-layer")
    assert first["fix"]["applicability"] == "safe" and first["fix"]["edits"][0]["line"] == 7


def test_clean_run_exits_zero(tmp_path: Path, capsys) -> None:
    (tmp_path / "ok.py").write_text("import tensorflow as tf\nx = tf.constant(1)\n")
    assert run(capsys, "check", str(tmp_path)) == (0, "All checks passed!\n", "")
    assert run(capsys, "check", "--quiet", str(tmp_path)) == (0, "", "")


def test_exit_zero(tmp_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "check", "--exit-zero", str(write(tmp_path)))
    assert code == 0 and "TFS101" in out


@pytest.mark.parametrize(
    ("options", "codes"),
    [
        ((), ["TFS101", "TFS106"]),
        (("--select", "TFS101"), ["TFS101"]),
        (("--select", "TFS1", "--ignore", "TFS106"), ["TFS101"]),
        (("--ignore", "TFS10"), []),
        (("--select", "TFS106", "--extend-select", "TFS101"), ["TFS101", "TFS106"]),
        (("--select", "TFS101", "--ignore", "TFS1"), ["TFS101"]),  # the longer prefix wins
        (("--select", "tfs106"), ["TFS106"]),
    ],
)
def test_select_and_ignore(tmp_path: Path, capsys, options, codes) -> None:
    _, out, _ = run(capsys, "check", "--format", "json", *options, str(write(tmp_path)))
    assert [r["code"] for r in json.loads(out)] == codes


@pytest.mark.parametrize(
    ("noqa1", "noqa2", "codes"),
    [
        ("  # noqa", "", ["TFS106"]),
        ("  # noqa: TFS101", "  # NOQA:TFS101", ["TFS106"]),
        ("  # noqa: TFS106", "  # noqa: TFS101,TFS106", ["TFS101"]),
        ("  # noqa: TFS1", "", ["TFS106"]),
        ("  # noqa:E501 TFS101", "  # noqa : TFS106", []),  # `# noqa :` is a blanket noqa, as in flake8
        ("  # some comment", "  # noqa: E501", ["TFS101", "TFS106"]),
    ],
)
def test_noqa(tmp_path: Path, capsys, noqa1, noqa2, codes) -> None:
    _, out, _ = run(capsys, "check", "--format", "json", str(write(tmp_path, noqa1=noqa1, noqa2=noqa2)))
    assert [r["code"] for r in json.loads(out)] == codes


def test_noqa_inside_a_string_does_not_suppress_other_lines(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_text(BAD.format(noqa1="", noqa2="").replace("return", "s = '# noqa'\n        return"))
    _, out, _ = run(capsys, "check", "--format", "json", str(path))
    assert [r["code"] for r in json.loads(out)] == ["TFS101", "TFS106"]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"], ids=["LF", "CRLF", "CR"])
def test_noqa_applies_to_its_physical_line_whatever_the_line_breaks(tmp_path: Path, capsys, newline: str) -> None:
    path = tmp_path / "m.py"
    source = BAD.format(noqa1="  # noqa: TFS101", noqa2="")
    path.write_bytes(source.replace("\n", newline).encode())
    _, out, _ = run(capsys, "check", "--format", "json", "--select", "TFS101,TFS106,TFS901", str(path))
    assert [r["code"] for r in json.loads(out)] == ["TFS106"]


def test_directories_are_walked_recursively_in_order(tmp_path: Path, capsys) -> None:
    write(tmp_path, "b/z.py")
    write(tmp_path, "a/y.py")
    write(tmp_path, ".venv/ignored.py")
    write(tmp_path, "build/ignored.py")
    (tmp_path / "a" / "notes.txt").write_text("tf.compat.v1.layers.dense(x, 3)")
    _, out, _ = run(capsys, "check", "--format", "json", str(tmp_path))
    paths = [Path(r["path"]).relative_to(tmp_path).as_posix() for r in json.loads(out)]
    assert paths == ["a/y.py", "a/y.py", "b/z.py", "b/z.py"]


def test_explicit_file_in_excluded_dir_is_linted(tmp_path: Path, capsys) -> None:
    path = write(tmp_path, "build/gen.py")
    code, _, _ = run(capsys, "check", str(path))
    assert code == 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("check", "does/not/exist"), "path not found"),
        (("check", "--select", "XYZ1", "."), "unknown rule code"),
        (("check", "--ignore", "TFS999", "."), "unknown rule code"),
    ],
)
def test_usage_errors_exit_2_with_one_line(capsys, argv, message) -> None:
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err


def test_bad_option_exits_2(capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["check", "--format", "xml"])
    assert exc.value.code == 2


def test_rules_listing(capsys) -> None:
    code, out, _ = run(capsys, "rules", "--format", "json")
    assert code == 0
    records = json.loads(out)
    assert [r["code"] for r in records] == [r.code for r in ALL_RULES]
    assert all(set(r) == {"code", "symbol", "summary", "enabled_by_default", "severity", "url"} for r in records)
    code, out, _ = run(capsys, "rules")
    assert [line.split()[0] for line in out.splitlines()] == [r.code for r in ALL_RULES]


def test_version_and_module_entry_point(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "tf2lint", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.strip() == f"tf2lint {__version__}"
    result = subprocess.run(
        [sys.executable, "-m", "tf2lint", "check", str(write(tmp_path))], capture_output=True, text=True
    )
    assert result.returncode == 1 and result.stdout.count("TFS1") == 2


@pytest.mark.parametrize(("files", "form"), [(1, "text"), (300, "json")])
def test_the_command_delivers_all_its_output_before_its_hard_exit(tmp_path: Path, capsys, files: int, form: str) -> None:
    """`tf2lint` leaves without tearing the interpreter down (`entry`): output still in the stream's buffer,
    and more output than a pipe holds, must arrive whole, with the exit code `main` returned."""
    for number in range(files):
        write(tmp_path, f"pkg/m{number}.py")
    code, expected, _ = run(capsys, "check", "--no-cache", "--format", form, str(tmp_path))
    assert code == 1 and expected.count("TFS101 ") + expected.count('"code": "TFS101"') == files
    buffered = {name: value for name, value in os.environ.items() if name != "PYTHONUNBUFFERED"}
    result = subprocess.run(
        [sys.executable, "-m", "tf2lint", "check", "--no-cache", "--format", form, str(tmp_path)],
        capture_output=True, text=True, env=buffered,
    )
    assert result.returncode == 1 and result.stdout == expected


def test_default_path_is_the_current_directory(tmp_path: Path, monkeypatch, capsys) -> None:
    write(tmp_path, "pkg/m.py")
    monkeypatch.chdir(tmp_path)
    _, out, _ = run(capsys, "check", "--format", "json")
    assert {r["path"] for r in json.loads(out)} == {"pkg/m.py"}


def test_the_linter_never_imports_tensorflow(tmp_path: Path) -> None:
    probe = (
        "import sys, tf2lint.hosts.cli\n"
        f"tf2lint.hosts.cli.main(['check', '--exit-zero', {str(write(tmp_path))!r}])\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras', 'tf_keras')]\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
