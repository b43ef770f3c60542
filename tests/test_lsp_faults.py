"""Issue 22, the editor half: the server never loses what the user typed. Each test failed on the code
before that issue was fixed. Most drive the real server in this process (tests/lsp_inprocess.py)."""

from __future__ import annotations

import ast
import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_asyncio
from lsp_inprocess import InProcess, apply_edits, edits_of

from tf2lint.engine import lint_source
from tf2lint.findings import Settings
from tf2lint.fixing.write import fix_text
from tf2lint.hosts.incremental import Incremental
from tf2lint.hosts.lsp import Options
from tf2lint.rules import BY_CODE


SHIM = """\
import tensorflow as tf


class Net(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return tf.compat.v1.layers.dense(x, 3)
"""
EDITS = {"workspace": {"workspaceEdit": {"documentChanges": True}, "applyEdit": True}}


@pytest_asyncio.fixture
async def client():
    client = InProcess()
    yield client
    client.close()


def did_open(client: InProcess, uri: str, text: str, version: int = 1) -> None:
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}})


def did_change(client: InProcess, uri: str, version: int, *changes: dict) -> None:
    client.notify("textDocument/didChange", {"textDocument": {"uri": uri, "version": version}, "contentChanges": list(changes)})


async def code_actions(client: InProcess, uri: str, line: int, only: list[str] | None = None) -> list[dict]:
    where = {"start": {"line": line, "character": 0}, "end": {"line": line, "character": 0}}
    context: dict = {"diagnostics": []}
    if only:
        context["only"] = only
    response = await client.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": where, "context": context})
    return response["result"] or []


def server_text(client: InProcess, uri: str) -> str:
    return client.server.workspace.get_text_document(uri).source


# -- 1. the server's copy never drifts from the editor's ------------------------------------------------

@pytest.mark.asyncio
async def test_form_feed_line_does_not_shift_incremental_edits_or_fix_all(client: InProcess, tmp_path: Path) -> None:
    await client.initialize(EDITS)
    uri = (tmp_path / "ff.py").as_uri()
    text = SHIM.replace("\n\n\nclass", "\n\x0c\n# the user's comment\nclass")
    did_open(client, uri, text)
    await client.diagnostics_for(uri, 1)
    # The editor replaces the comment (line 2 as LSP counts: the form feed does not end a line).
    change = {"range": {"start": {"line": 2, "character": 0}, "end": {"line": 3, "character": 0}}, "text": "# typed\n"}
    editor = apply_edits(text, [{"range": change["range"], "newText": change["text"]}])
    did_change(client, uri, 2, change)
    await client.diagnostics_for(uri, 2)
    assert server_text(client, uri) == editor
    (fix_all,) = [a for a in await code_actions(client, uri, 0, ["source.fixAll"])]
    edits, _ = edits_of(fix_all["edit"], uri)
    assert apply_edits(editor, edits) == fix_text(editor, "ff.py", Settings(), False).fixed


# -- 2. applyAutofix sends a versioned edit built from the version it names -------------------------------

@pytest.mark.asyncio
async def test_apply_autofix_edit_is_versioned_and_built_from_that_version(client: InProcess, tmp_path: Path) -> None:
    await client.initialize(EDITS)
    uri = (tmp_path / "race.py").as_uri()
    texts = {1: SHIM, 2: "# typed while fixing\n" + SHIM}
    did_open(client, uri, texts[1])
    await client.diagnostics_for(uri, 1)
    pending = asyncio.ensure_future(client.request("workspace/executeCommand", {"command": "tf2lint.applyAutofix", "arguments": [uri]}))
    await asyncio.sleep(0)
    did_change(client, uri, 2, {"text": texts[2]})  # arrives while the fix is being built
    await pending
    response = await client.request("workspace/executeCommand", {"command": "tf2lint.applyAutofix", "arguments": [uri]})
    assert "error" not in response
    assert client.applied, "no edit was sent for a quiet document"
    for params in client.applied:
        edits, version = edits_of(params["edit"], uri)
        assert version in texts, "the edit names no document version"
        assert apply_edits(texts[version], edits) == fix_text(texts[version], "race.py", Settings(), False).fixed


# -- 3./4. "Disable for this line" -------------------------------------------------------------------------

async def _disable(client: InProcess, uri: str, text: str, line: int, encoding: str = "utf-16") -> str:
    did_open(client, uri, text)
    diagnostics = await client.diagnostics_for(uri, 1)
    assert any(d["range"]["start"]["line"] == line for d in diagnostics), diagnostics
    (action,) = [a for a in await code_actions(client, uri, line) if a["title"].startswith("Disable")]
    edits, _ = edits_of(action["edit"], uri)
    return apply_edits(text, edits, encoding)


