"""How fast `tf2lint server` answers an edit: `python bench/lsp.py [--edits 50] [--lines 2000] [--edit newline]`.

Starts the real server over stdio (as an editor does), opens a generated module of about 2,000 lines of
shim code, then makes one edit at a time and measures the time from sending `didChange` to receiving
`publishDiagnostics` for that version; the server's debounce delay, if any, is included. The edits
toggle a layer's `name=` (a finding comes and goes), or with `--edit newline` add and remove a line
near the top (every finding and definition moves). The diagnostics shown for every version are checked
against a fresh `lint_source` of that version's text. Printed beside it, in this process: the server's
incremental analysis of the same edits (tf2lint/hosts/incremental.py), the engine's analysis of the
whole module, and `ast.parse` of the text.
"""

from __future__ import annotations

import argparse
import ast
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

from tf2lint.findings import Settings

BLOCK = '''

class Block{n}(tf.keras.layers.Layer):
    """A migrated block."""

    def __init__(self, units={n}):
        super().__init__()
        self.units = units

    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs, training=None):
        h = v1.layers.dense(inputs, self.units, name="in")
        h = self.helper(h, training)
        with v1.variable_scope("out"):
            return v1.layers.dense(h, self.units)

    def helper(self, x, training):
        y = v1.layers.batch_normalization(x, training=training, name="bn")
        z = tf.reduce_sum(tf.nn.relu(y) * 2.0, axis=-1, keepdims=True)
        return x + z
'''


def module(lines: int) -> str:
    parts = ["import tensorflow as tf\nimport tensorflow.compat.v1 as v1\n"]
    while sum(part.count("\n") for part in parts) < lines:
        parts.append(BLOCK.format(n=len(parts) - 1))
    return "".join(parts)


# Where the "newline" edits add and remove a line: below the imports, above every class.
NEWLINE_AT = 2


def edited(text: str, version: int, kind: str) -> str:
    """The text after edit ``version``. "name": odd versions drop the first layer's `name=` (a TFS101 comes),
    even ones restore it. "newline": the first layer has no `name=`; odd versions add a line near the top
    (every finding and every definition moves down), even ones remove it."""
    if kind == "name":
        return text.replace(', name="in"', "", 1) if version % 2 else text
    text = text.replace(', name="in"', "", 1)
    lines = text.splitlines(keepends=True)
    return "".join(lines[:NEWLINE_AT] + ["\n"] * (version % 2) + lines[NEWLINE_AT:])


def _change(text: str, version: int, kind: str) -> types.TextDocumentContentChangePartial:
    """The incremental change an editor sends for edit ``version``."""
    if kind == "newline":
        start = types.Position(NEWLINE_AT, 0)
        end = start if version % 2 else types.Position(NEWLINE_AT + 1, 0)
        return types.TextDocumentContentChangePartial(range=types.Range(start, end), text="\n" * (version % 2))
    line = text[: text.index('name="in"')].count("\n")
    new = edited(text, version, kind).splitlines(keepends=True)[line]
    return types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(line, 0), types.Position(line + 1, 0)), text=new)


async def measure(text: str, edits: int, kind: str) -> tuple[list[float], dict[int, list[tuple[int, str]]]]:
    """Each edit's time to its diagnostics, and the diagnostics (line, code) the server sent per version."""
    client = LanguageClient("tf2lint-bench", "1")
    arrived: dict[int, float] = {}
    shown: dict[int, list[tuple[int, str]]] = {}
    event = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(ls, params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None and params.version not in arrived:
            arrived[params.version] = time.perf_counter()
            shown[params.version] = sorted((d.range.start.line + 1, str(d.code)) for d in params.diagnostics)
            event.set()

    await client.start_io(sys.executable, "-m", "tf2lint", "server")
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    uri = (Path(tempfile.mkdtemp()) / "model.py").as_uri()
    first = edited(text, 0, kind)
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 0, first)))
    timings = []
    for version in range(1, edits + 1):
        await _wait(event, arrived, version - 1)
        await asyncio.sleep(0.15)  # a pause between keystrokes
        change = _change(text, version, kind)
        started = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(version, uri), [change])
        )
        await _wait(event, arrived, version)
        timings.append(arrived[version] - started)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return timings, shown


async def _wait(event: asyncio.Event, arrived: dict[int, float], version: int) -> None:
    while version not in arrived:
        event.clear()
        await asyncio.wait_for(event.wait(), timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--edit", choices=("name", "newline"), default="name",
                        help="toggle a layer's name= (default), or add and remove a line near the top")
    args = parser.parse_args()
    text = module(args.lines)
    timings, shown = asyncio.run(measure(text, args.edits, args.edit))
    from tf2lint.engine import lint_source
    from tf2lint.hosts.incremental import Incremental

    gc.set_threshold(100_000, 50, 100)  # as the server does
    path = str(Path(tempfile.mkdtemp()) / "model.py")
    incremental = Incremental()
    incremental.analyse("bench", edited(text, 0, args.edit), path, Settings())
    parses, lints, increments = [], [], []
    for version in range(1, args.edits + 1):
        current = edited(text, version, args.edit)
        started = time.perf_counter()
        ast.parse(current)
        parses.append(time.perf_counter() - started)
        started = time.perf_counter()
        fresh = lint_source(current, path)
        lints.append(time.perf_counter() - started)
        started = time.perf_counter()
        incremental.analyse("bench", current, path, Settings())
        increments.append(time.perf_counter() - started)
        # What the server showed for this version is what a fresh analysis of that text finds.
        if shown[version] != sorted((f.line, f.code) for f in fresh):
            raise SystemExit(f"version {version}: the server showed {shown[version]}, a fresh analysis finds {fresh}")
    if len({tuple(findings) for findings in shown.values()}) < 2:
        raise SystemExit("the edits did not change the findings: nothing was measured")
    ms = lambda seconds: f"{seconds * 1000:7.1f} ms"  # noqa: E731
    print(f"module: {text.count(chr(10))} lines; {args.edits} edits ({args.edit}), one at a time")
    print(f"didChange -> publishDiagnostics: median {ms(statistics.median(timings))}, worst {ms(max(timings))}")
    print(f"incremental analysis, in process: median {ms(statistics.median(increments))}, worst {ms(max(increments))}")
    print(f"engine.lint_source, in process:  median {ms(statistics.median(lints))}, worst {ms(max(lints))}")
    print(f"ast.parse of the same text:      median {ms(statistics.median(parses))}, worst {ms(max(parses))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
