"""`tf2lint server` end to end: a real LSP client (pytest-lsp) talking to the real server process."""

from __future__ import annotations

import asyncio
import sys
import textwrap
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

from tf2lint.engine import lint_source
from tf2lint.rules import BY_CODE
from tf2lint.source import physical_lines

SERVER = [sys.executable, "-m", "tf2lint", "server"]

TWO_LAYERS = """\
import tensorflow as tf


class Net(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        h = tf.compat.v1.layers.dense(x, 3)
        return tf.compat.v1.layers.dense(h, 4)
"""

PLAIN_FUNCTION = """

@tf.compat.v1.keras.utils.track_tf1_style_variables
def plain(x):
    return x
"""

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_lsp.fixture(config=ClientServerConfig(server_command=SERVER), scope="module")
async def client(lsp_client: LanguageClient):
    lsp_client.applied = []

    @lsp_client.feature(types.WORKSPACE_APPLY_EDIT)
    def apply_edit(ls, params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        ls.applied.append(params.edit)
        return types.ApplyWorkspaceEditResult(applied=True)

    await lsp_client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    yield
    await lsp_client.shutdown_session()


async def until(condition, timeout: float = 20.0):
    """Wait until ``condition()`` is true (diagnostics arrive asynchronously)."""
    for _ in range(int(timeout / 0.02)):
        value = condition()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError("timed out waiting for the server")


def open_doc(client: LanguageClient, uri: str, text: str, version: int = 1) -> None:
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", version, text)))


def change_doc(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        types.VersionedTextDocumentIdentifier(version, uri), [types.TextDocumentContentChangeWholeDocument(text)]
    ))


def codes(client: LanguageClient, uri: str) -> list[tuple[int, str]]:
    return [(d.range.start.line + 1, d.code) for d in client.diagnostics.get(uri, [])]


