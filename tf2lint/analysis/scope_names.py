"""How TF names what each construct creates: the variable-scope counters, and the variables each builder makes.

The shim keys every variable by its name, and an unnamed v1 layer takes its name from a counter kept per
variable scope (measured on TF 2.21 + tf-keras 2.21, tests/test_variable_names_runtime.py):
- an auto-named layer (or a `variable_scope(None, default_name=...)`) takes its base if no scope of that
  full name was opened yet under the current scope, else the first ``base_N`` not opened;
- an explicit name (`name="dense_1"`, a named `variable_scope`) opens that scope and counts too (so an
  empty `with variable_scope("dense"): pass` makes the next unnamed dense `dense_1`: the guide's
  `record_scope`);
- entering a named scope restarts the counting of every scope below it: re-entering `net` names its first
  dense `net/dense` again (which shares the variables);
- re-entering the current scope object (`variable_scope(get_variable_scope())`) counts on, and leaving it
  restores the counts it found; a functional layer without variables (`flatten`) counts like any other.
Counting starts afresh for the first call of the first instance after `clear_session` (a fresh process).

What the walk cannot run once, in order (a loop it does not unroll, a branch no constant decides, a
`tf.function`'s auto-names, a scope whose name we cannot see, a call we cannot follow) makes the names after
it in that scope `<unknown>`. Unknown parts are explicit and never compared (`net/<unknown>/kernel`).
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterator

from tf2lint.analysis.names import Function, evaluation_order
from tf2lint.analysis.summary import FUNCTION_DEFS, ModuleSummary
from tf2lint.analysis.variable_model import Shape
from tf2lint.knowledge import api, native, slim
from tf2lint.knowledge import variables as table
from tf2lint.knowledge.variables import UNKNOWN


def loop_values(statement: ast.stmt, known: Callable[[ast.expr], object | None]) -> list[dict[str, object]] | None:
    """Per iteration, the values the loop's target names take, when the model runs its body once per item (at
    most 8): `for i in range(N):` with N a literal or a value ``known`` gives (a parameter the path binds, a
    known local), a literal list or tuple of strings or numbers, or of one item of any kind (a function:
    `for stage in [self._block]:`, resolved as a callable value; its value is then not a literal), a sequence
    ``known`` gives (a list argument), and `enumerate(...)` or `zip(...)` of those, unpacked into a tuple of
    names (`for i, (f, k) in enumerate(zip(filters, kernels)):`). No `else`, `break`, `continue`, `return` or
    `yield`; else None."""
    if not isinstance(statement, ast.For) or statement.orelse:
        return None
    if any(isinstance(n, (ast.Break, ast.Continue, ast.Return, ast.Yield, ast.YieldFrom)) for s in statement.body
           for n in _own_nodes(s)):
        return None
    items = _items(statement.iter, known)
    if items is None or len(items) > 8:
        return None
    iterations = [_unpacked(statement.target, item) for item in items]
    return None if any(bound is None for bound in iterations) else iterations  # type: ignore[return-value]


def _own_nodes(stmt: ast.stmt) -> Iterator[ast.AST]:
    """The nodes of a statement outside the functions, lambdas and classes it defines (a `return` there leaves
    them, not the loop)."""
    stack: list[ast.AST] = [stmt]
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (*FUNCTION_DEFS, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(node))


def _items(loop: ast.expr, known: Callable[[ast.expr], object | None]) -> list[object] | None:
    """The items a loop's iterable gives, when the model knows them (see `loop_values`)."""
    if isinstance(loop, (ast.List, ast.Tuple)) and not any(isinstance(e, ast.Starred) for e in loop.elts):
        values = [literal_value(e) for e in loop.elts]
        return values if len(values) == 1 or all(_scalar(v) for v in values) else None
    if isinstance(loop, (ast.Name, ast.Attribute)):  # (an attribute: a list of sub-layers the object holds)
        value = known(loop)
        return list(value) if isinstance(value, tuple) else None
    if not (isinstance(loop, ast.Call) and isinstance(loop.func, ast.Name) and not loop.keywords and loop.args):
        return None
    if loop.func.id == "range" and len(loop.args) == 1:
        count = literal_value(loop.args[0])
        if count is NOT_LITERAL:
            count = known(loop.args[0])
        return list(range(count)) if isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= 8 else None
    inner = [_items(arg, known) for arg in loop.args]
    if any(items is None for items in inner):
        return None
    if loop.func.id == "enumerate" and len(inner) == 1:
        return list(enumerate(inner[0]))  # type: ignore[arg-type]
    if loop.func.id == "zip":
        return list(zip(*inner))  # type: ignore[misc]
    return None


