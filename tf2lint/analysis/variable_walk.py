"""Runs one shim method's first call over the shim walk's sites, in evaluation order: statements, unrolled loops,
decided branches, helpers and callable values followed with the walk's frame, sub-layers' undecorated calls."""

from __future__ import annotations

import ast

from tf2lint.analysis.arg_scopes import names_unchanged, supplied
from tf2lint.analysis.body import name_stores, same_block
from tf2lint.analysis.callables import merged_call
from tf2lint.analysis.callees import traced_by
from tf2lint.analysis.context import Callee, CallSite, ModuleContext, VarScope, bind_call
from tf2lint.analysis.creators import Creators
from tf2lint.analysis.held_objects import (
    HeldItem, HeldObjects, held_items, init_calls, rebound, receiver_attr, sequential_of_one,
)
from tf2lint.analysis.names import PARTIAL, PYTHON_BUILTINS, Function, evaluation_order
from tf2lint.analysis.scope_names import (
    ScopeCounts, creates_variables, known_literal, layer_suffixes, literal_value, loop_values, spread_arguments,
    weightless_layer,
)
from tf2lint.analysis.sites import Frame
from tf2lint.analysis.summary import FUNCTION_DEFS, ClassInfo, first_param
from tf2lint.analysis.values import decided_branch, formatted_text, known_scalar, literal_value as bound_value
from tf2lint.analysis.variable_model import ClassVariables, Creation
from tf2lint.knowledge import api
from tf2lint.knowledge import variables as table
from tf2lint.knowledge.variables import UNKNOWN


