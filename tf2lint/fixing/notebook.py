"""Fixes in Jupyter notebooks: fix the cells' virtual module, map each changed line back to its cell.

The code cells are linted as one module (tf2lint.notebook); fixing works on that module's text, and
the difference is mapped back line by line through the same (cell, line) map. A change that would
touch a neutralised IPython line (magic, shell escape) or straddle two cells is refused: the cell is
left as it was and the problem is reported. Only the `source` of changed cells is replaced; outputs,
metadata, ids, attachments and key order are kept, and the JSON is written back in the layout it was
read in (indent, ASCII escaping, trailing newline).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field

from tf2lint.engine import lint_notebook
from tf2lint.findings import Settings
from tf2lint.fixing.write import FileResult, fix_text
from tf2lint.notebook import NotebookError, load


@dataclass(frozen=True)
class Layout:
    indent: int | str | None
    ensure_ascii: bool
    newline: bool  # a newline after the closing brace

    def dump(self, document: object) -> str:
        return json.dumps(document, indent=self.indent, ensure_ascii=self.ensure_ascii) + "\n" * self.newline


# nbformat writes indent=1, no ASCII escaping, a final newline; other tools use 2 or 4 spaces.
_LAYOUTS = [Layout(i, a, n) for i in (1, 2, 4, "\t", None) for a in (False, True) for n in (True, False)]


def layout_of(text: str, document: object) -> Layout | None:
    """The json.dumps settings that reproduce ``text`` exactly, or None when none does."""
    return next((layout for layout in _LAYOUTS if layout.dump(document) == text), None)


@dataclass
class NotebookResult(FileResult):
    cells: dict[int, tuple[str, str]] = field(default_factory=dict)  # changed cell -> (old, new) source

    def diff(self) -> bytes:  # type: ignore[override]
        """One unified diff per changed cell (cells usually lack a final newline: diffed as if they had one)."""
        def lines(source: str) -> list[str]:
            return (source if source.endswith("\n") else source + "\n").splitlines(True)

        return "".join(
            "".join(difflib.unified_diff(
                lines(old), lines(new), fromfile=f"a/{self.path}:cell {number}", tofile=f"b/{self.path}:cell {number}",
            ))
            for number, (old, new) in sorted(self.cells.items())
        ).encode("utf-8", "surrogateescape")


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def fix_notebook(data: bytes, path: str, settings: Settings, unsafe: bool) -> NotebookResult | None:
    """The fixed notebook as text, or None when it cannot be read as JSON (the linter reports that)."""
    try:
        text = data.decode("utf-8-sig")
        document = json.loads(text)
        cells = document["cells"]
        virtual = load(data)
    except (ValueError, KeyError, TypeError, NotebookError, RecursionError):
        return None
    result = NotebookResult(path, text, text)
    fixed = fix_text(virtual.text, path, settings, unsafe)
    result.problems.extend(fixed.problems)
    if fixed.changed:
        new_sources, refused = _map_back(virtual.text, fixed.fixed, virtual.origin, cells)
        result.problems.extend(f"{path}: cell {number}: {why}; the cell is left as it was" for number, why in refused)
        for number, source in new_sources.items():
            cell = cells[number - 1]
            old = _source(cell)
            cell["source"] = source.splitlines(True) if isinstance(cell.get("source"), list) else source
            result.cells[number] = (old, source)
        if result.cells:
            layout = layout_of(text, json.loads(text))
            if layout is None:
                result.problems.append(f"{path}: JSON layout not recognised; written as nbformat writes it")
            result.fixed = (layout or Layout(1, False, True)).dump(document)
            # Counted from the findings that disappeared: refused cells keep theirs.
            before = len(lint_notebook(data, path, settings))
            result.findings = lint_notebook(result.fixed.encode("utf-8"), path, settings)
            result.applied = max(before - len(result.findings), 0)
            return result
    result.findings = lint_notebook(data, path, settings)
    return result


def _map_back(
    old_text: str, new_text: str, origin: list[tuple[int, int]], cells: list
) -> tuple[dict[int, str], list[tuple[int, str]]]:
    """New source per changed cell, and the cells whose change could not be mapped (with why)."""
    old, new = old_text.split("\n"), new_text.split("\n")
    raw: dict[int, list[str]] = {}
    for number, _ in origin:
        if number not in raw:
            raw[number] = _source(cells[number - 1]).replace("\r\n", "\n").split("\n")
    edited = {number: list(lines) for number, lines in raw.items()}
    # Edits per cell as (first line index in the cell, number of old lines, new lines), applied bottom-up.
    changes: dict[int, list[tuple[int, int, list[str]]]] = {}
    refused: dict[int, str] = {}
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            continue
        if i1 >= len(origin):  # appended after the last line: the end of the last cell
            number, start = origin[-1][0], len(raw[origin[-1][0]])
        else:
            number, line = origin[i1]
            start = line - 1
        touched = {origin[i][0] for i in range(i1, min(i2, len(origin)))}
        if touched - {number}:
            refused[number] = "a fix spans two cells"
            continue
        if any(old[i] != raw[number][origin[i][1] - 1] for i in range(i1, min(i2, len(origin)))):
            refused[number] = "a fix touches an IPython magic or shell line"
            continue
        changes.setdefault(number, []).append((start, i2 - i1, new[j1:j2]))
    sources: dict[int, str] = {}
    for number, cell_changes in changes.items():
        if number in refused:
            continue
        lines = edited[number]
        for start, count, replacement in sorted(cell_changes, reverse=True):
            lines[start : start + count] = replacement
        newline = "\r\n" if "\r\n" in _source(cells[number - 1]) else "\n"
        sources[number] = newline.join(lines)
    return sources, sorted(refused.items())
