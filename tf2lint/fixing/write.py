"""`tf2lint check --fix / --unsafe-fixes / --diff`: apply fixes to files, safely.

Fixes are applied in rounds (non-overlapping ones together, then the file is linted again) until
nothing applicable is left. A round whose result does not parse, or does not survive the trip to the
file's bytes and back (encoded in the file's encoding, decoded the way Python will read it), is
retried fix by fix; the fixes that break it are dropped and reported.

A file is written through to its real path (a symlink stays a symlink), never outside the paths the
run was given, never when it has other hard links (an atomic write would split them), and never when
it changed on disk since it was read. The new bytes go to an anonymous temporary file in the same
directory (O_TMPFILE where the system has it, so that a killed run leaves nothing behind), get the
old file's mode and owner, are flushed to disk, and replace the old file in one rename.
"""

from __future__ import annotations

import ast
import codecs
import difflib
import errno
import os
import re
import stat
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from tf2lint.engine import lint_source
from tf2lint.findings import Finding, Settings
from tf2lint.source import SourceError, decode, encoding_of, read

MAX_ROUNDS = 10
TEMPORARY = re.compile(r"\.tf2lint-(\d+)-\w+\.tmp\Z")


@dataclass
class FileResult:
    path: str
    original: str
    fixed: str
    applied: int = 0
    findings: list[Finding] = field(default_factory=list)  # what remains after fixing
    problems: list[str] = field(default_factory=list)  # fixes dropped, files not written
    encoding: str = "utf-8"
    bom: bool = False

    @property
    def changed(self) -> bool:
        return self.fixed != self.original

    def diff(self) -> bytes:
        """A unified diff of the file's bytes that `patch -p1` and `git apply` accept: lines are split
        on b"\\n" as they split them, and a last line without one is marked."""
        old, new = (_patch_lines(self.encode(text)) for text in (self.original, self.fixed))
        name = os.fsencode(self.path)
        out = []
        for line in difflib.diff_bytes(difflib.unified_diff, old, new, b"a/" + name, b"b/" + name):
            out.append(line if line.endswith(b"\n") else line + b"\n\\ No newline at end of file\n")
        return b"".join(out)

    def encode(self, text: str) -> bytes:
        """The bytes of ``text`` as this file stores it; UnicodeEncodeError when it cannot."""
        return (codecs.BOM_UTF8 if self.bom else b"") + text.encode("utf-8" if self.encoding == "utf-8-sig" else self.encoding)

    def unsafe_available(self) -> int:
        return sum(1 for f in self.findings if f.fix and f.fix["applicability"] == "unsafe")


def _patch_lines(data: bytes) -> list[bytes]:
    return re.findall(rb"[^\n]*\n|[^\n]+\Z", data)