def _unpacked(target: ast.expr, item: object) -> dict[str, object] | None:
    """The names a loop target binds to one item (`i`, `i, (f, k)`); None when the item does not unpack so."""
    if isinstance(target, ast.Name):
        return {target.id: item}
    if not isinstance(target, (ast.Tuple, ast.List)) or not isinstance(item, tuple) or len(item) != len(target.elts):
        return None
    bound: dict[str, object] = {}
    for part, value in zip(target.elts, item):
        inner = _unpacked(part, value)
        if inner is None:
            return None
        bound.update(inner)
    return bound


def _scalar(value: object) -> bool:
    return isinstance(value, (int, str)) and not isinstance(value, bool)


def known_literal(value: object) -> int | str | tuple | None:
    """What the model keeps of a literal value: an int or a str, or a list or tuple of at most 8 of them as a
    tuple (what a loop of the model may run over); None for anything else."""
    if _scalar(value):
        return value  # type: ignore[return-value]
    if isinstance(value, (list, tuple)) and len(value) <= 8 and all(_scalar(v) for v in value):
        return tuple(value)
    return None


def literal_value(node: ast.expr | None) -> object:
    try:
        return ast.literal_eval(node) if node is not None else None
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return NOT_LITERAL


NOT_LITERAL = object()


def argument_of(call: ast.Call, keyword: str, position: int | None) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


def spread_arguments(call: ast.Call) -> bool:
    """`*args` / `**kwargs` may carry any argument."""
    return any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args)


def call_fingerprint(kind: str, call: ast.Call, skip_first: bool, pin: str | None) -> str:
    args = call.args[1:] if skip_first else call.args
    keywords = [k for k in call.keywords if k.arg != pin]
    parts = [ast.unparse(a) for a in args] + [f"{k.arg}={ast.unparse(k.value)}" for k in keywords]
    return f"{kind.rsplit('.', 1)[-1]}({', '.join(parts)})"


class ScopeCounts:
    """The variable-scope store's counters (`_VariableScopeStore.variable_scopes_count`), emulated."""

    def __init__(self) -> None:
        self.opened: dict[str, int] = {}
        self.unknown: set[str] = set()  # scopes whose counting went through something we cannot see

    def open(self, full: str) -> None:
        self.opened[full] = self.opened.get(full, 0) + 1
        prefix = full + "/"
        for key in self.opened:
            if key.startswith(prefix):
                self.opened[key] = 0
        self.unknown = {k for k in self.unknown if not k.startswith(prefix)}

    def unique(self, prefix: str, base: str) -> str:
        if prefix in self.unknown:
            return UNKNOWN
        full = f"{prefix}/{base}" if prefix else base
        if not self.opened.get(full):
            return base
        index = 1
        while self.opened.get(f"{full}_{index}"):
            index += 1
        return f"{base}_{index}"


