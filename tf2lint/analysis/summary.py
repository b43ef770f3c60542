"""One module -> the facts the shim walk needs: its classes, functions, templates and shim methods.

A summary is built from one parsed module and its name resolution; it never looks at other modules
itself. The project (``project.py``) builds summaries on demand for the modules a walk reaches, and
the shim walk (``walk.py``) moves between them.
"""

from __future__ import annotations

import ast
import re
import weakref
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import NamedTuple

from tf2lint.analysis.names import Function, Names, flatten_blocks, walk_expr, dotted
from tf2lint.knowledge import api
from tf2lint.source import Lines, finds, is_word_char, line_starts, lines_at

FUNCTION_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)
FunctionDef = ast.FunctionDef | ast.AsyncFunctionDef

# Any spelling that resolves to the shim decorator names it (or a project alias of it) in the source.
_SHIM_WORDS = ("track_tf1_style_variables", "tf2lint")
# The methods that give an object its attributes before its first call, in the order they run: `__init__`, then
# Keras' `build` (run once, before the first call; measured: a sub-layer built there runs in the shim store that
# calls it).
SETUP_METHODS = ("__init__", "build")


class ItemsBuilt(NamedTuple):
    """A list, tuple, dict or `tf.keras.Sequential` of sub-layers an attribute is given (`ClassInfo.items_built`)."""

    ctors: list[ast.expr]  # the constructor expression of each item (`Block`); one for a comprehension
    value: ast.expr  # the value assigned (a call only when it is a one-argument `tf.keras.Sequential`)
    method: FunctionDef  # where: `__init__`, or Keras' `build`


