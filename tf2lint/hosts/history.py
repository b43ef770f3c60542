"""The report's counts at each of the last commits, read from git objects: no checkout, nothing run.

One `git cat-file --batch` process serves every tree and blob. A file's result is kept by its blob id (and
the settings that apply to its path), so a file unchanged across commits is analysed once; a tree's
summed counts are kept by its tree id and path, so an unchanged directory is not even walked again.

Files are analysed alone (as `check --no-project` does): a file's result then depends on its bytes only,
which is what makes reuse by blob id exact. Calls into the project's other modules are unknown there,
which can only keep a class out of "native", never put it in.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from tf2lint.engine import relevant
from tf2lint.findings import Settings
from tf2lint.hosts.options import UsageError
from tf2lint.hosts.files import DEFAULT_EXCLUDES, SOURCE_SUFFIXES
from tf2lint.hosts.config import Config
from tf2lint.hosts.report_data import Counts, analyse

_TREE, _BLOB, _LINK, _MODULE = "40000", "100", "120000", "160000"


@dataclass(frozen=True)
class Commit:
    id: str
    date: int  # committer time, seconds since the epoch
    subject: str


def run_git(repo: str, *args: str) -> str:
    """A git command's output; a usage error (exit 2, one line) when git is missing or refuses."""
    try:
        done = subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, check=False)
    except OSError as exc:
        raise UsageError(f"--history needs git: {exc}") from None
    if done.returncode != 0:
        raise UsageError(f"git {' '.join(args)}: {done.stderr.strip() or 'failed'}")
    return done.stdout


def commits(repo: str, count: int | None, since: str | None) -> list[Commit]:
    """The last ``count`` first-parent commits of HEAD (or those after ``since``), oldest first."""
    args = ["log", "--first-parent", "--format=%H%x00%ct%x00%s"]
    if count is not None:
        args.append(f"-n{count}")
    args.append(f"{since}..HEAD" if since else "HEAD")
    found = []
    for line in run_git(repo, *args).splitlines():
        sha, date, subject = line.split("\x00", 2)
        found.append(Commit(sha, int(date), subject))
    return found[::-1]


class Objects:
    """Reads git objects through one `git cat-file --batch` process."""

    def __init__(self, repo: str) -> None:
        self._process = subprocess.Popen(
            ["git", "-C", repo, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )

    def read(self, oid: str) -> tuple[str, bytes]:
        assert self._process.stdin is not None and self._process.stdout is not None
        self._process.stdin.write(oid.encode() + b"\n")
        self._process.stdin.flush()
        header = self._process.stdout.readline().split()
        if len(header) != 3:
            raise UsageError(f"git cat-file: no object {oid}")
        kind, size = header[1].decode(), int(header[2])
        data = self._process.stdout.read(size)
        self._process.stdout.read(1)  # the newline after the contents
        return kind, data

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        self._process.wait()


def tree_entries(data: bytes, id_length: int) -> list[tuple[str, str, str]]:
    """(mode, name, object id) of a tree object's raw bytes: `<mode> <name>\\0<binary id>` repeated."""
    entries, offset = [], 0
    while offset < len(data):
        space = data.index(b" ", offset)
        nul = data.index(b"\0", space)
        mode = data[offset:space].decode()
        name = data[space + 1:nul].decode("utf-8", "surrogateescape")
        oid = data[nul + 1:nul + 1 + id_length].hex()
        entries.append((mode, name, oid))
        offset = nul + 1 + id_length
    return entries


class History:
    """Counts per commit, with results reused by blob id and by (tree id, path)."""

    def __init__(self, repo: str, prefixes: Sequence[str], config: Config, settings: Settings) -> None:
        self.repo = repo
        self.prefixes = [p.strip("/") for p in prefixes]  # repository-relative paths to report on ("" = all)
        self.config = config
        self.settings = replace(settings, project=False)
        self.id_length = 32 if run_git(repo, "rev-parse", "--show-object-format").strip() == "sha256" else 20
        self._top = run_git(repo, "rev-parse", "--show-toplevel").strip()
        self.files_analysed = 0
        self._blobs: dict[tuple[str, str, Settings], Counts] = {}
        self._trees: dict[tuple[str, str], Counts] = {}
        self.objects = Objects(repo)

    def close(self) -> None:
        self.objects.close()

    def counts_at(self, commit: Commit) -> Counts:
        kind, data = self.objects.read(commit.id)
        tree = data.split(b"\n", 1)[0].split()[1].decode() if kind == "commit" else None
        if tree is None:
            raise UsageError(f"not a commit: {commit.id}")
        return self._tree(tree, "")

    def _wanted(self, path: str, directory: bool) -> bool:
        """Inside one of the prefixes (or above one, for a directory on the way down)."""
        if not self.prefixes or "" in self.prefixes:
            return True
        return any(path == p or path.startswith(p + "/") or (directory and p.startswith(path + "/"))
                   for p in self.prefixes)

    def _tree(self, oid: str, path: str) -> Counts:
        key = (oid, path)
        found = self._trees.get(key)
        if found is not None:
            return found
        total = Counts()
        _kind, data = self.objects.read(oid)
        for mode, name, child in tree_entries(data, self.id_length):
            child_path = f"{path}/{name}" if path else name
            disk = os.path.join(self._top, child_path)  # for the configured excludes, which are path patterns
            if mode == _TREE:
                if name in DEFAULT_EXCLUDES or name.endswith(".egg-info") or not self._wanted(child_path, True):
                    continue
                if not self.config.is_excluded(disk):
                    total.add(self._tree(child, child_path))
            elif mode.startswith(_BLOB) and name.endswith(SOURCE_SUFFIXES) and self._wanted(child_path, False):
                if not self.config.is_excluded(disk):
                    total.add(self._blob(child, child_path, disk))
        self._trees[key] = total
        return total

    def _blob(self, oid: str, path: str, disk: str) -> Counts:
        extra = self.config.ignored_for(disk)
        settings = replace(self.settings, ignore=self.settings.ignore + extra) if extra else self.settings
        key = (oid, os.path.splitext(path)[1], settings)
        found = self._blobs.get(key)
        if found is None:
            _kind, data = self.objects.read(oid)
            # Like the working tree's report: a file that cannot hold a finding is not analysed, nor counted.
            found = self._blobs[key] = analyse(data, path, settings).counts() if relevant(data, settings) else Counts()
            self.files_analysed += 1
        return found


def series(repo: str, prefixes: Sequence[str], config: Config, settings: Settings, count: int | None,
           since: str | None, progress: Callable[[str], None] | None = None) -> tuple[list[dict], History]:
    """The history points, oldest first, as the report's JSON has them."""
    history = History(repo, prefixes, config, settings)
    points = []
    try:
        for commit in commits(repo, count, since):
            counts = history.counts_at(commit).as_json()
            points.append({"commit": commit.id, "date": commit.date, "subject": commit.subject, **counts})
            if progress is not None:
                progress(commit.id)
    finally:
        history.close()
    return points, history
