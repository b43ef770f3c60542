"""The editor server's incremental analysis: after an edit, only what the edit can affect is redone.

Two layers, both owned by the server (the engine is called as is):

1. **Parsing.** The top-level statements around the changed lines are re-parsed on their own and spliced
   into the previous tree; the statements before and after are kept (those after are moved by the number
   of lines added or removed). Unchanged top-level statements start at column 0 and their text is the
   same, so a re-parsed stretch that parses alone parses the same inside the whole text; when it does not
   parse alone (an `else:` continuing the previous statement, an open bracket, a `__future__` import) or
   a backslash continuation joins it to a kept statement (a logical line starts or ends outside it), the
   whole text is parsed again.

2. **Analysis.** The head of the module (its imports, and aliases of imported names such as
   `v1 = tf.compat.v1`) is part of everything; the other top-level statements are split into groups
   that cannot see each other: two statements are in one group when one names what the other binds at
   module level (a class, a function, a variable; both binding one name counts too), or one calls a
   method (`x.m(...)`) that the other defines with a decorator (the shim walk binds a decorated helper's
   parameters from those calls anywhere in the module). Each group is analysed by `engine.lint_tree` as
   the module of the head and that group, the other groups' lines left blank (so lines, columns and
   text gates are those of the module); a group whose statements, head, relative positions and read
   modules are unchanged reuses its previous findings. The union, with `# noqa` applied over the whole
   text (`engine.finish`), is what `lint_source` returns. A document's first analysis is of the whole
   module, its findings then split by group.

   What is module-wide by nature is analysed whole, every time: modules that set `TF_USE_LEGACY_KERAS`
   (TFS114 weighs every statement), switch TF to graph mode (TFS112 depends on it), or extend `sys.path`
   (the roots of every lookup); and any group whose findings land outside its own statements (a finding
   on a line of the head) makes the whole module analysed again. tests/test_lsp_incremental.py checks that
   the union equals a fresh `lint_source` on every rule example, on all of them in one module, and
   along sequences of edits (helper modules and configuration included).
"""

from __future__ import annotations

import ast
import os
import re
from bisect import bisect_left
from dataclasses import dataclass, field, replace

from tf2lint.analysis import project as project_module
from tf2lint.analysis.classes import ENTRY_NAMES
from tf2lint.engine import Noqa, finish, lint_source, lint_tree, noqa_comments
from tf2lint.findings import Finding, Settings
from tf2lint.knowledge import api
from tf2lint.rules import PARSE_ERROR
from tf2lint.source import Lines, SourceError, parse, physical_lines

# Text that makes a module's findings depend on all of it (see the module docstring).
_WHOLE_MODULE = re.compile("|".join(
    ["TF_USE_LEGACY_KERAS", r"sys\.path\.(?:insert|append)\(",
     *(re.escape(name.rsplit(".", 1)[1]) for name in sorted(api.GRAPH_MODE_SWITCHES))]
))
# A number standing alone in a message may be a line of this module ("already used at line 40"): such
# findings are analysed again when their group moves. `dense_1` is no line number.
_NUMBER = re.compile(r"(?<![\w.])\d+(?!\w)")
_IMPORTS = (ast.Import, ast.ImportFrom)
_LONE_CR = re.compile(r"\r(?!\n)")


