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

from tf2lint.analysis.migration_plan import ClassPlan, HoldVariable, ToNative, ToObject, ToWeight
from tf2lint.analysis.slim_plan import DropArgScope, SlimToNative
from tf2lint.fixing.edits import _add_keyword as add_keyword, position

_RECORD_COMMENT = "# recorded scope: the compat.v1 layers after it keep their names"


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _last_without_comma(args: list[cst.Arg]) -> list[cst.Arg]:
    if args:
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
    return args


def _inputs(call: cst.Call, where: int | str) -> tuple[cst.Arg, list[cst.Arg]]:
    """(the inputs argument, now positional; the other arguments)."""
    args = list(call.args)
    if where == 0:
        return args[0], args[1:]
    inputs = next(a for a in args if a.keyword is not None and a.keyword.value == where)
    rest = [a for a in args if a.keyword is None or a.keyword.value != where]
    return inputs.with_changes(keyword=None, equal=cst.MaybeSentinel.DEFAULT), rest


def _slim_call(call: cst.Call, op: SlimToNative, receiver: str) -> cst.Call:
    """`slim.conv2d(x, ...)` -> `self.<attribute>(x, training=...)`."""
    inputs, _rest = _inputs(call, op.inputs)
    keywords = [cst.Arg(cst.parse_expression(value), keyword=cst.Name(name), equal=cst.AssignEqual(
        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))
        for name, value in op.call_arguments]
    return cst.Call(func=cst.parse_expression(f"{receiver}.{op.attribute}"),
                    args=_last_without_comma([inputs.with_changes(comma=cst.MaybeSentinel.DEFAULT), *keywords]))


def _object_parts(call: cst.Call, op: ToObject, receiver: str) -> tuple[cst.Call, cst.Call]:
    """(the layer call that replaces ``call``, the constructor for `__init__`)."""
    inputs, rest = _inputs(call, op.inputs)
    to_call = [a for a in rest if a.keyword is not None and a.keyword.value in op.call_keywords]
    kept = [a for a in rest if a.keyword is None or a.keyword.value not in (*op.call_keywords, "name")]
    layer_call = cst.Call(
        func=cst.parse_expression(f"{receiver}.{op.attribute}"),
        args=_last_without_comma([inputs.with_changes(comma=cst.MaybeSentinel.DEFAULT)] + [
            a.with_changes(comma=cst.MaybeSentinel.DEFAULT, whitespace_after_arg=cst.SimpleWhitespace("")) for a in to_call
        ]),
    )
    if kept and rest and kept[-1] is not rest[-1]:
        # The arguments after it went to the call: it ends the list now, as the last one did.
        kept[-1] = kept[-1].with_changes(comma=rest[-1].comma, whitespace_after_arg=rest[-1].whitespace_after_arg)
    constructor = call.with_changes(func=cst.parse_expression(op.constructor), args=kept)
    return layer_call, add_keyword(constructor, "name", f'"{op.name}"')


class _InputShape(cst.CSTTransformer):
    """`<inputs>.shape` -> `input_shape` (what `build` receives)."""

    def __init__(self, inputs: tuple[str, ...]) -> None:
        super().__init__()
        self.inputs = inputs

    def leave_Attribute(self, original: cst.Attribute, updated: cst.Attribute) -> cst.BaseExpression:
        if isinstance(updated.value, cst.Name) and updated.value.value in self.inputs and updated.attr.value == "shape":
            return cst.Name("input_shape")
        return updated


