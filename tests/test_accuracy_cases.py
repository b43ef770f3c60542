"""The shared accuracy cases (`../shared/cases/accuracy`, next to the repository): every file gives exactly
its `# expect:` lines (none in a correct program), the gaps and their controls alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from tf2lint.engine import lint_path
from tf2lint.rules.base import expected_findings

_REPO = Path(__file__).resolve().parents[1]
# Next to the repository (`../shared`); a git worktree one level further down sees it at `../../shared`.
CASES = next((p for p in (_REPO.parent / "shared" / "cases" / "accuracy", _REPO.parent.parent / "shared" / "cases" / "accuracy")
              if p.is_dir()), _REPO.parent / "shared" / "cases" / "accuracy")
FILES = sorted(CASES.rglob("*.py")) if CASES.is_dir() else []
# The issue left the code of per-call creation without any shim to us (its case file guesses TFS106, the
# shim-code rule): it is TFS116, whose message says that no shim is involved.
DECIDED = {"gap04_no_shim_per_call_keras_objects.py": {"TFS106": "TFS116"}}


@pytest.mark.skipif(not FILES, reason=f"no accuracy cases at {CASES}")
@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CASES)))
def test_case_gives_exactly_its_expect_lines(path: Path) -> None:
    codes = DECIDED.get(path.name, {})
    found = [(f.line, f.code) for f in lint_path(str(path))]
    assert found == [(line, codes.get(code, code)) for line, code in expected_findings(path.read_text())]
