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


def test_the_fix_hook_fixes_notebooks(checkout: Path, tmp_path: Path) -> None:
    import json

    repo = tmp_path / "nb_repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
            "source": RULES[0].bad[0].replace("# expect: TFS101", "")}
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    (repo / "model.ipynb").write_text(json.dumps(notebook, indent=1) + "\n")
    git("add", ".", cwd=repo)
    env = {**os.environ, "PRE_COMMIT_HOME": str(checkout.parent / "pre-commit-home")}
    result = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(checkout), "tf2lint-fix", "--files", "model.ipynb"],
        cwd=repo, capture_output=True, text=True, env=env, timeout=900,
    )
    assert "tf2lint (fix)" in result.stdout and "Skipped" not in result.stdout, result.stdout
    assert 'name=\\"dense\\"' in (repo / "model.ipynb").read_text()


def test_the_local_hook_in_the_docs_runs(tmp_path: Path) -> None:
    """docs/integrations.md's `repo: local` snippet, as a user pastes it, with tf2lint installed."""
    import re

    text = (ROOT / "docs" / "integrations.md").read_text(encoding="utf-8")
    snippet = re.search(r"<!-- pre-commit-config -->\s*```yaml\n(.+?)```", text, re.S).group(1)
    repo = tmp_path / "local_repo"
    repo.mkdir()
    git("init", "-q", cwd=repo)
    (repo / ".pre-commit-config.yaml").write_text(snippet)
    (repo / "bad.py").write_text(RULES[0].bad[0])
    git("add", ".", cwd=repo)
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "home"),
           "PATH": os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", "")}
    result = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"],
                            cwd=repo, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 1 and "TFS101" in result.stdout, result.stdout + result.stderr
    (repo / "bad.py").write_text(RULES[0].good[0])
    result = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"],
                            cwd=repo, capture_output=True, text=True, env=env, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_wheel_in_the_readme_ships_the_pages_links_point_to(tmp_path: Path) -> None:
    import zipfile

    source = tmp_path / "source"  # setuptools builds in the tree it is given: not in this one
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv*", "__pycache__", "*.egg-info", ".pytest_cache", "build", "dist", ".tf2lint_cache"))
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(source)],
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("tf2lint-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"tf2lint/pages/rules/{rule.code}.md" for rule in RULES} <= names
    assert {"tf2lint/schemas/tool-tf2lint.schema.json", "tf2lint/schemas/findings.schema.json"} <= names
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"pip install dist/{wheel.name}" in readme  # the README names the file this builds
