"""The project: which modules tf2lint may read besides the linted file, found on disk, never imported.

A module name is looked up in the project's source roots, in order, the way Python's import system
would: a package directory with ``__init__.py`` first, then ``name.py``, then a namespace package (a
bare directory). Only roots are searched, so site-packages, TensorFlow, tf_keras and TF-Slim are never
read: what tf2lint knows about them is data (``tf2lint.knowledge``). A module that cannot be found, read
or parsed is *unknown*, and unknown never produces a finding by itself.

Roots for a linted file: the directory holding its top-level package (or, for a script outside any
package, its own directory: ``python script.py`` puts it first on ``sys.path``), directories a script
adds with ``sys.path.insert(0, ...)`` when they can be read statically, then the configured roots
(``[tool.tf2lint] src``, ``--src``; by default the configuration's directory and its ``src/``).
"""

from __future__ import annotations

import ast
import os
import re
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from stat import S_ISDIR, S_ISREG

from tf2lint.analysis.names import Names
from tf2lint.analysis.summary import ClassInfo, FunctionDef, ModuleSummary
from tf2lint.source import SourceError, decode, parse, read

# Larger files are not read as dependencies (a generated 100 MB module is not a layer helper).
MAX_MODULE_BYTES = 2_000_000
# Summaries kept per project (each holds its module's AST); older ones are rebuilt when needed again.
MAX_SUMMARIES = 256
# Alias chains through modules (`from .compat import track`, re-exports) longer than this are unknown.
_MAX_CHASE = 16


@dataclass(frozen=True)
class Symbol:
    """What a dotted path names in the project: a function, a class, a method or a module."""

    kind: str  # "function" | "class" | "method" | "module"
    module: ModuleSummary
    function: FunctionDef | None = None
    cls: ClassInfo | None = None


@dataclass(frozen=True)
class FileModule:
    """Where a file sits in its package tree."""

    name: str | None  # dotted module name, None when the file is not importable by a plain name
    package: str | None  # the package relative imports start from (None: not in a package)
    root: str  # the directory its top-level name is found in


# While a batch host declares the files stable (`stable_files`), every path is stat'ed once for the whole
# batch rather than once per linted file: the CLI's `check` reads a file tree nothing writes meanwhile.
_STABLE: dict[str, os.stat_result | None] | None = None
_STABLE_PACKAGES: dict[str, tuple[tuple[str, ...], str]] = {}
# Root -> the top-level names its entries provide, per batch (every project of a flat tree lists the same root;
# inside `probing`, the names asked about are what is recorded, not the listing).
_STABLE_TOPS: dict[str, frozenset[str]] = {}
_STABLE_BYTES: dict[str, bytes] = {}  # absolute path -> the contents the host read


@contextmanager
def stable_files(contents: Iterable[tuple[str, bytes]] = ()) -> Iterator[None]:
    """Inside the block, files are taken not to change: what `stat` says of a path is kept, and the
    ``contents`` the host read already (path, bytes) serve as those files' text when they are dependencies."""
    global _STABLE
    outer = _STABLE
    if outer is None:
        _STABLE = {}
        _STABLE_PACKAGES.clear()
        _STABLE_TOPS.clear()
        _STABLE_BYTES.clear()
    _STABLE_BYTES.update((os.path.abspath(path), data) for path, data in contents)
    try:
        yield
    finally:
        _STABLE = outer
        if outer is None:
            _STABLE_BYTES.clear()


@dataclass
class Probes:
    """What the analysis asked of the file system inside `probing`: enough to tell, in another state of the
    tree, whether every answer it got would be the same (the report's history reuses results by it)."""

    paths: set[str] = field(default_factory=set)  # stat'ed: its kind (and bytes, when a file) may matter
    tops: set[tuple[tuple[str, ...], str]] = field(default_factory=set)  # (roots, name): is it a top-level name?
    # `callers.named_elsewhere`'s questions (`callers.importers_answer`'s arguments) -> the answers given
    named: dict[tuple, bool] = field(default_factory=dict)


