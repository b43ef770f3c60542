"""What users of ruff, flake8 and pylint expect: adoption on legacy code (`--add-noqa`, file-level noqa),
rule lookup and selectors, fix control, output options, CI formats with published schemas."""

from __future__ import annotations

import ast
import json
import os
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import jsonschema
import pytest
from test_config_and_formats import BAD  # one TFS101 and one TFS106

from tf2lint.hosts.cli import main
from tf2lint.rules import ALL_RULES

SCHEMAS = Path(__file__).resolve().parent.parent / "tf2lint" / "schemas"


# Findings whose logical line spans several physical lines: a backslash continuation, a triple-quoted
# string argument, a comment already there, CRLF line endings.
AWKWARD = (
    "import tensorflow as tf\r\n"
    "\r\n"
    "\r\n"
    "class L(tf.keras.layers.Layer):\r\n"
    "    @tf.compat.v1.keras.utils.track_tf1_style_variables\r\n"
    "    def call(self, x):\r\n"
    "        y = tf.compat.v1.layers.dense(x, \\\r\n"
    "                                      3)\r\n"
    "        z = tf.compat.v1.layers.dense(y, 4, activation=getattr(tf.nn, '''re\r\n"
    "lu'''))  # type: ignore\r\n"
    "        w = tf.compat.v1.layers.dense(z, 5)  # noqa: TFS106\r\n"
    "        return tf.keras.layers.Dense(2)(w)\r\n"
)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def codes(capsys, *argv: str) -> list[str]:
    code, out, err = run(capsys, "check", "--no-cache", "--format", "json", *argv)
    assert code in (0, 1), err
    return [r["code"] for r in json.loads(out)]


@pytest.mark.parametrize("source", [BAD, AWKWARD])
def test_add_noqa_then_check_reports_nothing_and_the_file_still_parses(tmp_path: Path, capsys, source: str) -> None:
    path = tmp_path / "m.py"
    path.write_bytes(source.encode())
    before = codes(capsys, str(path))
    assert before
    code, _, err = run(capsys, "check", "--no-cache", "--add-noqa", str(path))
    assert code == 0 and f"Added {len(before)} noqa directive" in err
    after = path.read_bytes()
    assert codes(capsys, str(path)) == []
    tree = ast.parse(after)
    # Only comments were added: the program is the same.
    assert ast.dump(tree) == ast.dump(ast.parse(source.encode()))
    assert after.count(b"\r\n") == source.count("\r\n")
    assert b"'''re\r\nlu'''))  # type: ignore  # noqa: TFS101" in after or source is BAD
    assert b"# noqa: TFS106, TFS101" in after or source is BAD  # an existing list gains the code
    run(capsys, "check", "--no-cache", "--add-noqa", str(path))
    assert path.read_bytes() == after  # nothing left to add


@pytest.mark.parametrize(
    ("comment", "remaining"),
    [
        ("# tf2lint: noqa", []),
        ("# flake8: noqa", []),
        ("# tf2lint: noqa: TFS106", ["TFS101"]),
        ("# flake8: noqa: TFS106", ["TFS101", "TFS106"]),  # flake8 disregards it with codes, so do we
        ("x = 1  # tf2lint: noqa", ["TFS101", "TFS106"]),  # not alone on its line
        ("'''\n# tf2lint: noqa\n'''", ["TFS101", "TFS106"]),  # inside a string
    ],
)
def test_file_level_noqa(tmp_path: Path, capsys, comment: str, remaining: list[str]) -> None:
    path = tmp_path / "m.py"
    path.write_text(comment + "\n" + BAD)
    assert codes(capsys, str(path)) == remaining


def test_rule_command_and_selectors(tmp_path: Path, capsys) -> None:
    code, out, _ = run(capsys, "rule", "TFS101")
    assert code == 0 and out.startswith("# TFS101 `unscoped-v1-layer`") and "## Example" in out
    assert run(capsys, "rule", "unscoped-v1-layer")[1] == out
    code, _, err = run(capsys, "rule", "TFS1")
    assert code == 2 and "prefix" in err
    path = tmp_path / "m.py"
    path.write_text(BAD)
    assert codes(capsys, "--select", "unscoped-v1-layer", str(path)) == ["TFS101"]
    assert codes(capsys, "--select", "ALL", "--ignore", "untracked-nested-variable", str(path)) == ["TFS101"]
    with pytest.raises(SystemExit):
        main(["check", "--selec", "TFS101", str(path)])  # no abbreviations
    assert "unrecognized arguments: --selec" in capsys.readouterr().err


