"""Content-hash cache of findings: key = tf2lint's own code, the effective settings, the file's bytes.

Entries live in `<cache dir>/<2 hex>/<hash>.json`. A corrupt, unreadable or unwritable entry is a miss,
never an error. The directory carries its own `.gitignore`.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import asdict, replace
from functools import lru_cache
from pathlib import Path

from tf2lint import __version__
from tf2lint.findings import Finding, Settings
from tf2lint.source import SourceError, read

# A recorded dependency is a module the analysis read: never larger than this (analysis/project.py).
_MAX_DEPENDENCY = 64 * 1024 * 1024
_MAX_ENTRY = 64 * 1024 * 1024

DEFAULT_DIR = ".tf2lint_cache"


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """Changes whenever tf2lint's own code does, not only its version number."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):  # every subpackage: analysis/ decides findings too
        digest.update(source.relative_to(package).as_posix().encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def digest(path: str) -> str:
    """A file's content digest ("" when it cannot be read), memoised by (path, mtime, size) for the run."""
    try:
        stat = os.stat(path)
    except OSError:
        return ""
    return _digest(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=65536)
def _digest(path: str, mtime_ns: int, size: int) -> str:
    try:  # only a regular file: a FIFO named by a (shared, poisoned) cache entry would block forever
        return hashlib.blake2b(read(path, _MAX_DEPENDENCY), digest_size=16).hexdigest()
    except (OSError, SourceError):
        return ""


# The type of each field of a stored Finding (the path is stored empty and set on reading).
_FIELDS: dict[str, tuple[type, ...]] = {
    "path": (str,), "line": (int,), "col": (int,), "code": (str,), "end_line": (int,), "end_col": (int,),
    "symbol": (str,), "message": (str,), "fix": (dict, type(None)), "cell": (int, type(None)),
    "related": (list, type(None)), "plan": (type(None),),
}
_EDIT_FIELDS = {"line": int, "column": int, "end_line": int, "end_column": int, "content": str}


def _valid_entry(entry: object) -> bool:
    """Whether a stored entry is what tf2lint writes: findings, and the digests of the modules read."""
    if not isinstance(entry, dict) or set(entry) != {"findings", "dependencies"}:
        return False
    dependencies = entry["dependencies"]
    if not isinstance(dependencies, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in dependencies.items()
    ):
        return False
    return isinstance(entry["findings"], list) and all(_valid(record) for record in entry["findings"])


def _valid(record: object) -> bool:
    """Whether a stored record is a Finding as tf2lint writes it, down to the fix's edits."""
    if not isinstance(record, dict) or set(record) != set(_FIELDS):
        return False
    for name, types in _FIELDS.items():
        value = record[name]
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            return False
    if record["line"] < 1 or record["col"] < 0 or record["end_line"] < record["line"] or record["end_col"] < 0:
        return False
    related = record["related"]
    if related is not None and not (
        len(related) == 3 and isinstance(related[0], str) and all(isinstance(v, int) for v in related[1:])
    ):
        return False
    fix = record["fix"]
    if fix is None:
        return True
    if set(fix) != {"applicability", "message", "edits"} or fix["applicability"] not in ("safe", "unsafe"):
        return False
    if not isinstance(fix["message"], str) or not isinstance(fix["edits"], list):
        return False
    return all(
        isinstance(edit, dict) and set(edit) == set(_EDIT_FIELDS)
        and all(isinstance(edit[k], t) and not isinstance(edit[k], bool) for k, t in _EDIT_FIELDS.items())
        for edit in fix["edits"]
    )


class Cache:
    def __init__(self, directory: str | os.PathLike) -> None:
        self.directory = Path(directory)
        self._ready = False
        # Digests of the files this run read for linting (absolute path -> digest): a dependency that is
        # one of them is not read and hashed a second time when entries are checked.
        self._read: dict[str, str] = {}
        self._real_directories: dict[str, str] = {}  # resolving every file's whole path took a sixth of a cached run

    def key(self, data: bytes, settings: Settings, kind: str, path: str | None = None) -> str:
        """The entry of a file's bytes under these settings at this place (``path``: where they were read,
        if anywhere): whole-project analysis makes a file's findings depend on its package and roots, so
        two identical files in two packages have two entries."""
        content = hashlib.blake2b(data, digest_size=16).hexdigest()
        digest = hashlib.blake2b(digest_size=20)
        if path is not None:
            self._read[os.path.abspath(path)] = content
            digest.update(self._real_path(path).encode("utf-8", "surrogateescape") + b"\0")
        digest.update(_code_fingerprint().encode())
        digest.update(repr(settings).encode())
        if settings.variables_lock:  # TFS115 reads it: its content is part of the answer
            from tf2lint.analysis.baseline import lock_digest

            digest.update(lock_digest(settings.variables_lock).encode())
        digest.update(kind.encode())  # .py and .ipynb are read differently
        digest.update(content.encode())
        return digest.hexdigest()

    def _real_path(self, path: str) -> str:
        """``os.path.realpath(path)``, with the links of each directory resolved once per run."""
        directory, name = os.path.split(os.path.abspath(path))
        if os.path.islink(path):
            return os.path.realpath(path)
        if directory not in self._real_directories:
            self._real_directories[directory] = os.path.realpath(directory)
        return os.path.join(self._real_directories[directory], name)

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], key + ".json")

    def get(self, key: str, path: str) -> list[Finding] | None:
        """The findings stored under ``key``, unless a module the analysis read has changed since."""
        try:
            entry = json.loads(read(self._path(key), _MAX_ENTRY))
        except (OSError, SourceError, ValueError, RecursionError):
            return None
        if not _valid_entry(entry):
            return None  # damaged or foreign: a miss
        known = self._read
        if any((known.get(dependency) or digest(dependency)) != expected
               for dependency, expected in entry["dependencies"].items()):
            return None  # a module the analysis read has changed since
        return [Finding(**{**record, "path": path}) for record in entry["findings"]]

    def put(self, key: str, findings: list[Finding], dependencies: set[str] | frozenset[str] = frozenset()) -> None:
        try:
            self._prepare()
            target = self._path(key)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            entry = {
                "findings": [asdict(replace(f, path="")) for f in findings],
                # Other modules the analysis read, with their contents' digests: a change to any is a miss.
                "dependencies": {path: digest(path) for path in sorted(dependencies)},
            }
            handle, temporary = tempfile.mkstemp(dir=os.path.dirname(target), suffix=".tmp")
        except OSError:
            return  # a cache that cannot be written is only slower
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(entry, stream)
            os.replace(temporary, target)
        except BaseException as exc:  # a full disk, or an interrupt: leave no temporary file behind
            try:
                os.unlink(temporary)
            except OSError:
                pass
            if not isinstance(exc, OSError):
                raise

    def _prepare(self) -> None:
        if self._ready:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by tf2lint; the cache is safe to delete.\n*\n", encoding="utf-8")
        self._ready = True
