"""Fixes in Jupyter notebooks: fix the cells' virtual module, map each changed line back to its cell.

The code cells are linted as one module (tf2lint.notebook); fixing works on that module's text, and
the difference is mapped back line by line through the same (cell, line) map, with the cell's own line
breaks (`\\n`, `\\r\\n` or `\\r`, split as the parser splits them). A change that would touch a neutralised
IPython line (magic, shell escape) or straddle two cells is refused: the cell is left as it was and the
problem is reported. Only the JSON values of the changed cells' `source` are rewritten, in the file's
own text: every other byte (outputs, metadata, ids, key order, indentation, escaping, CRLF, BOM, final
newline) stays as it was, so `--diff` is a small patch of the .ipynb file itself.
"""

from __future__ import annotations

import codecs
import difflib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from json.decoder import scanstring

from tf2lint.engine import lint_notebook
from tf2lint.findings import Settings
from tf2lint.fixing.write import FileResult, fix_text
from tf2lint.notebook import NotebookError, load
from tf2lint.source import LINE_BREAK, split_lines


@dataclass
class NotebookResult(FileResult):
    cells: dict[int, tuple[str, str]] = field(default_factory=dict)  # changed cell -> (old, new) source


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def fix_notebook(data: bytes, path: str, settings: Settings, unsafe: bool) -> NotebookResult | None:
    """The fixed notebook as text, or None when it cannot be read as JSON (the linter reports that)."""
    try:
        text = data.decode("utf-8-sig")
        document = json.loads(text)
        cells = document["cells"]
        spans = _source_spans(text)
        virtual = load(data)
    except (ValueError, KeyError, TypeError, IndexError, NotebookError, RecursionError):
        return None
    result = NotebookResult(path, text, text, bom=data.startswith(codecs.BOM_UTF8))
    fixed = fix_text(virtual.text, path, settings, unsafe)
    result.problems.extend(fixed.problems)
    if fixed.changed:
        new_sources, refused = map_back(virtual.text, fixed.fixed, virtual.origin, cells)
        result.problems.extend(f"{path}: cell {number}: {why}; the cell is left as it was" for number, why in refused)
        replaced = []
        for number, source in new_sources.items():
            if number - 1 not in spans:
                result.problems.append(f"{path}: cell {number}: its source could not be located; the cell is left as it was")
                continue
            start, end = spans[number - 1]
            replaced.append((start, end, _encode_source(text, start, end, source)))
            result.cells[number] = (_source(cells[number - 1]), source)
        for start, end, value in sorted(replaced, reverse=True):
            result.fixed = result.fixed[:start] + value + result.fixed[end:]
        if result.cells:
            # Counted from the findings that disappeared: refused cells keep theirs.
            before = len(lint_notebook(data, path, settings))
            result.findings = lint_notebook(result.fixed.encode("utf-8"), path, settings)
            result.applied = max(before - len(result.findings), 0)
            return result
    result.findings = lint_notebook(data, path, settings)
    return result


# -- the JSON text: where each cell's source is, and its value written in the file's style -------------------

_SPACE = re.compile(r"[ \t\n\r]*")


def _source_spans(text: str) -> dict[int, tuple[int, int]]:
    """(start, end) offsets of each cell's `source` value in the JSON text, by index in `cells` (the last
    of duplicate keys, as json.loads reads them). Raises ValueError/IndexError on text that is not JSON."""
    decoder = json.JSONDecoder()
    spans: dict[int, tuple[int, int]] = {}

    def space(i: int) -> int:
        return _SPACE.match(text, i).end()  # type: ignore[union-attr]

    def members(i: int):
        """(key, value start, value end) of the object starting at ``i``, then the offset after it."""
        if text[i] != "{":
            raise ValueError("not an object")
        i = space(i + 1)
        while text[i] != "}":
            key, i = scanstring(text, i + 1)
            i = space(i)
            if text[i] != ":":
                raise ValueError("expected ':'")
            start = space(i + 1)
            _, i = decoder.raw_decode(text, start)
            yield key, start, i
            i = space(i)
            if text[i] == ",":
                i = space(i + 1)
        yield None, i + 1, i + 1

    for key, start, end in members(space(0)):
        if key != "cells" or text[start] != "[":
            continue
        i, index = space(start + 1), 0
        while text[i] != "]":
            if text[i] == "{":
                for cell_key, value_start, value_end in members(i):
                    if cell_key == "source":
                        spans[index] = (value_start, value_end)
            _, i = decoder.raw_decode(text, i)
            i, index = space(i), index + 1
            if text[i] == ",":
                i = space(i + 1)
    return spans


