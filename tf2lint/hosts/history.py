"""The report's counts at each of the last commits, read from git objects: no checkout, nothing run.

One `git cat-file --batch` process serves every tree and blob. Each commit's source files are written to a
scratch copy (`commit_tree`, only what changed since the previous commit), and each file is analysed there
as `check` analyses the working tree: with the project around it, so that a class calling a helper of another
module, or a layer another module imports, counts as it does in the working tree's report.

A file's result is kept with what its analysis read (`project.probing`): the paths it looked at, the
top-level names it asked about, its questions to the importers' index. It is reused at any commit where the file is
the same and all of those are too: a file is analysed again only when it, or something it read, changed.

Each file has its working-tree settings (its own configuration's selection, ignores, excludes, and the
working tree's .gitignore), and the names lock it configures is read as each commit has it (TFS115 and the
report's "names lock" count then say what that commit's lock guarded): a file's result is also keyed by the
lock's entries for it, so writing the lock re-analyses only the modules it names. With `--variables-base`,
every commit is compared with that revision.

Files are chosen as `check` walks the working tree: a linked module counts (at the link's path, once by its
real path, the first in the walk's order keeping it), a linked directory is not entered.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, replace

from tf2lint.analysis.baseline import copy_of, module_key
from tf2lint.analysis.callers import import_stems, importers_answer
from tf2lint.analysis.project import Probes, probing, stable_files, top_level_name
from tf2lint.engine import relevant, source_error
from tf2lint.findings import Settings
from tf2lint.hosts.batch import run_batch
from tf2lint.hosts.commit_tree import LINKED, CommitTree, blob_at
from tf2lint.hosts.options import UsageError
from tf2lint.hosts.files import DEFAULT_EXCLUDES, SOURCE_SUFFIXES, Selection, is_regular
from tf2lint.hosts.config import Loader
from tf2lint.hosts.report_data import Counts, FileResult, analyse, read_source
from tf2lint.source import SourceError, read, too_large


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


def is_shallow(repo: str) -> bool:
    """Whether the repository holds only part of its history (`git clone --depth`)."""
    return run_git(repo, "rev-parse", "--is-shallow-repository").strip() == "true"


def commits(repo: str, count: int | None, since: str | None) -> list[Commit]:
    """The last ``count`` first-parent commits of HEAD (or those after ``since``), oldest first."""
    if not _is_commit(repo, "HEAD"):
        raise UsageError("--history: the repository has no commit yet")
    if since and not _is_commit(repo, since):
        raise UsageError(f"--since: not a commit of this repository: {since}")
    args = ["log", "--first-parent", "--format=%H%x00%ct%x00%s"]
    if count is not None:
        args.append(f"-n{count}")
    args.append(f"{since}..HEAD" if since else "HEAD")
    found = []
    for line in run_git(repo, *args).splitlines():
        sha, date, subject = line.split("\x00", 2)
        found.append(Commit(sha, int(date), subject))
    return found[::-1]


def _is_commit(repo: str, revision: str) -> bool:
    if revision.startswith("-"):
        return False  # an option to git, not a revision
    try:
        return bool(run_git(repo, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}").strip())
    except UsageError:
        return False


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


@dataclass
class _Result:
    """A file's counts at one commit, and what its analysis read there: it holds at another commit where each
    probed path is the same (the same blob, a directory, or nothing), each name asked about is a top-level
    name of the project's roots or not as it was, and each question to the importers' index has the same
    answer."""

    counts: Counts
    paths: tuple[tuple[str, str | None], ...]  # repository path -> its kind when analysed
    tops: tuple[tuple[tuple[tuple[str, ...], str], bool], ...]  # (roots, name) -> whether a root provided it
    named: tuple[tuple[tuple, bool], ...]  # `callers.importers_answer` arguments -> the answer
    held_at: int = -1  # the last commit (by position) it was known to hold at
    linked: bool = False  # it read a path through a link (what is there may change while the link does not)


@dataclass
class _Pending:
    """A file to analyse: where its result goes, and what `_analyse_probed` takes."""

    known: list[_Result]
    work: tuple[bytes, str, Settings]  # its bytes, its path in the scratch copy, its settings


def _walk_order(item: tuple[str, str]) -> tuple[tuple[int, str], ...]:
    """Where `check`'s walk lists a file: a directory's files before what its subdirectories hold, by name."""
    *directories, name = item[0].split("/")
    return (*((1, d) for d in directories), (0, name))


def _analyse_probed(work: tuple[bytes, str, Settings]) -> tuple[Counts, Probes]:
    """A file's counts, and what its analysis asked of the file system (in a worker process, or this one)."""
    data, path, settings = work
    with probing() as probes:
        counts = analyse(data, path, settings).counts()
    return counts, probes


