"""Source -> findings: the one entry point every host (CLI, flake8, pylint, server) goes through."""

from __future__ import annotations

import ast
import gc
import io
import os
import re
import tokenize
import unicodedata
from collections.abc import Callable, Sequence
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Protocol

from tf2lint.findings import DEFAULT_SETTINGS, Finding, Settings
from tf2lint.rules import PARSE_ERROR, RULES, Rule, tfs901_unused_noqa
# DEFAULT_MAX_FILE_SIZE and read are the hosts' entry to reading files (they live with the bytes, in source.py)
from tf2lint.source import DEFAULT_MAX_FILE_SIZE, Lines, SourceError, char_col, decode, parse, read  # noqa: F401

if TYPE_CHECKING:
    from tf2lint.analysis.context import ModuleContext
    from tf2lint.analysis.triage import Triage

UNUSED_NOQA = tfs901_unused_noqa.RULE

# The message prefix of a TFS000 that is our bug, not the file's: tests and bug reports tell the two apart by it.
INTERNAL_ERROR = "internal error while analysing this file"

# Same grammar as flake8's inline noqa, so a comment means the same thing in every host.
NOQA = re.compile(r"#\s*noqa(?::[\s]?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?", re.IGNORECASE)
# A comment alone on its line that covers the whole file: `# tf2lint: noqa[: CODES]`, and flake8's own
# `# flake8: noqa` (blanket only: flake8 disregards it when it lists codes, and so do we).
_FILE_NOQA = re.compile(
    r"#\s*(?:(?P<tool>tf2lint)|flake8)[:=]\s*noqa(?::\s?(?P<codes>[A-Z]+[0-9]+(?:[,\s]+[A-Z]+[0-9]+)*))?\s*$",
    re.IGNORECASE,
)
WHOLE_FILE = 1 << 62  # a file-level noqa covers lines -WHOLE_FILE..WHOLE_FILE (whatever a host shifts them by)


def lint_source(
    source: bytes | str,
    path: str = "<string>",
    settings: Settings = DEFAULT_SETTINGS,
    noqa: bool = True,
    flags: int = 0,
    fixes: bool = False,
    dependencies: set[str] | None = None,
    observe: Observer | None = None,
) -> list[Finding]:
    """Lint one file's contents. Never raises for bad input: it becomes a TFS000 finding.

    ``noqa=False`` is for hosts that apply their own suppressions (flake8, pylint); ``fixes=True``
    builds each finding's fix (applicability, message, edits); ``dependencies`` receives the paths of
    the other modules the analysis read (the editor server refreshes a module when one of them changes);
    ``observe`` is called with the module's triage and a function returning its analysis (its ModuleContext,
    built on demand when no rule needed it), for hosts that report more than findings (`tf2lint report`).
    """
    with CollectorPaused(), _one_file_batch():
        # In a function of its own: the AST is freed when it returns, before the collector is back on
        # (else the collector's first pass walks the whole tree just before it is freed).
        return _lint_source(source, path, settings, noqa, flags, fixes, dependencies, observe)


def _lint_source(
    source: bytes | str, path: str, settings: Settings, noqa: bool, flags: int, fixes: bool,
    dependencies: set[str] | None, observe: Observer | None = None,
) -> list[Finding]:
    try:
        text = decode(source) if isinstance(source, bytes) else source.removeprefix("\ufeff")
        placed, shared = _placed(text, path, settings) if not flags else (_UNPLACED, None)
        tree = shared.tree if shared is not None else parse(text, path, flags)
    except SourceError as exc:
        return source_error(path, exc, settings)
    lines = Lines(text)
    findings = _lint_tree(tree, lines, path, settings, text, dependencies, placed, shared, observe)
    return finish(text, lines, tree, findings, settings, path, noqa, fixes)


class Observer(Protocol):
    """Called with a Python module's triage and a function returning its analysis: the one the rules read, or
    one built on that call when no rule needed it (see `lint_source`). For a notebook, analysed as one module
    made of its code cells, ``cells`` maps that module's line to (cell number, line in the cell)."""

    def __call__(self, triage: Triage, analysis: Callable[[], ModuleContext], /,
                 cells: Callable[[int], tuple[int, int]] | None = None) -> None: ...

_UNPLACED = object()  # where the file sits in its project is not known yet (it needs the tree)


