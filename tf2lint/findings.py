"""What a run produces (findings) and which codes it reports (settings)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from tf2lint.rules import BY_CODE, PARSE_ERROR

@dataclass(frozen=True)
class Finding:
    path: str
    line: int
    col: int
    code: str
    end_line: int
    end_col: int
    symbol: str
    message: str
    fix: dict | None = None
    cell: int | None = None  # notebooks: 1-based cell number; `line` is then the line inside the cell
    # Where the problem is written when that is another module: (path, line, column).
    related: tuple[str, int, int] | None = None
    plan: object = field(default=None, compare=False, repr=False)  # the rule's FixPlan, until it is built

    def __post_init__(self) -> None:
        if isinstance(self.related, list):  # read back from JSON
            object.__setattr__(self, "related", tuple(self.related))

    def sort_key(self) -> tuple:
        return (self.path, self.cell or 0, self.line, self.col, self.code)


@dataclass(frozen=True)
class Settings:
    """Which codes run, project-specific shim decorators, and where the project's modules are.
    Prefixes follow ruff: the longest match wins."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    shim_decorators: tuple[str, ...] = ()
    src: tuple[str, ...] = ()  # configured source roots (absolute), searched after the file's own
    project: bool = True  # follow imports into the project's other modules
    variables_lock: str = ""  # absolute path of a names lock (TFS115)
    variables_base: str = ""  # a git commit whose files are TFS115's baseline
    fixable: tuple[str, ...] = ()  # code prefixes whose fixes are built (): every rule
    unfixable: tuple[str, ...] = ()  # code prefixes whose fixes are never built; the longest prefix wins

    def enabled(self, code: str) -> bool:
        # Asked for every rule of every file: the answer is kept (settings are immutable).
        known = self.__dict__.setdefault("_enabled", {})
        if code not in known:
            known[code] = self._decide(code)
        return known[code]

    def can_fix(self, code: str) -> bool:
        fixable = _longest(code, self.fixable) if self.fixable else 0
        return fixable >= 0 and fixable > _longest(code, self.unfixable)

    def _decide(self, code: str) -> bool:
        def longest(prefixes: Iterable[str]) -> int:
            return _longest(code, prefixes)

        ignored = longest(self.ignore)
        if code == PARSE_ERROR.code:
            return ignored < 0  # an unchecked file is never silent unless asked for
        rule = BY_CODE.get(code)
        selected = longest(self.select) if self.select else (0 if rule and rule.enabled_by_default else -1)
        selected = max(selected, longest(self.extend_select))
        return selected >= 0 and selected > ignored


def _longest(code: str, prefixes: Iterable[str]) -> int:
    return max((len(p) for p in prefixes if code.startswith(p)), default=-1)


DEFAULT_SETTINGS = Settings()
