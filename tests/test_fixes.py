"""Autofix: every fix leaves code that parses and loses its finding; runs are idempotent and careful."""

from __future__ import annotations

import ast
import json
import os
import stat
from pathlib import Path

import pytest

from tf2lint.fixing import write as fixing
from tf2lint.hosts.cli import main
from tf2lint.engine import Settings, lint_source
from tf2lint.fixing.write import fix_text
from tf2lint.rules import RULES


def settings_for(rule) -> Settings:
    return Settings() if rule.enabled_by_default else Settings(extend_select=(rule.code,))


FIXABLE = [
    pytest.param(rule, index, id=f"{rule.code}-bad{index}")
    for rule in RULES
    for index, source in enumerate(rule.bad)
    if any(f.fix for f in lint_source(source, "m.py", settings_for(rule), fixes=True))
]


def test_the_documented_fixes_exist() -> None:
    fixed = {param.values[0].code for param in FIXABLE}
    assert fixed >= {"TFS101", "TFS102", "TFS103", "TFS105", "TFS106", "TFS107", "TFS111", "TFS114"}


@pytest.mark.parametrize("unsafe", [False, True], ids=["safe", "unsafe"])
@pytest.mark.parametrize(("rule", "index"), FIXABLE)
def test_fixes_parse_remove_their_findings_and_are_idempotent(rule, index, unsafe) -> None:
    source = rule.bad[index]
    settings = settings_for(rule)
    before = lint_source(source, "m.py", settings, fixes=True)
    result = fix_text(source, "m.py", settings, unsafe)
    ast.parse(result.fixed)
    applicable = [f for f in before if f.fix and (unsafe or f.fix["applicability"] == "safe")]
    if applicable:
        assert result.applied >= 1 and result.changed
    # Nothing applicable is left, and every code that was fully fixable is gone.
    assert not [f for f in result.findings if f.fix and (unsafe or f.fix["applicability"] == "safe")]
    for code in {f.code for f in applicable}:
        if all(f.fix for f in before if f.code == code):
            assert code not in {f.code for f in result.findings}, result.fixed
    again = fix_text(result.fixed, "m.py", settings, unsafe)
    assert again.fixed == result.fixed


def test_safe_fix_content_for_straight_line_layers() -> None:
    result = fix_text(RULES[0].bad[0], "m.py", Settings(), unsafe=False)
    assert 'tf.compat.v1.layers.dense(inputs, 3, name="dense")' in result.fixed
    assert 'tf.compat.v1.layers.dense(out, 4, name="dense_1")' in result.fixed
    assert result.findings == []


def test_explicit_names_are_counted_like_tf_does() -> None:
    source = RULES[0].bad[0].replace("dense(inputs, 3)", 'dense(inputs, 3, name="dense")')
    result = fix_text(source, "m.py", Settings(), unsafe=False)
    assert 'dense(out, 4, name="dense_1")' in result.fixed


def test_decorator_fix_uses_the_files_alias_or_adds_an_import() -> None:
    with_alias = "import tensorflow.compat.v1 as v1\n\n\nclass L(v1.keras.layers.Layer):\n    def call(self, x):\n        return v1.layers.dense(x, 3, name='d')\n"
    assert "@v1.keras.utils.track_tf1_style_variables\n    def call" in fix_text(with_alias, "m.py", Settings(), False).fixed
    from_import = (
        "from tensorflow.compat.v1 import layers\nfrom tensorflow.compat.v1.keras import layers as klayers\n"
        "from tensorflow.compat.v1.keras.utils import track_tf1_style_variables as track\n\n\n"
        "class L(klayers.Layer):\n    def call(self, x):\n        return layers.dense(x, 3, name='d')\n"
    )
    assert "    @track\n    def call" in fix_text(from_import, "m.py", Settings(), False).fixed


def test_overlapping_fixes_are_applied_over_several_rounds() -> None:
    (rule,) = [r for r in RULES if r.code == "TFS106"]
    result = fix_text(rule.bad[0], "m.py", Settings(), unsafe=True)
    assert result.applied == rule.bad[0].count("# expect: TFS106")  # every per-call object hoisted
    assert "def __init__(self, *args, **kwargs):" in result.fixed
    assert "self._bias = tf.Variable(tf.zeros([3]))" in result.fixed
    assert [f.code for f in result.findings] == []


def test_a_fix_that_breaks_the_code_is_dropped_and_reported(monkeypatch) -> None:
    import tf2lint.fixing.edits as fixer

    real_build = fixer.build

    def broken(text, lines, plans, *tree):
        built = real_build(text, lines, plans, *tree)
        return [dict(fix, edits=[{**fix["edits"][0], "content": "def (:\n"}]) if fix else fix for fix in built]

    monkeypatch.setattr(fixer, "build", broken)
    result = fix_text(RULES[0].bad[0], "m.py", Settings(), unsafe=False)
    assert not result.changed
    assert any("would not parse" in problem for problem in result.problems)


def write_bad(tmp_path: Path, name: str = "m.py", data: bytes | None = None) -> Path:
    path = tmp_path / name
    path.write_bytes(data if data is not None else RULES[0].bad[0].encode())
    return path


