"""Callers as a fact: who calls a method or uses a class, and with what arguments.

Built once per module summary (kept on the summary's identity), read by the shim walk: a decorated
helper starts with the arguments of its visible calls; a method also taken as a value (handed to a loss
function, stored in a table) has callers nobody sees, so its parameters are unknown there; a sub-layer
class used only as another class's attribute runs only where that class calls it. Across modules,
``project_users`` finds the project modules that name a class (a word test of each file first).
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from stat import S_ISREG
from dataclasses import dataclass, field
from typing import NamedTuple

from tf2lint.analysis import project as project_module
from tf2lint.analysis.project import WORD_BYTES, Project
from tf2lint.analysis.names import Function, flatten_blocks, loop_items, names_in, walk_expr
from tf2lint.analysis.summary import (
    FUNCTION_DEFS, ClassInfo, FunctionDef, ModuleSummary, first_param, is_self_attr, own_statements,
)


@dataclass
class ModuleCallers:
    """What one module's methods and functions do with method names and classes."""

    calls: dict[str, list[ast.Call]] = field(default_factory=dict)  # method name -> `obj.name(...)` calls
    values: set[str] = field(default_factory=set)  # method names read as `obj.name` outside a call's callee
    class_refs: dict[str, int] = field(default_factory=dict)  # bare name -> loads of it anywhere in the module
    # Classes an object is built from and kept with `setattr` (`setattr(self, f"b{i}", Block())`; a literal name too,
    # which nothing models as an attribute): what calls those objects is unknown.
    dynamic_attrs: set[str] = field(default_factory=set)


def module_callers(module: ModuleSummary) -> ModuleCallers:
    # Kept on the summary, so that it goes with it: a module-wide memo kept hundreds of summaries and their
    # trees alive, and every pass of the garbage collector walked them (measured: a fifth of a corpus run).
    known = module.derived.get("callers")
    if known is not None:
        return known  # type: ignore[return-value]
    found = ModuleCallers()
    callees: set[int] = set()
    for func in module.owner:
        for node in module.own_calls(func):
            if isinstance(node.func, ast.Attribute):
                found.calls.setdefault(node.func.attr, []).append(node)
                callees.add(id(node.func))
            elif isinstance(node.func, ast.Name) and node.func.id == "setattr" and len(node.args) == 3:
                found.dynamic_attrs.update(part.func.id for part in walk_expr(node.args[2])
                                           if isinstance(part, ast.Call) and isinstance(part.func, ast.Name))
        for root in own_statements(func):
            for node in walk_expr(root):
                if isinstance(node, ast.Attribute) and id(node) not in callees and isinstance(node.ctx, ast.Load):
                    found.values.add(node.attr)
    if module.classes:
        names = {cls.name for cls in module.classes}
        for node in ast.walk(module.tree):
            if isinstance(node, ast.Name) and node.id in names and isinstance(node.ctx, ast.Load):
                found.class_refs[node.id] = found.class_refs.get(node.id, 0) + 1
    module.derived["callers"] = found
    return found


def held_attributes(holder: ClassInfo, cls: ClassInfo) -> dict[str, int]:
    """The attributes ``holder``'s `__init__` (or Keras' `build`) sets to objects of ``cls`` (a class of the same
    module, by its name): `self.a = Cls()`, or a list, a tuple, a dict or a `tf.keras.Sequential` of them
    (`[Cls() for _ in range(n)]`, `ClassInfo.item_ctors`); each with how many times the value names the class."""
    found = {attr: 1 for attr, ctor in holder.attr_ctors.items() if isinstance(ctor, ast.Name) and ctor.id == cls.name}
    for method in holder.setup_methods:
        receiver = first_param(method)
        for stmt in flatten_blocks(method.body):
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and is_self_attr(stmt.targets[0], receiver):
                items = holder.item_ctors(stmt.targets[0].attr)  # type: ignore[attr-defined]
                if items and all(isinstance(item, ast.Name) and item.id == cls.name for item in items):
                    found[stmt.targets[0].attr] = len(items)  # type: ignore[attr-defined]
    return found


def only_an_attribute(cls: ClassInfo) -> bool:
    """The class is named in its module only where other classes' ``__init__`` build an attribute from it
    (`held_attributes`; and as a base class): its instances are called only by the objects holding them."""
    module = cls.module
    ctors = 0
    for other in module.classes:
        if other is cls:
            continue
        ctors += sum(held_attributes(other, cls).values())
        ctors += sum(1 for base in other.node.bases if isinstance(base, ast.Name) and base.id == cls.name)
    return ctors > 0 and module_callers(module).class_refs.get(cls.name, 0) == ctors


