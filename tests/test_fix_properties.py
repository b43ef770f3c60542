"""Issue 22, the class of bug: fixes change only what they fix, byte for byte.

Files: every rule's bad example, spelled with each line-ending style (LF, CRLF, CR), in UTF-8 with or
without a BOM or in Latin-1 under a coding cookie, with or without a final line break, non-ASCII and form-feed lines; after `--fix` (safe and unsafe) the BOM and the
line-ending style are the file's, and every line outside the top-level statements that hold a fixed
finding or that its edits touch is byte-identical (an added import is the one other change allowed).

Notebooks: the same examples as code cells (source as a string or a list, cell line endings LF, CRLF
or CR) in every JSON layout (indent 1, 2, 4, tab or none; ASCII escaping or not; LF or CRLF between
tokens; BOM; final newline or not); after fixing, the file's text outside the code cells' `source`
values is byte-identical. Where those values are is found from the document itself (dumped again with
placeholders), not with the code under test.

CI runs a fixed sample (`derandomize`); TF2LINT_FIX_EXAMPLES=500 draws fresh ones.
"""

from __future__ import annotations

import ast
import codecs
import difflib
import json
import os
import re

from conftest import FIGURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tf2lint.engine import lint_source
from tf2lint.findings import Settings
from tf2lint.fixing.notebook import fix_notebook
from tf2lint.fixing.write import fix_file
from tf2lint.rules import RULES
from tf2lint.source import LINE_BREAK, decode, physical_lines

BUDGET = int(os.environ.get("TF2LINT_FIX_EXAMPLES", "0"))
EXAMPLES_SETTINGS = settings(
    max_examples=BUDGET or 60, deadline=None, database=None, derandomize=not BUDGET,
    suppress_health_check=list(HealthCheck),
)
EXAMPLES = [source for rule in RULES for source in rule.bad]
EXTRA = ["# größe 😀\n", "\x0c\n", "\n", "# a comment\n"]


@st.composite
def sources(draw) -> str:
    lines = draw(st.sampled_from(EXAMPLES)).splitlines(keepends=True)
    for _ in range(draw(st.integers(0, 2))):
        lines.insert(draw(st.integers(1, len(lines))), draw(st.sampled_from(EXTRA)))
    text = "".join(lines)
    return text if draw(st.booleans()) else text.rstrip("\n")


def _allowed_lines(text: str) -> set[int]:
    """1-based lines of the top-level statements a fix may change: those holding a finding with a fix, and
    those its edits touch (an unsafe TFS101 fix wraps the shim method that reaches the helper)."""
    tree = ast.parse(text)
    spans = [(min([s.lineno, *(d.lineno for d in getattr(s, "decorator_list", ()))]), s.end_lineno or s.lineno) for s in tree.body]
    touched: set[int] = set()
    for finding in lint_source(text, "f.py", fixes=True):
        if finding.fix:
            touched.add(finding.line)
            for edit in finding.fix["edits"]:
                touched.update(range(edit["line"], max(edit["end_line"], edit["line"] + 1)))
    allowed: set[int] = set()
    for first, last in spans:
        if any(first <= line <= last for line in touched):
            allowed.update(range(first, last + 1))
    return allowed


@EXAMPLES_SETTINGS
@given(source=sources(), newline=st.sampled_from(["\n", "\r\n", "\r"]), encoding=st.sampled_from(["utf-8", "bom", "latin-1"]),
       unsafe=st.booleans())
