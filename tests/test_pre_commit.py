"""The pre-commit hook, exercised the way users run it: `pre-commit try-repo <checkout> tf2lint`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tf2lint.rules import RULES

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="pre-commit needs git")


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def user_repo(tmp_path_factory) -> Path:
    """A user's repository with one bad, one good and one non-Python file."""
    repo = tmp_path_factory.mktemp("user_repo")
    git("init", "-q", cwd=repo)
    (repo / "bad.py").write_text(RULES[0].bad[0])
    (repo / "good.py").write_text(RULES[0].good[0])
    (repo / "notes.md").write_text("tf.compat.v1.layers.dense(x, 3)\n")
    git("add", ".", cwd=repo)
    return repo


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """try-repo installs from a git repository: use a committed snapshot of this working tree."""
    snapshot = tmp_path_factory.mktemp("checkout")
    shutil.copytree(ROOT, snapshot, dirs_exist_ok=True, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "__pycache__", "*.egg-info", ".pytest_cache", "build", "dist"))
    git("init", "-q", cwd=snapshot)
    git("add", ".", cwd=snapshot)
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "snapshot", cwd=snapshot)
    return snapshot


def try_repo(checkout: Path, repo: Path, *files: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PRE_COMMIT_HOME": str(checkout.parent / "pre-commit-home")}
    args = ["--files", *files] if files else []  # no names: pre-commit takes the staged files
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(checkout), "tf2lint", *args],
        cwd=repo, capture_output=True, text=True, env=env, timeout=900,
    )


def test_hook_fails_on_a_bad_file(checkout: Path, user_repo: Path) -> None:
    result = try_repo(checkout, user_repo, "bad.py")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "bad.py:7:15: TFS101" in result.stdout


def test_hook_passes_on_a_good_file(checkout: Path, user_repo: Path) -> None:
    result = try_repo(checkout, user_repo, "good.py")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Passed" in result.stdout


def test_hook_passes_with_only_non_python_files(checkout: Path, user_repo: Path) -> None:
    result = try_repo(checkout, user_repo, "notes.md")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no files to check" in result.stdout


def test_hook_passes_with_zero_files(checkout: Path, tmp_path: Path) -> None:
    git("init", "-q", cwd=tmp_path)
    result = try_repo(checkout, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no files to check" in result.stdout