def apply_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply whole-line / end-of-line LSP edits (ASCII text) the way a client does."""
    lines = physical_lines(text)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))

    def offset(position: types.Position) -> int:
        return offsets[min(position.line, len(lines))] + position.character

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


async def actions(client: LanguageClient, uri: str, line: int, only=None) -> list[types.CodeAction]:
    where = types.Range(types.Position(line - 1, 0), types.Position(line - 1, 0))
    result = await client.text_document_code_action_async(types.CodeActionParams(
        types.TextDocumentIdentifier(uri), where, types.CodeActionContext(diagnostics=[], only=only)
    ))
    return list(result or [])


async def test_open_reports_each_unnamed_layer_with_quick_fix_and_fix_all(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "net.py").as_uri()
    open_doc(client, uri, TWO_LAYERS)
    await until(lambda: uri in client.diagnostics)
    assert codes(client, uri) == [(7, "TFS101"), (8, "TFS101")]
    first = client.diagnostics[uri][0]
    assert first.source == "tf2lint" and first.severity == types.DiagnosticSeverity.Warning
    assert first.code_description.href.endswith("/rules/TFS101.md")
    assert (first.range.start.character, first.range.end.line, first.range.end.character) == (12, 6, 43)
    assert "`Net.call`" in first.message  # the chain from the shim method

    quick = [a for a in await actions(client, uri, 7) if a.kind == types.CodeActionKind.QuickFix and "Disable" not in a.title]
    assert quick, "no quick fix offered"
    fixed = apply_edits(TWO_LAYERS, quick[0].edit.changes[uri])
    remaining = [f.line for f in lint_source(fixed, "net.py") if f.code == "TFS101"]
    assert len(remaining) == 1, fixed

    fix_all = [a for a in await actions(client, uri, 1, only=["source.fixAll"]) if a.kind == "source.fixAll.tf2lint"]
    assert len(fix_all) == 1
    assert not lint_source(apply_edits(TWO_LAYERS, fix_all[0].edit.changes[uri]), "net.py")


async def test_unsafe_fix_says_so(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "scope.py").as_uri()
    source = TWO_LAYERS.replace("h = tf", "with tf.compat.v1.variable_scope(None, default_name='m'):\n            h = tf")
    open_doc(client, uri, source)
    await until(lambda: "TFS102" in {c for _, c in codes(client, uri)})
    titles = [a.title for a in await actions(client, uri, 7)]
    assert any(t.endswith("(TFS102) (unsafe)") for t in titles), titles


async def test_broken_document_gives_tfs000_and_the_server_lives_on(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "broken.py").as_uri()
    open_doc(client, uri, TWO_LAYERS)
    await until(lambda: codes(client, uri))
    for version, text in enumerate(["def broken(:\n", "import tensorflow\n\0\n", "import tensorflow\n" + "x = 1\n" * 1_700_000], 2):
        change_doc(client, uri, text, version)
        await until(lambda: [c for _, c in codes(client, uri)] == ["TFS000"])
        assert client.diagnostics[uri][0].severity == types.DiagnosticSeverity.Error
        change_doc(client, uri, TWO_LAYERS, version + 10)
        await until(lambda: [c for _, c in codes(client, uri)] == ["TFS101", "TFS101"])
    info = await client.workspace_execute_command_async(types.ExecuteCommandParams("tf2lint.serverInfo"))
    assert info["version"]


async def test_newest_version_wins(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "typing.py").as_uri()
    open_doc(client, uri, "import tensorflow as tf\n")
    lines = TWO_LAYERS.splitlines(True)
    for version in range(2, len(lines) + 2):  # typed quickly, line by line
        change_doc(client, uri, "".join(lines[: version - 1]), version)
    # Only the last version has two findings; after it, no older version's diagnostics may arrive.
    expected = [(f.line, f.code) for f in lint_source(TWO_LAYERS, "typing.py")]
    await until(lambda: codes(client, uri) == expected)
    await asyncio.sleep(1.0)
    assert codes(client, uri) == expected


async def test_noqa_action_and_hover(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "noqa.py").as_uri()
    source = TWO_LAYERS.replace("dense(h, 4)", "dense(h, 4)  # noqa: TFS106")
    open_doc(client, uri, source)
    await until(lambda: len(codes(client, uri)) == 2)
    [added] = [a for a in await actions(client, uri, 7) if a.title == "Disable TFS101 for this line"]
    [extended] = [a for a in await actions(client, uri, 8) if a.title == "Disable TFS101 for this line"]
    added, extended = apply_edits(source, added.edit.changes[uri]), apply_edits(source, extended.edit.changes[uri])
    assert "dense(x, 3)  # noqa: TFS101\n" in added
    assert "# noqa: TFS106, TFS101\n" in extended
    assert len(lint_source(added, "noqa.py")) == 1 and len(lint_source(extended, "noqa.py")) == 1

    column = source.splitlines()[7].index("TFS106") + 2
    hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(7, column)))
    rule = BY_CODE["TFS106"]
    assert rule.summary in hover.contents.value and rule.docs.why in hover.contents.value
    nothing = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(7, 4)))
    assert nothing is None


async def test_notebook_cells(client: LanguageClient, tmp_path: Path) -> None:
    notebook = (tmp_path / "nb.ipynb").as_uri()
    sources = ["%pip install tensorflow\nimport tensorflow as tf", TWO_LAYERS.split("\n\n\n", 1)[1], "def broken(:"]
    cells = [f"{notebook}#cell{i}" for i in range(3)]
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        types.NotebookDocument(notebook, "jupyter-notebook", 1,
                               [types.NotebookCell(types.NotebookCellKind.Code, c) for c in cells]),
        [types.TextDocumentItem(c, "python", 1, s) for c, s in zip(cells, sources)],
    ))
    await until(lambda: codes(client, cells[1]) and codes(client, cells[2]))
    assert codes(client, cells[0]) == []
    assert codes(client, cells[1]) == [(4, "TFS101"), (5, "TFS101")]  # lines inside the cell
    assert codes(client, cells[2]) == [(1, "TFS000")]
    fix_all = [a for a in await actions(client, cells[1], 1, only=["source.fixAll"])]
    assert list(fix_all[0].edit.changes) == [cells[1]]  # the edit goes to the cell
    fixed = apply_edits(sources[1], fix_all[0].edit.changes[cells[1]])
    assert 'name="dense_1"' in fixed and "%pip" not in fixed
    client.notebook_document_did_change(types.DidChangeNotebookDocumentParams(
        types.VersionedNotebookDocumentIdentifier(2, notebook),
        types.NotebookDocumentChangeEvent(cells=types.NotebookDocumentCellChanges(text_content=[
            types.NotebookDocumentCellContentChanges(types.VersionedTextDocumentIdentifier(2, cells[1]),
                                                     [types.TextDocumentContentChangeWholeDocument(fixed)])
        ])),
    ))
    await until(lambda: codes(client, cells[1]) == [])


async def test_notebook_cell_read_as_ipython_reads_it(client: LanguageClient, tmp_path: Path) -> None:
    """An indented cell (IPython dedents it) is checked, and its diagnostic sits at the cell's own column."""
    notebook = (tmp_path / "indented.ipynb").as_uri()
    cell = f"{notebook}#cell0"
    source = "  " + TWO_LAYERS.replace("\n", "\n  ")
    client.notebook_document_did_open(types.DidOpenNotebookDocumentParams(
        types.NotebookDocument(notebook, "jupyter-notebook", 1, [types.NotebookCell(types.NotebookCellKind.Code, cell)]),
        [types.TextDocumentItem(cell, "python", 1, source)],
    ))
    await until(lambda: codes(client, cell))
    expected = [(f.line, f.col + 2) for f in lint_source(TWO_LAYERS, "two.py")]
    assert [(d.range.start.line + 1, d.range.start.character) for d in client.diagnostics[cell]] == expected