def test_file_is_written_atomically_keeping_mode_encoding_bom_and_newlines(tmp_path: Path, capsys) -> None:
    source = "# -*- coding: latin-1 -*-\n# caf\xe9\n" + RULES[0].bad[0]
    data = b"\xef\xbb\xbf" + source.replace("# -*- coding: latin-1 -*-\n", "").replace("\n", "\r\n").encode("utf-8")
    path = write_bad(tmp_path, data=data)
    os.chmod(path, 0o640)
    assert main(["check", "--no-cache", "--fix", str(path)]) == 0
    written = path.read_bytes()
    assert written.startswith(b"\xef\xbb\xbf") and b"\r\n" in written and b"\n" not in written.replace(b"\r\n", b"")
    assert 'name="dense_1"'.encode() in written and "café".encode() in written
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tf2lint-")]
    latin = write_bad(tmp_path, "latin.py", source.encode("latin-1"))
    main(["check", "--no-cache", "--fix", str(latin)])
    assert latin.read_bytes().decode("latin-1").count("café") == 1 and b'name="dense"' in latin.read_bytes()
    capsys.readouterr()


def test_file_changed_on_disk_is_not_overwritten(tmp_path: Path, monkeypatch, capsys) -> None:
    path = write_bad(tmp_path)
    real = fixing.fix_text

    def meddling(text, *args, **kwargs):
        path.write_text(text + "# edited meanwhile\n")
        return real(text, *args, **kwargs)

    monkeypatch.setattr(fixing, "fix_text", meddling)
    main(["check", "--no-cache", "--fix", str(path)])
    assert path.read_text().endswith("# edited meanwhile\n") and "name=" not in path.read_text()
    assert "changed on disk" in capsys.readouterr().err


def test_diff_writes_nothing_and_exits_1(tmp_path: Path, capsys) -> None:
    path = write_bad(tmp_path)
    before = path.read_bytes()
    assert main(["check", "--no-cache", "--diff", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out.startswith(f"--- a/{path}\n+++ b/{path}\n") and '+        out = tf.compat.v1.layers.dense(inputs, 3, name="dense")' in out
    assert "Would fix 2 findings" in err
    assert path.read_bytes() == before
    path.write_text("import tensorflow as tf\n")
    assert main(["check", "--no-cache", "--diff", str(path)]) == 0


def test_fix_summary_and_unsafe_count(tmp_path: Path, capsys) -> None:
    (rule,) = [r for r in RULES if r.code == "TFS102"]
    path = write_bad(tmp_path, data=rule.bad[0].encode())
    assert main(["check", "--no-cache", "--fix", str(path)]) == 1
    out, _ = capsys.readouterr()
    assert out.splitlines()[-1] == "Fixed 0 findings; 1 remaining; 1 unsafe fix available with --unsafe-fixes."
    assert main(["check", "--no-cache", "--fix", "--unsafe-fixes", str(path)]) == 0
    assert 'variable_scope("model")' in path.read_text()
    capsys.readouterr()


def test_json_fix_field(tmp_path: Path, capsys) -> None:
    path = write_bad(tmp_path)
    main(["check", "--no-cache", "--format", "json", str(path)])
    records = json.loads(capsys.readouterr().out)
    fix = records[0]["fix"]
    assert set(fix) == {"applicability", "message", "edits"} and fix["applicability"] == "safe"
    assert fix["edits"] == [{"line": 7, "column": 1, "end_line": 8, "end_column": 1,
                             "content": '        out = tf.compat.v1.layers.dense(inputs, 3, name="dense")  # expect: TFS101\n'}]


def test_unsafe_fixes_without_fix_marks_them_fixable(tmp_path, capsys) -> None:
    # As in ruff: without --fix, --unsafe-fixes changes what `[*]` counts, and writes nothing.
    path = tmp_path / "m.py"
    source = RULES[0].bad[0].replace("return tf.compat.v1.layers.dense(out, 4)", "return tf.keras.layers.Dense(4)(out)")
    path.write_text(source)  # TFS106's fix is unsafe
    assert main(["check", "--no-cache", str(path)]) == 1
    plain = capsys.readouterr().out
    assert main(["check", "--no-cache", "--unsafe-fixes", str(path)]) == 1
    unsafe = capsys.readouterr().out
    assert path.read_text() == source
    assert "[*] 1 fixable" in plain and "(1 hidden fix can be enabled" in plain
    assert "[*] 2 fixable" in unsafe and "hidden fix" not in unsafe


@pytest.mark.parametrize("oddity", ["\x0c\n", "s = 'a\u2028b'\n", "s = 'a\x1cb'\n"], ids=["form-feed", "u2028", "x1c"])
def test_fixes_count_lines_like_python(oddity: str) -> None:
    # str.splitlines() would break inside these lines; the AST does not.
    source = RULES[0].bad[0].replace("\n\n\nclass", "\n" + oddity + "\n\nclass")
    result = fix_text(source, "m.py", Settings(), unsafe=False)
    assert result.applied == 2 and result.findings == []
    assert 'dense(out, 4, name="dense_1")' in result.fixed and oddity in result.fixed


def test_tfs102_empty_scope_gets_an_unsafe_fix_named_after_the_class() -> None:
    source = RULES[1].bad[1]  # `variable_scope("")` in `EmptyScope.project`
    [finding] = [f for f in lint_source(source, "m.py", fixes=True) if 'variable_scope("")' in source.splitlines()[f.line - 1]]
    assert finding.fix["applicability"] == "unsafe" and "'empty_scope'" in finding.fix["message"]
    assert 'variable_scope("")' in fix_text(source, "m.py", Settings(), unsafe=False).fixed
    assert 'v1.variable_scope("empty_scope")' in fix_text(source, "m.py", Settings(), unsafe=True).fixed


def test_tfs102_empty_scope_in_a_loop_gets_no_fix() -> None:
    source = """\
import tensorflow as tf
from tensorflow.compat import v1


class EmptyScope(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        for _ in range(2):
            with v1.variable_scope(""):
                x = v1.layers.dense(x, 2)
        return x
"""
    empty = [f for f in lint_source(source, "m.py", fixes=True) if f.code == "TFS102"]
    assert [f.line for f in empty] == [9] and empty[0].fix is None