class HeldCall(NamedTuple):
    """A method calling a sub-layer its class holds (`self.<attr>(...)`), with the context expressions of the
    `with` statements around that call in the method, outermost first."""

    method: FunctionDef
    holder: ClassInfo
    withs: tuple[ast.expr, ...]


def calls_of_held(cls: ClassInfo) -> tuple[list[HeldCall], bool]:
    """Where the classes of ``cls``'s module that build it in `__init__` (`held_attributes`) call it in their
    own methods (`self.<attr>(...)`), and whether those are all the calls of such an attribute the module spells
    (not, for one in a subclass's method or in a function nested in a method)."""
    module = cls.module
    found: list[HeldCall] = []
    located: set[int] = set()
    every: set[str] = set()
    for holder in module.classes:
        attrs = set(held_attributes(holder, cls))
        every |= attrs
        for method in holder.methods.values() if attrs else ():
            receiver = first_param(method)
            items = _item_names(method, receiver, attrs)
            stack: list[tuple[list[ast.stmt], tuple[ast.expr, ...]]] = [(method.body, ())]
            while stack:
                body, withs = stack.pop()
                for stmt in body:
                    for call, around in _calls_in_statement(stmt, withs, stack):
                        func = call.func
                        if isinstance(func, ast.Subscript):
                            func = func.value  # `self.heads["a"](x)`
                        if isinstance(func, ast.Attribute) and func.attr in attrs and is_self_attr(func, receiver) or (
                                isinstance(func, ast.Name) and func.id in items):
                            found.append(HeldCall(method, holder, around))
                            located.add(id(call))
    # Every `<anything>.<attr>(...)` the module writes, wherever (a subclass, a module-level function, a lambda),
    # except `self.<attr>(...)` in a method of a class that defines a method `<attr>` itself: that runs its method.
    written = module.nodes_on_lines("|".join(sorted(every))) if every else []
    spelled = {id(node) for node, func in written
               if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in every
               and not _own_method_call(module, node.func, func)}
    return found, spelled <= located


def held_where_unfollowed(cls: ClassInfo, entered: set[ast.AST]) -> bool:
    """Whether a class of ``cls``'s module keeps objects of it (`held_attributes`) and reads that attribute in one
    of its methods that the shim walk entered (``entered``), while the walk never entered ``cls``'s methods:
    the walk met the objects there and could not follow what runs them (`self.blocks[:1]`, a comprehension, a
    helper handed the list), so whether they run in the holder's store is unknown."""
    for holder in cls.module.classes:
        attrs = set(held_attributes(holder, cls)) if holder is not cls else set()
        for method in holder.methods.values() if attrs else ():
            if method not in entered:
                continue
            receiver = first_param(method)
            if any(isinstance(node, ast.Attribute) and node.attr in attrs and is_self_attr(node, receiver)
                   for root in own_statements(method) for node in walk_expr(root)):
                return True
    return False


def _item_names(method: FunctionDef, receiver: str | None, attrs: set[str]) -> set[str]:
    """The names a method's loops bind to the items of those attributes (`for block in self.blocks:`, also under
    `enumerate` or `zip`)."""
    names: set[str] = set()
    for node in ast.walk(method):
        if not isinstance(node, (ast.For, ast.AsyncFor)):
            continue
        pairs = loop_items(node) or ([(node.target.id, node.iter)] if isinstance(node.target, ast.Name) else [])
        names.update(name for name, iterated in pairs
                     if isinstance(iterated, ast.Attribute) and iterated.attr in attrs and is_self_attr(iterated, receiver))
    return names


def tracing_holders(cls: ClassInfo) -> list[tuple[HeldCall, ast.expr]]:
    """The calls of ``cls``'s objects (see `calls_of_held`) from a `@tf.function` method of their holder
    (`self.model(x)` in a traced `Runner.__call__`), each with that decorator: what they run is traced there."""
    return [(held, tracing) for held in calls_of_held(cls)[0]
            if (tracing := held.holder.module.tf_function_decorator(held.method)) is not None]


def _own_method_call(module: ModuleSummary, target: ast.Attribute, func: Function | None) -> bool:
    """`self.<name>(...)` in a method of a class of the module whose own body defines `<name>` as a method."""
    owner = module.owner.get(func) if func is not None else None
    return owner is not None and target.attr in owner.methods and is_self_attr(target, first_param(func))


