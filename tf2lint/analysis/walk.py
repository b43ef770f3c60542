"""The stateful shim walk: every call reached from a shim method, across the project's modules.

Code is "in a shim context" when it runs inside a method decorated with the shim
(``track_tf1_style_variables``): the method's own body and whatever it reaches — methods called on
``self`` (through base classes, also in other modules, ``super()`` and a subclass's overrides),
module-level functions, nested functions, and functions imported from the project's other modules.
Each reached call is recorded once per distinct state with the ``variable_scope`` stack of its call
path, the values its parameters were given, whether a create-once guard protects it, and the
``tf.function`` it runs inside, if any. Rules read these records; they never walk the tree again.

A call in another module is *anchored* at the call in the linted module where its path left the file:
findings are reported there, so every per-file host shows them where the user is.
"""

from __future__ import annotations

import ast
from collections import deque
from dataclasses import replace
from typing import NamedTuple

from tf2lint.analysis.callables import Callee
from tf2lint.analysis.callees import CallResolver, mapped_function, traced_by
from tf2lint.analysis.callers import calls_of_held, module_callers, named_elsewhere, only_an_attribute, tracing_holders
from tf2lint.analysis.classes import ENTRY_METHODS, ENTRY_NAMES, ClassModel, is_shim_function
from tf2lint.analysis.modules import EnteredModules
from tf2lint.analysis.names import Function, walk_expr
from tf2lint.analysis.scope_names import argument_of, spread_arguments
from tf2lint.analysis.sites import CallSite, Frame, Reach, TfFunctionUse, VarScope
from tf2lint.analysis.summary import FUNCTION_DEFS, ClassInfo, FunctionDef, ModuleSummary, first_param, is_self_attr, is_static
from tf2lint.analysis.templates import Templates, TemplateRun
from tf2lint.analysis.values import Value, bind_call, bindings_from_callers, decided_branch, literal_value, naming_defaults
from tf2lint.knowledge import api


class _State(NamedTuple):
    scopes: tuple[VarScope, ...] = ()
    guarded: bool = False
    once: bool = False  # in the block of a guard that sets the attribute it tests (`_sets_its_guard`)
    in_loop: bool = False
    loop_scopes: int = 0  # how many of ``scopes`` were open when the innermost loop started
    object_loop: bool = False
    arms: tuple[tuple[int, int], ...] = ()
    arg_scopes: tuple[ast.Call, ...] = ()
    # `for stage in [self._a, self._b]: stage(x)`: the loop variable, and the state before the loop. Each
    # iteration calls a different function, so what the callee runs is not repeated by this loop.
    item: tuple[str, _State] | None = None
    # The construction that built `self` on this run of the caller (`Sub()(x)`): its guards hold per object only.
    fresh: ast.Call | None = None
    # That construction, when the create-once guards around the code are all on such an object: on the next call,
    # a new object runs the guarded block again.
    fresh_guard: ast.Call | None = None
    # `self` is another object in each iteration of the innermost loop: built there (`for ...: Sub()(x)`), or the
    # next of a list's objects (`for block in self.blocks: block(x)`).
    new_each_iteration: bool = False
    # The arms of the create-once guards around the code, when every such guard is on such an object: each
    # iteration runs the guarded block again (on its first call, for a list's objects).
    iteration_guards: tuple[tuple[int, int], ...] = ()


