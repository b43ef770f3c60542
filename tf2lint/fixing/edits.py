"""Fix plans -> text edits, with LibCST (formatting and comments are kept).

A rule decides what a fix does (a FixPlan naming AST nodes); here each plan is applied on its own to
the original module, and its edits are the line-level difference between the original and the
transformed code. Nodes are matched by start position (line, character column), which LibCST and
the engine count the same way.
"""

from __future__ import annotations

import ast
import difflib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from tf2lint.source import char_col, physical_lines
from tf2lint.rules.base import FixPlan

Position = tuple[int, int]
Change = Callable[["_Targeted", cst.CSTNode, cst.CSTNode], cst.CSTNode]


@dataclass(frozen=True)
class Edit:
    """Replace lines [line, end_line) with ``content`` (1-based; whole lines, so columns are 1)."""

    line: int
    end_line: int
    content: str

    def as_json(self, lines: Sequence[str]) -> dict:
        """1-based line and column; a position past the last line of a file without a final line break
        is that line's end (never past the end of the file)."""
        def where(line: int) -> tuple[int, int]:
            if line > len(lines) and lines and not lines[-1].endswith(("\n", "\r")):
                return len(lines), len(lines[-1]) + 1
            return line, 1

        (line, column), (end_line, end_column) = where(self.line), where(self.end_line)
        return {"line": line, "column": column, "end_line": end_line, "end_column": end_column, "content": self.content}

    @classmethod
    def from_json(cls, edit: dict) -> Edit:
        """The inverse of `as_json`: a column after 1 only ever means the end of the last line."""
        return cls(edit["line"] + (edit["column"] > 1), edit["end_line"] + (edit["end_column"] > 1), edit["content"])

    def overlaps(self, other: Edit) -> bool:
        """Replacements of neighbouring lines do not overlap; an insertion touching another edit does."""
        if self.line == self.end_line:
            return other.line <= self.line <= other.end_line
        if other.line == other.end_line:
            return self.line <= other.line <= self.end_line
        return self.line < other.end_line and other.line < self.end_line


def position(node: ast.AST, lines: Sequence[str], offset: int = 0) -> Position:
    """(line, character column) of an AST node, as LibCST counts them in a snippet starting after
    ``offset`` lines of the file."""
    line = node.lineno  # type: ignore[attr-defined]
    return line - offset, char_col(lines, line, node.col_offset)  # type: ignore[attr-defined]


class _Targeted(cst.CSTTransformer):
    """Applies ``change`` to the node of one of ``types`` that starts at ``target``."""

    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, target: Position, types: tuple[type, ...], change: Change) -> None:
        super().__init__()
        self.target, self.types, self.change = target, types, change
        self.hits = 0

    def start(self, node: cst.CSTNode) -> Position:
        where = self.get_metadata(PositionProvider, node).start
        return where.line, where.column

    def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode):  # type: ignore[override]
        if isinstance(original, self.types) and self.start(original) == self.target:
            self.hits += 1
            return self.change(self, original, updated)
        return updated


def _expr(text: str) -> cst.BaseExpression:
    return cst.parse_expression(text)


def _no_space() -> cst.AssignEqual:
    return cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace(""))


