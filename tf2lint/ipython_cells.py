"""A notebook cell read the way IPython's input transformers read it, one output line per input line.

IPython (`IPython.core.inputtransformer2.TransformerManager`) first cleans a cell up (leading blank lines
dropped, the first line's indentation removed from every line that starts with it, `>>>` and `In [1]:`
prompts stripped), then turns a `%%magic` first line into a call for the whole cell, and then, at the
start of each *logical* line only (not inside brackets, strings or a backslash continuation), `%magic`,
`!cmd`, `x = %magic`, `x = !cmd` and `obj?` into calls; an escaped line takes its backslash-continued
lines with it. The same decisions are made here, but each IPython line becomes a Python line that does
nothing (`pass`, `x = None`) and each line it swallows becomes blank, so that line numbers stay those of the
cell. Columns move only where the cell was dedented (``Cell.shifts``). IPython itself is not needed:
`tests/test_ipython_cells.py` compares these decisions with IPython's where it is installed.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

# Cell magics whose body is Python (the cell is still checked); any other `%%magic` is another language.
PYTHON_CELL_MAGICS = frozenset({"time", "timeit", "capture", "prun", "debug"})
_CLASSIC_FIRST = re.compile(r"^>>>( |$)")
_CLASSIC = re.compile(r"^(>>>|\.\.\.)( |$)")
_IPYTHON = re.compile(r"^(In \[\d+\]: |\s*\.{3,}: ?)")
_INDENT = re.compile(r"^[ \t]+")
_ASSIGNED = re.compile(r"^(\s*[\w.,\s\[\]()*]+?\s*=\s*)[%!]")
_HELP = re.compile(r"^\s*(\?\??[\w.]+|[\w.]+\?\??)\s*$")
_ESCAPES = ("%", "!", "?", "/", ",", ";")  # magics, shell, help, autocall (`/f x`, `,f a`)


@dataclass
class Cell:
    lines: list[str]  # Python lines, as many as the cell has
    shifts: list[int]  # per line, the columns IPython's dedent removed from its start


def python_lines(lines: list[str]) -> Cell | None:
    """The cell's lines as Python, or None when a cell magic makes the cell another language."""
    first = next((index for index, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return Cell(list(lines), [0] * len(lines))
    lines, shifts = _dedent(lines, first)
    lines = _strip_prompts(lines, first)
    if lines[first].startswith("%%"):
        magic = lines[first][2:].split(None, 1)[0] if len(lines[first]) > 2 else ""
        if magic not in PYTHON_CELL_MAGICS:
            return None
        lines[first] = ""
    lines = _neutralise(lines)
    _automagic(lines, first)
    return Cell(lines, shifts)


# IPython's default line magics and shell aliases (9.x; `%lsmagic`), and Colab's `tensorflow_version`: the names
# a one-line cell may call without `%` (automagic, on by default).
AUTOMAGICS = frozenset("""
    alias alias_magic autoawait autocall automagic bookmark cat cd code_wrap colors conda config cp debug dhist dirs
    doctest_mode ed edit env gui hist history killbgscripts ldir lf lk ll load load_ext loadpy logoff logon logstart
    logstate logstop ls lsmagic lx macro magic mamba matplotlib micromamba mkdir mv notebook page pastebin pdb pdef
    pdoc pfile pinfo pinfo2 pip popd pprint precision prun psearch psource pushd pwd pycat pylab quickref recall
    rehashx reload_ext rep rerun reset reset_selective rm rmdir run save sc set_env sx system tb time timeit unalias
    uv unload_ext who who_ls whos xdel xmode tensorflow_version
""".split())
_FIRST_WORD = re.compile(r"\s*([\w.*]*)\s*(.?)")


def _automagic(lines: list[str], first: int) -> None:
    """IPython's dynamic transforms, which run only on a cell of one line (`InteractiveShell.transform_cell`): its
    first word, a line magic, is called as one (`ls ./data`, `pip install x`), unless the rest assigns to it
    (`ls = 3`) or the name is bound in the session, which only running it tells. So the line is taken as the magic
    only where it is not Python."""
    if len("\n".join(lines[first:]).splitlines()) != 1:
        return
    match = _FIRST_WORD.match(lines[first])
    if match is None or match.group(1) not in AUTOMAGICS or match.group(2) in ("=", ","):
        return
    try:
        compile(lines[first], "<cell>", "exec", ast.PyCF_ONLY_AST)
    except (SyntaxError, ValueError):
        lines[first] = "pass"


def _dedent(lines: list[str], first: int) -> tuple[list[str], list[int]]:
    """IPython's `leading_indent`: the first line's indentation comes off every line that starts with it."""
    match = _INDENT.match(lines[first])
    if match is None:
        return list(lines), [0] * len(lines)
    prefix = match.group(0)
    shifts = [len(prefix) if line.startswith(prefix) else 0 for line in lines]
    return [line[shift:] for line, shift in zip(lines, shifts)], shifts


def _strip_prompts(lines: list[str], first: int) -> list[str]:
    """IPython's `classic_prompt` (`>>> `, `... `) and `ipython_prompt` (`In [1]: `, `...: `)."""
    for prompt, initial in ((_CLASSIC, _CLASSIC_FIRST), (_IPYTHON, _IPYTHON)):
        following = lines[first + 1] if first + 1 < len(lines) else ""
        if initial.match(lines[first]) or prompt.match(following):
            lines = [prompt.sub("", line, count=1) for line in lines]
    return lines


def _neutralise(lines: list[str]) -> list[str]:
    """Each IPython logical line -> a do-nothing Python line; the lines it continues over -> blank."""
    out: list[str] = []
    scanner = _Scanner()
    index = 0
    while index < len(lines):
        line = lines[index]
        replacement = None if scanner.inside else _ipython_line(line)
        if replacement is None:
            scanner.feed(line)
            out.append(line)
            index += 1
            continue
        out.append(replacement)
        # An escaped line runs on over backslash continuations, which it takes with it.
        while lines[index].endswith("\\") and index + 1 < len(lines):
            index += 1
            out.append("")
        index += 1
    return out


def _ipython_line(line: str) -> str | None:
    """What a logical line that IPython transforms becomes, or None for a Python line."""
    stripped = line.lstrip()
    indent = line[: len(line) - len(stripped)]
    if stripped.startswith(_ESCAPES) or _HELP.match(line):
        return indent + "pass"
    assigned = _ASSIGNED.match(line)
    if assigned:
        return assigned.group(1) + "None"
    return None


class _Scanner:
    """Where Python source stands at the end of each line fed to it: inside brackets, a string that goes on
    (triple-quoted), or a backslash continuation. A lenient scan: comments and strings are skipped."""

    def __init__(self) -> None:
        self.depth = 0
        self.string: str | None = None  # the open triple quote
        self.continued = False

    @property
    def inside(self) -> bool:
        return self.depth > 0 or self.string is not None or self.continued

    def feed(self, line: str) -> None:
        index, end = 0, len(line)
        while index < end:
            if self.string is not None:
                close = line.find(self.string, index)
                while close != -1 and _escaped(line, close):
                    close = line.find(self.string, close + 1)
                if close == -1:
                    break
                index, self.string = close + 3, None
                continue
            char = line[index]
            if char == "#":
                break
            if char in "\"'":
                quote = line[index:index + 3]
                if quote in ('"""', "'''"):
                    self.string = quote
                    index += 3
                    continue
                close = line.find(char, index + 1)
                while close != -1 and _escaped(line, close):
                    close = line.find(char, close + 1)
                index = end if close == -1 else close + 1
                continue
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(self.depth - 1, 0)
            index += 1
        self.continued = self.string is None and line.endswith("\\")


def _escaped(line: str, position: int) -> bool:
    """An odd number of backslashes before ``position``."""
    count = 0
    while position - count - 1 >= 0 and line[position - count - 1] == "\\":
        count += 1
    return count % 2 == 1
