"""Findings -> output for people and for CI. Output lines and columns are 1-based.

Every format says the same severity for a rule (`severity`: an error when the mistake raises at runtime,
else a warning) and links the same page (`rule_url`: the rule's page under the docs that exist on this
machine, never an invented address).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from tf2lint import DOCS_URL, __version__
from tf2lint.findings import Finding
from tf2lint.rules import ALL_RULES, BY_CODE


@dataclass(frozen=True)
class Style:
    """How the text format looks: colour and source lines (a terminal), which fixes count as applicable."""

    colour: bool = False
    source: bool = False
    unsafe: bool = False  # unsafe fixes are applicable (`--unsafe-fixes`)
    summary: bool = True  # "Found ..." / "All checks passed!" (off with --quiet)


def severity(code: str) -> str:
    """"error" when the mistake raises at runtime (and for files that cannot be checked), else "warning"."""
    rule = BY_CODE.get(code)
    return "error" if rule is not None and rule.raises else "warning"


def rule_url(code: str) -> str:
    return f"{DOCS_URL}/rules/{code}.md"


def fixable(f: Finding, unsafe: bool = False) -> bool:
    return bool(f.fix) and (unsafe or f.fix["applicability"] == "safe")


def _where(f: Finding) -> str:
    return f"{f.path}:cell {f.cell}:{f.line}:{f.col + 1}" if f.cell else f"{f.path}:{f.line}:{f.col + 1}"


_BOLD, _RED, _CYAN, _BLUE, _RESET = "\x1b[1m", "\x1b[31m", "\x1b[36m", "\x1b[34m", "\x1b[0m"


def as_text(findings: Sequence[Finding], style: Style = Style()) -> str:
    def paint(text: str, *codes: str) -> str:
        return "".join(codes) + text + _RESET if style.colour else text

    sources: dict[str, list[str] | None] = {}
    lines = []
    for f in findings:
        mark = " " + paint("[*]", _CYAN) if fixable(f, style.unsafe) else ""
        lines.append(f"{paint(_where(f), _BOLD)}: {paint(f.code, _BOLD, _RED)}{mark} {f.message}")
        if style.source and f.cell is None:
            lines.extend(_excerpt(f, sources, paint))
    if style.summary:
        if findings:
            files = len({f.path for f in findings})
            lines.append(f"Found {len(findings)} finding{'s' * (len(findings) != 1)} in {files} file{'s' * (files != 1)}.")
            safe = sum(fixable(f, style.unsafe) for f in findings)
            hidden = sum(fixable(f, True) for f in findings) - safe
            if safe:
                lines.append(f"[*] {safe} fixable with the `--fix` option.")
            if hidden:
                lines.append(f"({hidden} hidden fix{'es' * (hidden != 1)} can be enabled with the `--unsafe-fixes` option.)")
        else:
            lines.append("All checks passed!")
    return "\n".join(lines) + ("\n" if lines else "")


def _excerpt(f: Finding, sources: dict[str, list[str] | None], paint: Callable[..., str]) -> list[str]:
    """The finding's line with its number and a caret under the reported span (ruff's full output)."""
    if f.path not in sources:
        from tf2lint.engine import read
        from tf2lint.source import SourceError, decode, split_lines

        try:
            sources[f.path] = split_lines(decode(read(f.path)))
        except (OSError, SourceError, ValueError):
            sources[f.path] = None
    text = sources[f.path]
    if text is None or not 0 < f.line <= len(text):
        return []
    line = text[f.line - 1].rstrip("\r\n").expandtabs(1)
    end = f.end_col if f.end_line == f.line and f.end_col > f.col else len(line)
    gutter = str(f.line)
    return [
        paint(f"{' ' * len(gutter)} |", _BLUE),
        f"{paint(gutter + ' |', _BLUE)} {line}",
        f"{paint(' ' * len(gutter) + ' |', _BLUE)} {' ' * f.col}{paint('^' * max(1, end - f.col), _RED)}",
        "",
    ]


def _record(f: Finding) -> dict:
    return {
        "path": f.path,
        "cell": f.cell,
        "line": f.line,
        "column": f.col + 1,
        "end_line": f.end_line,
        "end_column": f.end_col + 1,
        "code": f.code,
        "symbol": f.symbol,
        "severity": severity(f.code),
        "message": f.message,
        "fix": f.fix,
        "url": rule_url(f.code),
    }


def as_json(findings: Sequence[Finding]) -> str:
    """A list of findings; `tf2lint/schemas/findings.schema.json` describes it."""
    return json.dumps([_record(f) for f in findings], indent=2) + "\n"


def as_json_lines(findings: Sequence[Finding]) -> str:
    """One JSON object per line, as in `--format json`."""
    return "".join(json.dumps(_record(f)) + "\n" for f in findings)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands: each finding becomes an annotation on the pull request."""
    out = []
    for f in findings:
        message = f"cell {f.cell}: {f.message}" if f.cell else f.message
        props = ",".join(
            [
                f"file={_escape_property(f.path)}",
                f"line={f.line}",
                f"col={f.col + 1}",
                f"endLine={f.end_line}",
                f"endColumn={f.end_col + 1}",
                f"title={_escape_property(f.code + ' ' + f.symbol)}",
            ]
        )
        out.append(f"::{severity(f.code)} {props}::{_escape_data(message)}")
    return "\n".join(out) + ("\n" if out else "")


