"""The runtime half on every TensorFlow it claims: a venv per TF minor, the runtime tests and `tf2lint doctor`.

Not part of CI (each TensorFlow wheel is ~600 MB). Usage:

    python bench/tf_versions.py                    # 2.15, 2.16, 2.18, 2.21, one after the other
    python bench/tf_versions.py 2.16 2.21          # only those
    python bench/tf_versions.py --root /tmp/tfv    # where the venvs go (default: ~/.cache/tf2lint-tf-versions)

Each venv gets `tensorflow~=X.Y.0` and `tf-keras~=X.Y.0` (the matching minor: a tf-keras of another
minor does not work with it), tf-slim, and tf2lint with its `test` extra. It runs the runtime half of the
suite, i.e. every test module that calls conftest's `require_runtime()` or `runtime_missing()` (found by
reading the test files, so a new runtime test module is measured without editing this list) plus
`tests/test_doctor.py`, with TF2LINT_REQUIRE_RUNTIME=1 (a missing package fails instead of skipping), and
`tf2lint doctor` with and without TF_USE_LEGACY_KERAS=1, then prints a Markdown table. Results also go to
`<root>/results.json`, so that a run can be resumed. `--drop-venv` deletes each venv after its reading.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
VERSIONS = ("2.15", "2.16", "2.18", "2.21")
RUNTIME_HELPERS = re.compile(r"\b(require_runtime|runtime_missing)\(")


def runtime_tests() -> list[str]:
    """The test modules that need the runtime extra (they call conftest's helpers), and the doctor's."""
    modules = {
        str(path.relative_to(REPO)) for path in (REPO / "tests").rglob("test_*.py")
        if RUNTIME_HELPERS.search(path.read_text(encoding="utf-8"))
    }
    return sorted(modules | {"tests/test_doctor.py"})


def _run(command: list[str], env: dict[str, str] | None = None, timeout: int = 3600) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=timeout, cwd=REPO)


def _summary(output: str) -> str:
    """pytest's closing counts, e.g. '57 passed, 2 failed'."""
    lines = [line.strip("= ") for line in output.splitlines() if re.search(r"\d+ (passed|failed|error|skipped)", line)]
    return re.sub(r" in [\d.]+s.*", "", lines[-1]) if lines else "no summary"


def measure(version: str, root: Path) -> dict:
    venv = root / f"tf-{version}"
    python = venv / "bin" / "python"
    record: dict = {"version": version}
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    started = time.monotonic()
    install = _run([
        str(python), "-m", "pip", "install", "-q", f"tensorflow~={version}.0", f"tf-keras~={version}.0", "tf-slim>=1.1",
        "-e", f"{REPO}[test]",
    ])
    record["install_seconds"] = round(time.monotonic() - started)
    if install.returncode != 0:
        record["install"] = "failed: " + install.stderr.strip().splitlines()[-1][:200]
        return record
    versions = _run([str(python), "-c", (
        "from importlib import metadata as m; print(m.version('tensorflow'), m.version('tf-keras'), end=' ');"
        "\ntry: print(m.version('keras'))\nexcept m.PackageNotFoundError: print('-')"
    )])
    record["installed"] = versions.stdout.strip()
    env = {**os.environ, "TF2LINT_REQUIRE_RUNTIME": "1", "TF_CPP_MIN_LOG_LEVEL": "2"}
    record["test_modules"] = runtime_tests()
    tests = _run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", *record["test_modules"]], env=env)
    record["tests"] = _summary(tests.stdout + tests.stderr)
    record["tests_exit"] = tests.returncode
    record["failures"] = [line for line in tests.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))][:20]
    for flag in ("", "1"):
        doctor_env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
        if flag:
            doctor_env["TF_USE_LEGACY_KERAS"] = flag
        doctor = _run([str(venv / "bin" / "tf2lint"), "doctor"], env=doctor_env)
        verdict = next((line for line in doctor.stdout.splitlines() if line.startswith(("OK", "The shim", "tf_keras "))), "?")
        record[f"doctor{'_legacy' if flag else ''}"] = f"exit {doctor.returncode}: {verdict}"
    return record


def table(records: list[dict]) -> str:
    rows = [
        "| TF | installed (tensorflow, tf-keras, keras) | runtime tests | doctor | doctor, TF_USE_LEGACY_KERAS=1 |",
        "|---|---|---|---|---|",
    ]
    for r in records:
        if "install" in r:
            rows.append(f"| {r['version']} | {r['install']} | not run | not run | not run |")
            continue
        rows.append(
            f"| {r['version']} | {r['installed']} | {r['tests']} (exit {r['tests_exit']}) | {r['doctor']} | {r['doctor_legacy']} |"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("versions", nargs="*", default=list(VERSIONS))
    parser.add_argument("--root", type=Path, default=Path.home() / ".cache" / "tf2lint-tf-versions")
    parser.add_argument("--drop-venv", action="store_true", help="delete each venv after its reading (~2.5 GB each)")
    args = parser.parse_args()
    args.root.mkdir(parents=True, exist_ok=True)
    results_file = args.root / "results.json"
    results = json.loads(results_file.read_text()) if results_file.exists() else {}
    for version in args.versions:
        print(f"TensorFlow {version} ...", file=sys.stderr, flush=True)
        results[version] = measure(version, args.root)
        results_file.write_text(json.dumps(results, indent=2))
        if args.drop_venv:
            shutil.rmtree(args.root / f"tf-{version}", ignore_errors=True)
        for failure in results[version].get("failures", []):
            print(f"  {failure}", file=sys.stderr)
    print(table([results[v] for v in args.versions]))
    return 0 if all(results[v].get("tests_exit") == 0 for v in args.versions) else 1


if __name__ == "__main__":
    sys.exit(main())
