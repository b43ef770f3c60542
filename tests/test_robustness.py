"""No input produces a traceback; odd but valid files are analysed like their plain form."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from robustness_inputs import BAD_SHIM_FINDINGS, analysable, offset_of, unparsable

from tf2lint.engine import lint_path, lint_source


@pytest.mark.parametrize("name", sorted(analysable()))
def test_analysable_inputs_give_the_plain_findings(name: str) -> None:
    lines, cols = offset_of(name)
    expected = [(line + lines, col + cols, code) for line, col, code in BAD_SHIM_FINDINGS]
    found = [(f.line, f.col, f.code) for f in lint_source(analysable()[name], name)]
    assert found == expected


@pytest.mark.parametrize("name", sorted(unparsable()))
def test_unparsable_inputs_give_one_tfs000(name: str) -> None:
    findings = lint_source(unparsable()[name], name)
    assert [f.code for f in findings] == ["TFS000"]
    assert findings[0].message.startswith(("cannot parse", "cannot decode"))


def test_python2_message_says_why() -> None:
    (finding,) = lint_source(unparsable()["python2.py"], "p.py")
    assert "print" in finding.message and finding.line == 2


def test_unreadable_file(tmp_path: Path) -> None:
    broken = tmp_path / "gone.py"
    broken.symlink_to(tmp_path / "missing.py")
    (finding,) = lint_path(str(broken))
    assert finding.code == "TFS000" and finding.message.startswith("cannot read")


def test_cli_survives_every_input(tmp_path: Path) -> None:
    for name, data in {**analysable(), **unparsable()}.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "dangling.py").symlink_to(tmp_path / "nowhere.py")
    result = subprocess.run(
        [sys.executable, "-m", "tf2lint", "check", "--format", "json", str(tmp_path)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 1
    assert result.stderr == ""
    assert "Traceback" not in result.stdout
    import json

    records = json.loads(result.stdout)
    by_file = {}
    for record in records:
        by_file.setdefault(Path(record["path"]).name, []).append(record["code"])
    assert by_file == {
        **{name: ["TFS101"] for name in analysable()},
        **{name: ["TFS000"] for name in unparsable()},
        "dangling.py": ["TFS000"],
    }