_PROBING: list[Probes] = []


@contextmanager
def probing() -> Iterator[Probes]:
    """Record what the analysis inside the block reads of the file system. The process's memos of earlier
    answers (projects, packages) are dropped first: an answer reused from before the block would be probed
    nowhere."""
    _PROJECTS.clear()
    _STABLE_PACKAGES.clear()
    probes = Probes()
    _PROBING.append(probes)
    try:
        yield probes
    finally:
        _PROBING[:] = [p for p in _PROBING if p is not probes]


@contextmanager
def unprobed() -> Iterator[None]:
    """Inside `probing`, reads that a recorded question stands for (the importers' index reads every file)."""
    saved = _PROBING[:]
    _PROBING.clear()
    try:
        yield
    finally:
        _PROBING[:] = saved


def files_stable_from_now() -> None:
    """For a batch host with no hook at its end (flake8 makes one plugin object per file): the rest of the
    process takes files as stable, as inside `stable_files`. Never for a long-lived host (the editor server)."""
    global _STABLE
    if _STABLE is None:
        _STABLE = {}
        _STABLE_PACKAGES.clear()
        _STABLE_TOPS.clear()
        _STABLE_BYTES.clear()


def file_status(path: str) -> os.stat_result | None:
    """``os.stat`` (None when the path cannot be stat'ed), kept inside `stable_files`."""
    for probes in _PROBING:
        probes.paths.add(path)
    known = _STABLE
    if known is not None and path in known:
        return known[path]
    try:
        found: os.stat_result | None = os.stat(path)
    except (OSError, ValueError):
        found = None
    if known is not None:
        known[path] = found
    return found


def is_file(path: str) -> bool:
    found = file_status(path)
    return found is not None and S_ISREG(found.st_mode)


def is_directory(path: str) -> bool:
    found = file_status(path)
    return found is not None and S_ISDIR(found.st_mode)


def locate(path: str) -> FileModule:
    """The module name of a file from the ``__init__.py`` files above it."""
    directory, filename = os.path.split(os.path.abspath(path))
    stem = filename.rsplit(".", 1)[0]
    parts, directory = _package(directory)
    if not stem.isidentifier():
        return FileModule(None, ".".join(parts) if parts else None, directory)
    is_package = stem == "__init__"
    name = ".".join(parts) if is_package else ".".join([*parts, stem])
    package = ".".join(parts) if parts else None
    return FileModule(name or None, package, directory)


def _package(directory: str) -> tuple[list[str], str]:
    """The package a directory is (its dotted parts, from the top-level one) and the directory holding
    its top-level package; kept per directory inside `stable_files` (every file of a package asks)."""
    known = _STABLE_PACKAGES if _STABLE is not None else None
    if known is not None and directory in known:
        parts, root = known[directory]
        return list(parts), root
    start, parts = directory, []
    while is_file(os.path.join(directory, "__init__.py")):
        directory, package = os.path.split(directory)
        if not package.isidentifier():
            break
        parts.insert(0, package)
    if known is not None:
        known[start] = (tuple(parts), directory)
    return parts, directory


_SYS_PATH = re.compile(rb"sys\.path\.(?:insert|append)\(")


def script_roots(tree: ast.Module, path: str) -> list[str]:
    """Directories a module adds with ``sys.path.insert(0, <static path>)`` / ``sys.path.append(...)``
    at module level, where the path is made of literals, ``__file__``, ``os.path.dirname/join/abspath/
    realpath/normpath`` and ``pathlib.Path(...).parent`` / ``.resolve()``."""
    found = []
    for stmt in tree.body:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
            continue
        if ast.unparse(call.func) not in ("sys.path.insert", "sys.path.append") or not call.args:
            continue
        value = _static_path(call.args[-1], path)
        if value is not None:
            found.append(os.path.normpath(value))
    return found