def _add_keyword(call: cst.Call, name: str, value: str) -> cst.Call:
    args = list(call.args)
    for index, arg in enumerate(args):
        if arg.keyword is not None and arg.keyword.value == name:
            args[index] = arg.with_changes(value=_expr(value))
            return call.with_changes(args=args)
    new = cst.Arg(keyword=cst.Name(name), value=_expr(value), equal=_no_space())
    if not args:
        return call.with_changes(args=[new])
    last = args[-1]
    trailing_comma = isinstance(last.comma, cst.Comma)
    after = last.comma.whitespace_after if isinstance(last.comma, cst.Comma) else last.whitespace_after_arg
    separator = _separator(call, args)
    if isinstance(after, cst.ParenthesizedWhitespace) and separator is not None:
        # One argument per line: the new one gets its own line, indented like the others; the last
        # argument keeps its comment and the closing parenthesis keeps its place.
        kept = after.with_changes(indent=separator.indent, last_line=separator.last_line)
        closing = after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
        if isinstance(last.comma, cst.Comma):
            args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=kept))
            new = new.with_changes(comma=cst.Comma(whitespace_after=closing))
        else:
            args[-1] = last.with_changes(comma=cst.Comma(), whitespace_after_arg=kept)
            new = new.with_changes(whitespace_after_arg=closing)
        return call.with_changes(args=[*args, new])
    # Same line: whatever followed the last argument (a comment, the line break) now follows the new one.
    space = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
    if trailing_comma:
        args[-1] = last.with_changes(comma=space)
        return call.with_changes(args=[*args, new.with_changes(comma=last.comma)])
    args[-1] = last.with_changes(comma=space, whitespace_after_arg=cst.SimpleWhitespace(""))
    return call.with_changes(args=[*args, new.with_changes(whitespace_after_arg=last.whitespace_after_arg)])


def _separator(call: cst.Call, args: list[cst.Arg]) -> cst.ParenthesizedWhitespace | None:
    """The line break and indentation before the last argument, when arguments go one per line."""
    previous = args[-2].comma if len(args) > 1 else None
    space = previous.whitespace_after if isinstance(previous, cst.Comma) else call.whitespace_before_args
    return space if isinstance(space, cst.ParenthesizedWhitespace) else None


def _add_training_param(func: cst.FunctionDef) -> cst.FunctionDef:
    params = func.params
    names = {p.name.value for p in [*params.posonly_params, *params.params, *params.kwonly_params]}
    if "training" in names or isinstance(params.star_kwarg, cst.Param):
        return func
    new = cst.Param(cst.Name("training"), default=_expr("None"), equal=_no_space())
    if isinstance(params.star_arg, cst.Param):
        return func.with_changes(params=params.with_changes(kwonly_params=[*params.kwonly_params, new]))
    return func.with_changes(params=params.with_changes(params=[*params.params, new]))


def _wrap_body(func: cst.FunctionDef, with_item: str) -> cst.FunctionDef:
    body = list(func.body.body)
    docstring: list[cst.BaseStatement] = []
    first = body[0] if body else None
    if isinstance(first, cst.SimpleStatementLine) and isinstance(first.body[0], cst.Expr) and isinstance(
        first.body[0].value, (cst.SimpleString, cst.ConcatenatedString)
    ):
        docstring, body = body[:1], body[1:]
    scope = cst.With(items=[cst.WithItem(_expr(with_item))], body=cst.IndentedBlock(body=body))
    return func.with_changes(body=func.body.with_changes(body=[*docstring, scope]))