@pytest.mark.parametrize("tail", [
    "dense(x, \\\n            3)\n",  # a backslash continuation
    'dense(x, 3); doc = """text\n        more"""\n',  # the line opens a triple-quoted string
])
@pytest.mark.asyncio
async def test_disable_for_this_line_goes_at_the_end_of_the_logical_line(client: InProcess, tmp_path: Path, tail: str) -> None:
    await client.initialize()
    text = SHIM.replace("dense(x, 3)\n", tail)
    fixed = await _disable(client, (tmp_path / "noqa.py").as_uri(), text, 6)
    ast.parse(fixed)
    assert not lint_source(fixed, "noqa.py"), fixed
    assert '"""text\n' in fixed if '"""' in tail else True  # the string's text is untouched


@pytest.mark.asyncio
async def test_disable_for_this_line_counts_columns_in_the_negotiated_encoding(client: InProcess, tmp_path: Path) -> None:
    response = await client.initialize(encodings=["utf-8", "utf-16"])
    assert response["result"]["capabilities"]["positionEncoding"] == "utf-8"
    text = SHIM.replace("dense(x, 3)\n", "dense(x, 3)  # größe 😀\n")
    fixed = await _disable(client, (tmp_path / "utf8.py").as_uri(), text, 6, encoding="utf-8")
    assert fixed.splitlines()[6].endswith("# größe 😀  # noqa: TFS101"), fixed


# -- 10. bad settings are reported, defaults used ------------------------------------------------------------

@pytest.mark.asyncio
async def test_bad_initialization_options_are_reported_and_defaults_used(client: InProcess, tmp_path: Path) -> None:
    response = await client.initialize(options={"select": 5})
    assert "result" in response, response
    shown = [n for n in client.notifications if n["method"] == "window/showMessage"]
    assert shown and "select" in shown[0]["params"]["message"]
    uri = (tmp_path / "defaults.py").as_uri()
    did_open(client, uri, SHIM)
    assert [d["code"] for d in await client.diagnostics_for(uri, 1)] == ["TFS101"]


@pytest.mark.parametrize("value, expected", [("false", False), ("true", True), (False, False), (True, True)])
@pytest.mark.asyncio
async def test_unsafe_fixes_given_as_a_string_means_what_it_says(value, expected) -> None:
    assert Options.parse({"unsafe-fixes": value}).unsafe_fixes is expected


# -- 12. percent-encoded URIs ------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["my%20model.py", "gr%C3%B6%C3%9Fe.py"])
@pytest.mark.asyncio
async def test_percent_encoded_uri_gets_diagnostics_and_actions(client: InProcess, tmp_path: Path, name: str) -> None:
    await client.initialize()
    uri = tmp_path.as_uri() + "/" + name
    did_open(client, uri, SHIM)
    assert [d["code"] for d in await client.diagnostics_for(uri, 1, timeout=5)] == ["TFS101"]
    assert any("TFS101" in a["title"] for a in await code_actions(client, uri, 6))


# -- 14./15. the incremental analysis equals a fresh lint ----------------------------------------------------

def test_a_stray_cr_above_a_class_keeps_tfs107_in_the_editor(monkeypatch) -> None:
    """Each group is analysed in the module text with the other groups blanked: blanking must keep every
    line break (a lone CR followed by a blanked line's LF would become one CRLF, moving the rest up)."""
    from tf2lint.hosts import incremental as module
    from tf2lint.source import physical_lines

    example = BY_CODE["TFS107"].bad[0]
    text = example.replace("v1 = tf.compat.v1\n\n\nclass Forgotten", "v1 = tf.compat.v1\n\rx = 1\nclass Forgotten")
    text = text.replace("def call(self, inputs):  # expect: TFS107\n", "def call(self, inputs):  # expect: TFS107\n        # größe\n")
    seen: list[str] = []
    real = module.lint_tree
    monkeypatch.setattr(module, "lint_tree", lambda tree, lines, path, settings, text, read: seen.append(text) or real(tree, lines, path, settings, text, read))
    expected = lint_source(text, "cr.py")
    assert [f.code for f in expected].count("TFS107") == 2
    assert Incremental(seed=False).analyse("cr", text, "cr.py", Settings()) == expected
    assert seen and all(len(physical_lines(t)) == len(physical_lines(text)) for t in seen)


