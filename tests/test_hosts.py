"""flake8 and pylint report what `tf2lint check` reports, and each host's own suppressions work."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_baseline_lock
from robustness_inputs import analysable, unparsable

from tf2lint.rules import ALL_RULES, RULES

SYMBOL_TO_CODE = {rule.code: rule.code for rule in ALL_RULES} | {rule.symbol: rule.code for rule in ALL_RULES}
# Both hosts give up on this one themselves (pyflakes and astroid recurse), before tf2lint runs.
HOST_LIMITED = {"chain700.py"}
# Unused-noqa is a CLI rule; its examples are about `# noqa`, which pylint does not read.
CLI_ONLY = {"TFS901"}


def run(*argv: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *argv], cwd=cwd, capture_output=True, text=True, timeout=600)


def cli_findings(directory: Path) -> set[tuple[str, str, int, int]]:
    result = run("-m", "tf2lint", "check", "--format", "json", ".", cwd=directory)
    assert result.returncode in (0, 1), result.stderr
    return {(Path(r["path"]).name, r["code"], r["line"], r["column"]) for r in json.loads(result.stdout)}


def flake8_findings(directory: Path, files: list[str], *options: str) -> set[tuple[str, str, int, int]]:
    found = set()
    result = run("-m", "flake8", "--select", "TFS", *options, *files, cwd=directory)
    assert "Traceback" not in result.stderr and "failed during execution" not in result.stderr, result.stderr
    for line in result.stdout.splitlines():
        path, row, col, code = re.match(r"(.+?):(\d+):(\d+): (TFS\d+) ", line).groups()
        found.add((Path(path).name, code, int(row), int(col)))
    return found


def pylint_findings(directory: Path, files: list[str], *options: str) -> set[tuple[str, str, int, int]]:
    result = run(
        "-m", "pylint", "--load-plugins=pylint_tf2lint", "--disable=all", "--enable=tf2lint",
        "--persistent=n", "--score=n", "--msg-template={path}|{line}|{column}|{symbol}", *options, *files,
        cwd=directory,
    )
    assert "Traceback" not in result.stderr, result.stderr
    found = set()
    for line in result.stdout.splitlines():
        parts = line.split("|")
        if len(parts) == 4 and parts[3] in SYMBOL_TO_CODE:
            found.add((Path(parts[0]).name, SYMBOL_TO_CODE[parts[3]], int(parts[1]), int(parts[2]) + 1))
    return found


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    directory = tmp_path_factory.mktemp("parity")
    for rule in RULES:
        if rule.code in CLI_ONLY:
            continue
        for kind, examples in (("bad", rule.bad), ("good", rule.good)):
            for index, source in enumerate(examples):
                (directory / f"{rule.code.lower()}_{kind}{index}.py").write_text(source)
    for name, data in analysable().items():
        (directory / f"robust_{name}").write_bytes(data)
    # TFS115 compares with a names lock: the baselines of its examples, configured as the project's lock.
    examples = [str(directory / f"{r.code.lower()}_{k}{i}.py") for r in RULES if r.baselines
                for k, group in (("bad", r.bad), ("good", r.good)) for i in range(len(group))]
    write_baseline_lock(directory, examples)
    # TFS117 is off by default: selected in the configuration, which every host reads.
    (directory / "pyproject.toml").write_text(
        '[tool.tf2lint]\nvariables-lock = "variables.lock"\nextend-select = ["TFS117"]\n')
    return directory


def test_flake8_lists_the_plugin() -> None:
    result = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True)
    assert "tf2lint:" in result.stdout


def test_parity_across_cli_flake8_and_pylint(corpus: Path) -> None:
    files = sorted(p.name for p in corpus.glob("*.py") if p.name.removeprefix("robust_") not in HOST_LIMITED)
    cli = {f for f in cli_findings(corpus) if f[0] in files}
    assert {f[1] for f in cli} >= {r.code for r in RULES if r.code not in CLI_ONLY}, "every rule is exercised"
    assert flake8_findings(corpus, files) == cli
    assert pylint_findings(corpus, files) == cli


def test_unparsable_inputs_are_parse_errors_in_every_host(tmp_path: Path) -> None:
    for name, data in unparsable().items():
        (tmp_path / name).write_bytes(data)
    cli = cli_findings(tmp_path)
    assert {(f[0], f[1]) for f in cli} == {(name, "TFS000") for name in unparsable()}
    # The hosts read and parse first and handle errors their own way (flake8: E999, or a latin-1 fallback
    # for bad UTF-8; pylint: syntax-error); the plugins must never crash on what they are given.
    for name in unparsable():
        result = run("-m", "flake8", "--select", "TFS,E9", name, cwd=tmp_path)
        assert result.returncode in (0, 1) and "failed during execution" not in result.stderr, (name, result.stderr)
        assert "TFS" not in result.stdout
    result = run("-m", "pylint", "--load-plugins=pylint_tf2lint", "--disable=all", "--enable=tf2lint,syntax-error",
                 "--persistent=n", "--score=n", "--msg-template={path}|{symbol}", *sorted(unparsable()), cwd=tmp_path)
    reported = {line.split("|")[0] for line in result.stdout.splitlines() if line.endswith(("|syntax-error", "|parse-error"))}
    assert reported == set(unparsable()), result.stdout


BAD = """\
import tensorflow as tf


