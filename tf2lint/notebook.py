"""Jupyter notebooks -> one virtual module of their code cells, with a map back to (cell, line).

IPython syntax is neutralised line by line so that numbering is kept: line magics (`%time`),
shell escapes (`!pip`), `x = !ls`, help (`obj?`) become `pass`/`None`; a cell magic (`%%bash`)
drops its whole cell unless its body is Python (`%%time`, `%%timeit`, `%%capture`).
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field

PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
_ASSIGNED_MAGIC = re.compile(r"^(\s*[\w.,\s\[\]()*]+?\s*=\s*)[%!].*$")
_HELP = re.compile(r"^\s*(\?\??[\w.]+|[\w.]+\?\??)\s*$")


class NotebookError(Exception):
    """The file is not a notebook we can read."""


@dataclass
class Notebook:
    text: str  # the code cells, one after the other
    origin: list[tuple[int, int]]  # virtual line - 1 -> (cell number, line in cell), both 1-based
    broken: list[tuple[int, SyntaxError]] = field(default_factory=list)  # cells that do not parse

    def locate(self, line: int) -> tuple[int, int]:
        if 0 < line <= len(self.origin):
            return self.origin[line - 1]
        return self.origin[-1] if self.origin else (1, line)


def _neutralise(line: str) -> str:
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    if stripped.startswith(("%", "!")) or _HELP.match(line):
        return indent + "pass"
    assigned = _ASSIGNED_MAGIC.match(line)
    if assigned:
        return assigned.group(1) + "None"
    return line


def _cell_lines(source: str) -> list[str] | None:
    """The cell as Python lines, or None when a cell magic makes it another language."""
    lines = source.split("\n")
    first = lines[0].strip()
    if first.startswith("%%"):
        magic = first[2:].split(None, 1)[0] if len(first) > 2 else ""
        if magic not in PYTHON_CELL_MAGICS:
            return None
        lines[0] = ""
    return [_neutralise(line) for line in lines]


def load(data: bytes) -> Notebook:
    try:
        document = json.loads(data.decode("utf-8-sig"))
        cells = document["cells"]
        assert isinstance(cells, list)
    except (ValueError, KeyError, TypeError, AssertionError, UnicodeDecodeError) as exc:
        raise NotebookError(f"not a readable notebook: {type(exc).__name__}") from None
    text_lines: list[str] = []
    origin: list[tuple[int, int]] = []
    broken: list[tuple[int, SyntaxError]] = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        lines = _cell_lines(source.replace("\r\n", "\n"))
        if lines is None:
            continue
        try:
            compile("\n".join(lines), f"cell {number}", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            error = exc if isinstance(exc, SyntaxError) else SyntaxError(str(exc) or type(exc).__name__)
            broken.append((number, error))
            continue
        for index, line in enumerate(lines, start=1):
            text_lines.append(line)
            origin.append((number, index))
    return Notebook("\n".join(text_lines) + "\n", origin, broken)