def _static_path(node: ast.expr, path: str) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value if os.path.isabs(node.value) else os.path.join(os.path.dirname(path), node.value)
    if isinstance(node, ast.Name) and node.id == "__file__":
        return os.path.abspath(path)
    if isinstance(node, ast.Call):
        func = ast.unparse(node.func)
        args = [_static_path(arg, path) if not _is_str(arg) else arg.value for arg in node.args]  # type: ignore[attr-defined]
        if any(arg is None for arg in args) or node.keywords:
            return None
        if func in ("os.path.dirname", "dirname") and len(args) == 1:
            return os.path.dirname(args[0])
        if func in ("os.path.abspath", "os.path.realpath", "os.path.normpath", "abspath", "realpath") and len(args) == 1:
            return os.path.normpath(args[0])
        if func in ("os.path.join", "join") and args:
            return os.path.join(*args)
        if func in ("str", "Path", "pathlib.Path") and len(args) == 1:
            return args[0]
        if isinstance(node.func, ast.Attribute) and node.func.attr == "resolve" and not node.args:
            return _static_path(node.func.value, path)
        return None
    if isinstance(node, ast.Attribute) and node.attr == "parent":
        inner = _static_path(node.value, path)
        return os.path.dirname(inner) if inner is not None else None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        left = _static_path(node.left, path)
        right = node.right.value if _is_str(node.right) else None  # type: ignore[attr-defined]
        return os.path.join(left, right) if left is not None and right is not None else None
    return None


