"""What git ignores: `.gitignore` files from the repository's top down to the path, `.git/info/exclude`
and the global excludes file (`core.excludesFile`, by default `$XDG_CONFIG_HOME/git/ignore`). Patterns are
matched by pathspec's `GitIgnoreSpec`; outside a git repository nothing is ignored, as with git."""

from __future__ import annotations

import os
import re
import subprocess
from functools import cached_property

MAX_SIZE = 4 * 1024 * 1024  # bytes; a larger ignore file is not read


class GitIgnore:
    def __init__(self) -> None:
        self._top: dict[str, str | None] = {}  # directory -> its repository's top directory
        self._specs: dict[str, object] = {}  # file -> its GitIgnoreSpec (None: missing or unreadable)
        self._chains: dict[str, list[tuple[str, str]]] = {}  # directory -> the ignore files that apply there

    def ignored(self, path: str, is_dir: bool = False) -> str | None:
        """The ignore file that ignores ``path`` (the last matching pattern wins, the nearest file first,
        as in git), or None. Parents are not consulted: walking prunes an ignored directory."""
        absolute = os.path.abspath(path)
        suffix = "/" if is_dir else ""
        for file, base in self._chain(os.path.dirname(absolute)):
            if absolute == base:
                continue
            relative = absolute[len(base.rstrip(os.sep)) + 1:].replace(os.sep, "/")  # base is a parent of absolute
            result = self._specs[file].check_file(relative + suffix)
            if result.include is not None:
                return file if result.include else ""  # "": re-included by a `!` pattern, decided
        return None

    def _chain(self, directory: str) -> list[tuple[str, str]]:
        """(ignore file, the directory its patterns are relative to) that exist for paths in ``directory``,
        nearest first: its .gitignore and its parents' up to the repository's top, then
        .git/info/exclude and the global excludes file."""
        if directory not in self._chains:
            top = self._repository(directory)
            if top is None:
                chain: list[tuple[str, str]] = []
            else:
                own = os.path.join(directory, ".gitignore")
                chain = [(own, directory)] if self._spec(own) is not None else []
                if directory == top:
                    chain += [(f, top) for f in (os.path.join(top, ".git", "info", "exclude"), self._global)
                              if f and self._spec(f) is not None]
                else:
                    chain += self._chain(os.path.dirname(directory))
            self._chains[directory] = chain
        return self._chains[directory]

    def _spec(self, file: str):
        if file not in self._specs:
            import pathspec

            from tf2lint.engine import read  # regular files only: a FIFO named .gitignore must not block
            from tf2lint.source import SourceError

            try:
                lines = read(file, MAX_SIZE).decode("utf-8", "replace").splitlines()
            except (OSError, SourceError):  # missing (most directories), unreadable, not a regular file
                self._specs[file] = None
                return None
            try:
                self._specs[file] = pathspec.GitIgnoreSpec.from_lines(lines)
            except (ValueError, re.error):  # a line git would not understand either: git skips it, and so do we
                self._specs[file] = pathspec.GitIgnoreSpec.from_lines([line for line in lines if _valid(line)])
        return self._specs[file]

    def _repository(self, directory: str) -> str | None:
        if directory not in self._top:
            if os.path.exists(os.path.join(directory, ".git")):
                self._top[directory] = directory
            else:
                parent = os.path.dirname(directory)
                self._top[directory] = None if parent == directory else self._repository(parent)
        return self._top[directory]

    @cached_property
    def _global(self) -> str | None:
        """git's global excludes file: `core.excludesFile` when git is installed and sets it, else its default."""
        try:
            done = subprocess.run(
                ["git", "config", "--global", "--path", "--get", "core.excludesFile"],
                capture_output=True, text=True, timeout=10, check=False,
            )
            if done.returncode == 0 and done.stdout.strip():
                return os.path.expanduser(done.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
        base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
        return os.path.join(base, "git", "ignore")


def _valid(line: str) -> bool:
    import pathspec

    try:
        pathspec.GitIgnoreSpec.from_lines([line])
    except (ValueError, re.error):
        return False
    return True