def _encode_source(text: str, start: int, end: int, source: str) -> str:
    """``source`` as a JSON value written like the one at text[start:end]: a string, or a list of lines
    with the same whitespace between items (indentation, CRLF) and the document's escaping."""
    ascii_only = bool(re.search(r"\\u(?:00[89a-fA-F][0-9a-fA-F]|(?!00)[0-9a-fA-F]{4})", text))  # non-ASCII escaped
    if text[start] != "[":
        return json.dumps(source, ensure_ascii=ascii_only)
    items = [json.dumps(line, ensure_ascii=ascii_only) for line in source.splitlines(True)]  # as nbformat splits
    old = text[start:end]
    if old[1:-1].strip():  # a non-empty list: its own opening, separating and closing space
        opening = re.match(r"\[([ \t\r\n]*)", old).group(1)  # type: ignore[union-attr]
        closing = re.search(r"([ \t\r\n]*)\]\Z", old).group(1)  # type: ignore[union-attr]
        comma = re.search(r",([ \t\r\n]*)", _blank_strings(old))
        separator = comma.group(1) if comma else opening
    else:  # an empty list: the layout of the lines around it
        newline = "\r\n" if "\r\n" in text else "\n"
        line_start = max(text.rfind("\n", 0, start), 0)
        indent = re.match(r"[\r\n]*([ \t]*)", text[line_start:]).group(1)  # type: ignore[union-attr]
        unit = re.search(r"\n([ \t]+)\S", text)
        step = unit.group(1) if unit else " "
        opening = separator = newline + indent + step
        closing = newline + indent
    if not items:
        return old if not old[1:-1].strip() else "[]"
    return "[" + opening + ("," + separator).join(items) + closing + "]"


def _blank_strings(value: str) -> str:
    """The JSON text with every string's contents replaced by x's (same length): no comma or bracket
    inside a string is taken for the list's own."""
    return re.sub(r'"(?:[^"\\]|\\.)*"', lambda m: '"' + "x" * (len(m.group()) - 2) + '"', value)


# -- lines of the virtual module -> lines of the cells -----------------------------------------------------------


def map_back(
    old_text: str, new_text: str, origin: list[tuple[int, int]], cells: list
) -> tuple[dict[int, str], list[tuple[int, str]]]:
    """New source per changed cell, and the cells whose change could not be mapped (with why)."""
    old, new = old_text.split("\n"), new_text.split("\n")
    raw: dict[int, list[str]] = {}  # a cell's lines, split as the virtual module splits them
    breaks: dict[int, list[str]] = {}  # the line break after each of them ("" after the last)
    for number, _ in origin:
        if number not in raw:
            source = _source(cells[number - 1])
            raw[number] = split_lines(source)
            breaks[number] = LINE_BREAK.findall(source) + [""]
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
        common = Counter(b for b in breaks[number] if b).most_common(1)
        newline = common[0][0] if common else "\n"
        lines: list[tuple[str, str | None]] = list(zip(raw[number], breaks[number]))
        for start, count, replacement in sorted(cell_changes, reverse=True):
            lines[start: start + count] = [(line, None) for line in replacement]
        last = len(lines) - 1
        sources[number] = "".join(
            line + ("" if index == last else (end or newline)) for index, (line, end) in enumerate(lines)
        )
    return sources, sorted(refused.items())