@dataclass(eq=False)
class ClassInfo:
    node: ast.ClassDef
    # Its module, held weakly: the module holds its classes, and a strong reference back would make every
    # summary a reference cycle that only the garbage collector frees (a tenth of a corpus run).
    module_ref: weakref.ref[ModuleSummary]
    scope: Function | None = None  # the function the class is defined in: its bases resolve there
    methods: dict[str, FunctionDef] = field(default_factory=dict)
    templates: dict[str, ast.Call] = field(default_factory=dict)  # class-level make_template(...)
    # `call = track(_forward)` in the class body: the method name -> the decorated function's name.
    assigned_shim: dict[str, str] = field(default_factory=dict)
    _shared_attrs: dict[str, ast.Call] | None = None
    _attr_types: dict[str, tuple[str, ...]] | None = None
    _attr_classes: dict[str, tuple[str, ...]] | None = None
    _attr_ctors: dict[str, ast.expr] | None = None
    _item_ctors: dict[str, ItemsBuilt | None] = field(default_factory=dict)

    @property
    def module(self) -> ModuleSummary:
        module = self.module_ref()
        assert module is not None, "a class is used only while its module's summary is alive"
        return module

    @property
    def name(self) -> str:
        return self.node.name

    def method(self, name: str) -> FunctionDef | None:
        """What ``name`` runs in this class's own body: a `def`, or the function decorated by assignment."""
        found = self.methods.get(name)
        if found is None and name in self.assigned_shim:
            found = self.methods.get(self.assigned_shim[name])
        return found

    def property_attr(self, name: str) -> str | None:
        """`@property def name(self): return self.<attr>` in the class's body: attr (reading the property reads
        the attribute, so `self.name(x)` calls what `self.<attr>` holds), else None."""
        method = self.methods.get(name)
        if method is None or "property" not in plain_decorators(method):
            return None
        body = method.body[1:] if ast.get_docstring(method) is not None else method.body
        if len(body) == 1 and isinstance(body[0], ast.Return) and is_self_attr(body[0].value, first_param(method)):
            return body[0].value.attr  # type: ignore[union-attr]
        return None

    @property
    def setup_methods(self) -> list[FunctionDef]:
        """The class's own `SETUP_METHODS`, in order."""
        return [self.methods[name] for name in SETUP_METHODS if name in self.methods]

    def item_ctors(self, attr: str) -> list[ast.expr] | None:
        """`self.<attr> = [Block(...) for ...]` (or a list, tuple or dict of constructions, or a
        `tf.keras.Sequential` of them) in `__init__` (or in `build`), and nowhere else in the class a store to it or a method call on it
        (`self.<attr>.append(...)`): the constructor expression (`Block`) of each item; None otherwise."""
        found = self.items_built(attr)
        return found.ctors if found is not None else None

    def items_built(self, attr: str) -> ItemsBuilt | None:
        """What `item_ctors` reads: the constructors, the value assigned and the method assigning it."""
        if attr not in self._item_ctors:
            self._item_ctors[attr] = self._find_item_ctors(attr)
        return self._item_ctors[attr]

    def _find_item_ctors(self, attr: str) -> ItemsBuilt | None:
        items: list[ast.expr] = []
        assigned: ast.expr | None = None
        where: FunctionDef | None = None
        for where in self.setup_methods:
            receiver = first_param(where)
            for stmt in flatten_blocks(where.body):
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and is_self_attr(stmt.targets[0], receiver) \
                        and stmt.targets[0].attr == attr:  # type: ignore[attr-defined]
                    value = assigned = stmt.value
                    if isinstance(value, ast.Call) and len(value.args) == 1 and not value.keywords and \
                            api.KERAS_SEQUENTIAL.intersection(self.module.names.resolve(value.func, where)):
                        value = value.args[0]  # `tf.keras.Sequential([Block()])` calls each in turn
                    items = [value.elt] if isinstance(value, ast.ListComp) else value.elts if isinstance(
                        value, (ast.List, ast.Tuple)) else value.values if isinstance(value, ast.Dict) else []  # type: ignore[assignment]
                    break
            if assigned is not None:
                break
        if not items or assigned is None or not all(isinstance(item, ast.Call) for item in items):
            return None
        # (Only then is every method read:) that assignment is the attribute's one store, and no method is called on it.
        stores = 0
        for method in self.methods.values():
            receiver = first_param(method)
            for node in ast.walk(method):
                if isinstance(node, ast.Attribute) and node.attr == attr and is_self_attr(node, receiver) and (
                        not isinstance(node.ctx, ast.Load)):
                    stores += 1
                    if method is not where or stores > 1:
                        return None
                elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and is_self_attr(
                        node.func.value, receiver) and node.func.value.attr == attr:  # type: ignore[attr-defined]
                    return None
        return ItemsBuilt([item.func for item in items], assigned, where)  # type: ignore[arg-type, attr-defined]

    @property
    def reads_store_regularizers(self) -> bool:
        """A method reads ``<obj>._tf1_style_var_store._regularizers``: where the shim keeps a `tf.Module`'s
        regularization callables (its API doc names it; tf-keras's shim tests read it through a base class)."""
        if not self.module.mentions("_tf1_style_var_store"):
            return False
        return any(
            isinstance(node, ast.Attribute) and node.attr == "_regularizers"
            and isinstance(node.value, ast.Attribute) and node.value.attr == "_tf1_style_var_store"
            for method in self.methods.values() for node in ast.walk(method)
        )

    @property
    def shared_attrs(self) -> dict[str, ast.Call]:
        """``self.x = <module-level template>`` in ``__init__``."""
        if self._shared_attrs is None:
            self.module.index_init_attrs(self)
        return self._shared_attrs  # type: ignore[return-value]

    @property
    def attr_ctors(self) -> dict[str, ast.expr]:
        """``self.x = Ctor(...)`` in ``__init__``: attribute -> the constructor expression (``Ctor``)."""
        if self._attr_ctors is None:
            self.module.index_init_attrs(self)
        return self._attr_ctors  # type: ignore[return-value]

    @property
    def attr_classes(self) -> dict[str, tuple[str, ...]]:
        """``self.norm_cls = tf.keras.layers.LayerNormalization`` in ``__init__``: the attribute holds a class."""
        if self._attr_classes is None:
            self.module.index_init_attrs(self)
        return self._attr_classes  # type: ignore[return-value]

    @property
    def attr_types(self) -> dict[str, tuple[str, ...]]:
        """``self.x = Ctor(...)`` in ``__init__``: attribute -> canonical names of the constructor."""
        if self._attr_types is None:
            self.module.index_init_attrs(self)
        return self._attr_types  # type: ignore[return-value]


