"""The report's counts at each of the last commits, read from git objects: no checkout, nothing run.

One `git cat-file --batch` process serves every tree and blob. A file's result is kept by its blob id (and
the settings that apply to its path), so a file unchanged across commits is analysed once; a tree's
summed counts are kept by its tree id and path, so an unchanged directory is not even walked again.

Files are analysed alone (as `check --no-project` does): a file's result then depends on its bytes only,
which is what makes reuse by blob id exact. Calls into the project's other modules are unknown there,
which can only keep a class out of "native", never put it in.

Each file has its working-tree settings (its own configuration's selection, ignores, excludes), and the names
lock it configures is read as each commit has it (TFS115 and the report's "names lock" count then say what that
commit's lock guarded): a file's result is also keyed by the lock's entries for it, so writing the lock
re-analyses only the modules it names. With `--variables-base`, every commit is compared with that revision.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from tf2lint.analysis.baseline import module_key
from tf2lint.engine import relevant
from tf2lint.findings import Settings
from tf2lint.hosts.options import UsageError
from tf2lint.hosts.files import DEFAULT_EXCLUDES, SOURCE_SUFFIXES
from tf2lint.hosts.config import Loader
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

    def __init__(self, repo: str, prefixes: Sequence[str], loader: Loader,
                 settings: Callable[[str], Settings]) -> None:
        """``loader``: each path's configuration (its excludes); ``settings``: a file's settings by its path on
        disk, as the working tree's report makes them."""
        self.repo = repo
        self.prefixes = [p.strip("/") for p in prefixes]  # repository-relative paths to report on ("" = all)
        self.loader = loader
        self.settings = settings
        self.id_length = 32 if run_git(repo, "rev-parse", "--show-object-format").strip() == "sha256" else 20
        self._top = run_git(repo, "rev-parse", "--show-toplevel").strip()
        self.files_analysed = 0
        self._alone: dict[Settings, Settings] = {}
        self._blobs: dict[tuple, Counts] = {}
        self._trees: dict[tuple, Counts] = {}
        self.objects = Objects(repo)
        self._locks = _CommittedLocks(self._top, self.objects, self.id_length)
        self._locked: tuple = ()  # the versions of the locks known when the commit being counted started

    def close(self) -> None:
        self.objects.close()
        self._locks.close()

    def counts_at(self, commit: Commit) -> Counts:
        kind, data = self.objects.read(commit.id)
        tree = data.split(b"\n", 1)[0].split()[1].decode() if kind == "commit" else None
        if tree is None:
            raise UsageError(f"not a commit: {commit.id}")
        self._locked = self._locks.start(tree)
        return self._tree(tree, "")

    def _wanted(self, path: str, directory: bool) -> bool:
        """Inside one of the prefixes (or above one, for a directory on the way down)."""
        if not self.prefixes or "" in self.prefixes:
            return True
        return any(path == p or path.startswith(p + "/") or (directory and p.startswith(path + "/"))
                   for p in self.prefixes)

    def _excluded(self, disk: str, directory: bool) -> bool:
        """By `exclude`/`extend-exclude` of the configuration of the folder holding it, as `check` decides."""
        return self.loader.for_directory(os.path.dirname(disk)).excluded_by(disk, directory) is not None

    def _tree(self, oid: str, path: str) -> Counts:
        # A directory's counts depend on the locks its files read: a lock first read inside it joins the locks
        # known only after the key was made, so that key is never made again (no stale reuse).
        key = (oid, path, self._locked)
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
                if not self._excluded(disk, True):
                    total.add(self._tree(child, child_path))
            elif mode.startswith(_BLOB) and name.endswith(SOURCE_SUFFIXES) and self._wanted(child_path, False):
                if not self._excluded(disk, False):
                    total.add(self._blob(child, child_path, disk))
        self._trees[key] = total
        return total

    def _blob(self, oid: str, path: str, disk: str) -> Counts:
        own = self.settings(disk)
        lock = self._locks.at(own.variables_lock)
        settings = self._alone_settings(own)
        # What the result depends on besides the bytes: the extension, or the path itself when a revision's file
        # at that path is the names' baseline; the settings; which lock, and its entries for this module.
        key = (oid, path if settings.variables_base else os.path.splitext(path)[1], settings, lock.source,
               lock.entries(disk))
        found = self._blobs.get(key)
        if found is None:
            _kind, data = self.objects.read(oid)
            if lock.path:
                settings = replace(settings, variables_lock=lock.path)
            # Like the working tree's report: a file that cannot hold a finding is not analysed, nor counted.
            found = self._blobs[key] = analyse(data, disk, settings).counts() if relevant(data, settings) else Counts()
            self.files_analysed += 1
        return found

    def _alone_settings(self, settings: Settings) -> Settings:
        """A file's settings for analysing it alone, and without a lock (each commit has its own)."""
        alone = self._alone.get(settings)
        if alone is None:
            alone = self._alone[settings] = replace(settings, project=False, variables_lock="")
        return alone