class ShimWalk:
    """The walk's records (``sites``, ``tf_functions``, ``reached``) and the walk that fills them."""

    def __init__(self, modules: EnteredModules, classes: ClassModel, resolver: CallResolver) -> None:
        self._modules = modules
        self._classes = classes
        self._resolver = resolver
        self.callables = resolver.callables
        self.sites: list[CallSite] = []
        # Calls in the functions of templates that shim code calls: made in the caller's store, but named and
        # reused by the template (its first call opens its scope; later ones reuse what it made), so rules about
        # what a call makes or repeats do not read them; rules about what a variable carries do.
        self.template_sites: list[CallSite] = []
        self._templates = Templates(modules, classes)
        self.tf_functions: list[TfFunctionUse] = []
        self.reached: set[ast.AST] = set()  # every function body a shim walk entered
        self._foreign: dict[ast.AST, CallSite] = {}  # calls in other modules -> a site that reaches them
        self._applied: dict[ast.Call, ast.Call] = {}  # `tf.function(f)` -> the call applying it, `...(x)`
        self._looped: dict[str, list[Function]] | None = None
        self._sub_layer_scopes: dict[ClassInfo, set[tuple[VarScope, ...]]] = {}
        # A decorated sub-layer's method -> the `tf.function` of a caller that runs it traced (its own walk starts
        # from the shim, where nothing says so).
        self.traced_shims: dict[Function, ast.AST] = {}

    def foreign_site(self, node: ast.AST) -> CallSite | None:
        """For a call written in another module: a site reaching it (anchored in this module when one is)."""
        return self._foreign.get(node)

    def walk_entries(self, entries: list[tuple[FunctionDef, ClassInfo]]) -> None:
        """The same walk from methods that are not shim methods (a context built with ``shim_code=False``):
        what an undecorated `call`/`__call__` runs, with guards and targets (read by TFS116)."""
        self.walk_shim_methods([(method, method, cls) for method, cls in entries])  # type: ignore[misc]

    def walk_shim_methods(self, entries: list[tuple[FunctionDef, ast.expr, ClassInfo]] | None = None) -> None:
        queue: deque[tuple[Frame, _State]] = deque()
        # Decorated sub-layers used only as other objects' attributes: walked after their callers, under the
        # scopes those callers open around them (a decorated `call` runs in the caller's variable scope).
        deferred: list[tuple[Frame, _State]] = []
        starts: list[tuple[FunctionDef, ast.expr, ClassInfo]] = entries if entries is not None else [
            (method, deco, cls) for method, deco, cls in self._modules.root.shim_decorated if cls is not None and not is_static(method)
        ]
        # A shim method inherited by a class of this module runs with that class's overrides (`self.body(x)`
        # in a base's decorated `call` runs the subclass's `body`): walk it once per concrete class too.
        for cls in self._modules.root.classes if entries is None else ():
            if not self._classes.may_inherit_shim(cls):
                continue
            for method in self._classes.shim_methods_of(cls).values():
                defining = self._modules.owner.get(method)
                if defining is not cls and defining is not None and not is_static(method):
                    deco = next((d for f, d, _c in defining.module.shim_decorated if f is method), method)
                    starts.append((method, deco, cls))  # type: ignore[arg-type]
        for method, deco, cls in starts:
            module = cls.module
            self._modules.enter(module)
            self._traced_by_holder(method, cls)
            reach = Reach(shim=method, shim_name=f"{cls.name}.{method.name}", cls=cls)
            decos = method.decorator_list
            parent = module.lexical_parent.get(method)
            # A tf.function *below* the shim decorator runs the method body inside that tf.function.
            below = decos[decos.index(deco) + 1:] if deco in decos else []
            inner_tf = next((d for d in below if module.is_tf_function(d, parent)), None)
            if inner_tf is not None:
                reach = replace(reach, tf_function=inner_tf)
                if module is self._modules.root:
                    self.tf_functions.append(TfFunctionUse(inner_tf, method, cls, reach))
            # A decorated helper that methods of this module call runs with the arguments of those calls. Keras
            # entry points start with the defaults of their naming parameters (callers rarely pass them); any
            # other method whose callers are not all visible (none found, or also taken as a value) gets
            # unknown parameters: a default does not stand for the value.
            entry = method.name in ENTRY_NAMES
            callers = module_callers(self._modules.root)
            calls = [] if entry else callers.calls.get(method.name, [])
            callee = Callee(method, first_param(method), method.name, module)
            empty = Frame(method, None, reach, module)
            # Called in a loop by an undecorated method of its own object: every iteration re-enters the store.
            looped = module is self._modules.root and any(
                self._related(self._modules.owner.get(caller), cls) for caller in self._looped_self_calls().get(method.name, ())
            )
            start = _State(in_loop=True, object_loop=True) if looped else _State()
            starting = {bind_call(call, callee, frame) for call in calls for frame in self._caller_frames(module, call, empty)}
            if entry:
                starting = {naming_defaults(method)}
            elif not calls or method.name in callers.values:
                starting.add(())
            if entry and module is self._modules.root and self._used_only_elsewhere(cls):
                # Its callers are in modules that import it: their walks follow it under their scopes; here
                # the scope around it is unknown (taken as a named one, as for any name we cannot see).
                start = start._replace(scopes=(_caller_scope(method),))
            for bindings in starting:
                frame = Frame(method, first_param(method), reach, module, bindings)
                if entry and cls.scope is None and only_an_attribute(cls):
                    deferred.append((frame, start))
                else:
                    queue.append((frame, start))
        seen: set[tuple] = set()
        while queue or deferred:
            if not queue:
                # The next decorated sub-layer whose callers were walked (nested ones wait for theirs), under
                # each scope stack its callers opened; when none was seen, as a root.
                ready = next((i for i, (f, _s) in enumerate(deferred) if f.reach.cls in self._sub_layer_scopes), 0)
                frame, state = deferred.pop(ready)
                walked = self._sub_layer_scopes.get(frame.reach.cls, set())  # type: ignore[arg-type]
                for scopes in walked | self._unwalked_caller_scopes(frame.reach.cls) or {()}:  # type: ignore[arg-type]
                    queue.append((frame, state._replace(scopes=scopes)))
                continue
            frame, state = queue.popleft()
            key = (frame.reach.shim, frame.func, frame.reach.cls, frame.reach.tf_function, frame.reach.anchor,
                   frame.bindings, state)
            if key in seen:
                continue
            seen.add(key)
            self.reached.add(frame.func)
            body = frame.func.body
            if isinstance(body, list):
                self._block(body, frame, state, queue)
            else:  # a lambda
                self._expr(body, frame, state, queue)

    def _traced_by_holder(self, method: FunctionDef, cls: ClassInfo) -> None:
        """A decorated entry method run by a class of its module that holds the object and calls it from its own
        `@tf.function` (`self.model(x)` in a traced `Runner.__call__`): traced (`traced_shims`)."""
        if method.name != ENTRY_METHODS.get(self._classes.class_kind(cls)) or not cls.module.mentions("function"):
            return
        for _held, tracing in tracing_holders(cls)[:1]:
            self.traced_shims.setdefault(method, tracing)

    def _caller_frames(self, module: ModuleSummary, call: ast.Call, empty: Frame) -> list[Frame]:
        """The frames a call of a decorated helper is bound in: where it forwards the `*args` or `**kwargs` of the
        method holding it (`def _forward(self, x, **kwargs): return self._block(x, **kwargs)`), one per call of
        that method in the module, with what each passes; else only ``empty`` (its own literals)."""
        if not (any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args)):
            return [empty]
        holder = next((f for f in module.owner if isinstance(f, FUNCTION_DEFS) and call in module.own_calls(f)), None)
        if holder is None or holder.args.kwarg is None and holder.args.vararg is None:
            return [empty]
        bindings = bindings_from_callers(module, holder)
        if bindings is None:
            return [empty]
        return [empty._replace(func=holder, self_name=first_param(holder), bindings=tuple(sorted(bound.items())))
                for bound in bindings]

    def _unwalked_caller_scopes(self, cls: ClassInfo) -> set[tuple[VarScope, ...]]:
        """The scope stacks around a decorated sub-layer's calls in the methods of its holders that no walk entered
        (an undecorated Keras `call` runs it too, in the scopes it opens). Measured: a named scope the caller opens
        around it restarts its default-name numbering on every call (stable, even in a loop); without one, the
        numbering goes on (growth). Keras runs an entry method with no scope around it; any other method, from
        callers we may not see: an unknown scope. Where the module calls such an attribute elsewhere too, the
        sub-layer is also walked as a root, as when no caller is known."""
        held, complete = calls_of_held(cls)
        stacks: set[tuple[VarScope, ...]] = set() if complete else {()}
        for call in held:
            if call.method in self.reached or any(call.method is f for f, _d, _c in call.holder.module.shim_decorated):
                continue  # its walk recorded the scopes (`_sub_layer_scopes`)
            entry = call.method.name == ENTRY_METHODS.get(self._classes.class_kind(call.holder))
            scopes = () if entry else (_caller_scope(call.method),)
            for expr in call.withs:
                scope = self.variable_scope(expr, call.method, module=call.holder.module)
                if scope is not None and scope not in scopes:
                    scopes = (*scopes, scope)
            stacks.add(scopes)
        return stacks

    def _used_only_elsewhere(self, cls: ClassInfo) -> bool:
        """A class its own module never names (beyond defining it) that another project module imports and may
        call inside a `variable_scope` it opens. A module that imports it without opening any scope (a training
        script's `Model()(x)`) changes nothing: the class's own walk, from an empty scope stack, is what runs.
        In a tree too large to index, no caller scope is assumed either."""
        if cls.scope is not None or module_callers(self._modules.root).class_refs.get(cls.name, 0) > 0:
            return False
        return self._modules.project is not None and named_elsewhere(
            self._modules.project, self._modules.root, cls.name, also=b"variable_scope", unknown=False
        )

    def _looped_self_calls(self) -> dict[str, list[Function]]:
        """Method name -> the undecorated methods of this module that call ``self.<name>(...)`` in a loop, or
        call it from an undecorated method they call in a loop (`self._forward(x)` in a loop, which runs
        `self._block(x, **kwargs)`): each iteration runs it again."""
        if self._looped is None:
            self._looped = {}
            root = self._modules.root
            decorated = {func for func, _d, _c in root.shim_decorated}
            undecorated = [func for func in root.owner if func not in decorated]
            for func in undecorated:
                for loop in ast.walk(func):
                    if not isinstance(loop, (ast.For, ast.AsyncFor, ast.While)):
                        continue
                    for node in (n for stmt in loop.body for n in ast.walk(stmt)):
                        if isinstance(node, ast.Call) and is_self_attr(node.func, first_param(func)):
                            self._looped.setdefault(node.func.attr, []).append(func)  # type: ignore[union-attr]
            by_name = {func.name: func for func in undecorated  # type: ignore[union-attr]
                       if root.owner[func].methods.get(getattr(func, "name", "")) is func}
            pending = list(self._looped)
            while pending:
                name = pending.pop()
                method = by_name.get(name)
                for call in root.own_calls(method) if method is not None else ():
                    if is_self_attr(call.func, first_param(method)) and call.func.attr not in self._looped:  # type: ignore[union-attr]
                        self._looped[call.func.attr] = self._looped[name]  # type: ignore[union-attr]
                        pending.append(call.func.attr)  # type: ignore[union-attr]
        return self._looped

    def _related(self, caller: ClassInfo | None, cls: ClassInfo) -> bool:
        return caller is not None and (caller is cls or caller in self._classes.mro(cls) or cls in self._classes.mro(caller))

    def _block(self, stmts: list[ast.stmt], frame: Frame, state: _State, queue: deque) -> None:
        for stmt in stmts:
            self._stmt(stmt, frame, state, queue)

    def _stmt(self, stmt: ast.stmt, frame: Frame, state: _State, queue: deque) -> None:
        if isinstance(stmt, FUNCTION_DEFS):
            for deco in stmt.decorator_list:
                self._expr(deco, frame, state, queue)
                if frame.module.is_tf_function(deco, frame.func):
                    self._tf_function_use(deco, stmt, frame)
            for default in [*stmt.args.defaults, *stmt.args.kw_defaults]:
                if default is not None:
                    self._expr(default, frame, state, queue)
        elif isinstance(stmt, ast.ClassDef):
            return
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            scopes, arg_scopes = state.scopes, state.arg_scopes
            for item in stmt.items:
                self._expr(item.context_expr, frame, state._replace(scopes=scopes, arg_scopes=arg_scopes), queue)
                scope = self._variable_scope(item.context_expr, frame)
                # Re-entering a scope (a recursive helper) adds nothing we track: states stay finite.
                if scope is not None and scope not in scopes:
                    scopes = (*scopes, scope)
                context = item.context_expr
                if isinstance(context, ast.Call) and context not in arg_scopes and api.ARG_SCOPE in frame.module.names.resolve(
                    context.func, frame.func
                ):
                    arg_scopes = (*arg_scopes, context)
            self._block(stmt.body, frame, state._replace(scopes=scopes, arg_scopes=arg_scopes), queue)
        elif isinstance(stmt, ast.If):
            self._expr(stmt.test, frame, state, queue)
            decided = decided_branch(stmt.test, dict(frame.bindings)) if frame.bindings else None
            if decided is not None:  # a constant argument chose the branch: the other never runs on this path
                self._block(stmt.body if decided else stmt.orelse, frame, state, queue)
                return
            polarity = _guard_polarity(stmt.test, frame.self_name)
            body = _guarded(state, polarity == "body", (id(stmt), 0))._replace(
                arms=_arm(state.arms, stmt, 0),
                once=state.once or polarity == "body" and _sets_its_guard(stmt, frame.self_name))
            orelse = _guarded(state, polarity == "orelse", (id(stmt), 1))._replace(arms=_arm(state.arms, stmt, 1))
            self._block(stmt.body, frame, body, queue)
            self._block(stmt.orelse, frame, orelse, queue)
        elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            self._expr(stmt.iter if not isinstance(stmt, ast.While) else stmt.test, frame, state, queue)
            inner = _looping(state)
            if not isinstance(stmt, ast.While) and isinstance(stmt.target, ast.Name) and _distinct_literals(stmt.iter):
                inner = inner._replace(item=(stmt.target.id, state))
            self._block(stmt.body, frame, inner, queue)
            self._block(stmt.orelse, frame, state, queue)
        elif isinstance(stmt, (ast.Try, getattr(ast, "TryStar", ast.Try))):
            self._block(stmt.body, frame, state, queue)
            for index, handler in enumerate(stmt.handlers):
                self._block(handler.body, frame, state._replace(arms=_arm(state.arms, stmt, index)), queue)
            self._block(stmt.orelse, frame, state, queue)
            self._block(stmt.finalbody, frame, state, queue)
        elif isinstance(stmt, ast.Match):
            self._expr(stmt.subject, frame, state, queue)
            for index, case in enumerate(stmt.cases):
                self._block(case.body, frame, state._replace(arms=_arm(state.arms, stmt, index)), queue)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)) and stmt.value is not None:
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            target = _assign_target(targets, frame.self_name)
            value = stmt.value
            if isinstance(value, ast.BoolOp) and isinstance(value.op, ast.Or) and _is_self_attr_read(
                value.values[0], frame.self_name
            ):
                # `self._t = self._t or make(...)`: everything after the first operand runs once.
                self._expr(value.values[0], frame, state, queue)
                for later in value.values[1:]:
                    self._expr(later, frame, _guarded(state, True, None), queue, target)
            else:
                self._expr(value, frame, state, queue, target)
            for node in targets:
                self._expr(node, frame, state, queue)
        else:
            for child in ast.iter_child_nodes(stmt):
                if isinstance(child, ast.expr):
                    self._expr(child, frame, state, queue)

    def _expr(
        self, node: ast.expr, frame: Frame, state: _State, queue: deque, target: tuple[str, str] | None = None
    ) -> None:
        repeated = _calls_repeated_by_comprehensions(node) if not state.in_loop else set()
        for child in walk_expr(node):
            if isinstance(child, ast.Call):
                looped = _looping(state) if id(child) in repeated else state
                self._call(child, frame, looped, queue, target if child is node else None)

    def _tf_function_use(self, anchor: ast.AST, target: Function | None, frame: Frame) -> None:
        if frame.module is self._modules.root:
            self.tf_functions.append(TfFunctionUse(anchor, target, frame.reach.cls, frame.reach))

    def _call(
        self, call: ast.Call, frame: Frame, state: _State, queue: deque, target: tuple[str, str] | None
    ) -> None:
        module = frame.module
        names = module.names.resolve(call.func, frame.func)
        site = CallSite(call, names, frame.func, frame.reach, state.scopes, state.guarded, state.in_loop, target,
                        state.arms, state.arg_scopes, module, frame.bindings, state.loop_scopes, state.object_loop,
                        state.once, state.fresh_guard, state.fresh, state.new_each_iteration, state.iteration_guards)
        if module is not self._modules.root and (call not in self._foreign or self._foreign[call].reach.anchor is None):
            self._foreign[call] = site
        if frame.reach.template is not None:
            self._template_site(site, frame, state, queue)
            return
        self.sites.append(site)
        if isinstance(call.func, ast.Call):
            self._applied[call.func] = call  # `tf.function(f)(x)`: the arguments `f` runs with
        if api.TF_FUNCTION in names:
            compiled = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "func"), None)
            if compiled is not None:
                if isinstance(compiled, ast.Lambda):
                    module.names.register_lambda(compiled, frame.func)
                callee = self._resolver.callee_of(compiled, frame)
                target_func = callee.func if callee else (compiled if isinstance(compiled, ast.Lambda) else None)
                self._tf_function_use(call, target_func, frame)
                if callee is not None:
                    # The compiled helper runs in the decorated method's store. Its scopes start empty: the caller's
                    # do carry into the trace (measured), but a second trace asks again for auto-names, so only
                    # names and scopes opened inside keep a layer from failing.
                    reach = self._step(frame, call, callee, tf_function=call)
                    applied = self._applied.get(call)
                    bindings = bind_call(applied, callee, frame, bound=isinstance(compiled, ast.Attribute)) if applied else ()
                    queue.append((Frame(callee.func, callee.self_name, reach, callee.module, bindings),
                                  state._replace(scopes=(), loop_scopes=0)))
            return
        if api.GET_OR_CREATE_LAYER in names:
            return  # the builder runs once, by design
        mapped = mapped_function(call, frame)
        if mapped is not None:
            # `map(self._f, xs)`: the function runs once per item (a loop, unless `xs` is a literal of one
            # item), with one positional argument per iterable, which we do not see; its other parameters keep
            # their defaults.
            items = call.args[1] if len(call.args) == 2 else None
            once = isinstance(items, (ast.List, ast.Tuple)) and len(items.elts) <= 1
            applied = ast.Call(func=mapped, args=[ast.Name(id="<item>", ctx=ast.Load()) for _ in call.args[1:]], keywords=[])
            for callee in self.callables.callees(mapped, frame):
                reach = self._step(frame, call, callee)
                bindings = bind_call(applied, callee, frame) if not any(isinstance(a, ast.Starred) for a in call.args) else ()
                queue.append((Frame(callee.func, callee.self_name, reach, callee.module, bindings),
                              state if once else _looping(state)))
            return
        if names and all(map(api.is_library_name, names)):
            return  # a TensorFlow/Keras/Slim API: known from data, nothing of the project to enter
        if isinstance(call.func, ast.Call) and api.TF_FUNCTION in module.names.resolve(call.func.func, frame.func):
            return  # `tf.function(f)(x)`: entered where `tf.function(f)` is (above), with this call's arguments
        template = self._templates.template_run(site)
        if template is not None:
            self._enter_template(call, template, frame, state, queue)
            return
        callees = self._resolver.callees(call, frame)
        for index, callee in enumerate(callees):
            if callee.cls is not None and is_shim_function(callee):
                # A sub-layer with its own decorated `call`: walked as a shim method of its own, inside the
                # variable scopes open here; one from another module is walked here, anchored at this call.
                self._sub_layer_scopes.setdefault(callee.cls, set()).add(state.scopes)
                # (a `@tf.function` stacked above the caller's shim traces the whole call; one below is in the reach)
                tracing = frame.reach.tf_function or self._modules.tf_function_decorator(frame.reach.shim)
                if tracing is not None:
                    self.traced_shims.setdefault(callee.func, tracing)
                if self._modules.is_foreign(callee.module):
                    self._modules.enter(callee.module)
                    anchor = frame.reach.anchor or (call if frame.module is self._modules.root else None)
                    reach = Reach(shim=callee.func, shim_name=callee.label, cls=callee.cls, anchor=anchor)  # type: ignore[arg-type]
                    queue.append((Frame(callee.func, callee.self_name, reach, callee.module,
                                         naming_defaults(callee.func)), _State(scopes=state.scopes)))
                continue
            reach = self._step(frame, call, callee)
            callee_state = state
            if state.item is not None and isinstance(call.func, ast.Name) and call.func.id == state.item[0]:
                outer = state.item[1]  # one item of a literal list of functions: not repeated by that loop
                callee_state = state._replace(in_loop=outer.in_loop, loop_scopes=outer.loop_scopes,
                                              object_loop=outer.object_loop, item=outer.item)
            if callee.cls is not None:
                # A sub-layer's undecorated `call` runs in the caller's variable store, with its own `self`.
                # Called again, one object shares its weights by design; one built inline is new each time, and
                # so is a sub-layer such an object holds (its `__init__` runs again).
                reach = replace(reach, cls=callee.cls)
                held = is_self_attr(call.func, frame.self_name)
                callee_state = callee_state._replace(
                    fresh=callee.built or (state.fresh if held else None),
                    new_each_iteration=(callee.built is call.func or callee.each) and state.in_loop and state.object_loop
                    or held and state.new_each_iteration)
                if callee.built is not call.func and not callee.each:
                    # (a local object may be built before the loop calling it; a list's objects differ per iteration)
                    callee_state = callee_state._replace(object_loop=False)
            if len(callees) > 1:
                callee_state = callee_state._replace(arms=_arm(state.arms, call, index))  # one of several: alternatives
            tf_deco = traced_by(callee)
            if tf_deco is not None:
                # As for an applied tf.function (above), or one called through a local (`step = tf.function(f)`):
                # only scopes opened inside count.
                reach = replace(reach, tf_function=tf_deco)
                self._tf_function_use(tf_deco, callee.func, frame)
                callee_state = callee_state._replace(scopes=(), loop_scopes=0)
            bindings = bind_call(call, callee, frame, callables=self.callables)
            queue.append((Frame(callee.func, callee.self_name, reach, callee.module, bindings), callee_state))

    def _enter_template(self, call: ast.Call, template: TemplateRun, frame: Frame, state: _State, queue: deque) -> None:
        """A template's call runs its function in the caller's store, inside the template's scope (measured: its
        `get_variable("w", regularizer=...)` in a `tf.Module`'s shim method loses its penalty as a direct call does).
        Its sites go to `template_sites`."""
        ctor = template.ctor
        wrapped = argument_of(ctor, "func_", 1)
        if wrapped is None or spread_arguments(ctor):
            return
        where = Frame(template.where, first_param(template.where), frame.reach, template.module)  # type: ignore[arg-type]
        callee = self._resolver.callee_of(wrapped, where)
        if callee is None or callee.cls is not None:
            return
        name = argument_of(ctor, "name_", 0)
        text = literal_value(name, {}) if name is not None else None
        scope = VarScope(ctor, named=True, name=text[1] if text is not None and text[0] == "str" else None)
        reach = self._step(frame, call, callee)
        reach = replace(reach, via=(*reach.via[:-1], f"{reach.via[-1]} (template `{scope.name or '?'}`)"), template=ctor)
        # `make_template(name, f, **kwargs)` binds more arguments than the call shows: none is known then.
        bindings = bind_call(call, callee, frame) if len(ctor.args) <= 2 and all(
            k.arg in ("name_", "func_") for k in ctor.keywords) else ()
        queue.append((Frame(callee.func, callee.self_name, reach, callee.module, bindings),
                      state._replace(scopes=(*state.scopes, scope))))

    def _template_site(self, site: CallSite, frame: Frame, state: _State, queue: deque) -> None:
        """A call in a template's function: recorded apart, and the project functions it calls followed (a
        sub-layer, a `tf.function` or another template there is not)."""
        self.template_sites.append(site)
        if site.names and all(map(api.is_library_name, site.names)):
            return
        for callee in self._resolver.callees(site.node, frame):
            if callee.cls is None:
                queue.append((Frame(callee.func, callee.self_name, self._step(frame, site.node, callee), callee.module,
                                    bind_call(site.node, callee, frame, callables=self.callables)), state))

    def _step(self, frame: Frame, call: ast.Call, callee: Callee, tf_function: ast.AST | None = None) -> Reach:
        """The reach of a callee: one more hop in the chain, anchored where the path leaves the linted module."""
        label = f"`{callee.label}`"
        anchor = frame.reach.anchor
        if callee.module is not frame.module or self._modules.is_foreign(callee.module):
            self._modules.enter(callee.module)
            func = callee.func
            label += f" ({self._modules.display(callee.module)}:{getattr(func, 'lineno', 1)})"
        if anchor is None and self._modules.is_foreign(callee.module) and frame.module is self._modules.root:
            anchor = call
        reach = replace(frame.reach, via=(*frame.reach.via, label), anchor=anchor)
        return replace(reach, tf_function=tf_function) if tf_function is not None else reach

    def _variable_scope(self, expr: ast.expr, frame: Frame) -> VarScope | None:
        return self.variable_scope(expr, frame.func, dict(frame.bindings), frame.module)

    def variable_scope(
        self,
        expr: ast.expr,
        func: Function,
        bindings: dict[str, Value] | None = None,
        module: ModuleSummary | None = None,
    ) -> VarScope | None:
        module = module or self._modules.module_of(func)
        if not isinstance(expr, ast.Call) or api.VARIABLE_SCOPE not in module.names.resolve(expr.func, func):
            return None
        name = expr.args[0] if expr.args else next(
            (k.value for k in expr.keywords if k.arg == "name_or_scope"), None
        )
        value = literal_value(name, bindings or {}) if name is not None else ("none",)
        if value is None:  # a name we can't see: assume it is one
            current = isinstance(name, ast.Call) and api.GET_VARIABLE_SCOPE in module.names.resolve(name.func, func)
            return VarScope(expr, named=True, name=None, reenters=current)
        if value[0] == "none":
            return VarScope(expr, named=False, name=None)
        return VarScope(expr, named=bool(value[1]), name=value[1] or None)


