"""Issue 22, the class of bug: the server's copy of a document, its diagnostics and the edits it offers,
along random edit sequences, under each position encoding.

Texts hold what splits lines differently for Python, LSP and `str.splitlines` (form feeds, lone CRs,
CRLF, U+2028, `\\x1c`, `\\x85`), tabs, backslash continuations, triple-quoted strings and non-ASCII
(astral too, two UTF-16 units). Each sequence opens a document, then makes full and incremental
changes; the editor's side is modelled here from the specification (tests/lsp_inprocess.py), not
with pygls. After every change: the server's text is the editor's; its diagnostics are a fresh
`lint_source` of that text, positions converted to the encoding; and every edit it offers (quick
fixes, "disable for this line", fix-all), applied by the editor, gives text that parses and is what
the engine's own fix of that text gives (for a noqa: the text with exactly that comment added).

Notebooks the same way: the module split into code cells (each with its own line-ending style), edits
to random cells; each cell's diagnostics are `lint_notebook`'s, and fix-all, applied cell by cell, is
what `fix_notebook` makes of the notebook.

CI runs a fixed sample (`derandomize`); TF2LINT_LSP_EXAMPLES=500 draws fresh ones.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import re

import pytest
from conftest import FIGURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsp_inprocess import InProcess, apply_edits, edits_of, offset, position

from tf2lint.engine import lint_notebook, lint_source
from tf2lint.findings import Settings
from tf2lint.fixing.edits import apply
from tf2lint.fixing.notebook import fix_notebook
from tf2lint.fixing.write import fix_text

BUDGET = int(os.environ.get("TF2LINT_LSP_EXAMPLES", "0"))
ENCODINGS = ("utf-8", "utf-16", "utf-32")
SEQUENCES = settings(
    max_examples=BUDGET or 12, deadline=None, database=None, derandomize=not BUDGET,
    suppress_health_check=list(HealthCheck),
)
PATH = "/nonexistent/tf2lint-property/model.py"  # no configuration, no other module: the engine sees the same
URI = "file://" + PATH

BASE = (
    "import tensorflow as tf\n"
    "\n"
    "\n"
    "class Net(tf.keras.layers.Layer):\n"
    "    @tf.compat.v1.keras.utils.track_tf1_style_variables\n"
    "    def call(self, x):\n"
    "        h = tf.compat.v1.layers.dense(x, 3)\n"
    "        return tf.compat.v1.layers.dense(h, 4)\n"
)
# Whole lines an edit may insert (each with its own line break; indented like the line they go before),
# and bits it may type inside a line.
LINES = [
    "\x0c\n", "x = 1\r", "y = 2\r\n", "s = 'a\u2028b'\n", "u = 'a\x1cb\x85c'\n", "# größe 😀\n", "\tpass\n",
    "t = 1 + \\\n    2\n", 'doc = """first\n\x0c second"""\n', "\n", "\r",
    "g = tf.compat.v1.layers.dense(x, 5)  # ü\n",
    "k = tf.compat.v1.layers.dense(x, \\\n    6)\n",
    'm = tf.compat.v1.layers.dense(x, 7); d = """a\n  b"""\n',
    "class Other(tf.keras.layers.Layer):\n    def call(self, x):\n        return tf.compat.v1.get_variable('w', [1])\n",
]
BITS = ["😀", "ß", "\t", " ", "\x0c", "\u2028", "\r", "\n", "\r\n", "(", "'", '"""', "\\", "x", "#"]


