"""What a call runs: the project functions behind a called expression (a name, a method on ``self`` through
the class model, ``super()``, an import, a callable value), a sub-layer's ``call`` through its instance, the
builder ``get_or_create_layer`` runs, and the functions ``tf.function`` compiles. Shared by the stateful
shim walk (walk.py) and the stateless reachability (reachability.py)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from tf2lint.analysis.body import python_loop_variables
from tf2lint.analysis.callables import ANY_ITEM, Callee, CallableValues
from tf2lint.analysis.classes import ClassModel
from tf2lint.analysis.modules import EnteredModules
from tf2lint.analysis.names import Function
from tf2lint.analysis.sites import Frame, Reach
from tf2lint.analysis.summary import (
    FUNCTION_DEFS, ClassInfo, ModuleSummary, first_param, is_self_attr, plain_decorators, super_method,
)
from tf2lint.analysis.values import Value, bind_call
from tf2lint.knowledge import api


class CallResolver:
    """The callees of calls, over the modules a walk entered (a callee in another module enters it)."""

    def __init__(self, modules: EnteredModules, classes: ClassModel) -> None:
        self._modules = modules
        self._classes = classes
        self.callables = CallableValues(self.callee_of)

    def callees(self, call: ast.Call, frame: Frame) -> list[Callee]:
        """The functions a call may run: one, or each a callable value may be (`BLOCKS[kind](x)`, a partial,
        an alias, a loop over a list of methods, a function passed as an argument: see `callables`)."""
        found = self.callables.callees(call.func, frame)
        if not found:
            callee = self._sub_layer_call(call, frame)
            found = [callee] if callee is not None else []
        return found

    def _sub_layer_call(self, call: ast.Call, frame: Frame) -> Callee | None:
        """``self.sub(x)`` where ``__init__`` made ``self.sub = Sub(...)``, ``get_or_create_layer(key, Sub)(x)``,
        ``Sub()(x)`` or ``sub = Sub()`` then ``sub(x)``: the call runs ``Sub.call`` (or ``__call__``) of a project
        class (for the last two, on an object built on every run: `Callee.built`)."""
        func, module, cls = call.func, frame.module, None
        built: ast.Call | None = None
        each = False
        if is_self_attr(func, frame.self_name) and frame.reach.cls is not None:
            attr = self._classes.attribute(frame.reach.cls, func.attr)  # type: ignore[union-attr]
            for klass in self._classes.mro(frame.reach.cls):
                ctor = klass.attr_ctors.get(attr)
                if ctor is not None:
                    init = klass.methods.get("__init__")
                    cls = self._classes.class_of(klass.module, ctor, init)
                    if cls is None and api.KERAS_SEQUENTIAL.intersection(klass.module.names.resolve(ctor, init)):
                        # `tf.keras.Sequential([Block()])`: its call runs the block's, in the caller's store.
                        cls = self._item_class(attr, frame)
                    break
        elif isinstance(func, ast.Subscript) and is_self_attr(func.value, frame.self_name) and frame.reach.cls:
            cls = self._item_class(func.value.attr, frame)  # type: ignore[attr-defined]  # `self.heads["a"](x)`
            # `for i in range(n): self.blocks[i](x)`: another object in each iteration.
            each = isinstance(func.slice, ast.Name) and frame.func is not None and (
                func.slice.id in python_loop_variables(frame.func, call))
        elif isinstance(func, ast.Call) and api.GET_OR_CREATE_LAYER in module.names.resolve(func.func, frame.func):
            cls = self.builder_class(func, module, frame.func)
        elif isinstance(func, ast.Call) and isinstance(func.func, (ast.Name, ast.Attribute)):
            cls = self._classes.class_of(module, func.func, frame.func)  # `Adapter()(x)`: built and called inline
            built = func
        elif isinstance(func, ast.Name) and frame.func is not None and module.names.is_local(func.id, frame.func):
            # `sub = Sub()` then `sub(x)`: a local the function binds once, to a new object on every run.
            value = self.callables.local_value(func.id, frame.func, module)
            if isinstance(value, ast.Call) and isinstance(value.func, (ast.Name, ast.Attribute)):
                cls = self._classes.class_of(module, value.func, frame.func)
                built = value
            elif isinstance(value, ast.Subscript) and is_self_attr(value.value, frame.self_name) and frame.reach.cls:
                # `for block in self.blocks: block(x)`: each iteration runs another of the objects `__init__` built.
                cls = self._item_class(value.value.attr, frame)  # type: ignore[attr-defined]
                each = isinstance(value.slice, ast.Name) and value.slice.id == ANY_ITEM
        callee = self._classes.instance_call(cls) if cls is not None else None
        return callee._replace(built=built, each=each) if callee is not None else None

    def _item_class(self, attr: str, frame: Frame) -> ClassInfo | None:
        """The one project class of the objects `self.<attr>` holds (see `ClassInfo.item_ctors`)."""
        for klass in self._classes.mro(frame.reach.cls):
            items = klass.items_built(attr)
            if items is None:
                continue
            classes = {self._classes.class_of(klass.module, ctor, items.method) for ctor in items.ctors}
            return classes.pop() if len(classes) == 1 else None
        return None

    def callee_of(self, expr: ast.expr, frame: Frame) -> Callee | None:
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
            classes = self._classes.mro(frame.reach.cls) if frame.reach.cls else []
        elif super_method(expr) is not None:
            defining = self._modules.owner.get(frame.func)
            classes = self._classes.mro(defining)[1:] if defining else []
        elif isinstance(owner, ast.Name) and owner.id in module.class_by_name and not module.names.is_local(owner.id, frame.func):
            classes = self._classes.mro(module.class_by_name[owner.id])
            by_class = True
        else:
            return self._imported(expr, frame)
        for cls in classes:
            method = cls.method(expr.attr)
            if method is not None and "property" in plain_decorators(method):
                return None  # `self.prop(x)` calls what the property returns, not its getter
            if method is not None:
                self_name = None if "staticmethod" in plain_decorators(method) else first_param(method)
                if by_class and self_name:
                    self_name = frame.self_name  # `Base.method(self, ...)`
                self._modules.enter(cls.module)
                return Callee(method, self_name, f"{cls.name}.{method.name}", cls.module)
        return None

    def _imported(self, expr: ast.expr, frame: Frame) -> Callee | None:
        """A function or static method of another project module (`ops.block`, `from .ops import block`)."""
        if self._modules.project is None:
            return None
        for path in frame.module.names.targets(expr, frame.func):
            symbol = self._modules.project.lookup(path)
            if symbol is None or symbol.function is None:
                continue
            self._modules.enter(symbol.module)
            owner = symbol.cls.name if symbol.cls is not None else (symbol.module.name or "").rsplit(".", 1)[-1]
            label = f"{owner}.{symbol.function.name}" if owner else symbol.function.name
            return Callee(symbol.function, None, label, symbol.module)
        return None

    def builder_class(self, call: ast.Call, module: ModuleSummary, func: Function | None) -> ClassInfo | None:
        """The project class `get_or_create_layer(key, Sub)` is given as its builder (a class of ``module``, which
        holds the call, or of one it imports): its layer is that class's object."""
        builder = api.builder_expr(call)
        return self._classes.class_of(module, builder, func) if isinstance(builder, (ast.Name, ast.Attribute)) else None

    def builder_of(self, call: ast.Call, func: Function, cls: ClassInfo | None) -> Callee | None:
        """The project function `get_or_create_layer(key, builder)` runs (once per key) to build its layer."""
        builder = api.builder_expr(call)
        if builder is None:
            return None
        reach = Reach(shim=func, shim_name="", cls=cls)  # type: ignore[arg-type]
        module = self._modules.module_of(func)
        found = self.callables.callees(builder, Frame(func, module.object_name(func), reach, module))
        return found[0] if len(found) == 1 else None

    def call_bindings(self, call: ast.Call, callee: Callee, func: Function | None) -> tuple[tuple[str, Value], ...]:
        """The parameter values a call in the linted module (in ``func``, or at module level) gives a callee:
        literals, and functions passed as arguments."""
        reach = Reach(shim=func, shim_name="", cls=self._modules.owner.get(func) if func is not None else None)  # type: ignore[arg-type]
        frame = Frame(func, first_param(func), reach, self._modules.root)  # type: ignore[arg-type]
        mapped = mapped_function(call, frame) if func is not None else None
        if mapped is not None:  # `map(f, xs)` calls f with one item of each iterable: nothing the call spells
            call = ast.Call(func=mapped, args=[ast.Name(id="<item>", ctx=ast.Load()) for _ in call.args[1:]], keywords=[])
        return bind_call(call, callee, frame, callables=self.callables)

    def callees_of_call(self, call: ast.Call, func: Function | None) -> list[Callee]:
        """What a call in the linted module runs: project functions (also the one `tf.function(f)` compiles or
        `map(f, xs)` applies, as the walk enters them), or the `call`/`__call__` of a project layer or module
        called through an instance (`Model()(x)`, `m = Model(); m(x)`)."""
        root = self._modules.root
        owner = self._modules.owner.get(func) if func is not None else None
        reach = Reach(shim=func, shim_name="", cls=owner)  # type: ignore[arg-type]
        frame = Frame(func, first_param(func), reach, root) if func is not None else None
        if frame is not None:
            names = root.names.resolve(call.func, func)
            compiled = call.args[0] if api.TF_FUNCTION in names and call.args else mapped_function(call, frame)
            found = self.callables.callees(compiled, frame) if compiled is not None else self.callees(call, frame)
            if found:
                return found
        elif isinstance(call.func, ast.Name) and call.func.id in root.module_functions:
            return [Callee(root.module_functions[call.func.id], None, call.func.id, root)]
        constructor = call.func
        if isinstance(constructor, ast.Name):
            constructor = _assigned_call(root.tree if func is None else func, constructor.id)
        if not isinstance(constructor, ast.Call):
            return []
        cls = self._classes.class_of(root, constructor.func, func) if isinstance(constructor.func, (ast.Name, ast.Attribute)) else None
        callee = self._classes.instance_call(cls) if cls is not None else None
        return [callee] if callee is not None else []

    def tf_function_roots(self) -> Iterator[tuple[Function, ClassInfo | None]]:
        """Every function of the linted module compiled by ``tf.function`` (decorated or applied)."""
        if not self._modules.root.mentions("function"):
            return
        seen: set[ast.AST] = set()
        root = self._modules.root
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
                found = self.callee_of(target, Frame(func, first_param(func), reach, root)) if func else None
                compiled = found.func if found else (
                    root.module_functions.get(target.id) if isinstance(target, ast.Name) else None
                )
            if compiled is not None and compiled not in seen:
                seen.add(compiled)
                yield compiled, root.owner.get(compiled)


def tf_decorator(callee: Callee) -> ast.expr | None:
    """The `@tf.function` on a callee, if it has one."""
    return callee.module.tf_function_decorator(callee.func) if isinstance(callee.func, FUNCTION_DEFS) else None


def traced_by(callee: Callee) -> ast.AST | None:
    """The `tf.function` a callee runs traced in when called: its `@tf.function`, or the `tf.function(f)` call a
    local holds it through (`step = tf.function(self._step)`, `Callee.compiled`); None when it runs untraced."""
    return tf_decorator(callee) or callee.compiled


def mapped_function(call: ast.Call, frame: Frame) -> ast.expr | None:
    """The function ``map(f, xs)`` applies, when the call is the builtin ``map``."""
    func = call.func
    if isinstance(func, ast.Name) and func.id == "map" and call.args and not frame.module.names.is_local("map", frame.func):
        return call.args[0]
    return None


def _assigned_call(scope: ast.AST, name: str) -> ast.expr | None:
    """The value of the last plain ``name = <call>`` in a function body or module (not in nested defs)."""
    found = None
    for stmt in getattr(scope, "body", []):
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == name for t in stmt.targets):
            found = stmt.value if isinstance(stmt.value, ast.Call) else None
    return found