class ModuleSummary:
    """Facts about one module. ``name`` is its dotted module name when known (for relative imports and
    messages), ``path`` the file it was read from."""

    def __init__(
        self,
        tree: ast.Module,
        source: str | None = None,
        path: str = "<string>",
        name: str | None = None,
        package: str | None = None,
        shim_decorators: tuple[str, ...] = (),
        chase: Callable[[str], tuple[str, ...]] | None = None,
        imports_project: Callable[[ModuleSummary], bool] | None = None,
        names: tuple[Names, dict] | None = None,
        mentioned: dict[str, bool] | None = None,
    ) -> None:
        """``names``: the module's name resolution built already (by the triage), with the dict of lexical
        parents it reads, which the summary fills; ``mentioned``: the triage's word tests of ``source``."""
        self.tree = tree
        self.path = path
        self.name = name
        self._source = source
        self._lines = Lines(source) if source is not None else None  # split on first use
        self._def_lines: list[int] | None = None
        self._newlines: list[int] | None = None  # offsets where the source's lines 2, 3, ... start
        self._mentions: dict[str, bool] = mentioned if mentioned is not None else {}
        # Facts later analyses derive from this module alone (its callers, ...), kept with it and freed with it.
        self.derived: dict[str, object] = {}
        if names is not None:
            self.names, self.lexical_parent = names
        else:
            self.lexical_parent = {}  # filled by _index, read lazily by names
            self.names = Names(tree, self.lexical_parent, package=package, chase=chase)
        self.extra_shim_decorators = frozenset(shim_decorators)
        self.classes: list[ClassInfo] = []
        self.class_by_name: dict[str, ClassInfo] = {}
        self.owner: dict[ast.AST, ClassInfo] = {}  # method -> class it is defined in
        self.parent_function: dict[ast.AST, Function] = {}  # nested function -> enclosing function
        self.module_functions: dict[str, FunctionDef] = {}
        self.module_templates: dict[str, ast.Call] = {}
        self.local_defs: dict[ast.AST, dict[str, FunctionDef]] = {}
        self._shim_decorated: list[tuple[FunctionDef, ast.expr, ClassInfo | None]] | None = None
        self._own_calls: dict[ast.AST, list[ast.Call]] = {}
        self._imports_project = imports_project
        self._index()

    @property
    def shim_decorated(self) -> list[tuple[FunctionDef, ast.expr, ClassInfo | None]]:
        """Every function carrying a shim decorator, wherever it is: (function, decorator, class or None).
        Found on first use: a module read only to follow a name never resolves its decorators."""
        if self._shim_decorated is None:
            self._shim_decorated = []
            shim_words = (*_SHIM_WORDS, *(d.rsplit(".", 1)[-1] for d in self.extra_shim_decorators))
            if self.mentions(*shim_words) or self.may_use_project():
                self._index_shim_methods()
            self._shim_decorated.sort(key=lambda item: (item[0].lineno, item[0].col_offset))
        return self._shim_decorated

    @property
    def source(self) -> str | None:
        return self._source

    def release(self) -> None:
        """Forget the classes of a summary no one reads again. Classes point back at their module, so
        without this the module and its AST are freed by the cyclic garbage collector, late and at a cost
        (a pass over the whole tree), instead of by reference counting as soon as the last user is done."""
        self.classes.clear()
        self.class_by_name.clear()
        self.owner.clear()

    # -- cheap text gates -----------------------------------------------------------------------

    def mentions(self, *words: str) -> bool:
        """Whether the source contains any of these words: a cheap gate before a walk of the whole module.
        True when the source is unknown."""
        if self._source is None:
            return True
        for word in words:
            if word not in self._mentions:
                self._mentions[word] = word in self._source
            if self._mentions[word]:
                return True
        return False

    def may_use_project(self) -> bool:
        """Whether names of this module may lead into other project modules (so text gates can't decide)."""
        return self._imports_project is not None and self._imports_project(self)

    def line_of(self, offset: int) -> int:
        """1-based line of a source offset."""
        if self._newlines is None:
            self._newlines = line_starts(self._source or "")
        return bisect_right(self._newlines, offset) + 1

    def lines_of(self, offsets: list[int]) -> list[int]:
        """1-based lines of ascending source offsets, counted between them when no line ends with a lone
        carriage return: a file asks for a few lines, and listing where all its lines start cost more."""
        source = self._source or ""
        if self._newlines is not None or "\r" in source:
            return [self.line_of(offset) for offset in offsets]  # (the line starts it keeps)
        return list(lines_at(source, offsets))

    # -- names ------------------------------------------------------------------------------------

    def resolve(self, node: ast.AST, func: Function | None = None) -> tuple[str, ...]:
        return self.names.resolve(node, func)

    def is_builtin(self, name: str, func: Function | None = None) -> bool:
        """``name`` is Python's own where ``func`` reads it: neither an import, an assignment, a function nor a
        class of the module rebinds it (nor may a `global` statement or an assignment expression)."""
        return (
            name not in self.module_functions and name not in self.class_by_name
            and self.names.is_builtin(name, func) and not self.mentions("global ", "global\t", ":=")
        )

    def is_shim_decorator(self, deco: ast.expr, func: Function | None = None) -> bool:
        target = deco.func if isinstance(deco, ast.Call) else deco
        if api.SHIM_DECORATOR in self.names.resolve(target, func):
            return True
        if not self.extra_shim_decorators:
            return False
        spelled = dotted(target)
        candidates = set(self.names.paths(target, func))
        if spelled:
            candidates.add(".".join(spelled))
        return bool(candidates & self.extra_shim_decorators)

    def is_tf_function(self, deco: ast.expr, func: Function | None = None) -> bool:
        target = deco.func if isinstance(deco, ast.Call) else deco
        return api.TF_FUNCTION in self.names.resolve(target, func)

    def tf_function_decorator(self, func: Function) -> ast.expr | None:
        """The `@tf.function` on a function of this module, resolved where its decorators are written."""
        parent = self.lexical_parent.get(func)
        return next((d for d in getattr(func, "decorator_list", ()) if self.is_tf_function(d, parent)), None)

    def object_name(self, func: Function | None) -> str | None:
        """The name the object has in ``func``: the first parameter of the method ``func`` is, or is nested in
        (a closure sees the method's `self`). None in module functions and static methods: unknown there."""
        while func is not None:
            cls = self.owner.get(func)
            if cls is not None and cls.methods.get(getattr(func, "name", "")) is func:
                return None if is_static(func) else first_param(func)  # type: ignore[arg-type]
            func = self.parent_function.get(func)
        return None

    # -- queries over the module ------------------------------------------------------------------

    def all_function_defs(self) -> Iterator[FunctionDef]:
        yield from self.module_functions.values()
        for cls in self.classes:
            yield from cls.methods.values()
        for func in self.parent_function:
            if isinstance(func, FUNCTION_DEFS):
                yield func

    def own_calls(self, func: Function) -> list[ast.Call]:
        """Calls in a function's own body (not in the functions or lambdas nested in it), in source order.
        Kept per function: searches from many classes and rules enter the same helpers."""
        calls = self._own_calls.get(func)
        if calls is None:
            roots = [func.body] if isinstance(func, ast.Lambda) else own_statements(func)
            calls = self._own_calls[func] = [
                node for root in roots for node in walk_expr(root) if isinstance(node, ast.Call)
            ]
        return calls

    @cached_property
    def graph_mode(self) -> bool:
        """The module switches TF to graph mode (``disable_v2_behavior()``): TF1 code, where collections work."""
        switches = "|".join(name.rsplit(".", 1)[1] for name in api.GRAPH_MODE_SWITCHES)
        return any(
            isinstance(node, ast.Call) and set(self.names.resolve(node.func, func)) & api.GRAPH_MODE_SWITCHES
            for node, func in self.nodes_on_lines(switches)
        )

    def nodes_on_lines(
        self, pattern: str, skip_decorator_lines: bool = False
    ) -> list[tuple[ast.Call | ast.Assign, Function | None]]:
        """Calls and assignments spanning a line where the regex ``pattern`` matches, with their enclosing
        function, in source order. Only the parts of the tree around those lines are walked."""
        if self._source is None or self._lines is None:
            targets: list[int] | None = None
        else:
            words = _literal_words(pattern)
            literal = _after_boundary(pattern)
            if literal is not None:
                # `\bword(`: the literal found by str.find, then the boundary checked (a regex starting with
                # `\b` has no literal prefix to scan for, so it is slow on large files).
                offsets = [o for o in finds(self._source, literal) if o == 0 or not is_word_char(self._source[o - 1])]
                lines = set(self.lines_of(offsets))
            elif words is not None:
                # A plain alternation of words: str.find is several times faster than the regex engine
                # on an alternation, and most files contain none of the words.
                lines = set(self.lines_of(sorted(o for word in words if self.mentions(word) for o in finds(self._source, word))))
            else:
                lines = set(self.lines_of([m.start() for m in re.finditer(pattern, self._source)]))
            if skip_decorator_lines:
                lines = {n for n in lines if not self._lines[n - 1].lstrip().startswith("@")}
            if not lines:
                return []
            targets = sorted(lines)
        found: list[tuple[ast.Call | ast.Assign, Function | None]] = []
        stack: list[tuple[ast.AST, Function | None]] = [(self.tree, None)]
        while stack:
            node, func = stack.pop()
            for child in ast.iter_child_nodes(node):
                if targets is not None and hasattr(child, "lineno"):
                    first = min([child.lineno, *(d.lineno for d in getattr(child, "decorator_list", ()))])
                    index = bisect_left(targets, first)
                    if index == len(targets) or targets[index] > (child.end_lineno or child.lineno):
                        continue
                if isinstance(child, ast.Lambda):
                    self.names.register_lambda(child, func)
                if isinstance(child, (ast.Call, ast.Assign)):
                    found.append((child, func))
                stack.append((child, child if isinstance(child, (*FUNCTION_DEFS, ast.Lambda)) else func))
        found.sort(key=lambda item: (item[0].lineno, item[0].col_offset))
        return found

    # -- indexing ---------------------------------------------------------------------------------

    def _index(self) -> None:
        templates = self.mentions("make_template")
        stack: list[tuple[ast.AST, Function | None, ClassInfo | None]] = [(self.tree, None, None)]
        while stack:
            node, enclosing, cls = stack.pop()
            body = getattr(node, "body", [])
            if not isinstance(body, list):
                continue
            direct = {id(stmt) for stmt in body}
            unsure: set[str] = set()  # names of this block a conditional definition may have rebound
            for stmt in flatten_blocks(body):
                if isinstance(stmt, ast.ClassDef):
                    info = ClassInfo(stmt, weakref.ref(self), scope=enclosing)
                    self.classes.append(info)
                    _define(self.class_by_name, stmt.name, info, id(stmt) in direct, unsure)
                    stack.append((stmt, enclosing, info))
                elif isinstance(stmt, FUNCTION_DEFS):
                    self.lexical_parent[stmt] = enclosing
                    if node is self.tree:
                        _define(self.module_functions, stmt.name, stmt, id(stmt) in direct, unsure)
                    if isinstance(node, ast.ClassDef) and cls is not None:
                        _define(cls.methods, stmt.name, stmt, id(stmt) in direct, unsure)
                        self.owner[stmt] = cls
                    elif enclosing is not None:
                        self.parent_function[stmt] = enclosing
                        _define(self.local_defs.setdefault(enclosing, {}), stmt.name, stmt, id(stmt) in direct, unsure)
                        if enclosing in self.owner:
                            self.owner.setdefault(stmt, self.owner[enclosing])
                    if self._may_nest(stmt):
                        stack.append((stmt, stmt, cls if isinstance(node, ast.ClassDef) else None))
                elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) and templates:
                    self._index_template(stmt, node, cls)
        self.classes.sort(key=lambda c: (c.node.lineno, c.node.col_offset))

    def _index_shim_methods(self) -> None:
        assert self._shim_decorated is not None
        found = self._shim_decorated
        for func in self.all_function_defs():
            cls = self.owner.get(func) if func in self.owner and self.owner[func].methods.get(func.name) is func else None
            for deco in func.decorator_list:
                if self.is_shim_decorator(deco, self.lexical_parent.get(func)):
                    found.append((func, deco, cls))
                    break
        # Decoration by assignment in a class body: `call = track(_forward)`.
        for cls in self.classes:
            for stmt in cls.node.body:
                if not (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call) and stmt.value.args):
                    continue
                wrapped = stmt.value.args[0]
                if not isinstance(wrapped, ast.Name) or wrapped.id not in cls.methods:
                    continue
                if not self.is_shim_decorator(stmt.value, cls.scope):
                    continue
                for target in stmt.targets:
                    if isinstance(target, ast.Name):
                        cls.assigned_shim[target.id] = wrapped.id
                method = cls.methods[wrapped.id]
                if all(method is not f for f, _d, _c in found):
                    found.append((method, stmt.value, cls))

    def _may_nest(self, func: FunctionDef) -> bool:
        """Whether a function's body may define functions or classes (checked on its text: cheap, and
        conservative since strings and comments count)."""
        if self._source is None or not func.body or func.end_lineno is None:
            return True
        lines = self._lines_with_defs()
        index = bisect_left(lines, func.body[0].lineno)
        return index < len(lines) and lines[index] <= func.end_lineno

    def _lines_with_defs(self) -> list[int]:
        """The lines where ``def`` or ``class`` and a blank appear, in order. Found with str.find and
        newline counts: splitting every module into lines cost more than the rest of the summary."""
        if self._def_lines is None:
            source = self._source or ""
            words = ("def ", "class ", "def\t", "class\t") if "\t" in source else ("def ", "class ")
            self._def_lines = self.lines_of(sorted(o for word in words for o in finds(source, word)))
        return self._def_lines

    def _index_template(self, stmt: ast.Assign, holder: ast.AST, cls: ClassInfo | None) -> None:
        if api.MAKE_TEMPLATE not in self.names.resolve(stmt.value.func):  # type: ignore[union-attr]
            return
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                if holder is self.tree:
                    self.module_templates[target.id] = stmt.value  # type: ignore[assignment]
                elif isinstance(holder, ast.ClassDef) and cls is not None:
                    cls.templates[target.id] = stmt.value  # type: ignore[assignment]

    def index_init_attrs(self, cls: ClassInfo) -> None:
        """What the class's `setup_methods` set attributes to, `__init__`'s first."""
        cls._shared_attrs, cls._attr_types, cls._attr_classes, cls._attr_ctors = {}, {}, {}, {}
        for method in cls.setup_methods:
            self._index_attrs(cls, method)

    def _index_attrs(self, cls: ClassInfo, method: FunctionDef) -> None:
        self_name = first_param(method)
        for stmt in flatten_blocks(method.body):
            if not isinstance(stmt, ast.Assign):
                continue
            attrs = [t.attr for t in stmt.targets if is_self_attr(t, self_name)]  # type: ignore[union-attr]
            if not attrs:
                continue
            if isinstance(stmt.value, ast.Name) and not self.names.is_local(stmt.value.id, method):
                template = self.module_templates.get(stmt.value.id)
                if template is not None:
                    cls.shared_attrs.update(dict.fromkeys(attrs, template))
            elif isinstance(stmt.value, ast.Call):
                cls._attr_ctors.update(dict.fromkeys(attrs, stmt.value.func))  # type: ignore[union-attr]
                ctor = self.names.resolve(stmt.value.func, method)
                if ctor:
                    cls.attr_types.update(dict.fromkeys(attrs, ctor))
            if isinstance(stmt.value, (ast.Name, ast.Attribute)):
                held = self.names.resolve(stmt.value, method)
                if held:
                    cls.attr_classes.update(dict.fromkeys(attrs, held))