class L(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
{body}
"""


@pytest.mark.parametrize(
    ("body", "remaining"),
    [
        ("        return tf.compat.v1.layers.dense(x, 3)  # pylint: disable=unscoped-v1-layer", 0),
        ("        return tf.compat.v1.layers.dense(x, 3)  # pylint: disable=W7301", 0),
        ("        # pylint: disable-next=unscoped-v1-layer\n        return tf.compat.v1.layers.dense(x, 3)", 0),
        ("        return tf.compat.v1.layers.dense(x, 3)  # pylint: disable=untracked-nested-variable", 1),
        ("        return tf.compat.v1.layers.dense(x, 3)  # noqa: TFS101", 1),  # not pylint's syntax
    ],
)
def test_pylint_native_suppression(tmp_path: Path, body: str, remaining: int) -> None:
    (tmp_path / "m.py").write_text(BAD.format(body=body))
    assert len(pylint_findings(tmp_path, ["m.py"])) == remaining


@pytest.mark.parametrize(
    ("comment", "remaining"),
    [("  # noqa: TFS101", 0), ("  # noqa", 0), ("  # noqa: TFS106", 1), ("", 1)],
)
def test_flake8_native_noqa(tmp_path: Path, comment: str, remaining: int) -> None:
    (tmp_path / "m.py").write_text(BAD.format(body=f"        return tf.compat.v1.layers.dense(x, 3){comment}"))
    assert len(flake8_findings(tmp_path, ["m.py"])) == remaining


WRAPPED = """\
import tensorflow as tf
from myproject.compat import tracked


class L(tf.keras.layers.Layer):
    @tracked
    def call(self, x):
        return tf.compat.v1.layers.dense(x, 3)
"""


def test_shim_decorators_option_in_each_host(tmp_path: Path) -> None:
    (tmp_path / "m.py").write_text(WRAPPED)
    assert {f[1] for f in flake8_findings(tmp_path, ["m.py"])} == {"TFS107"}
    assert {f[1] for f in flake8_findings(tmp_path, ["m.py"], "--tf2lint-shim-decorators=myproject.compat.tracked")} == {"TFS101"}
    (tmp_path / "setup.cfg").write_text("[flake8]\ntf2lint-shim-decorators = myproject.compat.tracked\n")
    assert {f[1] for f in flake8_findings(tmp_path, ["m.py"])} == {"TFS101"}
    assert {f[1] for f in pylint_findings(tmp_path, ["m.py"], "--tf2lint-shim-decorators=myproject.compat.tracked")} == {"TFS101"}
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pylint.tf2lint]\ntf2lint-shim-decorators = ["myproject.compat.tracked"]\n'
        '[tool.tf2lint]\nshim-decorators = ["myproject.compat.tracked"]\n'
    )
    assert {f[1] for f in pylint_findings(tmp_path, ["m.py"])} == {"TFS101"}
    assert {f[1] for f in cli_findings(tmp_path)} == {"TFS101"}


def test_pylint_message_ids_sit_in_one_block() -> None:
    from pylint_tf2lint import TF2LintChecker

    ids = list(TF2LintChecker.msgs)
    assert len(set(ids)) == len(ids) == len(ALL_RULES) - 1
    assert {i[1:3] for i in ids} == {"73"}


@pytest.mark.parametrize("command", [["migrate", "--stage", "objects"], ["variables"], ["report", "--format", "json"]],
                         ids=["migrate", "variables", "report"])
def test_a_named_path_that_is_excluded_is_said_on_stderr(tmp_path: Path, command: list[str]) -> None:
    """As `check` says it: a path the user names is never dropped silently by the hosts that walk as it does."""
    (tmp_path / "pyproject.toml").write_text('[tool.tf2lint]\nexclude = ["vendored"]\n')
    (tmp_path / "vendored").mkdir()
    (tmp_path / "vendored" / "m.py").write_text(next(r for r in RULES if r.code == "TFS101").bad[0])
    result = subprocess.run([sys.executable, "-m", "tf2lint", *command, "vendored/m.py"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert "warning: vendored/m.py is excluded by `exclude`/`extend-exclude`" in result.stderr, result.stderr
