"""Reading a module's text as Python's tokenizer would, from the statement that holds a point: is it code, and
which dotted name is called there.

The report's construct count looks for a few words in every TF1 module. Telling a call written in code from the
same words in a docstring or a comment takes, from the text, one regular-expression match from the start of the
statement that holds the word (the tree says where statements start, found by bisecting the statement lists),
where walking the tree visits every node around it. What the text cannot settle (a name split across lines, a
parenthesis that may open a call on the next line, an f-string, whose fields are code) raises `Unreadable`; the
caller then walks the tree.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from operator import attrgetter

from tf2lint.analysis.summary import FUNCTION_DEFS

# Code from a point known to be code: runs of code, escapes (a backslash ending a line continues it), whole
# comments and whole strings. It stops at a string or a comment that the end of the match cuts (the point
# asked about is inside it).
_CODE = re.compile(r"""(?:[^'"#\\]++|\\.|\#[^\n]*+\n
    |'''(?:[^'\\]++|\\.|'(?!''))*+'''|\"\"\"(?:[^"\\]++|\\.|"(?!""))*+\"\"\"
    |'(?:[^'\\\n]++|\\.)*+'|"(?:[^"\\\n]++|\\.)*+")*+""", re.S | re.X)
_NAME = re.compile(r"[\w.]*")  # a dotted name's characters (read backwards in the reversed text)
_NAME_AHEAD = re.compile(r"([\w.]*)[ \t]*")
DEFINED_NEXT = re.compile(r"(?<![\w.])(?:def|class)[ \t]+\Z")  # what precedes a name being defined: `def name(`
_CLOSERS = frozenset(")]}'\"")  # what ends an expression that is not a name: `f().x(`, `"s".join(`
_PREFIX = re.compile(r"[A-Za-z]{1,2}\Z")  # the letters right before a string's quotes (`rb"`, `f'''`)
_LINENO = attrgetter("lineno")
_DECORATED = frozenset({*FUNCTION_DEFS, ast.ClassDef})
BLOCK_FIELDS = ("body", "orelse", "finalbody", "handlers", "cases")  # the fields of a compound statement holding statements
_SIMPLE = frozenset(kind for kind in vars(ast).values()
                    if isinstance(kind, type) and issubclass(kind, ast.stmt) and "body" not in kind._fields)


class Unreadable(Exception):
    """Raised where reading the text cannot be sure of what the tree holds."""


@dataclass(slots=True)
class Place:
    """The innermost statement holding a point of the text, and what encloses it."""

    stmt: ast.stmt
    start: int  # the offset where the statement's code starts (a decorated definition: its first decorator)
    classes: list[ast.ClassDef]  # the classes whose bodies hold the point, outermost first
    in_header: bool  # the point is in a class's decorators, bases or keywords


