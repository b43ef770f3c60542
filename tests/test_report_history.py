"""`tf2lint report --history` counts each commit as the working-tree report counts that commit checked out:
with the project around each file (a helper another module defines, a layer another module imports), and
reuses a file's result only where the file and everything its analysis read are unchanged."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import random_histories
import report_fixture as fixture
from random_histories import Link, checked_out, commit, counts, git, new_repository, report

MODEL = '''\
import extras
import tensorflow as tf

from pkg import ops

track = tf.compat.v1.keras.utils.track_tf1_style_variables


class Block(tf.keras.layers.Layer):
    @track
    def call(self, x):
        return ops.dense(x, 4)


class Leaky(tf.keras.layers.Layer):
    @track
    def call(self, x):
        return ops.fresh(x)


class Late(tf.keras.layers.Layer):
    @track
    def call(self, x):
        return extras.scale(x)
'''
EXTRAS = '''\
def scale(x):
    return x * 2
'''
OPS = '''\
import tensorflow as tf


def dense(x, units):
    w = tf.compat.v1.get_variable("w", shape=(4, units))
    return tf.matmul(x, w)


def fresh(x):
    v = tf.Variable(tf.zeros([4]))
    return x + v
'''
LAYERS = '''\
import tensorflow as tf


class Plain(tf.keras.layers.Layer):
    def call(self, x):
        w = tf.compat.v1.get_variable("w", shape=(4, 4))
        return tf.matmul(x, w)
'''
TRAIN = '''\
from pkg.layers import Plain

model = Plain()
'''
# (subject, files written (None: removed)): each commit changes what another module's analysis reads.
COMMITS: list[tuple[str, dict[str, str | None]]] = [
    ("Layers calling helpers that do not exist yet",
     {"pkg/__init__.py": "", "pkg/model.py": MODEL, "pkg/layers.py": LAYERS}),
    ("Add the helpers", {"pkg/ops.py": OPS}),
    ("A helper stops creating a variable per call",
     {"pkg/ops.py": OPS.replace("    v = tf.Variable(tf.zeros([4]))\n    return x + v", "    return x")}),
    ("Only the docs", {"README.md": "# model\n"}),
    ("Another module builds the plain layer", {"pkg/train.py": TRAIN}),
    ("The helper creates a variable per call again", {"pkg/ops.py": OPS}),
    ("No package any more", {"pkg/__init__.py": None}),
    ("A package again, the helpers renamed",
     {"pkg/__init__.py": "", "pkg/ops.py": None, "pkg/helpers.py": OPS,
      "pkg/model.py": MODEL.replace("import ops", "import helpers as ops")}),
    ("The top-level module the model imports appears", {"extras.py": EXTRAS}),
]


def build(repo: Path) -> list[str]:
    new_repository(repo)
    return [commit(repo, files, subject) for subject, files in COMMITS]


def points_are_checkouts(repo: Path, commits: list[str], tmp_path: Path, *args: str) -> tuple[list[dict], str]:
    """The history's points, each checked against the working-tree report of its commit checked out."""
    document, stderr = report(repo, "--history", str(len(commits)), *args)
    points = document["history"]
    assert [p["commit"] for p in points] == commits
    for index, (commit_id, point) in enumerate(zip(commits, points)):
        alone, _ = report(checked_out(repo, commit_id, tmp_path / f"at{index}"), *args)
        assert counts(point) == alone["summary"], point["subject"]
    return points, stderr


def test_each_point_is_the_report_of_that_commit_checked_out(tmp_path) -> None:
    repo = tmp_path / "repo"
    commits = build(repo)
    points, stderr = points_are_checkouts(repo, commits, tmp_path)
    seen = [(p["stages"]["shimmed"], p["stages"]["partly_native"], p["stages"]["native"], p["findings"])
            for p in points]
    # The commits move the counts through other modules (`Plain` is a TF1 class: TFS107 until another module
    # builds it; `Leaky` is native while the helper creates nothing, `Late` once its helper module appears).
    assert seen == [
        (3, 0, 0, {"TFS107": 1}),  # the helpers are unknown: the three layers shimmed (never native)
        (2, 1, 0, {"TFS106": 1, "TFS107": 1}),  # `ops.fresh` makes a variable per call (TFS106, at model.py)
        (2, 0, 1, {"TFS107": 1}),  # ops.py changed, model.py did not: `Leaky` is native now
        (2, 0, 1, {"TFS107": 1}),
        (2, 0, 1, {}),  # train.py imports and builds `Plain`: its callers decide (TFS107 silent in layers.py)
        (2, 1, 0, {"TFS106": 1}),
        (2, 1, 0, {"TFS106": 1}),  # without `pkg/__init__.py`, `pkg` is a namespace package of the top
        (2, 1, 0, {"TFS106": 1}),
        (1, 1, 1, {"TFS106": 1}),  # extras.py, at the top: `Late` calls a helper that creates nothing
    ]
    # Reuse: a file is analysed again when it or something its analysis read changed, and an earlier result
    # serves again when everything is as it was then. Per commit: layers and model; model and the new ops;
    # the same two; nothing for the docs; layers (another module now names `Plain`); nothing (ops.py and all
    # model.py read are as two commits before); all three (their package went); the renamed helpers and model
    # (layers.py is as it was with a package and train.py); model.py, the one module that asked whether
    # `extras` is a top-level name, where extras.py appeared.
    analysed = int(re.search(r"(\d+) file versions analysed", stderr).group(1))
    assert analysed == 2 + 2 + 2 + 0 + 1 + 0 + 3 + 2 + 1, stderr