@dataclass
class _Changes:
    """What moved between two commits counted one after the other."""

    paths: set[str]  # files and directories added, removed or changed
    tops: set[tuple[str, str]]  # (directory, top-level name its entries gained or lost one provider of)
    stems: set[bytes]  # the stems the changed modules' import lines name, before and after
    indexed: bool  # whether modules were added or removed (the importers' index may have crossed its size limit)


class History:
    """Counts per commit: each file analysed with the project around it as that commit has it (in a scratch
    copy, `commit_tree`), its result reused wherever the file and everything its analysis read are unchanged."""

    def __init__(self, repo: str, prefixes: Sequence[str], loader: Loader,
                 settings: Callable[[str], Settings], jobs: int = 1) -> None:
        """``loader``: each path's configuration (its excludes); ``settings``: a file's settings by its path on
        disk, as the working tree's report makes them; ``jobs``: processes a commit's analyses may use."""
        self.jobs = jobs
        self.prefixes = [p.strip("/") for p in prefixes]  # repository-relative paths to report on ("" = all)
        self.settings = settings
        self.id_length = 32 if run_git(repo, "rev-parse", "--show-object-format").strip() == "sha256" else 20
        self._top = run_git(repo, "rev-parse", "--show-toplevel").strip()
        self._selection = Selection(loader)
        self.files_analysed = 0
        self._open = ExitStack()  # what `close` ends
        self.objects = Objects(repo)
        self._open.callback(self.objects.close)
        self.tree = CommitTree(self._tree_entries, SOURCE_SUFFIXES, self._top)
        self._open.callback(self.tree.close)
        self._open.enter_context(copy_of(self.tree.root, self._top))  # `--variables-base` reads the repository
        self._locks = _CommittedLocks(self._top, self.objects, self._tree_entries, self._analysed_at)
        self._open.callback(self._locks.close)
        self._results: dict[tuple, list[_Result]] = {}
        self._skip: dict[str, bool] = {}  # repository path -> `_skipped`
        self._place: dict[str, tuple[str, Settings, Settings, int]] = {}  # repository path -> `_placed`
        self._rebased: dict[Settings, Settings] = {}
        self._sums: dict[tuple, Counts] = {}  # (directory, its files' results) -> their summed counts
        self._blob_stems: dict[str, frozenset[bytes]] = {}
        self._changes = _Changes(set(), set(), set(), False)  # (what the first commit's results never read)
        self._position = -1
        self._locked: tuple = ()  # the versions of the locks the commit being counted has
        self._previous: Counts | None = None
        self._roots: dict[str, str | None] = {}
        self._listings: dict[str, frozenset[str]] = {}  # per commit: root -> the top-level names it provides
        self._answers: dict[tuple, bool] = {}  # per commit: question to the importers' index -> answer

    def close(self) -> None:
        self._open.close()

    def counts_at(self, commit: Commit) -> Counts:
        kind, data = self.objects.read(commit.id)
        tree = data.split(b"\n", 1)[0].split()[1].decode() if kind == "commit" else None
        if tree is None:
            raise UsageError(f"not a commit: {commit.id}")
        before = (self.tree.files, self.tree.directories, self.tree.links)
        changed = self.tree.move_to(tree, lambda oid: self.objects.read(oid)[1])
        locks = self._locks.start(tree)
        if not changed and self._previous is not None and locks == self._locked:
            return self._previous  # no source file moved (a commit of docs, data, ...): the same counts
        self._position += 1
        self._locked = locks
        self._changes = self._changed(changed, *before)
        self._listings, self._answers = {}, {}
        total = Counts()
        with stable_files():  # the files stand still while this commit is counted
            found = {directory: [self._result_of(path, blob) for path, blob in files]
                     for directory, files in self._by_directory().items()}
            pending = [item for results in found.values() for item in results if isinstance(item, _Pending)]
            if pending:
                self._analysed(pending)
        for directory, results in found.items():
            held = [item.known[-1] if isinstance(item, _Pending) else item for item in results]
            # A directory whose files' results are those of an earlier commit has that commit's sum.
            key = (directory, tuple(map(id, held)))
            summed = self._sums.get(key)
            if summed is None:
                summed = self._sums[key] = Counts()
                for result in held:
                    summed.add(result.counts)
            total.add(summed)
        self._previous = total
        return total

    def _changed(self, paths: set[str], files: dict[str, str], directories: set[str],
                 links: dict[str, str]) -> _Changes:
        """What moved since the previous commit counted (its ``files``, ``directories`` and ``links``), as the
        quick check of a result that held there reads it."""
        now_files, now_directories, now_links = self.tree.files, self.tree.directories, self.tree.links
        tops = set()
        for path in paths:
            if (path in files or path in directories or path in links) != \
                    (path in now_files or path in now_directories or path in now_links):
                directory, _sep, entry = path.rpartition("/")
                tops.add((directory, top_level_name(entry)))
        stems: set[bytes] = set()
        for path in paths:
            if path.endswith(".py"):
                for blob in (files.get(path), now_files.get(path)):
                    if blob is not None:
                        stems |= self._stems(blob)
        # Past the index's size limit every question has its "unknown" answer: with modules added or removed,
        # the questions are asked again (and with a link made, moved or removed: it may add a whole directory).
        indexed = any(path.endswith(".py") and (path in files) != (path in now_files) or path in links
                      or path in now_links for path in paths)
        return _Changes(paths, tops, stems, indexed)

    def _stems(self, blob: str) -> frozenset[bytes]:
        found = self._blob_stems.get(blob)
        if found is None:
            found = self._blob_stems[blob] = import_stems(self.objects.read(blob)[1])
        return found

    def _by_directory(self) -> dict[str, list[tuple[str, str]]]:
        """The files to count, by directory: (path, its blob id or the key of a linked module's content)."""
        chosen = [(path, blob) for path, blob in sorted(self.tree.files.items()) if not self._skipped(path)]
        if self.tree.links:
            chosen = self._with_links(chosen)
        grouped: dict[str, list[tuple[str, str]]] = {}
        for path, blob in chosen:
            grouped.setdefault(path.rpartition("/")[0], []).append((path, blob))
        return grouped

    def _with_links(self, chosen: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """The files chosen, with the linked modules `check`'s walk lists (a link to a directory is one it does
        not enter), each file once by its real path: the first in the walk's order keeps it."""
        tree = self.tree
        linked = [(path, "") for path in tree.links if path.endswith(SOURCE_SUFFIXES) and not self._skipped(path)]
        seen: set[str] = set()
        kept = []
        for path, blob in sorted([*chosen, *linked], key=_walk_order):
            disk = tree.path(path)
            if not blob:
                if not is_regular(disk):
                    continue
                real = os.path.realpath(disk)
                resolved = tree.relative(real)
                # The target's blob when the copy holds it; else its path (outside the repository, what is there
                # is the same at every commit; a link to nothing is read, as `check` reads it, and reported).
                known = None if resolved is None or tree.through_link(resolved) else \
                    tree.files.get(resolved) or tree.targets.get(resolved)
                blob = known or LINKED + real
            else:
                real = disk
            if real not in seen:
                seen.add(real)
                kept.append((path, blob))
        return kept

    def _skipped(self, path: str) -> bool:
        """Outside the PATHs, or not chosen as `check` chooses under them: excluded (configuration, .gitignore
        of the working tree), or in a skipped directory."""
        known = self._skip.get(path)
        if known is None:
            parent, _sep, name = path.rpartition("/")
            disk = os.path.join(self._top, *path.split("/"))
            directory = path not in self.tree.files and path not in self.tree.links
            known = self._skip[path] = (
                not self._wanted(path, directory)
                or (bool(parent) and self._skipped(parent))
                or (directory and (name in DEFAULT_EXCLUDES or name.endswith(".egg-info")))
                or bool(self._selection.excluded(disk, directory))
            )
        return known

    def _wanted(self, path: str, directory: bool) -> bool:
        """Inside one of the prefixes (or above one, for a directory on the way down)."""
        if not self.prefixes or "" in self.prefixes:
            return True
        return any(path == p or path.startswith(p + "/") or (directory and p.startswith(path + "/"))
                   for p in self.prefixes)

    def _result_of(self, path: str, blob: str) -> _Result | _Pending:
        """The file's result where one holds (or needs no analysis), else what to analyse."""
        disk, own, settings, limit = self._placed(path)
        lock = self._locks.at(own.variables_lock)
        # What the result depends on besides the files it read: the path, the settings, which lock, and the
        # lock's entries for this module.
        key = (path, blob, settings, lock.source, lock.entries(disk))
        known = self._results.setdefault(key, [])
        for result in known:
            if self._holds(result):
                result.held_at = self._position
                return result
        if lock.path:
            settings = replace(settings, variables_lock=lock.path)
        # As the working tree's report reads it: a file above the size limit, or a link to nothing, is a TFS000.
        data = read_source(self.tree.path(path), path, limit, settings) if blob.startswith(LINKED) \
            else self.objects.read(blob)[1]
        if isinstance(data, bytes) and len(data) > limit:
            data = FileResult(path, source_error(path, too_large(limit), settings))
        if isinstance(data, FileResult):
            known.append(_Result(data.counts(), (), (), (), self._position))
            return known[-1]
        # Like the working tree's report: a file that cannot hold a finding is not analysed, nor counted.
        if not relevant(data, settings):
            known.append(_Result(Counts(), (), (), (), self._position))
            return known[-1]
        return _Pending(known, (data, self.tree.path(path), settings))

    def _analysed(self, pending: list[_Pending]) -> None:
        """Analyse the files no result held for (on ``jobs`` processes when there are many: a first commit)."""
        done = run_batch(_analyse_probed, [item.work for item in pending], self.jobs)
        for item, (counts, probes) in zip(pending, done):
            item.known.append(self._recorded(counts, probes))
        self.files_analysed += len(pending)

    def _placed(self, path: str) -> tuple[str, Settings, Settings, int]:
        """A repository path's working-tree path, its settings there, its settings for the scratch copy (source
        roots inside the repository moved into the copy, and no lock: each commit has its own), and the
        largest file its configuration reads."""
        found = self._place.get(path)
        if found is None:
            disk = os.path.join(self._top, *path.split("/"))
            own = self.settings(disk)
            rebased = self._rebased.get(own)
            if rebased is None:
                src = tuple(self._analysed_at(root) for root in own.src)
                rebased = self._rebased[own] = replace(own, src=src, variables_lock="")
            limit = self._selection.loader.for_path(disk).max_file_size
            found = self._place[path] = (disk, own, rebased, limit)
        return found

    def _recorded(self, counts: Counts, probes: Probes) -> _Result:
        """The result, with what its analysis read inside the scratch copy (what lies outside is the same at
        every commit)."""
        paths = {}
        for probed in probes.paths:
            relative = self.tree.relative(probed)
            if relative is not None:
                paths[relative] = self.tree.kind(relative)
        tops = tuple((asked, self._top_level(*asked)) for asked in probes.tops)
        for question, answer in probes.named.items():
            self._answers.setdefault(question, answer)
        linked = bool(self.tree.links) and any(map(self.tree.through_link, paths))
        return _Result(counts, tuple(paths.items()), tops, tuple(probes.named.items()), self._position, linked)

    def _holds(self, result: _Result) -> bool:
        """Whether everything the result's analysis read is as it was. For a result that held at the previous
        commit, what moved since is looked up first (a changed path is a changed answer; a top-level name or a
        question that a change may touch is asked again); any other result is compared one by one."""
        if result.held_at == self._position:
            return True
        changes = self._changes
        if result.held_at != self._position - 1 or result.linked:
            kind = self.tree.kind
            return all(kind(path) == was for path, was in result.paths) and self._named_tops(result) and \
                self._answered(result)
        if any(path in changes.paths for path, _was in result.paths):
            return False
        touched = any((self._root_directory(root), name) in changes.tops
                      for (roots, name), _was in result.tops for root in roots)
        asked = changes.indexed or any(question[1].encode() in changes.stems for question, _was in result.named)
        return (not touched or self._named_tops(result)) and (not asked or self._answered(result))

    def _named_tops(self, result: _Result) -> bool:
        """Whether each name the result asked about is a top-level name of its roots as it was."""
        return all(self._top_level(*asked) == was for asked, was in result.tops)

    def _answered(self, result: _Result) -> bool:
        """Whether the importers' index answers the result's questions as it did."""
        return all(self._answer(question) == was for question, was in result.named)

    def _root_directory(self, root: str) -> str | None:
        """A root's repository path (None outside the scratch copy)."""
        if root not in self._roots:
            self._roots[root] = self.tree.relative(root)
        return self._roots[root]

    def _top_level(self, roots: tuple[str, ...], name: str) -> bool:
        """Whether one of the roots provides the top-level name in this commit (as `Project.top_level_names`)."""
        return any(name in self._top_level_names(root) for root in roots)

    def _top_level_names(self, root: str) -> frozenset[str]:
        found = self._listings.get(root)
        if found is None:
            try:
                entries = os.listdir(root)
            except OSError:
                entries = []
            found = self._listings[root] = frozenset(filter(None, map(top_level_name, entries)))
        return found

    def _answer(self, question: tuple) -> bool:
        found = self._answers.get(question)
        if found is None:
            found = self._answers[question] = importers_answer(*question)[0]
        return found

    def _analysed_at(self, disk: str) -> str:
        """Where a working-tree path is in the scratch copy (a path outside the repository stays)."""
        relative = os.path.relpath(os.path.abspath(disk), self._top)
        if relative == os.curdir:
            return self.tree.root
        if relative.startswith(os.pardir):
            return disk
        return self.tree.path(relative.replace(os.sep, "/"))

    def _tree_entries(self, oid: str) -> list[tuple[str, str, str]]:
        return tree_entries(self.objects.read(oid)[1], self.id_length)


@dataclass(frozen=True)
class _Lock:
    """A names lock as a commit has it, written where the analysis reads it."""

    source: str  # the configured path of the lock ("" for none)
    id: str  # the committed blob's id; the path itself for a lock outside the repository; "" for none
    path: str  # what the analysis reads: a temporary file keyed by the modules' paths in the scratch copy
    base: str = ""  # the directory the committed lock's keys are relative to
    digests: dict[str, str] | None = None  # module key (as the committed lock spells it) -> its entries' digest

    def entries(self, disk: str) -> str:
        """What the lock says of the module at ``disk``, as a digest ("" for nothing)."""
        return self.digests.get(module_key(disk, self.base), "") if self.digests else ""


_NO_LOCK = _Lock("", "", "")


class _CommittedLocks:
    """The configured names locks as each commit's tree holds them. Files are analysed in the scratch copy, so
    a committed lock is rewritten with its keys naming them there, relative to its temporary file's directory.
    A lock outside the repository has no history: it applies as it is to every commit."""

    def __init__(self, top: str, objects: Objects, read_tree: Callable[[str], list[tuple[str, str, str]]],
                 analysed_at: Callable[[str], str]) -> None:
        """``read_tree``: a tree object's entries; ``analysed_at``: where the file at a working-tree path is analysed."""
        self._top = top
        self._analysed_at = analysed_at
        self._objects = objects
        self._read_tree = read_tree
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
        if relative.startswith("../"):  # no history: the file as it is now, its keys rewritten all the same
            if (lock, lock) not in self._written:
                try:
                    data = read(lock)
                except (OSError, SourceError):
                    data = b""  # as `check` reads a lock it cannot read: one that names nothing
                self._written[lock, lock] = self._rewritten(lock, lock, data)
            return self._written[lock, lock]
        oid = blob_at(self._read_tree, self._tree, relative)
        if oid is None:
            return _Lock(lock, "", "")  # not written yet at this commit
        if (lock, oid) not in self._written:
            self._written[lock, oid] = self._rewritten(lock, oid, self._objects.read(oid)[1])
        return self._written[lock, oid]

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
            keyed[f"{module_key(self._analysed_at(disk), self._directory)}::{qualname}"] = entry
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
           progress: Callable[[int, int], None] | None = None, jobs: int = 1) -> tuple[list[dict], History]:
    """The history points, oldest first, as the report's JSON has them; ``progress(done, total)`` after each."""
    history = History(repo, prefixes, loader, settings, jobs)
    points = []
    try:
        listed = commits(repo, count, since)
        for commit in listed:
            counts = history.counts_at(commit).as_json()
            points.append({"commit": commit.id, "date": commit.date, "subject": commit.subject, **counts})
            if progress is not None:
                progress(len(points), len(listed))
    finally:
        history.close()
    return points, history
