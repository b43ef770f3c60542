"""`tf2lint migrate`'s plans -> the module's new text, with LibCST (formatting and comments kept).

The plans (tf2lint.analysis.migration_plan) name AST nodes; they are found here by start position (line,
character column), as tf2lint.fixing.edits finds a fix's nodes. Arguments move as LibCST nodes, so
their own formatting and comments move with them.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from tf2lint.analysis.migration_plan import ClassPlan, ToNative, ToObject
from tf2lint.fixing.edits import _add_keyword as add_keyword, position

_RECORD_COMMENT = "# recorded scope: the compat.v1 layers after it keep their names"


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _last_without_comma(args: list[cst.Arg]) -> list[cst.Arg]:
    if args:
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return args


def _object_parts(call: cst.Call, op: ToObject) -> tuple[cst.Call, cst.Call]:
    """(the layer call that replaces ``call``, the constructor for `__init__`)."""
    args = list(call.args)
    if op.inputs == 0:
        inputs, rest = args[0], args[1:]
    else:
        inputs = next(a for a in args if a.keyword is not None and a.keyword.value == op.inputs)
        inputs = inputs.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT)
        rest = [a for a in args if a.keyword is None or a.keyword.value != op.inputs]
    to_call = [a for a in rest if a.keyword is not None and a.keyword.value in op.call_keywords]
    kept = [a for a in rest if a.keyword is None or a.keyword.value not in (*op.call_keywords, "name")]
    layer_call = cst.Call(
        func=cst.parse_expression(f"self.{op.attribute}"),
        args=_last_without_comma([inputs.with_changes(comma=cst.MaybeSentinel.DEFAULT)] + [
            a.with_changes(comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=cst.SimpleWhitespace("")) for a in to_call
        ]),
    )
    if kept and rest and kept[-1] is not rest[-1]:
        # The arguments after it went to the call: it ends the list now, as the last one did.
        kept[-1] = kept[-1].with_changes(comma=rest[-1].comma, whitespace_after_arg=rest[-1].whitespace_after_arg)
    constructor = call.with_changes(func=cst.parse_expression(op.constructor), args=kept)
    return layer_call, add_keyword(constructor, "name", f'"{op.name}"')


def _record_statement(op: ToNative) -> cst.BaseStatement:
    return cst.parse_statement(f'with {op.record}("{op.record_name}"):  {_RECORD_COMMENT}\n    pass\n')


class _Migrate(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self, plans: Sequence[ClassPlan], lines: Sequence[str]) -> None:
        super().__init__()
        self.objects: dict[tuple[int, int], ToObject] = {}
        self.natives: dict[tuple[int, int], ToNative] = {}
        self.records: dict[tuple[int, int], ToNative] = {}
        self.classes = {(p.line, p.name): p for p in plans if p.status == "migrated"}
        for plan in self.classes.values():
            for op in plan.operations:
                if isinstance(op, ToObject):
                    self.objects[position(op.call, lines)] = op
                else:
                    self.natives[position(op.constructor, lines)] = op
                    if op.record_after is not None:
                        self.records[position(op.record_after, lines)] = op
        self.pending: list[cst.BaseStatement] = []  # constructors for the class being visited
        self.done = 0

    def _at(self, node: cst.CSTNode) -> tuple[int, int]:
        start = self.get_metadata(PositionProvider, node).start
        return start.line, start.column

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.pending = []

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        at = self._at(original)
        if at in self.objects and original.func is not None:
            op = self.objects.pop(at)
            layer_call, constructor = _object_parts(updated, op)
            self.pending.append(cst.parse_statement(f"self.{op.attribute} = {_code(constructor)}\n"))
            self.done += 1
            return layer_call
        if at in self.natives:
            op = self.natives.pop(at)
            for name, value in op.add_keywords:
                updated = add_keyword(updated, name, value)
            self.done += 1
            return updated.with_changes(func=cst.parse_expression(op.keras))
        return updated

    def _with_records(self, originals: Sequence[cst.CSTNode], updated: Sequence[cst.BaseStatement]) -> list:
        out: list = []
        for old, new in zip(originals, updated):
            out.append(new)
            op = self.records.pop(self._at(old), None) if not isinstance(old, cst.EmptyLine) else None
            if op is not None:
                out.append(_record_statement(op))
        return out

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        if not self.records:
            return updated
        return updated.with_changes(body=self._with_records(original.body, updated.body))

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        plan = self.classes.get((self._at(original)[0], original.name.value)) or self.classes.get(
            (self._decorated_line(original), original.name.value))
        if plan is None or not self.pending:
            return updated
        body = list(updated.body.body)
        init = next((i for i, s in enumerate(body) if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"), None)
        if init is None:
            new_init = cst.parse_statement("def __init__(self, *args, **kwargs):\n    super().__init__(*args, **kwargs)\n")
            first = next((i for i, s in enumerate(body) if isinstance(s, cst.FunctionDef)), len(body))
            body.insert(first, new_init)
            init = first
            if first + 1 < len(body) and not body[first + 1].leading_lines:
                body[first + 1] = body[first + 1].with_changes(leading_lines=[cst.EmptyLine(indent=False)])
        method = body[init]
        body[init] = method.with_changes(body=method.body.with_changes(body=[*method.body.body, *self.pending]))
        self.pending = []
        return updated.with_changes(body=updated.body.with_changes(body=body))

    def _decorated_line(self, node: cst.ClassDef) -> int:
        return self.get_metadata(PositionProvider, node.name).start.line


def apply(text: str, tree: ast.Module, plans: Sequence[ClassPlan]) -> str:
    """The module's text with every migrated plan applied (refused classes untouched)."""
    if not any(p.status == "migrated" for p in plans):
        return text
    from tf2lint.source import physical_lines

    lines = physical_lines(text)
    module = cst.parse_module(text)
    transformer = _Migrate(plans, lines)
    result = MetadataWrapper(module).visit(transformer)
    left = len(transformer.objects) + len(transformer.natives) + len(transformer.records)
    if left:
        raise ValueError(f"{left} planned change(s) not found in the module")
    return result.code
