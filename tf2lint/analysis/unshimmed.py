"""What Keras' `call` and `tf.Module.__call__` run on every call when no shim is involved at all.

An entry method Keras or `tf.Module` runs itself, undecorated and not reached from shim code, that builds a
weight-owning object (a Keras layer or model, a `tf.Variable`, a `tf.Module`) or calls `self.add_weight`
on every call makes new weights each call (TFS116). The shim walk (walk.py) is reused from those entry
methods, so guards, targets and the helpers on `self` are read exactly as for shim code. A cheap syntactic
test first keeps the walk to the classes that could have such a call (most `call`s build nothing).
"""

from __future__ import annotations

import ast
from collections import deque

from tf2lint.analysis.callables import literal_getattr
from tf2lint.analysis.classes import ENTRY_METHODS, ENTRY_NAMES
from tf2lint.analysis.context import CallSite, ModuleContext
from tf2lint.analysis.names import PARTIAL, Function, flatten_blocks
from tf2lint.analysis.summary import ClassInfo, FunctionDef, ModuleSummary, first_param, is_self_attr, super_method
from tf2lint.knowledge import api

_HELPER_LIMIT = 24  # methods on `self` looked through from one entry method; beyond, unknown (silent)


def per_call_sites(ctx: ModuleContext) -> tuple[ModuleContext, list[CallSite]] | None:
    """The walk from the module's undecorated entry methods (None when no class may build weights per call),
    and its calls written in this module (in a method of the entry's class or a base, or in a module function)
    or in a module-level function of another module that the walk entered from this one."""
    if ctx.graph_mode:
        return None  # TF1 graph code: `call` builds the graph once
    entries = [(method, cls) for cls in ctx.classes for method in [_entry(ctx, cls)] if method is not None]
    if not entries:
        return None
    walk = ModuleContext(ctx.root, ctx.project, shim_code=False)
    walk.walk_entries(entries)
    sites = []
    for site in walk.sites:
        if site.reach.cls is None:
            continue
        if site.module is not ctx.root:
            # A function of another module the entry reaches (`make_block(x)`): reported at the call that left this one.
            name = getattr(site.func, "name", None)
            if site.reach.anchor is not None and name is not None and site.module.module_functions.get(name) is site.func:
                sites.append(site)
            continue
        owner = walk.owner.get(site.func)
        if owner is not None and owner in walk.mro(site.reach.cls) or owner is None and _module_function(ctx, site.func):
            sites.append(site)
    return walk, sites


def _module_function(ctx: ModuleContext, func: ast.AST) -> bool:
    """A function defined at the module's top level (or nested in one)."""
    while func in ctx.parent_function:
        func = ctx.parent_function[func]
    name = getattr(func, "name", None)
    return name is not None and ctx.module_functions.get(name) is func


def owns_weights(ctx: ModuleContext, cls: ClassInfo) -> bool:
    """A project class that builds weights itself (a weight-owning object, `add_weight`, a TF1 creator, a v1 RNN
    cell, a project subclass of a v1 layer class)."""
    for klass in ctx.mro(cls):
        for method in klass.methods.values():
            for call in klass.module.own_calls(method):
                if is_self_attr(call.func, first_param(method)) and call.func.attr in api.ADD_WEIGHT:  # type: ignore[union-attr]
                    return True
                names = klass.module.names.resolve(call.func, method)
                if any(api.tracked_object_kind(n) or api.creates_tf1_variables(n) or api.v1_rnn_cell_base_name(n)
                       for n in names):
                    return True
                built = project_class(ctx, klass.module, call, method) if _called_word(call)[:1].isupper() else None
                if built is not None and ctx.v1_layer_base(built) is not None:
                    return True
    return False


def _called_word(call: ast.Call) -> str:
    """The last word of what a call names (`Dense` of `layers.Dense(...)`); "" for anything else. A capitalised
    one is a construction: the only calls looked up as project classes."""
    target = call.func
    return target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""


def _entry(ctx: ModuleContext, cls: ClassInfo) -> FunctionDef | None:
    """The class's undecorated `call` (Keras) / `__call__` (tf.Module), its own or inherited from a class of this
    module, when what it runs may build weights."""
    for name in ENTRY_NAMES:
        # An inherited one runs with this class's overrides (`self.body(x)` in a base's `call`).
        resolved = ctx.resolved_method(cls, name, local=True)
        method = resolved[1] if resolved is not None else None
        if method is None or method.decorator_list or method in ctx.reached or name in cls.assigned_shim:
            continue  # any decorator may wrap the shim (or a tf.function): unknown
        # The class's kind first: TFS107 asked for it already (it is memoized); the search for a build is not cheap.
        if ENTRY_METHODS.get(ctx.class_kind(cls)) == name and _may_build(ctx, cls, method) and not ctx.shim_methods_of(cls):
            return method  # (an object with shim methods: its creations are the shim walk's, TFS106)
    return None