async def test_apply_autofix_command(client: LanguageClient, tmp_path: Path) -> None:
    uri = (tmp_path / "command.py").as_uri()
    open_doc(client, uri, TWO_LAYERS)
    await client.workspace_execute_command_async(types.ExecuteCommandParams("tf2lint.applyAutofix", [uri]))
    await until(lambda: client.applied)
    assert not lint_source(apply_edits(TWO_LAYERS, client.applied[-1].changes[uri]), "command.py")


async def test_internal_error_is_logged_and_the_server_lives_on(client: LanguageClient) -> None:
    await client.workspace_execute_command_async(types.ExecuteCommandParams("tf2lint.applyAutofix", [42]))
    await until(lambda: any("internal error" in m.message for m in client.log_messages))
    info = await client.workspace_execute_command_async(types.ExecuteCommandParams("tf2lint.serverInfo"))
    assert info["version"]


async def test_never_imports_tensorflow_or_user_code(client: LanguageClient, tmp_path: Path) -> None:
    marker = tmp_path / "imported"
    module = tmp_path / "user_model.py"
    module.write_text(f"open({str(marker)!r}, 'w').close()\n" + TWO_LAYERS)
    open_doc(client, module.as_uri(), module.read_text())
    await until(lambda: module.as_uri() in client.diagnostics)
    info = await client.workspace_execute_command_async(types.ExecuteCommandParams("tf2lint.serverInfo"))
    assert info["imported"] == [] and not marker.exists()


async def test_configuration_from_pyproject_and_client(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.tf2lint]\nignore = ["TFS101"]\n')
    uri = (tmp_path / "cfg.py").as_uri()
    open_doc(client, uri, TWO_LAYERS + PLAIN_FUNCTION)
    await until(lambda: uri in client.diagnostics)
    assert [c for _, c in codes(client, uri)] == ["TFS108"]
    assert client.diagnostics[uri][0].severity == types.DiagnosticSeverity.Error  # it raises at runtime
    (tmp_path / "pyproject.toml").write_text('[tool.tf2lint]\nignore = []\n')
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(
        [types.FileEvent((tmp_path / "pyproject.toml").as_uri(), types.FileChangeType.Changed)]
    ))
    await until(lambda: [c for _, c in codes(client, uri)] == ["TFS101", "TFS101", "TFS108"])
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams({"tf2lint": {"ignore": ["TFS108"]}}))
    await until(lambda: [c for _, c in codes(client, uri)] == ["TFS101", "TFS101"])
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams({"tf2lint": {"select": ["TFS108"]}}))
    await until(lambda: [c for _, c in codes(client, uri)] == ["TFS108"])
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams({}))
    await until(lambda: len(codes(client, uri)) == 3)


async def test_a_bad_pyproject_is_logged_and_defaults_apply(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.tf2lint]\nbogus = 1\n")
    uri = (tmp_path / "badcfg.py").as_uri()
    open_doc(client, uri, TWO_LAYERS)
    await until(lambda: uri in client.diagnostics)
    assert codes(client, uri) == [(7, "TFS101"), (8, "TFS101")]
    assert any("unknown key 'bogus' in [tool.tf2lint]" in m.message for m in client.log_messages)


# -- separate server processes -----------------------------------------------------------------------


async def _start(*command: str) -> LanguageClient:
    return await ClientServerConfig(server_command=list(command) or SERVER).start()


async def test_initialization_options_then_shutdown_and_exit_with_code_0(tmp_path: Path) -> None:
    client = await _start()
    await client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(), initialization_options={"select": ["TFS108"], "unsafe-fixes": True}
    ))
    uri, toml = (tmp_path / "init.py").as_uri(), (tmp_path / "pyproject.toml").as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(toml, "toml", 1, "import tensorflow")))
    open_doc(client, uri, TWO_LAYERS + PLAIN_FUNCTION)
    await until(lambda: uri in client.diagnostics)
    assert [c for _, c in codes(client, uri)] == ["TFS108"]
    assert toml not in client.diagnostics  # only Python is analysed
    await client.shutdown_session()
    assert client._server.returncode == 0
    await client.stop()


