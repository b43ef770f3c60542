"""The variable-name model: what a shim class's first call creates, by name, read from the shim walk.

The shim keys every variable by its name, and an unnamed v1 layer takes its name from a counter kept per
variable scope (measured on TF 2.21 + tf-keras 2.21, tests/test_variable_names_runtime.py):
- an auto-named layer (or a `variable_scope(None, default_name=...)`) takes its base if no scope of that
  full name was opened yet under the current scope, else the first ``base_N`` not opened;
- an explicit name (`name="dense_1"`, a named `variable_scope`) opens that scope and counts too (so an
  empty `with variable_scope("dense"): pass` makes the next unnamed dense `dense_1`: the guide's
  `record_scope`);
- entering a named scope restarts the counting of every scope below it: re-entering `net` names its first
  dense `net/dense` again (which shares the variables).
Counting starts afresh for the first call of the first instance after `clear_session` (a fresh process).

Only straight-line creation is known: a creator in a loop, a branch, a `tf.function`, under a scope whose
name we cannot see, or a call we cannot follow makes the names after it in that scope `<unknown>`. Unknown
parts are explicit and never compared (`net/<unknown>/kernel`).
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass, field
from typing import NamedTuple

from tf2lint.analysis.callables import merged_call
from tf2lint.analysis.context import Callee, CallSite, ModuleContext, Reach, VarScope, bind_call
from tf2lint.analysis.names import Function, evaluation_order
from tf2lint.analysis.summary import ClassInfo, ModuleSummary, first_param, is_self_attr, is_static
from tf2lint.knowledge import api, slim
from tf2lint.knowledge import variables as table
from tf2lint.knowledge.variables import UNKNOWN

Shape = tuple[int | None, ...]


class Unknown(NamedTuple):
    """Why some names cannot be known: the node to point at and a reason a user can act on."""

    node: ast.AST
    reason: str


@dataclass(frozen=True)
class Variable:
    name: str  # full name without `:0`; `<unknown>` where a part is not known
    shape: Shape | None = None  # None: not modelled; a None dimension: not known


@dataclass(frozen=True)
class Creation:
    """One creating call (a layer, a `get_variable`, a layer object's first call) on the first call."""

    node: ast.Call  # where it is written (may be in another module)
    kind: str  # the canonical creator, e.g. `tf.compat.v1.layers.dense`
    scope: str  # the layer's full scope (`net/dense_1`), or the variable's scope for `get_variable`
    variables: tuple[Variable, ...]
    fingerprint: str  # the call as written, minus its input and its name: what identifies a layer across edits
    explicit: bool  # named by the code (`name=`, `scope=`, `get_variable("w")`)
    pin: str | None = None  # the keyword that pins its name (`name`, `scope`), when it has one
    local: bool = True  # written in the linted module
    # `self.<attr>` for a layer object built in `__init__`: a `tf.Checkpoint` also saves its variables under
    # that object path, and restores them from there whatever their names (measured by the drift suite).
    attr: str | None = None

    @property
    def known(self) -> bool:
        return UNKNOWN not in self.scope


@dataclass
class ClassVariables:
    """A shim class's first-call variables (the store's names) and its native layers' object paths."""

    qualname: str  # `Class.method`
    cls: ClassInfo
    creations: list[Creation] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)  # object paths of native layers built in `__init__`
    unknowns: list[Unknown] = field(default_factory=list)  # why names are unknown, in the order met

    @property
    def names(self) -> list[str]:
        return sorted({v.name for c in self.creations for v in c.variables})

    @property
    def complete(self) -> bool:
        """Every name is known."""
        return all(c.known for c in self.creations)


def _unrollable(statement: ast.stmt) -> list[object] | None:
    """The values a loop's variable takes, when the model runs its body once per value: `for i in range(N):` with
    a literal N <= 8, a literal list or tuple of at most 8 strings or numbers, or of one item of any kind (a
    function: `for stage in [self._block]:`, resolved as a callable value; its value is then not a literal).
    No `else`, `break`, `continue`, `return` or `yield`; else None."""
    if not (isinstance(statement, ast.For) and isinstance(statement.target, ast.Name) and not statement.orelse):
        return None
    if any(isinstance(n, (ast.Break, ast.Continue, ast.Return, ast.Yield, ast.YieldFrom)) for s in statement.body
           for n in ast.walk(s)):
        return None
    loop = statement.iter
    if isinstance(loop, (ast.List, ast.Tuple)) and not any(isinstance(e, ast.Starred) for e in loop.elts):
        values = [_literal(e) for e in loop.elts]
        if len(values) == 1 or (len(values) <= 8 and all(
                isinstance(v, (int, str)) and not isinstance(v, bool) for v in values)):
            return values
        return None
    if not (isinstance(loop, ast.Call) and isinstance(loop.func, ast.Name) and loop.func.id == "range"
            and len(loop.args) == 1 and not loop.keywords):
        return None
    count = _literal(loop.args[0])
    if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 8:
        return None
    return list(range(count))


