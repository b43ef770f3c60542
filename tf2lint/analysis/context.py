"""The shim walk: every call reached from a shim method, across the project's modules.

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
import os
from collections import ChainMap, deque
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import NamedTuple

from tf2lint.analysis.callables import Callee, CallableValues
from tf2lint.analysis.callers import module_callers, named_elsewhere, only_an_attribute
from tf2lint.analysis.names import Function, walk_expr
from tf2lint.analysis.project import Project, locate
from tf2lint.analysis.sites import CallSite, Frame, Reach, TfFunctionUse, VarScope
from tf2lint.analysis.summary import (
    FUNCTION_DEFS,
    ClassInfo,
    FunctionDef,
    ModuleSummary,
    first_param,
    is_self_attr,
    is_static,
    plain_decorators,
)
from tf2lint.analysis.values import Value, bind_call, dead_calls, decided_branch, literal_value, naming_defaults
from tf2lint.knowledge import api


class _State(NamedTuple):
    scopes: tuple[VarScope, ...] = ()
    guarded: bool = False
    in_loop: bool = False
    loop_scopes: int = 0  # how many of ``scopes`` were open when the innermost loop started
    object_loop: bool = False
    arms: tuple[tuple[int, int], ...] = ()
    arg_scopes: tuple[ast.Call, ...] = ()
    # `for stage in [self._a, self._b]: stage(x)`: the loop variable, and the state before the loop. Each
    # iteration calls a different function, so what the callee runs is not repeated by this loop.
    item: tuple[str, _State] | None = None


class ModuleContext:
    """Facts about one linted module, and the shim walk from its shim methods, that rules read."""

    def __init__(
        self, summary: ModuleSummary, project: Project | None = None, shim_code: bool = True, settings=None,
    ) -> None:
        """``shim_code=False``: the triage found that the module can hold no shim method (none defined,
        none inherited), so there is nothing to walk. ``settings``: the run's `Settings` (a baseline for TFS115)."""
        self.settings = settings
        self.root = summary
        self.project = project
        self.tree = summary.tree
        self.names = summary.names
        self.classes = summary.classes
        self.class_by_name = summary.class_by_name
        self.module_functions = summary.module_functions
        self.module_templates = summary.module_templates
        self.shim_decorated = summary.shim_decorated if shim_code else []
        self.extra_shim_decorators = summary.extra_shim_decorators
        # Facts of every module the walk entered, the linted one first.
        self.modules: list[ModuleSummary] = [summary]
        self.owner: ChainMap[ast.AST, ClassInfo] = ChainMap(summary.owner)
        self.parent_function: ChainMap[ast.AST, Function] = ChainMap(summary.parent_function)
        self._module_of: dict[ast.AST, ModuleSummary] = {}
        self.sites: list[CallSite] = []
        self.tf_functions: list[TfFunctionUse] = []
        self.reached: set[ast.AST] = set()  # every function body a shim walk entered
        self._foreign: dict[ast.AST, CallSite] = {}  # calls in other modules -> a site that reaches them
        self._applied: dict[ast.Call, ast.Call] = {}  # `tf.function(f)` -> the call applying it, `...(x)`
        self._looped: dict[str, list[Function]] | None = None
        self._kinds: dict[ClassInfo, str] = {}
        self._mros: dict[ClassInfo, list[ClassInfo]] = {}
        self.callables = CallableValues(self._callee_of)
        self._sub_layer_scopes: dict[ClassInfo, set[tuple[VarScope, ...]]] = {}
        if shim_code:
            self._walk_shim_methods()

    # -- modules ----------------------------------------------------------------------------------

    def _enter(self, module: ModuleSummary) -> None:
        if all(module is not m for m in self.modules):
            self.modules.append(module)
            self.owner.maps.append(module.owner)
            self.parent_function.maps.append(module.parent_function)
            for func in module.lexical_parent:
                self._module_of[func] = module

    def module_of(self, func: Function | None) -> ModuleSummary:
        return self._module_of.get(func, self.root) if func is not None else self.root

    def is_foreign(self, module: ModuleSummary | None) -> bool:
        return module is not None and module is not self.root

    def foreign_site(self, node: ast.AST) -> CallSite | None:
        """For a call written in another module: a site reaching it (anchored in this module when one is)."""
        return self._foreign.get(node)

    def display(self, module: ModuleSummary) -> str:
        """A module's path as shown in messages: relative to the working directory when below it."""
        path = module.path
        for start in (locate(self.root.path).root, os.getcwd()):
            try:
                relative = os.path.relpath(path, start)
            except ValueError:
                continue
            if not relative.startswith(".."):
                return relative.replace(os.sep, "/")
        return path

    # -- public helpers -------------------------------------------------------------------------

    def mentions(self, *words: str) -> bool:
        return self.root.mentions(*words)

    def may_use_project(self) -> bool:
        return self.root.may_use_project()

    def resolve(self, node: ast.AST, func: Function | None) -> tuple[str, ...]:
        return self.module_of(func).names.resolve(node, func)

    def is_shim_decorator(self, deco: ast.expr, func: Function | None = None) -> bool:
        return self.module_of(func).is_shim_decorator(deco, func)

    def is_tf_function(self, deco: ast.expr, func: Function | None = None) -> bool:
        return self.module_of(func).is_tf_function(deco, func)

    def own_calls(self, func: Function) -> list[ast.Call]:
        return self.root.own_calls(func)

    @property
    def graph_mode(self) -> bool:
        return self.root.graph_mode

    def nodes_on_lines(self, pattern: str, skip_decorator_lines: bool = False) -> list:
        return self.root.nodes_on_lines(pattern, skip_decorator_lines)

    def class_kind(self, cls: ClassInfo) -> str:
        """"keras" (tf.keras layer/model), "module" (tf.Module), "keras3", "object" or "unknown"."""
        if cls not in self._kinds:
            self._kinds[cls] = "unknown"  # cycle guard
            self._kinds[cls] = self._compute_kind(cls)
        return self._kinds[cls]

    def base_classes(self, cls: ClassInfo) -> list[ClassInfo | None]:
        """Each base of a class as a project class (this module's or another's), None when not one."""
        found: list[ClassInfo | None] = []
        for base in cls.node.bases:
            local = cls.module.class_by_name.get(base.id) if isinstance(base, ast.Name) else None
            if local is not None and local is not cls and not cls.module.names.is_local(base.id, cls.scope):
                found.append(local)
                continue
            found.append(self._project_class(cls.module, base, cls.scope))
        return found

    def _project_class(self, module: ModuleSummary, expr: ast.expr, func: Function | None) -> ClassInfo | None:
        if self.project is None:
            return None
        for path in module.names.targets(expr, func):
            symbol = self.project.lookup(path)
            if symbol is not None and symbol.kind == "class" and symbol.cls is not None:
                self._enter(symbol.module)
                return symbol.cls
        return None

    def mro(self, cls: ClassInfo) -> list[ClassInfo]:
        """Project classes in method resolution order (left-to-right depth first, no repeats). Kept per
        class: every `self.x` the walks resolve asks for it. Read-only."""
        found = self._mros.get(cls)
        if found is None:
            found = self._mros[cls] = _linearize(cls, self.base_classes)
        return found

    def local_mro(self, cls: ClassInfo) -> list[ClassInfo]:
        """The same, through the bases defined in the class's own module only (no other module is read)."""
        return _linearize(cls, lambda c: [c.module.class_by_name.get(b.id) for b in c.node.bases if isinstance(b, ast.Name)])

    def subclasses(self, cls: ClassInfo) -> list[ClassInfo]:
        """Classes of the linted module that have ``cls`` in their MRO (itself excluded)."""
        return [other for other in self.classes if other is not cls and cls in self.mro(other)]

    def constructs_tracked_object(self, site: CallSite) -> str | None:
        """Description of the weight-owning object a call constructs, if any."""
        for name in site.names:
            kind = api.tracked_object_kind(name)
            if kind:
                return f"`{name}`" if kind == name else f"`{name}` ({kind})"
        cls = self._class_called(site)
        if cls is not None and self.v1_layer_base(cls) is not None:
            return None  # a v1 layer: its weights come from `get_variable`, reused by name in the shim's store
        if cls is not None and self.class_kind(cls) in ("keras", "module", "keras3") and not self._store_only(cls):
            return f"`{cls.name}` ({'tf.Module' if self.class_kind(cls) == 'module' else 'Keras layer'})"
        return None

    def v1_layer_base(self, cls: ClassInfo) -> str | None:
        """The v1 layer class (`tf.compat.v1.layers.BatchNormalization`) a project class derives from, if any."""
        for klass in self.mro(cls):
            for base in klass.node.bases:
                found = next((n for n in klass.module.names.resolve(base, klass.scope) if api.is_v1_layer_class(n)), None)
                if found is not None:
                    return found
        return None

    def _store_only(self, cls: ClassInfo) -> bool:
        """A project layer whose objects own nothing: no `__init__` beyond `super().__init__(...)`, no `build`,
        and an undecorated `call`, which runs in its caller's variable store (measured: an `Adapter()(x)`
        built per call in shim code reuses the caller's `get_variable`s, stable and tracked)."""
        callee = self._instance_call(cls)
        if callee is None or self.is_shim_function(callee):
            return False
        for klass in self.mro(cls):
            if "build" in klass.methods:
                return False
            init = klass.methods.get("__init__")
            if init is not None and any(not _initialises_base(c) for c in klass.module.own_calls(init)):
                return False
        return True

    def _class_called(self, site: CallSite) -> ClassInfo | None:
        module = site.module or self.root
        func = site.node.func
        if isinstance(func, ast.Name) and not module.names.is_local(func.id, site.func):
            local = module.class_by_name.get(func.id)
            if local is not None:
                return local
        if isinstance(func, (ast.Name, ast.Attribute)):
            return self._project_class(module, func, site.func)
        return None

    def shared_template(self, site: CallSite) -> ast.Call | None:
        """The module- or class-level ``make_template(...)`` a call invokes, if any."""
        module = site.module or self.root
        func = site.node.func
        if isinstance(func, ast.Name):
            if not module.names.is_local(func.id, site.func):
                found = module.module_templates.get(func.id)
                if found is None and self.project is not None:
                    found = self._project_template(module, func, site.func)
                return found
            return None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner = func.value.id
            classes: list[ClassInfo] = []
            if site.reach.cls is not None and owner in ("self", "cls", first_param(site.func)):
                classes = self.mro(site.reach.cls)
            elif owner in module.class_by_name and not module.names.is_local(owner, site.func):
                classes = self.mro(module.class_by_name[owner])
            for cls in classes:
                found = cls.templates.get(func.attr) or cls.shared_attrs.get(func.attr)
                if found is not None:
                    return found
            if not classes and self.project is not None:
                return self._project_template(module, func, site.func)
        return None

    def _project_template(self, module: ModuleSummary, expr: ast.expr, func: Function | None) -> ast.Call | None:
        """A template defined at module level in another project module (``ops.shared_net``)."""
        assert self.project is not None
        for path in module.names.targets(expr, func):
            owner, _, attr = path.rpartition(".")
            if owner and self.project.file_of(owner) is not None:
                summary = self.project.summary(owner)
                if summary is not None and attr in summary.module_templates:
                    self._enter(summary)
                    return summary.module_templates[attr]
        return None

    def _compute_kind(self, cls: ClassInfo) -> str:
        kinds: list[str] = []
        for base, project_class in zip(cls.node.bases, self.base_classes(cls)):
            if project_class is not None:
                kinds.append(self.class_kind(project_class))
                continue
            resolved = [api.module_base_kind(name) for name in cls.module.names.resolve(base, cls.scope)]
            found = next((k for k in resolved if k), None)
            if found:
                kinds.append(found)
            elif isinstance(base, ast.Name) and base.id == "object":
                kinds.append("object")
            else:
                kinds.append("unknown")
        for kind in ("keras", "module", "keras3", "unknown"):
            if kind in kinds:
                return kind
        return "object"

    def _may_inherit_shim(self, cls: ClassInfo, depth: int = 0) -> bool:
        """A text gate before reading base classes' modules: some base is in this module, or in a project
        module whose text could spell the shim decorator (``track...``, ``tf2lint``, a configured name)."""
        words = (b"track", b"tf2lint", *(d.rsplit(".", 1)[-1].encode() for d in self.extra_shim_decorators))
        for base in cls.node.bases:
            local = cls.module.class_by_name.get(base.id) if isinstance(base, ast.Name) else None
            if local is not None and local is not cls:
                if depth < 8 and (any(local is f_cls for _f, _d, f_cls in local.module.shim_decorated)
                                  or local.assigned_shim or self._may_inherit_shim(local, depth + 1)):
                    return True
                continue
            if self.project is None:
                continue
            for path in cls.module.names.paths(base, cls.scope):
                module = path
                while module and self.project.file_of(module) is None:
                    module = module.rpartition(".")[0]
                if module and any(self.project.mentions(module, word) for word in words):
                    return True
        return False

    def shim_methods_of(self, cls: ClassInfo) -> dict[str, FunctionDef]:
        """Method name -> shim-decorated method, as ``cls`` resolves it (an override hides the base's)."""
        found: dict[str, FunctionDef] = {}
        seen: set[str] = set()
        for klass in self.mro(cls):
            decorated = {id(f) for f, _d, _c in klass.module.shim_decorated}
            for name, method in klass.methods.items():
                if name in seen:
                    continue
                seen.add(name)
                if id(method) in decorated:
                    found[name] = method
            for name, wrapped in klass.assigned_shim.items():
                if name not in seen and wrapped in klass.methods:
                    seen.add(name)
                    found[name] = klass.methods[wrapped]
        return found

    def tf_function_roots(self) -> Iterator[tuple[Function, ClassInfo | None]]:
        """Every function of the linted module compiled by ``tf.function`` (decorated or applied)."""
        if not self.mentions("function"):
            return
        seen: set[ast.AST] = set()
        root = self.root
        for func in root.all_function_defs():
            if any(root.is_tf_function(d, root.lexical_parent.get(func)) for d in func.decorator_list):
                seen.add(func)
                yield func, root.owner.get(func)
        # `tf.function(f)` applied somewhere (decorator lines are covered above); the text test first: a
        # regex starting with `\b` has no literal prefix to scan for, so it is slow on files without it.
        applied = root.nodes_on_lines(r"\bfunction\(", skip_decorator_lines=True) if root.mentions("function(") else []
        for call, func in applied:
            if not isinstance(call, ast.Call) or not call.args:
                continue
            if api.TF_FUNCTION not in root.names.resolve(call.func, func):
                continue
            target = call.args[0]
            if isinstance(target, ast.Lambda):
                compiled: Function | None = target
            else:
                reach = Reach(shim=func, shim_name="", cls=root.owner.get(func))  # type: ignore[arg-type]
                found = self._callee_of(target, Frame(func, first_param(func), reach, root)) if func else None
                compiled = found.func if found else (
                    root.module_functions.get(target.id) if isinstance(target, ast.Name) else None
                )
            if compiled is not None and compiled not in seen:
                seen.add(compiled)
                yield compiled, root.owner.get(compiled)

    # -- walking shim code ------------------------------------------------------------------------

    def walk_entries(self, entries: list[tuple[FunctionDef, ClassInfo]]) -> None:
        """The same walk from methods that are not shim methods (a context built with ``shim_code=False``):
        what an undecorated `call`/`__call__` runs, with guards and targets (read by TFS116)."""
        self._walk_shim_methods([(method, method, cls) for method, cls in entries])  # type: ignore[misc]

    def _walk_shim_methods(self, entries: list[tuple[FunctionDef, ast.expr, ClassInfo]] | None = None) -> None:
        queue: deque[tuple[Frame, _State]] = deque()
        # Decorated sub-layers used only as other objects' attributes: walked after their callers, under the
        # scopes those callers open around them (a decorated `call` runs in the caller's variable scope).
        deferred: list[tuple[Frame, _State]] = []
        starts: list[tuple[FunctionDef, ast.expr, ClassInfo]] = entries if entries is not None else [
            (method, deco, cls) for method, deco, cls in self.shim_decorated if cls is not None and not is_static(method)
        ]
        # A shim method inherited by a class of this module runs with that class's overrides (`self.body(x)`
        # in a base's decorated `call` runs the subclass's `body`): walk it once per concrete class too.
        for cls in self.classes if entries is None else ():
            if not self._may_inherit_shim(cls):
                continue
            for method in self.shim_methods_of(cls).values():
                defining = self.owner.get(method)
                if defining is not cls and defining is not None and not is_static(method):
                    deco = next((d for f, d, _c in defining.module.shim_decorated if f is method), method)
                    starts.append((method, deco, cls))  # type: ignore[arg-type]
        for method, deco, cls in starts:
            module = cls.module
            self._enter(module)
            reach = Reach(shim=method, shim_name=f"{cls.name}.{method.name}", cls=cls)
            decos = method.decorator_list
            parent = module.lexical_parent.get(method)
            # A tf.function *below* the shim decorator runs the method body inside that tf.function.
            below = decos[decos.index(deco) + 1:] if deco in decos else []
            inner_tf = next((d for d in below if module.is_tf_function(d, parent)), None)
            if inner_tf is not None:
                reach = replace(reach, tf_function=inner_tf)
                if module is self.root:
                    self.tf_functions.append(TfFunctionUse(inner_tf, method, cls, reach))
            # A decorated helper that methods of this module call runs with the arguments of those calls. Keras
            # entry points start with the defaults of their naming parameters (callers rarely pass them); any
            # other method whose callers are not all visible (none found, or also taken as a value) gets
            # unknown parameters: a default does not stand for the value.
            entry = method.name in ("call", "__call__")
            callers = module_callers(self.root)
            calls = [] if entry else callers.calls.get(method.name, [])
            callee = Callee(method, first_param(method), method.name, module)
            empty = Frame(method, None, reach, module)
            # Called in a loop by an undecorated method of its own object: every iteration re-enters the store.
            looped = module is self.root and any(
                self._related(self.owner.get(caller), cls) for caller in self._looped_self_calls().get(method.name, ())
            )
            start = _State(in_loop=True, object_loop=True) if looped else _State()
            starting = {bind_call(call, callee, empty) for call in calls}
            if entry:
                starting = {naming_defaults(method)}
            elif not calls or method.name in callers.values:
                starting.add(())
            if entry and module is self.root and self._used_only_elsewhere(cls):
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
                for scopes in self._sub_layer_scopes.get(frame.reach.cls, set()) or {()}:  # type: ignore[arg-type]
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

    def _used_only_elsewhere(self, cls: ClassInfo) -> bool:
        """A class its own module never names (beyond defining it) that another project module imports and may
        call inside a `variable_scope` it opens. A module that imports it without opening any scope (a training
        script's `Model()(x)`) changes nothing: the class's own walk, from an empty scope stack, is what runs.
        In a tree too large to index, no caller scope is assumed either."""
        if cls.scope is not None or module_callers(self.root).class_refs.get(cls.name, 0) > 0:
            return False
        return self.project is not None and named_elsewhere(
            self.project, self.root, cls.name, also=b"variable_scope", unknown=False
        )

    def _looped_self_calls(self) -> dict[str, list[Function]]:
        """Method name -> the undecorated methods of this module that call ``self.<name>(...)`` in a loop."""
        if self._looped is None:
            self._looped = {}
            decorated = {func for func, _d, _c in self.root.shim_decorated}
            for func in self.root.owner:
                if func in decorated:
                    continue
                for loop in ast.walk(func):
                    if not isinstance(loop, (ast.For, ast.AsyncFor, ast.While)):
                        continue
                    for node in (n for stmt in loop.body for n in ast.walk(stmt)):
                        if isinstance(node, ast.Call) and is_self_attr(node.func, first_param(func)):
                            self._looped.setdefault(node.func.attr, []).append(func)  # type: ignore[union-attr]
        return self._looped

    def _related(self, caller: ClassInfo | None, cls: ClassInfo) -> bool:
        return caller is not None and (caller is cls or caller in self.mro(cls) or cls in self.mro(caller))

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
            body = state._replace(guarded=state.guarded or polarity == "body", arms=_arm(state.arms, stmt, 0))
            orelse = state._replace(guarded=state.guarded or polarity == "orelse", arms=_arm(state.arms, stmt, 1))
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
                    self._expr(later, frame, state._replace(guarded=True), queue, target)
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
        if frame.module is self.root:
            self.tf_functions.append(TfFunctionUse(anchor, target, frame.reach.cls, frame.reach))

    def _call(
        self, call: ast.Call, frame: Frame, state: _State, queue: deque, target: tuple[str, str] | None
    ) -> None:
        module = frame.module
        names = module.names.resolve(call.func, frame.func)
        site = CallSite(call, names, frame.func, frame.reach, state.scopes, state.guarded, state.in_loop, target,
                        state.arms, state.arg_scopes, module, frame.bindings, state.loop_scopes, state.object_loop)
        self.sites.append(site)
        if isinstance(call.func, ast.Call):
            self._applied[call.func] = call  # `tf.function(f)(x)`: the arguments `f` runs with
        if module is not self.root and (call not in self._foreign or self._foreign[call].reach.anchor is None):
            self._foreign[call] = site
        if api.TF_FUNCTION in names:
            compiled = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "func"), None)
            if compiled is not None:
                if isinstance(compiled, ast.Lambda):
                    module.names.register_lambda(compiled, frame.func)
                callee = self._callee_of(compiled, frame)
                target_func = callee.func if callee else (compiled if isinstance(compiled, ast.Lambda) else None)
                self._tf_function_use(call, target_func, frame)
                if callee is not None:
                    # The compiled helper runs in the decorated method's store, with the scopes reset.
                    reach = self._step(frame, call, callee, tf_function=call)
                    applied = self._applied.get(call)
                    bindings = bind_call(applied, callee, frame, bound=isinstance(compiled, ast.Attribute)) if applied else ()
                    queue.append((Frame(callee.func, callee.self_name, reach, callee.module, bindings),
                                  state._replace(scopes=(), loop_scopes=0)))
            return
        if api.GET_OR_CREATE_LAYER in names:
            return  # the builder runs once, by design
        mapped = _mapped(call, frame)
        if mapped is not None:
            # `map(self._f, xs)`: the function runs once per item (a loop, unless `xs` is a literal of one
            # item), with arguments we do not see.
            items = call.args[1] if len(call.args) == 2 else None
            once = isinstance(items, (ast.List, ast.Tuple)) and len(items.elts) <= 1
            for callee in self.callables.callees(mapped, frame):
                reach = self._step(frame, call, callee)
                queue.append((Frame(callee.func, callee.self_name, reach, callee.module), state if once else _looping(state)))
            return
        if names and all(map(api.is_library_name, names)):
            return  # a TensorFlow/Keras/Slim API: known from data, nothing of the project to enter
        callees = self._callees(call, frame)
        for index, callee in enumerate(callees):
            if callee.cls is not None and self.is_shim_function(callee):
                # A sub-layer with its own decorated `call`: walked as a shim method of its own, inside the
                # variable scopes open here; one from another module is walked here, anchored at this call.
                self._sub_layer_scopes.setdefault(callee.cls, set()).add(state.scopes)
                if self.is_foreign(callee.module):
                    self._enter(callee.module)
                    anchor = frame.reach.anchor or (call if frame.module is self.root else None)
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
                # Called again, one object shares its weights by design; one built inline is new each time.
                reach = replace(reach, cls=callee.cls)
                inline = isinstance(call.func, ast.Call) and api.GET_OR_CREATE_LAYER not in module.names.resolve(
                    call.func.func, frame.func)
                if not inline:
                    callee_state = callee_state._replace(object_loop=False)
            if len(callees) > 1:
                callee_state = callee_state._replace(arms=_arm(state.arms, call, index))  # one of several: alternatives
            tf_deco = self._tf_decorator(callee)
            if tf_deco is not None:
                # Entering a tf.function resets the variable scopes.
                reach = replace(reach, tf_function=tf_deco)
                self._tf_function_use(tf_deco, callee.func, frame)
                callee_state = callee_state._replace(scopes=(), loop_scopes=0)
            bindings = bind_call(call, callee, frame, callables=self.callables)
            queue.append((Frame(callee.func, callee.self_name, reach, callee.module, bindings), callee_state))

    def _step(self, frame: Frame, call: ast.Call, callee: Callee, tf_function: ast.AST | None = None) -> Reach:
        """The reach of a callee: one more hop in the chain, anchored where the path leaves the linted module."""
        label = f"`{callee.label}`"
        anchor = frame.reach.anchor
        if callee.module is not frame.module or self.is_foreign(callee.module):
            self._enter(callee.module)
            func = callee.func
            label += f" ({self.display(callee.module)}:{getattr(func, 'lineno', 1)})"
        if anchor is None and self.is_foreign(callee.module) and frame.module is self.root:
            anchor = call
        reach = replace(frame.reach, via=(*frame.reach.via, label), anchor=anchor)
        return replace(reach, tf_function=tf_function) if tf_function is not None else reach

    def _callees(self, call: ast.Call, frame: Frame) -> list[Callee]:
        """The functions a call may run: one, or each a callable value may be (`BLOCKS[kind](x)`, a partial,
        an alias, a loop over a list of methods, a function passed as an argument: see `callables`)."""
        found = self.callables.callees(call.func, frame)
        if not found:
            callee = self._sub_layer_call(call, frame)
            found = [callee] if callee is not None else []
        return found

    def _sub_layer_call(self, call: ast.Call, frame: Frame) -> Callee | None:
        """``self.sub(x)`` where ``__init__`` made ``self.sub = Sub(...)``, or ``get_or_create_layer(key, Sub)(x)``:
        the call runs ``Sub.call`` (or ``__call__``) of a project class."""
        func, module, cls = call.func, frame.module, None
        if is_self_attr(func, frame.self_name) and frame.reach.cls is not None:
            for klass in self.mro(frame.reach.cls):
                ctor = klass.attr_ctors.get(func.attr)  # type: ignore[union-attr]
                if ctor is not None:
                    cls = self._class_of(klass.module, ctor, klass.methods.get("__init__"))
                    break
        elif isinstance(func, ast.Call) and api.GET_OR_CREATE_LAYER in module.names.resolve(func.func, frame.func):
            builder = api.builder_expr(func)
            if isinstance(builder, (ast.Name, ast.Attribute)):
                cls = self._class_of(module, builder, frame.func)
        elif isinstance(func, ast.Call) and isinstance(func.func, (ast.Name, ast.Attribute)):
            cls = self._class_of(module, func.func, frame.func)  # `Adapter()(x)`: built and called inline
        return self._instance_call(cls) if cls is not None else None

    def _instance_call(self, cls: ClassInfo) -> Callee | None:
        """What calling an instance of a project class runs: its `call` (Keras) or `__call__` (tf.Module)."""
        for klass in self.mro(cls):
            for name in ("call", "__call__"):
                method = klass.method(name)
                if method is not None:
                    return Callee(method, first_param(method), f"{cls.name}.{name}", klass.module, cls)
        return None

    def _class_of(self, module: ModuleSummary, expr: ast.expr, func: Function | None) -> ClassInfo | None:
        if isinstance(expr, ast.Name) and not module.names.is_local(expr.id, func) and expr.id in module.class_by_name:
            return module.class_by_name[expr.id]
        return self._project_class(module, expr, func)

    def _callee_of(self, expr: ast.expr, frame: Frame) -> Callee | None:
        """The project function an expression names, with its `self` parameter and a label."""
        module = frame.module
        if isinstance(expr, ast.Name):
            func: Function | None = frame.func
            while func is not None:
                local = module.local_defs.get(func, {}).get(expr.id)
                if local is not None:
                    return Callee(local, frame.self_name, expr.id, module)
                if module.names.binds(func, expr.id):
                    return None
                func = module.parent_function.get(func)
            found = module.module_functions.get(expr.id)
            if found is not None:
                return Callee(found, None, expr.id, module)
            return self._imported(expr, frame)
        if not isinstance(expr, ast.Attribute):
            return None
        owner = expr.value
        classes: list[ClassInfo] = []
        by_class = False
        if isinstance(owner, ast.Name) and frame.self_name and owner.id == frame.self_name:
            classes = self.mro(frame.reach.cls) if frame.reach.cls else []
        elif isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super":
            defining = self.owner.get(frame.func)
            classes = self.mro(defining)[1:] if defining else []
        elif isinstance(owner, ast.Name) and owner.id in module.class_by_name and not module.names.is_local(owner.id, frame.func):
            classes = self.mro(module.class_by_name[owner.id])
            by_class = True
        else:
            return self._imported(expr, frame)
        for cls in classes:
            method = cls.method(expr.attr)
            if method is not None:
                self_name = None if "staticmethod" in plain_decorators(method) else first_param(method)
                if by_class and self_name:
                    self_name = frame.self_name  # `Base.method(self, ...)`
                self._enter(cls.module)
                return Callee(method, self_name, f"{cls.name}.{method.name}", cls.module)
        return None

    def _imported(self, expr: ast.expr, frame: Frame) -> Callee | None:
        """A function or static method of another project module (`ops.block`, `from .ops import block`)."""
        if self.project is None:
            return None
        for path in frame.module.names.targets(expr, frame.func):
            symbol = self.project.lookup(path)
            if symbol is None or symbol.function is None:
                continue
            self._enter(symbol.module)
            owner = symbol.cls.name if symbol.cls is not None else (symbol.module.name or "").rsplit(".", 1)[-1]
            label = f"{owner}.{symbol.function.name}" if owner else symbol.function.name
            return Callee(symbol.function, None, label, symbol.module)
        return None

    def _variable_scope(self, expr: ast.expr, frame: Frame) -> VarScope | None:
        return self.variable_scope(expr, frame.func, dict(frame.bindings), frame.module)

    def variable_scope(
        self,
        expr: ast.expr,
        func: Function,
        bindings: dict[str, Value] | None = None,
        module: ModuleSummary | None = None,
    ) -> VarScope | None:
        module = module or self.module_of(func)
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

    # -- calls outside shim code ------------------------------------------------------------------

    def is_shim_function(self, callee: Callee) -> bool:
        """Whether a function carries the shim decorator (its body runs in its own variable store)."""
        if isinstance(callee.func, ast.Lambda):
            return False
        return any(callee.func is f for f, _d, _c in callee.module.shim_decorated)

    @staticmethod
    def _tf_decorator(callee: Callee) -> ast.expr | None:
        """The `@tf.function` on a callee, if it has one."""
        if not isinstance(callee.func, FUNCTION_DEFS):
            return None
        parent = callee.module.lexical_parent.get(callee.func)
        return next((d for d in callee.func.decorator_list if callee.module.is_tf_function(d, parent)), None)

    def builder_of(self, call: ast.Call, func: Function, cls: ClassInfo | None) -> Callee | None:
        """The project function `get_or_create_layer(key, builder)` runs (once per key) to build its layer."""
        builder = api.builder_expr(call)
        if builder is None:
            return None
        reach = Reach(shim=func, shim_name="", cls=cls)  # type: ignore[arg-type]
        found = self.callables.callees(builder, Frame(func, first_param(func), reach, self.module_of(func)))
        return found[0] if len(found) == 1 else None

    def call_bindings(self, call: ast.Call, callee: Callee, func: Function | None) -> tuple[tuple[str, Value], ...]:
        """The parameter values a call in the linted module (in ``func``, or at module level) gives a callee:
        literals, and functions passed as arguments."""
        reach = Reach(shim=func, shim_name="", cls=self.owner.get(func) if func is not None else None)  # type: ignore[arg-type]
        frame = Frame(func, first_param(func), reach, self.root)  # type: ignore[arg-type]
        return bind_call(call, callee, frame, callables=self.callables)

    def callees_of_call(self, call: ast.Call, func: Function | None) -> list[Callee]:
        """What a call in the linted module runs: project functions, or the `call`/`__call__` of a project
        layer or module called through an instance (`Model()(x)`, `m = Model(); m(x)`)."""
        root = self.root
        owner = self.owner.get(func) if func is not None else None
        reach = Reach(shim=func, shim_name="", cls=owner)  # type: ignore[arg-type]
        frame = Frame(func, first_param(func), reach, root) if func is not None else None
        if frame is not None:
            names = root.names.resolve(call.func, func)
            compiled = call.args[0] if api.TF_FUNCTION in names and call.args else None
            found = self.callables.callees(compiled, frame) if compiled is not None else self._callees(call, frame)
            if found:
                return found
        elif isinstance(call.func, ast.Name) and call.func.id in root.module_functions:
            return [Callee(root.module_functions[call.func.id], None, call.func.id, root)]
        constructor = call.func
        if isinstance(constructor, ast.Name):
            constructor = _assigned_call(root.tree if func is None else func, constructor.id)
        if not isinstance(constructor, ast.Call):
            return []
        cls = self._class_of(root, constructor.func, func) if isinstance(constructor.func, (ast.Name, ast.Attribute)) else None
        callee = self._instance_call(cls) if cls is not None else None
        return [callee] if callee is not None else []

    # -- reachability without state (for "does this function create variables?") ----------------

    def reached_calls(
        self,
        func: Function,
        cls: ClassInfo | None,
        self_name: str | None = None,
        stop_at_shim: bool = False,
        limit: int | None = None,
        stop_at_tf_function: bool = False,
        bindings: tuple[tuple[str, Value], ...] = (),
    ) -> Iterator[tuple[ast.Call, tuple[str, ...], Function]]:
        """Every call in ``func`` and in the project functions it reaches (each function once); with
        ``stop_at_shim``, shim-decorated functions are not entered (their work is the decorator's); with
        ``limit``, at most that many functions are entered (what lies beyond is unknown); with
        ``stop_at_tf_function``, neither are inner tf.functions (decorated or applied); ``bindings``: the
        parameter values ``func`` starts with (see ``call_bindings``)."""
        module = self.module_of(func)
        reach = Reach(shim=func, shim_name="", cls=cls)  # type: ignore[arg-type]
        start = Frame(func, self_name if self_name is not None else first_param(func), reach, module, bindings)
        queue: deque[Frame] = deque([start])
        seen: set[ast.AST] = set()
        while queue:
            frame = queue.popleft()
            if frame.func in seen:
                continue
            if limit is not None and len(seen) >= limit:
                return
            seen.add(frame.func)
            dead = dead_calls(frame.func, dict(frame.bindings)) if frame.bindings else set()
            for node in frame.module.own_calls(frame.func):
                if id(node) in dead:
                    continue  # in a branch a constant argument rules out
                names = frame.module.names.resolve(node.func, frame.func)
                yield node, names, frame.func
                if api.GET_OR_CREATE_LAYER in names or (names and all(map(api.is_library_name, names))
                                                        and api.TF_FUNCTION not in names):
                    continue  # a TensorFlow/Keras/Slim API is never a project function: nothing to enter
                compiled = node.args[0] if api.TF_FUNCTION in names and node.args else None
                if compiled is not None and stop_at_tf_function:
                    continue
                mapped = _mapped(node, frame)
                if compiled is not None or mapped is not None:
                    found = self.callables.callees(compiled or mapped, frame)  # type: ignore[arg-type]
                else:
                    found = self._callees(node, frame)
                for callee in found:
                    if stop_at_shim and self.is_shim_function(callee):
                        continue
                    if stop_at_tf_function and self._tf_decorator(callee) is not None:
                        continue
                    bindings = bind_call(node, callee, frame, callables=self.callables) if compiled is None and mapped is None else ()
                    queue.append(Frame(callee.func, callee.self_name, reach, callee.module, bindings))


