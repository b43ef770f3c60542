"""Which files a run lints: the paths given, directories walked, minus what is excluded.

Excluded, for a walked entry and a named path alike: the nearest configuration's `exclude` and
`extend-exclude` (or `--exclude`, `--extend-exclude`), and what git ignores (`respect-gitignore`, on by
default). Walking also skips the usual tool and environment directories (`DEFAULT_EXCLUDES`), which a
named path never is. A named path that ends up excluded is reported in `notes`, never silently dropped.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from tf2lint.hosts.config import ConfigError, Globs, Loader
from tf2lint.hosts.gitignore import GitIgnore

# Directories nobody wants linted when walking a tree (named paths are never skipped for these names).
DEFAULT_EXCLUDES = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", ".tox", ".nox", ".venv", "venv", ".eggs", "__pycache__",
        "build", "dist", "node_modules", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tf2lint_cache",
        "site-packages", ".ipynb_checkpoints",
    }
)
SOURCE_SUFFIXES = (".py", ".pyi", ".ipynb")


class PathError(Exception):
    """A path given on the command line does not exist."""


@dataclass
class Selection:
    loader: Loader
    respect_gitignore: bool | None = None  # None: each file's configuration decides (default: yes)
    exclude: Globs | None = None  # `--exclude`: replaces the configured `exclude`
    extend_exclude: Globs | None = None  # `--extend-exclude`
    notes: list[str] = field(default_factory=list)  # named paths that ended up excluded
    _gitignore: GitIgnore = field(default_factory=GitIgnore)

    def excluded(self, path: str, is_dir: bool = False) -> str | None:
        """Why ``path`` is not linted (`exclude` in which file, which .gitignore), or None."""
        absolute = os.path.abspath(path)
        config = self.loader.for_directory(os.path.dirname(absolute))
        globs = (self.exclude,) if self.exclude is not None else config.exclude
        for patterns in (*globs, *config.extend_exclude, self.extend_exclude):
            if patterns is not None and patterns.matches(path, is_dir, absolute):
                if patterns is self.exclude or patterns is self.extend_exclude:
                    return "--exclude" if patterns is self.exclude else "--extend-exclude"
                return f"`exclude`/`extend-exclude` in {config.source}"
        respect = config.respect_gitignore if self.respect_gitignore is None else self.respect_gitignore
        if respect:
            ignored_by = self._gitignore.ignored(absolute, is_dir)
            if ignored_by:
                return f"{ignored_by} (--no-respect-gitignore lints it)"
        return None

    def files(self, paths: Sequence[str]) -> Iterator[str]:
        """Files to lint, in a stable order, each once (by real path); PathError for a path that does not
        exist. Named paths that are not regular files (a FIFO, a device) are yielded, so that reading
        reports them; walking skips them, since merely opening one can block or never end."""
        seen: set[str] = set()
        directories: dict[str, str] = {}  # real paths of directories: resolving each file's whole path cost ~5% of a run
        for path in self._candidates(paths):
            directory, name = os.path.split(path)
            if os.path.islink(path) or name in ("", ".", ".."):
                real = os.path.realpath(path)
            else:
                if directory not in directories:
                    directories[directory] = os.path.realpath(directory)
                real = os.path.join(directories[directory], name)
            if real not in seen:
                seen.add(real)
                yield path

    def _candidates(self, paths: Sequence[str]) -> Iterator[str]:
        for given in paths:
            is_dir = os.path.isdir(given)
            if not is_dir and not os.path.lexists(given):
                raise PathError(f"path not found: {given}")
            why = self.excluded(given, is_dir)
            if why:
                self.notes.append(f"{given} is excluded by {why}: not linted")
                continue
            if not is_dir:
                yield os.path.normpath(given)
                continue
            for root, dirs, files in os.walk(given):
                dirs[:] = sorted(
                    d
                    for d in dirs
                    if d not in DEFAULT_EXCLUDES
                    and not d.endswith(".egg-info")
                    and not self.excluded(os.path.join(root, d), is_dir=True)
                )
                for name in sorted(files):
                    path = os.path.join(root, name)
                    if name.endswith(SOURCE_SUFFIXES) and is_regular(path) and not self.excluded(path):
                        yield os.path.normpath(path)


def is_regular(path: str) -> bool:
    """Not a FIFO, device or socket (a link to one included); unreadable entries count, to be reported."""
    try:
        return stat.S_ISREG(os.stat(path).st_mode)
    except OSError:
        return True


_SHARED: dict[bool, Selection] = {}


def excluded(path: str, fresh: bool = False) -> str | None:
    """Why the hosts that are handed one file (flake8, pylint, the editor server) must not lint ``path``,
    as `tf2lint check` would not: `exclude`/`extend-exclude` of its configuration, .gitignore. Read once
    per process; ``fresh``: configurations re-read when they change (a long-lived host). A configuration
    error excludes nothing: each host reports it in its own way."""
    if fresh not in _SHARED:
        _SHARED[fresh] = Selection(Loader(fresh=fresh))
    try:
        return _SHARED[fresh].excluded(path)
    except ConfigError:
        return None