def _placed(text: str, path: str, settings: Settings):
    """The file's project and place, found before parsing when the text allows it, and the project's own
    summary of this very text when an earlier file's analysis read the file as a dependency: its tree is
    reused instead of parsing the file a second time."""
    if "sys.path" in text:
        return _UNPLACED, None  # its roots depend on its tree
    try:
        placed = _project(None, text, path, settings)
        return placed, placed[0].summary_of(path, placed[1].name, text) if placed is not None else None
    except Exception:  # noqa: BLE001 - `_lint_tree` places the file again, and reports what fails there
        return _UNPLACED, None


def finish(
    text: str, lines: Sequence[str], tree: ast.Module | None, findings: list[Finding], settings: Settings, path: str,
    noqa: bool = True, fixes: bool = False, comments: list[Noqa] | None = None,
) -> list[Finding]:
    """How an analysis of a whole module ends (`lint_tree`'s findings, or the editor server's union of
    per-definition analyses): ``# noqa`` comments applied, then each finding's fix built or its plan dropped.
    ``tree`` is needed only with ``fixes``; ``comments``: the text's `noqa_comments`, when the caller has
    them already."""
    # Without findings there is nothing to suppress, unless unused `noqa` comments are reported.
    if noqa and (findings or settings.enabled(UNUSED_NOQA.code)) and "noqa" in text.lower():
        findings = _apply_noqa(text, lines, findings, settings, path, comments)
    planned = [f for f in findings if f.plan is not None and settings.can_fix(f.code)]
    if fixes and planned:
        from tf2lint.fixing import edits as fixer  # LibCST: only when fixes are asked for

        assert tree is not None, "fixes are built from the tree"

        built = dict(zip(map(id, planned), fixer.build(text, lines, [f.plan for f in planned], tree)))
        return [replace(f, fix=built.get(id(f)), plan=None) for f in findings]
    return [replace(f, plan=None) if f.plan is not None else f for f in findings]


class CollectorPaused:
    """Python's cyclic garbage collector paused while one file (or a host's batch of files) is parsed and
    analysed.

    Parsing allocates an object per AST node, so the collector runs many times per file, and each pass
    over the older generations also walks the ASTs the project keeps for dependency summaries. The
    analysis makes no reference cycles (tests/test_speed_mechanisms.py checks it): reference counting frees
    everything meanwhile, and the collector has nothing to find. (A class: entered for every file, a
    generator-based context manager cost 1 % of a corpus run.)
    """

    def __enter__(self) -> None:
        self._paused = gc.isenabled()
        if self._paused:
            gc.disable()

    def __exit__(self, *_exc: object) -> None:
        if self._paused:
            gc.enable()


def lint_notebook(
    data: bytes, path: str, settings: Settings = DEFAULT_SETTINGS, dependencies: set[str] | None = None,
    observe: Observer | None = None,
) -> list[Finding]:
    """Lint the code cells of a notebook as one module; findings name the cell and the line in it.
    ``observe``: as for `lint_source`, told how the module's lines map to cells."""
    from tf2lint.notebook import NotebookError
    from tf2lint.notebook import load as load_notebook

    try:
        notebook = load_notebook(data)
    except NotebookError as exc:
        return source_error(path, SourceError(str(exc)), settings)
    findings = []
    for number, error in notebook.broken:
        if settings.enabled(PARSE_ERROR.code):
            line, col = error.lineno or 1, max((error.offset or 1) - 1, 0)
            message = f"cannot parse cell {number}: {error.msg}"
            findings.append(Finding(path, line, col, PARSE_ERROR.code, line, col, PARSE_ERROR.symbol, message, cell=number))
    # No fixes in notebooks: edits would have to be mapped back into the JSON document.
    observed = None if observe is None else (
        lambda triage, analysis: observe(triage, analysis, cells=notebook.locate))  # type: ignore[misc]
    for finding in lint_source(notebook.text, path, settings, flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT,
                               dependencies=dependencies, observe=observed):
        cell, line = notebook.locate(finding.line)
        _, end_line = notebook.locate(finding.end_line)
        findings.append(replace(
            finding, line=line, end_line=max(end_line, line), cell=cell,
            col=notebook.column(finding.line, finding.col), end_col=notebook.column(finding.end_line, finding.end_col),
        ))
    return sorted(findings, key=Finding.sort_key)


