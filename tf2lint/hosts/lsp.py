"""`tf2lint server`: a Language Server Protocol server over stdio, on pygls 2 and lsprotocol.

Diagnostics are pushed after each open/change/save (an edit that finds the server idle is analysed at
once, a burst of edits is debounced; the newest version wins and results for an older version are
dropped), or pulled with `textDocument/diagnostic` by clients that support
it (they then get no pushed diagnostics, so nothing shows twice). Code actions: a quick fix per
fixable finding (unsafe ones say so), `source.fixAll.tf2lint` (safe fixes), "Disable TFSxxx for this
line"; the `tf2lint.applyAutofix` command does the same for clients without code actions. Hover on a
code in a `# noqa:` comment explains the rule. Notebooks come through notebook document sync: their
code cells are one virtual module (as in `tf2lint check`), diagnostics and edits go to each cell.

Edits are analysed incrementally (tf2lint/hosts/incremental.py): only the top-level statements an edit
can affect are parsed and analysed again, with the findings of a fresh `lint_source`.

What the user typed is never lost: documents count lines as LSP does (`_Document`), every position
goes through pygls' codec for the negotiated encoding, uris are looked up however the client encodes
them, and every edit names the document version it was built from (tests/test_lsp_faults.py, and the
property test tests/test_lsp_properties.py).

The server never imports TensorFlow or the user's code: it only parses text (see `tf2lint.serverInfo`).
"""

from __future__ import annotations

import ast
import asyncio
import gc
import json
import logging
import os
import re
import sys
import threading
import tokenize
import traceback
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from functools import wraps
from io import StringIO
from pathlib import Path
from urllib.parse import unquote

from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.protocol import LanguageServerProtocol
from pygls.uris import from_fs_path, to_fs_path
from pygls.workspace import TextDocument, Workspace
from pygls.workspace.position_codec import ServerTextPosition, ServerTextRange

from tf2lint import DOCS_URL, __version__
from tf2lint.engine import NOQA
from tf2lint.findings import Finding, Settings
from tf2lint.hosts import config, files
from tf2lint.hosts.lsp_analysis import ServerAnalysis
from tf2lint.notebook import NotebookError
from tf2lint.rules import BY_CODE, PARSE_ERROR
from tf2lint.source import SourceError, decode, physical_lines, read