def test_fix_control_from_the_config(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_text(BAD)
    code, out, _ = run(capsys, "check", "--no-cache", str(path))
    assert "TFS101 [*] " in out and "[*] 1 fixable with the `--fix` option." in out
    assert "(1 hidden fix can be enabled with the `--unsafe-fixes` option.)" in out
    (tmp_path / "pyproject.toml").write_text('[tool.tf2lint]\nunfixable = ["TFS101"]\n')
    code, out, _ = run(capsys, "check", "--no-cache", str(path))
    assert "[*]" not in out
    code, out, _ = run(capsys, "check", "--no-cache", "--fix", str(path))
    assert path.read_text() == BAD and "Fixed 0 findings" in out
    (tmp_path / "pyproject.toml").write_text("[tool.tf2lint]\nfix = true\n")
    code, out, _ = run(capsys, "check", "--no-cache", "--no-fix", str(path))
    assert path.read_text() == BAD and code == 1
    code, out, _ = run(capsys, "check", "--no-cache", "--show-fixes", str(path))
    assert 'name="dense"' in path.read_text()
    assert "Fixed 1 finding:\n- " in out and "    1 x TFS101 (unscoped-v1-layer)" in out
    assert code == 1  # TFS106 remains


def test_fix_only_and_exit_non_zero_on_fix(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_text(BAD)
    code, out, _ = run(capsys, "check", "--no-cache", "--fix-only", str(path))
    assert code == 0 and "TFS106" not in out and 'name="dense"' in path.read_text()
    path.write_text(BAD)
    code, out, _ = run(capsys, "check", "--no-cache", "--fix-only", "--exit-non-zero-on-fix", str(path))
    assert code == 1
    code, out, _ = run(capsys, "check", "--no-cache", "--fix-only", "--exit-non-zero-on-fix", str(path))
    assert code == 0  # nothing left to fix


def test_output_file_quiet_and_statistics_json(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_text(BAD)
    report = tmp_path / "report.json"
    code, out, err = run(capsys, "check", "--no-cache", "--format", "json", "-o", str(report), str(path))
    assert code == 1 and out == "" and [r["code"] for r in json.loads(report.read_text())] == ["TFS101", "TFS106"]
    code, out, _ = run(capsys, "check", "--no-cache", "--quiet", str(path))
    assert "Found" not in out and "fixable" not in out and out.count("\n") == 2
    code, out, _ = run(capsys, "check", "--no-cache", "--statistics", "--format", "json", str(path))
    stats = json.loads(out)
    assert stats["total"] == 2 and [r["code"] for r in stats["rules"]] == ["TFS101", "TFS106"]
    assert stats["files"] == [{"path": str(path), "count": 2}]


@pytest.mark.parametrize(("command", "option"), [("check", "--output-file"), ("report", "--output"),
                                                 ("variables", "--write")])
def test_an_output_that_cannot_be_written_is_one_line(tmp_path: Path, capsys, command: str, option: str) -> None:
    """Every command that writes a file says why it could not, in one line (exit 2), as a usage error."""
    (tmp_path / "m.py").write_text(BAD)
    for target, why in ((tmp_path, "Is a directory"), (tmp_path / "missing" / "out", "No such file or directory")):
        code, _out, err = run(capsys, command, f"{option}={target}", str(tmp_path / "m.py"))
        assert (code, err) == (2, f"tf2lint: error: {option}: cannot write {target}: {why}\n")


def test_colour_follows_the_terminal_and_no_color(tmp_path: Path, capsys, monkeypatch) -> None:
    from tf2lint.hosts.formats import colour

    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert colour(Terminal()) and not colour(sys.stderr if not sys.stderr.isatty() else None)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not colour(Terminal())
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    path = tmp_path / "m.py"
    path.write_text(BAD)
    _, out, _ = run(capsys, "check", "--no-cache", str(path))
    assert "\x1b[" in out
    plain = out.replace("\x1b[1m", "").replace("\x1b[31m", "").replace("\x1b[36m", "").replace("\x1b[34m", "").replace("\x1b[0m", "")
    assert "7 |         y = tf.compat.v1.layers.dense(x, 3)\n" in plain
    assert "  |             " + "^" * len("tf.compat.v1.layers.dense(x, 3)") + "\n" in plain
    monkeypatch.delenv("FORCE_COLOR")
    _, out, _ = run(capsys, "check", "--no-cache", "--format", "full", str(path))
    assert "\x1b[" not in out and out.replace(" ", "") == plain.replace(" ", "")  # the same, uncoloured


@pytest.mark.parametrize("form", ["json", "json-lines"])
def test_json_findings_follow_the_published_schema_and_link_pages_that_exist(tmp_path: Path, capsys, form: str) -> None:
    path = tmp_path / "m.py"
    path.write_text(BAD + "\n\ndef f(:\n")
    (tmp_path / "ok.py").write_text(BAD)
    _, out, _ = run(capsys, "check", "--no-cache", "--format", form, str(tmp_path))
    records = json.loads(out) if form == "json" else [json.loads(line) for line in out.splitlines()]
    schema = json.loads((SCHEMAS / "findings.schema.json").read_text())
    jsonschema.validate(records, schema, format_checker=jsonschema.FormatChecker())
    assert {r["severity"] for r in records} == {"error", "warning"}  # TFS000 is an error
    for record in records:
        assert record["url"].startswith("file://")
        assert Path(record["url"].removeprefix("file://")).is_file()


def test_sarif_fixes_and_help_links(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("m.py").write_text(BAD)
    _, out, _ = run(capsys, "check", "--no-cache", "--format", "sarif", "m.py")
    document = json.loads(out)
    from test_config_and_formats import sarif_schema

    jsonschema.validate(document, sarif_schema())
    driver = document["runs"][0]["tool"]["driver"]
    assert all(Path(rule["helpUri"].removeprefix("file://")).is_file() for rule in driver["rules"])
    results = document["runs"][0]["results"]
    assert [r["level"] for r in results] == ["warning", "warning"]
    replacement = results[0]["fixes"][0]["artifactChanges"][0]["replacements"][0]
    assert replacement["insertedContent"]["text"].strip() == 'y = tf.compat.v1.layers.dense(x, 3, name="dense")'


def test_gitlab_junit_and_rdjson(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    Path("m.py").write_text(BAD)
    _, out, _ = run(capsys, "check", "--no-cache", "--format", "gitlab", "m.py")
    issues = json.loads(out)
    assert [i["check_name"] for i in issues] == ["TFS101 unscoped-v1-layer", "TFS106 untracked-nested-variable"]
    assert issues[0]["location"] == {"path": "m.py", "lines": {"begin": 7, "end": 7}}
    assert len({i["fingerprint"] for i in issues}) == 2 and {i["severity"] for i in issues} == {"minor"}
    _, out, _ = run(capsys, "check", "--no-cache", "--format", "junit", "m.py")
    suite = ElementTree.fromstring(out).find("testsuite")
    assert suite.get("failures") == "2" and [f.get("type") for f in suite.iter("failure")] == ["warning", "warning"]
    _, out, _ = run(capsys, "check", "--no-cache", "--format", "rdjson", "m.py")
    diagnostics = json.loads(out)["diagnostics"]
    assert [d["code"]["value"] for d in diagnostics] == ["TFS101", "TFS106"]
    assert diagnostics[0]["location"]["range"]["start"] == {"line": 7, "column": 13}
    assert diagnostics[0]["suggestions"][0]["text"].strip().endswith('name="dense")')


def test_config_schema_is_valid_and_matches_the_keys_the_loader_reads() -> None:
    from tf2lint.hosts import config

    schema = json.loads((SCHEMAS / "tool-tf2lint.schema.json").read_text())
    jsonschema.Draft7Validator.check_schema(schema)
    assert set(schema["properties"]) == set(config.keys())
    jsonschema.validate({"select": ["ALL"], "ignore": ["unscoped-v1-layer"], "fix": True}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"fix": "yes"}, schema)


def test_a_deeply_nested_pyproject_is_a_configuration_error_naming_the_file(tmp_path: Path, capsys) -> None:
    (tmp_path / "pyproject.toml").write_text("x = " + "[" * 100_000 + "]" * 100_000 + "\n")
    (tmp_path / "m.py").write_text(BAD)
    code, out, err = run(capsys, "check", "--no-cache", str(tmp_path))
    assert code == 2 and out == ""
    assert err.startswith("tf2lint: error: ") and str(tmp_path / "pyproject.toml") in err and "internal error" not in err


def test_extend_cycles_and_missing_bases_are_configuration_errors(tmp_path: Path, capsys) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.tf2lint]\nextend = "a/pyproject.toml"\n')
    (tmp_path / "a" / "pyproject.toml").write_text('[tool.tf2lint]\nextend = "../pyproject.toml"\n')
    (tmp_path / "m.py").write_text(BAD)
    code, _, err = run(capsys, "check", "--no-cache", str(tmp_path / "m.py"))
    assert code == 2 and "`extend` cycle" in err
    (tmp_path / "a" / "pyproject.toml").write_text("[project]\nname = 'a'\n")
    code, _, err = run(capsys, "check", "--no-cache", str(tmp_path / "m.py"))
    assert code == 2 and "no [tool.tf2lint] table there" in err


def test_every_rule_has_a_page_in_the_docs_that_links_point_to() -> None:
    from tf2lint import DOCS_DIR

    for rule in ALL_RULES:
        assert os.path.isfile(os.path.join(DOCS_DIR, "rules", f"{rule.code}.md")), rule.code


def test_each_rule_page_shows_its_example_fixed() -> None:
    """"Use instead" is the rule's own example with its fixes applied, and the fix removes findings."""
    from tf2lint.docs import fixed_example, pages
    from tf2lint.engine import lint_source
    from tf2lint.findings import Settings
    from tf2lint.rules.base import strip_markers

    with_fix = 0
    for rule in ALL_RULES:
        fixed = fixed_example(rule)
        if fixed is None:
            continue
        with_fix += 1
        page = pages()[f"rules/{rule.code}.md"]
        assert f"## Use instead\n\nThe example, fixed by `tf2lint check --fix --unsafe-fixes`:\n\n```python\n{fixed}```" in page
        settings = Settings(select=(rule.code,), project=False)
        assert len(lint_source(fixed, "<e>", settings)) < len(lint_source(strip_markers(rule.bad[0]), "<e>", settings))
    assert with_fix >= 8


def test_watch_checks_again_when_a_file_changes(tmp_path: Path) -> None:
    import subprocess
    import threading
    import time

    pytest.importorskip("watchfiles")
    path = tmp_path / "m.py"
    path.write_text(BAD)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "WATCHFILES_FORCE_POLLING": "1", "NO_COLOR": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tf2lint", "check", "--no-cache", "--watch", str(tmp_path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")), daemon=True)
    reader.start()

    def wait_for(text: str) -> None:
        for _ in range(600):
            if any(text in line for line in lines):
                return
            time.sleep(0.1)
        raise AssertionError(f"no {text!r} in {lines}")

    try:
        wait_for("Found 2 findings in 1 file.")
        # The watcher starts after the first run has printed: write until it has seen a change (a loaded
        # machine may take seconds to set it up), each write a new text so that every one is a change.
        for attempt in range(30):
            path.write_text(f"import tensorflow as tf\n# edit {attempt}\n")
            for _ in range(20):
                if any("All checks passed!" in line for line in lines):
                    break
                time.sleep(0.1)
            else:
                continue
            break
        wait_for("All checks passed!")
        assert process.poll() is None  # still watching
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_progress_goes_to_a_terminal_stderr_only(tmp_path: Path, monkeypatch, capsys) -> None:
    import io

    from tf2lint.hosts import batch

    for number in range(3):
        (tmp_path / f"m{number}.py").write_text(BAD)
    monkeypatch.setattr(batch, "PROGRESS_AFTER", 2)

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    assert "files" not in run(capsys, "check", "--no-cache", "-j1", str(tmp_path))[2]  # not a terminal
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["check", "--no-cache", "-j1", str(tmp_path)]) == 1
    assert terminal.getvalue().endswith("\rtf2lint: 3/3 files\n")
    terminal.seek(0)
    terminal.truncate()
    main(["check", "--no-cache", "-j1", "--quiet", str(tmp_path)])
    assert terminal.getvalue() == ""


