"""The TF1-style constructs a module calls, and its classes, read from the text and the tree `check` parsed.

The report's burn-down counts calls of `get_variable`, `variable_scope`, v1 layers, TF-Slim, ... in every
module, including the many that no rule needs analysed. So this pass is built to cost little: it needs only
the module's text, tree and name resolution (what the triage has, no summary). It finds the words first; each
is then read from the text, from the start of the statement holding it (`code_text`: code or not, called or
not); where the text cannot tell, the tree is walked, entering only the statements that span a line where a
construct's spelling is written (or, when classes are asked for, the word `class`). Nothing is parsed again.

A call counts when its dotted name starts with a name the module imports from TensorFlow, tf_slim or Keras,
spells one of the words, and resolves, with Python's scoping, to a construct (`construct_of`). Only the
module's own imports are followed: an enclosing call on the line (`foo(tf.get_variable(...))`) or a project
helper is not a construct, and following it would read other modules of the project.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left, bisect_right
from collections.abc import MutableMapping
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat

from tf2lint.analysis.code_text import BLOCK_FIELDS, DEFINED_NEXT, CodeReader, Unreadable
from tf2lint.analysis.names import CHILD_FIELDS, Names, child_fields, dotted
from tf2lint.analysis.summary import FUNCTION_DEFS
from tf2lint.knowledge import api, slim
from tf2lint.knowledge.spellings import canonical
from tf2lint.source import finds, is_word_char, lines_at

# The burn-down's columns: TF1-style constructs, in the order reports show them.
CONSTRUCTS: tuple[str, ...] = (
    "get_variable", "variable_scope", "v1_layers", "slim", "make_template", "collections", "session",
)
CONSTRUCT_TITLES = {
    "get_variable": "get_variable", "variable_scope": "variable_scope", "v1_layers": "v1 layers",
    "slim": "TF-Slim / contrib", "make_template": "make_template", "collections": "graph collections",
    "session": "compat.v1.Session",
}
_SESSIONS = frozenset({"Session", "InteractiveSession", "MonitoredTrainingSession", "MonitoredSession",
                       "SingularMonitoredSession"})
# Words one of the constructs' spellings contains: calls are looked for on the lines that hold one (or a name
# the module imports for a construct). Each text is scanned once per key below; the words that contain a key are
# read off at its occurrences (a TF1 module spells `variable` hundreds of times, and six words contain it).
_WORDS: dict[str, tuple[tuple[str, int], ...]] = {  # key -> (word, where the key starts in it)
    "variable": (("get_variable", 4), ("variable_scope", 0), ("global_variables", 7), ("trainable_variables", 10),
                 ("local_variables", 6), ("model_variables", 6)),
    "collection": (("get_collection", 4), ("add_to_collection", 7)),
    "layers": (("layers", 0),), "slim": (("slim", 0),), "contrib": (("contrib", 0),),
    "make_template": (("make_template", 0),), "Session": (("Session", 0),), "rnn_cell": (("rnn_cell", 0),),
    "regularization_loss": (("regularization_loss", 0),),
}
# How v1 layers are spelled in a module that calls them as `...layers.dense` (an import binding `layers` to them
# is found from the bindings): `tf.layers`, `v1.layers`, `legacy_tf_layers`, or beside `slim` or `contrib`.
_V1_LAYER_PREFIXES = ("tf.", "v1.", "legacy_tf_")


def construct_of(name: str) -> str | None:
    """The TF1-style construct a canonical API name is, else None."""
    if name == api.GET_VARIABLE:
        return "get_variable"
    if name == api.VARIABLE_SCOPE:
        return "variable_scope"
    if name == api.MAKE_TEMPLATE:
        return "make_template"
    if name in api.COLLECTION_APIS and not name.startswith(slim.PREFIX):
        return "collections"
    if name.startswith(api.V1_LAYERS) or ".nn.rnn_cell." in name or name.startswith("tf.contrib.rnn."):
        return "v1_layers"
    if name.startswith((slim.PREFIX, "tf.contrib.")):
        return "slim"
    if name.startswith("tf.") and not name.startswith("tf.keras.") and name.rsplit(".", 1)[-1] in _SESSIONS:
        return "session"
    return None


@dataclass
class Site:
    """A call of a TF1-style construct."""

    kind: str  # one of CONSTRUCTS
    line: int
    owner: ast.ClassDef | None  # the class it counts for: the method's class, or the class body it is written in


@dataclass
class Found:
    """What `find` found in one module."""

    sites: list[Site] = field(default_factory=list)
    classes: list[tuple[ast.ClassDef, str]] = field(default_factory=list)  # with `Outer.Inner` names, when asked


def find(
    tree: ast.Module, text: str, names: Names, parents: MutableMapping[ast.AST, object], classes: bool = False,
    mentioned: dict[str, bool] | None = None,
) -> Found:
    """The construct calls of a module (and with ``classes``, every class it defines).

    ``parents``: the dict of lexical parents ``names`` reads (function -> enclosing function); functions the
    walk enters are added to it, so that names resolve inside them when no summary has filled it.
    ``mentioned``: word -> whether the text holds it, as far as the triage tested (a word it found absent is
    not searched again); the searches made here are added."""
    found = Found()
    offsets: list[int] = []
    words: list[str] = []
    if any(_from_library(path) for paths in names.module_bindings().values() for path in paths):
        for word, at in _spelled(text, {} if mentioned is None else mentioned).items():
            words.append(word)
            offsets += at
        for name, paths in names.module_bindings().items():
            if name.isidentifier() and any(map(_names_construct, paths)):
                words.append(name)  # `from tf_slim.layers import conv2d`: its calls spell only `conv2d`
                offsets += finds(text, name)
    class_offsets = [o for o in finds(text, "class") if _alone(text, o, o + 5)] if classes else []
    if not offsets and not class_offsets:
        return found
    reader = CodeReader(text, tree)
    read = _read_text(reader, names, offsets, class_offsets)
    if read is not None:
        return read
    offsets += class_offsets
    targets = sorted(set(lines_at(text, sorted(offsets))))
    walk = _Walk(targets, names, parents, sorted(set(words)), found, classes, reader)
    walk.block(tree.body, None, None, (), None)
    return found


def _spelled(text: str, mentioned: dict[str, bool]) -> dict[str, list[int]]:
    """The construct words the text holds -> where (``mentioned``: see `find`)."""
    found: dict[str, list[int]] = {}
    for key, words in _WORDS.items():
        if mentioned.get(key) is False:
            continue
        held = False
        for offset in finds(text, key):
            held = True
            for word, at in words:
                if offset >= at and text.startswith(word, offset - at):
                    found.setdefault(word, []).append(offset - at)
        mentioned[key] = held
    layers = found.get("layers")
    if layers and "slim" not in found and "contrib" not in found and not any(
        text.startswith(prefix, offset - len(prefix)) for offset in layers for prefix in _V1_LAYER_PREFIXES
    ):
        del found["layers"]  # `tf.keras.layers` everywhere in Keras code: the lines of v1 layers spell more
    return found


@lru_cache(maxsize=4096)
def _from_library(path: str) -> bool:
    return api.is_library_name(canonical(path) + ".")


@lru_cache(maxsize=4096)
def _names_construct(path: str) -> bool:
    """An import path that is a construct or a module of them (`tf_slim.layers`)."""
    name = canonical(path)
    return bool(construct_of(name) or construct_of(name + ".x"))


def _read_text(reader: CodeReader, names: Names, offsets: list[int], class_offsets: list[int]) -> Found | None:
    """`find`'s answer read from the text (`code_text`): the calls are the dotted names spelling a word that
    are called where they are written in code, resolved at module level; each counts for the innermost class
    around it. None where the text cannot tell what the walk would find: a name some function or lambda may
    bind, a spelling split across lines, an f-string, a call in a class's header (its bases count for the
    class around the class), a `case` pattern (`case Dense():` calls nothing), a text that is not ASCII (the
    tree's columns are bytes) or that holds a carriage return (its lines are counted by newlines)."""
    text, tree = reader.text, reader.tree
    if not text.isascii() or "\r" in text:
        return None
    found = Found()
    bindings = names.module_bindings()
    kinds: dict[str, str | None] = {}
    bound: dict[str, bool] = {}
    seen: set[int] = set()  # where the names already counted start (a name may spell two words)
    offsets = sorted(set(offsets))
    try:
        for offset, line in zip(offsets, lines_at(text, offsets)):
            place = reader.place(offset, line)
            if place is None or type(place.stmt) in _NO_CALLS or not reader.is_code(place, offset):
                continue
            if type(place.stmt) is ast.Match:
                return None
            named = reader.called_name(place, offset, line)
            if named is None or named[0] in seen:
                continue
            seen.add(named[0])
            parts = named[1]
            head = parts[0]
            if not any(map(_from_library, bindings.get(head, ()))):
                continue
            spelled = ".".join(parts)
            if spelled not in kinds:
                resolved = {construct_of(name) for name in names.resolve_at_module_level(parts)} - {None}
                kinds[spelled] = min(resolved, key=CONSTRUCTS.index) if resolved else None  # type: ignore[arg-type]
            if kinds[spelled] is None:
                continue
            if head not in bound:
                bound[head] = _module_bound(text, tree, head, reader) and not _lambda_binds(text, head)
            if place.in_header or not bound[head]:
                return None
            found.sites.append(Site(kinds[spelled], line, place.classes[-1] if place.classes else None))  # type: ignore[arg-type]
    except Unreadable:
        return None
    for offset, line in zip(class_offsets, lines_at(text, class_offsets)):
        place = reader.place(offset, line)
        if place is not None and type(place.stmt) is ast.ClassDef and place.stmt.lineno == line and \
                place.classes and place.classes[-1] is place.stmt:
            if not found.classes or found.classes[-1][0] is not place.stmt:
                found.classes.append((place.stmt, ".".join(c.name for c in place.classes)))  # type: ignore[arg-type]
    return found


_NO_CALLS = (ast.Import, ast.ImportFrom, ast.Global, ast.Nonlocal)
_OPENERS, _CLOSERS = "([{", ")]}"


def _lambda_binds(text: str, name: str) -> bool:
    """Whether some lambda may take ``name`` as a parameter (`_module_bound` lets a module-level lambda do so:
    the walk resolves inside it, so the text cannot answer)."""
    for at in finds(text, "lambda"):
        if at and is_word_char(text[at - 1]):
            continue
        depth, end = 0, at + 6
        while end < len(text) and text[end] != "\n" and (depth or text[end] != ":"):
            depth += (text[end] in _OPENERS) - (text[end] in _CLOSERS)
            end += 1
        params = text[at + 6:end]
        if any(_alone(params, where, where + len(name)) for where in finds(params, name)):
            return True
    return False


class _Walk:
    """The pruned walk: statements spanning a target line are entered, their expressions read whole."""

    def __init__(self, targets: list[int], names: Names, parents: MutableMapping[ast.AST, object], words: list[str],
                 found: Found, classes: bool, reader: CodeReader) -> None:
        """``reader``: the module's text and tree (`_module_bound` reads the text through it)."""
        self.targets = targets
        self.reader = reader
        self.tree = reader.tree
        self.text = reader.text
        self.names = names
        self.parents = parents
        self.words = words
        self.found = found
        self.classes = classes
        self.library: dict[str, bool] = {}  # module-level name -> imported from TensorFlow, tf_slim or Keras
        self.kinds: dict[tuple[object, str], str | None] = {}  # (function, dotted spelling) -> construct
        self.module_bound: dict[str, bool] = {}  # name -> no function of the module may bind it (`_module_bound`)

    def spans(self, first: int, last: int) -> bool:
        index = bisect_left(self.targets, first)
        return index < len(self.targets) and self.targets[index] <= last

    def block(self, stmts: list, func, func_owner: ast.ClassDef | None, path: tuple[ast.ClassDef, ...],
              holder: ast.ClassDef | None) -> None:
        """``func``: the innermost enclosing function (None at module level); ``func_owner``: the class its
        calls count for; ``path``: the enclosing classes; ``holder``: the class whose body this block is part of
        (a function defined here is its method)."""
        spans = self.spans
        for stmt in stmts:
            kind = type(stmt)
            if kind is ast.match_case:
                self.exprs([stmt.guard], func, func_owner, path)
                self.block(stmt.body, func, func_owner, path, holder)
                continue
            # (Attributes are read by type: `getattr` with a default costs an exception where one is missing.)
            shape = _SHAPES.get(kind) or _shape(kind)
            first = stmt.decorator_list[0].lineno if shape is _DECORATED and stmt.decorator_list else stmt.lineno
            if not spans(first, stmt.end_lineno or stmt.lineno):
                continue
            if shape is _SIMPLE:
                self.exprs([stmt], func, func_owner, path)
                continue
            # A compound statement's own expressions (decorators, bases, arguments, tests, ...) end where its
            # body starts: read only when a target line is there.
            header = spans(first, stmt.body[0].lineno) if shape is not _MATCH else True
            if kind in FUNCTION_DEFS:
                self.parents.setdefault(stmt, func)
                owner = holder if holder is not None else func_owner
                if header:
                    self.exprs([*stmt.decorator_list, stmt.args, stmt.returns], stmt, owner, path)
                self.block(stmt.body, stmt, owner, path, None)
            elif kind is ast.ClassDef:
                inner = (*path, stmt)
                if self.classes:
                    self.found.classes.append((stmt, ".".join(c.name for c in inner)))
                if header:
                    self.exprs([*stmt.decorator_list, *stmt.bases, *stmt.keywords], func, func_owner, inner)
                self.block(stmt.body, func, stmt, inner, stmt)  # its body counts for it, even in a function
            else:
                own, blocks = shape
                if header:
                    self.exprs([getattr(stmt, name) for name in own], func, func_owner, path)
                for name in blocks:
                    statements = getattr(stmt, name)
                    if statements:
                        self.block(statements, func, func_owner, path, holder)

    def exprs(self, roots: list, func, func_owner: ast.ClassDef | None, path: tuple[ast.ClassDef, ...]) -> None:
        """Every call under ``roots`` (nodes, lists of nodes, None) with its innermost function (a lambda's body
        is in the lambda). A node spanning several lines is entered only where its parts span a target line.
        (The hottest loop of `tf2lint report`: fields are read from a per-type table, calls handled inline.)"""
        stack: list[tuple[ast.AST, object, bool]] = []
        for root in roots:
            if type(root) is list:
                stack.extend((item, func, True) for item in root if isinstance(item, ast.AST))
            elif isinstance(root, ast.AST):
                stack.append((root, func, True))
        fields_of, spans = CHILD_FIELDS, self.spans
        while stack:
            node, where, check = stack.pop()
            kind = type(node)
            fields = fields_of.get(kind, _UNKNOWN)
            if fields is _UNKNOWN:
                fields = child_fields(kind)
            if fields is None:
                continue  # not a node (None, a name, a number in a list of nodes)
            line = getattr(node, "lineno", None)
            if line is not None:
                end = node.end_lineno or line  # type: ignore[attr-defined]
                if check and not spans(line, end):
                    continue
                check = end > line
            if kind is ast.Call:
                self.call(node, where, func_owner if isinstance(where, FUNCTION_DEFS) else None, path)  # type: ignore[arg-type]
            elif kind is ast.Lambda:
                self.names.register_lambda(node, where)  # type: ignore[arg-type]
                where = node
            for name in fields:
                value = getattr(node, name)
                if type(value) is list:
                    if value:
                        stack.extend(zip(value, repeat(where), repeat(check)))
                elif value is not None:
                    stack.append((value, where, check))

    def call(self, call: ast.Call, func, owner: ast.ClassDef | None, path: tuple[ast.ClassDef, ...]) -> None:
        spelled = dotted(call.func)
        if spelled is None:
            return
        head = spelled[0]
        library = self.library.get(head)
        if library is None:
            library = self.library[head] = any(map(_from_library, self.names.module_bindings().get(head, ())))
        text = ".".join(spelled)
        if not library or not any(word in text for word in self.words):
            return
        # Where the name resolves: in a function that may bind it, there; else at module level, once per spelling
        # and without collecting the function's bindings (most modules bind `tf` at the top and nowhere else).
        scope = func
        if isinstance(func, FUNCTION_DEFS):
            bound = self.module_bound.get(head)
            if bound is None:
                bound = self.module_bound[head] = _module_bound(self.text, self.tree, head, self.reader)
            if bound:
                scope = None
        key = (scope, text)  # a function spells the same construct again and again (`slim.conv2d`)
        kind = self.kinds.get(key, "")  # "": not resolved yet; None: resolved, no construct
        if kind == "":
            kinds = {construct_of(name) for name in self.names.resolve(call.func, scope)} - {None}
            kind = self.kinds[key] = min(kinds, key=CONSTRUCTS.index) if kinds else None  # type: ignore[arg-type]
        if kind is None:
            return
        if not isinstance(func, FUNCTION_DEFS):
            # At module level, in a class body or a lambda: the innermost class whose lines hold the call.
            owner = next((c for c in reversed(path) if c.lineno <= call.lineno <= (c.end_lineno or c.lineno)), None)
        self.found.sites.append(Site(kind, call.lineno, owner))


def _module_bound(text: str, tree: ast.Module, name: str, reader: CodeReader | None = None) -> bool:
    """Whether the text shows that no function or lambda of the module binds ``name``, so that it resolves in
    every function as at module level: each occurrence of the name, as a whole word, is an attribute's base
    (`name.`) outside import statements (`import name.sub` binds it), is called or subscripted (`name(`, `name[`,
    except after `def` or `class`), or lies in a module-level simple statement
    (`import tensorflow as name`). A string or a comment spelling it otherwise makes the answer no, unless
    ``reader`` shows it is one; so does a text that is not ASCII (an identifier may spell the name in other
    characters) or holds a carriage return (lines are counted by newlines here)."""
    if not text.isascii() or "\r" in text:
        return False
    for match in _bare(name).finditer(text):
        start = match.start()
        if start and (is_word_char(text[start - 1]) or text[start - 1] == "."):
            continue  # the end of a longer name, or an attribute (`self.name`)
        if _USED.match(text, match.end()) and not DEFINED_NEXT.search(text, max(0, start - 12), start):
            continue  # called or subscripted (`name(x)`, `name[0] = x`): read, not bound
        line = text.count("\n", 0, start) + 1
        if not _module_level(tree, line) and (reader is None or reader.may_be_code(start, line)):
            return False
    dotted_name = name + "."
    offset = text.find("import")
    while offset != -1:
        end = text.find("\n", offset)
        end = len(text) if end == -1 else end
        statement = text[offset:end]
        if statement.rstrip().endswith("\\") or dotted_name in statement and any(
            at == 0 or not (is_word_char(statement[at - 1]) or statement[at - 1] == ".")
            for at in finds(statement, dotted_name)
        ):
            line = text.count("\n", 0, offset) + 1
            if not _module_level(tree, line) and (reader is None or reader.may_be_code(offset, line)):
                return False
        offset = text.find("import", end)
    return True


_USED = re.compile(r"[ \t]*[(\[]")


def _module_level(tree: ast.Module, line: int) -> bool:
    """Whether a line belongs to a module-level statement that holds no block (so no function and no class)."""
    index = bisect_right(tree.body, line, key=_line_of) - 1
    if index < 0:
        return False
    stmt = tree.body[index]
    return (stmt.end_lineno or stmt.lineno) >= line and (_SHAPES.get(type(stmt)) or _shape(type(stmt))) is _SIMPLE


def _line_of(stmt: ast.stmt) -> int:
    return stmt.lineno


@lru_cache(maxsize=256)
def _bare(name: str) -> re.Pattern[str]:
    """A name not followed by a word character or a dot (the pattern starts with the name: a fast search)."""
    return re.compile(re.escape(name) + r"(?![\w.])")


# How `_Walk.block` reads a statement of each type: a simple one whole, a def or class by its parts, and any
# other compound one as (its own expression fields, its fields holding statements).
_SIMPLE, _DECORATED = "simple", "decorated"
_MATCH = (("subject",), ("cases",))
_SHAPES: dict[type, str | tuple[tuple[str, ...], tuple[str, ...]]] = {ast.Match: _MATCH}


def _shape(kind: type) -> str | tuple[tuple[str, ...], tuple[str, ...]]:
    if kind in FUNCTION_DEFS or kind is ast.ClassDef:
        shape = _DECORATED
    elif "body" not in kind._fields:
        shape = _SIMPLE
    else:
        shape = (tuple(f for f in kind._fields if f not in BLOCK_FIELDS), tuple(f for f in BLOCK_FIELDS if f in kind._fields))
    _SHAPES[kind] = shape
    return shape


_UNKNOWN = ("?",)  # a type `CHILD_FIELDS` has no answer for yet


def _alone(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] is a whole word."""
    return (start == 0 or not is_word_char(text[start - 1])) and (end >= len(text) or not is_word_char(text[end]))