NAME = "tf2lint"
FIX_ALL = "source.fixAll.tf2lint"
APPLY_AUTOFIX = "tf2lint.applyAutofix"
SERVER_INFO = "tf2lint.serverInfo"
DEBOUNCE = 0.03  # seconds of quiet before analysing a burst of edits (a lone edit is analysed at once)
MAX_CHARS = 5_000_000  # larger buffers are reported (TFS000), not analysed: the editor must stay responsive

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Options:
    """What the client configures (initializationOptions / didChangeConfiguration) over pyproject.toml."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool = False

    @classmethod
    def parse(cls, value: object) -> Options:
        """From `{"select": [...], "ignore": [...], "unsafe-fixes": bool}`, optionally under a `tf2lint` key."""
        if not isinstance(value, dict):
            return cls()
        value = value.get(NAME, value) if isinstance(value.get(NAME), dict) else value

        def codes(key: str) -> tuple[str, ...]:
            raw = value.get(key) or []
            raw = raw.split(",") if isinstance(raw, str) else raw
            if not isinstance(raw, list) or not all(isinstance(c, str) for c in raw):
                raise config.ConfigError(f"tf2lint.{key}: expected a list of rule codes, got {raw!r}")
            return config.validate_codes([c for c in raw if c.strip()], f"tf2lint.{key}")

        unsafe = value.get("unsafe-fixes", value.get("unsafeFixes", False))
        if isinstance(unsafe, str) and unsafe.strip().lower() in ("true", "false"):
            unsafe = unsafe.strip().lower() == "true"  # settings UIs send strings: "false" is not true
        if not isinstance(unsafe, bool):
            raise config.ConfigError(f"tf2lint.unsafe-fixes: expected true or false, got {unsafe!r}")
        return cls(codes("select"), codes("ignore"), unsafe)


@dataclass
class Analysis:
    """The findings for one version of a document. For a notebook, `text` is the virtual module and
    `findings` carry virtual lines; `cells` maps cell number -> cell uri and `origin` lines back."""

    version: int | None
    text: str
    path: str
    settings: Settings
    findings: list[Finding]
    cells: dict[int, str] = field(default_factory=dict)
    origin: list[tuple[int, int]] = field(default_factory=list)
    shift: list[int] = field(default_factory=list)  # notebook: virtual line - 1 -> columns IPython's dedent removed
    sources: dict[str, str] = field(default_factory=dict)  # notebook: cell uri -> its text
    broken: list[Finding] = field(default_factory=list)  # notebook: TFS000 of cells that do not parse (cell lines)
    flags: int = 0  # compile flags the text was analysed with
    versions: dict[str, int | None] = field(default_factory=dict)  # notebook: cell uri -> the version analysed
    fixes: dict[tuple[int, int, str], dict] | None = None  # (line, col, code) -> fix, built on first request


def _path_of(uri: str) -> str:
    """The file a uri names: `file:///c%3A/my%20model.py` is `c:/my model.py`."""
    return unquote(to_fs_path(uri) or uri)


class _Document(TextDocument):
    """A text document whose lines are LSP's: only `\r\n`, `\r` and `\n` end a line (pygls splits with
    `str.splitlines`, which also breaks on form feeds, `\x1c`-`\x1e`, `\x85` and U+2028/9, so incremental
    edits below such a character would land on the wrong line)."""

    @property
    def lines(self) -> list[str]:  # type: ignore[override]
        return physical_lines(self.source)


class _Workspace(Workspace):
    def _create_text_document(self, doc_uri, source=None, version=None, language_id=None) -> TextDocument:
        return _Document(doc_uri, source=source, version=version, language_id=language_id,
                         sync_kind=self._sync_kind, position_codec=self._position_codec)


class _Protocol(LanguageServerProtocol):
    """pygls' protocol, answering a request whose parameters do not deserialise (pygls drops it, and the
    client waits forever) with the JSON-RPC error."""

    def structure_message(self, data: dict):
        try:
            return super().structure_message(data)
        except JsonRpcException as exc:
            if isinstance(data, dict) and "id" in data and "method" in data:
                self._send_response(data["id"], error=exc.to_response_error())
            raise


class _Headers:
    """Standard input as pygls reads it, with header names matched case-insensitively (HTTP header
    names, and so the base protocol's, are case-insensitive; pygls only knows `Content-Length`)."""

    _LENGTH = re.compile(rb"content-length:[ \t]*(\d+)[ \t]*\r?\n", re.IGNORECASE)

    def __init__(self, stream) -> None:
        self._stream = stream

    def readline(self) -> bytes:
        line = self._stream.readline()
        length = self._LENGTH.fullmatch(line)
        return b"Content-Length: %d\r\n" % int(length.group(1)) if length else line

    def read(self, size: int = -1) -> bytes:
        return self._stream.read(size)


class _Buffers(dict):
    """Open documents' text by path, mirrored into the analysis' overlay of unsaved buffers."""

    def __init__(self, analysis: ServerAnalysis) -> None:
        super().__init__()
        self._analysis = analysis

    def __setitem__(self, path: str, text: str) -> None:
        super().__setitem__(path, text)
        self._analysis.show_buffer(path, text)

    def pop(self, path: str, *default):  # type: ignore[override]
        self._analysis.drop_buffer(path)
        return super().pop(path, *default)


class Tf2lintServer(LanguageServer):
    def __init__(self) -> None:
        sync = types.NotebookDocumentSyncOptions(
            notebook_selector=[
                types.NotebookDocumentFilterWithCells(cells=[types.NotebookCellLanguage(language="python")], notebook="*")
            ],
            save=True,
        )
        super().__init__(NAME, __version__, notebook_document_sync=sync, protocol_cls=_Protocol)
        self.options = Options()
        self.shut_down = False  # `shutdown` came before `exit` (the exit code says so)
        # Unsaved contents of open Python documents, path -> text: what whole-project analysis must read
        # instead of the disk (SEAM 1 passes it on).
        self.analysis = ServerAnalysis(self.log_error)  # every call into the analysis goes through it
        self.buffers: dict[str, str] = _Buffers(self.analysis)
        self.results: dict[str, Analysis] = {}  # document or notebook uri -> latest analysis
        self._pending: dict[str, asyncio.Task] = {}
        self._running = 0  # analyses handed to the worker thread and not finished
        self._configs: dict[tuple[str, int], config.Config] = {}
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tf2lint")  # one at a time
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread: int | None = None

    # ---------------------------------------------------------------------------------------------
    # The analysis adapter. Every call from the server into the analysis (findings, fixes, fix-all rounds,
    # notebook modules, the overlay of unsaved buffers) goes through `self.analysis` (hosts/lsp_analysis.py);
    # these two methods are the seams a subclass replaces (whole-project analysis plugs in here):
    #
    # SEAM 1 `analyse(uri, text, version, fixes=False) -> findings`: `engine.lint_source`, which follows
    #   the module's imports into the project (tf2lint/analysis/project.py) and fills `Finding.related`
    #   (mapped to relatedInformation below), through `Incremental` (hosts/incremental.py): only the
    #   top-level statements an edit can affect are re-parsed and re-analysed, with the same findings as
    #   `lint_source`. `fixes=True` only when code actions are asked for. `self.buffers` (unsaved editor
    #   contents) is mirrored into the projects' overlay, so other modules are read from the editor before
    #   the disk; a module's summary is rebuilt only when its text (buffer or file) changed.
    # SEAM 2 `dependents(path) -> uris`: the open documents whose diagnostics must be refreshed when
    #   `path` changes (edited, saved or changed on disk): the document itself and every open module
    #   whose last analysis read `path` (recorded by SEAM 1).
    # ---------------------------------------------------------------------------------------------

    def analyse(self, uri: str, text: str, version: int | None, flags: int = 0, fixes: bool = False) -> list[Finding]:
        path = _path_of(uri)
        return self.analysis.analyse(uri, path, text, self.settings_for(path), flags, fixes)

    def forget(self, uri: str) -> None:
        """Drop what the incremental analysis kept for ``uri``, in the worker thread (where it is used), so
        that the next analysis, queued behind, starts from scratch."""
        self._executor.submit(self.analysis.forget, uri)

    def dependents(self, path: str) -> set[str]:
        return {uri for uri in self._open_uris() if _path_of(uri) == path or self.analysis.read_by(uri, path)}

    # -- configuration --------------------------------------------------------------------------

    def project_config(self, path: str) -> config.Config:
        """The `[tool.tf2lint]` table for ``path``, re-read whenever its pyproject.toml changes."""
        try:
            found = config.find([path])
        except OSError:  # a name the file system refuses (too long): no configuration can apply to it
            found = None
        if found is None:
            return config.default_config(os.path.dirname(path), Path(self.workspace.root_path or os.getcwd()))
        try:
            key = (str(found), found.stat().st_mtime_ns)
        except OSError:
            return config.Config()
        if key not in self._configs:
            try:
                self._configs[key] = config.load(found)
            except config.ConfigError as exc:
                self.log(f"tf2lint: {exc}")
                self._configs[key] = config.Config(root=found.parent)
        return self._configs[key]

    def settings_for(self, path: str) -> Settings:
        project = self.project_config(path)
        return Settings(
            select=self.options.select or project.select,
            ignore=project.ignore + self.options.ignore + project.ignored_for(path),
            extend_select=project.extend_select,
            shim_decorators=project.shim_decorators,
            src=project.source_roots(),
            variables_lock=project.lock(),
        )

    # -- scheduling -----------------------------------------------------------------------------

    def _open_uris(self) -> list[str]:
        notebooks = [nb.uri for nb in self.workspace.notebook_documents.values()]
        cells = {unquote(c.document) for nb in self.workspace.notebook_documents.values() for c in nb.cells}
        documents = [d.uri for key, d in self.workspace.text_documents.items() if key not in cells]
        return [u for u in documents if self.is_python(u)] + notebooks

    def document(self, uri: str) -> TextDocument | None:
        """The open document ``uri`` names, however the client percent-encodes it (pygls keys documents by
        the decoded uri); the server keeps using the client's spelling for everything it sends."""
        return self.workspace.text_documents.get(unquote(uri))

    def notebook(self, uri: str):
        return self.workspace.get_notebook_document(notebook_uri=uri)

    def is_python(self, uri: str) -> bool:
        """Clients may sync every open file (pyproject.toml too): only Python modules are analysed."""
        document = self.document(uri)
        return document is not None and (document.language_id == "python" or uri.endswith((".py", ".pyi")))

    def _version(self, uri: str) -> int | None:
        notebook = self.notebook(uri)
        if notebook is not None:
            cells = [self.document(c.document) for c in notebook.cells]
            return hash((notebook.version, *(c.version for c in cells if c is not None)))
        document = self.document(uri)
        return None if document is None else document.version

    def schedule(self, uri: str, delay: float | None = None) -> asyncio.Task:
        """(Re-)analyse ``uri`` after ``delay`` of quiet; a newer request replaces a pending one. By default
        an edit that finds the server idle is analysed at once, and edits in a burst (one arriving while an
        analysis waits or runs) wait for `DEBOUNCE` of quiet, so that only the newest version is analysed."""
        pending = self._pending.pop(uri, None)
        burst = pending is not None and not pending.done()
        if burst:
            pending.cancel()
        if delay is None:
            delay = DEBOUNCE if burst or self._running else 0.0
        self._loop, self._loop_thread = asyncio.get_running_loop(), threading.get_ident()
        task = self._loop.create_task(self._analyse_later(uri, delay))
        self._pending[uri] = task
        return task

    async def _analyse_later(self, uri: str, delay: float) -> None:
        await asyncio.sleep(delay)
        version = self._version(uri)
        snapshot = self._snapshot(uri)
        if snapshot is None:
            return
        loop = asyncio.get_running_loop()
        self._running += 1
        try:
            result = await loop.run_in_executor(self._executor, snapshot)
        except Exception as exc:  # noqa: BLE001 - a bug of ours is logged, the server goes on
            self.log_error(f"analysing {uri}", exc)
            return
        finally:
            self._running -= 1
        if self._version(uri) != version:
            return  # the document changed meanwhile: a newer analysis is on its way
        result.version = version
        self.results[uri] = result
        if not self._pull:
            self.publish(uri, result)

    def _snapshot(self, uri: str) -> Callable[[], Analysis] | None:
        """What to analyse, read now (on the event loop), as a function to run in the worker thread."""
        notebook = self.notebook(uri)
        if notebook is not None:
            cells, versions = [], {}
            for cell in notebook.cells:
                document = self.document(cell.document)
                if cell.kind == types.NotebookCellKind.Code and document is not None:
                    cells.append((cell.document, document.source))
                    versions[cell.document] = document.version
            return lambda: replace(self._analyse_notebook(uri, cells), versions=versions)
        document = self.document(uri)
        if document is None:
            return None
        text = document.source
        return lambda: self._analyse_text(uri, text, document.version)

    def _analyse_text(self, uri: str, text: str, version: int | None) -> Analysis:
        path = _path_of(uri)
        settings = self.settings_for(path)
        if files.excluded(path, fresh=True):  # what `tf2lint check` does not lint: `exclude`, .gitignore
            return Analysis(version, text, path, settings, [])
        if len(text) > MAX_CHARS:
            error = SourceError(f"too large to analyse in the editor ({len(text):,} characters); run `tf2lint check`")
            return Analysis(version, text, path, settings, self.analysis.unreadable(path, error, settings))
        return Analysis(version, text, path, settings, self.analyse(uri, text, version))

    def _analyse_notebook(self, uri: str, cells: list[tuple[str, str]]) -> Analysis:
        """Cells -> the virtual module `tf2lint check` builds for an .ipynb (magics neutralised)."""
        path = _path_of(uri)
        settings = self.settings_for(path)
        numbers = {number: cell_uri for number, (cell_uri, _) in enumerate(cells, start=1)}
        document = {"cells": [{"cell_type": "code", "source": source} for _, source in cells]}
        result = Analysis(None, "", path, settings, [], numbers, sources=dict(cells))
        if sum(len(source) for _, source in cells) > MAX_CHARS:
            message = "notebook too large to analyse in the editor; run `tf2lint check`"
            result.broken += [replace(f, cell=1) for f in self.analysis.unreadable(path, SourceError(message), settings)]
            return result
        try:
            notebook = self.analysis.notebook(json.dumps(document).encode("utf-8"))
        except NotebookError:
            return result
        result.text, result.origin, result.flags = notebook.text, notebook.origin, ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
        result.shift = notebook.shift
        for number, error in notebook.broken:
            if settings.enabled(PARSE_ERROR.code):
                line, col = error.lineno or 1, max((error.offset or 1) - 1, 0)
                message = f"cannot parse cell {number}: {error.msg}"
                result.broken.append(Finding(path, line, col, PARSE_ERROR.code, line, col, PARSE_ERROR.symbol, message, cell=number))
        for finding in self.analyse(uri, notebook.text, None, flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT):
            cell, _ = notebook.locate(finding.line)
            # Kept in virtual lines (fixes edit the virtual module); `cell` says where it shows.
            result.findings.append(replace(finding, cell=cell))
        return result

    async def current(self, uri: str) -> Analysis | None:
        """The analysis of the document's current version, waiting for (or starting) it."""
        for _ in range(20):
            result = self.results.get(uri)
            if result is not None and result.version == self._version(uri):
                return result
            task = self._pending.get(uri)
            if task is None or task.done():
                task = self.schedule(uri, 0)
            try:
                await asyncio.shield(task)
            except asyncio.CancelledError:
                if asyncio.current_task().cancelling():  # type: ignore[union-attr]
                    raise
        return self.results.get(uri)

    @property
    def _pull(self) -> bool:
        capabilities = self.protocol.client_capabilities
        return bool(capabilities and capabilities.text_document and capabilities.text_document.diagnostic)

    # -- diagnostics ----------------------------------------------------------------------------

    def diagnostics(self, uri: str, result: Analysis) -> dict[str, list[tuple[Finding, types.Diagnostic]]]:
        """(finding, diagnostic) pairs per document uri: ``uri`` itself, or each cell of a notebook
        (every cell gets a list, maybe empty, so that fixed cells are cleared)."""
        if not result.cells:
            return {uri: [(f, self._diagnostic(f, result.text)) for f in result.findings]}
        by_uri: dict[str, list[tuple[Finding, types.Diagnostic]]] = {u: [] for u in result.cells.values()}
        for finding in result.findings:
            (_, line), (_, end) = _locate(result.origin, finding.line), _locate(result.origin, finding.end_line)
            shift = result.shift
            col = finding.col + (shift[finding.line - 1] if 0 < finding.line <= len(shift) else 0)
            end_col = finding.end_col + (shift[finding.end_line - 1] if 0 < finding.end_line <= len(shift) else 0)
            located = replace(finding, line=line, end_line=max(end, line), col=col, end_col=end_col)
            self._add(by_uri, result, finding, located)
        for finding in result.broken:  # already in cell lines
            self._add(by_uri, result, finding, finding)
        return by_uri

    def _add(self, by_uri: dict, result: Analysis, finding: Finding, located: Finding) -> None:
        cell_uri = result.cells.get(finding.cell or 0)
        if cell_uri is not None:
            by_uri[cell_uri].append((finding, self._diagnostic(located, result.sources.get(cell_uri, ""))))

    def _diagnostic(self, finding: Finding, text: str) -> types.Diagnostic:
        rule = BY_CODE.get(finding.code, PARSE_ERROR)
        lines = _lines(text)
        start = ServerTextPosition(finding.line - 1, finding.col)
        end = ServerTextPosition(finding.end_line - 1, finding.end_col)
        if end <= start:  # a point (TFS000): mark to the end of the line
            end = ServerTextPosition(start.line, len(lines[start.line]) if start.line < len(lines) else 0)
        related = None
        if finding.related:
            path, line, col = finding.related[:3]
            message = f"{finding.code}: the code this is about"
            where = self._position_in(path, line - 1, col)
            location = types.Location(from_fs_path(path) or path, types.Range(where, where))
            related = [types.DiagnosticRelatedInformation(location, message)]
        return types.Diagnostic(
            range=self.workspace.position_codec.range_to_client_units(lines, ServerTextRange(start, end)),
            message=finding.message,
            severity=types.DiagnosticSeverity.Error if rule.raises else types.DiagnosticSeverity.Warning,
            code=finding.code,
            code_description=types.CodeDescription(href=f"{DOCS_URL}/rules/{finding.code}.md"),
            source=NAME,
            related_information=related,
        )

    def _position_in(self, path: str, line: int, column: int) -> types.Position:
        """A (line, character) of another module in the client's units: its open buffer, else its file."""
        text = self.buffers.get(path)
        if text is None:
            try:
                text = decode(read(path))
            except (OSError, SourceError):
                text = ""
        lines = physical_lines(text)
        if line >= len(lines):
            return types.Position(line, column)
        return self.workspace.position_codec.position_to_client_units(lines, ServerTextPosition(line, column))

    def publish(self, uri: str, result: Analysis) -> None:
        for target, pairs in self.diagnostics(uri, result).items():
            version = None if result.cells else result.version
            items = [diagnostic for _, diagnostic in pairs]
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(target, items, version))

    # -- fixes ----------------------------------------------------------------------------------

    def edit_for(self, uri: str, result: Analysis, new_text: str) -> types.WorkspaceEdit | None:
        """The edit turning the analysed text into ``new_text`` (a notebook: per changed cell)."""
        if result.cells:
            cells = [{"source": result.sources[result.cells[n]]} for n in sorted(result.cells)]
            sources, refused = self.analysis.map_back(result.text, new_text, result.origin, cells)
            if refused:
                return None
            changes = {
                result.cells[n]: self._text_edits(result.sources[result.cells[n]], source) for n, source in sources.items()
            }
            return self.workspace_edit(uri, result, changes) if changes else None
        edits = self._text_edits(result.text, new_text)
        return self.workspace_edit(uri, result, {uri: edits}) if edits else None

    def workspace_edit(self, uri: str, result: Analysis, changes: dict[str, list[types.TextEdit]]) -> types.WorkspaceEdit:
        """Edits of the analysed version: with the version they were made for, where the client takes
        versioned edits (it then refuses them if the user typed meanwhile)."""
        capabilities = self.client_capabilities.workspace
        edit_capabilities = capabilities.workspace_edit if capabilities else None
        if not (edit_capabilities and edit_capabilities.document_changes):
            return types.WorkspaceEdit(changes=changes)
        versions = result.versions or {uri: result.version}
        return types.WorkspaceEdit(document_changes=[
            types.TextDocumentEdit(types.OptionalVersionedTextDocumentIdentifier(target, versions.get(target)), edits)
            for target, edits in changes.items()
        ])

    def _text_edits(self, old: str, new: str) -> list[types.TextEdit]:
        """Whole-line replacements; the end of a last line without a line break through the codec."""
        old_lines = physical_lines(old)
        edits = []
        for edit in self.analysis.line_edits(old_lines, physical_lines(new)):
            start = types.Position(edit.line - 1, 0)
            if edit.end_line - 1 >= len(old_lines) and old_lines and not old_lines[-1].endswith(("\n", "\r")):
                last = ServerTextPosition(len(old_lines) - 1, len(old_lines[-1]))  # no line break: end at its end
                end = self.workspace.position_codec.position_to_client_units(old_lines, last)
            else:
                end = types.Position(edit.end_line - 1, 0)
            edits.append(types.TextEdit(types.Range(start, end), edit.content))
        return edits

    def noqa_edit(self, text: str, line: int, code: str) -> types.TextEdit | None:
        """`# noqa: CODE` at the end of the logical line holding 0-based ``line`` (after a backslash
        continuation, after a triple-quoted string the line opens: a noqa comment covers the lines of its
        logical line), or the code added to the noqa comment there; None when there is nothing to add
        (a blanket noqa) or the text cannot be tokenized."""
        found = _noqa_place(text, line)
        if found is None:
            return None
        at_line, at_column, comment = found
        insert = f"  # noqa: {code}"
        if comment is not None:
            match = next(NOQA.finditer(comment.string), None)
            if match is not None:
                if not match.group("codes"):
                    return None  # a blanket noqa already suppresses everything
                at_line, at_column, insert = comment.start[0] - 1, comment.start[1] + match.end("codes"), f", {code}"
        where = self.workspace.position_codec.position_to_client_units(
            physical_lines(text) or [""], ServerTextPosition(at_line, at_column))
        return types.TextEdit(types.Range(where, where), insert)

    def fixes(self, uri: str, result: Analysis) -> dict[tuple[int, int, str], dict]:
        """The fixes of the analysed version's findings, by (line, col, code); built once, when asked for."""
        if result.fixes is None:
            found = self.analyse(uri, result.text, result.version, flags=result.flags, fixes=True)
            result.fixes = {(f.line, f.col, f.code): f.fix for f in found if f.fix}
        return result.fixes

    def fix_all(self, uri: str, result: Analysis, unsafe: bool) -> types.WorkspaceEdit | None:
        """Fix-all of the analysed version (never of a newer text: the edit says which version it is for)."""
        if not any(unsafe or fix["applicability"] == "safe" for fix in self.fixes(uri, result).values()):
            return None

        def lint(text: str) -> list[Finding]:  # through the adapter, with the analysed text's compile flags
            return self.analyse(uri, text, None, flags=result.flags, fixes=True)

        fixed = self.analysis.fix_all(result.text, result.path, result.settings, unsafe, lint)
        return self.edit_for(uri, result, fixed) if fixed is not None else None

    def configure(self, settings: object) -> None:
        """Take the client's settings; bad ones are shown to the user and the defaults used instead."""
        try:
            self.options = Options.parse(settings)
            return
        except config.ConfigError as exc:
            message = f"tf2lint: {exc}; using the defaults"
        except Exception as exc:  # noqa: BLE001 - whatever the settings hold, the server starts
            message = f"tf2lint: unreadable settings ({type(exc).__name__}: {exc}); using the defaults"
        self.options = Options()
        self.window_show_message(types.ShowMessageParams(types.MessageType.Warning, message))
        self.log(message)

    def log_error(self, what: str, exc: BaseException) -> None:
        detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-3))
        self.log(f"tf2lint: internal error while {what}: {type(exc).__name__}: {exc}; please report it\n{detail}")

    def log(self, message: str) -> None:
        """`window/logMessage`, also from the analysis thread (messages are sent from the event loop)."""
        params = types.LogMessageParams(types.MessageType.Error, message)
        if self._loop is not None and threading.get_ident() != self._loop_thread:
            self._loop.call_soon_threadsafe(self.window_log_message, params)
        else:
            self.window_log_message(params)