def test_each_point_against_a_revision_as_checked_out(tmp_path) -> None:
    """`--variables-base` over the history: every commit's files are compared with that revision's, as
    `report --variables-base` compares a checkout of the commit (the scratch copy reads the revision from the
    repository it copies)."""
    repo = tmp_path / "repo"
    commits = fixture.build(repo)
    points, _stderr = points_are_checkouts(repo, commits, tmp_path, "--extend-select", "TFS117",
                                           "--variables-base", commits[0])
    drifted = [point["findings"].get("TFS115", 0) for point in points]
    # Only where Decoder's output layer is named `out` (commit 0 has `dense`); once Decoder is native, its
    # variables are Keras's, which TFS115 does not compare.
    assert drifted == [int(step.subject == "Decoder: name the output layer") for step in fixture.STEPS]


def test_the_last_point_is_the_clean_working_tree(tmp_path) -> None:
    """Files are chosen and read as `check` chooses and reads them in the working tree: a tracked file that
    .gitignore names, or that `extend-exclude` names, counts in neither, and one above `max-file-size` is a
    TFS000 in both."""
    repo = tmp_path / "repo"
    build(repo)
    (repo / "generated").mkdir()
    (repo / "generated" / "layers.py").write_text(LAYERS)
    (repo / "vendor").mkdir()
    (repo / "vendor" / "layers.py").write_text(LAYERS)
    (repo / ".gitignore").write_text("generated/\n")
    (repo / "pyproject.toml").write_text('[tool.tf2lint]\nextend-exclude = ["vendor"]\nmax-file-size = 2000\n')
    (repo / "pkg" / "big.py").write_text(LAYERS + "# padding\n" * 200)
    git(repo, "add", "-A", "-f")
    git(repo, "commit", "-q", "-m", "Generated and vendored layers")
    document, _stderr = report(repo, "--history", "2")
    assert counts(document["history"][-1]) == document["summary"]
    # Neither copy of `Plain` is reported (TFS107), and big.py is not read.
    assert document["summary"]["findings"] == {"TFS000": 1, "TFS106": 1}


def test_random_histories(tmp_path) -> None:
    """Random edits across modules (tests/random_histories.py; `python -m tests.random_histories` runs more):
    no commit's counts differ from its checkout's report."""
    for seed in range(4):  # odd seeds configure a source root and per-file ignores
        assert random_histories.differences(tmp_path / str(seed), seed, commits=8) == []


def test_no_scratch_directory_is_a_usage_error(tmp_path, monkeypatch, capsys) -> None:
    """A scratch directory that cannot be made (or written: a full disk) is one line, exit 2."""
    from tf2lint.hosts import cli, commit_tree

    repo = tmp_path / "repo"
    build(repo)

    def full(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(commit_tree.tempfile, "mkdtemp", full)
    monkeypatch.chdir(repo)
    assert cli.main(["report", "--history", "2", "-o", str(tmp_path / "report.html")]) == 2
    assert capsys.readouterr().err == (
        "tf2lint: error: --history: cannot make a scratch directory: [Errno 28] No space left on device\n")


def test_a_shallow_clone_says_why_its_history_is_short(tmp_path) -> None:
    repo = tmp_path / "repo"
    build(repo)
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "2", repo.as_uri(), str(shallow)], check=True, timeout=60)
    document, stderr = report(shallow, "--history", "5")
    assert len(document["history"]) == 2
    assert "tf2lint: warning: the repository is a shallow clone: the history stops at its 2 fetched commits" in stderr
    _document, stderr = report(repo, "--history", "5")  # a full clone has the 5
    assert "shallow" not in stderr


def test_progress_goes_to_a_terminal_stderr_only(tmp_path, monkeypatch) -> None:
    import io

    from tf2lint.hosts import cli

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    repo = tmp_path / "repo"
    build(repo)
    monkeypatch.chdir(repo)
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli.main(["report", "--history", "3", "-j1", "-o", str(tmp_path / "report.html")]) == 0
    assert "\rtf2lint: history: 1/3 commits\rtf2lint: history: 2/3 commits\rtf2lint: history: 3/3 commits\n" in \
        terminal.getvalue()
    _document, stderr = report(repo, "--history", "3")  # a pipe: no progress line
    assert "commits\r" not in stderr and "history: 1/3" not in stderr