@dataclass(eq=False)
class _Statement:
    """A top-level statement with its lines (decorators included) and what links it to the others."""

    tree: ast.stmt  # positions possibly behind by `moved` lines: read it as `node`
    first: int
    last: int
    binds: frozenset[str] = frozenset()  # names it binds at module level
    names: frozenset[str] = frozenset()  # every name it mentions
    method_calls: frozenset[str] = frozenset()  # `m` of each `x.m(...)` in it
    helpers: frozenset[str] = frozenset()  # decorated (or assigned-wrapped) methods other calls may bind
    star: bool = False  # holds a `from m import *` (in a try/if: it still binds names for the whole module)
    moved: int = 0

    @property
    def node(self) -> ast.stmt:
        """The statement's tree at its current lines. Moving a tree visits all its nodes, so it is done
        when the tree is read (for an analysis), not for every line added above it."""
        if self.moved:
            ast.increment_lineno(self.tree, self.moved)
            self.moved = 0
        return self.tree

    @classmethod
    def of(cls, node: ast.stmt) -> _Statement:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))])
        last = node.end_lineno or node.lineno
        if isinstance(node, _IMPORTS):
            return cls(node, first, last)
        names, calls, helpers, declared, star = set(), set(), set(), set(), False
        for child in ast.walk(node):  # one pass: this runs for every statement a full parse gives
            kind = type(child)
            if kind is ast.Name:
                names.add(child.id)
            elif kind is ast.Call and type(child.func) is ast.Attribute:
                calls.add(child.func.attr)
            elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                # The shim walk takes no call-site bindings for entry points (analysis/walk.py `walk_shim_methods`).
                if child.decorator_list and child.name not in ENTRY_NAMES:
                    helpers.add(child.name)
            elif kind is ast.ClassDef:
                # `call = track(_forward)` in a class body: `_forward` is walked with its callers' bindings.
                for stmt in child.body:
                    if isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                        helpers.update(n.id for n in ast.walk(stmt.value) if isinstance(n, ast.Name))
            elif kind is ast.Global:
                declared.update(child.names)
            elif kind is ast.ImportFrom:
                star = star or any(a.name == "*" for a in child.names)
        binds = declared | _module_bindings(node)
        return cls(node, first, last, frozenset(binds), frozenset(names), frozenset(calls), frozenset(helpers), star)

    def shift(self, delta: int) -> None:
        self.moved += delta
        self.first += delta
        self.last += delta


def _module_bindings(stmt: ast.stmt) -> set[str]:
    """Names a top-level statement binds in the module's namespace outside function and class bodies (more
    is harmless: it only joins groups)."""
    found: set[str] = set()
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found.add(node.name)  # their bodies bind locally (`global` declarations are collected apart)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            found.add(node.id)
        elif isinstance(node, _IMPORTS):
            found.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            found.add(node.name)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            found.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            found.add(node.rest)
        stack.extend(ast.iter_child_nodes(node))
    return found


@dataclass
class _Entry:
    findings: list[Finding]  # without fix plans
    reads: dict[str, tuple]  # real path of each other module read -> its stamp then
    first: int  # the group's first line when analysed
    movable: bool  # whether the findings may move with the group (no line number in their words)


@dataclass
class _State:
    """What one document's previous analysis left: its text, statements and each group's findings."""

    text: str
    lines: list[str]  # physical lines, with their line breaks
    statements: list[_Statement]
    flags: int
    settings: Settings | None = None
    path: str = ""
    groups: dict[tuple, _Entry] = field(default_factory=dict)
    comments: dict[str, list[Noqa] | None] = field(default_factory=dict)  # a chunk's text -> its noqa comments
    _blank: list[str] | None = None

    def blank(self) -> list[str]:
        """Each line's line break alone: how another group's lines look to a group (made on first need).
        After a lone CR, an LF alone would join it into one CRLF line break: it gets a space before it."""
        if self._blank is None:
            blank, previous = [], ""
            for line in self.lines:
                end = line[len(line.rstrip("\r\n")):]
                blank.append(" " + end if end.startswith("\n") and previous.endswith("\r") else end)
                previous = line
            self._blank = blank
        return self._blank


