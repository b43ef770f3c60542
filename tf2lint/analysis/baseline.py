"""Baselines of the variable-name model: a names lock written before step 2 of a migration, or the same
model computed from a file as it was at a git revision (`git show REV:path`; nothing is run).

A lock is JSON, one entry per shim class keyed by ``<module path relative to the lock>::<Class.method>``, in a
stable order with one variable per line, so that a diff of it reads as the names that changed.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING

from tf2lint.analysis.variables import ClassVariables, Creation
from tf2lint.notebook import NotebookError, module_text
from tf2lint.source import SourceError, parse, read

if TYPE_CHECKING:
    from tf2lint.analysis.context import ModuleContext

LOCK_VERSION = 1


def creation_entry(creation: Creation) -> dict:
    return {
        "call": creation.fingerprint,
        "scope": creation.scope,
        "variables": {v.name: list(v.shape) if v.shape is not None else None for v in creation.variables},
    }


def class_entry(model: ClassVariables) -> dict:
    return {
        "complete": model.complete,
        "layers": [creation_entry(c) for c in model.creations],
        "objects": list(model.objects),
    }


def lock_text(entries: dict[str, dict]) -> str:
    """The lock file's text: sorted keys, two-space indent, a final newline."""
    text = json.dumps({"version": LOCK_VERSION, "classes": dict(sorted(entries.items()))}, indent=2)
    return re.sub(r"\[\s+([-0-9a-z,\s]*?)\s+\]", lambda m: "[" + re.sub(r",\s+", ", ", m.group(1)) + "]", text) + "\n"


def module_key(path: str, start: str) -> str:
    """A module's path as a lock names it: relative to the lock's directory, with `/`."""
    try:
        relative = os.path.relpath(os.path.abspath(path), start)
    except ValueError:
        relative = os.path.abspath(path)
    return relative.replace(os.sep, "/")


@lru_cache(maxsize=8)
def _read_lock(path: str, _stamp: tuple[int, int]) -> dict[str, dict]:
    try:
        data = json.loads(read(path))  # a regular file only: a lock path that is a FIFO must not block the run
    except (OSError, SourceError, ValueError):  # (a decoding error is a ValueError)
        return {}
    classes = data.get("classes") if isinstance(data, dict) else None
    if not isinstance(classes, dict) or data.get("version") != LOCK_VERSION:
        return {}
    return {key: entry for key, entry in classes.items() if _well_formed(entry)}


def _well_formed(entry: object) -> bool:
    """A hand-edited or damaged entry is left out (no finding), never an error."""
    if not isinstance(entry, dict) or not isinstance(entry.get("layers"), list):
        return False
    return all(isinstance(layer, dict) and isinstance(layer.get("call"), str) and isinstance(layer.get("scope"), str)
               and isinstance(layer.get("variables"), dict) for layer in entry["layers"])


def _stamp(path: str) -> tuple[int, int]:
    try:
        status = os.stat(path)
    except OSError:
        return (0, 0)
    return (status.st_mtime_ns, status.st_size)


def lock_digest(path: str) -> str:
    """What a cache key needs to know of the lock: its content."""
    return hashlib.sha256(json.dumps(_read_lock(path, _stamp(path)), sort_keys=True).encode()).hexdigest()[:16]


def from_lock(lock: str, module_path: str) -> dict[str, dict]:
    """The lock's entries for one module: `Class.method` -> entry (empty: the lock does not know it)."""
    classes = _read_lock(lock, _stamp(lock))
    prefix = module_key(module_path, os.path.dirname(os.path.abspath(lock))) + "::"
    return {key[len(prefix):]: entry for key, entry in classes.items() if key.startswith(prefix)}


# Scratch copies of a repository's files (the report's history analyses each commit in one): copy -> the
# repository's top, where a copied file's revisions are read.
_COPIES: dict[str, str] = {}


@contextmanager
def copy_of(copy: str, top: str) -> Iterator[None]:
    """Inside the block, a file under ``copy`` stands for the file at the same place under ``top``."""
    _COPIES[copy] = top
    try:
        yield
    finally:
        _COPIES.pop(copy, None)


def _copied(path: str) -> tuple[str, str] | None:
    """The repository top and the path in it of a file of a scratch copy; None for any other file."""
    for copy, top in _COPIES.items():
        if path.startswith(copy + os.sep):
            return top, os.path.join(top, path[len(copy) + 1:])
    return None


@lru_cache(maxsize=256)
def _git_source(revision: str, path: str) -> str | None:
    """The text tf2lint analyses for the file as it was at ``revision`` (a notebook's code cells as one
    module); None where git does not have it or it cannot be read."""
    import subprocess  # only with --variables-base: every run imports this module

    copied = _copied(os.path.abspath(path))
    try:
        if copied is None:
            top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=os.path.dirname(os.path.abspath(path)),
                                 capture_output=True, text=True, timeout=30, check=True).stdout.strip()
            where = os.path.abspath(path)
        else:
            top, where = copied
        relative = os.path.relpath(where, top).replace(os.sep, "/")
        shown = subprocess.run(["git", "show", f"{revision}:{relative}"], cwd=top, capture_output=True,
                               timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError, ValueError):
        return None
    try:
        return module_text(shown, path)
    except (NotebookError, SourceError):
        return None


def from_revision(revision: str, module_path: str) -> dict[str, dict]:
    """The model of the module as it was at ``revision`` (empty when git does not have it)."""
    source = _git_source(revision, module_path)
    if source is None:
        return {}
    return entries_of_source(source, module_path)


@lru_cache(maxsize=64)
def entries_of_source(source: str, module_path: str) -> dict[str, dict]:
    from tf2lint.analysis.context import ModuleContext
    from tf2lint.analysis.summary import ModuleSummary
    from tf2lint.analysis.variables import class_variables

    try:
        tree = parse(source, module_path, ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)  # (a notebook's cells may await at top level)
    except SourceError:
        return {}
    ctx = ModuleContext(ModuleSummary(tree, source, module_path))
    return {model.qualname: class_entry(model) for model in class_variables(ctx)}


def baseline_for(lock: str, revision: str, module_path: str) -> dict[str, dict]:
    if revision:
        return from_revision(revision, module_path)
    if lock:
        return from_lock(lock, module_path)
    return {}


def module_baseline(ctx: ModuleContext) -> tuple[dict[str, dict], str]:
    """The linted module's baseline under its settings (`Class.method` -> entry; empty without one, or for text
    with no place on disk) and how findings name it: `--variables-base` wins over the configured lock."""
    settings = getattr(ctx, "settings", None)
    lock = getattr(settings, "variables_lock", "")
    revision = getattr(settings, "variables_base", "")
    path = ctx.root.path
    if not (lock or revision) or not path or path.startswith("<"):
        return {}, ""
    return baseline_for(lock, revision, os.path.abspath(path)), f"revision {revision}" if revision else "the names lock"


def holds(entries: dict[str, dict], cls_name: str, methods: Iterable[str]) -> bool:
    """Whether a baseline has names TFS115 can compare for the class: a complete entry for one of its shim
    methods (an incomplete one, written where the model could not know a name, guards nothing)."""
    return any(entries.get(f"{cls_name}.{method}", {}).get("complete") is True for method in methods)