class ClassModel(Creators, HeldObjects):
    """Runs one shim method's first call over the walk's sites, in evaluation order."""

    def __init__(self, ctx: ModuleContext, shim: ast.AST, cls: ClassInfo, sites: list[CallSite],
                 pinned: dict[ast.Call, str] | None = None,
                 recorded: dict[ast.stmt, tuple[str, ...]] | None = None,
                 native: frozenset[ast.Call] = frozenset()) -> None:
        """``pinned``: names given to calls as a fix would (`name="dense_1"`); ``recorded``: statements before
        which a fix would open empty `variable_scope`s (the guide's `record_scope`), by full name, in order;
        ``native``: calls a migration turns into native Keras layers (which open no variable scope): to see
        what the fix makes."""
        self.ctx, self.shim, self.cls = ctx, shim, cls
        self.pinned = pinned or {}
        self.recorded = recorded or {}
        self.native = native
        self.by_node: dict[ast.Call, list[CallSite]] = {}
        self.inline: dict[ast.Call, ast.Call] = {}  # `Ctor(...)` -> the call `Ctor(...)(x)` that calls it at once
        for site in sites:
            self.by_node.setdefault(site.node, []).append(site)
            if isinstance(site.node.func, ast.Call):
                self.inline[site.node.func] = site.node
        self.counts = ScopeCounts()
        self.scope_names: dict[ast.Call, str] = {}  # a variable_scope call -> the full name it opened
        # Layer objects and templates already called (named at their first call): attribute names and keys
        # (`("self", attr)`, `("local", id(function), name)`, `("inline", id(call))`, under a sub-layer's key).
        self.first_called: set[object] = set()
        self.result = ClassVariables(f"{cls.name}.{getattr(shim, 'name', '?')}", cls, method=shim)
        self.init_ctors = init_calls(cls)
        self.depth = 0
        self.visited: set[ast.Call] = set()
        # The walk records a traced helper's calls with the scopes opened inside it only; measured, the caller's
        # scopes carry into the trace: the caller's prefix, while running one.
        self.base = ""
        self.locals: dict[str, int | str | tuple] = {}  # literal locals of the function being run (lists as tuples)
        self.decided: set[int] = set()  # ids of the `if`s whose branch this path runs is decided
        self.unrolled = 0  # inside a loop this run unrolls
        self.flat_loops = 0  # inside a loop it does not (its calls may run any number of times)
        self.attribute_values: dict[ClassInfo, dict[tuple[str, bool], list[tuple[ast.expr, Function]] | None]] = {}
        self.selves: list[ClassInfo] = []  # sub-layers whose `call` is being followed (their `self` is not ours)
        self.instances: list[tuple] = []  # which object each of ``selves`` is (keys of `first_called`)
        self.fresh = 0  # objects built where they are called: each is new
        self.init_calls: dict[ClassInfo, dict[str, ast.Call]] = {cls: self.init_ctors}
        self.reentered: dict[ast.Call, tuple[dict[str, int], set[str]]] = {}  # `variable_scope(<scope object>)`
        # The simple statement of the shim method being run, when it is one (not a helper's: a fix written
        # there would rename what the helper makes for its other callers too).
        self.statement: ast.stmt | None = None
        self.lambda_holder: dict[ast.Lambda, Function] = {}  # a closure lambda run -> the function that called it
        # (id of a function, a loop variable) -> the held sub-layer an unrolled loop over a list binds it to
        self.loop_items: dict[tuple[int, str], HeldItem] = {}

    def run(self) -> ClassVariables:
        body = getattr(self.shim, "body", [])
        self._block(body, (), self.shim)
        # A creating call the walk reached but this run did not (a callee it could not pair with its call, such
        # as `tf.function(self._block)(x)`): something was made that the model cannot place.
        for node, sites in self.by_node.items():
            if node not in self.visited and any(creates_variables(s.names) for s in sites):
                self._why(node, "a creating call reached on a path the model cannot follow call by call")
                self._add(sites[0], sites[0].names[0], UNKNOWN, [], node, False, None)
        for attr, call in self.init_ctors.items():
            kind = next((n for n in self.cls.attr_types.get(attr, ())
                         if n.startswith(("tf.keras.layers.", "keras.layers."))), None)
            if kind and attr in self.first_called and kind.rsplit(".", 1)[-1] not in api.STATELESS_KERAS_LAYERS:
                spec = table.KERAS_LAYERS.get(kind.rsplit(".", 1)[-1])
                suffixes = layer_suffixes(spec, call) if spec is not None else None
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
        for full in self.recorded.get(statement, ()):  # `with variable_scope("<name>"): pass` written before it
            self.counts.open(full)
        if isinstance(statement, ast.With):
            self._calls([item.context_expr for item in statement.items], outer, func, bindings)
            for inner in statement.body:
                self._statement(inner, outer, func, bindings)
            for item in reversed(statement.items):
                saved = self.reentered.pop(item.context_expr, None)  # type: ignore[call-overload]
                if saved is not None:  # leaving a re-entered scope object restores the counts it found
                    self.counts.opened, self.counts.unknown = saved
            return
        iterations = loop_values(statement, lambda expr: self._held_items(expr, func) if isinstance(
            expr, ast.Attribute) else self._known(expr, bindings, sequences=True))
        if iterations is not None:
            self.unrolled += 1
            for bound in iterations:
                for name, value in bound.items():
                    known = known_literal(value)
                    if known is not None:
                        self.locals[name] = known
                    else:
                        self.locals.pop(name, None)
                    if isinstance(value, HeldItem):
                        self.loop_items[(id(func), name)] = value
                    else:
                        self.loop_items.pop((id(func), name), None)
                for inner in statement.body:
                    self._statement(inner, outer, func, bindings)
            self.unrolled -= 1
            for name in iterations[0] if iterations else ():
                self.locals.pop(name, None)
                self.loop_items.pop((id(func), name), None)
            return
        decided = decided_branch(statement.test, self._values(bindings)) if isinstance(statement, ast.If) else None
        if decided is not None:  # a constant argument (or an unrolled loop's index) chose the branch
            assert isinstance(statement, ast.If)
            self._calls([statement.test], outer, func, bindings)
            # The walk may not have decided it (it does not unroll loops): its sites there are no alternative.
            fresh = id(statement) not in self.decided
            self.decided.add(id(statement))
            for inner in statement.body if decided else statement.orelse:
                self._statement(inner, outer, func, bindings)
            if fresh:
                self.decided.discard(id(statement))
            return
        looping = isinstance(statement, (ast.For, ast.AsyncFor, ast.While))
        self.flat_loops += looping
        saved, self.statement = self.statement, (
            statement if func is self.shim and not hasattr(statement, "body") else None)
        self._calls([statement], outer, func, bindings)
        self.statement = saved
        self.flat_loops -= looping
        if isinstance(statement, ast.Assign):
            self._assigned(statement)
        else:  # a name bound anywhere else in it (a branch, a loop, `+=`, `:=`) no longer has a known value
            for node in ast.walk(statement):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    self.locals.pop(node.id, None)

    def _values(self, bindings: tuple | None) -> dict:
        """The parameters the path binds, with the function's known locals over them (an unrolled loop's index)."""
        values = dict(bindings or ())
        values.update((name, ("const", value) if isinstance(value, int) else ("str", value))
                      for name, value in self.locals.items() if not isinstance(value, tuple))
        return values

    def _assigned(self, statement: ast.Assign) -> None:
        """`i = 0`, `widths = [4, 8]`: a local whose value later names (f-strings) or loops may use; any other
        assignment forgets it."""
        value = literal_value(statement.value)
        known = known_literal(value)
        for target in statement.targets:
            for name in (n.id for n in ast.walk(target) if isinstance(n, ast.Name)):
                if isinstance(target, ast.Name) and known is not None:
                    self.locals[name] = known
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
        """A name argument's value: ("str", text), ("none",), or None when unknown. Besides literals, known
        locals and parameters, a string built from them as Python builds it (`values.formatted_text`)."""
        formatted = formatted_text(expr, lambda part: self._known(part, site.bindings))
        if formatted is not None:
            return ("str", formatted)
        if isinstance(expr, ast.Name) and isinstance(self.locals.get(expr.id), str):
            return ("str", self.locals[expr.id])
        return site.value(expr)

    def _known(self, expr: ast.expr, bindings: tuple | None, sequences: bool = False) -> int | str | tuple | None:
        """An int or a str known here: a literal, a known local, a parameter the path binds (``bindings``); with
        ``sequences``, also a known local list of them (a list argument, as a tuple)."""
        if isinstance(expr, ast.Name) and expr.id in self.locals:
            value = self.locals[expr.id]
            return value if sequences or not isinstance(value, tuple) else None
        return known_scalar(bound_value(expr, dict(bindings or ())))

    def _held_items(self, expr: ast.expr, func: ast.AST) -> tuple[HeldItem, ...] | None:
        """`self.<attr>` holding a list of sub-layers of a known length, for a loop over it (`held_items`)."""
        attr = receiver_attr(expr, self._holder(func), self.ctx)  # type: ignore[arg-type]
        return held_items(self._owner()[0], attr) if attr is not None else None

    def _may_create(self, call: ast.Call, func: ast.AST) -> bool:
        names = self.ctx.resolve(call.func, func)
        if names:
            return creates_variables(names) or not all(api.is_library_name(n) for n in names)
        target = call.func
        return isinstance(target, ast.Call) or isinstance(target, ast.Name) and target.id not in PYTHON_BUILTINS or (
            receiver_attr(target, self._holder(func), self.ctx) is not None)

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
        arms = any(arm[0] not in self.decided for arm in site.arms)
        return bool(looped or arms or site.guarded or self._arg_scope_change(site))

    def _arg_scope_change(self, site: CallSite) -> str | None:
        """Why the `slim.arg_scope`s around ``site`` may change its name (see `arg_scopes`), or None."""
        return names_unchanged(self.ctx, site) if site.arg_scopes else None

    def _supplied(self, site: CallSite) -> dict[str, ast.expr]:
        """What the `slim.arg_scope`s around ``site`` supply to it (variable switches: `biases_initializer=`)."""
        given = supplied(self.ctx, site) if site.arg_scopes else {}
        return given if isinstance(given, dict) else {}

    def _traced(self, site: CallSite) -> bool:
        """Runs inside a `tf.function` other than one stacked under the shim decorator (which traces the whole
        method in a fresh graph, as an eager first call counts). Measured: the caller's scopes carry into the
        trace and explicit names keep, but an auto-name is asked for again by the second trace of the first
        call: auto-names there are unknown."""
        return site.reach.tf_function is not None and site.reach.tf_function not in getattr(
            self.shim, "decorator_list", ())

    def _site_event(self, site: CallSite) -> None:
        if site.node in self.native:
            return
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
        weightless = next((n for n in names if weightless_layer(n)), None)
        if weightless is not None:
            self._weightless(site, weightless, prefix)
            return
        creator = next((n for n in names if creates_variables((n,))), None)
        if creator is not None:
            self._create(site, creator, prefix)
            return
        attr = self._self_call(site)
        owner, instance = self._owner()
        inits = self._inits(owner)
        if attr is not None and sequential_of_one(owner, attr):
            # Measured: a `tf.keras.Sequential`'s first call builds it by running its layers once more, in the same
            # store and scope (`dense`, then `dense_1`); later calls run them once.
            key = (*instance, "self", attr)
            runs = 1 if key in self.first_called else 2
            self.first_called.add(key)
            for _run in range(runs):
                self._follow(site, prefix)
            return
        if attr is not None and attr in inits and self._set_once(attr, owner):
            # An object built once in `__init__` (of this object, or of a sub-layer whose call runs here).
            init = owner.methods["__init__"]
            types, base = self._v1_object(inits[attr], init, owner.module) or (owner.attr_types.get(attr, ()), None)
            self._object_call(site, (*instance, "self", attr), inits[attr], types, prefix,
                              None if self.selves else attr, base)
            return
        if any(n.startswith("tf.compat.v1.nn.") and "rnn" in n for n in names):
            # Cells name their variables in scopes of their own, when a driver (or a direct call) runs them.
            cell = any(".rnn_cell." in n for n in names)
            self._opaque(site, prefix, "an RNN cell (it names its variables where it runs)" if cell else
                         "an RNN driver (`dynamic_rnn` and kin)")
            return
        local = self._local_object(site)
        if local is not None:
            types, base = self._v1_object(local.node, local.func, local.module) or (local.names, None)
            self._object_call(site, ("local", id(site.func), local.target[1]), local.node, types, prefix, None, base)
            return
        if attr in _KERAS_METHODS or names == (PARTIAL,):
            return  # Keras' own weights and losses: not the shim's store; a partial runs nothing until called
        if names and any(n.startswith("slim.") for n in names) and api.creates_tf1_variables(names[0]):
            self._opaque(site, prefix, "a TF-Slim creator whose names are not modelled")
            return
        if not names or any(not api.is_library_name(n) for n in names):  # a project function (of any module)
            self._follow(site, prefix)

    def _local_object(self, site: CallSite) -> CallSite | None:
        """`k = Ctor(...)` earlier in the same function, for a call `k(x)`: the one constructor site."""
        func = site.node.func
        if not isinstance(func, ast.Name):
            return None
        found = [sites[0] for sites in self.by_node.values() if any(
                 s.func is site.func and s.target == ("local", func.id) and s.names != (PARTIAL,)
                 and (s.names or self._v1_object(s.node, s.func, s.module) is not None) for s in sites)]
        if len(found) == 1:
            return found[0] if found[0].node.lineno <= site.node.lineno else None
        # Built in several places: the last construction before the call, when it runs just before it, in the
        # same statement list, and nothing else binds the name (`fc = Dense(...); fc(x); ...; fc = Dense(...)`).
        called_at = (site.node.lineno, site.node.col_offset)
        before = [s for s in found if (s.node.lineno, s.node.col_offset) < called_at]
        if not before or rebound(site.func, func.id, len(found)):
            return None
        last = max(before, key=lambda s: (s.node.lineno, s.node.col_offset))
        return last if same_block(site.func, last.node, site.node) else None

    def _traces(self, site: CallSite, callee: Callee, applied: ast.expr | None) -> bool:
        """The call enters a `tf.function` (applied here, held by a local, or decorating the callee) the caller was
        not in."""
        return applied is not None or traced_by(callee) is not None

    def _applied_function(self, site: CallSite) -> ast.expr | None:
        """`tf.function(self._block)(x)`: the function applied (`self._block`), else None."""
        func = site.node.func
        if isinstance(func, ast.Call) and func.args and api.TF_FUNCTION in self.ctx.resolve(func.func, site.func):
            return func.args[0]
        return None

    def _arguments(self, call: ast.Call, callee: Callee, bound: bool) -> dict[str, int | str | tuple]:
        """The callee's parameters given a literal or a known local by this call (`block(x, i=i)`), a list of
        strings or numbers as a tuple; a partial's arguments, written elsewhere, only by their literals."""
        args = getattr(callee.func, "args", None)
        merged = merged_call(call, callee)
        if args is None or spread_arguments(merged):
            return {}
        positional = [p.arg for p in [*args.posonlyargs, *args.args]]
        if callee.self_name is not None and positional and (bound if callee.bound is None else callee.bound):
            positional = positional[1:]
        own = {id(a) for a in call.args} | {id(k.value) for k in call.keywords}
        found: dict[str, int | str | tuple] = {}
        for name, expr in [*zip(positional, merged.args), *((k.arg, k.value) for k in merged.keywords)]:
            value = self.locals.get(expr.id) if isinstance(expr, ast.Name) and id(expr) in own else literal_value(expr)
            known = known_literal(value)
            if known is not None:
                found[name] = known
        return found

    def _method(self, name: str | None) -> ast.AST | None:
        """`self.<name>` as this class runs it: the first definition along its MRO (a subclass's override)."""
        if name is None:
            return None
        for cls in self.ctx.mro(self.cls):
            if name in cls.methods:
                return cls.methods[name]
        return None

    def _closure(self, callee: Callee, site: CallSite) -> bool:
        """A lambda written in the function that calls it (it reads that function's locals as they are now)."""
        func, holder = callee.func, site.func
        return isinstance(func, ast.Lambda) and callee.module is (site.module or self.ctx.root) and not isinstance(
            holder, ast.Lambda) and holder.lineno <= func.lineno <= (holder.end_lineno or 0)  # type: ignore[union-attr]

    def _holder(self, func: Function) -> Function:
        """The function whose `self` a body sees: a closure lambda's is the function that called it."""
        return self.lambda_holder.get(func, func)  # type: ignore[arg-type]

    def _frame(self, site: CallSite) -> Frame:
        """The walk's frame of the function holding ``site``, to resolve callable values as it did."""
        holder = self._holder(site.func)
        owner = self.ctx.owner.get(holder)
        self_name = first_param(holder) if owner is not None and not isinstance(holder, ast.Lambda) else None
        return Frame(site.func, self_name, site.reach, site.module or self.ctx.root, site.bindings)

    def _self_call(self, site: CallSite) -> str | None:
        """`<receiver>.<attr>(...)`, the receiver being the first parameter of the method holding it: attr."""
        return receiver_attr(site.node.func, self._holder(site.func), self.ctx)

    def _mapped_once(self, site: CallSite) -> ast.expr | None:
        """`map(f, [x])` (a literal of at most one item): `f`, which the walk entered once without arguments."""
        call = site.node
        if not (isinstance(call.func, ast.Name) and call.func.id == "map" and not site.names and len(call.args) == 2
                and not call.keywords and isinstance(call.args[1], (ast.List, ast.Tuple))
                and len(call.args[1].elts) <= 1):
            return None
        module = site.module or self.ctx.root
        return None if module.names.is_local("map", site.func) else call.args[0]

    def _follow(self, site: CallSite, prefix: str) -> None:
        """A call with no library name: a project function or method the walk entered, else nothing it
        could create (a tensor method, a builtin) unless it calls an object we do not know."""
        func = site.node.func
        applied = self._applied_function(site)
        mapped = self._mapped_once(site)
        if applied is not None or mapped is not None:
            func = applied or mapped  # type: ignore[assignment]
        method = self._method(receiver_attr(func, self._holder(site.func), self.ctx)) if not self.selves else None
        frame = self._frame(site)
        # In a helper module, only what its own names resolve to (`callees_of_call` reads the linted module's).
        foreign = self.ctx.is_foreign(site.module)
        callees = self.ctx.callables.callees(func, frame) or (
            self.ctx.callees_of_call(site.node, site.func) if mapped is None and not foreign else [])
        bodies = [c for c in callees if isinstance(getattr(c.func, "body", None), list) or self._closure(c, site)]
        if method is not None:  # `self.body(x)` runs this object's class's override
            bodies = [Callee(method, first_param(method), method.name, self.ctx.module_of(method))]  # type: ignore[attr-defined]
        elif isinstance(applied, ast.Name) and not foreign and applied.id in self.ctx.module_functions:
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
            # The bindings the walk recorded the callee's calls with (see `ModuleContext._call`): none through `map`.
            bindings = () if mapped is not None else bind_call(site.node, bodies[0], frame, bound) if (
                applied is not None) else bind_call(site.node, bodies[0], frame, callables=self.ctx.callables)
            arguments = {} if mapped is not None else self._arguments(site.node, bodies[0], bound)
            if self.ctx.parent_function.get(bodies[0].func) is site.func and isinstance(bodies[0].func, FUNCTION_DEFS):
                # A closure of the running function reads its locals as they are when it is called.
                own = {n.id for n in name_stores(bodies[0].func)} | {
                    a.arg for a in ast.walk(bodies[0].func.args) if isinstance(a, ast.arg)}
                arguments = {**{k: v for k, v in self.locals.items() if k not in own}, **arguments}
            traced = self._traces(site, bodies[0], applied)
            if traced and site.reach.tf_function is not None:
                self._opaque(site, prefix, "a `tf.function` entered inside a traced call")
                return
            saved = self.base
            if traced:
                self.base = prefix
            if isinstance(bodies[0].func, ast.Lambda):  # its body sees the caller's locals (a closure)
                self.lambda_holder[bodies[0].func] = self._holder(site.func)
                saved_locals, self.locals = self.locals, {**self.locals, **arguments}
                self._calls([bodies[0].func.body], () if traced else site.scopes, bodies[0].func, bindings)
                self.locals = saved_locals
            else:
                self._block(bodies[0].func.body, () if traced else site.scopes, bodies[0].func,  # type: ignore[union-attr]
                            bindings, arguments)
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
        if called is not None or isinstance(func, ast.Name) and func.id not in PYTHON_BUILTINS or any(
                not api.is_library_name(n) for n in site.names):
            self._opaque(site, prefix, "an object or function the model cannot see")
        elif isinstance(func, ast.Call) and api.GET_OR_CREATE_LAYER not in self.ctx.resolve(func.func, site.func):
            self._opaque(site, prefix, "an object built and called at once")


_KERAS_METHODS = frozenset({"add_weight", "add_loss", "add_metric", "add_update", "add_variable"})