@dataclass(frozen=True)
class _Lock:
    """A names lock as a commit has it, written where the analysis reads it."""

    source: str  # the configured path of the lock ("" for none)
    id: str  # the committed blob's id; the path itself for a lock outside the repository; "" for none
    path: str  # what the analysis reads: a temporary file keyed by the modules' paths on disk ("" for none)
    base: str = ""  # the directory the committed lock's keys are relative to
    digests: dict[str, str] | None = None  # module key (as the committed lock spells it) -> its entries' digest

    def entries(self, disk: str) -> str:
        """What the lock says of the module at ``disk``, as a digest ("" for nothing)."""
        return self.digests.get(module_key(disk, self.base), "") if self.digests else ""


_NO_LOCK = _Lock("", "", "")


class _CommittedLocks:
    """The configured names locks as each commit's tree holds them. Files are analysed at their working-tree
    paths, so a committed lock is rewritten with its keys relative to its temporary file's directory. A lock
    outside the repository has no history: it applies as it is to every commit."""

    def __init__(self, top: str, objects: Objects, id_length: int) -> None:
        self._top = top
        self._objects = objects
        self._id_length = id_length
        self._tree = ""
        self._now: dict[str, _Lock] = {}  # configured path -> the lock in the commit being counted
        self._known: set[str] = set()
        self._written: dict[tuple[str, str], _Lock] = {}  # (configured path, blob id) -> lock
        self._directory: str | None = None

    def start(self, tree: str) -> tuple:
        """Count the commit whose root tree is ``tree``: the versions of the locks known so far."""
        self._tree, self._now = tree, {}
        return tuple(sorted((lock, self.at(lock).id) for lock in self._known))

    def at(self, lock: str) -> _Lock:
        if not lock:
            return _NO_LOCK
        found = self._now.get(lock)
        if found is None:
            self._known.add(lock)
            found = self._now[lock] = self._read(lock)
        return found

    def _read(self, lock: str) -> _Lock:
        relative = os.path.relpath(lock, self._top).replace(os.sep, "/")
        if relative.startswith("../"):
            return _Lock(lock, lock, lock)
        oid = self._find(relative.split("/"))
        if oid is None:
            return _Lock(lock, "", "")  # not written yet at this commit
        if (lock, oid) not in self._written:
            self._written[lock, oid] = self._rewritten(lock, oid, self._objects.read(oid)[1])
        return self._written[lock, oid]

    def _find(self, parts: list[str]) -> str | None:
        """The blob id at a repository path in the commit's tree (None where there is none)."""
        found: str | None = self._tree
        for index, name in enumerate(parts):
            folder = index < len(parts) - 1
            entries = tree_entries(self._objects.read(found)[1], self._id_length)
            found = next((oid for mode, entry, oid in entries
                          if entry == name and (mode == _TREE if folder else mode.startswith(_BLOB))), None)
            if found is None:
                return None
        return found

    def _rewritten(self, lock: str, oid: str, data: bytes) -> _Lock:
        base = os.path.dirname(lock)
        try:
            content = json.loads(data)
        except ValueError:
            content = None
        classes = content.get("classes") if isinstance(content, dict) else None
        if not isinstance(classes, dict):
            return _Lock(lock, oid, "", base, {})  # damaged: as `check` reads it, a lock that names nothing
        if self._directory is None:
            self._directory = tempfile.mkdtemp(prefix="tf2lint-locks-")
        keyed: dict[str, dict] = {}
        by_module: dict[str, dict] = {}
        for key, entry in classes.items():
            module, _sep, qualname = key.partition("::")
            disk = os.path.normpath(os.path.join(base, module))
            keyed[f"{module_key(disk, self._directory)}::{qualname}"] = entry
            by_module.setdefault(module, {})[qualname] = entry
        path = os.path.join(self._directory, f"{len(self._written)}.lock")
        with open(path, "w", encoding="utf-8") as handle:
            json.dump({**content, "classes": keyed}, handle)
        digests = {module: hashlib.sha256(json.dumps(entries, sort_keys=True).encode()).hexdigest()[:16]
                   for module, entries in by_module.items()}
        return _Lock(lock, oid, path, base, digests)

    def close(self) -> None:
        if self._directory is not None:
            shutil.rmtree(self._directory, ignore_errors=True)


def series(repo: str, prefixes: Sequence[str], loader: Loader, settings: Callable[[str], Settings],
           count: int | None, since: str | None,
           progress: Callable[[str], None] | None = None) -> tuple[list[dict], History]:
    """The history points, oldest first, as the report's JSON has them."""
    history = History(repo, prefixes, loader, settings)
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