def is_sound(result: FileResult, text: str) -> bool:
    """Whether ``text`` can be written: it encodes, decodes back to itself as Python will read the
    bytes (a coding cookie pushed below line 2 stops counting), and parses."""
    try:
        data = result.encode(text)
        if decode(data) != text:
            return False
        ast.parse(data)
    except (UnicodeError, SourceError, SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


def fix_text(
    text: str, path: str, settings: Settings, unsafe: bool, encoding: str = "utf-8", bom: bool = False,
    lint: Callable[[str], list[Finding]] | None = None,
) -> FileResult:
    """``lint``: the findings (with fixes) of a text; `lint_source` by default, the editor server's
    analysis adapter there."""
    from tf2lint.fixing import edits as fixer

    if lint is None:
        lint = lambda source: lint_source(source, path, settings, fixes=True)  # noqa: E731
    result = FileResult(path, text, text, encoding=encoding, bom=bom)
    for _ in range(MAX_ROUNDS):
        findings = lint(result.fixed)
        wanted = [f.fix for f in findings if f.fix and (unsafe or f.fix["applicability"] == "safe")]
        if not wanted:
            break
        candidate, chosen = fixer.apply(result.fixed, wanted)
        if not is_sound(result, candidate):
            candidate, chosen = result.fixed, []
            for fix in wanted:  # one at a time, keeping only what can be written
                attempt, taken = fixer.apply(candidate, [fix])
                if taken and is_sound(result, attempt):
                    candidate, chosen = attempt, [*chosen, fix]
                elif taken:
                    result.problems.append(
                        f"{path}: dropped a fix whose result would not parse or not encode as {encoding}: {fix['message']}"
                    )
        if not chosen or candidate == result.fixed:
            break
        result.fixed, result.applied = candidate, result.applied + len(chosen)
    result.findings = lint(result.fixed)
    return result


def file_encoding(data: bytes) -> str:
    """The encoding Python reads ``data`` in (coding cookie, BOM), UTF-8 where it says none it knows."""
    try:
        return encoding_of(data)
    except SyntaxError:
        return "utf-8"


def fix_file(
    path: str, data: bytes, settings: Settings, unsafe: bool, write: bool, roots: Sequence[str] | None = None
) -> FileResult | None:
    """Fix one Python file from the bytes it was read as; None when they do not decode (the linter
    reports that). The file is only written if it still holds exactly those bytes, and only inside
    ``roots`` (real paths of the files and directories the run was given) when they are given.
    When it is not written, the result says so: nothing applied, the original's findings remain."""
    try:
        text = decode(data)
    except SourceError:
        return None
    result = fix_text(text, path, settings, unsafe, file_encoding(data), data.startswith(codecs.BOM_UTF8))
    if write and result.changed and not write_result(path, data, result, roots):
        result.fixed, result.applied = result.original, 0
        result.findings = lint_source(result.original, path, settings, fixes=True)
    return result


def _inside(real: str, roots: Sequence[str] | None) -> bool:
    return roots is None or any(real == root or real.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def write_result(path: str, original: bytes, result: FileResult, roots: Sequence[str] | None) -> bool:
    real = os.path.realpath(path)
    if not _inside(real, roots):
        result.problems.append(f"{path}: links to {real}, outside the paths given; not written")
        return False
    try:
        payload = result.encode(result.fixed)  # is_sound() checked it; kept here so no error can escape
        status = os.stat(real)
        if status.st_nlink > 1:
            result.problems.append(
                f"{path}: has {status.st_nlink} hard links, which replacing it would split; not written"
            )
            return False
        try:
            unchanged = read(real, len(original)) == original  # a regular file only, never more than it held
        except SourceError:
            unchanged = False
        if not unchanged:
            result.problems.append(f"{path}: changed on disk while being fixed; not overwritten")
            return False
        _replace(real, payload, status)
    except (OSError, UnicodeError) as exc:
        message = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        result.problems.append(f"{path}: not written: {message}")
        return False
    return True


def _replace(real: str, payload: bytes, status: os.stat_result) -> None:
    """Atomically replace ``real`` by ``payload`` with its mode and (where permitted) owner."""
    directory = os.path.dirname(real)
    _remove_stale_temporaries(directory)
    name = f".tf2lint-{os.getpid()}-{os.urandom(4).hex()}.tmp"
    folder = os.open(directory, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        try:  # an anonymous file first: a run killed while writing it leaves nothing behind
            handle = os.open(".", os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC, 0o600, dir_fd=folder)  # type: ignore[attr-defined]
        except (AttributeError, OSError):  # no O_TMPFILE on this system or file system
            handle = os.open(name, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, 0o600, dir_fd=folder)
            named = True
        else:
            named = False
        try:
            view = memoryview(payload)
            while view:
                view = view[os.write(handle, view):]
            os.fchmod(handle, stat.S_IMODE(status.st_mode))
            try:
                os.fchown(handle, status.st_uid, status.st_gid)
            except PermissionError:
                pass  # keeping the owner needs the right to change it (root, or the owner itself)
            os.fsync(handle)
            if not named:  # named only now, for the instant before the rename; linkat follows /proc's link
                os.link(f"/proc/self/fd/{handle}", name, src_dir_fd=folder, dst_dir_fd=folder, follow_symlinks=True)
                named = True
            os.replace(name, os.path.basename(real), src_dir_fd=folder, dst_dir_fd=folder)
        except BaseException:
            if named:
                try:
                    os.unlink(name, dir_fd=folder)
                except OSError:
                    pass
            raise
        finally:
            os.close(handle)
    finally:
        os.close(folder)


_SWEPT: set[str] = set()  # directories already cleaned by this process


def _remove_stale_temporaries(directory: str) -> None:
    """Temporary files of runs that were killed between naming and renaming one (a few instructions)."""
    if directory in _SWEPT:
        return
    _SWEPT.add(directory)
    try:
        entries = [e for e in os.scandir(directory) if TEMPORARY.match(e.name)]
    except OSError:
        return
    for entry in entries:
        pid = int(TEMPORARY.match(entry.name).group(1))  # type: ignore[union-attr]
        try:
            os.kill(pid, 0)
            continue  # its run is still going
        except ProcessLookupError:
            pass
        except OSError as exc:
            if exc.errno != errno.ESRCH:
                continue
        try:
            os.unlink(entry.path)
        except OSError:
            pass