def _lines(text: str) -> list[str]:
    return physical_lines(text) or [""]


def _locate(origin: list[tuple[int, int]], line: int) -> tuple[int, int]:
    if 0 < line <= len(origin):
        return origin[line - 1]
    return origin[-1] if origin else (1, line)


def _noqa_place(text: str, line: int) -> tuple[int, int, tokenize.TokenInfo | None] | None:
    """(0-based line, character column) of the end of the logical line holding 0-based ``line``, as the
    engine groups lines for noqa (tokens up to a NEWLINE or NL), and the comment already on it."""
    low, comment = None, None
    try:
        # newline=None: \r\n and a lone \r end lines as LSP (and the parser) count them
        for token in tokenize.generate_tokens(StringIO(text, newline=None).readline):
            if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
                continue
            low = token.start[0] if low is None else low
            if token.type == tokenize.COMMENT:
                comment = token
            elif token.type in (tokenize.NL, tokenize.NEWLINE):
                if low <= line + 1 <= token.start[0]:
                    return token.start[0] - 1, token.start[1], comment
                low, comment = None, None
    except (tokenize.TokenError, SyntaxError):
        return None
    return None


def _guarded(what: str, default=None):
    """An internal error in one request is logged to the client and answered with ``default``."""

    def wrap(handler):
        @wraps(handler)
        async def run(ls: Tf2lintServer, *args):
            try:
                result = handler(ls, *args)
                return await result if asyncio.iscoroutine(result) else result
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - the server must live on
                ls.log_error(what, exc)
                return default

        return run

    return wrap