def _decided(test: ast.expr, bindings: dict[str, tuple]) -> bool | None:
    """`if flag:` / `if not flag:` over a parameter the path binds to a constant: the branch taken, else None."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _decided(test.operand, bindings)
        return None if inner is None else not inner
    value = bindings.get(test.id) if isinstance(test, ast.Name) else None
    if value is None or value[0] not in ("const", "str", "none"):
        return None
    return bool(value[1]) if len(value) > 1 else False


def _literal(node: ast.expr | None) -> object:
    try:
        return ast.literal_eval(node) if node is not None else None
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _NOT_LITERAL


_NOT_LITERAL = object()


def _argument(call: ast.Call, keyword: str, position: int | None) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == keyword:
            return kw.value
    if position is not None and len(call.args) > position:
        return call.args[position]
    return None


def _opaque(call: ast.Call) -> bool:
    """`*args` / `**kwargs` may carry any argument."""
    return any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args)


def _fingerprint(kind: str, call: ast.Call, skip_first: bool, pin: str | None) -> str:
    args = call.args[1:] if skip_first else call.args
    keywords = [k for k in call.keywords if k.arg != pin]
    parts = [ast.unparse(a) for a in args] + [f"{k.arg}={ast.unparse(k.value)}" for k in keywords]
    return f"{kind.rsplit('.', 1)[-1]}({', '.join(parts)})"


class _Counts:
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


def _join(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


class _ClassModel:
    """Runs one shim method's first call over the walk's sites, in evaluation order."""

    def __init__(self, ctx: ModuleContext, shim: ast.AST, cls: ClassInfo, sites: list[CallSite],
                 pinned: dict[ast.Call, str] | None = None) -> None:
        """``pinned``: names given to calls as a fix would (`name="dense_1"`), to see what the fix makes."""
        self.ctx, self.shim, self.cls = ctx, shim, cls
        self.pinned = pinned or {}
        self.by_node: dict[ast.Call, list[CallSite]] = {}
        self.inline: dict[ast.Call, ast.Call] = {}  # `Ctor(...)` -> the call `Ctor(...)(x)` that calls it at once
        for site in sites:
            self.by_node.setdefault(site.node, []).append(site)
            if isinstance(site.node.func, ast.Call):
                self.inline[site.node.func] = site.node
        self.counts = _Counts()
        self.scope_names: dict[ast.Call, str] = {}  # a variable_scope call -> the full name it opened
        self.first_called: set[str] = set()  # layer attributes already called (named at their first call)
        self.result = ClassVariables(f"{cls.name}.{getattr(shim, 'name', '?')}", cls)
        self.init_ctors = _init_calls(cls)
        self.depth = 0
        self.visited: set[ast.Call] = set()
        # The walk records a traced helper's calls with the scopes opened inside it only; measured, the caller's
        # scopes carry into the trace: the caller's prefix, while running one.
        self.base = ""
        self.locals: dict[str, int | str] = {}  # literal locals of the function being run
        self.unrolled = 0  # inside a loop this run unrolls
        self.flat_loops = 0  # inside a loop it does not (its calls may run any number of times)
        self.attribute_values: dict[ClassInfo, dict[tuple[str, bool], list[tuple[ast.expr, Function]] | None]] = {}
        self.selves: list[ClassInfo] = []
        self.instances: list[tuple] = []  # which object each of ``selves`` is (keys of `first_called`)
        self.fresh = 0  # objects built where they are called: each is new
        self.init_calls: dict[ClassInfo, dict[str, ast.Call]] = {cls: self.init_ctors}
        self.reentered: dict[ast.Call, tuple[dict[str, int], set[str]]] = {}  # `variable_scope(<scope object>)`  # sub-layers whose `call` is being followed (their `self` is not ours)

    # -- the walk ---------------------------------------------------------------------------------

    def run(self) -> ClassVariables:
        body = getattr(self.shim, "body", [])
        self._block(body, (), self.shim)
        # A creating call the walk reached but this run did not (a callee it could not pair with its call, such
        # as `tf.function(self._block)(x)`): something was made that the model cannot place.
        for node, sites in self.by_node.items():
            if node not in self.visited and any(_creates(s.names) for s in sites):
                self._why(node, "a creating call reached on a path the model cannot follow call by call")
                self._add(sites[0], sites[0].names[0], UNKNOWN, [], node, False, None)
        for attr, call in self.init_ctors.items():
            kind = next((n for n in self.cls.attr_types.get(attr, ()) if n.startswith(("tf.keras.layers.", "keras.layers."))), None)
            if kind and attr in self.first_called and kind.rsplit(".", 1)[-1] not in api.STATELESS_KERAS_LAYERS:
                spec = table.KERAS_LAYERS.get(kind.rsplit(".", 1)[-1])
                suffixes = _suffixes(spec, call) if spec is not None else None
                self.result.objects.extend(f"{attr}/{s}" for s in suffixes or (UNKNOWN,))
        return self.result

    def _block(self, body: list[ast.stmt], outer: tuple[VarScope, ...], func: ast.AST,
               bindings: tuple | None = None, arguments: dict | None = None) -> None:
        """``bindings``: the parameter values the call into ``func`` gives (a helper called twice is recorded
        once per set of values: `record_scope("conv2d")`, `record_scope("conv2d_1")`)."""
        saved = self.locals
        self.locals = dict(arguments or {})
        for statement in body:
            self._statement(statement, outer, func, bindings)
        self.locals = saved

    def _statement(self, statement: ast.stmt, outer: tuple[VarScope, ...], func: ast.AST, bindings: tuple | None) -> None:
        """One statement: `with` blocks and `for i in range(N)` loops statement by statement (a loop is unrolled:
        it runs its body N times, `i` known in each), anything else call by call in evaluation order."""
        if isinstance(statement, ast.With):
            self._calls([item.context_expr for item in statement.items], outer, func, bindings)
            for inner in statement.body:
                self._statement(inner, outer, func, bindings)
            for item in reversed(statement.items):
                saved = self.reentered.pop(item.context_expr, None)  # type: ignore[call-overload]
                if saved is not None:  # leaving a re-entered scope object restores the counts it found
                    self.counts.opened, self.counts.unknown = saved
            return
        values = _unrollable(statement)
        if values is not None:
            assert isinstance(statement, ast.For) and isinstance(statement.target, ast.Name)
            self.unrolled += 1
            for value in values:
                if isinstance(value, (int, str)) and not isinstance(value, bool):
                    self.locals[statement.target.id] = value
                else:
                    self.locals.pop(statement.target.id, None)
                for inner in statement.body:
                    self._statement(inner, outer, func, bindings)
            self.unrolled -= 1
            self.locals.pop(statement.target.id, None)
            return
        decided = _decided(statement.test, dict(bindings or ())) if isinstance(statement, ast.If) else None
        if decided is not None:  # a constant argument chose the branch, as the walk saw (the other never runs)
            assert isinstance(statement, ast.If)
            self._calls([statement.test], outer, func, bindings)
            for inner in statement.body if decided else statement.orelse:
                self._statement(inner, outer, func, bindings)
            return
        looping = isinstance(statement, (ast.For, ast.AsyncFor, ast.While))
        self.flat_loops += looping
        self._calls([statement], outer, func, bindings)
        self.flat_loops -= looping
        if isinstance(statement, ast.Assign):
            self._assigned(statement)

    def _assigned(self, statement: ast.Assign) -> None:
        """`i = 0`: a local whose value later names may use (f-strings); any other assignment forgets it."""
        value = _literal(statement.value)
        for target in statement.targets:
            for name in (n.id for n in ast.walk(target) if isinstance(n, ast.Name)):
                if isinstance(target, ast.Name) and isinstance(value, (int, str)) and not isinstance(value, bool):
                    self.locals[name] = value
                else:
                    self.locals.pop(name, None)

    def _calls(self, nodes: list, outer: tuple[VarScope, ...], func: ast.AST, bindings: tuple | None) -> None:
        for call in evaluation_order(nodes):
            site = self._site(call, outer, func, bindings)
            if site is not None:
                self.visited.add(call)
                self._site_event(site)
            elif self._may_create(call, func):  # a call the walk did not record on this path
                self._why(call, "a call the walk did not follow on this path")
                self.result.creations.append(Creation(call, "?", UNKNOWN, (), ast.unparse(call), False, local=False))

    def _text(self, expr: ast.expr | None, site: CallSite) -> tuple | None:
        """A name argument's value: ("str", text), ("none",), or None when unknown (f-strings over known locals)."""
        if isinstance(expr, ast.JoinedStr):
            parts = []
            for part in expr.values:
                if isinstance(part, ast.Constant):
                    parts.append(str(part.value))
                elif (isinstance(part, ast.FormattedValue) and part.conversion == -1 and part.format_spec is None
                      and isinstance(part.value, ast.Name) and part.value.id in self.locals):
                    parts.append(str(self.locals[part.value.id]))
                else:
                    return None
            return ("str", "".join(parts))
        if isinstance(expr, ast.Name) and isinstance(self.locals.get(expr.id), str):
            return ("str", self.locals[expr.id])
        return site.value(expr)

    def _may_create(self, call: ast.Call, func: ast.AST) -> bool:
        names = self.ctx.resolve(call.func, func)
        if names:
            return _creates(names) or not all(api.is_library_name(n) for n in names)
        target = call.func
        return isinstance(target, ast.Call) or isinstance(target, ast.Name) and target.id not in _BUILTINS or (
            _receiver_attr(target, func, self.ctx) is not None)

    def _site(self, call: ast.Call, outer: tuple[VarScope, ...], func: ast.AST,
              bindings: tuple | None = None) -> CallSite | None:
        # The path's scopes, then only scopes opened in ``func`` itself (the same helper reached under other
        # scopes is recorded once per path).
        candidates = [s for s in self.by_node.get(call, ()) if s.scopes[: len(outer)] == outer and s.func is func
                      and all(any(o.func is func for o in self.by_node.get(extra.node, ()))
                              for extra in s.scopes[len(outer):])]
        if len(candidates) > 1 and bindings is not None:
            candidates = [s for s in candidates if s.bindings == bindings]
        return candidates[0] if len(candidates) == 1 else (candidates[0] if candidates and all(
            c.scopes == candidates[0].scopes for c in candidates) else None)

    def _prefix(self, site: CallSite) -> str:
        return self.scope_names.get(site.scopes[-1].node, UNKNOWN) if site.scopes else self.base

    def _uncertain(self, site: CallSite) -> bool:
        looped = site.in_loop and (self.flat_loops > 0 or not self.unrolled)
        return bool(looped or site.arms or site.guarded or site.arg_scopes)

    def _traced(self, site: CallSite) -> bool:
        """Runs inside a `tf.function` other than one stacked under the shim decorator (which traces the whole
        method in a fresh graph, as an eager first call counts). Measured: the caller's scopes carry into the
        trace and explicit names keep, but an auto-name is asked for again by the second trace of the first
        call: auto-names there are unknown."""
        return site.reach.tf_function is not None and site.reach.tf_function not in getattr(
            self.shim, "decorator_list", ())

    def _taint(self, prefix: str) -> None:
        self.counts.unknown.add(prefix)
        for key in list(self.counts.opened):
            if key.startswith(prefix + "/") or not prefix:
                self.counts.unknown.add(key)

    def _site_event(self, site: CallSite) -> None:
        prefix = self._prefix(site)
        names = site.names
        made = self._v1_object(site.node, site.func, site.module) if site.node in self.inline or (
            site.target is not None and site.target[0] in ("local", "self")) else None
        if made is not None:  # a new v1 layer object: named at its first call (a create-once guard builds once)
            target = site.target or ("", "")
            key = ("inline", id(self.inline[site.node])) if site.node in self.inline else (
                "local", id(site.func), target[1]) if target[0] == "local" else (*self._owner()[1], "self", target[1])
            if not site.guarded:
                self.first_called.discard(key)
            return
        if isinstance(site.node.func, ast.Call):
            made = self._v1_object(site.node.func, site.func, site.module)
            if api.MAKE_TEMPLATE in self.ctx.resolve(site.node.func.func, site.func):
                self._template_call(site, ("inline", id(site.node)), site.node.func, prefix, True)
                return
            if made is not None:
                self._object_call(site, ("inline", id(site.node)), site.node.func, made[0], prefix, None, made[1])
                return
        if api.VARIABLE_SCOPE in names:
            self._scope(site, prefix)
            return
        creator = next((n for n in names if _creates((n,))), None)
        if creator is not None:
            self._create(site, creator, prefix)
            return
        attr = self._self_call(site)
        owner, instance = self._owner()
        inits = self._inits(owner)
        if attr is not None and attr in inits and self._set_once(attr, owner):
            # An object built once in `__init__` (of this object, or of a sub-layer whose call runs here).
            self._object_call(site, (*instance, "self", attr), inits[attr], owner.attr_types.get(attr, ()), prefix,
                              None if self.selves else attr)
            return
        if any(n.startswith("tf.compat.v1.nn.") and "rnn" in n for n in names):
            self._opaque(site, prefix, "an RNN driver (`dynamic_rnn` and kin)")  # cells' own scopes
            return
        local = self._local_object(site)
        if local is not None:
            types, base = self._v1_object(local.node, local.func, local.module) or (local.names, None)
            self._object_call(site, ("local", id(site.func), local.target[1]), local.node, types, prefix, None, base)
            return
        if attr in _KERAS_METHODS or names == (_PARTIAL,):
            return  # Keras' own weights and losses: not the shim's store; a partial runs nothing until called
        if any(not api.is_library_name(n) for n in names) or (names and any(n.startswith("slim.") for n in names)
                                                              and api.creates_tf1_variables(names[0])):
            self._opaque(site, prefix, "a project callee the walk did not enter" if any(
                not api.is_library_name(n) for n in names) else "a TF-Slim creator whose names are not modelled")
            return
        if not names:
            self._follow(site, prefix)

    def _scope(self, site: CallSite, prefix: str) -> None:
        scope = self.ctx.variable_scope(site.node, site.func, dict(site.bindings), site.module)
        if scope is None or self._uncertain(site) or prefix.endswith(UNKNOWN) or UNKNOWN in prefix:
            if UNKNOWN not in prefix:
                self._why(site.node, "a `variable_scope` the walk cannot name" if scope is None
                          else "a `variable_scope` " + self._uncertainty(site))
            self.scope_names[site.node] = _join(prefix, UNKNOWN)
            self._taint(prefix)
            return
        name = scope.name
        if scope.named and name is None and not scope.reenters:
            text = self._text(_argument(site.node, "name_or_scope", 0), site)
            name = text[1] if text is not None and text[0] == "str" and text[1] else None
        if scope.reenters and not self._uncertain(site):
            # `variable_scope(get_variable_scope())` (measured): the current scope's name, counted once more
            # without restarting anything below it; what is counted inside is forgotten when it is left.
            self.counts.opened[prefix] = self.counts.opened.get(prefix, 0) + 1
            self.reentered[site.node] = (dict(self.counts.opened), set(self.counts.unknown))
            self.scope_names[site.node] = prefix
            return
        if scope.reenters or (scope.named and name is None):
            self._why(site.node, "a `variable_scope` re-entered from a scope object" if scope.reenters
                      else "a `variable_scope` whose name is not known")
            self.scope_names[site.node] = _join(prefix, UNKNOWN)
            return
        if scope.named:
            full = _join(prefix, name)  # type: ignore[arg-type]
            self.counts.open(full)
            self.scope_names[site.node] = full
            return
        default = _literal(_argument(site.node, "default_name", 1))
        if isinstance(default, str) and default and not _opaque(site.node) and not self._traced(site):
            full = _join(prefix, self.counts.unique(prefix, default))
            if UNKNOWN not in full:
                self.counts.open(full)
            self.scope_names[site.node] = full
            return
        if _literal(_argument(site.node, "name_or_scope", 0)) == "":
            # `variable_scope("")` adds nothing at the top (measured: 3c); inside a scope it opens an empty-named
            # one (measured: `outer//w0`, `outer//dense`).
            self.scope_names[site.node] = f"{prefix}/" if prefix else ""
            if prefix:
                self.counts.open(f"{prefix}/")
            return
        self._why(site.node, "a default-named `variable_scope` inside a `tf.function`" if self._traced(site)
                  else "a `variable_scope` whose default name is not a literal")
        self.scope_names[site.node] = _join(prefix, UNKNOWN)  # a default name counted in a trace, or unseen
        self._taint(prefix)

    def _add(self, site: CallSite, kind: str, scope: str, variables: list[Variable], call: ast.Call,
             explicit: bool, pin: str | None, skip_first: bool = True) -> None:
        self.result.creations.append(Creation(
            node=call, kind=kind, scope=scope, variables=tuple(variables),
            fingerprint=_fingerprint(kind, call, skip_first, pin), explicit=explicit, pin=pin,
            local=not self.ctx.is_foreign(site.module),
        ))

    def _why(self, node: ast.AST, reason: str) -> None:
        self.result.unknowns.append(Unknown(node, reason))

    def _uncertainty(self, site: CallSite) -> str:
        """Why a site may run any number of times (see `_uncertain`)."""
        if site.in_loop:
            return "in a loop the model does not unroll"
        if site.arms or site.guarded:
            return "under a condition"
        return "under a `slim.arg_scope`"

    def _opaque(self, site: CallSite, prefix: str, reason: str) -> None:
        """A call that may create variables we cannot name."""
        if UNKNOWN not in prefix:
            self._why(site.node, reason)
        self._taint(prefix)
        self._add(site, site.names[0] if site.names else "?", _join(prefix, UNKNOWN), [], site.node, False, None)

    def _native_builder(self, site: CallSite) -> bool:
        """The builder of `get_or_create_layer` only returns a library object (`lambda: tf.keras.layers.Dense(4)`,
        or a function whose body is `return tf.keras.layers.Dense(4)`), or is a project layer class built without
        creating anything: nothing of it goes to `_vars` (an undecorated `call` of that class is followed where
        the built layer is called; a decorated one keeps its variables in its own store)."""
        builder = api.builder_expr(site.node)
        built = self.ctx.class_by_name.get(builder.id) if isinstance(builder, ast.Name) else None
        if built is not None:
            return self._inert_class(built)
        if isinstance(builder, ast.Lambda):
            made, func = builder.body, site.func
        else:
            callee = self.ctx.builder_of(site.node, site.func, self._owner()[0])  # type: ignore[arg-type]
            body = getattr(callee.func, "body", None) if callee is not None else None
            if not (isinstance(body, list) and len(body) == 1 and isinstance(body[0], ast.Return)):
                return False
            made, func = body[0].value, callee.func  # type: ignore[union-attr]
        if not isinstance(made, ast.Call):
            return False
        names = self.ctx.resolve(made.func, func)
        return bool(names) and all(api.is_library_name(n) and not _creates((n,)) for n in names) and not any(
            api.is_v1_layer_class(n) for n in names)

    def _named(self, site: CallSite, prefix: str, base: str, param: str, position: int | None) -> tuple[str, bool]:
        """The layer's scope name and whether the code names it; opens it in the counters."""
        if site.node in self.pinned:
            self.counts.open(_join(prefix, self.pinned[site.node]))
            return self.pinned[site.node], True
        given = _argument(site.node, param, position)
        if _opaque(site.node):
            self._why(site.node, "a creator given `*args` or `**kwargs`")
            return UNKNOWN, True
        if given is not None:
            value = self._text(given, site)
            if value is None or value[0] not in ("str", "none"):
                self._why(site.node, f"a creator whose `{param}` is not known")
                return UNKNOWN, True
            if value[0] == "str" and value[1]:
                self.counts.open(_join(prefix, value[1]))
                return value[1], True
        if self._traced(site):
            self._why(site.node, "an auto-named layer inside a `tf.function` (named again by its second trace)")
            self._taint(prefix)
            return UNKNOWN, False
        name = self.counts.unique(prefix, base)
        if name != UNKNOWN:
            self.counts.open(_join(prefix, name))
        return name, False

    def _create(self, site: CallSite, creator: str, prefix: str) -> None:
        call = site.node
        if (creator == api.MAKE_TEMPLATE and _argument(call, "create_scope_now_", 2) is None) or (
                api.is_v1_layer_class(creator) or api.v1_rnn_cell_base_name(creator)):
            # A template or a layer object opens its scope at its first call, where it is named; one whose call
            # the model cannot pair is unknown there.
            if site.target is not None and site.target[0] in ("local", "self") and not site.guarded:
                self.first_called.discard(("local", id(site.func), site.target[1]) if site.target[0] == "local"
                                          else (*self._owner()[1], "self", site.target[1]))
            return
        if self._uncertain(site) or UNKNOWN in prefix:
            self._opaque(site, prefix, "a creator " + self._uncertainty(site))
            return
        if creator == api.GET_VARIABLE or creator in api.SLIM_VARIABLES:
            text = self._text(_argument(call, "name", 0), site)
            name = text[1] if text is not None and text[0] == "str" else None
            if not isinstance(name, str) or not name or _opaque(call):
                self._opaque(site, prefix, "a `get_variable` whose name is not known")
                return
            shape = _literal(_argument(call, "shape", 1))
            dims = tuple(d if isinstance(d, int) else None for d in shape) if isinstance(shape, (list, tuple)) else None
            self._add(site, creator, prefix, [Variable(_join(prefix, name), dims)], call, True, None, skip_first=False)
            return
        if creator == api.GET_OR_CREATE_LAYER:
            text = self._text(_argument(call, "name", 0), site)
            key = text[1] if text is not None and text[0] == "str" else None
            if isinstance(key, str) and key and not _opaque(call) and self._native_builder(site):
                # The builder's layer sits in the store's `_layers` under the scoped key, its weights named by
                # Keras: no name in `_vars`.
                self._add(site, creator, _join(prefix, key), [], call, True, None, skip_first=False)
                return
        if creator in (api.MAKE_TEMPLATE, api.GET_OR_CREATE_LAYER) or api.is_v1_layer_class(creator) \
                or api.v1_rnn_cell_base_name(creator):
            self._opaque(site, prefix, _UNMODELLED.get(creator, "a layer object not called where the model sees it"))
            return
        base_name = api.v1_layer_base_name(creator)
        if base_name is not None:
            spec = table.V1_LAYERS.get(base_name)
            name, explicit = self._named(site, prefix, base_name, "name", None)
            self._layer(site, creator, prefix, name, explicit, "name", spec, base_name)
            return
        short = creator[len(slim.PREFIX):] if creator.startswith(slim.PREFIX) else ""
        found = api.auto_named_creator(creator)
        if short in table.SLIM_LAYERS and found is not None and not any(
                _literal(_argument(call, k, None)) is not None for k in table.SLIM_UNMODELLED):
            name, explicit = self._named(site, prefix, found.base, "scope", found.position)
            self._layer(site, creator, prefix, name, explicit, "scope", table.SLIM_LAYERS[short], None)
            return
        self._opaque(site, prefix, "a creator whose names are not modelled")

    def _layer(self, site: CallSite, creator: str, prefix: str, name: str, explicit: bool, pin: str,
               spec: tuple[table.Var, ...] | None, base: str | None) -> None:
        call = site.node
        scope = _join(prefix, name)
        suffixes = _suffixes(spec, call) if spec is not None else None
        if suffixes is None or name == UNKNOWN:
            if name == UNKNOWN:
                self._taint(prefix)
            else:
                self._why(call, "a layer whose variables depend on arguments that are not literals")
            self._add(site, creator, _join(prefix, UNKNOWN), [], call, explicit, pin)
            return
        shapes = _shapes(spec, call, base)  # type: ignore[arg-type]
        variables = [Variable(f"{scope}/{s}", shapes.get(s)) for s in suffixes]
        self._add(site, creator, scope, variables, call, explicit, pin)

    def _local_object(self, site: CallSite) -> CallSite | None:
        """`k = Ctor(...)` earlier in the same function, for a call `k(x)`: the one constructor site."""
        func = site.node.func
        if not isinstance(func, ast.Name):
            return None
        found = [s for sites in self.by_node.values() for s in sites
                 if s.func is site.func and s.target == ("local", func.id) and s.names != (_PARTIAL,)
                 and (s.names or self._v1_object(s.node, s.func, s.module) is not None)]
        return found[0] if len(found) == 1 and found[0].node.lineno <= site.node.lineno else None

    def _v1_object(self, ctor: ast.Call, where: Function, module: ModuleSummary | None) -> tuple[tuple[str, ...], str | None] | None:
        """A v1 layer (or RNN cell) object ``ctor`` (written in ``where``) builds: its class's canonical names
        and, for a project subclass that adds nothing, the name base Keras derives from it (`ProjectDense` ->
        `project_dense`)."""
        module = module or self.ctx.module_of(where)
        names = module.names.resolve(ctor.func, where)
        if any(api.is_v1_layer_class(n) or api.v1_rnn_cell_base_name(n) for n in names):
            return names, None
        func = ctor.func
        if names or not isinstance(func, ast.Name) or module.names.is_local(func.id, where):
            return None
        cls = module.class_by_name.get(func.id)
        base = self.ctx.v1_layer_base(cls) if cls is not None else None
        if cls is None or base is None or any(k.methods for k in self.ctx.mro(cls)):
            return None
        return (base,), api.snake_case(cls.name)

    def _object_call(self, site: CallSite, key: tuple, ctor: ast.Call, types: tuple[str, ...], prefix: str,
                     attr: str | None, subclass_base: str | None = None) -> None:
        """`self.attr(x)` of an object built in `__init__`, or `k(x)` of one built in this function: a v1 layer
        is named at its first call (`name=` too is made unique there, measured: `fc`, `fc_1`)."""
        first = key not in self.first_called
        self.first_called.add(key)
        if attr is not None:
            self.first_called.add(attr)
        if any(api.tracked_object_kind(t) or t.startswith(("tf.keras.layers.", "keras.layers.")) for t in types):
            if first and attr is not None:  # native: tracked by object path, no name in the store; kept to align
                self.result.creations.append(Creation(
                    node=site.node, kind=types[0], scope="", variables=(), fingerprint=f"self.{attr}", explicit=True))
            return
        if api.MAKE_TEMPLATE in types:
            self._template_call(site, key, ctor, prefix, first)
            return
        kind = next((t for t in types if api.is_v1_layer_class(t) or api.v1_rnn_cell_base_name(t)), None)
        if kind is None:
            if attr is not None and not any(api.is_library_name(t) for t in types):
                self._follow(site, prefix)  # a project layer or module held by the object
            else:
                self._opaque(site, prefix, "a call of a library object whose variables are not modelled")
            return
        if not first:
            return  # called again: its variables exist
        if self._uncertain(site) or UNKNOWN in prefix:
            self._opaque(site, prefix, "a v1 layer object first called " + self._uncertainty(site))
            return
        cell = api.v1_rnn_cell_base_name(kind)
        layer = cell or api.v1_layer_base_name(kind)
        spec = table.RNN_CELLS.get(layer or "") if cell else table.V1_LAYERS.get(layer or "")
        base = subclass_base or layer
        if cell and any(_argument(ctor, k, None) is not None for k in table.RNN_UNMODELLED):
            spec = None
        given = _argument(ctor, "name", None)
        text = self._text(given, site) if given is not None else ("none",)
        if _opaque(ctor) or text is None or text[0] not in ("str", "none"):
            self._opaque(site, prefix, "a v1 layer object whose name is not known")
            return
        literal = self.pinned.get(ctor, text[1] if text[0] == "str" else None)
        explicit = isinstance(literal, str) and bool(literal)
        name = UNKNOWN if self._traced(site) else self.counts.unique(prefix, literal if explicit else base or "")  # type: ignore[arg-type]
        if name != UNKNOWN:
            self.counts.open(_join(prefix, name))
        suffixes = _suffixes(spec, ctor) if spec is not None else None
        scope = _join(prefix, name)
        variables = [Variable(f"{scope}/{s}") for s in suffixes] if suffixes is not None and name != UNKNOWN else []
        if not variables:
            scope = _join(prefix, UNKNOWN)
            if self._traced(site) or suffixes is None:
                self._why(site.node, "a v1 layer object called inside a `tf.function`" if self._traced(site)
                          else "a v1 layer object whose variables depend on arguments that are not literals")
        self.result.creations.append(Creation(
            node=ctor, kind=kind, scope=scope, variables=tuple(variables),
            fingerprint=f"{'self.' + attr + ' = ' if attr else key[2] + ' = ' if key[0] == 'local' else ''}"
                        f"{_fingerprint(kind, ctor, False, 'name')}",
            explicit=explicit, pin="name", local=True, attr=attr,
        ))
        if attr is not None:
            self.result.objects.extend(f"{attr}/{s}" for s in suffixes or ())

    def _traces(self, site: CallSite, callee: Callee, applied: ast.expr | None) -> bool:
        """The call enters a `tf.function` (applied here, or decorating the callee) the caller was not in."""
        parent = callee.module.lexical_parent.get(callee.func)
        decorated = any(callee.module.is_tf_function(d, parent) for d in getattr(callee.func, "decorator_list", ()))
        return applied is not None or decorated

    def _applied_function(self, site: CallSite) -> ast.expr | None:
        """`tf.function(self._block)(x)`: the function applied (`self._block`), else None."""
        func = site.node.func
        if isinstance(func, ast.Call) and func.args and api.TF_FUNCTION in self.ctx.resolve(func.func, site.func):
            return func.args[0]
        return None

    def _arguments(self, call: ast.Call, callee: Callee, bound: bool) -> dict[str, int | str]:
        """The callee's parameters given a literal or a known local by this call (`block(x, i=i)`); a partial's
        arguments, written elsewhere, only by their literals."""
        args = getattr(callee.func, "args", None)
        merged = merged_call(call, callee)
        if args is None or _opaque(merged):
            return {}
        positional = [p.arg for p in [*args.posonlyargs, *args.args]]
        if callee.self_name is not None and positional and (bound if callee.bound is None else callee.bound):
            positional = positional[1:]
        own = {id(a) for a in call.args} | {id(k.value) for k in call.keywords}
        found: dict[str, int | str] = {}
        for name, expr in [*zip(positional, merged.args), *((k.arg, k.value) for k in merged.keywords)]:
            value = self.locals.get(expr.id) if isinstance(expr, ast.Name) and id(expr) in own else _literal(expr)
            if isinstance(value, (int, str)) and not isinstance(value, bool):
                found[name] = value  # type: ignore[index]
        return found

    def _method(self, name: str | None) -> ast.AST | None:
        """`self.<name>` as this class runs it: the first definition along its MRO (a subclass's override)."""
        if name is None:
            return None
        for cls in self.ctx.mro(self.cls):
            if name in cls.methods:
                return cls.methods[name]
        return None

    def _frame(self, site: CallSite) -> _Frame:
        """The walk's frame of the function holding ``site``, to resolve callable values as it did."""
        owner = self.ctx.owner.get(site.func)
        self_name = first_param(site.func) if owner is not None and not isinstance(site.func, ast.Lambda) else None
        return _Frame(site.func, self_name, site.reach, site.module or self.ctx.root, site.bindings)

    def _self_call(self, site: CallSite) -> str | None:
        """`<receiver>.<attr>(...)`, the receiver being the first parameter of the method holding it: attr."""
        return _receiver_attr(site.node.func, site.func, self.ctx)

    def _follow(self, site: CallSite, prefix: str) -> None:
        """A call with no library name: a project function or method the walk entered, else nothing it
        could create (a tensor method, a builtin) unless it calls an object we do not know."""
        func = site.node.func
        applied = self._applied_function(site)
        if applied is not None:
            func = applied
        method = self._method(_receiver_attr(func, site.func, self.ctx)) if not self.selves else None
        frame = self._frame(site)
        callees = [] if self.ctx.is_foreign(site.module) else (
            self.ctx.callables.callees(applied if applied is not None else site.node.func, frame)
            or self.ctx.callees_of_call(site.node, site.func))
        bodies = [c for c in callees if isinstance(getattr(c.func, "body", None), list)]
        if method is not None:  # `self.body(x)` runs this object's class's override
            bodies = [Callee(method, first_param(method), method.name, self.ctx.module_of(method))]  # type: ignore[attr-defined]
        elif isinstance(applied, ast.Name) and applied.id in self.ctx.module_functions:
            bodies = [Callee(self.ctx.module_functions[applied.id], None, applied.id, self.ctx.root)]
        if len(bodies) == 1 and self.ctx.is_shim_function(bodies[0]) and bodies[0].cls is not None:
            return  # a sub-layer's decorated call fills its own store
        # A decorated method of this object runs in this store as a plain helper would (measured: its layers
        # go on counting in the caller's scope).
        if len(bodies) == 1 and self.depth < 8:
            if self._uncertain(site):
                self._opaque(site, prefix, "a helper called " + self._uncertainty(site))
                return
            self.depth += 1
            other = bodies[0].cls is not None and bodies[0].cls is not self.cls
            if other:
                self.instances.append(self._instance(site, prefix))
                self.selves.append(bodies[0].cls)
            bound = isinstance(func, ast.Attribute)
            # The bindings the walk recorded the callee's calls with (see `ModuleContext._call`).
            bindings = bind_call(site.node, bodies[0], frame, bound) if applied is not None else bind_call(
                site.node, bodies[0], frame, callables=self.ctx.callables)
            arguments = self._arguments(site.node, bodies[0], bound)
            traced = self._traces(site, bodies[0], applied)
            if traced and site.reach.tf_function is not None:
                self._opaque(site, prefix, "a `tf.function` entered inside a traced call")
                return
            saved = self.base
            if traced:
                self.base = prefix
            self._block(bodies[0].func.body, () if traced else site.scopes, bodies[0].func, bindings,  # type: ignore[union-attr]
                        arguments)
            self.base = saved
            if other:
                self.selves.pop()
                self.instances.pop()
            self.depth -= 1
            return
        if callees:
            self._opaque(site, prefix, "a call with several possible callees")
            return
        if self._native(func, site.func) or (site.node in self.inline and self._inert(site)):
            return  # a native Keras layer (or its class): its weights are tracked by Keras, not named in the store
        held = self._held(func, site)
        if held is not None:
            key, ctor, names, base = held
            if api.MAKE_TEMPLATE in names:
                self._template_call(site, key, ctor, prefix, key not in self.first_called)
                self.first_called.add(key)
            else:
                self._object_call(site, key, ctor, names, prefix, None, base)
            return
        called = self._self_call(site)
        if called is not None or isinstance(func, ast.Name) and func.id not in _BUILTINS:
            self._opaque(site, prefix, "an object or function the model cannot see")
        elif isinstance(func, ast.Call) and api.GET_OR_CREATE_LAYER not in self.ctx.resolve(func.func, site.func):
            self._opaque(site, prefix, "an object built and called at once")

    def _instance(self, site: CallSite, prefix: str) -> tuple:
        """Which sub-layer object a call runs: `self.<attr>` of the running object, the one
        `get_or_create_layer` keeps under a literal key in this scope, else a new one."""
        _, instance = self._owner()
        func = site.node.func
        attr = _receiver_attr(func, site.func, self.ctx) if isinstance(func, ast.Attribute) else None
        if attr is not None:
            return (*instance, "self", attr)
        if isinstance(func, ast.Call) and api.GET_OR_CREATE_LAYER in self.ctx.resolve(func.func, site.func):
            text = self._text(_argument(func, "name", 0), site)
            if text is not None and text[0] == "str":
                return ("layers", _join(prefix, text[1]))
        self.fresh += 1
        return ("new", self.fresh)

    def _owner(self) -> tuple[ClassInfo, tuple]:
        """The object whose method runs: this one, or the sub-layer whose undecorated call it entered."""
        return (self.selves[-1], self.instances[-1]) if self.selves else (self.cls, ())

    def _inits(self, cls: ClassInfo) -> dict[str, ast.Call]:
        if cls not in self.init_calls:
            self.init_calls[cls] = _init_calls(cls)
        return self.init_calls[cls]

    def _attribute_values(self, cls: ClassInfo) -> dict[tuple[str, bool], list[tuple[ast.expr, Function]] | None]:
        if cls not in self.attribute_values:
            self.attribute_values[cls] = _attribute_values(self.ctx, cls)
        return self.attribute_values[cls]

    def _set_once(self, attr: str, cls: ClassInfo) -> bool:
        """`self.<attr>` is given an object only by its constructor in `__init__` (other values: None)."""
        values = self._attribute_values(cls).get((attr, False))
        return values is not None and sum(not (isinstance(v, ast.Constant) and v.value is None) for v, _ in values) == 1

    def _held(self, expr: ast.expr, site: CallSite) -> tuple[tuple, ast.Call, tuple[str, ...], str | None] | None:
        """The one template or v1 layer object ``expr`` holds: a module-level template, or `self.<attr>` set to
        one `make_template(...)` / v1 layer constructor (and otherwise only to None) in the class's methods,
        directly or through one item of a dict cache (`self.c["k"]`, every item of it set and read by that
        literal key). (key, the constructor call, its canonical names, a v1 subclass' name base)."""
        shared = self.ctx.shared_template(site)
        if shared is not None:
            return ("template", id(shared)), shared, (api.MAKE_TEMPLATE,), None
        owner, instance = self._owner()
        attr = _receiver_attr(expr, site.func, self.ctx)
        values = self._attribute_values(owner).get((attr, False)) if attr is not None else None
        key: tuple = (*instance, "self", attr)
        if values and len(values) == 1 or values and all(_is_none(v) for v, _ in values[1:]):
            # `self.x = self.c["k"]`: the item the cache holds
            first, method = values[0]
            if isinstance(first, ast.Subscript) and _literal(first.slice) is not _NOT_LITERAL:
                cache = _receiver_attr(first.value, method, self.ctx)
                items = self._attribute_values(owner).get((cache, True)) if cache is not None else None
                if items is not None and self._one_key(owner, cache, _literal(first.slice)):  # type: ignore[arg-type]
                    values, key = items, (*instance, "item", cache)
        made = [(v, f) for v, f in values or () if isinstance(v, ast.Call)]
        if not values or len(made) != 1 or any(not isinstance(v, ast.Call) and not _is_none(v) for v, _ in values):
            return None
        ctor, where = made[0]
        names = self.ctx.module_of(where).names.resolve(ctor.func, where)
        if api.MAKE_TEMPLATE in names:
            return key, ctor, names, None
        v1 = self._v1_object(ctor, where, None)
        return (key, ctor, v1[0], v1[1]) if v1 is not None else None

    def _one_key(self, cls: ClassInfo, cache: str, key: object) -> bool:
        """Every subscript of `self.<cache>` in the class's methods uses the literal ``key``."""
        for klass in self.ctx.mro(cls):
            for method in klass.methods.values():
                receiver = first_param(method)
                for node in ast.walk(method):
                    if isinstance(node, ast.Subscript) and is_self_attr(node.value, receiver) and \
                            node.value.attr == cache and _literal(node.slice) != key:  # type: ignore[attr-defined]
                        return False
        return True

    def _template_call(self, site: CallSite, key: tuple, ctor: ast.Call, prefix: str, first: bool) -> None:
        """A template's call: the first opens `variable_scope(None, default_name=<its name>)` around its function
        (measured), later ones reuse what it made. Known for a module function whose body is straight-line
        code creating only `get_variable`s with literal names."""
        if not first:
            return
        if self._uncertain(site) or UNKNOWN in prefix or self._traced(site):
            self._opaque(site, prefix, "a template called " + (
                "inside a `tf.function`" if self._traced(site) else self._uncertainty(site)))
            return
        module = site.module or self.ctx.root
        text = self._text(_argument(ctor, "name_", 0), site)
        function = _argument(ctor, "func_", 1)
        body = module.module_functions.get(function.id) if isinstance(function, ast.Name) else None
        variables = _template_variables(body, module) if body is not None and not _opaque(ctor) and len(
            ctor.args) <= 2 and all(k.arg in ("name_", "func_") for k in ctor.keywords) else None
        if text is None or text[0] != "str" or not text[1] or variables is None:
            self._opaque(site, prefix, "a template whose name or variables are not known")
            return
        name = self.counts.unique(prefix, text[1])
        if name == UNKNOWN:
            self._add(site, api.MAKE_TEMPLATE, _join(prefix, UNKNOWN), [], site.node, True, None)
            return
        scope = _join(prefix, name)
        self.counts.open(scope)
        self._add(site, api.MAKE_TEMPLATE, scope, [Variable(_join(scope, v), shape) for v, shape in variables],
                  ctor, True, None, skip_first=False)

    def _inert(self, site: CallSite) -> bool:
        """`Sub()` of `Sub()(x)`: a project class whose construction runs no call but `super().__init__(...)` and
        library calls that create nothing (its call is followed where it is called)."""
        module, func = site.module or self.ctx.root, site.node.func
        if not isinstance(func, ast.Name) or module.names.is_local(func.id, site.func):
            return False
        cls = module.class_by_name.get(func.id)
        return cls is not None and self._inert_class(cls)

    def _inert_class(self, cls: ClassInfo) -> bool:
        for klass in self.ctx.mro(cls):
            init = klass.methods.get("__init__")
            for call in klass.module.own_calls(init) if init is not None else ():
                names = klass.module.names.resolve(call.func, init)
                if not (_super_init(call) or names and all(api.is_library_name(n) for n in names) and (
                        not _creates(names) or _object_class(names))):
                    return False
        return True

    def _native(self, expr: ast.expr, func: Function, depth: int = 0) -> bool:
        """``expr`` holds a native Keras layer or layer class (or None) wherever it is set: built and called, it
        names nothing in the store. `self.<attr>` and `self.<attr>[key]` are read from every assignment in the
        class; a local from every constructor the walk saw assigned to it in ``func``."""
        if depth > 3:
            return False
        if isinstance(expr, ast.Constant) and expr.value is None:
            return True
        if isinstance(expr, ast.Call):
            return self._native(expr.func, func, depth + 1) or _native_class(self.ctx.resolve(expr.func, func))
        if isinstance(expr, ast.Name):
            built = [s for sites in self.by_node.values() for s in sites if s.func is func and s.target == ("local", expr.id)]
            return bool(built) and all(_native_class(s.names) for s in built) and not _rebound(func, expr.id, len(built))
        owner, _ = self._owner()
        item = isinstance(expr, ast.Subscript)
        attr = _receiver_attr(expr.value if item else expr, func, self.ctx)  # type: ignore[union-attr]
        if attr is None:
            return False
        held = owner.attr_classes.get(attr)
        if held and not item:
            return _native_class(held)
        values = self._attribute_values(owner).get((attr, item))
        return values is not None and bool(values) and all(self._native(v, f, depth + 1) for v, f in values)