def _calls_in_statement(
    stmt: ast.stmt, withs: tuple[ast.expr, ...], stack: list[tuple[list[ast.stmt], tuple[ast.expr, ...]]]
) -> Iterator[tuple[ast.Call, tuple[ast.expr, ...]]]:
    """The calls of one statement's own expressions, with the `with` context expressions around them; its nested
    blocks go on ``stack`` (those of a `with` inside its items). Nested functions and classes are not entered."""
    if isinstance(stmt, (*FUNCTION_DEFS, ast.ClassDef)):
        return
    inner = withs
    for _field, value in ast.iter_fields(stmt):
        items = value if isinstance(value, list) else [value]
        if items and all(isinstance(item, ast.stmt) for item in items):
            continue  # a block, pushed below once the `with` items are known
        for item in items:
            if isinstance(item, ast.withitem):
                yield from ((n, inner) for n in walk_expr(item.context_expr) if isinstance(n, ast.Call))
                inner = (*inner, item.context_expr)
            elif isinstance(item, (ast.excepthandler, ast.match_case)):
                stack.append((item.body, withs))
            elif isinstance(item, ast.expr):
                yield from ((n, withs) for n in walk_expr(item) if isinstance(n, ast.Call))
    for name in ("body", "orelse", "finalbody"):
        block = getattr(stmt, name, None)
        if isinstance(block, list) and block and isinstance(block[0], ast.stmt):
            stack.append((block, inner if name == "body" else withs))


def named_by_another_class(cls: ClassInfo) -> bool:
    """Whether another class of the module spells the class's name while the class itself does not (a part
    that other objects of the module build or call). The names each class spells are read once per module."""
    module = cls.module
    spelled = module.derived.get("class_names")
    if spelled is None:
        spelled = module.derived["class_names"] = {c: names_in(c.node) for c in module.classes}
    own = spelled.get(cls, frozenset())  # type: ignore[union-attr]
    return cls.name not in own and any(
        cls.name in names for other, names in spelled.items() if other is not cls  # type: ignore[union-attr]
    )


def named_elsewhere(
    project: Project, module: ModuleSummary, name: str, also: bytes | None = None, unknown: bool = True,
) -> bool:
    """Whether another Python file under the project roots imports ``module`` (by its last dotted part, on
    an import line) and names ``name`` (and the word ``also``, when given): a module that may construct or
    call it, whose callers then decide. Word tests of the files' text, no parse; past ``_MAX_FILES`` files
    the answer is ``unknown``."""
    stem = (module.name or os.path.splitext(os.path.basename(module.path))[0]).rsplit(".", 1)[-1]
    if not stem.isidentifier():
        return False
    question = (project.roots, stem, name, also, module.path, unknown)
    with project_module.unprobed():  # the question is recorded, not the files its index reads
        answer, found = importers_answer(*question)
    if found is not None:
        project.record(found)  # a cached answer depends on that module
    for probes in project_module._PROBING:
        probes.named[question] = answer
    return answer


def importers_answer(
    roots: tuple[str, ...], stem: str, name: str, also: bytes | None, own: str, unknown: bool,
) -> tuple[bool, str | None]:
    """`named_elsewhere`'s question asked of the files under ``roots`` as they are now: the answer, and the
    other file that imports ``stem`` and names ``name`` (and ``also``) when one does."""
    index = _import_index(roots)
    if index is None:
        return unknown, None
    word = name.encode()
    here = None
    for path in index.get(stem.encode(), ()):
        # The cheap tests first: the words, then whether it is another file.
        if not _names(path, word, also):
            continue
        here = here or _identity(own)
        if _identity(path) != here:
            return True, path
    return False, None


def has_word(text: bytes, word: bytes) -> bool:
    """Whether ``word`` stands in ``text`` between word boundaries, as ``rb"\\bword\\b"`` would find it: a
    search for the word, then its two neighbours (a pattern compiled per class name cost more than the search)."""
    if not word:
        return False
    first, last = word[0] in WORD_BYTES, word[-1] in WORD_BYTES
    offset = text.find(word)
    while offset != -1:
        end = offset + len(word)
        before = offset > 0 and text[offset - 1] in WORD_BYTES
        after = end < len(text) and text[end] in WORD_BYTES
        if before != first and after != last:
            return True
        offset = text.find(word, offset + 1)
    return False


def _names(path: str, word: bytes, also: bytes | None) -> bool:
    """Whether a file spells ``word`` (as a word) and ``also``."""
    version = _file_version(path)
    known = _NAMED.get((version, word, also)) if version is not None else None
    if known is None:
        text = _text_of(path)
        known = text is not None and (also is None or also in text) and has_word(text, word)
        if version is not None:
            if len(_NAMED) > _MAX_KEPT:
                _NAMED.clear()
            _NAMED[(version, word, also)] = known
    return known


def _file_version(path: str) -> tuple | None:
    """What a file's answers are kept under across batches (hosts that lint one file at a time, flake8, pylint
    and the editor, ask again for every file): its path, inode, size and modification time; None for a file
    whose bytes the host read for this batch (those are the text, whatever the disk holds)."""
    if project_module._STABLE is not None and os.path.abspath(path) in project_module._STABLE_BYTES:
        return None
    status = project_module.file_status(path)
    return (path, status.st_ino, status.st_size, status.st_mtime_ns) if status is not None else None