class Incremental:
    """Per-document incremental `lint_source` (no fixes) for the editor server; one instance per server."""

    def __init__(self, seed: bool = True) -> None:
        # ``seed``: a document's first analysis is one of the whole module (faster than group by group),
        # split by group for the edits that follow; tests turn it off to analyse every group alone.
        self.seed = seed
        self._states: dict[str, _State] = {}
        self.last_mode = ""  # "groups" | "whole" | "error": how the latest analysis ran (for tests, benchmarks)
        self.reanalysed = 0  # groups analysed (not reused) by the latest analysis

    def forget(self, key: str) -> None:
        self._states.pop(key, None)

    def analyse(
        self, key: str, text: str, path: str, settings: Settings, flags: int = 0, dependencies: set[str] | None = None
    ) -> list[Finding]:
        """The findings `lint_source(text, path, settings, flags=flags)` gives, from the work kept under ``key``."""
        text = text.removeprefix("\ufeff")
        previous = self._states.pop(key, None)
        try:
            state = self._parse(previous, text, path, flags)
        except SourceError:
            if previous is not None:
                self._states[key] = previous  # the next edit (the fix) is spliced into the last text that parsed
            self.last_mode = "error"
            return lint_source(text, path, settings, flags=flags, dependencies=dependencies)
        self._states[key] = state
        fresh = previous is None or previous.settings != settings or previous.path != path
        if previous is not None:
            state.comments = previous.comments
            state.groups = {} if fresh else previous.groups
        state.settings, state.path = settings, path
        lines = Lines(text)
        whole = bool(_WHOLE_MODULE.search(text)) or (fresh and self.seed)
        findings = None if whole else self._by_groups(state, path, settings, dependencies)
        if findings is None:
            self.last_mode, self.reanalysed = "whole", 1
            read: set[str] = set()
            tree = ast.Module(body=[s.node for s in state.statements], type_ignores=[])
            findings = lint_tree(tree, lines, path, settings, text, read)
            if dependencies is not None:
                dependencies.update(read)
            state.groups = {} if _WHOLE_MODULE.search(text) else self._split(state, findings, read, path)
        else:
            self.last_mode = "groups"
        comments = _noqa(state) if "noqa" in text.lower() else None
        return finish(text, lines, None, findings, settings, path, comments=comments)  # no fixes: no tree

    # -- parsing ----------------------------------------------------------------------------------

    def _parse(self, previous: _State | None, text: str, path: str, flags: int) -> _State:
        lines = physical_lines(text)
        if previous is not None and previous.flags == flags:
            statements = _splice(previous, text, lines, path, flags)
            if statements is not None:
                return _State(text, lines, statements, flags)
        tree = parse(text, path, flags)
        return _State(text, lines, [_Statement.of(node) for node in tree.body], flags)

    # -- analysis ---------------------------------------------------------------------------------

    def _by_groups(self, state: _State, path: str, settings: Settings, dependencies: set[str] | None) -> list[Finding] | None:
        """The union of the groups' findings, or None when the module must be analysed whole."""
        layout = _layout(state)
        if layout is None:
            return None
        head, groups = layout
        kept: dict[tuple, _Entry] = {}
        findings: list[Finding] = []
        self.reanalysed = 0
        for group in groups:
            first = group[0].first
            key = _key(state, head, group)
            entry = state.groups.get(key)
            if entry is not None and (
                any(_stamp(p) != stamp for p, stamp in entry.reads.items()) or (entry.first != first and not entry.movable)
            ):
                entry = None
            if entry is None:
                entry = self._analyse_group(head, group, groups, state, path, settings)
                if entry is None:
                    return None
                self.reanalysed += 1
            elif entry.first != first:
                delta = first - entry.first
                moved = [replace(f, line=f.line + delta, end_line=f.end_line + delta) for f in entry.findings]
                entry = _Entry(moved, entry.reads, first, True)
            kept[key] = entry
            findings.extend(entry.findings)
            if dependencies is not None:
                dependencies.update(entry.reads)
        state.groups = kept
        return sorted(findings, key=Finding.sort_key)

    def _split(self, state: _State, findings: list[Finding], read: set[str], path: str) -> dict[tuple, _Entry]:
        """A whole-module analysis' findings by group (each group is taken to have read every module the
        analysis read); nothing when a finding lies outside the groups."""
        layout = _layout(state)
        if layout is None:
            return {}
        head, groups = layout
        reads = {p: _stamp(p) for p in {os.path.realpath(p) for p in read}}
        entries: dict[tuple, _Entry] = {}
        placed = 0
        for group in groups:
            spans = [(s.first, s.last) for s in group]
            own = [replace(f, plan=None) for f in findings if any(a <= f.line <= b for a, b in spans)]
            placed += len(own)
            entries[_key(state, head, group)] = _Entry(own, reads, group[0].first, _movable(own, path))
        return entries if placed == len(findings) and not any(f.code == PARSE_ERROR.code for f in findings) else {}

    def _analyse_group(
        self, head: list[_Statement], group: list[_Statement], groups: list[list[_Statement]], state: _State,
        path: str, settings: Settings,
    ) -> _Entry | None:
        """`lint_tree` of the module the group sees: the head and the group, with the other groups'
        lines blank (so that text gates and line numbers are those of that module)."""
        body = sorted(head + group, key=lambda s: s.first)
        parts, blank = list(state.lines), state.blank()
        for other in groups:
            if other is not group:
                for statement in other:
                    parts[statement.first - 1: statement.last] = blank[statement.first - 1: statement.last]
        text = "".join(parts)
        read: set[str] = set()
        tree = ast.Module(body=[s.node for s in body], type_ignores=[])
        found = [replace(f, plan=None) for f in lint_tree(tree, Lines(text), path, settings, text, read)]
        spans = [(s.first, s.last) for s in group]
        for finding in found:
            if finding.code == PARSE_ERROR.code or not any(a <= finding.line <= b for a, b in spans):
                return None  # an internal error, or a finding outside the group: not separable
        reads = {os.path.realpath(p) for p in read}
        return _Entry(found, {p: _stamp(p) for p in reads}, group[0].first, _movable(found, path))