_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)


def _calls_repeated_by_comprehensions(node: ast.expr) -> set[int]:
    """Ids of the calls a comprehension in ``node`` runs once per item: a comprehension is a loop (all but
    the first generator's iterable, which is evaluated once)."""
    repeated: set[int] = set()
    for comp in walk_expr(node):
        if not isinstance(comp, _COMPREHENSIONS):
            continue
        parts: list[ast.AST] = [comp.key, comp.value] if isinstance(comp, ast.DictComp) else [comp.elt]
        for index, generator in enumerate(comp.generators):
            parts.extend(generator.ifs)
            if index:
                parts.append(generator.iter)
        for part in parts:
            repeated.update(id(n) for n in walk_expr(part) if isinstance(n, ast.Call))
    return repeated


def _guarded(state: _State, guard: bool, arm: tuple[int, int] | None) -> _State:
    """The state under a create-once guard on `self` (``guard``, the branch ``arm`` of an `if`): on an object built
    on every call (`fresh`), the guard holds within that object only; on another object in every iteration of a
    loop, within that iteration."""
    if not guard or state.guarded and state.fresh_guard is None and not state.iteration_guards:
        return state
    per_iteration = arm is not None and state.new_each_iteration and (not state.guarded or bool(state.iteration_guards))
    iteration_guards = (*state.iteration_guards, arm) if per_iteration else ()
    if state.fresh is None:
        return state._replace(guarded=True, fresh_guard=None, iteration_guards=iteration_guards)  # type: ignore[arg-type]
    return state._replace(guarded=True, fresh_guard=state.fresh_guard or state.fresh,
                          iteration_guards=iteration_guards)  # type: ignore[arg-type]