def test_validate_pyproject_checks_the_table_with_the_shipped_schema() -> None:
    api = pytest.importorskip("validate_pyproject.api")
    errors = pytest.importorskip("validate_pyproject.errors")
    validator = api.Validator()
    project = {"project": {"name": "x", "version": "1"}}
    validator({**project, "tool": {"tf2lint": {"select": ["ALL"], "extend-exclude": ["legacy/"]}}})
    for bad in ({"selct": ["TFS101"]}, {"select": [1]}, {"max-file-size": 0}):
        with pytest.raises(errors.ValidationError):
            validator({**project, "tool": {"tf2lint": bad}})


def test_show_fixes_without_fix_lists_what_would_be_done(tmp_path: Path, capsys) -> None:
    path = tmp_path / "m.py"
    path.write_text(BAD)
    code, out, _ = run(capsys, "check", "--no-cache", "--show-fixes", str(path))
    assert code == 1 and path.read_text() == BAD
    assert f"{path}:7:13: TFS101 fix (safe): " in out and "TFS106 fix" not in out
    _, out, _ = run(capsys, "check", "--no-cache", "--show-fixes", "--unsafe-fixes", str(path))
    assert f"{path}:8:16: TFS106 fix (unsafe): " in out


@pytest.mark.parametrize(
    ("patterns", "linted"),
    [
        (["src/**/gen_*.py"], ["keep.py", "other/gen_c.py"]),  # `**` matches no directory too
        (["/src/keep.py"], ["gen_a.py", "gen_b.py", "other/gen_c.py"]),  # anchored
        (["keep.py"], ["gen_a.py", "gen_b.py", "other/gen_c.py"]),  # unanchored: the name anywhere
        (["gen_*.py", "!gen_b.py"], ["gen_b.py", "keep.py"]),  # `!` negates
        (["src/deep/"], ["gen_a.py", "keep.py", "other/gen_c.py"]),  # a directory and what it holds
    ],
)
def test_exclude_globs_match_as_git_does(tmp_path: Path, capsys, patterns: list[str], linted: list[str]) -> None:
    for name in ("src/gen_a.py", "src/deep/gen_b.py", "src/keep.py", "other/gen_c.py"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(BAD)
    (tmp_path / "pyproject.toml").write_text(f"[tool.tf2lint]\nexclude = {json.dumps(patterns)}\n")
    _, out, _ = run(capsys, "check", "--no-cache", "--format", "json", "--select", "TFS101", str(tmp_path))
    assert sorted(Path(r["path"]).name for r in json.loads(out)) == sorted(Path(p).name for p in linted)


def test_plugins_honour_file_level_noqa(tmp_path: Path) -> None:
    from test_hosts import flake8_findings, pylint_findings

    (tmp_path / "whole.py").write_text("# tf2lint: noqa\n" + BAD)
    (tmp_path / "one.py").write_text("# tf2lint: noqa: TFS106\n" + BAD)
    files = ["whole.py", "one.py"]
    assert {(f[0], f[1]) for f in flake8_findings(tmp_path, files)} == {("one.py", "TFS101")}
    assert {(f[0], f[1]) for f in pylint_findings(tmp_path, files)} == {("one.py", "TFS101")}


def test_the_server_analysis_honours_file_level_noqa() -> None:
    from tf2lint.findings import Settings
    from tf2lint.hosts.incremental import Incremental

    incremental = Incremental()
    text = BAD + "\n# tf2lint: noqa: TFS101\n"
    found = incremental.analyse("file:///m.py", text, "/nonexistent/m.py", Settings(), 0, set())
    assert [f.code for f in found] == ["TFS106"]
    found = incremental.analyse("file:///m.py", text.replace("TFS101", "TFS106"), "/nonexistent/m.py", Settings(), 0, set())
    assert [f.code for f in found] == ["TFS101"]


ROOT = Path(__file__).resolve().parent.parent


def _documented_commands(text: str) -> list[str]:
    """`tf2lint ...` commands inside the fenced code blocks of a page (CI steps included)."""
    import re

    commands = []
    for block in re.findall(r"```[a-z]*\n(.*?)```", text, re.S):
        for line in block.splitlines():
            match = re.search(r"(?:^|run: |- )(tf2lint (?:check|rule|rules)\b[^#>]*)", line.strip())
            if match:
                commands.append(match.group(1).strip())
    return commands


def test_every_command_in_the_readme_usage_parses() -> None:
    """Each documented flag exists (argparse rejects unknown ones and abbreviations)."""
    import shlex

    from tf2lint.hosts.cli import _parser

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = _documented_commands(readme)
    assert len(commands) >= 20
    for command in commands:
        argv = shlex.split(command.replace("[", "").replace("]", ""))[1:]  # optional parts included
        _parser().parse_args(argv)  # SystemExit on an unknown option


def test_the_ci_commands_in_the_integrations_page_run(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.chdir(tmp_path)
    Path("m.py").write_text(BAD)
    commands = _documented_commands((ROOT / "docs" / "integrations.md").read_text(encoding="utf-8"))
    assert any("--format gitlab" in c for c in commands) and any("--format sarif" in c for c in commands)
    for command in commands:
        argv = command.split()[1:]
        code = main(argv)
        out, err = capsys.readouterr()
        assert code in (0, 1) and "error" not in err, (command, err)
    assert json.loads(Path("gl-code-quality.json").read_text())[0]["check_name"] == "TFS101 unscoped-v1-layer"


def test_add_noqa_on_every_rule_example_silences_it_and_changes_no_code(tmp_path: Path, capsys) -> None:
    from tf2lint.rules.base import strip_markers

    for rule in ALL_RULES:
        for index, example in enumerate(rule.bad):
            source = strip_markers(example)
            path = tmp_path / f"{rule.code}_{index}.py"
            path.write_text(source)
            run(capsys, "check", "--no-cache", "--no-project", "--extend-select", "TFS901", "--add-noqa", str(path))
            after = path.read_text()
            left = codes(capsys, "--no-project", str(path))
            assert [c for c in left if c != "TFS000"] == [], (rule.code, index, after)
            if "TFS000" not in codes(capsys, "--no-project", str(tmp_path / path.name)):
                assert ast.dump(ast.parse(after)) == ast.dump(ast.parse(source)), (rule.code, index)


def test_bad_patterns_are_reported_or_skipped_never_a_traceback(tmp_path: Path, capsys) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "m.py").write_text(BAD)
    (tmp_path / "skip.py").write_text(BAD)
    (tmp_path / ".gitignore").write_text("[z-a]\n!\nskip.py\n")  # git skips lines it cannot read; so do we
    assert [Path(p).name for p in {r for r in codes_by_path(capsys, str(tmp_path))}] == ["m.py"]
    code, _, err = run(capsys, "check", "--exclude", "[z-a]", str(tmp_path))
    assert code == 2 and err.startswith("tf2lint: error: --exclude: invalid pattern '[z-a]'")
    (tmp_path / "pyproject.toml").write_text('[tool.tf2lint]\nextend-exclude = ["\\\\"]\n')
    code, _, err = run(capsys, "check", str(tmp_path))
    assert code == 2 and "extend-exclude: invalid pattern" in err and str(tmp_path / "pyproject.toml") in err


def codes_by_path(capsys, *argv: str) -> set[str]:
    code, out, err = run(capsys, "check", "--no-cache", "--format", "json", *argv)
    assert code in (0, 1), err
    return {r["path"] for r in json.loads(out)}