def test_a_file_fix_keeps_every_byte_outside_the_fixed_statements(source: str, newline: str, encoding: str, unsafe: bool) -> None:
    bom = encoding == "bom"
    if encoding == "latin-1":  # a coding cookie, and text that encoding can hold
        source = "# -*- coding: latin-1 -*-\n" + source.replace("😀", "é")
    text = source.replace("\n", newline)
    data = (codecs.BOM_UTF8 if bom else b"") + text.encode("latin-1" if encoding == "latin-1" else "utf-8")
    result = fix_file("f.py", data, Settings(), unsafe, write=False)
    out = result.encode(result.fixed)
    FIGURES["fixed files byte-checked"] += 1
    assert out.startswith(codecs.BOM_UTF8) == bom
    fixed = decode(out)
    assert set(LINE_BREAK.findall(fixed)) <= {newline}, "a line break of another style"
    assert fixed.endswith(newline) == text.endswith(newline)
    allowed = _allowed_lines(text)
    old, new = physical_lines(text), physical_lines(fixed)
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if i1 == i2 and all(re.match(r"(import|from) \w", line) for line in new[j1:j2]):
            continue  # an added import
        assert set(range(i1 + 1, i2 + 1)) <= allowed and (i1 < i2 or i1 in allowed or i1 + 1 in allowed), (tag, old[i1:i2], new[j1:j2])


LAYOUTS = st.fixed_dictionaries({
    "indent": st.sampled_from([1, 2, 4, "\t", None]),
    "ensure_ascii": st.booleans(),
    "crlf": st.booleans(),
    "bom": st.booleans(),
    "final_newline": st.booleans(),
})


def _document(source: str, as_list: bool) -> dict:
    def cell(kind: str, text: str, **more) -> dict:
        return {"cell_type": kind, "id": f"c{len(cells)}", "metadata": {}, "source": text.splitlines(True) if as_list else text, **more}

    cells: list[dict] = []
    cells.append(cell("markdown", "# Modèle 😀\n![plot](attachment:p.png)", attachments={"p.png": {"image/png": "iVBO"}}))
    cells.append(cell("code", source, execution_count=1, outputs=[{"output_type": "stream", "name": "stdout", "text": ["ok\n"]}]))
    cells.append(cell("code", "print('fin')", execution_count=None, outputs=[]))
    metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    return {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}


def _dump(document: dict, layout: dict) -> str:
    text = json.dumps(document, indent=layout["indent"], ensure_ascii=layout["ensure_ascii"]) + "\n" * layout["final_newline"]
    return text.replace("\n", "\r\n") if layout["crlf"] else text


@EXAMPLES_SETTINGS
@given(source=sources(), newline=st.sampled_from(["\n", "\r\n", "\r"]), as_list=st.booleans(), layout=LAYOUTS, unsafe=st.booleans())
def test_a_notebook_fix_keeps_every_byte_outside_the_code_sources(source: str, newline: str, as_list: bool, layout: dict, unsafe: bool) -> None:
    document = _document(source.replace("\n", newline), as_list)
    text = _dump(document, layout)
    data = (codecs.BOM_UTF8 if layout["bom"] else b"") + text.encode("utf-8")
    # The same document with each code cell's source replaced by a marker: what lies between is fixed.
    marked = json.loads(json.dumps(document))
    for index, cell in enumerate(marked["cells"]):
        if cell["cell_type"] == "code":
            cell["source"] = f"@@source {index}@@"
    segments = re.split(r'"@@source \d+@@"', _dump(marked, layout))
    pattern = re.compile("(.*?)".join(re.escape(s) for s in segments), re.DOTALL)
    assert pattern.fullmatch(text)  # the pattern itself is right

    result = fix_notebook(data, "nb.ipynb", Settings(), unsafe)
    FIGURES["fixed notebooks byte-checked"] += 1
    out = result.encode(result.fixed)
    assert out.startswith(codecs.BOM_UTF8) == layout["bom"]
    match = pattern.fullmatch(out.decode("utf-8-sig"))
    assert match, "bytes outside the code cells' sources changed"
    fixed_cells = [c for c in json.loads(out.decode("utf-8-sig"))["cells"] if c["cell_type"] == "code"]
    for value, cell in zip(match.groups(), fixed_cells):
        assert json.loads(value) == cell["source"] and isinstance(cell["source"], list) == as_list
        assert set(LINE_BREAK.findall("".join(cell["source"]))) <= {newline}