# -- features: module-level handlers, registered on each server by `create_server` -----------------------
#
# Lifecycle (initialize, shutdown), document and notebook sync (open, change, save, close: they schedule
# analyses), workspace events (configuration, watched files: refresh dependents) and requests
# (diagnostics, code actions, commands, hover: they wait for the current analysis).

_FEATURES: list[tuple[str, object, Callable]] = []  # (method, options, handler)
_COMMANDS: list[tuple[str, Callable]] = []


def _feature(method: str, options: object = None):
    def register(handler: Callable) -> Callable:
        _FEATURES.append((method, options, handler))
        return handler

    return register


def _command(name: str):
    def register(handler: Callable) -> Callable:
        _COMMANDS.append((name, handler))
        return handler

    return register



@_feature(types.INITIALIZE)
def initialize(ls: Tf2lintServer, params: types.InitializeParams) -> None:
    # pygls has just made the workspace: its documents count lines as LSP does (see `_Document`).
    ls.workspace.__class__ = _Workspace
    ls.configure(params.initialization_options)


@_feature(types.SHUTDOWN)
def shutdown(ls: Tf2lintServer, *args) -> None:
    ls.shut_down = True


@_feature(types.INITIALIZED)
@_guarded("registering file watchers")
async def initialized(ls: Tf2lintServer, params: types.InitializedParams) -> None:
    workspace = ls.client_capabilities.workspace
    watched = workspace.did_change_watched_files if workspace else None
    if watched and watched.dynamic_registration:
        watchers = [types.FileSystemWatcher(glob_pattern=g) for g in ("**/pyproject.toml", "**/*.py")]
        options = types.DidChangeWatchedFilesRegistrationOptions(watchers=watchers)
        registration = types.Registration("tf2lint-watch", types.WORKSPACE_DID_CHANGE_WATCHED_FILES, options)
        await ls.client_register_capability_async(types.RegistrationParams([registration]))


