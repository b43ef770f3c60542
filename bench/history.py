"""Benchmark of `tf2lint report --history`: 100 commits of a generated 1,000-file repository.

    python bench/history.py [--files 1000] [--commits 100] [--keep DIR]

The repository is generated with `git fast-import` (each file a module with a shim layer, a TF1 graph class
or a native layer; each commit after the first migrates two classes one step); so is a second, linked one
(each module imports two others and calls a helper of one; every other commit adds a module, the others
rewrite one that others import, whose readers are analysed again). Then, for each, in one process, the
history is computed the way `report --history` does, and the time of the first commit (every file
analysed) and of the other commits (only the files that changed, or whose analysis read one that changed,
analysed again) are printed, with the file versions analysed, and the same run end to end through the command line.
Target: the commits after the first well under a minute.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHIMMED = '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables


class Block{n}(tf.keras.layers.Layer):
    @track
    def call(self, inputs):
        with tf.compat.v1.variable_scope("block{n}"):
            hidden = tf.compat.v1.layers.dense(inputs, {units}, name="hidden")
            return tf.compat.v1.layers.dense(hidden, 4, name="out")
'''
PARTLY = '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables


class Block{n}(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.hidden = tf.keras.layers.Dense({units})

    @track
    def call(self, inputs):
        with tf.compat.v1.variable_scope("block{n}"):
            return tf.compat.v1.layers.dense(self.hidden(inputs), 4, name="out")
'''
NATIVE = '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables


class Block{n}(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.hidden = tf.keras.layers.Dense({units})
        self.out = tf.keras.layers.Dense(4)

    @track
    def call(self, inputs):
        return self.out(self.hidden(inputs))
'''
DONE = '''\
import tensorflow as tf


class Block{n}(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.hidden = tf.keras.layers.Dense({units})
        self.out = tf.keras.layers.Dense(4)

    def call(self, inputs):
        return self.out(self.hidden(inputs))
'''
GRAPH = '''\
import tensorflow as tf


class Graph{n}(object):
    def build(self, inputs):
        with tf.compat.v1.variable_scope("graph{n}"):
            w = tf.compat.v1.get_variable("w", shape=({units}, 4))
            return tf.matmul(inputs, w)
'''
STEPS = (SHIMMED, PARTLY, NATIVE, DONE)
# The linked repository: modules at the top that import two earlier ones and call a helper of one in shim code,
# so that a module's counts depend on others (each change re-analyses the modules that read it).
LINKED = SHIMMED.replace(
    "import tensorflow as tf\n", "import tensorflow as tf\nimport mod{a:04d}\nimport mod{b:04d}\n"
).replace('tf.compat.v1.layers.dense(inputs, {units}, name="hidden")', "mod{a:04d}.helper{a}(inputs)") + """

def helper{n}(x):
    w = tf.compat.v1.get_variable("w{n}", shape=(4, 4))
    return tf.matmul(x, w)
"""


def generate(repo: Path, files: int, commits: int, seed: int = 0) -> None:
    """A repository of ``files`` modules in packages of 50; each commit after the first moves two shimmed
    modules one migration step on."""
    rng = random.Random(seed)
    paths = [f"pkg{i // 50:02d}/mod{i:04d}.py" for i in range(files)]
    state = {p: (0 if i % 4 else -1) for i, p in enumerate(paths)}  # -1: TF1 graph code, never migrated

    def text(path: str) -> str:
        n = int(path[-7:-3])
        template = GRAPH if state[path] < 0 else STEPS[state[path]]
        return template.format(n=n, units=8 + n % 7)

    commits_made = []
    for number in range(commits):
        changed = paths if number == 0 else rng.sample([p for p in paths if 0 <= state[p] < len(STEPS) - 1], 2)
        if number:
            for path in changed:
                state[path] += 1
        message = "generated tree" if number == 0 else f"migrate {', '.join(changed)}"
        commits_made.append((message, {path: text(path) for path in changed}))
    _import(repo, commits_made)


def generate_linked(repo: Path, files: int, commits: int, seed: int = 0) -> None:
    """``files`` top-level modules, each importing two earlier ones; each commit after the first adds a module
    (every other commit) or rewrites one that others import."""
    rng = random.Random(seed)

    def text(n: int) -> str:
        earlier = max(n, 1)
        return LINKED.format(n=n, a=rng.randrange(earlier), b=rng.randrange(earlier), units=rng.randrange(2, 9))

    made = [("generated tree", {f"mod{n:04d}.py": text(n) for n in range(files)})]
    count = files
    for number in range(1, commits):
        n = count if number % 2 else rng.randrange(count)
        count += number % 2
        made.append((f"{'add' if number % 2 else 'change'} mod{n:04d}.py", {f"mod{n:04d}.py": text(n)}))
    _import(repo, made)


def _import(repo: Path, commits: list[tuple[str, dict[str, str]]]) -> None:
    """Write the commits (message, path -> text) with `git fast-import`, and check out the last."""
    stream: list[bytes] = []

    def blob(data: str) -> None:
        raw = data.encode()
        stream.append(b"data %d\n" % len(raw) + raw + b"\n")

    for number, (message, files) in enumerate(commits):
        stream.append(b"commit refs/heads/main\n")
        stream.append(b"committer Bench <bench@example.com> %d +0000\n" % (1_800_000_000 + number * 3600))
        blob(message)  # later commits continue the branch: fast-import needs no `from` for that
        for path, data in files.items():
            stream.append(f"M 100644 inline {path}\n".encode())
            blob(data)
        stream.append(b"\n")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=b"".join(stream), check=True)
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "-f", "main"], check=True)


def _measure(repo: Path, files: int, commits: int) -> None:
    """The history computed in this process, as `report --history` computes it: the first commit, the others."""
    from tf2lint.findings import Settings
    from tf2lint.hosts import config, history

    stamps: list[tuple[float, float]] = []
    start = (time.perf_counter(), time.process_time())
    points, run = history.series(str(repo), [""], config.Loader(), lambda _path: Settings(), commits, None,
                                 progress=lambda _done, _total: stamps.append((time.perf_counter(), time.process_time())))
    first = (stamps[0][0] - start[0], stamps[0][1] - start[1])
    rest = (stamps[-1][0] - stamps[0][0], stamps[-1][1] - stamps[0][1])
    print(f"  in process: first commit {first[0]:.2f} s wall / {first[1]:.2f} s CPU ({files} files); "
          f"the other {len(points) - 1} commits {rest[0]:.2f} s wall / {rest[1]:.2f} s CPU; "
          f"{run.files_analysed} file versions analysed in all")
    print(f"  first point: {points[0]['stages']}; last point: {points[-1]['stages']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--commits", type=int, default=100)
    parser.add_argument("--keep", metavar="DIR", help="generate the repository here and keep it")
    args = parser.parse_args()

    where = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="tf2lint-history-"))
    repo = where / "repo"
    for label, make, tree in (("migration", generate, repo), ("linked", generate_linked, where / "linked")):
        started = time.perf_counter()
        make(tree, args.files, args.commits)
        print(f"{label}: generated {args.files} files, {args.commits} commits in {time.perf_counter() - started:.1f} s")
        _measure(tree, args.files, args.commits)

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    wall = time.perf_counter()
    subprocess.run([sys.executable, "-m", "tf2lint", "report", "--history", str(args.commits), "--format", "html",
                    "-o", str(where / "report.html"), str(repo)], check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    print(f"`tf2lint report --history {args.commits} --format html` end to end: {time.perf_counter() - wall:.2f} s wall "
          f"/ {cpu:.2f} s CPU (the working tree's report included)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
