"""Findings -> output for people and for CI. Output lines and columns are 1-based."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from tf2lint import DOCS_URL, __version__
from tf2lint.findings import Finding
from tf2lint.rules import ALL_RULES, BY_CODE


def _where(f: Finding) -> str:
    return f"{f.path}:cell {f.cell}:{f.line}:{f.col + 1}" if f.cell else f"{f.path}:{f.line}:{f.col + 1}"


def as_text(findings: Sequence[Finding]) -> str:
    lines = [f"{_where(f)}: {f.code} {f.message}" for f in findings]
    if findings:
        files = len({f.path for f in findings})
        lines.append(f"Found {len(findings)} finding{'s' * (len(findings) != 1)} in {files} file{'s' * (files != 1)}.")
    return "\n".join(lines) + ("\n" if lines else "")


def as_json(findings: Sequence[Finding]) -> str:
    records = [
        {
            "path": f.path,
            "cell": f.cell,
            "line": f.line,
            "column": f.col + 1,
            "end_line": f.end_line,
            "end_column": f.end_col + 1,
            "code": f.code,
            "symbol": f.symbol,
            "message": f.message,
            "fix": f.fix,
        }
        for f in findings
    ]
    return json.dumps(records, indent=2) + "\n"


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
        out.append(f"::error {props}::{_escape_data(message)}")
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
            "helpUri": f"{DOCS_URL}/rules/{rule.code}.md",
            "defaultConfiguration": {"level": "error" if rule.code in ("TFS000", "TFS108", "TFS109") else "warning"},
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


def as_statistics(findings: Sequence[Finding]) -> str:
    """Counts per rule and per file, most first: the migration report."""
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


FORMATS = {"text": as_text, "json": as_json, "github": as_github, "sarif": as_sarif}