def _identity(path: str) -> object:
    """What tells two paths of one file apart from two files: device and inode (a stat, kept inside
    `stable_files`), else the path with its links resolved."""
    status = project_module.file_status(path)
    return (status.st_dev, status.st_ino) if status is not None else os.path.realpath(path)


def _text_of(path: str) -> bytes | None:
    """A file's bytes: those the host read already for linting, in a run of stable files (read again, the
    run's I/O doubles), else read now."""
    if project_module._STABLE is not None:
        text = project_module._STABLE_BYTES.get(os.path.abspath(path))
        if text is not None and len(text) <= project_module.MAX_MODULE_BYTES:
            return text
    return _read_regular(path)


def _read_regular(path: str) -> bytes | None:
    """A regular file's bytes, up to the project's module size cap; None for anything else (a FIFO or a
    device would block or never end)."""
    status = project_module.file_status(path)
    if status is None or not S_ISREG(status.st_mode) or status.st_size > project_module.MAX_MODULE_BYTES:
        return None
    try:
        with open(path, "rb") as handle:
            return handle.read(project_module.MAX_MODULE_BYTES + 1)
    except OSError:
        return None


_MAX_FILES = 20000
_SKIPPED = frozenset({"node_modules", "__pycache__", "site-packages", "venv", ".venv"})
_IMPORT_LINE = re.compile(rb"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import[ \t]+([^\n#;]*)|import[ \t]+([^\n#;]*))", re.M)
_PARTS_SPLIT = re.compile(rb"[,\s().]+")  # the dotted names of an import line, into their parts
_INDEXES: dict[tuple[object, tuple[str, ...]], tuple[object, dict[bytes, list[str]] | None]] = {}
# Outside a stable batch, per file version: the stems its import lines name, and the words asked of it.
_STEMS: dict[tuple, frozenset[bytes]] = {}
_NAMED: dict[tuple, bool] = {}
_MAX_KEPT = 200000


def _import_lines(text: bytes) -> Iterator[tuple[bytes | None, ...]]:
    """The groups of each import line: the lines holding the word `import` are matched, not every line
    (a third of the time of a multi-line search)."""
    previous = -1
    offset = text.find(b"import")
    while offset != -1:
        start = text.rfind(b"\n", 0, offset) + 1
        if start != previous:
            previous = start
            match = _IMPORT_LINE.match(text, start)
            if match:
                yield match.groups()
        offset = text.find(b"import", offset + 6)


def import_stems(text: bytes) -> frozenset[bytes]:
    """The module names' parts a module's import lines name: the stems under which the importers' index
    lists it."""
    stems: set[bytes] = set()
    for source, names, plain in _import_lines(text):
        if source:
            stems.update(source.split(b"."))
        stems.update(_PARTS_SPLIT.split(names or plain or b""))
    stems.discard(b"")
    stems.discard(b"as")
    return frozenset(stems)


def _stems(path: str) -> frozenset[bytes]:
    """The module names' parts a file's import lines name."""
    version = _file_version(path)
    found = _STEMS.get(version) if version is not None else None
    if found is None:
        text = _text_of(path)
        found = import_stems(text) if text is not None else frozenset()
        if version is not None:
            if len(_STEMS) > _MAX_KEPT:
                _STEMS.clear()
            _STEMS[version] = found
    return found


def _import_index(roots: tuple[str, ...]) -> dict[bytes, list[str]] | None:
    """Module stem -> the files under the roots with an import line naming it. Built once per batch of
    stable files (the CLI's run, or one file's analysis for the hosts that lint one at a time; TFS107 asks
    about most layers), each file's stems read again only when its version changed (`_file_version`)."""
    session = project_module._STABLE
    key = (id(session) if session is not None else None, roots)
    if session is not None and key in _INDEXES and _INDEXES[key][0] is session:
        return _INDEXES[key][1]
    index: dict[bytes, list[str]] | None = {}
    seen = 0
    for root in roots:
        for directory, subdirectories, files in os.walk(root):
            subdirectories[:] = [d for d in subdirectories if not d.startswith(".") and d not in _SKIPPED]
            for file in files:
                if not file.endswith(".py"):
                    continue
                seen += 1
                if seen > _MAX_FILES:
                    index = None
                    break
                path = os.path.join(directory, file)
                for stem in _stems(path):
                    index.setdefault(stem, []).append(path)  # type: ignore[union-attr]
            if index is None:
                break
        if index is None:
            break
    if session is not None:
        if len(_INDEXES) > 8:
            _INDEXES.clear()
        _INDEXES[key] = (session, index)  # the session itself kept: its id is not given to another meanwhile
    return index