def _looping(state: _State) -> _State:
    """The state inside a loop body: repeated, with the scopes open so far shared by every iteration (and the
    object running it, built before this loop started)."""
    return state._replace(in_loop=True, loop_scopes=len(state.scopes), object_loop=True, item=None,
                          new_each_iteration=False, iteration_guards=())


def _caller_scope(method: Function) -> VarScope:
    """The scope a caller we cannot see may open around a method: unknown, so taken as a named one."""
    node = ast.copy_location(ast.Call(func=ast.Name(id="variable_scope", ctx=ast.Load()), args=[], keywords=[]), method)
    return VarScope(node, named=True, name=None)


def _distinct_literals(node: ast.expr) -> bool:
    """A literal list or tuple of different names or attributes (`[self._norm, self._act]`)."""
    if not isinstance(node, (ast.List, ast.Tuple)) or not node.elts:
        return False
    if not all(isinstance(e, (ast.Name, ast.Attribute)) for e in node.elts):
        return False
    return len({ast.dump(e) for e in node.elts}) == len(node.elts)


def _arm(arms: tuple[tuple[int, int], ...], stmt: ast.stmt, index: int) -> tuple[tuple[int, int], ...]:
    """Arms plus one branch of ``stmt``; the same branch again (recursion) changes nothing."""
    arm = (id(stmt), index)
    return arms if arm in arms else (*arms, arm)