@st.composite
def edit_sequences(draw) -> tuple[str, list[tuple[bool, int, int, str]]]:
    """A text, and edits as (full change, start offset, length, new text); a negative length: whole lines
    inserted at the start of the line holding the offset (so that the text often still parses)."""
    lines = BASE.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(lines)))
        lines.insert(at, _indented(draw(st.sampled_from(LINES)), lines[at] if at < len(lines) else ""))
    steps = []
    for _ in range(draw(st.integers(2, 5))):
        full = draw(st.booleans())
        start = draw(st.integers(0, 10_000))
        if draw(st.integers(0, 2)):
            length, new = -1, draw(st.sampled_from(LINES))
        else:
            length = draw(st.sampled_from([0, 1, 3, 12, 40]))
            new = draw(st.one_of(st.sampled_from(BITS), st.just("")))
        steps.append((full, start, length, new))
    return "".join(lines), steps


def _indented(new: str, line: str) -> str:
    """``new`` indented like ``line`` (the line it goes before)."""
    indent = re.match(r"[ ]*", line).group()  # type: ignore[union-attr]
    return re.sub(r"(?m)^(?=.)", indent, new) if indent else new


def _edited(text: str, full: bool, start: int, length: int, new: str, encoding: str) -> tuple[str, dict]:
    """One drawn edit applied: the new text and the LSP change that says it (whole text, or a range in the
    negotiated encoding). A negative length edits whole lines: from the start of the line, as LSP counts
    lines, indented like it."""
    start = _valid(text, start % (len(text) + 1))
    if length < 0:
        start = _valid(text, max(text.rfind("\n", 0, start), text.rfind("\r", 0, start)) + 1)
        new = _indented(new, text[start:])
    end = _valid(text, start + max(length, 0))
    edited = text[:start] + new + text[end:]
    if full:
        return edited, {"text": edited}
    return edited, {"range": {"start": position(text, start, encoding), "end": position(text, end, encoding)}, "text": new}


def _valid(text: str, index: int) -> int:
    """``index`` moved off the middle of a CRLF (no LSP position addresses it)."""
    index = min(index, len(text))
    return index - 1 if 0 < index < len(text) and text[index - 1] == "\r" and text[index] == "\n" else index


def _expected(text: str, encoding: str) -> list[tuple[str, tuple[int, int], str]]:
    """(code, (line, character), message) of a fresh lint, the position counted as the editor counts it."""
    starts = [0] + [i + 1 for i, c in enumerate(text) if c == "\n" or (c == "\r" and text[i + 1: i + 2] != "\n")]
    expected = []
    for f in lint_source(text, PATH):
        where = position(text, min(starts[min(f.line, len(starts)) - 1] + f.col, len(text)), encoding)
        expected.append((f.code, (where["line"], where["character"]), f.message))
    return sorted(expected)


async def _check_actions(client: InProcess, text: str, diagnostics: list[dict], encoding: str, fix_all: bool) -> int:
    """Every action the server offers for ``text``; returns how many were checked."""
    fixes = {(f.code, f.line, f.col): f.fix for f in lint_source(text, PATH, fixes=True) if f.fix}
    checked = 0
    for diagnostic in diagnostics:
        line = diagnostic["range"]["start"]["line"]
        context = {"diagnostics": [], "only": ["quickfix"]}
        response = await client.request("textDocument/codeAction", {
            "textDocument": {"uri": URI}, "range": {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}},
            "context": context,
        })
        for action in response["result"] or []:
            if action.get("diagnostics") != [diagnostic]:
                continue  # an action for another diagnostic that overlaps this line: checked with its own
            edits, version = edits_of(action["edit"], URI)
            after = apply_edits(text, edits, encoding)
            ast.parse(after)
            if action["title"].startswith("Disable"):
                (edit,) = edits
                inserted = edit["newText"]
                at = offset(text, edit["range"]["start"], encoding)
                assert edit["range"]["start"] == edit["range"]["end"] and inserted in ("  # noqa: " + diagnostic["code"], ", " + diagnostic["code"])
                assert after == text[:at] + inserted + text[at:]
                assert not [f for f in lint_source(after, PATH) if f.code == diagnostic["code"] and f.line - 1 == line]
            else:
                candidates = [apply(text, [fix])[0] for (code, _, _), fix in fixes.items() if code == diagnostic["code"]]
                assert after in candidates, "a quick fix the engine does not make"
            checked += 1
    if fix_all:
        response = await client.request("textDocument/codeAction", {
            "textDocument": {"uri": URI}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
            "context": {"diagnostics": [], "only": ["source.fixAll"]},
        })
        expected = fix_text(text, PATH, Settings(), False).fixed
        for action in response["result"] or []:
            edits, _ = edits_of(action["edit"], URI)
            assert apply_edits(text, edits, encoding) == expected
            checked += 1
    return checked