class _Frame(NamedTuple):
    """What `CallableValues` reads of a walk frame."""

    func: Function
    self_name: str | None
    reach: Reach
    module: ModuleSummary
    bindings: tuple = ()


_PARTIAL = "functools.partial"
_UNMODELLED = {
    api.MAKE_TEMPLATE: "a `make_template` template",
    api.GET_OR_CREATE_LAYER: "a `get_or_create_layer` builder",
}
_KERAS_METHODS = frozenset({"add_weight", "add_loss", "add_metric", "add_update", "add_variable"})
_BUILTINS = frozenset(dir(builtins))


def _creates(names: tuple[str, ...]) -> bool:
    """A call that makes store variables (or may: templates, builders, cells, class layers)."""
    return any(api.auto_named_creator(n) or n in (api.GET_VARIABLE, api.MAKE_TEMPLATE, api.GET_OR_CREATE_LAYER)
               or api.v1_rnn_cell_base_name(n) or n in api.SLIM_VARIABLES for n in names)


def _template_variables(func: Function, module: ModuleSummary) -> list[tuple[str, Shape | None]] | None:
    """The `get_variable`s a template function's straight-line body makes (name, shape), or None when it may
    make anything else, branch, loop or open scopes."""
    found: list[tuple[str, Shape | None]] = []
    if not all(isinstance(s, (ast.Assign, ast.Expr, ast.Return)) for s in func.body):  # type: ignore[union-attr]
        return None
    for call in evaluation_order(func.body):  # type: ignore[union-attr]
        names = module.names.resolve(call.func, func)
        if names == (api.GET_VARIABLE,):
            name = _literal(_argument(call, "name", 0))
            if not isinstance(name, str) or not name or _opaque(call):
                return None
            shape = _literal(_argument(call, "shape", 1))
            found.append((name, tuple(d if isinstance(d, int) else None for d in shape)
                          if isinstance(shape, (list, tuple)) else None))
        elif not names or not all(api.is_library_name(n) for n in names) or _creates(names) or api.VARIABLE_SCOPE in names:
            return None
    return found


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _object_class(names: tuple[str, ...]) -> bool:
    """A v1 layer or cell class, or `make_template`: built, it creates nothing until it is called."""
    return all(api.is_v1_layer_class(n) or api.v1_rnn_cell_base_name(n) or n == api.MAKE_TEMPLATE for n in names)