def _is_str(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and isinstance(node.value, str)


def roots_for(
    path: str, tree: ast.Module | None, data: bytes | None, configured: Sequence[str], where: FileModule | None = None
) -> tuple[str, ...]:
    """The source roots a file's imports are resolved against, in search order (``where``: the file's
    ``locate``, when the caller has it already)."""
    where = where or locate(path)
    roots = [where.root]
    if tree is not None and (data is None or _SYS_PATH.search(data)):
        roots.extend(script_roots(tree, path))
    roots.extend(configured)
    seen: dict[str, None] = {}
    for root in roots:
        if root and is_directory(root):
            seen.setdefault(_real_directory(root), None)
    return tuple(seen)


# The same few roots come back for every file of a package; resolving their links each time cost more
# than the rest of finding the roots.
_real_directory = lru_cache(maxsize=1024)(os.path.realpath)


# Unsaved editor buffers (real path -> text), read before the disk by every project of the process: the
# language server keeps it up to date; a project made with its own overlay ignores it.
UNSAVED: dict[str, str] = {}


WORD_BYTES = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")  # a bytes regex's \w
_SPACE_BYTES = frozenset(b" \t\n\r\f\v")  # a bytes regex's \s


def _keyword_at_line_start(raw: bytes, end: int, keyword: bytes) -> bool:
    """Whether ``keyword`` ends at ``end`` and starts a line (`def` also after `async` and blanks)."""
    start = end - len(keyword)
    if start < 0 or raw[start:end] != keyword:
        return False
    if start == 0 or raw[start - 1] == 10:
        return True
    if keyword != b"def" or raw[start - 1] not in _SPACE_BYTES:
        return False
    while start and raw[start - 1] in _SPACE_BYTES:
        start -= 1
    return _keyword_at_line_start(raw, start, b"async")


def _version(path: str, stat: os.stat_result) -> tuple[str, int, int, bool]:
    """What a dependency's cached text and tree are kept under: its stamp, and whether the host's copy
    (`stable_files`) serves it, so that a host's bytes never answer for the disk outside its batch."""
    return path, stat.st_mtime_ns, stat.st_size, _STABLE is not None and path in _STABLE_BYTES


@lru_cache(maxsize=128)
def _read_module(path: str, mtime_ns: int, size: int, provided: bool) -> tuple[str, ast.Module] | None:
    """A dependency's text and tree, shared by every project in the process; None when unreadable."""
    data = _read_bytes(path, mtime_ns, size, provided)
    if data is None:
        return None
    try:
        text = decode(data)
        return text, parse(text, path)
    except (SourceError, ValueError):
        return None


@lru_cache(maxsize=1024)
def _read_bytes(path: str, mtime_ns: int, size: int, provided: bool) -> bytes | None:
    """A dependency's bytes, read once for text gates and parsing; None when too large or unreadable."""
    if size > MAX_MODULE_BYTES:
        return None
    if provided:
        return _STABLE_BYTES[path]
    try:  # a regular file only: a FIFO where a module should be would block the run
        return read(path, MAX_MODULE_BYTES)
    except (OSError, SourceError):
        return None


def _root_names(root: str) -> frozenset[str]:
    """The top-level names a root's entries provide (kept inside `stable_files`)."""
    known = _STABLE_TOPS if _STABLE is not None else None
    found = known.get(root) if known is not None else None
    if found is None:
        try:
            entries = os.listdir(root)
        except OSError:
            entries = []
        found = frozenset(filter(None, map(top_level_name, entries)))
        if known is not None:
            known[root] = found
    return found


def top_level_name(entry: str) -> str | None:
    """The module name a root's directory entry provides (`ops.py`, `pkg`), None for none."""
    stem = entry[:-3] if entry.endswith(".py") else entry
    return stem if stem.isidentifier() else None


@dataclass(frozen=True)
class TopLevelNames:
    """The names a project's roots provide at top level; inside `probing`, each name asked about is recorded."""

    names: frozenset[str]
    roots: tuple[str, ...]

    def __contains__(self, name: object) -> bool:
        for probes in _PROBING:
            probes.tops.add((self.roots, name))
        return name in self.names


class Project:
    """Modules reachable from one set of roots, summarised on first use.

    ``overlay`` maps real paths to unsaved text (an editor's open buffers); it wins over the disk.
    Every module read while a root module is analysed is recorded (see ``recording``), so a cached
    result can be invalidated when any of them changes.
    """

    def __init__(
        self,
        roots: Sequence[str] = (),
        shim_decorators: tuple[str, ...] = (),
        overlay: dict[str, str] | None = None,
    ) -> None:
        self.roots = tuple(os.path.realpath(r) for r in roots)
        self.shim_decorators = shim_decorators
        self.overlay = overlay if overlay is not None else UNSAVED
        self._top: TopLevelNames | None = None
        self._files: dict[str, str | None] = {}
        # Most recently used last; bounded so that a large tree's ASTs are not all kept alive.
        self._summaries: OrderedDict[str, ModuleSummary | None] = OrderedDict()
        self._stamps: dict[str, tuple] = {}
        self._chased: dict[str, tuple[tuple[str, ...], frozenset[str]]] = {}
        self._recording: list[set[str]] = []
        # While one file is analysed (inside `recording`), each module is stat'ed once: it is looked up
        # for every name followed into it, and the stat calls cost more than the lookups.
        self._stats: dict[str, os.stat_result | None] | None = None
        self._mentioned: dict[tuple[str, bytes], tuple[tuple, bool]] = {}  # (path, word) -> (stamp, found)
        self._binding_memo: dict[tuple[str, bytes], tuple[str | None, bool]] = {}
        self._binding_session: object = None  # the `stable_files` session the memo belongs to

    # -- finding modules --------------------------------------------------------------------------

    def top_level_names(self) -> TopLevelNames:
        if self._top is None:
            found = [_root_names(root) for root in self.roots]
            names = found[0] if len(found) == 1 else frozenset().union(*found)  # (one root: no copy)
            self._top = TopLevelNames(names, self.roots)
        return self._top

    def file_of(self, module: str) -> str | None:
        """The file a module name is read from, or None (not in the roots, or a namespace package)."""
        if module in self._files:
            return self._files[module]
        found = None
        if module.split(".", 1)[0] in self.top_level_names():
            parts = module.split(".")
            for root in self.roots:
                base = os.path.join(root, *parts)
                init = os.path.join(base, "__init__.py")
                if is_file(init):
                    found = init
                    break
                if is_file(base + ".py"):
                    found = base + ".py"
                    break
                if is_directory(base):
                    break  # a namespace package: nothing to read, and later roots can't shadow it
        self._files[module] = found
        return found

    def is_module(self, module: str) -> bool:
        if self.file_of(module) is not None:
            return True
        parts = module.split(".")
        return parts[0] in self.top_level_names() and any(is_directory(os.path.join(r, *parts)) for r in self.roots)

    def summary(self, module: str) -> ModuleSummary | None:
        path = self.file_of(module)
        if path is None:
            return None
        self._record(path)
        stamp = self._stamp(path)
        if self._stamps.get(path) != stamp:
            if path in self._stamps:
                self._chased.clear()  # a module changed (an editor, a long-lived host): aliases may have too
            self._stamps[path] = stamp
            self._summaries[path] = None  # a cycle through this module sees it as unknown
            self._summaries[path] = self._build(path, module)
            while len(self._summaries) > MAX_SUMMARIES:
                evicted, _ = self._summaries.popitem(last=False)
                self._stamps.pop(evicted, None)
        self._summaries.move_to_end(path)
        return self._summaries[path]

    def summary_of(self, path: str, name: str | None, text: str) -> ModuleSummary | None:
        """The summary this project already holds of the file at ``path`` read as module ``name``, when it
        was built from exactly ``text`` (a linted file that an earlier file's analysis read as a dependency)."""
        # Summaries are kept under the path the module was found at, below a root (roots are real paths):
        # a file reached through a link is not recognised, and is parsed again.
        found = os.path.abspath(path)
        summary = self._summaries.get(found)
        if summary is None or summary.name != name or summary.source != text:
            return None
        self._summaries.move_to_end(found)
        return summary

    def _stamp(self, path: str) -> tuple:
        real = os.path.realpath(path) if self.overlay else path
        if real in self.overlay:
            return ("overlay", hash(self.overlay[real]))
        stat = self._stat(path)
        if stat is None:
            return ("missing",)
        return _version(path, stat)[1:]

    def _stat(self, path: str) -> os.stat_result | None:
        if self._stats is not None and path in self._stats:
            return self._stats[path]
        found = file_status(path)
        if self._stats is not None:
            self._stats[path] = found
        return found

    def _build(self, path: str, module: str) -> ModuleSummary | None:
        real = os.path.realpath(path) if self.overlay else path
        if real in self.overlay:
            try:
                text = self.overlay[real]
                tree = parse(text, path)
            except SourceError:
                return None
        else:
            stat = self._stat(path)
            if stat is None:
                return None
            loaded = _read_module(*_version(path, stat))
            if loaded is None:
                return None
            text, tree = loaded
        is_package = os.path.basename(path) == "__init__.py"
        package = module if is_package else module.rpartition(".")[0]
        return self.summarise(tree, text, path, module, package)

    def summarise(
        self, tree: ast.Module, text: str | None, path: str, name: str | None, package: str | None,
        names: tuple[Names, dict] | None = None, mentioned: dict[str, bool] | None = None,
    ) -> ModuleSummary:
        """A summary whose names follow this project's modules (``names``, ``mentioned``: the triage's, see
        `ModuleSummary`)."""
        return ModuleSummary(
            tree, text, path, name, package, self.shim_decorators, chase=self.chase, imports_project=self.imports_project,
            names=names, mentioned=mentioned,
        )

    # -- following names --------------------------------------------------------------------------

    def imports_project(self, summary: ModuleSummary) -> bool:
        """Whether a module binds any name from this project (then its shim methods and helpers may
        live behind imports, and text gates on the module alone cannot decide)."""
        top = self.top_level_names()
        return any(
            target.split(".", 1)[0] in top
            for targets in summary.names.module_bindings().values()
            for target in targets
        ) or any(star.split(".", 1)[0] in top for star in summary.names.module_stars())

    def chase(self, path: str) -> tuple[str, ...]:
        """Follow a dotted path through the project's aliases and re-exports to what it finally names.

        ``pkg.compat.track`` where ``pkg/compat.py`` says ``track = tf.compat.v1.keras.utils.track_tf1_style_variables``
        becomes the shim's path; a path that leaves the project, or can't be followed, is returned as is.
        """
        if path.split(".", 1)[0] not in self.top_level_names():
            return (path,)
        cached = self._chased.get(path)
        if cached is None:
            with self.recording() as touched:
                result = tuple(self._chase(path, 0, set()))
            cached = self._chased[path] = (result, frozenset(touched))
        for recording in self._recording:
            recording.update(cached[1])
        return cached[0]

    def _chase(self, path: str, depth: int, seen: set[str]) -> Iterator[str]:
        if depth > _MAX_CHASE or path in seen:
            yield path
            return
        seen.add(path)
        split = self._split(path)
        if split is None:
            yield path
            return
        module, attr, rest = split
        if self._defines_at_top(module, attr) and b"track" not in self.raw(module):
            yield path  # `def attr` / `class attr` at column 0: nothing to follow, and no need to parse
            return
        summary = self.summary(module)
        # A function that only forwards to the shim decorator is bound as an alias of it (names.py).
        if summary is None or attr in summary.class_by_name or (
            attr in summary.module_functions and attr not in summary.names.module_bindings()
        ):
            yield path
            return
        bindings = summary.names.module_bindings().get(attr)
        if bindings:
            for target in bindings:
                yield from self._chase(".".join([target, *rest]), depth + 1, seen)
            return
        stars = [s for s in summary.names.module_stars() if self._defines(s, attr)]
        if stars:
            for star in stars:
                yield from self._chase(".".join([star, attr, *rest]), depth + 1, seen)
            return
        yield path

    def raw(self, module: str) -> bytes:
        """A module's bytes (b"" when unreadable), for text gates that must not cost a parse."""
        path = self.file_of(module)
        if path is None:
            return b""
        self._record(path)  # a text gate's answer depends on the module too
        if self.overlay and os.path.realpath(path) in self.overlay:
            return self.overlay[os.path.realpath(path)].encode("utf-8", "surrogatepass")
        stat = self._stat(path)
        if stat is None:
            return b""
        return _read_bytes(*_version(path, stat)) or b""

    def mentions(self, module: str, word: bytes) -> bool:
        """Whether a module's text contains ``word``; kept per module version (the same helper module is
        asked about for every file that imports it)."""
        path = self.file_of(module)
        if path is None:
            return word in b""
        self._record(path)
        key, stamp = (path, word), self._stamp(path)
        known = self._mentioned.get(key)
        if known is None or known[0] != stamp:
            known = self._mentioned[key] = (stamp, word in self.raw(module))
        return known[1]

    def bindings_mention(self, targets: Iterable[str], word: bytes) -> bool:
        """Whether a module one of these import bindings names (``pkg.ops`` or ``pkg.ops.block``) contains
        ``word``. Inside `stable_files` the answer is kept per binding: every file of a package imports the
        same ones (outside, a module's text is checked against its version every time)."""
        memo: dict[tuple[str, bytes], tuple[str | None, bool]] | None = None
        if _STABLE is not None:
            if self._binding_session is not _STABLE:
                self._binding_memo, self._binding_session = {}, _STABLE
            memo = self._binding_memo
        for target in targets:
            known = memo.get((target, word)) if memo is not None else None
            if known is None:
                module = target if self.file_of(target) is not None else target.rsplit(".", 1)[0]
                known = (self.file_of(module), self.mentions(module, word))  # `mentions` records the module
                if memo is not None:
                    memo[(target, word)] = known
            elif known[0] is not None:
                self._record(known[0])  # the answer depends on that module: a cached result must know it
            if known[1]:
                return True
        return False

    def _defines_at_top(self, module: str, attr: str) -> bool:
        r"""Whether a line starts with `def attr`, `async def attr` or `class attr` (the regex
        ``^(?:async\s+def|def|class)\s+attr\b``, checked at each occurrence of the name found by str.find:
        a regex compiled per name cost more than the search)."""
        raw, name = self.raw(module), attr.encode()
        if not name.isascii():
            return re.search(rb"^(?:async\s+def|def|class)\s+" + re.escape(name) + rb"\b", raw, re.M) is not None
        offset = raw.find(name)
        while offset != -1:
            after = offset + len(name)
            if after == len(raw) or raw[after] not in WORD_BYTES:
                start = offset
                while start and raw[start - 1] in _SPACE_BYTES:
                    start -= 1
                if start < offset and (
                    _keyword_at_line_start(raw, start, b"def") or _keyword_at_line_start(raw, start, b"class")
                ):
                    return True
            offset = raw.find(name, offset + 1)
        return False

    def _defines(self, module: str, attr: str) -> bool:
        raw = self.raw(module)
        if raw.isascii() and attr.encode() not in raw:
            # Nothing in the module can define or bind a name its text does not spell (no parse needed; a
            # non-ASCII identifier may be another spelling of it).
            return self.is_module(f"{module}.{attr}") and self.summary(module) is not None
        summary = self.summary(module)
        if summary is None:
            return False
        return (
            attr in summary.module_functions
            or attr in summary.class_by_name
            or attr in summary.names.module_bindings()
            or self.is_module(f"{module}.{attr}")
        )

    def _split(self, path: str) -> tuple[str, str, list[str]] | None:
        """(longest module prefix, the attribute after it, the rest) or None when there is no attribute."""
        parts = path.split(".")
        for end in range(len(parts) - 1, 0, -1):
            module = ".".join(parts[:end])
            if self.file_of(module) is not None:
                return module, parts[end], parts[end + 1:]
            if self.is_module(module):
                return None  # a namespace package's attribute is a submodule, already tried
        return None

    def lookup(self, path: str) -> Symbol | None:
        """The project function, class, method or module a (chased) path names."""
        if path.split(".", 1)[0] not in self.top_level_names():
            return None
        if self.file_of(path) is not None:
            summary = self.summary(path)
            return Symbol("module", summary) if summary is not None else None
        split = self._split(path)
        if split is None:
            return None
        module, attr, rest = split
        summary = self.summary(module)
        if summary is None:
            return None
        if attr in summary.module_functions and not rest:
            return Symbol("function", summary, function=summary.module_functions[attr])
        cls = summary.class_by_name.get(attr)
        if cls is None or cls.node not in summary.tree.body and cls.scope is not None:
            return None
        if not rest:
            return Symbol("class", summary, cls=cls)
        if len(rest) == 1 and rest[0] in cls.methods:
            return Symbol("method", summary, function=cls.methods[rest[0]], cls=cls)
        return None

    # -- dependencies -----------------------------------------------------------------------------

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        """Collect the paths of every module read (or found in memory) inside the block."""
        touched: set[str] = set()
        outermost = not self._recording
        if outermost:
            self._stats = {}
        self._recording.append(touched)
        try:
            yield touched
        finally:
            # By identity: two recordings may hold equal sets.
            self._recording = [r for r in self._recording if r is not touched]
            if outermost:
                self._stats = None

    def record(self, path: str) -> None:
        """Note a file whose text an answer read (outside the module lookups), for the cache's dependencies."""
        self._record(os.path.realpath(path))

    def _record(self, path: str) -> None:
        for recording in self._recording:
            recording.add(path)


_PROJECTS: dict[tuple, Project] = {}


def project_for(roots: tuple[str, ...], shim_decorators: tuple[str, ...] = ()) -> Project:
    """One project per set of roots in a process: files of one package share their dependencies' summaries."""
    key = (roots, shim_decorators)
    project = _PROJECTS.get(key)
    if project is None:
        if len(_PROJECTS) > 64:
            _PROJECTS.clear()
        project = _PROJECTS[key] = Project(roots, shim_decorators)
    return project
