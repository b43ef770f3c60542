"""What the objects a shim call reaches hold: the values a class gives `self.<attr>` (and its dict caches), which
of them are templates, v1 layer objects or native Keras layers, and which sub-layer object a call runs."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from tf2lint.analysis.context import CallSite, ModuleContext
from tf2lint.analysis.names import Function
from tf2lint.analysis.scope_names import (
    NOT_LITERAL, argument_of, builds_object, creates_variables, join_scope, literal_value,
)
from tf2lint.analysis.summary import ClassInfo, ModuleSummary, first_param, is_self_attr, is_static, super_method
from tf2lint.knowledge import api


class HeldObjects:
    """The part of `variable_walk.ClassModel` that reads what objects hold (a mixin: it uses the walk's state)."""

    def _instance(self, site: CallSite, prefix: str) -> tuple:
        """Which sub-layer object a call runs: `self.<attr>` of the running object, an item of one under a known
        key or bound by an unrolled loop over it, the one `get_or_create_layer` keeps under a literal key in this
        scope, else a new one."""
        _, instance = self._owner()
        func = site.node.func
        attr = receiver_attr(func, self._holder(site.func), self.ctx) if isinstance(func, ast.Attribute) else None
        if attr is not None:
            return (*instance, "self", attr)
        if isinstance(func, ast.Subscript) and isinstance(func.value, ast.Attribute):  # `self.heads["a"]`, `self.blocks[0]`
            held = receiver_attr(func.value, self._holder(site.func), self.ctx)
            key = literal_value(func.slice)
            if key is NOT_LITERAL and isinstance(func.slice, ast.Name):
                key = self.locals.get(func.slice.id, NOT_LITERAL)  # `self.blocks[i]` in an unrolled loop
            if held is not None and isinstance(key, (str, int)) and not isinstance(key, bool):
                return (*instance, "item", held, key)
        item = self.loop_items.get((id(site.func), func.id)) if isinstance(func, ast.Name) else None
        if item is not None:  # `for block in self.blocks: block(x)`, unrolled
            return (*instance, "item", item.attr, item.index)
        if isinstance(func, ast.Call) and api.GET_OR_CREATE_LAYER in self.ctx.resolve(func.func, site.func):
            text = self._text(argument_of(func, "name", 0), site)
            if text is not None and text[0] == "str":
                return ("layers", join_scope(prefix, text[1]))
        self.fresh += 1
        return ("new", self.fresh)

    def _owner(self) -> tuple[ClassInfo, tuple]:
        """The object whose method runs: this one, or the sub-layer whose undecorated call it entered."""
        return (self.selves[-1], self.instances[-1]) if self.selves else (self.cls, ())

    def _inits(self, cls: ClassInfo) -> dict[str, ast.Call]:
        if cls not in self.init_calls:
            self.init_calls[cls] = init_calls(cls)
        return self.init_calls[cls]

    def _attribute_values(self, cls: ClassInfo) -> dict[tuple[str, bool], list[tuple[ast.expr, Function]] | None]:
        if cls not in self.attribute_values:
            self.attribute_values[cls] = attribute_values(self.ctx, cls)
        return self.attribute_values[cls]

    def _set_once(self, attr: str, cls: ClassInfo) -> bool:
        """`self.<attr>` is given an object only by its constructor in `__init__` (other values: None)."""
        return _one_object(self._attribute_values(cls).get((attr, False)))

    def _held(self, expr: ast.expr, site: CallSite) -> tuple[tuple, ast.Call, tuple[str, ...], str | None] | None:
        """The one template or v1 layer object ``expr`` holds: a module-level template, or `self.<attr>` set to
        one `make_template(...)` / v1 layer constructor (and otherwise only to None) in the class's methods,
        directly or through one item of a dict cache (`self.c["k"]`, every item of it set and read by that
        literal key). (key, the constructor call, its canonical names, a v1 subclass' name base)."""
        shared = self.ctx.shared_template(site)
        if shared is not None:
            return ("template", id(shared)), shared, (api.MAKE_TEMPLATE,), None
        owner, instance = self._owner()
        attr = receiver_attr(expr, self._holder(site.func), self.ctx)
        values = self._attribute_values(owner).get((attr, False)) if attr is not None else None
        key: tuple = (*instance, "self", attr)
        if values and len(values) == 1 or values and all(is_none(v) for v, _ in values[1:]):
            # `self.x = self.c["k"]`: the item the cache holds
            first, method = values[0]
            if isinstance(first, ast.Subscript) and literal_value(first.slice) is not NOT_LITERAL:
                cache = receiver_attr(first.value, method, self.ctx)
                items = self._attribute_values(owner).get((cache, True)) if cache is not None else None
                if items is not None and self._one_key(owner, cache, literal_value(first.slice)):  # type: ignore[arg-type]
                    values, key = items, (*instance, "item", cache)
        made = [(v, f) for v, f in values or () if isinstance(v, ast.Call)]
        if not values or not made or any(not isinstance(v, ast.Call) and not is_none(v) for v, _ in values):
            return None
        # Built in several places, all one constructor written alike in one function (the same block under a
        # create-once guard, repeated under `reuse=True`): whichever runs builds the same object.
        if len(made) > 1 and not all(f is made[0][1] and _alike(v, made[0][0]) for v, f in made[1:]):
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
                            node.value.attr == cache and literal_value(node.slice) != key:  # type: ignore[attr-defined]
                        return False
        return True

    def _inert(self, site: CallSite) -> bool:
        """`Sub()` of `Sub()(x)`: a project class whose construction runs no call but `super().__init__(...)` and
        library calls that create nothing (its call is followed where it is called)."""
        module, func = site.module or self.ctx.root, site.node.func
        if not isinstance(func, ast.Name) or module.names.is_local(func.id, site.func):
            return False
        cls = module.class_by_name.get(func.id)
        if cls is None and site.node in self.inline:  # a class of another module: the one its call runs
            callees = self.ctx.callees_of_call(self.inline[site.node], site.func)
            cls = callees[0].cls if len(callees) == 1 else None
        return cls is not None and self._inert_class(cls)

    def _inert_class(self, cls: ClassInfo) -> bool:
        for klass in self.ctx.mro(cls):
            init = klass.methods.get("__init__")
            for call in klass.module.own_calls(init) if init is not None else ():
                names = klass.module.names.resolve(call.func, init)
                if not (super_init(call) or names and all(api.is_library_name(n) for n in names) and (
                        not creates_variables(names) or builds_object(names))):
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
            return self._native(expr.func, func, depth + 1) or native_layer_class(self.ctx.resolve(expr.func, func))
        if isinstance(expr, ast.Name):
            built = [s for sites in self.by_node.values() for s in sites
                     if s.func is func and s.target == ("local", expr.id)]
            return bool(built) and all(native_layer_class(s.names) for s in built) and not rebound(func, expr.id, len(built))
        owner, _ = self._owner()
        item = isinstance(expr, ast.Subscript)
        attr = receiver_attr(expr.value if item else expr, self._holder(func), self.ctx)  # type: ignore[union-attr]
        if attr is None:
            return False
        held = owner.attr_classes.get(attr)
        if held and not item:
            return native_layer_class(held)
        values = self._attribute_values(owner).get((attr, item))
        return values is not None and bool(values) and all(self._native(v, f, depth + 1) for v, f in values)

    def _v1_object(self, ctor: ast.Call, where: Function,
                   module: ModuleSummary | None) -> tuple[tuple[str, ...], str | None] | None:
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


def is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def super_init(call: ast.Call) -> bool:
    """`super().__init__(...)` (or its `super()`)."""
    func = call.func
    return isinstance(func, ast.Name) and func.id == "super" and not call.args or super_method(func) == "__init__"


def native_layer_class(names: tuple[str, ...]) -> bool:
    """Canonical names of a native Keras layer class (tf-keras' `tf.keras.layers.Dense`), not a v1 one."""
    return bool(names) and all(
        n.startswith(("tf.keras.layers.", "keras.layers.")) and n.rsplit(".", 1)[-1][:1].isupper()
        and not api.is_v1_layer_class(n) and not creates_variables((n,)) for n in names)


def receiver_attr(expr: ast.expr, func: Function, ctx: ModuleContext) -> str | None:
    """`self.<attr>` in a method of a class: attr (the receiver is the method's first parameter; a property
    returning `self.<other>` reads other)."""
    method = func
    # A function nested in a method (a closure: `self` is the method's) has the method's class as its owner too.
    while method is not None and not _is_method(ctx, method):
        method = ctx.parent_function.get(method)
    owner = ctx.owner.get(method) if method is not None else None
    if owner is None or is_static(method):  # type: ignore[arg-type]
        return None
    return ctx.attribute(owner, expr.attr) if is_self_attr(expr, first_param(method)) else None  # type: ignore[union-attr]


@dataclass(frozen=True)
class HeldItem:
    """The item at ``index`` of the list or tuple of sub-layers kept in ``attr``: a loop variable's value."""

    attr: str
    index: int


def held_items(cls: ClassInfo, attr: str) -> tuple[HeldItem, ...] | None:
    """The items of `self.<attr>`, in order, when `__init__` sets it to a list or tuple of constructions of a known
    length (`[Block(), Block()]`, `[Block() for _ in range(2)]`; at most 8) and nothing else changes it
    (`ClassInfo.item_ctors`); else None."""
    built = cls.items_built(attr)
    value = built.value if built is not None else None
    count: object = None
    if isinstance(value, (ast.List, ast.Tuple)):
        count = len(value.elts)
    elif isinstance(value, ast.ListComp) and len(value.generators) == 1 and not value.generators[0].ifs:
        loop = value.generators[0].iter
        if isinstance(loop, ast.Call) and isinstance(loop.func, ast.Name) and loop.func.id == "range" and len(
                loop.args) == 1 and not loop.keywords and not cls.module.names.is_local("range", built.method):  # type: ignore[union-attr]
            count = literal_value(loop.args[0])
    if isinstance(count, int) and not isinstance(count, bool) and 0 <= count <= 8:
        return tuple(HeldItem(attr, index) for index in range(count))
    return None


def sequential_of_one(cls: ClassInfo, attr: str) -> bool:
    """`self.<attr> = tf.keras.Sequential([Block()])` in `__init__` (or `build`): one project sub-layer, whose call
    the Sequential's runs (`ClassInfo.items_built`, whose only call values are such Sequentials)."""
    built = cls.items_built(attr)
    value = built.value if built is not None else None
    items = value.args[0] if isinstance(value, ast.Call) else None
    return isinstance(items, (ast.List, ast.Tuple)) and len(items.elts) == 1


def _one_object(values: list[tuple[ast.expr, Function]] | None) -> bool:
    return values is not None and sum(not is_none(v) for v, _ in values) == 1


def distinct_objects(ctx: ModuleContext, cls: ClassInfo, first: tuple, second: tuple) -> bool:
    """Whether two sub-layer keys of ``cls``'s object (`HeldObjects._instance`) are surely two objects: two of its
    attributes each given one object by a project class's constructor in `__init__` (`self.a = Block()`,
    `self.b = Block()`), or two literal keys of one attribute `__init__` (or `build`) sets to a list, tuple or dict
    of such constructions (`self.heads["a"]`, `self.heads["b"]`; list indexes counted from the front)."""
    if first == second or len(first) != len(second) or first[:1] != second[:1]:
        return False
    init = cls.methods.get("__init__")
    if first[0] == "self" and len(first) == 2 and init is not None:
        ctors = init_calls(cls)
        values = attribute_values(ctx, cls)
        return all(attr in ctors and ctx.class_of(cls.module, ctors[attr].func, init) is not None
                   and _one_object(values.get((attr, False))) for attr in (first[1], second[1]))
    if first[0] == "item" and len(first) == 3 and first[1] == second[1]:
        keys = (first[2], second[2])
        items = cls.items_built(first[1])
        same_kind = all(isinstance(k, str) for k in keys) or all(isinstance(k, int) and k >= 0 for k in keys)
        return same_kind and items is not None and all(
            ctx.class_of(cls.module, ctor, items.method) is not None for ctor in items.ctors)
    return False


def _is_method(ctx: ModuleContext, func: Function) -> bool:
    owner = ctx.owner.get(func)
    return owner is not None and owner.methods.get(getattr(func, "name", "")) is func


def attribute_values(ctx: ModuleContext, cls: ClassInfo) -> dict[tuple[str, bool], list[tuple[ast.expr, Function]] | None]:
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


def _alike(first: ast.expr, second: ast.expr) -> bool:
    """The same expression, written at two places."""
    return ast.dump(first) == ast.dump(second)


def rebound(func: Function, name: str, constructed: int) -> bool:
    """``name`` is assigned in ``func`` other than by the ``constructed`` constructor calls the walk saw."""
    bound = 0
    for node in ast.walk(func):
        if isinstance(node, ast.Name) and node.id == name and isinstance(node.ctx, (ast.Store, ast.Del)):
            bound += 1
        elif isinstance(node, ast.arg) and node.arg == name:
            return True
    return bound != constructed


def init_calls(cls: ClassInfo) -> dict[str, ast.Call]:
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
