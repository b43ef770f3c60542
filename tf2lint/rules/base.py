"""What a rule is: code, symbol, docs, examples that the tests run, and a check over the context."""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from tf2lint.analysis.body import attribute_names
from tf2lint.analysis.names import walk_expr
from tf2lint.analysis.ownership import RebuiltHeld, name_argument, rebuilt_held_objects
from tf2lint.analysis.summary import FUNCTION_DEFS
from tf2lint.knowledge import api

if TYPE_CHECKING:
    from tf2lint.analysis.context import CallSite, ModuleContext
    from tf2lint.analysis.triage import Triage



@dataclass(frozen=True)
class FixPlan:
    """What a fix does, decided by the rule; tf2lint.fixing.edits turns it into edits with LibCST.

    ``kind`` names the operation; ``targets`` are the AST nodes it works on; ``text`` holds the
    strings it inserts (spelled with the file's own aliases).
    """

    kind: str
    applicability: str  # "safe" | "unsafe"
    message: str
    targets: tuple[ast.AST, ...] = ()
    text: tuple[str, ...] = ()


class Hit(NamedTuple):
    """A finding of a rule: at a node of the linted module, or at a call site (which may lie in another
    module; the engine then reports it where the path leaves the linted file). A node inside a call site's
    call (an argument) names that ``site``: in another module, the finding goes where the site's path leaves."""

    node: ast.AST | CallSite
    message: str
    fix: FixPlan | None = None
    site: CallSite | None = None


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
    # What a module needs for the rule to report anything in it, read from cheap facts before any
    # analysis (a module no rule applies to is not analysed); by default, that it may hold shim code.
    applies: Callable[[Triage], bool] = lambda triage: triage.may_hold_shim_code
    enabled_by_default: bool = True
    # The mistake raises an exception at runtime (not a silent failure): editors show it as an error.
    raises: bool = False
    # For rules that compare with a baseline (TFS115): the old code the examples' names lock is written from.
    baselines: tuple[str, ...] = ()


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


def has_explicit_name(call: ast.Call, param: str = "name", position: int | None = None) -> bool:
    """``name=`` (or ``param``, keyword or at ``position``) given with a value other than None;
    ``*args``/``**kwargs`` may carry it, so they count too."""
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        return True
    value = keyword(call, param)
    if value is None and position is not None and len(call.args) > position:
        value = call.args[position]
    return value is not None and not (isinstance(value, ast.Constant) and value.value is None)


def supplied_by_arg_scope(site: CallSite, param: str) -> bool:
    """Whether a `slim.arg_scope` open around the call may supply ``param``: it names it, or passes
    defaults we cannot see (a saved scope dict, ``**kwargs``). Which ops it lists is not checked."""
    for scope in site.arg_scopes:
        first = scope.args[0] if scope.args else keyword(scope, "list_ops_or_scope")
        if not isinstance(first, (ast.List, ast.Tuple)) or any(k.arg is None for k in scope.keywords):
            return True
        if keyword(scope, param) is not None:
            return True
    return False


def rebuilt_guard(site: CallSite) -> str:
    """For a site whose create-once guard is on an object built anew on every call: a clause saying so."""
    built = site.fresh_guard
    if built is None:
        return ""
    return (f" (it is made once per object, under a guard, but `{ast.unparse(built.func)}(...)` at line "
            f"{built.lineno} builds a new object on every call: build that one once, in `__init__`)")


def rebuilt_holder_hits(ctx: ModuleContext, templates: bool) -> Iterator[Hit]:
    """One hit per construction of a sub-layer built on every call whose held v1 layer objects (``templates``:
    templates) are called outside a named scope, naming them (`ownership.rebuilt_held_objects`)."""
    groups: dict[ast.Call, list[RebuiltHeld]] = {}
    for held in rebuilt_held_objects(ctx):
        if (held.kind == api.MAKE_TEMPLATE) == templates:
            groups.setdefault(held.built.node, []).append(held)
    for group in groups.values():
        built = group[0].built
        objects = ", ".join(dict.fromkeys(f"`self.{held.attr} = {held.kind}(...)`" for held in group))
        lines = ", ".join(dict.fromkeys(str(held.call.node.lineno) for held in group))
        base = _held_name(group[0], templates)
        yield Hit(
            built,
            f"`{ast.unparse(built.node.func)}(...)` builds a new object on every call of shim method "
            f"{built.reach.describe()}, and its `__init__` builds {objects} anew with it; called outside a named "
            f"`variable_scope` (line {lines}), each new {'template' if templates else 'layer'} takes a new name "
            f"(`{base}`, `{base}_1`, ...) and new variables on every call: build the object once in `__init__`, or "
            f"call it inside a named `variable_scope`",
        )


