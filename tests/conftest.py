"""Shared helpers for the tests."""

from __future__ import annotations

import os

# The runtime tests execute examples written against `tf.compat.v1.keras`: route it to tf_keras, as users
# must. Set before anything imports TensorFlow; the linter itself never does.
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")
# Keep CLI runs of the tests from leaving a cache in the working tree (or, once they are done, anywhere).
if "TF2LINT_CACHE_DIR" not in os.environ:
    import atexit
    import shutil
    import tempfile

    os.environ["TF2LINT_CACHE_DIR"] = tempfile.mkdtemp(prefix="tf2lint-test-cache-")
    atexit.register(shutil.rmtree, os.environ["TF2LINT_CACHE_DIR"], ignore_errors=True)

import subprocess  # noqa: E402
import sys  # noqa: E402
import textwrap  # noqa: E402
from collections import Counter  # noqa: E402

import pytest  # noqa: E402

from tf2lint.engine import Finding, lint_source
from tf2lint.rules import RULES


# What the fault suite did (tests/test_faults.py, tests/test_fuzz.py, tests/test_*_faults.py and
# tests/test_*_properties.py), printed at the end of every run.
FIGURES: Counter[str] = Counter()
# What the safe-fix runtime proofs compared (tests/test_runtime_validation.py), printed likewise.
PROOFS: Counter[str] = Counter()
FIGURE_NAMES = ("programs fuzzed", "mutations tried", "kills", "faults injected", "files damaged",
                "temporaries swept by the next run", "edit sequences run", "encodings", "cache entries poisoned")


def pytest_terminal_summary(terminalreporter) -> None:
    if any(FIGURES.values()):
        shown = [f"{name}: {FIGURES[name]}" for name in FIGURE_NAMES]
        shown += [f"{name}: {count}" for name, count in sorted(FIGURES.items()) if name not in FIGURE_NAMES]
        terminalreporter.write_sep("-", "fault suite")
        terminalreporter.write_line(", ".join(shown))
    if PROOFS:
        compared = ", ".join(f"{what} {count}" for what, count in PROOFS.items() if what != "objects")
        terminalreporter.write_sep("-", "safe-fix runtime proofs")
        terminalreporter.write_line(f"safe-fix proofs: {PROOFS['objects']} objects; compared: {compared}")


def lint(source: str, **settings) -> list[Finding]:
    from tf2lint.engine import Settings

    return lint_source(textwrap.dedent(source), "example.py", Settings(**settings))


def codes_at(source: str, **settings) -> list[tuple[int, str]]:
    return [(f.line, f.code) for f in lint(source, **settings)]


def all_examples() -> list[pytest.param]:
    """Every rule example as (rule code, kind, source), with readable ids."""
    params = []
    for rule in RULES:
        for kind, examples in (("bad", rule.bad), ("good", rule.good)):
            for index, source in enumerate(examples):
                params.append(pytest.param(rule.code, kind, source, id=f"{rule.code}-{kind}{index}"))
    return params


def write_baseline_lock(directory, module_paths: list[str]) -> str:
    """A names lock in ``directory`` holding every rule's baselines (the old code TFS115's examples are
    compared with) for each module path; returns its absolute path."""
    from tf2lint.analysis.baseline import entries_of_source, lock_text, module_key

    entries = {}
    for rule in RULES:
        for source in rule.baselines:
            for qualname, entry in entries_of_source(source, "<baseline>").items():
                for path in module_paths:
                    entries[f"{module_key(path, str(directory))}::{qualname}"] = entry
    lock = os.path.join(str(directory), "variables.lock")
    with open(lock, "w", encoding="utf-8") as handle:
        handle.write(lock_text(entries))
    return lock


def runtime_missing(reason: str) -> None:
    """Skip a test for want of a package of the runtime extra, unless CI says they must be there."""
    if os.environ.get("TF2LINT_REQUIRE_RUNTIME"):
        pytest.fail(f"runtime tests required but {reason}", pytrace=False)
    pytest.skip(f"{reason} (the runtime extra brings it)")


def require_runtime() -> None:
    """Skip a runtime test module when TensorFlow/tf_keras are missing, unless CI says they must be there."""
    try:
        import tensorflow  # noqa: F401
        import tf_keras  # noqa: F401
    except ImportError as exc:
        if os.environ.get("TF2LINT_REQUIRE_RUNTIME"):
            raise RuntimeError(f"runtime tests required but TensorFlow/tf_keras are missing: {exc}") from None
        pytest.skip(f"needs the runtime extra (pip install -e '.[runtime]'): {exc}", allow_module_level=True)


@pytest.fixture
def pytester_like(tmp_path):
    """Run pytest in a fresh process on one test file; returns its combined output."""

    def run(source: str) -> str:
        (tmp_path / "test_user.py").write_text(textwrap.dedent(source))
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path / "test_user.py")],
            capture_output=True, text=True, cwd=tmp_path, timeout=300,
        )
        return result.stdout + result.stderr

    return run