async def test_pull_diagnostics_when_the_client_offers_them(tmp_path: Path) -> None:
    client = await _start()
    capabilities = types.ClientCapabilities(text_document=types.TextDocumentClientCapabilities(
        diagnostic=types.DiagnosticClientCapabilities()
    ))
    await client.initialize_session(types.InitializeParams(capabilities=capabilities))
    uri = (tmp_path / "pull.py").as_uri()
    open_doc(client, uri, TWO_LAYERS)
    report = await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(types.TextDocumentIdentifier(uri)))
    assert [(d.range.start.line + 1, d.code) for d in report.items] == [(7, "TFS101"), (8, "TFS101")]
    await asyncio.sleep(0.2)
    assert uri not in client.diagnostics  # pulled, so not pushed as well
    await client.shutdown_session()
    await client.stop()


async def test_editing_a_helper_refreshes_the_modules_that_depend_on_it(tmp_path: Path) -> None:
    """The adapter's seams, as whole-project analysis will use them: `dependents` names what to refresh
    when a module changes; `analyse` may point a finding at another module (relatedInformation)."""
    script = tmp_path / "seam_server.py"
    script.write_text(textwrap.dedent("""\
        import dataclasses
        from tf2lint.hosts import lsp

        class Project(lsp.Tf2lintServer):
            def dependents(self, path):
                return set(self._open_uris())

            def analyse(self, uri, text, version, flags=0, fixes=False):
                found = super().analyse(uri, text, version, flags, fixes)
                helper = lsp._path_of(uri).replace("model.py", "helper.py")
                return [dataclasses.replace(f, related=(helper, 2, 4)) for f in found]

        lsp.create_server(Project).start_io()
    """))
    client = await _start(sys.executable, str(script))
    await client.initialize_session(types.InitializeParams(capabilities=types.ClientCapabilities()))
    model, helper = (tmp_path / "model.py").as_uri(), (tmp_path / "helper.py").as_uri()
    open_doc(client, model, TWO_LAYERS)
    open_doc(client, helper, "def helper(x):\n    return x\n")
    await until(lambda: model in client.diagnostics and helper in client.diagnostics)
    before = client.diagnostics[model]  # each publication is a new list
    change_doc(client, helper, "def helper(x):\n    return x + 1\n", 2)
    await until(lambda: client.diagnostics[model] is not before)
    assert codes(client, model) == [(7, "TFS101"), (8, "TFS101")]
    [related] = client.diagnostics[model][0].related_information
    assert (related.location.uri, related.location.range.start, related.message) == (
        helper, types.Position(1, 4), "TFS101: the code this is about")
    await client.shutdown_session()
    await client.stop()


HELPER = """\
import tensorflow as tf


def block(x):
    return tf.compat.v1.layers.dense(x, 3)
"""

MODEL = """\
import tensorflow as tf

from helper import block


class Net(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return block(x)
"""


async def test_a_helper_in_another_module_points_there_and_refreshes_its_users(client: LanguageClient, tmp_path: Path) -> None:
    (tmp_path / "helper.py").write_text(HELPER)
    model, helper = (tmp_path / "model.py").as_uri(), (tmp_path / "helper.py").as_uri()
    open_doc(client, model, MODEL)
    await until(lambda: model in client.diagnostics)
    assert codes(client, model) == [(9, "TFS101")]  # reported where the path leaves this module
    [related] = client.diagnostics[model][0].related_information
    assert (related.location.uri, related.location.range.start.line) == (helper, 4)
    before = client.diagnostics[model]
    open_doc(client, helper, HELPER)
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(helper)))
    await until(lambda: client.diagnostics[model] is not before)  # re-analysed because it reads helper.py


async def test_checkpoint_name_drift_with_a_configured_lock(client: LanguageClient, tmp_path: Path) -> None:
    """TFS115 in the editor: the project's `variables-lock`, the same findings as the CLI."""
    from conftest import write_baseline_lock

    rule = BY_CODE["TFS115"]
    path = tmp_path / "drifted.py"
    write_baseline_lock(tmp_path, [str(path)])
    (tmp_path / "pyproject.toml").write_text('[tool.tf2lint]\nvariables-lock = "variables.lock"\n')
    uri = path.as_uri()
    open_doc(client, uri, rule.bad[0])
    await until(lambda: uri in client.diagnostics)
    expected = [(line, code) for line, code in __import__("tf2lint.rules.base", fromlist=["x"]).expected_findings(rule.bad[0])]
    assert codes(client, uri) == expected