def lint_tree(
    tree: ast.Module,
    lines: Sequence[str],
    path: str,
    settings: Settings = DEFAULT_SETTINGS,
    text: str | None = None,
    dependencies: set[str] | None = None,
) -> list[Finding]:
    """Lint an already parsed module (hosts that parsed it pass their tree). No noqa handling here.

    ``dependencies``, when given, receives the paths of the other modules the analysis read.
    """
    with CollectorPaused(), _one_file_batch():
        return _lint_tree(tree, lines, path, settings, text, dependencies)


def _one_file_batch():
    """Files taken as stable while one file is analysed, unless the host's batch already is (`check`, `report`):
    a host that hands over one file at a time (flake8, pylint, the editor) gets the other files' stats and the
    importers index once per file, not once per question (TFS107 asks about every layer class)."""
    from tf2lint.analysis import project

    return project.stable_files() if project._STABLE is None else nullcontext()


def _lint_tree(
    tree: ast.Module, lines: Sequence[str], path: str, settings: Settings, text: str | None,
    dependencies: set[str] | None, placed=_UNPLACED, shared=None, observe: Observer | None = None,
) -> list[Finding]:
    """``placed``: the file's `_project` when the caller found it; ``shared``: the project's own summary
    of this module (`Project.summary_of`), which is kept when done."""
    from tf2lint.analysis import context  # not needed by runs served from the cache
    from tf2lint.analysis.triage import Triage

    summary = None
    try:
        source = "\n".join(lines) if text is None else text
        if placed is _UNPLACED:
            placed = _project(tree, source, path, settings)
        project, where = placed if placed is not None else (None, None)
        with project.recording() if project is not None else nullcontext(set()) as touched:
            names = (shared.names, shared.lexical_parent) if shared is not None else None
            triage = Triage(source, tree, project, where.package if where else None, settings.shim_decorators, names)
            rules = [rule for rule in RULES if settings.enabled(rule.code) and rule.applies(triage)]
            ctx: ModuleContext | None = None

            def analysis() -> ModuleContext:
                nonlocal ctx, summary
                if ctx is None:
                    root = shared if shared is not None else _summary(tree, source, path, settings, placed, triage)
                    summary = None if shared is not None else root
                    ctx = context.ModuleContext(root, project, triage.may_hold_shim_code, settings)
                return ctx

            # Most modules: parsed, and nothing any rule needs (no summary, no analysis).
            findings = _findings(analysis(), rules, lines, path) if rules else []
            if observe is not None:
                observe(triage, analysis)
        if dependencies is not None:
            dependencies.update(touched)
        return findings
    except (RecursionError, MemoryError) as exc:
        return source_error(path, SourceError(f"cannot analyse: too deeply nested ({type(exc).__name__})"), settings)
    except Exception as exc:  # noqa: BLE001 - a bug of ours must not stop the run over other files
        message = f"{INTERNAL_ERROR}: {type(exc).__name__}: {exc}; please report it"
        return source_error(path, SourceError(message), settings)
    finally:
        if summary is not None:
            summary.release()  # the linted module's summary is its own, not the project's: done with it


def module_context(tree: ast.Module, source: str, path: str, settings: Settings) -> ModuleContext | None:
    """The analysis `check` builds for a module, read in its project (the other modules' shim decorators,
    helpers and classes count), for the hosts that read a module whole (`variables`, `migrate`); None where the
    triage finds that the module can hold no shim method (nothing to name or migrate)."""
    from tf2lint.analysis.context import ModuleContext
    from tf2lint.analysis.triage import Triage

    placed = _project(tree, source, path, settings)
    project, where = placed if placed is not None else (None, None)
    triage = Triage(source, tree, project, where.package if where else None, settings.shim_decorators)
    if not triage.may_hold_shim_code:
        return None
    return ModuleContext(_summary(tree, source, path, settings, placed, triage), project, True, settings)


def _project(tree: ast.Module | None, source: str, path: str, settings: Settings):
    """The project a file's imports are followed into and where the file sits in it; None for text with
    no place on disk. ``tree`` is needed only for a script that extends `sys.path`."""
    from tf2lint.analysis.project import is_directory, locate, project_for, roots_for

    if not settings.project or path.startswith("<") or not is_directory(os.path.dirname(os.path.abspath(path))):
        return None
    where = locate(path)
    script = tree if "sys.path" in source else None  # only `sys.path.insert(...)` adds roots
    return project_for(roots_for(path, script, None, settings.src, where), settings.shim_decorators), where