def _refresh(ls: Tf2lintServer, changed: str, skip: str | None = None) -> None:
    for uri in ls.dependents(changed):
        if uri != skip:
            ls.schedule(uri)
    if ls._pull and ls.dependents(changed) - {skip}:
        ls.workspace_diagnostic_refresh(None)


def _refresh_all(ls: Tf2lintServer) -> None:
    for uri in ls._open_uris():
        ls.schedule(uri)
    if ls._pull:
        ls.workspace_diagnostic_refresh(None)


@_feature(types.TEXT_DOCUMENT_DID_OPEN)
@_guarded("opening a document")
def did_open(ls: Tf2lintServer, params: types.DidOpenTextDocumentParams) -> None:
    uri = params.text_document.uri
    if ls.workspace.get_notebook_document(cell_uri=uri) is not None:
        return  # a notebook cell: analysed with its notebook
    if not ls.is_python(uri):
        return
    ls.buffers[_path_of(uri)] = params.text_document.text
    ls.schedule(uri)


@_feature(types.TEXT_DOCUMENT_DID_CHANGE)
@_guarded("updating a document")
def did_change(ls: Tf2lintServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    notebook = ls.workspace.get_notebook_document(cell_uri=uri)
    if notebook is not None:
        ls.schedule(notebook.uri)
        return
    if not ls.is_python(uri):
        return
    ls.buffers[_path_of(uri)] = ls.document(uri).source
    ls.schedule(uri)
    _refresh(ls, _path_of(uri), skip=uri)


@_feature(types.TEXT_DOCUMENT_DID_SAVE)
@_guarded("saving a document")
def did_save(ls: Tf2lintServer, params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    if uri.endswith("pyproject.toml"):
        _refresh_all(ls)
    elif ls.workspace.get_notebook_document(cell_uri=uri) is None and ls.is_python(uri):
        ls.forget(uri)  # a save starts over: every statement parsed and analysed anew
        ls.schedule(uri)
        _refresh(ls, _path_of(uri), skip=uri)


@_feature(types.TEXT_DOCUMENT_DID_CLOSE)
@_guarded("closing a document")
def did_close(ls: Tf2lintServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.buffers.pop(_path_of(uri), None)
    ls.results.pop(uri, None)
    ls.analysis.closed(uri)
    ls.forget(uri)
    pending = ls._pending.pop(uri, None)
    if pending is not None:
        pending.cancel()
    if not ls._pull:
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri, []))
    _refresh(ls, _path_of(uri), skip=uri)


@_feature(types.NOTEBOOK_DOCUMENT_DID_OPEN)
@_guarded("opening a notebook")
def nb_open(ls: Tf2lintServer, params: types.DidOpenNotebookDocumentParams) -> None:
    ls.schedule(params.notebook_document.uri)


@_feature(types.NOTEBOOK_DOCUMENT_DID_CHANGE)
@_guarded("updating a notebook")
def nb_change(ls: Tf2lintServer, params: types.DidChangeNotebookDocumentParams) -> None:
    closed = (params.change.cells.structure.did_close or []) if params.change.cells and params.change.cells.structure else []
    if not ls._pull:
        for cell in closed:
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(cell.uri, []))
    ls.schedule(params.notebook_document.uri)