def test_a_commits_analyses_on_several_processes_count_the_same(tmp_path) -> None:
    """A first commit's many files are analysed on all cores; the points are those of one process."""
    repo = tmp_path / "repo"
    new_repository(repo)
    layer = MODEL.replace("import extras\n", "").replace("from pkg import ops", "from pkg import ops{n} as ops")
    quiet = OPS.replace("    v = tf.Variable(tf.zeros([4]))\n    return x + v", "    return x")
    for step in range(3):
        files = {"pkg/__init__.py": ""}
        for n in range(12):
            files[f"pkg/model{n}.py"] = layer.replace("{n}", str(n)).replace("Late", f"Late{step}")
            files[f"pkg/ops{n}.py"] = OPS if (n + step) % 2 else quiet
        commit(repo, files, f"step {step}")
    one, _ = report(repo, "--history", "3", "-j1")
    several, _ = report(repo, "--history", "3", "-j2")
    assert one["history"] == several["history"]
    assert [p["findings"].get("TFS106", 0) for p in one["history"]] == [6, 6, 6]
    assert one["history"][-1]["files"] == 24


def test_a_names_lock_outside_the_repository_applies_to_every_commit(tmp_path) -> None:
    """A lock outside the repository has no history: as it is now, it guards the classes of every commit (its
    keys name the working tree's files; the history analyses a copy of them)."""
    repo = tmp_path / "repo"
    build(repo)
    (repo / "pyproject.toml").write_text('[tool.tf2lint]\nvariables-lock = "../names.lock"\n')
    subprocess.run([sys.executable, "-m", "tf2lint", "variables", "--write", "../names.lock", "pkg/model.py"],
                   cwd=repo, check=True, capture_output=True, timeout=300)
    document, _stderr = report(repo, "--history", "2")
    assert document["baseline"] == {"lock": "../names.lock"}
    # `Late` is in the lock too: shimmed before extras.py appears, native (nothing to guard) after.
    assert [p["flags"]["names_lock"] for p in document["history"]] == [3, 2]
    assert document["summary"]["flags"]["names_lock"] == 2


QUIET_OPS = OPS.replace("    v = tf.Variable(tf.zeros([4]))\n    return x + v", "    return x")
LINKED_MODEL = MODEL.replace("import extras\n", "").replace("from pkg import ops", "from {package} import ops")
LINKED_MODEL = LINKED_MODEL[:LINKED_MODEL.index("class Late")].rstrip() + "\n"
# Symbolic links, as a checkout writes them: `check`'s walk counts a linked module at the link's path (once by
# its real path: `pkg/` comes before `real/`), does not enter a linked directory, and reads a link to nothing
# as a TFS000.
LINK_COMMITS: list[tuple[str, dict]] = [
    ("A model in real/, linked into pkg/",
     {"real/__init__.py": "", "real/ops.py": OPS, "real/model.py": LINKED_MODEL.format(package="real"),
      "pkg/__init__.py": "", "pkg/model.py": Link("../real/model.py")}),
    ("The helper stops creating a variable per call", {"real/ops.py": QUIET_OPS}),
    ("An app imports the helpers through a linked directory",
     {"shared": Link("real"), "app.py": LINKED_MODEL.format(package="shared")}),
    ("The helper creates a variable per call again", {"real/ops.py": OPS}),
    ("A module linked to nothing", {"pkg/gone.py": Link("missing.py")}),
    ("A module linked from beside the repository", {"pkg/beside.py": Link("../../beside.py")}),
    ("A module linked to a script without a suffix",
     {"bin/tool": LINKED_MODEL.format(package="real"), "pkg/tool.py": Link("../bin/tool")}),
    ("The linked directory goes", {"shared": None}),
]


def test_linked_modules_and_directories_count_as_checked_out(tmp_path) -> None:
    repo = tmp_path / "repo"
    (tmp_path / "beside.py").write_text(LINKED_MODEL.format(package="real"))
    new_repository(repo)
    commits = [commit(repo, files, subject) for subject, files in LINK_COMMITS]
    points, _stderr = points_are_checkouts(repo, commits, tmp_path)
    seen = [(p["files"], p["findings"]) for p in points]
    # Files that can hold a finding: the model counts once (at pkg/model.py) beside real/ops.py; app.py reads the
    # helper through `shared`, so it follows the helper's edits although nothing it names changed; beside.py and
    # the script count at their links.
    assert seen == [
        (2, {"TFS106": 1}),
        (2, {}),
        (3, {}),
        (3, {"TFS106": 2}),
        (4, {"TFS000": 1, "TFS106": 2}),
        (5, {"TFS000": 1, "TFS106": 3}),
        (6, {"TFS000": 1, "TFS106": 4}),  # bin/tool is not a source file: it counts at pkg/tool.py only
        (6, {"TFS000": 1, "TFS106": 3}),  # app.py's import no longer resolves
    ]
