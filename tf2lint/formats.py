"""Findings -> text for humans and machines. Output columns are 1-based."""

from __future__ import annotations

import json
from collections.abc import Sequence

from tf2lint.engine import Finding


def as_text(findings: Sequence[Finding]) -> str:
    lines = [f"{f.path}:{f.line}:{f.col + 1}: {f.code} {f.message}" for f in findings]
    if findings:
        files = len({f.path for f in findings})
        lines.append(f"Found {len(findings)} finding{'s' * (len(findings) != 1)} in {files} file{'s' * (files != 1)}.")
    return "\n".join(lines) + ("\n" if lines else "")


def as_json(findings: Sequence[Finding]) -> str:
    records = [
        {
            "path": f.path,
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


FORMATS = {"text": as_text, "json": as_json}
