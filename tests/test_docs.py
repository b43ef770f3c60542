"""Generated docs match the rules, and the README's commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

from tf2lint.docs import pages
from tf2lint.rules import ALL_RULES

ROOT = Path(__file__).resolve().parent.parent


def test_generated_rule_docs_are_up_to_date() -> None:
    for relative, content in pages().items():
        path = ROOT / "docs" / relative
        assert path.exists(), f"{path} missing: run `python -m tf2lint.docs`"
        assert path.read_text(encoding="utf-8") == content, f"{path} is stale: run `python -m tf2lint.docs`"
    on_disk = {p.relative_to(ROOT / "docs").as_posix() for p in (ROOT / "docs" / "rules").glob("*.md")}
    assert on_disk == set(pages()), "docs/rules has pages for rules that no longer exist"


def test_every_rule_page_has_the_sections() -> None:
    for rule in ALL_RULES:
        page = pages()[f"rules/{rule.code}.md"]
        for section in ("## What it does", "## Why is this bad?", "## Fix safety", "## What happens at runtime"):
            assert section in page
        if rule.bad:
            assert "## Example" in page and "## Use instead" in page
            assert "# expect:" not in page


def test_readme_lists_every_rule() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for rule in ALL_RULES:
        assert re.search(rf"\|\s*{rule.code}\s*\|", readme), f"{rule.code} missing from the README table"


def test_ci_runs_exactly_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- test-command -->\s*```(?:sh|bash)?\n(.+?)\n```", readme, re.S)
    assert match, "README must mark its test command with <!-- test-command -->"
    command = match.group(1).strip().splitlines()[-1]
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert command in ci_lines


def test_the_docs_command_takes_options_as_options(tmp_path, monkeypatch, capsys) -> None:
    """`python -m tf2lint.docs --help` prints its usage; it once wrote the pages into a directory named `--help`."""
    import pytest

    from tf2lint.docs import main

    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0 and "usage:" in capsys.readouterr().out
    assert list(tmp_path.iterdir()) == []
    assert main([str(tmp_path / "out")]) == 0 and (tmp_path / "out" / "rules" / "TFS101.md").exists()
