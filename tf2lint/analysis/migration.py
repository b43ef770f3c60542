"""Where a migration stands, per class: its stage and the TF1-style constructs left in it.

The stages follow TensorFlow's model-mapping guide (a class moves down this list as it is migrated):

- ``tf1``: TF1 graph code: TF1-style constructs, no shim decorator.
- ``shimmed``: a method carries the shim and TF1-style variable creation runs inside it (or tf2lint cannot
  show that none does: an unresolved call, a `get_or_create_layer`, a weight-owning object built per call).
- ``partly_native``: shimmed, with native weights beside the TF1-style creation (Keras layers or
  `tf.Variable`s built in `__init__`, `add_weight`, `get_or_create_layer` around a native layer).
- ``native``: the shim is still on, but every call its methods reach is known and none creates TF1-style
  variables: the decorator does nothing and can go (TFS117 says so in the editor).

A class with no shim method and no TF1-style construct is outside the migration (``NO_TF1``): a native
Keras layer that never needed the shim, a dataclass, a test case. Reports count it and list it apart.

Everything here reads the analysis (summaries, the shim walk's reachability, canonical names), and no more
of it than `check` builds unless a class needs it; the construct counts come from `constructs.py` (read from
the text, else a pruned walk of the tree `check` parsed). Nothing re-parses or re-walks imports. Per-class flags (``ClassFacts.flags``)
are the extension point for facts other analyses add: "its names are in the names lock" (`baseline`) and "a
call its shim reaches is unknown" today; add a ``FlagProvider`` to ``FLAG_PROVIDERS``.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tf2lint.analysis import constructs
from tf2lint.analysis.baseline import holds, module_baseline
from tf2lint.analysis.body import weak_memo
from tf2lint.analysis.callees import traced_by
from tf2lint.analysis.constructs import construct_of
from tf2lint.analysis.names import PYTHON_BUILTINS
from tf2lint.analysis.summary import SETUP_METHODS, first_param, super_method
from tf2lint.knowledge import api

if TYPE_CHECKING:
    from tf2lint.analysis.context import ModuleContext
    from tf2lint.analysis.summary import ClassInfo
    from tf2lint.analysis.triage import Triage

STAGES: tuple[str, ...] = ("tf1", "shimmed", "partly_native", "native")
STAGE_TITLES = {"tf1": "TF1 graph code", "shimmed": "shimmed", "partly_native": "partly native", "native": "native"}
NO_TF1 = "no_tf1"

_CREATING = ("get_variable", "v1_layers", "slim", "make_template")
# What a decorated method may call on a value without tf2lint knowing the value's type: Python and tensor
# bookkeeping that cannot create variables. Any other method of an unknown value is an unknown callee.
_HARMLESS_METHODS = frozenset({
    "append", "extend", "insert", "pop", "items", "keys", "values", "get", "update", "copy", "format", "join",
    "split", "startswith", "endswith", "get_shape", "set_shape", "as_list", "numpy", "astype", "with_rank",
    "is_fully_defined", "merge_with",
})
_SEARCH_LIMIT = 48  # functions entered from one shim method (TFS107's bound); beyond it: unknown


@dataclass
class ClassFacts:
    """One class's place in the migration."""

    name: str  # qualified by enclosing classes: `Outer.Inner`
    line: int
    end_line: int
    # "keras", "module", "keras3", "object" or "unknown" (ModuleContext.class_kind); "" outside the migration,
    # where it is not worked out (it may read the modules of the bases)
    kind: str
    stage: str  # one of STAGES, or NO_TF1
    reason: str  # why this stage, one sentence for people
    constructs: Counter[str] = field(default_factory=Counter)
    shim_methods: tuple[str, ...] = ()
    flags: dict[str, bool] = field(default_factory=dict)


@dataclass
class ModuleFacts:
    """A module's classes and the constructs written anywhere in it (classes, functions, module level)."""

    classes: list[ClassFacts]
    constructs: Counter[str]


@dataclass
class ShimReach:
    """What a class's shim methods reach, as far as the analysis can see."""

    tf1: str | None = None  # the first TF1-style creation reached, spelled for people
    not_native: str | None = None  # why "the decorator can go" is not the advice, though nothing TF1 is created
    unknown: str | None = None  # the first call whose callee is not known
    # Native weights made there: per call, once on the first call, or kept by `get_or_create_layer`.
    makes_native: bool = False

    @property
    def native(self) -> bool:
        """Nothing TF1-style reached and every callee known: removing the decorator changes nothing."""
        return self.tf1 is None and self.not_native is None and self.unknown is None


