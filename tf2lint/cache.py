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

DEFAULT_DIR = ".tf2lint_cache"


@lru_cache(maxsize=1)
def _code_fingerprint() -> str:
    """Changes whenever tf2lint's own code does, not only its version number."""
    digest = hashlib.blake2b(__version__.encode(), digest_size=16)
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.name.encode())
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
    try:
        with open(path, "rb") as handle:
            return hashlib.blake2b(handle.read(), digest_size=16).hexdigest()
    except OSError:
        return ""


class Cache:
    def __init__(self, directory: str | os.PathLike) -> None:
        self.directory = Path(directory)
        self._ready = False

    def key(self, data: bytes, settings: Settings, kind: str) -> str:
        digest = hashlib.blake2b(digest_size=20)
        digest.update(_code_fingerprint().encode())
        digest.update(repr(settings).encode())
        digest.update(kind.encode())  # .py and .ipynb are read differently
        digest.update(data)
        return digest.hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, key[:2], key + ".json")

    def get(self, key: str, path: str) -> list[Finding] | None:
        """The findings stored under ``key``, unless a module the analysis read has changed since."""
        try:
            with open(self._path(key), encoding="utf-8") as stream:
                entry = json.load(stream)
            if any(digest(dependency) != expected for dependency, expected in entry["dependencies"].items()):
                return None
            return [Finding(**{**record, "path": path}) for record in entry["findings"]]
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None

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
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                json.dump(entry, stream)
            os.replace(temporary, target)
        except OSError:
            return  # a cache that cannot be written is only slower

    def _prepare(self) -> None:
        if self._ready:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by tf2lint; the cache is safe to delete.\n*\n", encoding="utf-8")
        self._ready = True
