"""The real `tf2lint server` driven in this process, message by message, through pygls' own protocol
(parsing, dispatch, serialisation): fast enough for property tests that run thousands of edits."""

from __future__ import annotations

import asyncio
import itertools
import json
import re
from bisect import bisect_right
from typing import Any

from pygls.exceptions import JsonRpcException

from tf2lint.hosts.lsp import Tf2lintServer, create_server


class InProcess:
    """A client: sends JSON-RPC messages to the server and records what it sends back."""

    def __init__(self, server: Tf2lintServer | None = None) -> None:
        self.server = server or create_server()
        self.server.protocol.set_writer(self, include_headers=False)
        self._ids = itertools.count(1)
        self._waiting: dict[Any, asyncio.Future] = {}
        self.notifications: list[dict] = []
        self.applied: list[dict] = []  # workspace/applyEdit requests the server sent
        self.diagnostics: dict[str, dict] = {}  # uri -> the last publishDiagnostics params

    # -- transport ---------------------------------------------------------------------------------

    def write(self, data: bytes) -> None:
        message = json.loads(data)
        if "method" not in message:
            future = self._waiting.pop(message.get("id"), None)
            if future is not None and not future.done():
                future.set_result(message)
            return
        if "id" in message:  # a request of the server's: answer it as an editor would
            result: Any = None
            if message["method"] == "workspace/applyEdit":
                self.applied.append(message["params"])
                result = {"applied": True}
            asyncio.get_running_loop().call_soon(self.feed, {"jsonrpc": "2.0", "id": message["id"], "result": result})
            return
        self.notifications.append(message)
        if message["method"] == "textDocument/publishDiagnostics":
            self.diagnostics[message["params"]["uri"]] = message["params"]

    def feed(self, payload: dict) -> None:
        """As pygls' reading loop (`pygls.io_.run_async`) hands a message over, errors included."""
        protocol = self.server.protocol
        try:
            protocol.handle_message(json.loads(json.dumps(payload), object_hook=protocol.structure_message))
        except Exception as exc:  # noqa: BLE001 - what pygls' loop does with a message it cannot handle
            self.server.report_server_error(exc, JsonRpcException)

    def close(self) -> None:
        self.server._executor.shutdown(wait=True)

    # -- messages ----------------------------------------------------------------------------------

    def notify(self, method: str, params: Any) -> None:
        self.feed({"jsonrpc": "2.0", "method": method, "params": params})

    async def request(self, method: str, params: Any, timeout: float = 30) -> dict:
        """The whole response (``result`` or ``error``)."""
        ident = next(self._ids)
        future = asyncio.get_running_loop().create_future()
        self._waiting[ident] = future
        self.feed({"jsonrpc": "2.0", "id": ident, "method": method, "params": params})
        return await asyncio.wait_for(future, timeout)

    async def initialize(self, capabilities: dict | None = None, options: Any = None, encodings=None) -> dict:
        capabilities = dict(capabilities or {})
        if encodings:
            capabilities.setdefault("general", {})["positionEncodings"] = list(encodings)
        params = {"processId": None, "rootUri": None, "capabilities": capabilities}
        if options is not None:
            params["initializationOptions"] = options
        response = await self.request("initialize", params)
        self.notify("initialized", {})
        return response

    async def diagnostics_for(self, uri: str, version: int | None = None, timeout: float = 30) -> list[dict]:
        """The diagnostics the server publishes for ``uri`` (of ``version``, when given)."""
        for _ in range(int(timeout / 0.005)):
            published = self.diagnostics.get(uri)
            if published is not None and (version is None or published.get("version") == version):
                return published["diagnostics"]
            await asyncio.sleep(0.005)
        raise AssertionError(f"no diagnostics for {uri} version {version}")


_BREAK = re.compile(r"\r\n|\r|\n")  # LSP: only these end a line (not \f, \x1c-\x1e, \x85, U+2028/9)


def units(text: str, encoding: str) -> int:
    """The length of ``text`` in the position units of ``encoding`` ("utf-8", "utf-16", "utf-32")."""
    if encoding == "utf-8":
        return len(text.encode("utf-8"))
    if encoding == "utf-16":
        return len(text.encode("utf-16-le")) // 2
    return len(text)


def offset(text: str, position: dict, encoding: str = "utf-16") -> int:
    """The string offset of an LSP position, counted as the specification says (the editor's view)."""
    starts = [0] + [m.end() for m in _BREAK.finditer(text)]
    line = position["line"]
    if line >= len(starts):
        return len(text)
    start = starts[line]
    end = starts[line + 1] if line + 1 < len(starts) else len(text)
    content = text[start:end].rstrip("\r\n") if line + 1 < len(starts) else text[start:end]
    column, taken = position["character"], 0
    for index, char in enumerate(content):
        if taken >= column:
            return start + index
        taken += units(char, encoding)
    return start + len(content)


def position(text: str, index: int, encoding: str = "utf-16") -> dict:
    """The LSP position of a string offset."""
    starts = [0] + [m.end() for m in _BREAK.finditer(text)]
    line = bisect_right(starts, index) - 1
    return {"line": line, "character": units(text[starts[line]:index], encoding)}


def apply_edits(text: str, edits: list[dict], encoding: str = "utf-16") -> str:
    """Apply LSP TextEdits as an editor does (all positions refer to the text before the edits)."""
    spans = sorted(((offset(text, e["range"]["start"], encoding), offset(text, e["range"]["end"], encoding), e["newText"])
                    for e in edits), reverse=True)
    for start, end, new in spans:
        text = text[:start] + new + text[end:]
    return text


def edits_of(edit: dict, uri: str) -> tuple[list[dict], int | None]:
    """A WorkspaceEdit's edits for ``uri`` and the document version they were made for (None: unversioned)."""
    for change in edit.get("documentChanges") or []:
        if change.get("textDocument", {}).get("uri") == uri:
            return change["edits"], change["textDocument"].get("version")
    return (edit.get("changes") or {}).get(uri, []), None