async def _run(encoding: str, text: str, steps: list[tuple[bool, int, int, str]]) -> None:
    client = InProcess()
    try:
        response = await client.initialize({"workspace": {"workspaceEdit": {"documentChanges": True}}}, encodings=[encoding])
        assert response["result"]["capabilities"]["positionEncoding"] == encoding
        client.notify("textDocument/didOpen", {"textDocument": {"uri": URI, "languageId": "python", "version": 1, "text": text}})
        diagnostics = await client.diagnostics_for(URI, 1)
        for version, (full, start, length, new) in enumerate(steps, start=2):
            text, change = _edited(text, full, start, length, new, encoding)
            client.notify("textDocument/didChange", {"textDocument": {"uri": URI, "version": version}, "contentChanges": [change]})
            diagnostics = await client.diagnostics_for(URI, version, timeout=10)
            assert client.server.workspace.get_text_document(URI).source == text
            got = sorted((d["code"], (d["range"]["start"]["line"], d["range"]["start"]["character"]), d["message"]) for d in diagnostics)
            assert got == _expected(text, encoding)
            FIGURES["server edits checked"] += 1
            last = version == len(steps) + 1
            FIGURES["server actions checked"] += await _check_actions(client, text, diagnostics, encoding, fix_all=last)
        FIGURES["edit sequences run"] += 1
    finally:
        client.close()


_SEEN: set[str] = set()


@pytest.mark.parametrize("encoding", ENCODINGS)
@SEQUENCES
@given(sequence=edit_sequences())
def test_the_server_follows_the_editor_along_random_edits(sequence, encoding: str) -> None:
    text, steps = sequence
    asyncio.run(_run(encoding, text, steps))
    _SEEN.add(encoding)
    FIGURES["encodings"] = len(_SEEN)


# -- notebooks: the same, cell by cell ------------------------------------------------------------------------

NOTEBOOK = "file:///nonexistent/tf2lint-property/model.ipynb"


@st.composite
def notebook_sequences(draw) -> tuple[list[str], list[tuple[int, bool, int, int, str]]]:
    """Cell texts (the module split into cells, each with its own line-ending style), and edits as
    (cell, full change, start offset, length, new text)."""
    text, steps = draw(edit_sequences())
    lines = text.splitlines(keepends=True)
    tops = [i for i, line in enumerate(lines) if i and re.match(r"[^\s#]", line)] or [1]  # where a statement starts
    cut = draw(st.sampled_from(tops))
    cells = ["".join(lines[:cut]), "".join(lines[cut:])]
    styles = [draw(st.sampled_from(["\n", "\r\n", "\r"])) for _ in cells]
    cells = [re.sub(r"\r\n|\n", style, cell).rstrip(style) for cell, style in zip(cells, styles)]
    return cells, [(draw(st.integers(0, len(cells) - 1)), *step) for step in steps]


def _expected_cells(cells: list[str], encoding: str) -> dict[int, list]:
    document = {"cells": [{"cell_type": "code", "source": cell} for cell in cells], "metadata": {}, "nbformat": 4}
    expected: dict[int, list] = {index: [] for index in range(len(cells))}
    for f in lint_notebook(json.dumps(document).encode(), NOTEBOOK_PATH):
        text = cells[f.cell - 1]
        starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)]
        where = position(text, min(starts[min(f.line, len(starts)) - 1] + f.col, len(text)), encoding)
        expected[f.cell - 1].append((f.code, (where["line"], where["character"]), f.message))
    return {index: sorted(found) for index, found in expected.items()}