def _artifact_uri(path: str) -> str:
    """A URI reference relative to %SRCROOT% (the working directory): percent-encoded, so that
    `my model#2.py` is no fragment and `100%.py` a valid URI."""
    relative = os.path.relpath(path) if os.path.isabs(path) else path
    return quote(Path(relative).as_posix(), safe="/", errors="surrogateescape")


def as_sarif(findings: Sequence[Finding]) -> str:
    """SARIF 2.1.0, one run, one rules entry per rule, artifact paths relative to the working directory."""
    index = {rule.code: i for i, rule in enumerate(ALL_RULES)}
    rules = [
        {
            "id": rule.code,
            "name": rule.symbol,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.docs.what},
            "help": {"text": f"{rule.docs.why}\n\nAt runtime: {rule.docs.runtime}"},
            "helpUri": rule_url(rule.code),
            "defaultConfiguration": {"level": severity(rule.code)},
        }
        for rule in ALL_RULES
    ]
    results = []
    for f in findings:
        rule = BY_CODE[f.code]
        results.append(
            {
                "ruleId": f.code,
                "ruleIndex": index[f.code],
                "level": rules[index[f.code]]["defaultConfiguration"]["level"],
                "message": {"text": f"cell {f.cell}: {f.message}" if f.cell else f.message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": _artifact_uri(f.path), "uriBaseId": "%SRCROOT%"},
                            "region": {
                                "startLine": f.line,
                                "startColumn": f.col + 1,
                                "endLine": f.end_line,
                                "endColumn": max(f.end_col + 1, 1),
                            },
                        }
                    }
                ],
                "properties": {"symbol": rule.symbol},
            }
        )
        if f.fix and f.cell is None:
            results[-1]["fixes"] = [_sarif_fix(f)]
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tf2lint",
                        "version": __version__,
                        "informationUri": DOCS_URL,
                        "rules": rules,
                    }
                },
                "columnKind": "unicodeCodePoints",
                # Where %SRCROOT% is: code scanning resolves the relative uris from any directory.
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
                "results": results,
            }
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def _sarif_fix(f: Finding) -> dict:
    """The finding's fix as SARIF replacements (1-based lines and columns, unicode code points)."""
    return {
        "description": {"text": f"{f.fix['message']} ({f.fix['applicability']})"},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": _artifact_uri(f.path), "uriBaseId": "%SRCROOT%"},
                "replacements": [
                    {
                        "deletedRegion": {
                            "startLine": edit["line"], "startColumn": edit["column"],
                            "endLine": edit["end_line"], "endColumn": edit["end_column"],
                        },
                        "insertedContent": {"text": edit["content"]},
                    }
                    for edit in f.fix["edits"]
                ],
            }
        ],
    }


def _fingerprint(f: Finding) -> str:
    """Stable while the finding stays on the same code in the same file (not its line number)."""
    return hashlib.sha256(f"{f.path}\0{f.code}\0{f.message}".encode("utf-8", "surrogatepass")).hexdigest()


def as_gitlab(findings: Sequence[Finding]) -> str:
    """GitLab's code quality report (`artifacts: reports: codequality`)."""
    counts: Counter[str] = Counter()
    issues = []
    for f in findings:
        base = _fingerprint(f)
        counts[base] += 1  # the same message twice in a file: still two distinct issues
        issues.append({
            "description": f"{f.code} {f.message}" if not f.cell else f"{f.code} cell {f.cell}: {f.message}",
            "check_name": f"{f.code} {f.symbol}",
            "fingerprint": hashlib.sha256(f"{base}\0{counts[base]}".encode()).hexdigest(),
            "severity": "major" if severity(f.code) == "error" else "minor",
            "location": {"path": _artifact_uri(f.path), "lines": {"begin": f.line, "end": f.end_line}},
        })
    return json.dumps(issues, indent=2) + "\n"