def _held_name(held: RebuiltHeld, template: bool) -> str:
    """The name a held object takes on the first call: its literal name, else its class's auto-name."""
    given = name_argument(held.kind, held.ctor)
    if isinstance(given, ast.Constant) and isinstance(given.value, str) and given.value:
        return given.value
    return "template" if template else api.v1_layer_base_name(held.kind) or api.snake_case(held.kind.rsplit(".")[-1])


def runs_once(site: CallSite, ctx: ModuleContext) -> bool:
    """Code in ``__init__``/``build`` (or a function nested in them) runs once per object."""
    func = site.func
    while func is not None:
        if func in ctx.owner and getattr(func, "name", None) in ("__init__", "build"):
            return True
        func = ctx.parent_function.get(func)
    return False


def self_name(ctx: ModuleContext, func: ast.AST | None) -> str | None:
    """The name the object has in ``func``: the first parameter of the method ``func`` is, or is nested in
    (a closure sees the method's `self`). None in module functions and static methods: unknown there."""
    return ctx.module_of(func).object_name(func) if func is not None else None


def self_attribute(ctx: ModuleContext, expr: ast.AST, func: ast.AST | None) -> str | None:
    """``self.<attr>`` in ``func`` -> attr, else None."""
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        owner = self_name(ctx, func)
        if owner is not None and expr.value.id == owner:
            return expr.attr
    return None


def spelled(ctx: ModuleContext, name: str) -> tuple[str, str] | None:
    """How to write canonical ``name`` in this file: (expression, import to add or "")."""
    existing = ctx.names.spell(name)
    if existing:
        return existing, ""
    if name.startswith("tf.") and not ctx.names.is_bound("tf"):
        return name, "import tensorflow as tf"
    return None


def independent_of_call(ctx: ModuleContext, node: ast.AST, method: ast.AST) -> bool:
    """True when an expression only reads module-level names, literals and `self` attributes: it can
    be evaluated once in `__init__` instead of on every call."""
    owner = self_name(ctx, method)
    for child in walk_expr(node):  # a lambda stops the search anyway: not entering it changes nothing
        if isinstance(child, ast.Name) and child.id != owner and ctx.names.is_local(child.id, method):  # type: ignore[arg-type]
            return False
        if isinstance(child, (ast.Lambda, ast.NamedExpr, ast.Await, ast.Yield, ast.YieldFrom)):
            return False
    return True


def unused_attribute(cls: ast.ClassDef, wanted: str) -> str:
    """``wanted``, or a variant no `self.<name>` or method in the class uses yet."""
    taken = attribute_names(cls) | {
        s.name for s in cls.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))
    }
    candidate, number = wanted, 2
    while candidate in taken:
        candidate, number = f"{wanted}_{number}", number + 1
    return candidate


def assignments_in(func: ast.AST | None) -> list[ast.Assign]:
    """The assignments of a function's own body (not of the functions or classes nested in it)."""
    found, stack = [], list(getattr(func, "body", []) if isinstance(getattr(func, "body", None), list) else [])
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Assign):
            found.append(node)
        elif isinstance(node, ast.stmt) and not isinstance(node, (*FUNCTION_DEFS, ast.ClassDef)):
            stack.extend(c for c in ast.iter_child_nodes(node) if isinstance(c, (ast.stmt, ast.excepthandler, ast.match_case)))
        elif isinstance(node, (ast.excepthandler, ast.match_case)):
            stack.extend(node.body)
    return found


def once_per_cause(hits: Iterable[Hit]) -> Iterator[Hit]:
    """Hits whose problem does not depend on the call path, one per creating line: a helper of another module
    that builds a Keras layer on every call is one mistake however many calls of the linted file reach it.
    It is reported at the first of those calls (in source order), which the message lists; a hit in the linted
    file itself is reported there already, once. Only for rules whose hits never depend on the path's state."""
    kept: dict[ast.AST, list[Hit]] = {}
    for hit in hits:
        anchor = getattr(getattr(hit.node, "reach", None), "anchor", None)
        if anchor is None:
            yield hit
        else:
            kept.setdefault(hit.node.node, []).append(hit)  # type: ignore[union-attr]
    for group in kept.values():
        group.sort(key=lambda h: (h.node.reach.anchor.lineno, h.node.reach.anchor.col_offset))  # type: ignore[union-attr]
        lines = sorted({h.node.reach.anchor.lineno for h in group})  # type: ignore[union-attr]
        first = group[0]
        if len(lines) > 1:
            others = ", ".join(map(str, lines[1:]))
            first = first._replace(message=f"{first.message}; the same object is also built through the calls at lines {others}")
        yield first