def _summary(tree: ast.Module, source: str, path: str, settings: Settings, placed=None, triage=None):
    """The linted module's summary; with ``triage``, built on the name resolution and word tests it made."""
    from tf2lint.analysis.summary import ModuleSummary

    names = (triage.names, triage.parents) if triage is not None else None
    mentioned = triage.mentioned if triage is not None else None
    if placed is None:
        return ModuleSummary(tree, source, path, shim_decorators=settings.shim_decorators, names=names, mentioned=mentioned)
    project, where = placed
    return project.summarise(tree, source, path, where.name, where.package, names, mentioned)


def _findings(ctx, rules: list[Rule], lines: Sequence[str], path: str) -> list[Finding]:
    from tf2lint.analysis.context import CallSite

    found: dict[tuple[int, int, str], Finding] = {}
    own: set[int] | None = None  # ids of the linted tree's nodes, when a hit names no site
    for rule in rules:
        for node, message, plan, holder in rule.check(ctx):
            site = node if isinstance(node, CallSite) else holder or ctx.foreign_site(node)
            at = site.node if isinstance(node, CallSite) else node
            if site is None:
                own = own if own is not None else {id(n) for n in ast.walk(ctx.tree)}
                if id(node) not in own:
                    continue  # a node of another module with no site to place it by: where it belongs is unknown
            if site is None or not ctx.is_foreign(site.module):
                finding = replace(_at(at, lines, path, rule.code, rule.symbol, message), plan=plan)
            elif site.reach.anchor is None:
                continue  # in another module, reached from there: that module's own report covers it
            else:
                # Reported where the path leaves this file, so per-file hosts show it and `# noqa` there works.
                where = ctx.display(site.module)
                line, col = at.lineno, at.col_offset  # type: ignore[attr-defined]
                message = f"{message} (at `{where}:{line}`)"
                finding = replace(_at(site.reach.anchor, lines, path, rule.code, rule.symbol, message),
                                  related=(site.module.path, line, col))
            found.setdefault((finding.line, finding.col, finding.code), finding)
    return sorted(found.values(), key=Finding.sort_key)


# Every TFS finding needs one of these words in the file: TF names resolve from imports of
# tensorflow/tf_keras/keras/tf2lint, and TFS114 is about the environment variable itself.
_TRIGGERS = (b"tensorflow", b"keras", b"tf2lint", b"TF_USE_LEGACY_KERAS")


def relevant(data: bytes, settings: Settings = DEFAULT_SETTINGS) -> bool:
    """Cheap prefilter: False only for files that cannot produce a finding, so they need no parsing."""
    triggers = (*_TRIGGERS, *(d.rsplit(".", 1)[-1].encode() for d in settings.shim_decorators))
    if any(trigger in data for trigger in triggers):
        return True
    if data.isascii():
        return False
    # Identifiers are NFKC-normalised: `ｔｅｎｓｏｒｆｌｏｗ` is `tensorflow` to Python.
    text = unicodedata.normalize("NFKC", data.decode("utf-8", "ignore"))
    return any(trigger.decode() in text for trigger in triggers)


def lint_data(
    data: bytes, path: str, settings: Settings = DEFAULT_SETTINGS, fixes: bool = False,
    dependencies: set[str] | None = None, observe: Observer | None = None,
) -> list[Finding]:
    """Lint a file's bytes: prefilter, then a notebook or a Python module by its name. ``dependencies``
    receives the other modules the analysis read; ``observe``, the analysis of the module (a notebook's, with
    its cells)."""
    if not relevant(data, settings):
        return []
    if path.endswith(".ipynb"):
        return lint_notebook(data, path, settings, dependencies, observe)
    return lint_source(data, path, settings, fixes=fixes, dependencies=dependencies, observe=observe)


def lint_path(path: str, display: str | None = None, settings: Settings = DEFAULT_SETTINGS) -> list[Finding]:
    shown = display or path
    try:
        data = read(path)
    except OSError as exc:
        return source_error(shown, SourceError(f"cannot read: {exc.strerror or exc}"), settings)
    except SourceError as exc:
        return source_error(shown, exc, settings)
    return lint_data(data, shown, settings)


def source_error(path: str, exc: SourceError, settings: Settings) -> list[Finding]:
    if not settings.enabled(PARSE_ERROR.code):
        return []
    return [Finding(path, exc.line, exc.col, PARSE_ERROR.code, exc.line, exc.col, PARSE_ERROR.symbol, str(exc))]


