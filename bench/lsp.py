"""How fast `tf2lint server` answers an edit: `python bench/lsp.py [--edits 50] [--lines 2000]`.

Starts the real server over stdio (as an editor does), opens a generated module of about 2,000 lines of
shim code, then makes one edit at a time (toggling a layer's `name=`, so the findings change) and
measures the time from sending `didChange` to receiving `publishDiagnostics` for that version (and checks
that the diagnostics did change with the edit). The server's debounce delay, if any, is included.
Printed beside it, in this process: the server's incremental analysis of the same edits
(tf2lint/hosts/incremental.py), the engine's analysis of the whole module, and `ast.parse` of the text.
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


def edited(text: str, version: int) -> str:
    """The text after edit ``version``: odd versions drop the first layer's `name=`, even ones restore it."""
    return text.replace(', name="in"', "", 1) if version % 2 else text


async def measure(text: str, edits: int) -> list[float]:
    client = LanguageClient("tf2lint-bench", "1")
    arrived: dict[int, float] = {}
    counts: dict[int, int] = {}
    event = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(ls, params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None:
            arrived.setdefault(params.version, time.perf_counter())
            counts.setdefault(params.version, sum(d.code == "TFS101" for d in params.diagnostics))
            event.set()

    await client.start_io(sys.executable, "-m", "tf2lint", "server")
    await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    uri = (Path(tempfile.mkdtemp()) / "model.py").as_uri()
    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 0, text)))
    line = text[: text.index('name="in"')].count("\n")  # toggled on and off: a TFS101 finding comes and goes
    timings = []
    for version in range(1, edits + 1):
        await _wait(event, arrived, version - 1)
        await asyncio.sleep(0.15)  # a pause between keystrokes longer than the debounce delay
        new = edited(text, version).splitlines(keepends=True)[line]
        change = types.TextDocumentContentChangePartial(
            range=types.Range(types.Position(line, 0), types.Position(line + 1, 0)), text=new
        )
        started = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(version, uri), [change])
        )
        await _wait(event, arrived, version)
        timings.append(arrived[version] - started)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    # The diagnostics followed the edits: one TFS101 more after each odd edit than after each even one.
    if any(counts[v] != counts[0] + v % 2 for v in range(edits + 1)):
        raise SystemExit(f"the diagnostics did not follow the edits: {counts}")
    return timings


async def _wait(event: asyncio.Event, arrived: dict[int, float], version: int) -> None:
    while version not in arrived:
        event.clear()
        await asyncio.wait_for(event.wait(), timeout=60)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=50)
    parser.add_argument("--lines", type=int, default=2000)
    args = parser.parse_args()
    text = module(args.lines)
    timings = asyncio.run(measure(text, args.edits))
    from tf2lint.engine import lint_source
    from tf2lint.hosts.incremental import Incremental

    gc.set_threshold(100_000, 50, 100)  # as the server does
    path = str(Path(tempfile.mkdtemp()) / "model.py")
    incremental = Incremental()
    incremental.analyse("bench", text, path, Settings())
    parses, lints, increments = [], [], []
    for version in range(1, args.edits + 1):
        started = time.perf_counter()
        ast.parse(text)
        parses.append(time.perf_counter() - started)
        started = time.perf_counter()
        lint_source(text, path)
        lints.append(time.perf_counter() - started)
        started = time.perf_counter()
        incremental.analyse("bench", edited(text, version), path, Settings())
        increments.append(time.perf_counter() - started)
    ms = lambda seconds: f"{seconds * 1000:7.1f} ms"  # noqa: E731
    print(f"module: {text.count(chr(10))} lines; {args.edits} edits, one at a time")
    print(f"didChange -> publishDiagnostics: median {ms(statistics.median(timings))}, worst {ms(max(timings))}")
    print(f"incremental analysis, in process: median {ms(statistics.median(increments))}, worst {ms(max(increments))}")
    print(f"engine.lint_source, in process:  median {ms(statistics.median(lints))}, worst {ms(max(lints))}")
    print(f"ast.parse of the same text:      median {ms(statistics.median(parses))}, worst {ms(max(parses))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