def _is_self_attr_read(node: ast.AST, self_name: str | None) -> bool:
    """``self.x`` or ``getattr(self, "x", ...)``."""
    if is_self_attr(node, self_name):
        return True
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in ("getattr", "hasattr")
        and bool(node.args)
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id == self_name
    )


def _guard_polarity(test: ast.expr, self_name: str | None) -> str | None:
    """Which branch of an ``if`` runs only while an attribute of ``self`` is missing.

    "body" for ``if self._t is None:`` / ``if not hasattr(self, "_t"):`` / ``if not self.built:``,
    "orelse" for ``if self._t is not None:`` / ``if hasattr(self, "_t"):``, else None.
    """
    if self_name is None:
        return None
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        inner = _guard_polarity(test.operand, self_name)
        return {"body": "orelse", "orelse": "body"}.get(inner or "", None)
    if isinstance(test, ast.BoolOp):
        parts = [_guard_polarity(v, self_name) for v in test.values]
        if isinstance(test.op, ast.And) and "body" in parts:
            return "body"
        if isinstance(test.op, ast.Or) and parts and all(p == "orelse" for p in parts):
            return "orelse"
        return None
    if _is_self_attr_read(test, self_name):
        return "orelse"  # `if self._t:` / `if hasattr(self, "_t"):` -> created in the else branch
    if isinstance(test, ast.Compare) and len(test.ops) == 1:
        op, left, right = test.ops[0], test.left, test.comparators[0]
        is_none = isinstance(right, ast.Constant) and right.value is None
        if is_none and _is_self_attr_read(left, self_name):
            if isinstance(op, (ast.Is, ast.Eq)):
                return "body"
            if isinstance(op, (ast.IsNot, ast.NotEq)):
                return "orelse"
        holder = right
        in_self_dict = is_self_attr(holder, self_name) and holder.attr == "__dict__"  # type: ignore[union-attr]
        in_vars = (
            isinstance(holder, ast.Call)
            and isinstance(holder.func, ast.Name)
            and holder.func.id == "vars"
            and holder.args
            and isinstance(holder.args[0], ast.Name)
            and holder.args[0].id == self_name
        )
        if in_self_dict or in_vars or is_self_attr(holder, self_name):
            # `if key not in self._heads: self._heads[key] = ...` is a per-key create-once cache.
            if isinstance(op, ast.NotIn):
                return "body"
            if isinstance(op, ast.In):
                return "orelse"
    return None