def is_internal_error(finding: Finding) -> bool:
    """A TFS000 that an exception in the analysis made, where the file itself read and parsed."""
    return finding.code == PARSE_ERROR.code and finding.message.startswith(INTERNAL_ERROR)


def _at(node: ast.AST, lines: Sequence[str], path: str, code: str, symbol: str, message: str) -> Finding:
    line = getattr(node, "lineno", 1)
    end_line = getattr(node, "end_lineno", None) or line
    col = char_col(lines, line, getattr(node, "col_offset", 0))
    end_col = char_col(lines, end_line, getattr(node, "end_col_offset", None) or 0)
    return Finding(path, line, col, code, end_line, end_col, symbol, message)


@dataclass
class Noqa:
    """One ``# noqa`` comment and the lines it covers (its line, or all lines of a multi-line token)."""

    line: int
    col: int
    first: int
    last: int
    codes: list[str] | None  # None: blanket


def noqa_comments(text: str) -> list[Noqa] | None:
    """Noqa comments, found like flake8 does: the comment token, searched over its token range. None when
    the text cannot be tokenized (then no comment suppresses anything)."""
    try:
        # newline=None: CRLF and a lone CR read as LF, so lines break where the parser breaks them.
        tokens = list(tokenize.generate_tokens(io.StringIO(text, newline=None).readline))
    except (tokenize.TokenError, SyntaxError):
        return None
    comments: list[Noqa] = []
    pending: list[tokenize.TokenInfo] = []
    low, high = None, -1
    for token in tokens:
        if token.type in (tokenize.ENDMARKER, tokenize.DEDENT):
            continue
        low = token.start[0] if low is None else min(low, token.start[0])
        high = max(high, token.end[0])
        if token.type == tokenize.COMMENT:
            whole = _FILE_NOQA.match(token.string) if token.line.lstrip().startswith("#") else None
            if whole and (whole.group("tool") or not whole.group("codes")):
                codes = whole.group("codes")
                parsed = [c.upper() for c in re.split(r"[,\s]+", codes) if c] if codes else None
                comments.append(Noqa(token.start[0], token.start[1], -WHOLE_FILE, WHOLE_FILE, parsed))
                continue
            pending.append(token)
        if token.type in (tokenize.NL, tokenize.NEWLINE):
            for comment in pending:
                for match in NOQA.finditer(comment.string):
                    codes = match.group("codes")
                    parsed = [c.upper() for c in re.split(r"[,\s]+", codes) if c] if codes else None
                    col = comment.start[1] + match.start()
                    comments.append(Noqa(comment.start[0], col, low, high, parsed))
            pending, low, high = [], None, -1
    return comments


def without_file_noqa(text: str, findings: list[Finding]) -> list[Finding]:
    """``findings`` minus those a file-level `# tf2lint: noqa[: CODES]` silences: for hosts that apply their
    own line suppressions (flake8, pylint) and would not know ours."""
    if not findings or "noqa" not in text.lower():
        return findings
    whole = [c for c in noqa_comments(text) or () if c.first == -WHOLE_FILE]
    return [
        f for f in findings
        if not any(c.codes is None or any(f.code.startswith(code) for code in c.codes) for c in whole)
    ]


def _apply_noqa(
    text: str, lines: Sequence[str], findings: list[Finding], settings: Settings, path: str,
    comments: list[Noqa] | None = None,
) -> list[Finding]:
    """Drop suppressed findings; add TFS901 for noqa codes that suppressed nothing, when enabled."""
    if comments is None:
        comments = noqa_comments(text) or []
    kept = []
    for finding in findings:
        covering = [c for c in comments if c.first <= finding.line <= c.last]
        if not any(c.codes is None or any(finding.code.startswith(code) for code in c.codes) for c in covering):
            kept.append(finding)
    if settings.enabled(UNUSED_NOQA.code):
        enabled = [rule.code for rule in RULES if settings.enabled(rule.code)]
        for comment in comments:
            if comment.codes is None:
                continue
            on_line = {f.code for f in findings if comment.first <= f.line <= comment.last}
            unused = tfs901_unused_noqa.unused_codes(comment.codes, on_line, enabled)
            if unused:
                message = f"unused `noqa` for {', '.join(unused)}: nothing to suppress on this line; remove it"
                kept.append(
                    Finding(path, comment.line, comment.col, UNUSED_NOQA.code, comment.line, comment.col,
                            UNUSED_NOQA.symbol, message)
                )
    return sorted(kept, key=Finding.sort_key)