def _layout(state: _State) -> tuple[list[_Statement], list[list[_Statement]]] | None:
    """The head (statements part of every group's module) and the groups; None when the module can't be split."""
    statements = state.statements
    head = _head(statements)
    if any(a.last >= b.first and (id(a) in head) != (id(b) in head) for a, b in zip(statements, statements[1:])):
        return None  # `import x; y = 1`: a statement of the head shares its line with one of a group
    rest = [s for s in statements if id(s) not in head]
    if any(s.star for s in rest):
        return None  # names from a star import in a block are the whole module's
    groups = _groups(rest)
    return ([s for s in statements if id(s) in head], groups) if groups else None


def _head(statements: list[_Statement]) -> set[int]:
    """Ids of the imports and of the aliases of imported names (`v1 = tf.compat.v1`): facts about names,
    like imports, that every group may read without joining the others that read them. An alias whose
    name (or root) another statement binds too is not part of the head."""
    imported = {(a.asname or a.name).split(".")[0] for s in statements if isinstance(s.tree, _IMPORTS) for a in s.tree.names}
    aliases = {id(s): alias for s in statements if (alias := _alias(s.tree)) is not None}
    while True:
        others = set().union(*(s.binds for s in statements if id(s) not in aliases and not isinstance(s.tree, _IMPORTS)))
        known = set(imported)
        kept = {}
        for s in statements:
            alias = aliases.get(id(s))
            if alias is not None and alias[1] in known and not {alias[0], alias[1]} & others:
                kept[id(s)] = alias
                known.add(alias[0])
        if kept.keys() == aliases.keys():
            return {id(s) for s in statements if isinstance(s.tree, _IMPORTS)} | set(kept)
        aliases = kept  # a dropped alias joins the groups; those that named it may drop in turn


def _alias(node: ast.stmt) -> tuple[str, str] | None:
    """(name, root) of `name = root.attr.attr`."""
    if not (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)):
        return None
    value = node.value
    while isinstance(value, ast.Attribute):
        value = value.value
    return (node.targets[0].id, value.id) if isinstance(value, ast.Name) else None


def _key(state: _State, head: list[_Statement], group: list[_Statement]) -> tuple:
    """What a group's findings depend on in the module: the head, and the group's statements. Where the
    group sits counts only relative to its first line and to the head, so a group moved by lines added
    above it keeps its findings (moved), unless their words name lines (see `_movable`)."""
    fixed = tuple((s.first, _text(state.lines, s)) for s in head)
    starts = [s.first for s in head]
    first = group[0].first
    return fixed, tuple((bisect_left(starts, s.first), s.first - first, _text(state.lines, s)) for s in group)


def _movable(findings: list[Finding], path: str) -> bool:
    own = os.path.realpath(path)
    return all(
        not _NUMBER.search(f.message) and (f.related is None or os.path.realpath(f.related[0]) != own)
        for f in findings
    )


def _noqa(state: _State) -> list[Noqa] | None:
    """The text's noqa comments (`engine.noqa_comments`), tokenizing only the top-level statements and the
    stretches between them that mention noqa, each alone (a logical line never crosses them) and once.
    None (the engine tokenizes the whole text) for text with a lone CR line break: rare enough that the
    whole-text reading, the reference, is not worth splitting."""
    if _LONE_CR.search(state.text):
        return None
    chunks: list[tuple[int, int]] = []  # (first, last) lines: statements (joined when they share a line) and gaps
    for statement in state.statements:
        if chunks and statement.first <= chunks[-1][1]:
            chunks[-1] = (chunks[-1][0], max(chunks[-1][1], statement.last))
            continue
        after = chunks[-1][1] + 1 if chunks else 1
        if statement.first > after:
            chunks.append((after, statement.first - 1))
        chunks.append((statement.first, statement.last))
    end = chunks[-1][1] if chunks else 0
    if end < len(state.lines):
        chunks.append((end + 1, len(state.lines)))
    found: list[Noqa] = []
    kept: dict[str, list[Noqa] | None] = {}
    for first, last in chunks:
        text = "".join(state.lines[first - 1: last])
        if "noqa" not in text.lower():
            continue
        comments = kept[text] = state.comments[text] if text in state.comments else noqa_comments(text)
        if comments is None:
            return None  # not tokenizable alone: the engine tokenizes the whole text
        found += [Noqa(c.line + first - 1, c.col, c.first + first - 1, c.last + first - 1, c.codes) for c in comments]
    state.comments = kept
    return found


