"""Bytes -> text -> AST, and the line and column conventions every layer shares.

Lines are 1-based and counted like Python's parser counts them (``\r\n``, ``\r`` and ``\n`` all end a
line); columns are 0-based *character* offsets (``ast`` gives UTF-8 byte offsets).
"""

from __future__ import annotations

import ast
import os
import re
import stat
import tokenize
from bisect import bisect_right
from collections.abc import Iterator, Sequence

LINE_BREAK = re.compile(r"\r\n|\r|\n")  # what ends a line for Python's parser and for LSP
# A line with its end, as Python's parser counts lines (str.splitlines also breaks on \f, \x1c, \u2028...).
_LINE_WITH_END = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str) -> list[str]:
    """The source's lines without their breaks, numbered like the AST numbers them."""
    return LINE_BREAK.split(text)


def line_starts(text: str) -> list[int]:
    """Offset of the start of every line after the first: ``bisect_right(starts, offset) + 1`` is the
    1-based line of an offset, counted like the AST counts (a lone \r ends a line too)."""
    return [match.end() for match in LINE_BREAK.finditer(text)]


def lines_at(text: str, offsets: list[int]) -> Iterator[int]:
    """1-based lines of ascending offsets, counted between them (a lone carriage return ends a line too)."""
    if "\r" in text:
        starts = line_starts(text)
        for offset in offsets:
            yield bisect_right(starts, offset) + 1
        return
    line, last = 1, 0
    for offset in offsets:
        line += text.count("\n", last, offset)
        last = offset
        yield line


def finds(text: str, word: str) -> Iterator[int]:
    """Every offset where ``word`` starts in ``text`` (`str.find`: most searched words are absent)."""
    offset = text.find(word)
    while offset != -1:
        yield offset
        offset = text.find(word, offset + 1)


def is_word_char(char: str) -> bool:
    """A character that can continue a Python identifier (what a regex's `\\w` matches)."""
    return char.isalnum() or char == "_"


def physical_lines(text: str) -> list[str]:
    """The lines of a source, each with its line break, numbered like the AST numbers them."""
    return _LINE_WITH_END.findall(text)


class Lines(Sequence[str]):
    """The source's physical lines, split on first use: only files with findings need them."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._lines: list[str] | None = None

    def _split(self) -> list[str]:
        if self._lines is None:
            self._lines = split_lines(self._text)
        return self._lines

    def __getitem__(self, index):  # type: ignore[override]
        return self._split()[index]

    def __len__(self) -> int:
        return len(self._split())


class SourceError(Exception):
    """The file could not be turned into an AST; the message says why."""

    def __init__(self, message: str, line: int = 1, col: int = 0) -> None:
        super().__init__(message)
        self.line, self.col = line, col


DEFAULT_MAX_FILE_SIZE = 32 * 1024 * 1024  # bytes; `max-file-size` in the configuration


def read(path: str, limit: int = DEFAULT_MAX_FILE_SIZE) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes: the one way tf2lint opens a file it reads
    (sources, modules a file imports, cache entries and the dependencies they name).

    Raises OSError, or SourceError for anything else (a FIFO, a device, a file above the limit). The
    file is opened without blocking: opening a FIFO would otherwise wait for a writer forever.
    """
    handle = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        status = os.fstat(handle)
        if not stat.S_ISREG(status.st_mode):
            raise SourceError(f"cannot read: not a regular file ({_kind(status.st_mode)})")
        chunks, size = [], 0
        while size <= limit and (chunk := os.read(handle, min(1 << 20, limit + 1 - size))):
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise too_large(limit)
        return b"".join(chunks)
    finally:
        os.close(handle)


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                       (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "not a file"


def too_large(limit: int) -> SourceError:
    """What a file or a piped buffer larger than ``limit`` bytes is reported as."""
    return SourceError(f"cannot read: larger than {limit} bytes (max-file-size)")


_BYTE_LINES = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def encoding_of(data: bytes) -> str:
    """The encoding Python reads ``data`` in (BOM, coding cookie), its first two lines split as the parser
    splits them: `BytesIO.readline` splits on LF only, so a CR-only file's cookie would go unseen (and
    the whole file be taken for its first line). SyntaxError for a bad cookie, as tokenize says."""
    lines = (match.group() for match in _BYTE_LINES.finditer(data))  # lazily: two lines are read at most
    return tokenize.detect_encoding(lambda: next(lines, b""))[0]


def decode(data: bytes) -> str:
    """Bytes -> text honouring a BOM or a coding cookie; the BOM is dropped."""
    try:
        text = data.decode(encoding_of(data))
    except (SyntaxError, LookupError) as exc:
        raise SourceError(f"cannot decode: {exc}") from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(f"cannot decode as {exc.encoding}: invalid byte at offset {exc.start}", line) from None
    return text[1:] if text.startswith("\ufeff") else text


def parse(text: str, path: str, flags: int = 0) -> ast.Module:
    try:
        return compile(text, path, "exec", ast.PyCF_ONLY_AST | flags, dont_inherit=True)  # type: ignore[return-value]
    except SyntaxError as exc:
        line = exc.lineno or 1
        col = max((exc.offset or 1) - 1, 0)
        raise SourceError(f"cannot parse: {exc.msg}", line, col) from None
    except ValueError as exc:  # NUL bytes (Python < 3.12)
        raise SourceError(f"cannot parse: {exc}") from None
    except (RecursionError, MemoryError, OverflowError) as exc:
        raise SourceError(f"cannot parse: too deeply nested or too large for the parser ({type(exc).__name__})") from None


def char_col(lines: Sequence[str], line: int, byte_col: int) -> int:
    """The character column of an AST (UTF-8 byte) column."""
    if not 0 < line <= len(lines):
        return byte_col
    text = lines[line - 1]
    if text.isascii():
        return byte_col
    return len(text.encode("utf-8")[:byte_col].decode("utf-8", "ignore"))