@_feature(types.NOTEBOOK_DOCUMENT_DID_CLOSE)
@_guarded("closing a notebook")
def nb_close(ls: Tf2lintServer, params: types.DidCloseNotebookDocumentParams) -> None:
    uri = params.notebook_document.uri
    ls.results.pop(uri, None)
    ls.analysis.closed(uri)
    ls.forget(uri)
    if not ls._pull:
        for cell in params.cell_text_documents:
            ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(cell.uri, []))


@_feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
@_guarded("changing the configuration")
def did_change_configuration(ls: Tf2lintServer, params: types.DidChangeConfigurationParams) -> None:
    ls.configure(params.settings)
    _refresh_all(ls)


@_feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
@_guarded("handling changed files")
def did_change_watched_files(ls: Tf2lintServer, params: types.DidChangeWatchedFilesParams) -> None:
    for change in params.changes:
        path = _path_of(change.uri)
        if path.endswith("pyproject.toml"):
            _refresh_all(ls)  # configs are keyed by mtime: the next analysis reads the new one
            return
        _refresh(ls, path)


@_feature(
    types.TEXT_DOCUMENT_DIAGNOSTIC,
    types.DiagnosticOptions(identifier=NAME, inter_file_dependencies=True, workspace_diagnostics=False),
)
@_guarded("computing diagnostics")
async def pull_diagnostics(ls: Tf2lintServer, params: types.DocumentDiagnosticParams):
    uri = params.text_document.uri
    notebook = ls.workspace.get_notebook_document(cell_uri=uri)
    result = await ls.current(notebook.uri if notebook else uri)
    pairs = [] if result is None else ls.diagnostics(uri, result).get(uri, [])
    return types.RelatedFullDocumentDiagnosticReport(items=[diagnostic for _, diagnostic in pairs])