def v1_subclass_called(ctx: ModuleContext, site: CallSite) -> tuple[str, str] | None:
    """(class, v1 layer class it derives from) for the construction of a project class of the same module that
    subclasses a v1 layer class (`class BatchNorm(tf.compat.v1.layers.BatchNormalization)`): a v1 layer, named
    and numbered like one (measured), its default name the class name in snake case."""
    return v1_subclass_of_call(ctx, site.node, site.func)


def v1_subclass_of_call(ctx: ModuleContext, call: ast.Call, func: ast.AST | None) -> tuple[str, str] | None:
    """The same for a call in ``func`` (of the linted module or one the walk entered)."""
    callee, module = call.func, ctx.module_of(func)  # type: ignore[arg-type]
    if not isinstance(callee, ast.Name) or module.names.is_local(callee.id, func):  # type: ignore[arg-type]
        return None
    cls = module.class_by_name.get(callee.id)
    base = ctx.v1_layer_base(cls) if cls is not None else None
    return (cls.name, base) if cls is not None and base is not None else None


def first_name(site: CallSite, predicate: Callable[[str], bool]) -> str | None:
    return next((name for name in site.names if predicate(name)), None)


def reuse_switches(ctx: ModuleContext) -> list[CallSite]:
    """`scope.reuse_variables()` (or `get_variable_scope().reuse_variables()`) calls in shim code."""
    return [
        s for s in ctx.sites
        if isinstance(s.node.func, ast.Attribute) and s.node.func.attr == "reuse_variables" and not s.node.args
    ]


def reuse_switched_on(site: CallSite, switches: list[CallSite], before_only: bool) -> bool:
    """A `reuse_variables()` in an enclosing scope of the same shim method turns sharing on for what follows."""
    for switch in switches:
        if switch.reach.shim is not site.reach.shim or site.scopes[: len(switch.scopes)] != switch.scopes:
            continue
        if not before_only or (switch.func is site.func and switch.node.lineno < site.node.lineno):
            return True
    return False


def unnamed_creator(site: CallSite) -> tuple[str, api.Creator] | None:
    """A functional v1 / TF-Slim layer (or `slim.repeat`/`stack`) called without the argument that names it:
    it takes an auto-name (`dense`, `dense_1`). Not its class form: an object is named at its first call."""
    name = first_name(site, lambda n: api.auto_named_creator(n) is not None)
    if name is None or api.is_v1_layer_class(name):
        return None
    creator = api.auto_named_creator(name)
    assert creator is not None
    return None if has_explicit_name(site.node, creator.param, creator.position) else (name, creator)


def numbered_creator(site: CallSite, ctx: ModuleContext | None = None) -> tuple[str, str] | None:
    """(creator, the base its name is numbered from) for a call whose variables take a numbered name in
    their scope: an unnamed functional layer (`dense`, `dense_1`), a v1 layer object or RNN cell (their
    `name=` is numbered too, measured), a template (`t`, `t_1`); with ``ctx``, also an object of a project
    subclass of a v1 layer class (`v1_subclass_called`). None when the base is not known (a name we cannot
    see, such as `f"cell_{i}"` in a loop over `i`, may differ per call)."""
    found = unnamed_creator(site)
    if found is not None:
        return (found[0], found[1].base) if found[1].wraps is None else None
    subclass = v1_subclass_called(ctx, site) if ctx is not None and not site.names else None
    for name in [*site.names, *([subclass[0]] if subclass else [])]:
        if subclass is not None and name == subclass[0]:
            given, default = keyword(site.node, "name"), api.snake_case(name)
        elif api.is_v1_layer_class(name) or api.v1_rnn_cell_base_name(name):
            given = keyword(site.node, "name")
            default = api.v1_layer_base_name(name) or api.v1_rnn_cell_base_name(name)
        elif name == api.MAKE_TEMPLATE:
            given = site.node.args[0] if site.node.args else keyword(site.node, "name_")
            default = None
        else:
            continue
        text = site.fixed_text(given)  # `f"t_{i}"` with `i = 0` above it is as fixed as `"t_0"`
        if text is not None:
            return name, text
        known = site.value(given) if given is not None else ("none",)
        return (name, default) if known == ("none",) and default else None
    return None
