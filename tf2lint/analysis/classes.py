"""The class model: each class's bases across the project's modules, its method resolution order, what kind
of object it is (Keras layer, ``tf.Module``, ...), which of its methods carry the shim, and what calling an
instance of it runs."""

from __future__ import annotations

import ast
from collections.abc import Callable

from tf2lint.analysis.callables import Callee
from tf2lint.analysis.modules import EnteredModules
from tf2lint.analysis.names import Function
from tf2lint.analysis.sites import CallSite
from tf2lint.analysis.summary import ClassInfo, FunctionDef, ModuleSummary, first_param
from tf2lint.knowledge import api

# The method Keras (a layer's `call`) or `tf.Module` (`__call__`) runs when an object of a class of that kind
# (`ClassModel.class_kind`) is called.
ENTRY_METHODS = {"keras": "call", "module": "__call__"}
ENTRY_NAMES = tuple(ENTRY_METHODS.values())  # either, when the class's kind does not matter


class ClassModel:
    """Class queries over the modules a walk entered (a class of another module is entered when looked up)."""

    def __init__(self, modules: EnteredModules) -> None:
        self._modules = modules
        self._kinds: dict[ClassInfo, str] = {}
        self._mros: dict[ClassInfo, list[ClassInfo]] = {}
        self._subclasses: dict[ClassInfo, list[ClassInfo]] | None = None
        self._functions: dict[ClassInfo, list[Function]] | None = None

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
        if self._modules.project is None:
            return None
        for path in module.names.targets(expr, func):
            symbol = self._modules.project.lookup(path)
            if symbol is not None and symbol.kind == "class" and symbol.cls is not None:
                self._modules.enter(symbol.module)
                return symbol.cls
        return None

    def mro(self, cls: ClassInfo) -> list[ClassInfo]:
        """Project classes in method resolution order (left-to-right depth first, no repeats). Kept per
        class: every `self.x` the walks resolve asks for it. Read-only."""
        found = self._mros.get(cls)
        if found is None:
            found = self._mros[cls] = _linearize(cls, self.base_classes)
        return found

    def attribute(self, cls: ClassInfo, name: str) -> str:
        """The attribute `self.<name>` reads on an instance of ``cls``: the one a property defined first along
        the MRO returns (`ClassInfo.property_attr`), else ``name``."""
        for klass in self.mro(cls):
            if name in klass.methods:
                return klass.property_attr(name) or name
        return name

    def local_mro(self, cls: ClassInfo) -> list[ClassInfo]:
        """The same, through the bases defined in the class's own module only (no other module is read)."""
        return _linearize(cls, lambda c: [c.module.class_by_name.get(b.id) for b in c.node.bases if isinstance(b, ast.Name)])

    def resolved_method(self, cls: ClassInfo, name: str, local: bool = False) -> tuple[ClassInfo, FunctionDef] | None:
        """What an instance of ``cls`` runs as ``name``, with the class that defines it: the first class along
        the MRO (``local``: through bases of the class's own module only) with a `def name`, or with the shim
        applied by assignment (`call = track(_impl)` runs `_impl`); None when no project class defines it."""
        for klass in self.local_mro(cls) if local else self.mro(cls):
            method = klass.method(name)
            if method is not None:
                return klass, method
        return None

    def object_class(self, func: Function, cls: ClassInfo | None) -> ClassInfo | None:
        """The class of the object ``func`` runs on when reached from an object of class ``cls``: ``cls`` when
        ``func`` is a module-level function or a method defined along ``cls``'s MRO (a base's or a mixin's
        method runs on the subclass's object, whose overrides `self.x` finds), else ``func``'s own class (a
        method of another object, such as a sub-layer)."""
        owner = self._modules.owner.get(func)
        if owner is None or cls is not None and any(klass is owner for klass in self.mro(cls)):
            return cls if cls is not None else owner
        return owner

    def subclasses(self, cls: ClassInfo) -> list[ClassInfo]:
        """Classes of the linted module that have ``cls`` in their MRO (itself excluded), in source order. The
        map is built in one pass over the module's classes (linear in their MROs), the first time it is asked."""
        if self._subclasses is None:
            self._subclasses = {}
            for other in self._modules.root.classes:
                for klass in self.mro(other):
                    if klass is not other:
                        self._subclasses.setdefault(klass, []).append(other)
        return list(self._subclasses.get(cls, ()))

    def functions_of(self, cls: ClassInfo) -> list[Function]:
        """The functions of the linted module defined in ``cls``: its methods and the functions nested in them."""
        if self._functions is None:
            self._functions = {}
            for func, owner in self._modules.root.owner.items():
                self._functions.setdefault(owner, []).append(func)  # type: ignore[arg-type]
        return self._functions.get(cls, [])

    def v1_layer_base(self, cls: ClassInfo) -> str | None:
        """The v1 layer class (`tf.compat.v1.layers.BatchNormalization`) a project class derives from, if any."""
        for klass in self.mro(cls):
            for base in klass.node.bases:
                found = next((n for n in klass.module.names.resolve(base, klass.scope) if api.is_v1_layer_class(n)), None)
                if found is not None:
                    return found
        return None

    def class_called(self, site: CallSite) -> ClassInfo | None:
        """The project class a call names (`Block(...)`, `layers.Block(...)`), if any."""
        module = site.module or self._modules.root
        func = site.node.func
        if isinstance(func, ast.Name) and not module.names.is_local(func.id, site.func):
            local = module.class_by_name.get(func.id)
            if local is not None:
                return local
        if isinstance(func, (ast.Name, ast.Attribute)):
            return self._project_class(module, func, site.func)
        return None

    def _compute_kind(self, cls: ClassInfo) -> str:
        kinds: list[str] = []
        for base, project_class in zip(cls.node.bases, self.base_classes(cls)):
            resolved = [api.module_base_kind(name) for name in cls.module.names.resolve(base, cls.scope)]
            found = next((k for k in resolved if k), None)
            if found:
                # A library base the project also holds (linting tf-keras itself: its `base_layer.Layer` is a
                # `tf.Module` subclass there) is what the library says it is.
                kinds.append(found)
            elif project_class is not None:
                kinds.append(self.class_kind(project_class))
            elif isinstance(base, ast.Name) and base.id == "object":
                kinds.append("object")
            else:
                kinds.append("unknown")
        for kind in ("keras", "module", "keras3", "unknown"):
            if kind in kinds:
                return kind
        return "object"

    def may_inherit_shim(self, cls: ClassInfo, depth: int = 0) -> bool:
        """A text gate before reading base classes' modules: some base is in this module, or in a project
        module whose text could spell the shim decorator (``track...``, ``tf2lint``, a configured name)."""
        words = (b"track", b"tf2lint", *(d.rsplit(".", 1)[-1].encode() for d in self._modules.root.extra_shim_decorators))
        for base in cls.node.bases:
            local = cls.module.class_by_name.get(base.id) if isinstance(base, ast.Name) else None
            if local is not None and local is not cls:
                if depth < 8 and (any(local is f_cls for _f, _d, f_cls in local.module.shim_decorated)
                                  or local.assigned_shim or self.may_inherit_shim(local, depth + 1)):
                    return True
                continue
            if self._modules.project is None:
                continue
            for path in cls.module.names.paths(base, cls.scope):
                module = path
                while module and self._modules.project.file_of(module) is None:
                    module = module.rpartition(".")[0]
                if module and any(self._modules.project.mentions(module, word) for word in words):
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

    def instance_call(self, cls: ClassInfo) -> Callee | None:
        """What calling an instance of a project class runs: its `call` (Keras) or `__call__` (tf.Module)."""
        for klass in self.mro(cls):
            for name in ENTRY_NAMES:
                method = klass.method(name)
                if method is not None:
                    return Callee(method, first_param(method), f"{cls.name}.{name}", klass.module, cls)
        return None

    def class_of(self, module: ModuleSummary, expr: ast.expr, func: Function | None) -> ClassInfo | None:
        if isinstance(expr, ast.Name) and not module.names.is_local(expr.id, func) and expr.id in module.class_by_name:
            return module.class_by_name[expr.id]
        return self._project_class(module, expr, func)


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


def is_shim_function(callee: Callee) -> bool:
    """Whether a function carries the shim decorator (its body runs in its own variable store)."""
    if isinstance(callee.func, ast.Lambda):
        return False
    return any(callee.func is f for f, _d, _c in callee.module.shim_decorated)