def _super_init(call: ast.Call) -> bool:
    """`super().__init__(...)` (or its `super()`)."""
    func = call.func
    return isinstance(func, ast.Name) and func.id == "super" and not call.args or (isinstance(func, ast.Attribute) and func.attr == "__init__" and isinstance(func.value, ast.Call)
            and isinstance(func.value.func, ast.Name) and func.value.func.id == "super")


def _native_class(names: tuple[str, ...]) -> bool:
    """Canonical names of a native Keras layer class (tf-keras' `tf.keras.layers.Dense`), not a v1 one."""
    return bool(names) and all(
        n.startswith(("tf.keras.layers.", "keras.layers.")) and n.rsplit(".", 1)[-1][:1].isupper()
        and not api.is_v1_layer_class(n) and not _creates((n,)) for n in names)


def _receiver_attr(expr: ast.expr, func: Function, ctx: ModuleContext) -> str | None:
    """`self.<attr>` in a method of a class: attr (the receiver is the method's first parameter)."""
    method = func
    while method is not None and ctx.owner.get(method) is None:
        method = ctx.parent_function.get(method)
    owner = ctx.owner.get(method) if method is not None else None
    if owner is None or getattr(method, "name", None) not in owner.methods or is_static(method):  # type: ignore[arg-type]
        return None
    return expr.attr if is_self_attr(expr, first_param(method)) else None  # type: ignore[union-attr]