@lru_cache(maxsize=64)
def _after_boundary(pattern: str) -> str | None:
    r"""``word`` for a pattern ``\bword`` made of a word boundary and literal text, else None."""
    if not pattern.startswith(r"\b") or not pattern[2:3].isidentifier():
        return None
    literal = re.sub(r"\\(.)", r"\1", pattern[2:])
    return literal if re.escape(literal) == pattern[2:] else None


@lru_cache(maxsize=64)
def _literal_words(pattern: str) -> tuple[str, ...] | None:
    """The words of a pattern that is only an alternation of literal words (``a|b_c``), else None."""
    words = tuple(pattern.split("|"))
    return words if all(word and re.fullmatch(r"\w+", word) for word in words) else None


def own_statements(func: Function) -> Iterator[ast.AST]:
    """Expressions and simple statements of a function body, not those of nested defs/classes."""
    for stmt in flatten_blocks(func.body):  # type: ignore[arg-type]
        if isinstance(stmt, (*FUNCTION_DEFS, ast.ClassDef)):
            continue
        for child in ast.iter_child_nodes(stmt):
            if isinstance(child, ast.expr):
                yield child
            elif isinstance(child, ast.withitem):
                yield child.context_expr


def first_param(func: Function | None) -> str | None:
    if func is None:
        return None
    params = [*func.args.posonlyargs, *func.args.args]
    return params[0].arg if params else None