def _add_weight(call: cst.Call, op: ToWeight, receiver: str) -> cst.BaseStatement:
    """`v1.get_variable(...)` -> `self.<attribute> = self.add_weight(name="<path>", ...)` for `build`."""
    args = []
    for index, arg in enumerate(call.args):
        keyword = op.positional[index] if index < len(op.positional) else (arg.keyword.value if arg.keyword else "")
        arg = arg.with_changes(keyword=cst.Name(keyword), equal=cst.AssignEqual(
            whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")))
        if keyword == "name":
            arg = arg.with_changes(value=cst.SimpleString(f'"{op.name}"'))
        args.append(arg)
    converted = call.with_changes(func=cst.parse_expression(f"{receiver}.add_weight"), args=args)
    for name, value in op.add_keywords:
        converted = add_keyword(converted, name, value)
    converted = converted.visit(_InputShape(op.inputs)) if op.inputs else converted
    return cst.parse_statement(f"{receiver}.{op.attribute} = {_code(converted)}\n")


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
        self.slims: dict[tuple[int, int], SlimToNative] = {}
        self.arg_scopes: set[tuple[int, int]] = set()
        self.receivers: dict[int, ClassPlan] = {}  # id(op) -> its plan: the receivers the edits write
        for plan in self.classes.values():
            for op in plan.operations:
                self.receivers[id(op)] = plan
                if isinstance(op, SlimToNative):
                    self.slims[position(op.call, lines)] = op
                elif isinstance(op, DropArgScope):
                    self.arg_scopes.add(position(op.statement, lines))
                elif isinstance(op, ToObject):
                    self.objects[position(op.call, lines)] = op
                elif isinstance(op, ToNative):
                    self.natives[position(op.constructor, lines)] = op
                    if op.record_after is not None:
                        self.records[position(op.record_after, lines)] = op
        self.holds: dict[tuple[int, int], HoldVariable] = {}
        self.gets: dict[tuple[int, int], ToWeight] = {}
        self.dropped: set[tuple[int, int]] = set()
        for plan in self.classes.values():
            for op in plan.operations:
                if isinstance(op, HoldVariable):
                    self.holds[position(op.statement, lines)] = op
                elif isinstance(op, ToWeight):
                    self.gets[position(op.get, lines)] = op
                    self.dropped.add(position(op.hold, lines))
        self.pending: list[cst.BaseStatement] = []  # constructors for the class being visited
        self.pending_build: list[cst.BaseStatement] = []  # its weights
        self.done = 0

    def _at(self, node: cst.CSTNode) -> tuple[int, int]:
        start = self.get_metadata(PositionProvider, node).start
        return start.line, start.column

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.pending, self.pending_build = [], []

    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.BaseExpression:
        at = self._at(original)
        if at in self.objects and original.func is not None:
            op = self.objects.pop(at)
            plan = self.receivers[id(op)]
            layer_call, constructor = _object_parts(updated, op, plan.receiver)
            self.pending.append(cst.parse_statement(f"{plan.init_receiver}.{op.attribute} = {_code(constructor)}\n"))
            self.done += 1
            return layer_call
        if at in self.slims:
            op = self.slims.pop(at)
            plan = self.receivers[id(op)]
            self.pending.append(cst.parse_statement(f"{plan.init_receiver}.{op.attribute} = {op.constructor}\n"))
            self.done += 1
            return _slim_call(updated, op, plan.receiver)
        if at in self.natives:
            op = self.natives.pop(at)
            for name, value in op.add_keywords:
                updated = add_keyword(updated, name, value)
            self.done += 1
            return updated.with_changes(func=cst.parse_expression(op.keras))
        return updated

    def _block(self, originals: Sequence[cst.CSTNode], updated: Sequence[cst.BaseStatement]) -> list:
        out: list = []
        for old, new in zip(originals, updated):
            at = self._at(old)
            if at in self.dropped:
                self.dropped.discard(at)
                continue
            if at in self.gets and isinstance(new, cst.SimpleStatementLine):
                op = self.gets.pop(at)
                receiver = self.receivers[id(op)].receiver
                self.pending_build.append(_add_weight(new.body[0].value, op, receiver))  # type: ignore[attr-defined]
                new = new.with_changes(body=[cst.parse_statement(f"{op.local} = {receiver}.{op.attribute}\n").body[0]])
            out.append(new)
            record = self.records.pop(at, None)
            if record is not None:
                out.append(_record_statement(record))
            hold = self.holds.pop(at, None)
            if hold is not None:
                out.append(cst.parse_statement(f"{self.receivers[id(hold)].receiver}.{hold.attribute} = {hold.local}\n"))
        return out

    def leave_With(self, original: cst.With, updated: cst.With) -> cst.BaseStatement | cst.FlattenSentinel:
        at = self._at(original)
        if at not in self.arg_scopes or not isinstance(updated.body, cst.IndentedBlock):
            return updated
        self.arg_scopes.discard(at)
        body = list(updated.body.body)
        # The `with` line's own leading comments and blank lines stay in front of what was its body.
        body[0] = body[0].with_changes(leading_lines=[*updated.leading_lines, *body[0].leading_lines])
        return cst.FlattenSentinel(body)

    def leave_IndentedBlock(self, original: cst.IndentedBlock, updated: cst.IndentedBlock) -> cst.IndentedBlock:
        if not (self.records or self.holds or self.gets or self.dropped):
            return updated
        return updated.with_changes(body=self._block(original.body, updated.body))

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        plan = self.classes.get((self._at(original)[0], original.name.value)) or self.classes.get(
            (self._decorated_line(original), original.name.value))
        if plan is None or not (self.pending or self.pending_build):
            return updated
        body = list(updated.body.body)
        if self.pending_build:
            build = cst.parse_statement(f"def build({plan.receiver}, input_shape):\n    super().build(input_shape)\n")
            build = build.with_changes(body=build.body.with_changes(body=[*self.pending_build, *build.body.body]),
                                       leading_lines=[cst.EmptyLine(indent=False)])
            after = next((i + 1 for i, s in enumerate(body) if isinstance(s, cst.FunctionDef) and s.name.value == "__init__"), None)
            if after is None:
                after = next((i for i, s in enumerate(body) if isinstance(s, cst.FunctionDef)), len(body))
                build = build.with_changes(leading_lines=[])
                if after < len(body) and not body[after].leading_lines:
                    body[after] = body[after].with_changes(leading_lines=[cst.EmptyLine(indent=False)])
            body.insert(after, build)
            self.pending_build = []
            if not self.pending:
                return updated.with_changes(body=updated.body.with_changes(body=body))
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
    left = sum(map(len, (transformer.objects, transformer.slims, transformer.arg_scopes, transformer.natives, transformer.records, transformer.holds,
                         transformer.gets, transformer.dropped)))
    if left:
        raise ValueError(f"{left} planned change(s) not found in the module")
    code = result.code
    if text.endswith("\r") and not code.endswith(("\r", "\n")):
        code += "\r"  # LibCST drops a final lone CR (as in fixes, `edits.py`): the file's last line break is kept
    return code