def _continued(line: str) -> bool:
    """Whether a physical line ends with a backslash continuation (or a comment that looks like one)."""
    return line.rstrip("\r\n").endswith("\\")


def _text(lines: list[str], statement: _Statement) -> str:
    return "".join(lines[statement.first - 1: statement.last])


def _stamp(real: str) -> tuple:
    """What identifies the version of another module the analysis read: an open buffer's text, or the file's."""
    text = project_module.UNSAVED.get(real)
    if text is not None:
        return ("buffer", hash(text))
    try:
        stat = os.stat(real)
    except OSError:
        return ("missing",)
    return (stat.st_mtime_ns, stat.st_size)


def _groups(statements: list[_Statement]) -> list[list[_Statement]]:
    """Statements linked by names (or by calls of decorated methods), as groups in source order."""
    parent = list(range(len(statements)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(i)] = find(j)

    binders: dict[str, int] = {}
    helpers: dict[str, int] = {}
    for index, statement in enumerate(statements):
        if index and statements[index - 1].last >= statement.first:
            union(index, index - 1)  # `a = 1; b = 2`: one line, so one group (groups blank each other's lines)
        for name in statement.binds:
            union(index, binders.setdefault(name, index))
        for name in statement.helpers:
            union(index, helpers.setdefault(name, index))
    for index, statement in enumerate(statements):
        for name in statement.names:
            if name in binders:
                union(index, binders[name])
        for name in statement.method_calls:
            if name in helpers:
                union(index, helpers[name])
    grouped: dict[int, list[_Statement]] = {}
    for index, statement in enumerate(statements):
        grouped.setdefault(find(index), []).append(statement)
    return list(grouped.values())


def _splice(previous: _State, text: str, lines: list[str], path: str, flags: int) -> list[_Statement] | None:
    """The new text's top-level statements, re-parsing only the stretch between unchanged statements;
    None when the whole text must be parsed."""
    old, statements = previous.lines, previous.statements
    if text == previous.text:
        return statements
    limit = min(len(old), len(lines))
    prefix = 0
    while prefix < limit and old[prefix] == lines[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == lines[-1 - suffix]:
        suffix += 1
    changed_last = len(old) - suffix  # old lines prefix+1 .. changed_last changed (empty: an insertion)
    # Keep statements that end before the change, and those that start after it.
    i = next((k for k, s in enumerate(statements) if s.last > prefix), len(statements))
    j = next((k for k, s in enumerate(statements) if s.first > changed_last and k >= i), len(statements))
    if (0 < i and i < len(statements) and statements[i - 1].last >= statements[i].first) or (
        0 < j < len(statements) and statements[j - 1].last >= statements[j].first
    ):
        return None  # `a = 1; b = 2`: a kept statement shares a line with a re-parsed one
    low = statements[i - 1].last + 1 if i else 1
    high = statements[j].first - 1 if j < len(statements) else len(old)
    delta = len(lines) - len(old)
    snippet = "".join(lines[low - 1: high + delta])
    if "__future__" in snippet or "__future__" in "".join(old[low - 1: high]) or "\0" in snippet:
        return None
    if (low > 1 and _continued(lines[low - 2])) or (0 < high + delta <= len(lines) and _continued(lines[high + delta - 1])):
        return None  # a backslash joins the stretch to a kept statement: the logical line starts (or ends) outside it
    try:
        # Blank lines in front give the re-parsed statements their line numbers in the whole text.
        tree = parse("\n" * (low - 1) + snippet, path, flags)
    except SourceError:
        return None
    after = statements[j:]
    if delta:
        for statement in after:
            statement.shift(delta)
    return statements[:i] + [_Statement.of(node) for node in tree.body] + after
