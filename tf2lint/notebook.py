"""Jupyter notebooks -> one virtual module of their code cells, with a map back to (cell, line).

Each cell is read the way IPython reads it (`ipython_cells.py`), keeping line numbers: line magics
(`%time`), shell escapes (`!pip`, with their backslash continuations), `x = !ls`, help (`obj?`) become
`pass`/`None`, a first line's indentation comes off the cell, prompts (`>>>`, `In [1]:`) come off;
a cell magic (`%%bash`) drops its whole cell unless its body is Python (`%%time`, `%%timeit`, `%%capture`).
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass, field

from tf2lint.ipython_cells import Cell, python_lines
from tf2lint.source import split_lines


class NotebookError(Exception):
    """The file is not a notebook we can read."""


@dataclass
class Notebook:
    text: str  # the code cells, one after the other
    origin: list[tuple[int, int]]  # virtual line - 1 -> (cell number, line in cell), both 1-based
    broken: list[tuple[int, SyntaxError]] = field(default_factory=list)  # cells that do not parse
    shift: list[int] = field(default_factory=list)  # virtual line - 1 -> columns IPython's dedent removed

    def locate(self, line: int) -> tuple[int, int]:
        if 0 < line <= len(self.origin):
            return self.origin[line - 1]
        return self.origin[-1] if self.origin else (1, line)

    def column(self, line: int, col: int) -> int:
        """A virtual line's column in its cell (a dedented cell's lines start further right)."""
        return col + self.shift[line - 1] if 0 < line <= len(self.shift) else col


def module_text(data: bytes, path: str) -> str:
    """The text tf2lint analyses for a file: a notebook's code cells as one module (as `lint_notebook` reads
    them), a module's own text otherwise. NotebookError for a notebook it cannot read."""
    from tf2lint.source import decode

    return load(data).text if path.endswith(".ipynb") else decode(data)


def _cell_lines(source: str) -> Cell | None:
    """The cell as Python lines, or None when a cell magic makes it another language."""
    return python_lines(split_lines(source))  # numbered as the parser numbers them (\r, \r\n and \n)


def _code_cells(document: object) -> list[object]:
    """The cells of an nbformat 4 notebook, or of the first worksheet of an nbformat 3 one."""
    if not isinstance(document, dict):
        raise NotebookError("not a readable notebook: the document is not a JSON object")
    if document.get("nbformat") == 3 or ("worksheets" in document and "cells" not in document):
        worksheets = document.get("worksheets")
        if not isinstance(worksheets, list) or not all(
            isinstance(w, dict) and isinstance(w.get("cells", []), list) for w in worksheets
        ):
            raise NotebookError("not a readable notebook: nbformat 3 without a list of worksheets with cells")
        cells = [cell for worksheet in worksheets for cell in worksheet.get("cells", [])]
    else:
        cells = document.get("cells")
    if not isinstance(cells, list):
        raise NotebookError("not a readable notebook: no list of cells")
    return cells


def language(document: dict) -> str | None:
    """The kernel's language as the notebook states it, lower-cased; None when it does not say."""
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        return None
    for key, field_name in (("kernelspec", "language"), ("language_info", "name")):
        value = metadata.get(key)
        if isinstance(value, dict) and isinstance(value.get(field_name), str):
            return value[field_name].lower()
    return metadata["language"].lower() if isinstance(metadata.get("language"), str) else None  # nbformat 3


def _source(cell: dict) -> str | None:
    """A code cell's text (`source` in nbformat 4, `input` in 3): a string or a list of strings."""
    source = cell.get("source", cell.get("input", ""))
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        return "".join(source)
    return source if isinstance(source, str) else None


def load(data: bytes) -> Notebook:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (ValueError, RecursionError) as exc:
        raise NotebookError(f"not a readable notebook: {type(exc).__name__}") from None
    cells = _code_cells(document)
    if language(document) not in (None, "python", "python3", "ipython", "ipython3"):
        return Notebook("", [])  # an R, Julia, ... notebook: nothing of ours to check
    text_lines: list[str] = []
    origin: list[tuple[int, int]] = []
    broken: list[tuple[int, SyntaxError]] = []
    shift: list[int] = []
    for number, cell in enumerate(cells, start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = _source(cell)
        if source is None:  # this cell is damaged; the others are still checked
            broken.append((number, SyntaxError("the cell's source is not text (a string or a list of strings)")))
            continue
        cell_lines = _cell_lines(source)
        if cell_lines is None:
            continue
        lines = cell_lines.lines
        try:
            compile("\n".join(lines), f"cell {number}", "exec", ast.PyCF_ONLY_AST | ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            error = exc if isinstance(exc, SyntaxError) else SyntaxError(str(exc) or type(exc).__name__)
            broken.append((number, error))
            continue
        for index, line in enumerate(lines, start=1):
            text_lines.append(line)
            origin.append((number, index))
        shift.extend(cell_lines.shifts)
    return Notebook("\n".join(text_lines) + "\n", origin, broken, shift)