NOTEBOOK_PATH = "/nonexistent/tf2lint-property/model.ipynb"


async def _check_notebook_fix_all(client: InProcess, uris: list[str], cells: list[str], versions: list[int], encoding: str) -> int:
    """Fix-all offered for the notebook, applied cell by cell, is what `fix_notebook` makes of it."""
    checked = 0
    response = await client.request("textDocument/codeAction", {
        "textDocument": {"uri": uris[0]}, "range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
        "context": {"diagnostics": [], "only": ["source.fixAll"]},
    })
    document = {"cells": [{"cell_type": "code", "source": cell} for cell in cells], "metadata": {}, "nbformat": 4}
    fixed = fix_notebook(json.dumps(document).encode(), NOTEBOOK_PATH, Settings(), False)
    expected_cells = ["".join(c["source"]) for c in json.loads(fixed.fixed)["cells"]] if fixed else cells
    for action in response["result"] or []:
        for index, uri in enumerate(uris):
            edits, version = edits_of(action["edit"], uri)
            assert version in (None, versions[index]) and (version is not None or not edits)
            assert apply_edits(cells[index], edits, encoding) == expected_cells[index]
        checked += 1
    return checked


async def _run_notebook(encoding: str, cells: list[str], steps: list[tuple[int, bool, int, int, str]]) -> None:
    client = InProcess()
    uris = [f"{NOTEBOOK}#cell{index}" for index in range(len(cells))]
    try:
        await client.initialize({"workspace": {"workspaceEdit": {"documentChanges": True}}}, encodings=[encoding])
        client.notify("notebookDocument/didOpen", {
            "notebookDocument": {"uri": NOTEBOOK, "notebookType": "jupyter-notebook", "version": 1,
                                 "cells": [{"kind": 2, "document": uri} for uri in uris]},
            "cellTextDocuments": [{"uri": uri, "languageId": "python", "version": 1, "text": text} for uri, text in zip(uris, cells)],
        })
        versions = [1] * len(cells)
        for uri in uris:
            await client.diagnostics_for(uri, timeout=10)
        FIGURES["server actions checked"] += await _check_notebook_fix_all(client, uris, cells, versions, encoding)
        for version, (cell, full, start, length, new) in enumerate(steps, start=2):
            cells[cell], change = _edited(cells[cell], full, start, length, new, encoding)
            versions[cell] += 1
            client.diagnostics.clear()
            client.notify("notebookDocument/didChange", {
                "notebookDocument": {"uri": NOTEBOOK, "version": version},
                "change": {"cells": {"textContent": [{"document": {"uri": uris[cell], "version": versions[cell]}, "changes": [change]}]}},
            })
            for uri in uris:
                await client.diagnostics_for(uri, timeout=10)
            expected = _expected_cells(cells, encoding)
            for index, uri in enumerate(uris):
                assert client.server.workspace.get_text_document(uri).source == cells[index]
                got = sorted((d["code"], (d["range"]["start"]["line"], d["range"]["start"]["character"]), d["message"])
                             for d in client.diagnostics[uri]["diagnostics"])
                assert got == expected[index], index
            FIGURES["server edits checked"] += 1
            if not any(code == "TFS000" for found in expected.values() for code, _, _ in found):
                FIGURES["server actions checked"] += await _check_notebook_fix_all(client, uris, cells, versions, encoding)
        FIGURES["edit sequences run"] += 1
    finally:
        client.close()


@pytest.mark.parametrize("encoding", ENCODINGS)
@settings(SEQUENCES, max_examples=BUDGET or 8)
@given(sequence=notebook_sequences())
def test_the_server_follows_the_editor_in_notebook_cells(sequence, encoding: str) -> None:
    cells, steps = sequence
    asyncio.run(_run_notebook(encoding, list(cells), steps))
