"""`tf2lint check --add-noqa`: a `# noqa: CODE` for every current finding, so a team can turn tf2lint on
in CI today and burn the list down.

A comment covers the tokens of its line back to the last line break the tokenizer reports, so it goes
at the end of the *logical* line: after a backslash continuation's last line, after the closing quotes
of a string that spans lines. An existing `# noqa: CODES` there gains the new codes. The file is written
(atomically, as fixes are) only when the result decodes and parses.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Sequence

from tf2lint.engine import NOQA
from tf2lint.findings import Finding

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def comment_lines(text: str) -> tuple[dict[int, int], dict[int, int]] | None:
    """(physical line -> the line whose end a comment covering it must go to, line -> column where its
    comment starts); None if the text does not tokenize."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text, newline=None).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    target: dict[int, int] = {}
    comments: dict[int, int] = {}
    low = None
    for token in tokens:
        if token.type in (tokenize.ENDMARKER, tokenize.DEDENT, tokenize.INDENT):
            continue
        low = token.start[0] if low is None else low
        if token.type == tokenize.COMMENT:
            comments[token.start[0]] = token.start[1]
        if token.type in (tokenize.NL, tokenize.NEWLINE):
            for line in range(low, token.end[0] + 1):
                target[line] = token.start[0]
            low = None
    return target, comments


def add_noqa(text: str, findings: Sequence[Finding]) -> tuple[str, int]:
    """``text`` with the comments added, and how many lines got one."""
    found = comment_lines(text)
    if found is None:
        return text, 0
    target, comments = found
    wanted: dict[int, set[str]] = {}
    for finding in findings:
        if finding.cell is None and finding.line in target:
            wanted.setdefault(target[finding.line], set()).add(finding.code)
    if not wanted:
        return text, 0
    pieces = _LINE_BREAK.split(text)
    breaks = _LINE_BREAK.findall(text)
    for number, codes in wanted.items():
        line = pieces[number - 1]
        start = comments.get(number, len(line))
        existing = [m for m in NOQA.finditer(line, start) if m.group("codes")]
        if existing:  # extend the last `# noqa: CODES` of the line
            match = existing[-1]
            known = [c.upper() for c in re.split(r"[,\s]+", match.group("codes")) if c]
            merged = ", ".join([*known, *sorted(codes - set(known))])
            line = line[: match.start("codes")] + merged + line[match.end("codes"):]
        else:
            line = f"{line.rstrip()}  # noqa: {', '.join(sorted(codes))}"
        pieces[number - 1] = line
    out = [piece + brk for piece, brk in zip(pieces, [*breaks, ""])]
    return "".join(out), len(wanted)
