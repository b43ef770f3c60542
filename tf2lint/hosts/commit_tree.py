"""A commit's source files written out under a scratch directory, so that the whole-project analysis reads
a commit as `check` reads the working tree: modules found, listed and read on disk. Nothing is checked out:
blobs come from `git cat-file`, and the user's working tree and index are never touched.

Moving to the next commit writes only what changed. Every file written gets its own modification time
(a counter), so that no cache keyed by a file's stamp (path, size, time) can answer for an older version.
`kind` tells what a path is in the current commit (a blob id, a directory, nothing): what a result's
recorded probes are compared with.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Callable

from tf2lint.hosts.options import UsageError

TREE_MODE, BLOB_MODE = "40000", "100"  # a tree entry's mode: a directory; a file (100644, 100755)
DIRECTORY = "/"  # the kind of a directory (a blob id is hexadecimal, never this)


class CommitTree:
    """The source files of one commit at a time, under ``root``."""

    def __init__(self, read_tree: Callable[[str], list[tuple[str, str, str]]], suffixes: tuple[str, ...]) -> None:
        """``read_tree``: a tree object's (mode, name, id) entries; ``suffixes``: the files written."""
        self._read_tree = read_tree
        self._suffixes = suffixes
        try:
            self.root = os.path.realpath(tempfile.mkdtemp(prefix="tf2lint-history-"))
        except OSError as exc:
            raise UsageError(f"--history: cannot make a scratch directory: {exc}") from None
        self.files: dict[str, str] = {}  # repository path -> blob id, in the current commit
        self.directories: set[str] = {""}
        # Tree id -> its files and directories: this commit's trees, and (to reuse) the previous commit's.
        self._flat: dict[str, tuple[dict[str, str], frozenset[str]]] = {}
        self._previous: dict[str, tuple[dict[str, str], frozenset[str]]] = {}
        self._clock = time.time_ns()

    def move_to(self, tree: str, read_blob: Callable[[str], bytes]) -> set[str]:
        """Make the scratch directory hold the commit whose root tree is ``tree``; the paths that changed."""
        try:
            return self._move_to(tree, read_blob)
        except OSError as exc:  # a full disk, a file name the file system refuses
            raise UsageError(f"--history: cannot write a commit's files under {self.root}: {exc}") from None

    def _move_to(self, tree: str, read_blob: Callable[[str], bytes]) -> set[str]:
        self._previous, self._flat = self._flat, {}  # only the trees of two commits are kept
        files, directories = self._flatten(tree)
        changed = {path for path in self.files if files.get(path) != self.files[path]}
        changed.update(path for path in files if path not in self.files)
        changed.update(directories.symmetric_difference(self.directories))
        for path in self.files:
            if path not in files:
                os.unlink(self.path(path))
        for directory in sorted(self.directories - directories, reverse=True):
            shutil.rmtree(self.path(directory), ignore_errors=True)
        for directory in sorted(directories - self.directories):
            os.makedirs(self.path(directory), exist_ok=True)
        for path, blob in files.items():
            if self.files.get(path) != blob:
                target = self.path(path)
                with open(target, "wb") as handle:
                    handle.write(read_blob(blob))
                self._clock += 1
                os.utime(target, ns=(self._clock, self._clock))
        self.files, self.directories = files, set(directories)
        return changed

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
        """A file's blob id, `DIRECTORY`, or None for nothing there."""
        found = self.files.get(relative)
        if found is not None:
            return found
        return DIRECTORY if relative in self.directories else None

    def close(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _flatten(self, tree: str) -> tuple[dict[str, str], frozenset[str]]:
        """A tree's source files (path -> blob id) and directories, relative to it; kept by tree id."""
        known = self._flat.get(tree) or self._previous.get(tree)
        if known is not None:
            self._flat[tree] = known
            return known
        files: dict[str, str] = {}
        directories: set[str] = {""}
        for mode, name, child in self._read_tree(tree):
            if mode == TREE_MODE:
                inner_files, inner_directories = self._flatten(child)
                files.update((f"{name}/{path}", blob) for path, blob in inner_files.items())
                directories.update(f"{name}/{d}" if d else name for d in inner_directories)
            elif mode.startswith(BLOB_MODE) and name.endswith(self._suffixes):
                files[name] = child
        found = self._flat[tree] = (files, frozenset(directories))
        return found