def test_typing_after_a_backslash_reparses_from_the_logical_line() -> None:
    incremental = Incremental()
    before = "import tensorflow as tf\nx = 1 \\\n\ny = 2\n"
    after = "import tensorflow as tf\nx = 1 \\\nfoo\ny = 2\n"
    assert incremental.analyse("bs", before, "bs.py", Settings()) == lint_source(before, "bs.py")
    expected = lint_source(after, "bs.py")
    assert [f.code for f in expected] == ["TFS000"]
    assert incremental.analyse("bs", after, "bs.py", Settings()) == expected


# -- smaller: invalid parameters, long file names -------------------------------------------------------------

@pytest.mark.asyncio
async def test_a_request_with_invalid_parameters_gets_an_error_response(client: InProcess, tmp_path: Path) -> None:
    await client.initialize()
    uri = (tmp_path / "hover.py").as_uri()
    did_open(client, uri, SHIM)
    response = await client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": {"line": -1, "character": 0}}, timeout=5)
    assert response["error"]["code"] == -32602  # InvalidParams


@pytest.mark.asyncio
async def test_a_300_character_file_name_is_no_internal_error(client: InProcess, tmp_path: Path) -> None:
    await client.initialize()
    uri = (tmp_path / ("m" * 300 + ".py")).as_uri()
    did_open(client, uri, SHIM)
    assert [d["code"] for d in await client.diagnostics_for(uri, 1, timeout=10)] == ["TFS101"]
    await code_actions(client, uri, 6)
    logged = [n["params"]["message"] for n in client.notifications if n["method"] == "window/logMessage"]
    assert not [m for m in logged if "internal error" in m], logged


# -- 17./smaller: the process: exit codes and headers ---------------------------------------------------------

def _frame(payload: dict, header: str = "Content-Length") -> bytes:
    body = json.dumps(payload).encode()
    return f"{header}: {len(body)}\r\n\r\n".encode() + body


INITIALIZE = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}}


def _server(frames: bytes) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tf2lint", "server"], input=frames, capture_output=True, timeout=60,
                          env={**os.environ, "PYTHONWARNINGS": "ignore"})


def test_exit_without_shutdown_ends_with_code_1_and_after_shutdown_0() -> None:
    initialized = {"jsonrpc": "2.0", "method": "initialized", "params": {}}
    exit_ = {"jsonrpc": "2.0", "method": "exit"}
    shutdown = {"jsonrpc": "2.0", "id": 2, "method": "shutdown"}
    assert _server(_frame(INITIALIZE) + _frame(initialized) + _frame(exit_)).returncode == 1
    assert _server(_frame(INITIALIZE) + _frame(initialized) + _frame(shutdown) + _frame(exit_)).returncode == 0


def test_a_lowercase_content_length_header_is_read() -> None:
    shutdown = {"jsonrpc": "2.0", "id": 2, "method": "shutdown"}
    exit_ = {"jsonrpc": "2.0", "method": "exit"}
    result = _server(_frame(INITIALIZE, "content-length") + _frame(shutdown) + _frame(exit_))
    assert b'"id": 1' in result.stdout and b'"capabilities"' in result.stdout, result.stdout[:300]


# -- 7. in the editor too: a notebook cell with CR line endings gets its fix, in its own line breaks ---------

@pytest.mark.asyncio
@pytest.mark.parametrize("newline", ["\r", "\r\n"])
async def test_fix_all_in_a_notebook_cell_with_cr_line_endings(client: InProcess, tmp_path: Path, newline: str) -> None:
    await client.initialize(EDITS)
    notebook = (tmp_path / "cells.ipynb").as_uri()
    sources = ["import tensorflow as tf", SHIM.split("\n\n\n")[1].rstrip("\n").replace("\n", newline)]
    uris = [f"{notebook}#cell{index}" for index in range(len(sources))]
    client.notify("notebookDocument/didOpen", {
        "notebookDocument": {"uri": notebook, "notebookType": "jupyter-notebook", "version": 1,
                             "cells": [{"kind": 2, "document": uri} for uri in uris]},
        "cellTextDocuments": [{"uri": uri, "languageId": "python", "version": 1, "text": text} for uri, text in zip(uris, sources)],
    })
    diagnostics = await client.diagnostics_for(uris[1])
    assert [d["code"] for d in diagnostics] == ["TFS101"]
    (fix_all,) = [a for a in await code_actions(client, uris[1], 0, ["source.fixAll"])]
    edits, version = edits_of(fix_all["edit"], uris[1])
    assert version == 1
    assert apply_edits(sources[1], edits) == sources[1].replace("dense(x, 3)", 'dense(x, 3, name="dense")')
