"""Random git histories of a small two-package project, for `report --history`: at every commit, the history's
counts must be those of the working-tree report of that commit checked out.

Each commit writes, rewrites or removes a few modules drawn from shapes that make one module's result depend
on another's: helpers (creating a variable once, one per call, or none; re-exported from a sibling), shim
layers calling them, a plain Keras layer with TF1 creation (TFS107) and a module that builds it, a layer
calling a top-level module, `__init__.py` files coming and going, a top-level `pkg.py` beside `pkg/`, a layer
importing a module of the configured source root `lib/` (odd seeds configure it, with per-file ignores, in the
first commit), a notebook whose layer calls a helper, and symbolic links: a module that links to another
(itself, one beside the repository, a script without a suffix, nothing), a directory `shared` that links to a
package.

    python -m tests.random_histories --seeds 0 100 [--commits 10]

prints every commit whose counts differ and how many histories had one; `test_report_history.py` runs a few.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

_HELPERS = (
    'import tensorflow as tf\n\n\ndef f(x):\n    w = tf.compat.v1.get_variable("w", shape=(4, 4))\n'
    "    return tf.matmul(x, w)\n",
    "import tensorflow as tf\n\n\ndef f(x):\n    v = tf.Variable(tf.zeros([4]))\n    return x + v\n",
    "def f(x):\n    return x * 2\n",
)
_LAYER = '''\
import tensorflow as tf

from {package} import {module}

track = tf.compat.v1.keras.utils.track_tf1_style_variables


class {name}(tf.keras.layers.Layer):
    @track
    def call(self, x):
        return {module}.f(x)
'''
_TOP_LAYER = '''\
import tensorflow as tf
import {top}

track = tf.compat.v1.keras.utils.track_tf1_style_variables


class Late(tf.keras.layers.Layer):
    @track
    def call(self, x):
        return {top}.f(x)
'''
_PLAIN = '''\
import tensorflow as tf


class Plain(tf.keras.layers.Layer):
    def call(self, x):
        w = tf.compat.v1.get_variable("w", shape=(4, 4))
        return tf.matmul(x, w)
'''
_SOURCE_ROOT_LAYER = _TOP_LAYER.replace("Late", "Rooted")
_NOTEBOOK_CELL = _LAYER.replace("class {name}", "class Cell{name}")
_CONFIG = '''\
[tool.tf2lint]
src = ["lib"]
per-file-ignores = {"pkg/net.py" = ["TFS106"]}
'''
_PACKAGES = ("pkg", "lib")
_MODULES = ("ops", "util", "core")


@dataclass(frozen=True)
class Link:
    """A symbolic link to ``target`` (as `ln -s` spells it: relative to the link's directory)."""

    target: str


def _change(rng: random.Random, files: set[str]) -> dict[str, str | Link | None]:
    """One edit: path -> its new text or link (None: removed)."""
    package, module = rng.choice(_PACKAGES), rng.choice(_MODULES)
    kind = rng.choice(("helper", "helper", "reexport", "layer", "plain", "user", "init", "remove", "top", "late",
                       "rooted", "notebook", "link", "shared", "tool"))
    if kind == "helper":
        return {f"{package}/{module}.py": rng.choice(_HELPERS)}
    if kind == "reexport":
        other = rng.choice([m for m in _MODULES if m != module])
        return {f"{package}/{module}.py": f"from {package}.{other} import f\n"}
    if kind == "layer":
        name = rng.choice(("model", "net"))
        imported = rng.choice((*_PACKAGES, "shared"))
        return {f"{package}/{name}.py": _LAYER.format(package=imported, module=module, name=name.title())}
    if kind == "link":  # to a sibling (or itself), a module of either package, the layer, outside, nothing
        target = rng.choice((f"{rng.choice(_MODULES)}.py", f"../{rng.choice(_PACKAGES)}/{rng.choice(_MODULES)}.py",
                             "../pkg/net.py", "../../outside.py", "missing.py", "../bin/tool"))
        return {f"{package}/{module}.py": Link(target)}
    if kind == "tool":  # a script without a suffix (a link may name it)
        return {"bin/tool": rng.choice(_HELPERS)}
    if kind == "shared":
        return {"shared": None if "shared" in files else Link(rng.choice(_PACKAGES))}
    if kind == "plain":
        return {f"{package}/plain.py": _PLAIN}
    if kind == "user":
        return {f"{rng.choice(_PACKAGES)}/train.py": f"from {package}.plain import Plain\n\nmodel = Plain()\n"}
    if kind == "init":
        init = f"{package}/__init__.py"
        return {init: None if init in files else ""}
    if kind == "remove":
        return {rng.choice(sorted(files)): None} if files else {}
    if kind == "top":
        return {f"{rng.choice(('extras', 'pkg'))}.py": rng.choice(_HELPERS)}
    if kind == "rooted":
        return {"pkg/rooted.py": _SOURCE_ROOT_LAYER.format(top=module)}
    if kind == "notebook":
        cell = _NOTEBOOK_CELL.format(package=package, module=module, name="Layer")
        return {"pkg/explore.ipynb": json.dumps({
            "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
                       "source": cell.splitlines(keepends=True)}],
            "metadata": {}, "nbformat": 4, "nbformat_minor": 5})}
    return {f"{package}/late.py": _TOP_LAYER.format(top=rng.choice(("extras", "lib")))}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def new_repository(repo: Path) -> None:
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "dev@example.com")
    git(repo, "config", "user.name", "dev")