def _may_build(ctx: ModuleContext, cls: ClassInfo, method: FunctionDef) -> bool:
    """A test over the entry method and the methods on `self` it calls (and the functions its local names hold,
    and the project functions it calls, of its module or one it imports), before any walk: a capitalised call
    (the only ones resolved) that constructs a weight-owning object, or `self.add_weight`."""
    mro = ctx.mro(cls)
    queue: deque[tuple[Function, ClassInfo, ModuleSummary]] = deque([(method, cls, cls.module)])
    seen = {method}
    selves: dict[Function, str | None] = {}  # a lambda -> the `self` of the method it is written in
    while queue and len(seen) <= _HELPER_LIMIT:
        func, klass, module = queue.popleft()
        self_name = module.object_name(func) if func in module.owner else selves.get(func)  # (a closure: its method's)
        for call in module.own_calls(func):
            target, name = call.func, _called_word(call)
            helpers: list[tuple[Function, ClassInfo, ModuleSummary]] = []
            read = literal_getattr(target, module, func)
            looked_up = read.attr if read is not None and is_self_attr(read, self_name) else None
            if looked_up is not None:
                name = looked_up  # `getattr(self, "_block")(x)` runs `self._block`
            if is_self_attr(target, self_name) or looked_up is not None:
                if name in api.ADD_WEIGHT or any(name in k.attr_classes for k in mro):
                    return True  # (`self.norm_cls()`: a class stored by `__init__`; the walk tells which)
                owner = next((k for k in mro if name in k.methods), None)
                helpers = [(owner.methods[name], owner, owner.module)] if owner is not None else []
            elif super_method(target) is not None and klass in mro:
                # `super()._block(x)`: the method of the classes after this one in the object's MRO.
                owner = next((k for k in mro[mro.index(klass) + 1:] if name in k.methods), None)
                helpers = [(owner.methods[name], owner, owner.module)] if owner is not None else []
            elif name[:1].isupper() and name not in api.STATELESS_KERAS_LAYERS and _builds_weights(ctx, module, call, func):
                return True
            else:
                helpers = [(f, klass, module) for f in _module_functions_named(module, call, func)]
                local = target.value if isinstance(target, ast.Subscript) else target  # `blocks[0](x)`: a local table
                nested = module.local_defs.get(func, {}).get(local.id) if isinstance(local, ast.Name) else None
                if nested is not None and local is target:
                    helpers = [(nested, klass, module)]  # `def _block(x): ...` in the method, then `_block(x)`
                elif not helpers and isinstance(local, ast.Name) and module.names.is_local(local.id, func):
                    helpers = [(f, k, module) for f, k in _local_callables(module, func, local.id, klass, mro, self_name)]
                    selves.update((f, self_name) for f, _k, _m in helpers if isinstance(f, ast.Lambda))
                if not helpers:
                    helpers = _imported_functions(ctx, module, call, func, klass)
            # A method handed to another call (`tf.function(self._block)(x)`, `map(self._f, xs)`).
            for arg in call.args:
                handed = arg.attr if is_self_attr(arg, self_name) else None  # type: ignore[attr-defined]
                owner = next((k for k in mro if handed in k.methods), None) if handed else None
                if owner is not None:
                    helpers.append((owner.methods[handed], owner, owner.module))
            for helper in helpers:
                if helper[0] not in seen:
                    seen.add(helper[0])
                    queue.append(helper)
    return False


def _imported_functions(
    ctx: ModuleContext, module: ModuleSummary, call: ast.Call, func: Function, klass: ClassInfo
) -> list[tuple[Function, ClassInfo, ModuleSummary]]:
    """The project function of another module a call names (`make_block(x)`, `blocks.make(x)`), when the
    project is known; library names are not looked up."""
    if ctx.project is None or not isinstance(call.func, (ast.Name, ast.Attribute)):
        return []
    found = []
    for path in module.names.resolve(call.func, func):
        if api.is_library_name(path + "."):
            continue
        symbol = ctx.project.lookup(path)
        if symbol is not None and symbol.kind == "function" and symbol.function is not None:
            found.append((symbol.function, klass, symbol.module))
    return found