@_feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=False),
)
@_guarded("computing code actions", default=[])
async def code_actions(ls: Tf2lintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    notebook = ls.workspace.get_notebook_document(cell_uri=uri)
    result = await ls.current(notebook.uri if notebook else uri)
    if result is None:
        return []
    only = params.context.only
    wants = lambda kind: only is None or any(kind == k or kind.startswith(k + ".") for k in only)  # noqa: E731
    actions: list[types.CodeAction] = []
    first, last = params.range.start.line, params.range.end.line
    pairs = [
        (f, d) for f, d in ls.diagnostics(uri, result).get(uri, [])
        if d.range.start.line <= last and first <= d.range.end.line
    ]
    owner = notebook.uri if notebook else uri
    loop = asyncio.get_running_loop()
    fixes = await loop.run_in_executor(ls._executor, ls.fixes, owner, result) if pairs else {}
    if wants(types.CodeActionKind.QuickFix):
        text = result.sources.get(uri, "") if result.cells else result.text  # the version analysed
        for finding, diagnostic in pairs:
            fix = fixes.get((finding.line, finding.col, finding.code))
            if fix:
                fixed = ls.analysis.apply(result.text, [fix])
                edit = ls.edit_for(owner, result, fixed)
                if edit is not None:
                    unsafe = fix["applicability"] != "safe"
                    actions.append(types.CodeAction(
                        title=f"{fix['message']} ({finding.code}){' (unsafe)' * unsafe}",
                        kind=types.CodeActionKind.QuickFix, diagnostics=[diagnostic], edit=edit,
                        is_preferred=not unsafe,
                    ))
            if finding.code != PARSE_ERROR.code:
                noqa = ls.noqa_edit(text, diagnostic.range.start.line, finding.code)
                if noqa is not None:
                    actions.append(types.CodeAction(
                        title=f"Disable {finding.code} for this line", kind=types.CodeActionKind.QuickFix,
                        diagnostics=[diagnostic], edit=ls.workspace_edit(uri, result, {uri: [noqa]}),
                    ))
    if (only is not None and wants(FIX_ALL)) or (only is None and fixes):
        edit = await loop.run_in_executor(ls._executor, ls.fix_all, owner, result, False)
        if edit is not None:
            actions.append(types.CodeAction(title="tf2lint: apply all safe fixes", kind=FIX_ALL, edit=edit))
    return actions


@_command(APPLY_AUTOFIX)
@_guarded("applying fixes")
async def apply_autofix(ls: Tf2lintServer, *args) -> None:
    """Arguments: the document uri (or `{"uri": ...}`). Safe fixes, and unsafe ones with `unsafe-fixes`."""
    argument = args[0] if args else None
    uri = argument.get("uri") if isinstance(argument, dict) else argument
    if not isinstance(uri, str):
        raise TypeError(f"{APPLY_AUTOFIX} expects a document uri, got {uri!r}")
    notebook = ls.workspace.get_notebook_document(cell_uri=uri)
    owner = notebook.uri if notebook else uri
    loop = asyncio.get_running_loop()
    for _ in range(3):  # built from the current version; if the user typed meanwhile, built again
        result = await ls.current(owner)
        edit = None if result is None else await loop.run_in_executor(
            ls._executor, ls.fix_all, owner, result, ls.options.unsafe_fixes)
        if edit is None:
            return
        if ls._version(owner) == result.version:  # the edit is sent in the same step as this check
            await ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit, label="tf2lint: fix all"))
            return


