"""`tf2lint check --stdin-filename PATH -`: lint (or fix) a buffer piped in, as if it were the file at PATH.

Configuration is found and applied for PATH (`exclude`, `per-file-ignores`), so an editor or script gets
exactly what a run on the saved file would report. With `--fix` the fixed source goes to stdout and the
findings that remain to stderr; with `--diff` the diff goes to stdout. An excluded path is echoed
unchanged under `--fix` and reports nothing, as ruff does.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from dataclasses import replace

from tf2lint.engine import source_error, lint_data, lint_source
from tf2lint.findings import Finding, Settings
from tf2lint.hosts import config
from tf2lint.source import SourceError, decode, too_large


def _readable(data: bytes) -> bool:
    try:
        decode(data)
    except SourceError:
        return False
    return b"\0" not in data


def _lint(data: bytes, path: str, settings: Settings, fixes: bool) -> list[Finding]:
    if not path.endswith(".ipynb") and not _readable(data):
        # The prefilter cannot read such input either: say so whatever it holds.
        return lint_source(data, path, settings)
    return lint_data(data, path, settings, fixes=fixes)


def _fix(data: bytes, path: str, settings: Settings, unsafe: bool):
    if path.endswith(".ipynb"):
        from tf2lint.fixing.notebook import fix_notebook

        return fix_notebook(data, path, settings, unsafe)
    from tf2lint.fixing.write import fix_file

    return fix_file(path, data, settings, unsafe, write=False)


def _encoded(original: bytes, text: str) -> bytes:
    """``text`` in the encoding (BOM, coding cookie) the input came in."""
    from tf2lint.fixing.write import file_encoding  # one definition of "the file's encoding"

    encoding = file_encoding(original)
    bom = b"\xef\xbb\xbf" if original.startswith(b"\xef\xbb\xbf") else b""
    return bom + text.encode("utf-8" if encoding == "utf-8-sig" else encoding)


def run(args: argparse.Namespace, project: config.Config, base: Settings, excluded: bool = False) -> int:
    """``excluded``: the file selection would not lint PATH (`exclude`, .gitignore)."""
    path = args.stdin_filename or "-"
    limit = args.max_file_size or project.max_file_size
    data = sys.stdin.buffer.read(limit + 1)  # as for a file: never more than max-file-size is read
    out = sys.stdout.buffer
    skipped = excluded or project.is_excluded(path)
    if skipped or len(data) > limit:
        if args.fix and not args.diff:
            out.write(data)
            shutil.copyfileobj(sys.stdin.buffer, out)  # echoed unchanged, as it comes
            out.flush()
        elif skipped and not args.diff and (args.format != "text" or args.statistics):
            _report(args, [], sys.stdout)  # a well-formed empty report (`[]` in JSON); text says nothing
        if skipped:
            return 0
    extra = project.ignored_for(path)
    settings = replace(base, ignore=base.ignore + extra)
    if len(data) > limit:  # the same TFS000 the file would give
        findings = source_error(path, too_large(limit), settings)
        _report(args, findings, sys.stderr if args.fix or args.diff else sys.stdout)
        return 1 if findings and not args.exit_zero else 0
    if not (args.fix or args.diff):
        findings = _lint(data, path, settings, fixes=args.format == "json")
        _report(args, findings, sys.stdout)
        return 1 if findings and not args.exit_zero else 0
    result = _fix(data, path, settings, args.unsafe_fixes) if _readable(data) or path.endswith(".ipynb") else None
    findings = result.findings if result is not None else _lint(data, path, settings, fixes=False)
    for problem in result.problems if result is not None else ():
        print(f"tf2lint: {problem}", file=sys.stderr)
    changed = result is not None and result.changed
    if args.diff:
        out.write(result.diff() if changed else b"")
        out.flush()
        return 1 if changed and not args.exit_zero else 0
    out.write(_encoded(data, result.fixed) if changed else data)
    out.flush()
    _report(args, findings, sys.stderr)
    return 1 if findings and not args.exit_zero else 0


def _report(args: argparse.Namespace, findings: list[Finding], stream) -> None:
    from tf2lint.hosts.formats import render  # one rendering for files and stdin

    stream.write(render(args, findings, stream))
    stream.flush()