def _remove_decorator(expression_at: Position) -> Change:
    def change(transformer: _Targeted, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        keep = [
            new for old, new in zip(original.decorators, updated.decorators)
            if transformer.start(old.decorator) != expression_at
        ]
        if len(keep) == len(updated.decorators):
            raise ValueError("decorator not found")
        if not keep:  # the def takes over the first decorator's leading comments and blank lines
            return updated.with_changes(decorators=[], leading_lines=updated.decorators[0].leading_lines)
        return updated.with_changes(decorators=keep)
    return change


def _operation(plan: FixPlan, lines: Sequence[str], offset: int) -> tuple[Position, tuple[type, ...], Change]:
    target = position(plan.targets[0], lines, offset)
    kind, text = plan.kind, plan.text
    if kind == "set-string":
        def set_string(t, o, u):
            quote = u.value[-1] if u.value[-1] in "'\"" else '"'
            return u.with_changes(value=f"{quote}{text[0]}{quote}")
        return target, (cst.SimpleString,), set_string
    if kind == "add-keyword":
        return target, (cst.Call,), lambda t, o, u: _add_keyword(u, text[0], text[1])
    if kind == "unwrap-call":
        return target, (cst.Call,), lambda t, o, u: u.args[0].value
    if kind == "replace-call-args":
        return target, (cst.Call,), lambda t, o, u: u.with_changes(args=list(_expr(f"f({text[0]})").args))
    if kind == "add-decorator":
        return target, (cst.FunctionDef,), lambda t, o, u: u.with_changes(
            decorators=[*u.decorators, cst.Decorator(decorator=_expr(text[0]))]
        )
    if kind == "add-training-param":
        return target, (cst.FunctionDef,), lambda t, o, u: _add_training_param(u)
    if kind == "remove-decorator":  # targets: (decorator expression, def)
        return position(plan.targets[1], lines, offset), (cst.FunctionDef,), _remove_decorator(target)
    if kind == "wrap-body-in-scope":
        return target, (cst.FunctionDef,), lambda t, o, u: _wrap_body(u, text[0])
    if kind == "insert-before":  # text: statements written before the target statement, in its block
        statements = list(cst.parse_module(text[0]).body)
        return target, (cst.SimpleStatementLine, cst.BaseCompoundStatement), (
            lambda t, o, u: cst.FlattenSentinel([*statements, u]))
    if kind == "hoist-to-init":
        return position(plan.targets[1], lines, offset), (cst.ClassDef,), _hoist(plan, lines, offset)
    raise ValueError(f"unknown fix kind {kind!r}")


# -- hoisting an object built on every call into __init__ (TFS103, TFS106) --------------------------


class _Rename(cst.CSTTransformer):
    """Replaces loads of a local name by an expression (attribute names, keywords, params untouched)."""

    def __init__(self, name: str, replacement: str) -> None:
        super().__init__()
        self.name, self.replacement = name, replacement
        self._skip: set[int] = set()

    def visit_Attribute(self, node: cst.Attribute) -> None:
        self._skip.add(id(node.attr))

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None:
            self._skip.add(id(node.keyword))

    def visit_Param(self, node: cst.Param) -> None:
        self._skip.add(id(node.name))

    def leave_Name(self, original: cst.Name, updated: cst.Name):  # type: ignore[override]
        if original.value == self.name and id(original) not in self._skip:
            return _expr(self.replacement)
        return updated


def _hoist(plan: FixPlan, lines: Sequence[str], offset: int) -> Change:
    """targets: (constructor call, class, method, statement); text: (attribute, mode, local name).

    mode "local": `x = Ctor()` -> `self.<attr> = Ctor()` in __init__, `x` -> `self.<attr>` in the method;
    "self": `self.<attr> = Ctor()` moves to __init__; "inline": `Ctor()` -> `self.<attr>` in place.
    """
    call_at = position(plan.targets[0], lines, offset)
    method_at = position(plan.targets[2], lines, offset)
    statement_at = position(plan.targets[3], lines, offset)
    attribute, mode, local = plan.text

    def change(transformer: _Targeted, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        methods = list(zip(original.body.body, updated.body.body))
        constructor: str | None = None
        moved: cst.SimpleStatementLine | None = None
        body: list[cst.BaseStatement] = []
        for old, new in methods:
            if isinstance(old, cst.FunctionDef) and transformer.start(old) == method_at:
                new, constructor, moved = _rewrite_method(
                    transformer, old, new, call_at, statement_at, attribute, mode, local
                )
            body.append(new)
        if constructor is None:
            raise ValueError("constructor call not found")
        assignment = cst.parse_statement(f"self.{attribute} = {constructor}\n")
        if moved is not None:  # the statement's own comments move with it
            assignment = assignment.with_changes(
                leading_lines=moved.leading_lines, trailing_whitespace=moved.trailing_whitespace
            )
        init = next((i for i, s in enumerate(body) if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"), None)
        if init is not None:
            method = body[init]
            body[init] = method.with_changes(body=method.body.with_changes(body=[*method.body.body, assignment]))
        else:
            new_init = cst.parse_statement(
                "def __init__(self, *args, **kwargs):\n    super().__init__(*args, **kwargs)\n"
            )
            new_init = new_init.with_changes(body=new_init.body.with_changes(body=[*new_init.body.body, assignment]))
            first_method = next((i for i, s in enumerate(body) if isinstance(s, cst.FunctionDef)), len(body))
            body.insert(first_method, new_init)
            following = body[first_method + 1] if first_method + 1 < len(body) else None
            if following is not None and not following.leading_lines:
                body[first_method + 1] = following.with_changes(leading_lines=[cst.EmptyLine(indent=False)])
        return updated.with_changes(body=updated.body.with_changes(body=body))

    return change


def _rewrite_method(transformer, old, new, call_at, statement_at, attribute, mode, local):
    """The method without the per-call construction, the constructor's source and the statement removed."""
    code = cst.Module([]).code_for_node
    constructor: str | None = None
    moved: cst.SimpleStatementLine | None = None
    statements = []
    for old_statement, new_statement in zip(old.body.body, new.body.body):
        if mode in ("local", "self") and transformer.start(old_statement) == statement_at:
            constructor = code(old_statement.body[0].value)
            moved = old_statement  # its comments go with it
            continue
        statements.append(new_statement)
    method = new.with_changes(body=new.body.with_changes(body=statements))
    if mode == "local":
        method = method.visit(_Rename(local, f"self.{attribute}"))
    if mode == "inline":
        # Found by position in the original method, replaced by its code in the rewritten one.
        # `Dense(3)(x)` and `Dense(3)` start at the same place: the constructor is the innermost one.
        at_start = [n for n in _walk(old) if isinstance(n, cst.Call) and transformer.start(n) == call_at]
        found = min(at_start, key=lambda n: len(cst.Module([]).code_for_node(n)), default=None)
        if found is None:
            raise ValueError("inline constructor not found")
        constructor = code(found)
        method = method.visit(_ReplaceCode(constructor, f"self.{attribute}"))
    if constructor is None:
        raise ValueError("statement not found")
    return method, constructor, moved


class _ReplaceCode(cst.CSTTransformer):
    def __init__(self, code: str, replacement: str) -> None:
        super().__init__()
        self.code, self.replacement, self.done = code, replacement, False

    def leave_Call(self, original: cst.Call, updated: cst.Call):  # type: ignore[override]
        if not self.done and cst.Module([]).code_for_node(original) == self.code:
            self.done = True
            return _expr(self.replacement)
        return updated


def _walk(node: cst.CSTNode):
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


# -- building and applying ---------------------------------------------------------------------------


def build(text: str, lines: Sequence[str], plans: Sequence[FixPlan], tree: ast.Module | None = None) -> list[dict | None]:
    """For each plan, its JSON fix (applicability, message, edits), or None when it cannot be built.

    Only the top-level statement holding the plan's targets goes through LibCST: parsing and
    resolving positions of a whole large module would cost seconds per fix. ``tree``: the module as
    already parsed (the editor server lints on every keystroke; parsing twice would double the cost).
    """
    try:
        tree = ast.parse(text) if tree is None else tree
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return [None] * len(plans)
    file_lines = physical_lines(text)
    spellings = {} if text.isascii() else _spellings(file_lines)
    snippets: dict[int, tuple[MetadataWrapper, int, list[str]]] = {}
    built: list[dict | None] = []
    for plan in plans:
        try:
            built.append(_build_one(tree, file_lines, lines, plan, snippets, spellings))
        except Exception:  # noqa: BLE001 - LibCST fails on deep input in its own ways (RecursionError, then KeyError)
            built.append(None)  # a fix we cannot build is simply not offered
    return built


def _statement_lines(tree: ast.Module, node: ast.AST) -> tuple[int, int]:
    """First and last line of the top-level statement holding ``node`` (decorators included)."""
    line = node.lineno  # type: ignore[attr-defined]
    for statement in tree.body:
        first = min([statement.lineno, *(d.lineno for d in getattr(statement, "decorator_list", ()))])
        if first <= line <= (statement.end_lineno or statement.lineno):
            return first, statement.end_lineno or statement.lineno
    raise ValueError("target outside any top-level statement")


def _build_one(
    tree: ast.Module,
    file_lines: list[str],
    lines: Sequence[str],
    plan: FixPlan,
    snippets: dict[int, tuple[MetadataWrapper, int, list[str]]],
    spellings: dict[str, str],
) -> dict | None:
    first, last = _statement_lines(tree, plan.targets[0])
    if first not in snippets:
        snippet = file_lines[first - 1 : last]
        snippets[first] = (MetadataWrapper(cst.parse_module("".join(snippet)), unsafe_skip_copy=True), first - 1, snippet)
    wrapper, offset, snippet = snippets[first]
    target, types, change = _operation(plan, lines, offset)
    transformer = _Targeted(target, types, change)
    code = wrapper.visit(transformer).code
    if snippet[-1].endswith("\r") and not code.endswith(("\r", "\n")):
        code += "\r"  # LibCST drops a final lone CR: the line break after the statement is kept
    new_snippet = physical_lines(code)
    if transformer.hits != 1:
        return None
    edits = [Edit(e.line + offset, e.end_line + offset, e.content) for e in diff_edits(snippet, new_snippet)]
    if len(plan.text) > 1 and plan.kind in ("add-decorator", "wrap-body-in-scope") and plan.text[1]:
        at = _import_line(tree, file_lines)
        edits.insert(0, Edit(at, at, plan.text[1] + _newline(file_lines)))
    if not edits:
        return None
    edits = [Edit(e.line, e.end_line, _respell(e.content, spellings)) for e in edits]
    encoded = [e.as_json(file_lines) for e in edits]
    fixed, _ = apply("".join(file_lines), [{"edits": encoded}])
    ast.parse(fixed)  # never offer a fix that does not parse
    return {"applicability": plan.applicability, "message": plan.message, "edits": encoded}


def _import_line(tree: ast.Module, lines: Sequence[str]) -> int:
    """The line before which an added import goes, as isort places it: after the leading comments
    (shebang, coding cookie, licence header), the docstring and `from __future__` imports."""
    line = 1
    while line <= len(lines) and lines[line - 1].lstrip().startswith("#"):
        line += 1
    for index, statement in enumerate(tree.body):
        docstring = index == 0 and isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)
        future = isinstance(statement, ast.ImportFrom) and statement.module == "__future__"
        if not (docstring or future):
            break
        line = max(line, (statement.end_lineno or statement.lineno) + 1)
    return line


_IDENTIFIER = re.compile(r"[^\W\d]\w*")


def _spellings(lines: Sequence[str]) -> dict[str, str]:
    """NFKC form -> the source's own spelling, for identifiers whose spelling normalisation changes.

    The AST holds names NFKC-normalised (MICRO SIGN -> GREEK MU): text built from it must be spelled
    back as the file spells it, or it may not even encode in the file's encoding."""
    found: dict[str, str] = {}
    for word in _IDENTIFIER.findall("".join(lines)):
        normal = unicodedata.normalize("NFKC", word)
        if normal != word:
            found.setdefault(normal, word)
    return found


def _respell(content: str, spellings: dict[str, str]) -> str:
    if not spellings:
        return content
    return _IDENTIFIER.sub(lambda match: spellings.get(match.group(), match.group()), content)


def _newline(lines: list[str]) -> str:
    first = lines[0] if lines else "\n"
    return "\r\n" if first.endswith("\r\n") else "\r" if first.endswith("\r") else "\n"


def diff_edits(old: list[str], new: list[str]) -> list[Edit]:
    edits = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag != "equal":
            edits.append(Edit(i1 + 1, i2 + 1, "".join(new[j1:j2])))
    return edits


def apply(text: str, fixes: Sequence[dict]) -> tuple[str, list[dict]]:
    """Apply the fixes whose edits touch no line an earlier one touched; returns text and fixes applied."""
    chosen: list[dict] = []
    taken: list[Edit] = []
    for fix in fixes:
        edits = [Edit.from_json(e) for e in fix["edits"]]
        if any(e.overlaps(t) for e in edits for t in taken):
            continue
        chosen.append(fix)
        taken.extend(edits)
    lines = physical_lines(text)
    for edit in sorted(taken, key=lambda e: (e.line, e.end_line), reverse=True):
        lines[edit.line - 1 : edit.end_line - 1] = [edit.content] if edit.content else []
    return "".join(lines), chosen