# A flag of a class in the shim analysis (its module may hold shim code), from the analysis and what the class's
# shim methods reach. The classes of a module that can hold no shim code are not analysed: their flags are False
# (a provider that must look at them too has to make `module_facts` build the analysis for them).
FlagProvider = Callable[["ModuleContext", "ClassInfo", ShimReach | None], bool]


def _unresolved_flag(ctx: ModuleContext, cls: ClassInfo, reach: ShimReach | None) -> bool:
    """Shim code whose callees tf2lint could not all resolve: why a class may be kept out of "native"."""
    return reach is not None and reach.unknown is not None


def _names_lock_flag(ctx: ModuleContext, cls: ClassInfo, reach: ShimReach | None) -> bool:
    """A shim class whose first-call variable names are in the names lock (or, with `--variables-base`, in the
    model at that revision): TFS115 reports where they drift, so step 2 of the migration can start on it. Not
    a native one: it creates no variable the TF1 way, so there is nothing for the lock to guard."""
    if reach is None or reach.native:
        return False
    entries, _where = module_baseline(ctx)
    return bool(entries) and holds(entries, cls.name, shim_methods(ctx, cls))


FLAG_PROVIDERS: dict[str, FlagProvider] = {"names_lock": _names_lock_flag, "unresolved_calls": _unresolved_flag}
_TF1 = "TF1-style constructs, no shim decorator"
_OUTSIDE = "no shim decorator and no TF1-style construct"


def module_facts(triage: Triage, context: Callable[[], ModuleContext]) -> ModuleFacts:
    """The facts of every class of the linted module, and the module's construct counts.

    ``triage``: what `check` learns of every module; ``context``: its analysis, built by then when a rule
    needed it, else built by this call. A module that can hold no shim code (the triage says so; most modules of a
    TF1 code base) needs no analysis: its classes are TF1 graph code or outside the migration, told apart by
    the constructs written in them, and the analysis is built only when a class holds one (its kind reads
    the bases)."""
    if triage.may_hold_shim_code:
        return _analysed(context(), None)
    # A summary built on the triage's names has filled its lexical parents: the analysis is there (a rule needed
    # it), and its summary lists the classes, which the walk then need not look for.
    ctx = context() if triage.parents else None
    found = constructs.find(triage.tree, triage.text, triage.names, triage.parents, classes=ctx is None,
                            mentioned=triage.mentioned)
    if any(site.owner is not None for site in found.sites):
        return _analysed(ctx or context(), found.sites)
    if ctx is not None:
        ordered = _in_order(ctx.classes)
        named = [(cls.node, _qualified(ordered, cls)) for cls in ctx.classes]
    else:
        named = found.classes
    classes = [
        ClassFacts(name, node.lineno, node.end_lineno or node.lineno, "", NO_TF1, _OUTSIDE,
                   flags=dict.fromkeys(FLAG_PROVIDERS, False))
        for node, name in named
    ]
    return ModuleFacts(classes, Counter(site.kind for site in found.sites))


def _analysed(ctx: ModuleContext, sites: list[constructs.Site] | None) -> ModuleFacts:
    """Every class's facts from the analysis, with the module's construct calls (found now when not yet)."""
    if sites is None:
        root = ctx.root
        sites = constructs.find(ctx.tree, root.source or "", ctx.names, root.lexical_parent).sites
    by_node = {cls.node: cls for cls in ctx.classes}
    per_class: dict[ClassInfo, Counter[str]] = {cls: Counter() for cls in ctx.classes}
    for site in sites:
        owner = by_node.get(site.owner) if site.owner is not None else None
        if owner is not None:
            per_class[owner][site.kind] += 1
    ordered = _in_order(ctx.classes)
    facts = [_class_facts(ctx, cls, per_class[cls], _qualified(ordered, cls)) for cls in ctx.classes]
    return ModuleFacts(facts, Counter(site.kind for site in sites))


def _in_order(classes: list[ClassInfo]) -> list[ClassInfo]:
    """Classes by where they start, enclosing ones first."""
    return sorted(classes, key=lambda c: (c.node.lineno, -(c.node.end_lineno or 0)))


def _qualified(classes: list[ClassInfo], cls: ClassInfo) -> str:
    """`Outer.Inner` for a class defined inside another (enclosing spans come first in ``classes``)."""
    names = [other.name for other in classes if other is not cls
             and other.node.lineno < cls.node.lineno <= (other.node.end_lineno or 0)]
    return ".".join([*names, cls.name])