def _attribute_values(ctx: ModuleContext, cls: ClassInfo) -> dict[tuple[str, bool], list[tuple[ast.expr, Function]] | None]:
    """Every value the class's methods (along its MRO) give `self.<attr>` ((attr, False)) or an item of it
    ((attr, True); an assigned dict literal's values too); None for an attribute also set some other way."""
    found: dict[tuple[str, bool], list[tuple[ast.expr, Function]] | None] = {}

    def add(key: tuple[str, bool], value: ast.expr | None, method: Function) -> None:
        if value is None or found.get(key, []) is None:
            found[key] = None
        else:
            found.setdefault(key, []).append((value, method))  # type: ignore[union-attr]

    for klass in ctx.mro(cls):
        for method in klass.methods.values():
            receiver = None if is_static(method) else first_param(method)
            for node in ast.walk(method):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                    node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.NamedExpr)) else [node.optional_vars] if (
                    isinstance(node, ast.withitem) and node.optional_vars is not None) else []
                value = node.value if isinstance(node, (ast.Assign, ast.AnnAssign)) else None
                for target in targets:
                    for part in ast.walk(target):
                        plain = is_self_attr(part, receiver)
                        item = isinstance(part, ast.Subscript) and is_self_attr(part.value, receiver)
                        if not (plain or item):
                            continue
                        attr = part.attr if plain else part.value.attr  # type: ignore[union-attr]
                        direct = value if part is target else None
                        add((attr, item), direct, method)
                        if plain and isinstance(direct, ast.Dict):
                            for entry in direct.values:
                                add((attr, True), entry, method)
    return found