def _linearize(cls: ClassInfo, bases_of: Callable[[ClassInfo], list[ClassInfo | None]]) -> list[ClassInfo]:
    """A class and its known bases, left-to-right depth first, each once (unknown bases are skipped)."""
    order: list[ClassInfo] = []
    stack = [cls]
    while stack:
        current = stack.pop()
        if current in order:
            continue
        order.append(current)
        stack.extend(reversed([b for b in bases_of(current) if b is not None and b is not current]))
    return order


def _assigned_call(scope: ast.AST, name: str) -> ast.expr | None:
    """The value of the last plain ``name = <call>`` in a function body or module (not in nested defs)."""
    found = None
    for stmt in getattr(scope, "body", []):
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
            found = stmt.value if isinstance(stmt.value, ast.Call) else None
    return found


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


def _looping(state: _State) -> _State:
    """The state inside a loop body: repeated, with the scopes open so far shared by every iteration."""
    return state._replace(in_loop=True, loop_scopes=len(state.scopes), object_loop=True, item=None)


def _caller_scope(method: Function) -> VarScope:
    """The scope a caller we cannot see may open around a method: unknown, so taken as a named one."""
    node = ast.copy_location(ast.Call(func=ast.Name(id="variable_scope", ctx=ast.Load()), args=[], keywords=[]), method)
    return VarScope(node, named=True, name=None)


def _initialises_base(call: ast.Call) -> bool:
    """`super().__init__(...)`, `Base.__init__(self, ...)`, or the `super()` inside the first."""
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr == "__init__":
        return True
    return isinstance(func, ast.Name) and func.id == "super"


def _mapped(call: ast.Call, frame: Frame) -> ast.expr | None:
    """The function ``map(f, xs)`` applies, when the call is the builtin ``map``."""
    func = call.func
    if isinstance(func, ast.Name) and func.id == "map" and call.args and not frame.module.names.is_local("map", frame.func):
        return call.args[0]
    return None


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