@_command(SERVER_INFO)
def server_info(ls: Tf2lintServer, *args) -> dict:
    """Version, and the proof that no TensorFlow (or user code) was imported by the server."""
    forbidden = ("tensorflow", "tf_keras", "keras", "torch", "jax")
    return {
        "version": __version__,
        "imported": sorted(m for m in sys.modules if m.split(".")[0] in forbidden),
        "modules": len(sys.modules),
    }


@_feature(types.TEXT_DOCUMENT_HOVER)
@_guarded("hovering")
def hover(ls: Tf2lintServer, params: types.HoverParams) -> types.Hover | None:
    document = ls.document(params.text_document.uri)
    if document is None:
        return None
    lines = document.lines
    if params.position.line >= len(lines):
        return None
    line = lines[params.position.line]
    column = document.position_from_client_units(params.position).character
    for match in NOQA.finditer(line):
        if not match.group("codes") or not match.start("codes") <= column <= match.end("codes"):
            continue
        for code in re.finditer(r"[A-Za-z]+[0-9]+", match.group("codes")):
            start, end = match.start("codes") + code.start(), match.start("codes") + code.end()
            rule = BY_CODE.get(code.group().upper())
            if rule is not None and start <= column <= end:
                text = (
                    f"**{rule.code}** `{rule.symbol}`: {rule.summary}\n\n{rule.docs.why}\n\n"
                    f"[Documentation]({DOCS_URL}/rules/{rule.code}.md)"
                )
                where = ServerTextRange(ServerTextPosition(params.position.line, start),
                                        ServerTextPosition(params.position.line, end))
                return types.Hover(types.MarkupContent(types.MarkupKind.Markdown, text),
                                   document.range_to_client_units(where))
    return None


def create_server(cls: type[Tf2lintServer] = Tf2lintServer) -> Tf2lintServer:
    """The server with its features; ``cls`` lets a subclass replace the analysis adapter."""
    server = cls()
    for method, options, handler in _FEATURES:
        server.feature(method, options)(handler)
    for name, handler in _COMMANDS:
        server.command(name)(handler)
    return server


def main() -> int:
    gc.set_threshold(100_000, 50, 100)  # as in the CLI: parsing makes many short-lived objects
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    server = create_server()
    server.start_io(stdin=_Headers(sys.stdin.buffer))
    return 0 if server.shut_down else 1  # LSP: `exit` without `shutdown` first ends with 1