def _class_facts(ctx: ModuleContext, cls: ClassInfo, constructs: Counter[str], name: str) -> ClassFacts:
    shim = shim_methods(ctx, cls)
    reach = shim_reach(ctx, cls, list(shim.values())) if shim else None
    if reach is not None and any(any(ctx.is_tf_function(d, m) for d in m.decorator_list) for m in shim.values()):
        reach.not_native = reach.not_native or "a `tf.function` is stacked with the shim (TFS105's ground)"
    stage, reason = _stage(ctx, cls, constructs, reach)
    if stage == "native":
        # The decorator also runs for subclasses that inherit the method (with their overrides of the hooks
        # it calls): it can go only when it does nothing for them either.
        for sub in ctx.subclasses(cls):
            inherited = [m for m in shim.values() if any(m is n for n in shim_methods(ctx, sub).values())]
            if inherited and not shim_reach(ctx, sub, inherited).native:
                stage, reason = "shimmed", f"the decorator still matters for subclass `{sub.name}`"
                break
    facts = ClassFacts(
        name=name, line=cls.node.lineno, end_line=cls.node.end_lineno or cls.node.lineno,
        kind=ctx.class_kind(cls) if stage != NO_TF1 else "", stage=stage, reason=reason, constructs=+constructs, shim_methods=tuple(shim),
    )
    for key, provider in FLAG_PROVIDERS.items():
        facts.flags[key] = provider(ctx, cls, reach)
    return facts


def shim_methods(ctx: ModuleContext, cls: ClassInfo) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """The class's shim-decorated methods, its own and inherited; none when the module holds no shim code."""
    if not ctx.shim_decorated and not ctx.reached:
        return {}
    return ctx.shim_methods_of(cls)


def _stage(ctx: ModuleContext, cls: ClassInfo, constructs: Counter[str], reach: ShimReach | None) -> tuple[str, str]:
    if reach is None:
        if constructs:
            return "tf1", _TF1
        return NO_TF1, _OUTSIDE
    native = reach.makes_native or has_native_weights(ctx, cls)
    if reach.tf1 is not None:
        if native:
            return "partly_native", f"native weights beside TF1-style creation ({reach.tf1})"
        return "shimmed", f"TF1-style creation inside the shim ({reach.tf1})"
    if reach.not_native is not None:
        return ("partly_native" if native else "shimmed"), f"not native: {reach.not_native}"
    if reach.unknown is not None:
        return "shimmed", f"not shown native: `{reach.unknown}` is not known"
    return "native", "no TF1-style creation reached from the shim: the decorator can go"


def has_native_weights(ctx: ModuleContext, cls: ClassInfo) -> bool:
    """Weights the object gets beside the shim's store: Keras layers, `tf.Module`s or `tf.Variable`s its setup
    methods (`__init__`, then Keras' `build`) keep on it, or weights made while they run, in them or in the
    methods and helpers they call (`add_weight`, `tf.Variable`). A method they do not run (a base class's helper
    that only some subclasses call) gives this object none."""
    mro = ctx.mro(cls)
    if any(api.tracked_object_kind(name) for klass in mro for names in klass.attr_types.values() for name in names):
        return True
    for name in SETUP_METHODS:  # as the object runs them: the first definition along its MRO
        found = ctx.resolved_method(cls, name)
        if found is None:
            continue
        for call, names, _func in ctx.reached_calls(found[1], cls, stop_at_shim=True, limit=_SEARCH_LIMIT):
            if isinstance(call.func, ast.Attribute) and call.func.attr == "add_weight" or api.TF_VARIABLE in names:
                return True
    return False


def shim_reach(ctx: ModuleContext, cls: ClassInfo, methods: list) -> ShimReach:
    """Classify every call the shim methods reach (through self methods, helpers, other modules)."""
    found = ShimReach()
    for method in methods:
        entered: set[ast.AST] = set()
        for call, names, func in ctx.reached_calls(method, cls, stop_at_shim=True, limit=_SEARCH_LIMIT):
            entered.add(func)
            _classify(ctx, cls, call, names, func, found)
            if found.tf1 is not None and found.unknown is not None:
                return found
        if len(entered) >= _SEARCH_LIMIT and found.unknown is None:
            found.unknown = f"{len(entered)} functions or more"  # the search stopped: what lies beyond is unknown
    return found