def commit(repo: Path, changes: dict[str, str | Link | None], message: str) -> str:
    """Write (text), link (`Link`) or remove (None) each path, commit everything, and return the commit's id."""
    for name, text in changes.items():
        path = repo / name
        if path.is_symlink() or text is None or isinstance(text, Link):
            path.unlink(missing_ok=True)  # (writing through a link would change its target)
        if isinstance(text, Link):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.symlink_to(text.target)
        elif text is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def report(where: Path, *args: str) -> tuple[dict, str]:
    """`tf2lint report --format json` run in ``where``: the document and what it said on stderr."""
    done = subprocess.run([sys.executable, "-m", "tf2lint", "report", "--format", "json", *args], cwd=where,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout), done.stderr


def checked_out(repo: Path, commit_id: str, where: Path) -> Path:
    """The commit's files as a team had them on disk (a worktree of the repository)."""
    git(repo, "worktree", "add", "-q", "--detach", str(where), commit_id)
    return where


def counts(point: dict) -> dict:
    """A history point's counts, as a report's summary has them."""
    return {key: value for key, value in point.items() if key not in ("commit", "date", "subject")}


def build(repo: Path, seed: int, commits: int) -> list[str]:
    """The history of ``seed``: ``commits`` commits of one to three edits each. Returns the commit ids."""
    rng = random.Random(seed)
    new_repository(repo)
    files: set[str] = set()
    made = []
    for index in range(commits):
        changes: dict[str, str | Link | None] = {"pyproject.toml": _CONFIG} if index == 0 and seed % 2 else {}
        for _ in range(rng.randint(1, 3)):
            changes.update(_change(rng, files))
        made.append(commit(repo, changes or {"README.md": f"{index}\n"},
                           f"{index}: {', '.join(sorted(changes)) or 'docs'}"))
        for name, text in changes.items():
            if text is None:
                files.discard(name)
            elif name != "pyproject.toml":  # the configuration stays: history reads the working tree's
                files.add(name)
    return made


def differences(base: Path, seed: int, commits: int = 10) -> list[str]:
    """Each commit of the history of ``seed`` whose history counts differ from its checkout's report."""
    repo = base / "repo"
    base.mkdir(parents=True, exist_ok=True)
    (base / "outside.py").write_text(_HELPERS[1])  # beside the repository and its checkouts: links may lead here
    made = build(repo, seed, commits)
    points = report(repo, "--history", str(commits))[0]["history"]
    found = []
    for index, (commit_id, point) in enumerate(zip(made, points)):
        expected = report(checked_out(repo, commit_id, base / f"at{index}"))[0]["summary"]
        if counts(point) != expected:
            got = counts(point)
            wrong = {key: (got[key], expected[key]) for key in got if got[key] != expected[key]}
            found.append(f"seed {seed}, commit {point['subject']}: history, checkout = {wrong}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.random_histories", description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs=2, default=(0, 20), metavar=("FIRST", "END"))
    parser.add_argument("--commits", type=int, default=10)
    args = parser.parse_args(argv)
    differing = 0
    for seed in range(*args.seeds):
        base = Path(tempfile.mkdtemp(prefix=f"tf2lint-history-{seed}-"))
        found = differences(base, seed, args.commits)
        for line in found:
            print(f"{line}  ({base / 'repo'})")
        if found:
            differing += 1
        else:
            shutil.rmtree(base)
    print(f"histories: {args.seeds[1] - args.seeds[0]}, with a difference: {differing}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