def plain_decorators(func: FunctionDef) -> set[str]:
    """The decorators written as a bare name (`staticmethod`, `property`, ...)."""
    return {d.id for d in func.decorator_list if isinstance(d, ast.Name)}


def is_static(func: FunctionDef) -> bool:
    """A static or class method: its first parameter is not the object."""
    return not plain_decorators(func).isdisjoint(("staticmethod", "classmethod"))


def super_method(node: ast.AST) -> str | None:
    """`super().<name>` (or `super(Cls, self).<name>`): name, the method of the next class along the MRO."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Call) and isinstance(node.value.func, ast.Name) \
            and node.value.func.id == "super":
        return node.attr
    return None


def is_self_attr(node: ast.AST, self_name: str | None) -> bool:
    return (
        self_name is not None
        and isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == self_name
    )


def _define(table: dict, name: str, value: object, direct: bool, unsure: set[str]) -> None:
    """Bind ``name`` in a block's table as running the block leaves it (calls run after the module has): a
    later definition replaces an earlier one; one under a condition (`if`, `try`, a loop) may not run, so a
    name it would redefine is not known (absent) until an unconditional definition binds it again."""
    if direct:
        unsure.discard(name)
        table[name] = value
    elif name in unsure:
        return
    elif name in table:
        del table[name]
        unsure.add(name)
    else:
        table[name] = value