@weak_memo
def _made_once(ctx: ModuleContext) -> frozenset[ast.Call]:
    """The calls that every path from a shim method runs once per object (in the block of a guard that sets the
    attribute it tests) with the result kept on `self`. Measured under the shim: a `tf.Variable`, Keras layer or
    `tf.Module` made so behaves and saves the same without the decorator (tests/test_tfs117_runtime.py)."""
    once, other = set(), set()
    for site in ctx.sites:
        kept = site.once and site.target is not None and site.target[0] == "self"
        (once if kept else other).add(site.node)
    return frozenset(once - other)


def _classify(ctx: ModuleContext, cls: ClassInfo, call: ast.Call, names: tuple[str, ...], func, found: ShimReach) -> None:
    for name in names:
        kind = construct_of(name)
        if kind in _CREATING or api.creates_tf1_variables(name):
            found.tf1 = found.tf1 or f"`{name}`"
            return
        if name == api.GET_OR_CREATE_LAYER:
            found.not_native = found.not_native or "`get_or_create_layer` keeps its layers in the shim's store"
            found.makes_native = True
            return
        if kind in ("collections", "session"):
            found.not_native = found.not_native or f"`{name}` is TF1 graph code (TFS112)"
            return
        if name == api.TF_FUNCTION:
            found.not_native = found.not_native or "a `tf.function` runs under the shim (TFS105's ground)"
            return
        if api.tracked_object_kind(name):
            found.makes_native = True
            if call not in _made_once(ctx):  # made on the first call and kept on `self`: tracked as if in `__init__`
                found.not_native = found.not_native or f"`{name}` is built inside the decorated method (TFS106)"
            return
    if names and all(map(api.is_library_name, names)):
        return  # a TensorFlow/Keras API that creates no TF1-style variable
    if _known_without_names(ctx, cls, call, func, found):
        return
    if found.unknown is None:
        found.unknown = _spelled(call.func)


def _known_without_names(ctx: ModuleContext, cls: ClassInfo, call: ast.Call, func, found: ShimReach) -> bool:
    """A call that is no library API, known anyway: a builtin, a project function the walk enters, a sub-layer
    kept on `self`, or bookkeeping on a local value. Records what it learns in ``found``."""
    module = ctx.module_of(func)
    target = call.func
    if isinstance(target, ast.Name) and target.id in PYTHON_BUILTINS and not module.names.is_local(target.id, func) \
            and not module.names.is_bound(target.id):
        return True
    if module is ctx.root:
        callees = ctx.callees_of_call(call, func)
        for callee in callees:
            if ctx.is_shim_function(callee) and callee.cls is None:
                found.not_native = found.not_native or f"it calls the decorated `{callee.label}` of the same object"
            elif traced_by(callee) is not None:
                found.not_native = found.not_native or f"`{callee.label}` is a `tf.function` (TFS105's ground)"
            elif _abstract(callee.func):
                found.unknown = found.unknown or f"{callee.label} (a hook other classes may fill)"
        if callees:
            return True  # entered by the walk (or a sub-layer with its own shim: its variables are its own)
    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
        owner = target.value.id
        if owner == _self_name(func):
            return _self_attribute_known(ctx, cls, target.attr, found)
        if module.names.is_local(owner, func) and target.attr in _HARMLESS_METHODS:
            return True
    if super_method(target) is not None:
        # A library base's method (`super().call(x)` on a Keras layer): no project base defines it.
        return all(base is None for base in ctx.base_classes(cls)) and ctx.class_kind(cls) in ("keras", "module")
    return False


def _abstract(func) -> bool:
    """A body that only documents, passes or raises: a hook a subclass elsewhere may implement."""
    if not isinstance(getattr(func, "body", None), list):
        return False
    body = [s for s in func.body
            if not (isinstance(s, ast.Expr) and isinstance(s.value, ast.Constant))]
    return all(isinstance(s, (ast.Pass, ast.Raise)) for s in body)


def _self_attribute_known(ctx: ModuleContext, cls: ClassInfo, attr: str, found: ShimReach) -> bool:
    """`self.<attr>(x)` where `__init__` stored a library object there: a Keras layer (native) or a v1 layer."""
    for klass in ctx.mro(cls):
        names = klass.attr_types.get(attr)
        if names is None:
            continue
        if any(construct_of(name) in _CREATING for name in names):
            found.tf1 = found.tf1 or f"`self.{attr}` ({names[0]})"
            return True
        return all(map(api.is_library_name, names))
    return False


def _self_name(func) -> str | None:
    return first_param(func) if isinstance(func, (ast.FunctionDef, ast.AsyncFunctionDef)) else None


def _spelled(expr: ast.expr) -> str:
    text = ast.unparse(expr)
    return text if len(text) <= 60 else text[:57] + "..."