def _sets_its_guard(stmt: ast.If, self_name: str | None) -> bool:
    """``if self.x is None:`` (or ``if not hasattr(self, "x"):``) whose block sets ``self.x`` to a value, in a
    statement of its own: the block runs once per object (the model-mapping guide's `FixedScalingLayer`)."""
    test = stmt.test
    attr = None
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Is, ast.Eq)) \
            and isinstance(test.comparators[0], ast.Constant) and test.comparators[0].value is None \
            and is_self_attr(test.left, self_name):
        attr = test.left.attr  # type: ignore[attr-defined]
    elif isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, ast.Call) \
            and isinstance(test.operand.func, ast.Name) and test.operand.func.id == "hasattr" \
            and len(test.operand.args) == 2 and isinstance(test.operand.args[0], ast.Name) \
            and test.operand.args[0].id == self_name and isinstance(test.operand.args[1], ast.Constant):
        attr = test.operand.args[1].value
    if not isinstance(attr, str):
        return False
    for inner in stmt.body:
        if isinstance(inner, (ast.Assign, ast.AnnAssign)) and inner.value is not None \
                and not (isinstance(inner.value, ast.Constant) and inner.value.value is None):
            targets = inner.targets if isinstance(inner, ast.Assign) else [inner.target]
            if any(is_self_attr(t, self_name) and t.attr == attr for t in targets):  # type: ignore[attr-defined]
                return True
    return False


def _assign_target(targets: list[ast.expr], self_name: str | None) -> tuple[str, str] | None:
    if len(targets) != 1:
        return None
    target = targets[0]
    if is_self_attr(target, self_name):
        return ("self", target.attr)  # type: ignore[union-attr]
    if isinstance(target, ast.Subscript) and is_self_attr(target.value, self_name):
        return ("self_item", target.value.attr)  # type: ignore[union-attr]  # `self._heads[key] = ...`
    if isinstance(target, ast.Name):
        return ("local", target.id)
    return None
