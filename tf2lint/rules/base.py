"""What a rule is: code, symbol, docs, examples that the tests run, and a check over the context."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from tf2lint.context import CallSite, ModuleContext



class Hit(NamedTuple):
    node: ast.AST
    message: str


@dataclass(frozen=True)
class Docs:
    what: str  # What it does
    why: str  # Why is this bad?
    fix_safety: str
    runtime: str  # What happens at runtime: the measured behaviour


@dataclass(frozen=True)
class Rule:
    code: str
    symbol: str
    summary: str  # one line, used by `tf2lint rules` and the README
    docs: Docs
    bad: tuple[str, ...]  # each line that must be reported carries `# expect: CODE`
    good: tuple[str, ...]  # look-alikes that must stay silent
    check: Callable[[ModuleContext], Iterable[Hit]]
    enabled_by_default: bool = True


_EXPECT = re.compile(r"#\s*expect:\s*([A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)")


def expected_findings(source: str) -> list[tuple[int, str]]:
    """(line, code) pairs marked with ``# expect: CODE[, CODE]`` in an example."""
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        match = _EXPECT.search(line)
        if match:
            found.extend((number, code.strip()) for code in match.group(1).split(","))
    return sorted(found)


def strip_markers(source: str) -> str:
    """An example as shown in docs: without the test markers."""
    return "\n".join(_EXPECT.sub("", line).rstrip() for line in source.splitlines()).strip() + "\n"


def keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def has_explicit_name(call: ast.Call) -> bool:
    """``name=`` given with a value other than None; ``**kwargs`` may carry it, so it counts too."""
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        return True
    value = keyword(call, "name")
    return value is not None and not (isinstance(value, ast.Constant) and value.value is None)


def runs_once(site: CallSite, ctx: ModuleContext) -> bool:
    """Code in ``__init__``/``build`` (or a function nested in them) runs once per object."""
    func = site.func
    while func is not None:
        if func in ctx.owner and getattr(func, "name", None) in ("__init__", "build"):
            return True
        func = ctx.parent_function.get(func)
    return False


def first_name(site: CallSite, predicate: Callable[[str], bool]) -> str | None:
    return next((name for name in site.names if predicate(name)), None)
