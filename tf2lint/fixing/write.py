"""`tf2lint check --fix / --unsafe-fixes / --diff`: apply fixes to files, safely.

Fixes are applied in rounds (non-overlapping ones together, then the file is linted again) until
nothing applicable is left. A round whose result does not parse is retried fix by fix and the
fixes that break the code are dropped and reported. Files are written atomically (temporary file in
the same directory, then rename), keeping mode, encoding, BOM and line endings, and never when the
file changed on disk since it was read.
"""

from __future__ import annotations

import ast
import codecs
import difflib
import os
import stat
import tempfile
import tokenize
from dataclasses import dataclass, field
from io import BytesIO

from tf2lint.engine import lint_source
from tf2lint.findings import Finding, Settings
from tf2lint.source import SourceError, decode, physical_lines

MAX_ROUNDS = 10


@dataclass
class FileResult:
    path: str
    original: str
    fixed: str
    applied: int = 0
    findings: list[Finding] = field(default_factory=list)  # what remains after fixing
    problems: list[str] = field(default_factory=list)  # fixes dropped, files not written

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    def diff(self) -> str:
        return "".join(difflib.unified_diff(
            physical_lines(self.original), physical_lines(self.fixed),
            fromfile=f"a/{self.path}", tofile=f"b/{self.path}",
        ))

    def unsafe_available(self) -> int:
        return sum(1 for f in self.findings if f.fix and f.fix["applicability"] == "unsafe")


def _parses(text: str) -> bool:
    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def fix_text(text: str, path: str, settings: Settings, unsafe: bool) -> FileResult:
    from tf2lint.fixing import edits as fixer

    result = FileResult(path, text, text)
    for _ in range(MAX_ROUNDS):
        findings = lint_source(result.fixed, path, settings, fixes=True)
        wanted = [f.fix for f in findings if f.fix and (unsafe or f.fix["applicability"] == "safe")]
        if not wanted:
            break
        candidate, chosen = fixer.apply(result.fixed, wanted)
        if not _parses(candidate):
            candidate, chosen = result.fixed, []
            for fix in wanted:  # one at a time, keeping only what still parses
                attempt, taken = fixer.apply(candidate, [fix])
                if taken and _parses(attempt):
                    candidate, chosen = attempt, [*chosen, fix]
                elif taken:
                    result.problems.append(f"{path}: dropped a fix that would not parse: {fix['message']}")
        if not chosen or candidate == result.fixed:
            break
        result.fixed, result.applied = candidate, result.applied + len(chosen)
    result.findings = lint_source(result.fixed, path, settings, fixes=True)
    return result


def _encoding(data: bytes) -> str:
    try:
        return tokenize.detect_encoding(BytesIO(data).readline)[0]
    except SyntaxError:
        return "utf-8"


def fix_file(path: str, data: bytes, settings: Settings, unsafe: bool, write: bool) -> FileResult | None:
    """Fix one Python file from the bytes it was read as; None when they do not decode (the linter
    reports that). The file is only written if it still holds exactly those bytes."""
    try:
        text = decode(data)
    except SourceError:
        return None
    result = fix_text(text, path, settings, unsafe)
    if write and result.changed:
        _write(path, data, result)
    return result


def _write(path: str, original: bytes, result: FileResult) -> None:
    encoding = _encoding(original)
    bom = codecs.BOM_UTF8 if original.startswith(codecs.BOM_UTF8) else b""
    payload = bom + result.fixed.encode("utf-8" if encoding == "utf-8-sig" else encoding)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".tf2lint-", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(payload)
            os.chmod(temporary, mode)
            with open(path, "rb") as current:
                if current.read() != original:
                    result.problems.append(f"{path}: changed on disk while being fixed; not overwritten")
                    os.unlink(temporary)
                    return
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
    except OSError as exc:
        result.problems.append(f"{path}: not written: {exc.strerror or exc}")
