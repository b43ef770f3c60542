"""The language server's one door into the analysis: every call from the server that computes findings or
fixes, or changes what the analysis reads, goes through `ServerAnalysis`.

It analyses a document (incrementally, or through `engine.lint_source` when fixes are wanted or the
incremental layer fails), remembers which other modules each analysis read (to know what to refresh when one
changes), mirrors the editor's unsaved buffers into the analysis' overlay (`analysis/project.UNSAVED`, read
before the disk by every project of the process), and builds fixes, fix-all rounds, notebook modules and the
edits between two texts (the fixing modules, and LibCST with them, are imported on first use). The server
itself keeps LSP: documents, positions, messages, and the rules' metadata for hovers and links.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from tf2lint.analysis import project
from tf2lint.engine import lint_source, source_error
from tf2lint.findings import Finding, Settings
from tf2lint.hosts.incremental import Incremental
from tf2lint.notebook import Notebook
from tf2lint.notebook import load as load_notebook
from tf2lint.source import SourceError

if TYPE_CHECKING:
    from tf2lint.fixing.edits import Edit


class ServerAnalysis:
    """What the analysis keeps for the server's documents: incremental state, and what each analysis read."""

    def __init__(self, log_error: Callable[[str, BaseException], None]) -> None:
        self._log_error = log_error
        self.incremental = Incremental()  # what the last analysis of each document left to re-use
        self._reads: dict[str, set[str]] = {}  # uri -> real paths of the other modules its analysis read

    def analyse(
        self, uri: str, path: str, text: str, settings: Settings, flags: int = 0, fixes: bool = False,
    ) -> list[Finding]:
        """Findings of a document's text. ``fixes=True`` only when code actions are asked for (then
        `lint_source` itself): building fixes on every keystroke would cost more than the analysis."""
        read: set[str] = set()
        if fixes:
            findings = lint_source(text, path, settings, flags=flags, fixes=True, dependencies=read)
        else:
            try:
                findings = self.incremental.analyse(uri, text, path, settings, flags, read)
            except Exception as exc:  # noqa: BLE001 - a bug of the incremental layer: the engine answers instead
                self.incremental.forget(uri)
                self._log_error(f"analysing {uri} incrementally", exc)
                read = set()
                findings = lint_source(text, path, settings, flags=flags, dependencies=read)
        self._reads[uri] = {os.path.realpath(p) for p in read}
        return findings

    def forget(self, uri: str) -> None:
        """Drop what was kept for ``uri`` (call it from the thread the analyses run in)."""
        self.incremental.forget(uri)

    def closed(self, uri: str) -> None:
        """``uri`` is no longer open: what its analysis read no longer matters."""
        self._reads.pop(uri, None)

    def read_by(self, uri: str, path: str) -> bool:
        """Whether the last analysis of ``uri`` read the module at ``path``."""
        return os.path.realpath(path) in self._reads.get(uri, ())

    @staticmethod
    def show_buffer(path: str, text: str) -> None:
        """An open document's unsaved text: other modules' analyses read it instead of the disk."""
        project.UNSAVED[os.path.realpath(path)] = text

    @staticmethod
    def drop_buffer(path: str) -> None:
        project.UNSAVED.pop(os.path.realpath(path), None)

    @staticmethod
    def unreadable(path: str, error: SourceError, settings: Settings) -> list[Finding]:
        """The TFS000 of a document that cannot be analysed."""
        return source_error(path, error, settings)

    @staticmethod
    def notebook(document: bytes) -> Notebook:
        """Cells -> the virtual module `tf2lint check` builds for an .ipynb (raises `NotebookError`)."""
        return load_notebook(document)

    @staticmethod
    def apply(text: str, fixes: Iterable[dict]) -> str:
        from tf2lint.fixing.edits import apply

        return apply(text, list(fixes))[0]

    @staticmethod
    def fix_all(text: str, path: str, settings: Settings, unsafe: bool, lint: Callable[[str], list[Finding]]) -> str | None:
        """The text with every fix applied in rounds, each round linted by ``lint``; None when nothing changed."""
        from tf2lint.fixing.write import fix_text

        fixed = fix_text(text, path, settings, unsafe, lint=lint)
        return fixed.fixed if fixed.changed else None

    @staticmethod
    def map_back(
        text: str, new_text: str, origin: list[tuple[int, int]], cells: list[dict]
    ) -> tuple[dict[int, str], list[tuple[int, str]]]:
        """A fixed notebook module -> each changed cell's new source, and the cells that could not be mapped."""
        from tf2lint.fixing.notebook import map_back

        return map_back(text, new_text, origin, cells)

    @staticmethod
    def line_edits(old_lines: list[str], new_lines: list[str]) -> list[Edit]:
        """Whole-line replacements turning one text into the other."""
        from tf2lint.fixing.edits import diff_edits

        return diff_edits(old_lines, new_lines)
