"""A commit's source files written out under a scratch directory, so that the whole-project analysis reads
a commit as `check` reads the working tree: modules found, listed and read on disk. Nothing is checked out:
blobs come from `git cat-file`, and the user's working tree and index are never touched.

Moving to the next commit writes only what changed. Every file written gets its own modification time
(a counter), so that no cache keyed by a file's stamp (path, size, time) can answer for an older version.
`kind` tells what a path is in the current commit (a blob id, a directory, nothing): what a result's
recorded probes are compared with.

Symbolic links are written as links, as a checkout writes them, so that a module linked into a package, or a
linked directory, is found as `check` finds it in the working tree. A relative target that leaves the
repository points where the checkout's link would: beside the working tree; a file a link names that is not a
source file (`tool.py -> bin/tool`) is written too.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tempfile
import time
from collections.abc import Callable

from tf2lint.hosts.options import UsageError

TREE_MODE, BLOB_MODE, LINK_MODE = "40000", "100", "120000"  # a directory; a file (100644, 100755); a link
DIRECTORY = "/"  # the kind of a directory (a blob id is hexadecimal, never this)
LINKED = ">"  # starts the kind of a path reached through a link: where it leads, and what is there


class CommitTree:
    """The source files of one commit at a time, under ``root``."""

    def __init__(self, read_tree: Callable[[str], list[tuple[str, str, str]]], suffixes: tuple[str, ...],
                 top: str) -> None:
        """``read_tree``: a tree object's (mode, name, id) entries; ``suffixes``: the files written; ``top``: the
        working tree (where links leaving the repository lead from)."""
        self._read_tree = read_tree
        self._suffixes = suffixes
        self._top = top
        try:
            self.root = os.path.realpath(tempfile.mkdtemp(prefix="tf2lint-history-"))
        except OSError as exc:
            raise UsageError(f"--history: cannot make a scratch directory: {exc}") from None
        self.files: dict[str, str] = {}  # repository path -> blob id, in the current commit
        self.directories: set[str] = {""}
        self.links: dict[str, str] = {}  # repository path -> the link's blob id (any name: directories are linked too)
        self.targets: dict[str, str] = {}  # repository path -> blob id: the other files links name
        self._link_targets: dict[str, str] = {}  # "path\0blob id" of a link -> what it names (outside: rewritten)
        # Tree id -> its files, directories and links: this commit's trees, and (to reuse) the previous commit's.
        self._flat: dict[str, _Flat] = {}
        self._previous: dict[str, _Flat] = {}
        self._clock = time.time_ns()

    def move_to(self, tree: str, read_blob: Callable[[str], bytes]) -> set[str]:
        """Make the scratch directory hold the commit whose root tree is ``tree``; the paths that changed."""
        try:
            return self._move_to(tree, read_blob)
        except OSError as exc:  # a full disk, a file name the file system refuses
            raise UsageError(f"--history: cannot write a commit's files under {self.root}: {exc}") from None

    def _move_to(self, tree: str, read_blob: Callable[[str], bytes]) -> set[str]:
        self._previous, self._flat = self._flat, {}  # only the trees of two commits are kept
        files, directories, links = self._flatten(tree)
        changed = {path for path in self.files if files.get(path) != self.files[path]}
        changed.update(path for path in files if path not in self.files)
        changed.update(directories.symmetric_difference(self.directories))
        changed.update(path for path in {*links, *self.links} if links.get(path) != self.links.get(path))
        targets = self._targets(tree, links, files, directories, read_blob) if links else {}
        changed.update(path for path in {*targets, *self.targets} if targets.get(path) != self.targets.get(path))
        for path in self.links:
            if links.get(path) != self.links[path]:
                os.unlink(self.path(path))
        for path in [*self.files, *self.targets]:
            if path not in files and path not in targets:
                os.unlink(self.path(path))
        for directory in sorted(self.directories - directories, reverse=True):
            shutil.rmtree(self.path(directory), ignore_errors=True)
        for directory in sorted(directories - self.directories):
            os.makedirs(self.path(directory), exist_ok=True)
        for path, blob in [*files.items(), *targets.items()]:
            if self.files.get(path, self.targets.get(path)) != blob:
                target = self.path(path)
                with open(target, "wb") as handle:
                    handle.write(read_blob(blob))
                self._clock += 1
                os.utime(target, ns=(self._clock, self._clock))
        made = {}
        for path, blob in links.items():
            if self.links.get(path) == blob or self._link(path, self._link_target(path, blob, read_blob)):
                made[path] = blob
        self.files, self.directories, self.links, self.targets = files, set(directories), made, targets
        return changed

    def _link_target(self, path: str, blob: str, read_blob: Callable[[str], bytes]) -> str:
        """What the link at ``path`` names; a relative target leaving the repository, rewritten to lead from the
        working tree."""
        key = f"{path}\0{blob}"
        found = self._link_targets.get(key)
        if found is None:
            found = os.fsdecode(read_blob(blob))
            if not posixpath.isabs(found) and _inside(path, found) is None:
                found = os.path.join(self._top, *path.split("/")[:-1], found)
            self._link_targets[key] = found
        return found

    def _targets(self, tree: str, links: dict[str, str], files: dict[str, str], directories: frozenset[str],
                 read_blob: Callable[[str], bytes]) -> dict[str, str]:
        """The files the links name that are not written as source files: path -> blob id."""
        found = {}
        for path, blob in links.items():
            named = _inside(path, self._link_target(path, blob, read_blob))
            if named and named not in files and named not in links and named not in directories:
                oid = blob_at(self._read_tree, tree, named)
                if oid is not None:
                    found[named] = oid
        return found

    def _link(self, path: str, where: str) -> bool:
        """Write the link at ``path``; False where the file system has no links (it then holds nothing there)."""
        try:
            os.symlink(where, self.path(path))
        except (OSError, NotImplementedError):
            return False
        return True

    def path(self, relative: str) -> str:
        """Where a repository path is written."""
        return os.path.join(self.root, *relative.split("/")) if relative else self.root

    def relative(self, path: str) -> str | None:
        """The repository path of a path under the scratch directory; None for one outside it."""
        normal = os.path.normpath(path)
        if normal == self.root:
            return ""
        if not normal.startswith(self.root + os.sep):
            return None
        return normal[len(self.root) + 1:].replace(os.sep, "/")

    def kind(self, relative: str) -> str | None:
        """A file's blob id, `DIRECTORY`, None for nothing there; for a path through a link, `LINKED` with where it
        leads (and what is there when that is in the copy: a path outside reads the same at every commit)."""
        found = self.files.get(relative) or self.targets.get(relative)
        if found is not None:
            return found
        if relative in self.directories:
            return DIRECTORY
        if not self.links or not self.through_link(relative):
            return None
        real = os.path.realpath(self.path(relative))
        resolved = self.relative(real)
        if resolved is None:
            return LINKED + real
        inner = self.kind(resolved) if not self.through_link(resolved) else None  # (a cycle of links)
        return None if inner is None else f"{LINKED}{resolved} {inner}"

    def through_link(self, relative: str) -> bool:
        """Whether the path is a link or lies under one."""
        end = len(relative)
        while end > 0:
            if relative[:end] in self.links:
                return True
            end = relative.rfind("/", 0, end)
        return False

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _flatten(self, tree: str) -> _Flat:
        """A tree's source files (path -> blob id), directories and links (path -> blob id), relative to it; kept
        by tree id."""
        known = self._flat.get(tree) or self._previous.get(tree)
        if known is not None:
            self._flat[tree] = known
            return known
        files: dict[str, str] = {}
        directories: set[str] = {""}
        links: dict[str, str] = {}
        for mode, name, child in self._read_tree(tree):
            if mode == TREE_MODE:
                inner_files, inner_directories, inner_links = self._flatten(child)
                files.update((f"{name}/{path}", blob) for path, blob in inner_files.items())
                directories.update(f"{name}/{d}" if d else name for d in inner_directories)
                links.update((f"{name}/{path}", blob) for path, blob in inner_links.items())
            elif mode.startswith(BLOB_MODE) and name.endswith(self._suffixes):
                files[name] = child
            elif mode == LINK_MODE:
                links[name] = child
        found = self._flat[tree] = (files, frozenset(directories), links)
        return found


def blob_at(read_tree: Callable[[str], list[tuple[str, str, str]]], tree: str, path: str) -> str | None:
    """The blob id at a repository ``path`` (`a/b.py`) in ``tree`` (None: no file there)."""
    *folders, name = path.split("/")
    for folder in folders:
        tree = next((oid for mode, entry, oid in read_tree(tree) if entry == folder and mode == TREE_MODE), "")
        if not tree:
            return None
    return next((oid for mode, entry, oid in read_tree(tree) if entry == name and mode.startswith(BLOB_MODE)), None)


def _inside(path: str, target: str) -> str | None:
    """The repository path a link at ``path`` names with a relative ``target``; None for an absolute one or one that
    leaves the repository."""
    if posixpath.isabs(target):
        return None
    inside = posixpath.normpath(posixpath.join(posixpath.dirname(path), target))
    return None if inside == ".." or inside.startswith("../") else inside


_Flat = tuple[dict[str, str], frozenset[str], dict[str, str]]