def join_scope(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


def creates_variables(names: tuple[str, ...]) -> bool:
    """A call that makes store variables (or may: templates, builders, cells, class layers)."""
    return any(api.auto_named_creator(n) or n in (api.GET_VARIABLE, api.MAKE_TEMPLATE, api.GET_OR_CREATE_LAYER)
               or api.v1_rnn_cell_base_name(n) or n in api.SLIM_VARIABLES for n in names)


def weightless_layer(name: str) -> tuple[str, str, int | None] | None:
    """(auto-name base, name parameter, its position) of a functional v1 layer that makes no variable (`flatten`,
    `dropout`, pooling) or a TF-Slim one that opens a variable scope (`slim.dropout`): it still opens its scope,
    which counts (measured: a layer object named `flatten` after one is `flatten_1`; `Dropout_1` after
    `slim.dropout`)."""
    if name.startswith(slim.PREFIX) and name[len(slim.PREFIX):] in slim.SCOPED:
        base, position = slim.SCOPED[name[len(slim.PREFIX):]]
        return base, "scope", position
    if not name.startswith(api.V1_LAYERS):
        return None
    entry = native.v1_functional(name[len(api.V1_LAYERS):])
    return (entry.base, "name", None) if entry is not None and not entry.creates else None


def template_variables(func: Function, module: ModuleSummary) -> list[tuple[str, Shape | None]] | None:
    """The `get_variable`s a template function's straight-line body makes (name, shape), or None when it may
    make anything else, branch, loop or open scopes."""
    found: list[tuple[str, Shape | None]] = []
    if not all(isinstance(s, (ast.Assign, ast.Expr, ast.Return)) for s in func.body):  # type: ignore[union-attr]
        return None
    for call in evaluation_order(func.body):  # type: ignore[union-attr]
        names = module.names.resolve(call.func, func)
        if names == (api.GET_VARIABLE,):
            name = literal_value(argument_of(call, "name", 0))
            if not isinstance(name, str) or not name or spread_arguments(call):
                return None
            shape = literal_value(argument_of(call, "shape", 1))
            found.append((name, tuple(d if isinstance(d, int) else None for d in shape)
                          if isinstance(shape, (list, tuple)) else None))
        elif not names or not all(api.is_library_name(n) for n in names) or creates_variables(names) or (
                api.VARIABLE_SCOPE in names):
            return None
    return found


def builds_object(names: tuple[str, ...]) -> bool:
    """A v1 layer or cell class, or `make_template`: built, it creates nothing until it is called."""
    return all(api.is_v1_layer_class(n) or api.v1_rnn_cell_base_name(n) or n == api.MAKE_TEMPLATE for n in names)


def layer_suffixes(spec: tuple[table.Var, ...], call: ast.Call,
                   supplied: dict[str, ast.expr] | None = None) -> list[str] | None:
    """The variables a layer call creates, or None when a switch is not a literal. ``supplied``: keywords a
    `slim.arg_scope` around it supplies (the call's own override them)."""
    found = []
    for var in spec:
        if var.switch is not None:
            node = argument_of(call, var.switch[0], None)
            node = (supplied or {}).get(var.switch[0]) if node is None else node
            value = var.switch[1] if node is None else literal_value(node)
            if value is NOT_LITERAL or spread_arguments(call):
                return None
            if not value:
                continue
        found.append(var.suffix)
    return found


def layer_shapes(spec: tuple[table.Var, ...], call: ast.Call, base: str | None) -> dict[str, Shape]:
    """Shapes that follow from literal arguments of a functional v1 layer."""
    if base is None or base not in table.UNITS:
        return {}
    keyword, position = table.UNITS[base]
    units = literal_value(argument_of(call, keyword, position))
    if not isinstance(units, int) or isinstance(units, bool):
        return {}
    shapes: dict[str, Shape] = {}
    for var in spec:
        if var.shape == "units":
            shapes[var.suffix] = (units,)
        elif var.shape == "kernel" and base == "dense":
            shapes[var.suffix] = (None, units)
        elif var.shape == "kernel" and base in table.CONV_RANK:
            size = literal_value(argument_of(call, *table.KERNEL_SIZE))
            rank = table.CONV_RANK[base]
            if isinstance(size, int) and not isinstance(size, bool):
                size = (size,) * rank
            if isinstance(size, tuple) and len(size) == rank and all(isinstance(s, int) for s in size):
                shapes[var.suffix] = (*size, None, units)
    return shapes