def _rebound(func: Function, name: str, constructed: int) -> bool:
    """``name`` is assigned in ``func`` other than by the ``constructed`` constructor calls the walk saw."""
    bound = 0
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound += 1
        elif isinstance(node, ast.arg) and node.arg == name:
            return True
    return bound != constructed


def _init_calls(cls: ClassInfo) -> dict[str, ast.Call]:
    """``self.x = Ctor(...)`` in ``__init__``: attribute -> the constructor call."""
    ctors = cls.attr_ctors
    calls: dict[str, ast.Call] = {}
    init = cls.methods.get("__init__")
    if init is None or not ctors:
        return calls
    wanted = {id(expr): attr for attr, expr in ctors.items()}
    for node in ast.walk(init):
        if isinstance(node, ast.Call) and id(node.func) in wanted:
            calls[wanted[id(node.func)]] = node
    return calls


def _suffixes(spec: tuple[table.Var, ...], call: ast.Call) -> list[str] | None:
    """The variables a layer call creates, or None when a switch is not a literal."""
    found = []
    for var in spec:
        if var.switch is not None:
            node = _argument(call, var.switch[0], None)
            value = var.switch[1] if node is None else _literal(node)
            if value is _NOT_LITERAL or _opaque(call):
                return None
            if not value:
                continue
        found.append(var.suffix)
    return found