def _local_callables(
    module: ModuleSummary, func: Function, name: str, klass: ClassInfo, mro: list[ClassInfo], self_name: str | None
) -> list[tuple[Function, ClassInfo]]:
    """What a local name of ``func`` may run when called: `fn = block` (a module-level function), `fn = self._block`
    (a method), `fn = lambda t: ...`, or any of those in a literal list, tuple or dict bound to it (`blocks[0](x)`)
    or looped over (`for fn in [self._block]:`); any other value is unknown (silent)."""
    found: list[tuple[Function, ClassInfo]] = []
    for stmt in flatten_blocks(func.body) if not isinstance(func, ast.Lambda) else ():
        if isinstance(stmt, (ast.For, ast.AsyncFor)) and isinstance(stmt.target, ast.Name) and stmt.target.id == name \
                and isinstance(stmt.iter, (ast.List, ast.Tuple)):
            table = stmt.iter.elts  # `for stage in [self._stem, self._block]:` runs each
        elif isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
            value = stmt.value
            table = value.values if isinstance(value, ast.Dict) else getattr(value, "elts", [value])
        else:
            continue
        for item in table:
            found.extend(_callable_value(module, func, item, klass, mro, self_name))  # type: ignore[arg-type]
    return found


def _callable_value(
    module: ModuleSummary, func: Function, value: ast.expr, klass: ClassInfo, mro: list[ClassInfo],
    self_name: str | None,
) -> list[tuple[Function, ClassInfo]]:
    """The function a value names: a lambda, a module-level function, a method of the object."""
    if isinstance(value, ast.Lambda):
        return [(value, klass)]
    if isinstance(value, ast.Name) and value.id in module.module_functions:
        return [] if module.names.is_local(value.id, func) else [(module.module_functions[value.id], klass)]
    if is_self_attr(value, self_name):
        owner = next((k for k in mro if value.attr in k.methods), None)  # type: ignore[attr-defined]
        return [(owner.methods[value.attr], owner)] if owner is not None else []  # type: ignore[attr-defined]
    return []


def _module_functions_named(module: ModuleSummary, call: ast.Call, func: FunctionDef) -> list[FunctionDef]:
    """Module-level functions a call may run: `block(x)`, `BLOCKS["main"](x)` (a module-level table)."""
    target = call.func
    if isinstance(target, ast.Subscript):
        target = target.value
        if not isinstance(target, ast.Name) or module.names.is_local(target.id, func):
            return []
        tables = [stmt.value for stmt in module.tree.body if isinstance(stmt, ast.Assign)
                  and any(isinstance(t, ast.Name) and t.id == target.id for t in stmt.targets)]
        names = [value.id for table in tables for value in ast.walk(table) if isinstance(value, ast.Name)]
    elif isinstance(target, ast.Name) and not module.names.is_local(target.id, func):
        names = [target.id, *_partial_of(module, target.id)]
    else:
        return []
    return [module.module_functions[n] for n in names if n in module.module_functions]


def _partial_of(module: ModuleSummary, name: str) -> list[str]:
    """The function a module-level `name = functools.partial(fn, ...)` binds (`BLOCK(x)` runs `fn`)."""
    found = []
    for stmt in module.tree.body:
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets) \
                and isinstance(stmt.value, ast.Call) and stmt.value.args and isinstance(stmt.value.args[0], ast.Name) \
                and PARTIAL in module.names.resolve(stmt.value.func, None):
            found.append(stmt.value.args[0].id)
    return found


def _builds_weights(ctx: ModuleContext, module: ModuleSummary, call: ast.Call, func: Function) -> bool:
    """A capitalised call in ``module`` that constructs a weight-owning TF/Keras object or a project layer or
    module (of that module or one it imports)."""
    if any(api.tracked_object_kind(n) for n in module.names.resolve(call.func, func)):
        return True
    cls = project_class(ctx, module, call, func)
    return cls is not None and ctx.class_kind(cls) in ("keras", "module")


def project_class(ctx: ModuleContext, module: ModuleSummary, call: ast.Call, func: Function) -> ClassInfo | None:
    """The project class a call constructs (`Sub(...)`, `helpers.Sub(...)`), of ``module`` or one it imports."""
    target = call.func
    return ctx.class_of(module, target, func) if isinstance(target, (ast.Name, ast.Attribute)) else None