def as_junit(findings: Sequence[Finding]) -> str:
    """JUnit XML: one test suite, a test case per linted file with findings, one failure per finding."""
    by_file: dict[str, list[Finding]] = {}
    for f in findings:
        by_file.setdefault(f.path, []).append(f)
    from xml.sax.saxutils import escape, quoteattr  # only here: it imports urllib.request, a third of start-up

    out = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites name="tf2lint" tests="{len(by_file)}" failures="{len(findings)}">',
        f'  <testsuite name="tf2lint" tests="{len(by_file)}" failures="{len(findings)}" errors="0">',
    ]
    for path, found in by_file.items():
        name = quoteattr(_xml_text(path))
        out.append(f"    <testcase classname={name} name={name}>")
        for f in found:
            text = _xml_text(f"{_where(f)}: {f.code} {f.message}")
            message = quoteattr(_xml_text(f"{f.code} {f.message}"))
            out.append(f'      <failure message={message} type="{severity(f.code)}">{escape(text)}</failure>')
        out.append("    </testcase>")
    out += ["  </testsuite>", "</testsuites>"]
    return "\n".join(out) + "\n"


def _xml_text(text: str) -> str:
    """Characters XML 1.0 cannot hold (controls, lone surrogates from file names) as backslash escapes."""
    return "".join(
        c if c in "\t\n\r" or ("\x20" <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd") or c > "\uffff"
        else c.encode("unicode_escape", "backslashreplace").decode("ascii")
        for c in text
    )


def as_rdjson(findings: Sequence[Finding]) -> str:
    """reviewdog's Diagnostic Format (rdjson); columns in unicode code points, as the text says."""
    diagnostics = []
    for f in findings:
        diagnostic: dict = {
            "message": f.message if not f.cell else f"cell {f.cell}: {f.message}",
            "location": {
                "path": f.path,
                "range": {"start": {"line": f.line, "column": f.col + 1}, "end": {"line": f.end_line, "column": f.end_col + 1}},
            },
            "severity": severity(f.code).upper(),
            "code": {"value": f.code, "url": rule_url(f.code)},
        }
        if f.fix and f.cell is None:
            diagnostic["suggestions"] = [
                {
                    "range": {"start": {"line": e["line"], "column": e["column"]}, "end": {"line": e["end_line"], "column": e["end_column"]}},
                    "text": e["content"],
                }
                for e in f.fix["edits"]
            ]
        diagnostics.append(diagnostic)
    document = {"source": {"name": "tf2lint", "url": DOCS_URL}, "diagnostics": diagnostics}
    return json.dumps(document, indent=2) + "\n"


def statistics(findings: Sequence[Finding]) -> dict:
    by_rule = Counter(f.code for f in findings)
    by_file = Counter(f.path for f in findings)
    return {
        "rules": [
            {"code": code, "symbol": BY_CODE[code].symbol, "count": count}
            for code, count in sorted(by_rule.items(), key=lambda item: (-item[1], item[0]))
        ],
        "files": [{"path": path, "count": count} for path, count in sorted(by_file.items(), key=lambda item: (-item[1], item[0]))],
        "total": len(findings),
    }


def as_statistics(findings: Sequence[Finding], form: str = "text") -> str:
    """Counts per rule and per file, most first: the migration report (JSON with ``form="json"``)."""
    if form == "json":
        return json.dumps(statistics(findings), indent=2) + "\n"
    if not findings:
        return ""
    by_rule = Counter(f.code for f in findings)
    by_file = Counter(f.path for f in findings)
    width = len(str(max(max(by_rule.values()), max(by_file.values()))))
    lines = ["Findings per rule:"]
    for code, count in sorted(by_rule.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"  {count:>{width}}  {code}  {BY_CODE[code].symbol}")
    lines.append("Findings per file:")
    for path, count in sorted(by_file.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"  {count:>{width}}  {path}")
    lines.append(f"Total: {len(findings)} in {len(by_file)} file{'s' * (len(by_file) != 1)}.")
    return "\n".join(lines) + "\n"


FORMATS: dict[str, Callable[[Sequence[Finding]], str]] = {
    "text": as_text, "full": lambda findings: as_text(findings, Style(source=True)), "json": as_json, "json-lines": as_json_lines, "github": as_github, "gitlab": as_gitlab,
    "junit": as_junit, "rdjson": as_rdjson, "sarif": as_sarif,
}


def colour(stream) -> bool:
    """Colour on a terminal; NO_COLOR (any value) turns it off, FORCE_COLOR (any value) on: no-color.org."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


def render(args: argparse.Namespace, findings: list[Finding], stream=None) -> str:
    """The report in the chosen format; ``stream``: where text goes (None: a file, never coloured)."""
    findings.sort(key=Finding.sort_key)
    if args.statistics:
        return as_statistics(findings, "json" if args.format == "json" else "text")
    if args.format in ("text", "full"):
        painted = stream is not None and colour(stream)
        isatty = getattr(stream, "isatty", None)
        terminal = bool(isatty and isatty())
        # On a terminal, or with `--format full`: the source line and a caret under each finding (ruff's full).
        source = args.format == "full" or terminal or painted
        return as_text(findings, Style(painted, source, getattr(args, "unsafe_fixes", False), not getattr(args, "quiet", False)))
    return FORMATS[args.format](findings)