class CodeReader:
    """One module's text (ASCII: the tree's columns are bytes) and tree."""

    def __init__(self, text: str, tree: ast.Module) -> None:
        self.text = text
        self.tree = tree
        self._starts: dict[ast.stmt, int] = {}
        self._last: Place | None = None

    @cached_property
    def _reversed(self) -> str:
        return self.text[::-1]

    def place(self, offset: int, line: int) -> Place | None:
        """Where ``offset`` (on ``line``) is; None outside every statement (a comment between them)."""
        text = self.text
        line_start = text.rfind("\n", 0, offset) + 1
        where = (line, offset - line_start)
        last = self._last
        if last is not None and type(last.stmt) in _SIMPLE and _start(last.stmt) <= where < _end(last.stmt):
            return last  # points are asked in order, and a statement often spells several words
        stmt = None
        classes: list[ast.ClassDef] = []
        block = self.tree.body
        col = where[1]
        while block:
            index = bisect_right(block, line, key=_LINENO) - 1
            # Found by line (a C-level key); a decorated definition starts on its decorators' lines, and statements
            # sharing a line (`a = 1; b = 2`) are told apart by their columns.
            if index + 1 < len(block) and type(block[index + 1]) in _DECORATED and _start(block[index + 1]) <= where:
                index += 1
            while index >= 0 and block[index].lineno == line and _start(block[index]) > where:
                index -= 1
            if index < 0:
                break
            found = block[index]
            if found.end_lineno < line or found.end_lineno == line and found.end_col_offset <= col:  # type: ignore[operator]
                break
            stmt = found
            kind = type(stmt)
            if kind is ast.ClassDef:
                if line <= stmt.body[0].lineno and any(  # type: ignore[attr-defined]
                        _start(part) <= where < _end(part)
                        for part in (*stmt.decorator_list, *stmt.bases, *stmt.keywords)):  # type: ignore[attr-defined]
                    return Place(stmt, self._start_offset(stmt, line_start, line), classes, True)
                classes.append(stmt)  # type: ignore[arg-type]
                block = stmt.body  # type: ignore[attr-defined]
            elif kind in FUNCTION_DEFS or kind is ast.With or kind is ast.AsyncWith:
                block = stmt.body  # type: ignore[attr-defined]
            elif kind in _SIMPLE:
                break
            else:
                block = next((inner for inner in _blocks(stmt) if _start(inner[0]) <= where < _end(inner[-1])), [])
        if stmt is None:
            return None
        self._last = Place(stmt, self._start_offset(stmt, line_start, line), classes, False)
        return self._last

    def _start_offset(self, stmt: ast.stmt, line_start: int, line: int) -> int:
        found = self._starts.get(stmt)
        if found is None:
            at_line, col = _start(stmt)
            while line > at_line:
                line_start = self.text.rfind("\n", 0, line_start - 1) + 1
                line -= 1
            found = self._starts[stmt] = line_start + col
        return found

    def is_code(self, place: Place, offset: int) -> bool:
        """Whether ``offset`` is code, read from the start of its statement. Raises `Unreadable` inside an
        f-string."""
        if type(place.stmt) is ast.Expr and type(place.stmt.value) is ast.Constant:  # type: ignore[attr-defined]
            return False  # a docstring
        text, start = self.text, place.start
        end = _CODE.match(text, start, offset).end()
        if end == offset:
            return True
        if text[end] != "#":
            quote = end
            while quote > start and text[quote - 1] == text[end]:
                quote -= 1  # `'''` cut short stops at its third quote
            prefix = _PREFIX.search(text, max(start, quote - 2), quote)
            if prefix is not None and "f" in prefix.group().lower():
                raise Unreadable
        return False

    def may_be_code(self, offset: int, line: int) -> bool:
        """False only where ``offset`` is surely in a string or a comment."""
        place = self.place(offset, line)
        if place is None:
            return False  # between the module's statements: a comment
        try:
            return self.is_code(place, offset)
        except Unreadable:
            return True

    def called_name(self, place: Place, offset: int, line: int) -> tuple[int, list[str]] | None:
        """Where the dotted name spanning ``offset`` (code) begins and its parts, when the name is called right
        there (``a.b.c(``), else None. Raises `Unreadable` for a spelling the tree would have to tell: a name
        split by a line break or spaces (`a .b`, `a.\\`), or a line break between the name and what may be its
        parenthesis."""
        text, start = self.text, place.start
        size = len(text)
        first = offset - len(_NAME.match(self._reversed, size - offset).group())
        ahead = _NAME_AHEAD.match(text, offset)
        stop, after = ahead.end(1), ahead.end()
        following = text[after] if after < size else "\n"
        if following != "(":
            if following == "\\" or following in "#\n" and _end(place.stmt) > (line + 1, 0) \
                    and _next_line(text, after)[:1] in "(#\\":
                raise Unreadable
            return None
        chain = text[first:stop]
        if chain.endswith(".") or ".." in chain:
            raise Unreadable
        line_start = text.rfind("\n", 0, first) + 1
        before = first
        while before > line_start and text[before - 1] in " \t":
            before -= 1
        if chain.startswith("."):
            if before > max(line_start, start) and text[before - 1] in _CLOSERS:
                return None  # called on a call, a subscript or a string: not a dotted name
            raise Unreadable
        if chain[0].isdigit():
            return None
        if first != start:
            if before > line_start:
                if text[before - 1] == ".":
                    raise Unreadable
                if DEFINED_NEXT.search(text, max(line_start, before - 12), first):
                    return None  # `def get_variable(self):`
            elif line_start <= start or _previous_line(text, line_start).rstrip()[-1:] in (".", "\\", ""):
                raise Unreadable  # the name may continue the line before
        return first, chain.split(".")


def _start(node: ast.AST) -> tuple[int, int]:
    decorators = getattr(node, "decorator_list", None)
    if decorators:
        node = decorators[0]
    return node.lineno, node.col_offset  # type: ignore[attr-defined]


def _end(node: ast.AST) -> tuple[int, int]:
    return node.end_lineno, node.end_col_offset  # type: ignore[attr-defined]


def _blocks(stmt: ast.stmt) -> Iterator[list[ast.stmt]]:
    """The statement lists a compound statement holds."""
    for name in BLOCK_FIELDS:
        inner = getattr(stmt, name, None)
        if inner and name in ("handlers", "cases"):
            yield from (part.body for part in inner if part.body)
        elif inner:
            yield inner


def _previous_line(text: str, line_start: int) -> str:
    """The line before; "" when it holds a comment (what the comment follows is unclear) or nothing."""
    start = text.rfind("\n", 0, line_start - 1) + 1
    line = text[start:line_start - 1]
    return "" if "#" in line or not line.strip() else line


def _next_line(text: str, offset: int) -> str:
    """The line after the one holding ``offset``, stripped ("" when blank or at the end)."""
    end = text.find("\n", offset)
    if end == -1:
        return ""
    stop = text.find("\n", end + 1)
    return text[end + 1:len(text) if stop == -1 else stop].strip()