def _shapes(spec: tuple[table.Var, ...], call: ast.Call, base: str | None) -> dict[str, Shape]:
    """Shapes that follow from literal arguments of a functional v1 layer."""
    if base is None or base not in table.UNITS:
        return {}
    keyword, position = table.UNITS[base]
    units = _literal(_argument(call, keyword, position))
    if not isinstance(units, int) or isinstance(units, bool):
        return {}
    shapes: dict[str, Shape] = {}
    for var in spec:
        if var.shape == "units":
            shapes[var.suffix] = (units,)
        elif var.shape == "kernel" and base == "dense":
            shapes[var.suffix] = (None, units)
        elif var.shape == "kernel" and base in table.CONV_RANK:
            size = _literal(_argument(call, *table.KERNEL_SIZE))
            rank = table.CONV_RANK[base]
            if isinstance(size, int) and not isinstance(size, bool):
                size = (size,) * rank
            if isinstance(size, tuple) and len(size) == rank and all(isinstance(s, int) for s in size):
                shapes[var.suffix] = (*size, None, units)
    return shapes


def _grouped(ctx: ModuleContext) -> dict[tuple[str, int], tuple[ast.AST, ClassInfo, list[CallSite]]]:
    """Sites by the shim method and the class whose call they run in (`Class.method`: the walk's start; a
    sub-layer's call it enters has another `reach.cls`, but runs in the starting object's store)."""
    grouped: dict[tuple[str, int], list[CallSite]] = {}
    starts: dict[tuple[str, int], tuple[ast.AST, ClassInfo]] = {}
    for site in ctx.sites:
        cls = ctx.class_by_name.get(site.reach.shim_name.rsplit(".", 1)[0])
        if cls is None or cls.module is not ctx.root:
            continue
        key = (site.reach.shim_name, id(site.reach.shim))
        grouped.setdefault(key, []).append(site)
        starts[key] = (site.reach.shim, cls)
    return {key: (shim, cls, grouped[key]) for key, (shim, cls) in starts.items()}


def class_variables(ctx: ModuleContext) -> list[ClassVariables]:
    """The model for every shim-decorated method of a class written in the linted module."""
    cached = getattr(ctx, "_class_variables", None)
    if cached is not None:
        return cached
    found = [_ClassModel(ctx, shim, cls, sites).run() for shim, cls, sites in _grouped(ctx).values()]
    found.sort(key=lambda c: (c.cls.node.lineno, c.qualname))
    ctx._class_variables = found  # type: ignore[attr-defined]
    return found


def with_pinned(ctx: ModuleContext, model: ClassVariables, pinned: dict[ast.Call, str]) -> ClassVariables:
    """The model of ``model``'s method again, with some calls given a name (what a fix would write)."""
    for shim, cls, sites in _grouped(ctx).values():
        if cls is model.cls and f"{cls.name}.{getattr(shim, 'name', '?')}" == model.qualname:
            return _ClassModel(ctx, shim, cls, sites, pinned).run()
    return model
