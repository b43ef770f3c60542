"""One pass over a module: classes, shim methods, and every call reached from a shim method.

Code is "in a shim context" when it runs inside a method decorated with the shim
(``track_tf1_style_variables``): the method's own body and whatever it reaches in this module —
methods called on ``self`` (also through in-module base classes and ``super()``), module-level
functions and nested functions. Each reached call is recorded once per distinct state with the
``variable_scope`` stack of its call path, whether a create-once guard protects it, and the
``tf.function`` it runs inside, if any. Rules read these records; they never walk the tree again.
"""

from __future__ import annotations

import ast
import re
from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import NamedTuple

from tf2lint.knowledge import api
from tf2lint.source import line_starts, split_lines
from tf2lint.analysis.names import Function, Names, _flatten_blocks, _walk_expr, dotted

FUNCTION_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef)


@dataclass(eq=False)
class ClassInfo:
    node: ast.ClassDef
    scope: Function | None = None  # the function the class is defined in: its bases resolve there
    methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = field(default_factory=dict)
    templates: dict[str, ast.Call] = field(default_factory=dict)  # class-level make_template(...)
    shared_attrs: dict[str, ast.Call] = field(default_factory=dict)  # self.x = <module-level template>
    attr_types: dict[str, tuple[str, ...]] = field(default_factory=dict)  # self.x = Ctor(...) in __init__

    @property
    def name(self) -> str:
        return self.node.name


@dataclass(frozen=True)
class VarScope:
    """A ``variable_scope`` opened around code. ``named`` scopes give auto-named layers a stable prefix."""

    node: ast.Call
    named: bool
    name: str | None  # the literal name, when there is one


@dataclass(frozen=True)
class Reach:
    """How a function body is reached from a shim method."""

    shim: ast.FunctionDef | ast.AsyncFunctionDef
    shim_name: str  # "Class.method"
    cls: ClassInfo | None
    via: tuple[str, ...] = ()  # helpers between the shim method and this code
    tf_function: ast.AST | None = None  # the tf.function this code runs inside

    def describe(self) -> str:
        via = self.via if len(self.via) <= 4 else (*self.via[:2], "...", self.via[-1])
        chain = "".join(f" via `{name}`" if name != "..." else " via ..." for name in via)
        return f"`{self.shim_name}`{chain}"


@dataclass(frozen=True)
class CallSite:
    """A call executed in a shim context, with the state of the path that reaches it."""

    node: ast.Call
    names: tuple[str, ...]  # canonical names of the callee
    func: Function  # the function whose body holds the call
    reach: Reach
    scopes: tuple[VarScope, ...]
    guarded: bool  # under a create-once guard (`if self._x is None:`)
    in_loop: bool
    target: tuple[str, str] | None  # ("self", attr) or ("local", name) when the result is assigned
    arms: tuple[tuple[int, int], ...] = ()  # (id of an `if`/`match`, branch) the call is conditional on

    def calls(self, *names: str) -> bool:
        return any(name in self.names for name in names)

    @property
    def named_scope(self) -> bool:
        return any(scope.named for scope in self.scopes)


@dataclass(frozen=True)
class TfFunctionUse:
    """A ``tf.function`` defined, decorated or applied in a shim context."""

    anchor: ast.AST  # the decorator expression or the `tf.function(...)` call
    target: Function | None  # the compiled function, when it is in this module
    target_cls: ClassInfo | None
    reach: Reach


class _State(NamedTuple):
    scopes: tuple[VarScope, ...] = ()
    guarded: bool = False
    in_loop: bool = False
    arms: tuple[tuple[int, int], ...] = ()


class _Frame(NamedTuple):
    func: Function
    self_name: str | None
    reach: Reach


class ModuleContext:
    """Facts about one module that rules read."""

    def __init__(self, tree: ast.Module, shim_decorators: tuple[str, ...] = (), source: str | None = None) -> None:
        self.tree = tree
        self._source = source
        self._lines = split_lines(source) if source is not None else None
        self._newlines: list[int] | None = None  # offsets where the source's lines 2, 3, ... start
        self._mentions: dict[str, bool] = {}
        self._lexical_parent: dict[ast.AST, Function | None] = {}  # filled by _index, read lazily by names
        self.names = Names(tree, self._lexical_parent)
        self.extra_shim_decorators = frozenset(shim_decorators)
        self.classes: list[ClassInfo] = []
        self.class_by_name: dict[str, ClassInfo] = {}
        self.owner: dict[ast.AST, ClassInfo] = {}  # method -> class it is defined in
        self.parent_function: dict[ast.AST, Function] = {}  # nested function -> enclosing function
        self.module_functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}
        self.module_templates: dict[str, ast.Call] = {}
        self.sites: list[CallSite] = []
        self.tf_functions: list[TfFunctionUse] = []
        # Every function carrying a shim decorator, wherever it is: (function, decorator, class or None).
        self.shim_decorated: list[tuple[ast.FunctionDef | ast.AsyncFunctionDef, ast.expr, ClassInfo | None]] = []
        self._local_defs: dict[ast.AST, dict[str, ast.FunctionDef | ast.AsyncFunctionDef]] = {}
        self._kinds: dict[ClassInfo, str] = {}
        self._index()
        self._walk_shim_methods()

    # -- public helpers -------------------------------------------------------------------------

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

    def resolve(self, node: ast.AST, func: Function | None) -> tuple[str, ...]:
        return self.names.resolve(node, func)

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

    def class_kind(self, cls: ClassInfo) -> str:
        """"keras" (tf.keras layer/model), "module" (tf.Module), "keras3", "object" or "unknown"."""
        if cls not in self._kinds:
            self._kinds[cls] = "unknown"  # cycle guard
            self._kinds[cls] = self._compute_kind(cls)
        return self._kinds[cls]

    def mro(self, cls: ClassInfo) -> list[ClassInfo]:
        """In-module classes in method resolution order (left-to-right depth first, no repeats)."""
        order: list[ClassInfo] = []
        stack = [cls]
        while stack:
            current = stack.pop()
            if current in order:
                continue
            order.append(current)
            bases = [self.class_by_name.get(b.id) for b in current.node.bases if isinstance(b, ast.Name)]
            stack.extend(reversed([b for b in bases if b is not None and b is not current]))
        return order

    def constructs_tracked_object(self, site: CallSite) -> str | None:
        """Description of the weight-owning object a call constructs, if any."""
        for name in site.names:
            kind = api.tracked_object_kind(name)
            if kind:
                return f"`{name}`" if kind == name else f"`{name}` ({kind})"
        func = site.node.func
        if isinstance(func, ast.Name) and not self.names.is_local(func.id, site.func):
            cls = self.class_by_name.get(func.id)
            if cls is not None and self.class_kind(cls) in ("keras", "module", "keras3"):
                return f"`{cls.name}` ({'tf.Module' if self.class_kind(cls) == 'module' else 'Keras layer'})"
        return None

    def shared_template(self, site: CallSite) -> ast.Call | None:
        """The module- or class-level ``make_template(...)`` a call invokes, if any."""
        func = site.node.func
        if isinstance(func, ast.Name):
            if not self.names.is_local(func.id, site.func):
                return self.module_templates.get(func.id)
            return None
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            owner = func.value.id
            classes: list[ClassInfo] = []
            if site.reach.cls is not None and owner in ("self", "cls", _first_param(site.func)):
                classes = self.mro(site.reach.cls)
            elif owner in self.class_by_name and not self.names.is_local(owner, site.func):
                classes = self.mro(self.class_by_name[owner])
            for cls in classes:
                found = cls.templates.get(func.attr) or cls.shared_attrs.get(func.attr)
                if found is not None:
                    return found
        return None

    # -- indexing -------------------------------------------------------------------------------

    def _index(self) -> None:
        stack: list[tuple[ast.AST, Function | None, ClassInfo | None]] = [(self.tree, None, None)]
        while stack:
            node, enclosing, cls = stack.pop()
            body = getattr(node, "body", [])
            for stmt in _flatten_blocks(body) if isinstance(body, list) else ():
                if isinstance(stmt, ast.ClassDef):
                    info = ClassInfo(stmt, scope=enclosing)
                    self.classes.append(info)
                    self.class_by_name.setdefault(stmt.name, info)
                    stack.append((stmt, enclosing, info))
                elif isinstance(stmt, FUNCTION_DEFS):
                    self._lexical_parent[stmt] = enclosing
                    if node is self.tree:
                        self.module_functions.setdefault(stmt.name, stmt)
                    if isinstance(node, ast.ClassDef) and cls is not None:
                        cls.methods.setdefault(stmt.name, stmt)
                        self.owner[stmt] = cls
                    elif enclosing is not None:
                        self.parent_function[stmt] = enclosing
                        self._local_defs.setdefault(enclosing, {}).setdefault(stmt.name, stmt)
                        if enclosing in self.owner:
                            self.owner.setdefault(stmt, self.owner[enclosing])
                    if self._may_nest(stmt):
                        stack.append((stmt, stmt, cls if isinstance(node, ast.ClassDef) else None))
                elif isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Call):
                    self._index_template(stmt, node, cls)
        # Any spelling that resolves to the shim names it literally somewhere in the module.
        shim_words = ("track_tf1_style_variables", "tf2lint", *(d.rsplit(".", 1)[-1] for d in self.extra_shim_decorators))
        for func in self._all_function_defs() if self.mentions(*shim_words) else ():
            cls = self.owner.get(func) if func in self.owner and self.owner[func].methods.get(func.name) is func else None
            for deco in func.decorator_list:
                if self.is_shim_decorator(deco, self._lexical_parent.get(func)):
                    self.shim_decorated.append((func, deco, cls))
                    break
        for cls in self.classes:
            init = cls.methods.get("__init__")
            if init is not None:
                self._index_init_attrs(cls, init)

        self.classes.sort(key=lambda c: (c.node.lineno, c.node.col_offset))
        self.shim_decorated.sort(key=lambda item: (item[0].lineno, item[0].col_offset))

    def _line_of(self, offset: int) -> int:
        """1-based line of a source offset."""
        if self._newlines is None:
            self._newlines = line_starts(self._source or "")
        return bisect_right(self._newlines, offset) + 1

    def _may_nest(self, func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
        """Whether a function's body may define functions or classes (checked on its text: cheap, and
        conservative since strings and comments count)."""
        if self._lines is None or not func.body or func.end_lineno is None or func.end_lineno > len(self._lines):
            return True
        body = "\n".join(self._lines[func.body[0].lineno - 1 : func.end_lineno])
        return any(word in body for word in ("def ", "class ", "def\t", "class\t"))

    def _index_template(self, stmt: ast.Assign, holder: ast.AST, cls: ClassInfo | None) -> None:
        if api.MAKE_TEMPLATE not in self.names.resolve(stmt.value.func):
            return
        for target in stmt.targets:
            if isinstance(target, ast.Name):
                if holder is self.tree:
                    self.module_templates[target.id] = stmt.value
                elif isinstance(holder, ast.ClassDef) and cls is not None:
                    cls.templates[target.id] = stmt.value

    def _index_init_attrs(self, cls: ClassInfo, init: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self_name = _first_param(init)
        for stmt in _flatten_blocks(init.body):
            if not isinstance(stmt, ast.Assign):
                continue
            attrs = [t.attr for t in stmt.targets if _is_self_attr(t, self_name)]  # type: ignore[union-attr]
            if not attrs:
                continue
            if isinstance(stmt.value, ast.Name) and not self.names.is_local(stmt.value.id, init):
                template = self.module_templates.get(stmt.value.id)
                if template is not None:
                    cls.shared_attrs.update(dict.fromkeys(attrs, template))
            elif isinstance(stmt.value, ast.Call):
                ctor = self.names.resolve(stmt.value.func, init)
                if ctor:
                    cls.attr_types.update(dict.fromkeys(attrs, ctor))

    def _all_function_defs(self) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
        yield from self.module_functions.values()
        for cls in self.classes:
            yield from cls.methods.values()
        for func in self.parent_function:
            if isinstance(func, FUNCTION_DEFS):
                yield func

    def own_calls(self, func: Function) -> Iterator[ast.Call]:
        """Calls in a function's own body (not in the functions or lambdas nested in it)."""
        roots = [func.body] if isinstance(func, ast.Lambda) else _own_statements(func)
        for root in roots:
            for node in _walk_expr(root):
                if isinstance(node, ast.Call):
                    yield node

    @property
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
            lines = {self._line_of(m.start()) for m in re.finditer(pattern, self._source)}
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

    def tf_function_roots(self) -> Iterator[tuple[Function, ClassInfo | None]]:
        """Every function of the module compiled by ``tf.function`` (decorated or applied)."""
        if not self.mentions("function"):
            return
        seen: set[ast.AST] = set()
        for func in self._all_function_defs():
            if any(self.is_tf_function(d, self._lexical_parent.get(func)) for d in func.decorator_list):
                seen.add(func)
                yield func, self.owner.get(func)
        # `tf.function(f)` applied somewhere (decorator lines are covered above).
        for call, func in self.nodes_on_lines(r"\bfunction\(", skip_decorator_lines=True):
            if not isinstance(call, ast.Call) or not call.args:
                continue
            if api.TF_FUNCTION not in self.names.resolve(call.func, func):
                continue
            target = call.args[0]
            if isinstance(target, ast.Lambda):
                compiled: Function | None = target
            else:
                reach = Reach(shim=func, shim_name="", cls=self.owner.get(func))  # type: ignore[arg-type]
                found = self._callee_of(target, _Frame(func, _first_param(func), reach)) if func else None
                compiled = found[0] if found else (
                    self.module_functions.get(target.id) if isinstance(target, ast.Name) else None
                )
            if compiled is not None and compiled not in seen:
                seen.add(compiled)
                yield compiled, self.owner.get(compiled)

    def _compute_kind(self, cls: ClassInfo) -> str:
        kinds: list[str] = []
        for base in cls.node.bases:
            local = self.class_by_name.get(base.id) if isinstance(base, ast.Name) else None
            if local is not None and local is not cls:
                kinds.append(self.class_kind(local))
                continue
            resolved = [api.module_base_kind(name) for name in self.names.resolve(base, cls.scope)]
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

    # -- walking shim code ------------------------------------------------------------------------

    def _walk_shim_methods(self) -> None:
        queue: deque[tuple[_Frame, _State]] = deque()
        for method, deco, cls in self.shim_decorated:
            if cls is None or _is_static(method):
                continue  # not a shim method: the shim rejects it at runtime (TFS108)
            reach = Reach(shim=method, shim_name=f"{cls.name}.{method.name}", cls=cls)
            decos = method.decorator_list
            parent = self._lexical_parent.get(method)
            # A tf.function *below* the shim decorator runs the method body inside that tf.function.
            inner_tf = next((d for d in decos[decos.index(deco) + 1:] if self.is_tf_function(d, parent)), None)
            if inner_tf is not None:
                reach = replace(reach, tf_function=inner_tf)
                self.tf_functions.append(TfFunctionUse(inner_tf, method, cls, reach))
            queue.append((_Frame(method, _first_param(method), reach), _State()))
        seen: set[tuple] = set()
        while queue:
            frame, state = queue.popleft()
            key = (frame.reach.shim, frame.func, frame.reach.cls, frame.reach.tf_function, state)
            if key in seen:
                continue
            seen.add(key)
            body = frame.func.body
            if isinstance(body, list):
                self._block(body, frame, state, queue)
            else:  # a lambda
                self._expr(body, frame, state, queue)

    def _block(self, stmts: list[ast.stmt], frame: _Frame, state: _State, queue: deque) -> None:
        for stmt in stmts:
            self._stmt(stmt, frame, state, queue)

    def _stmt(self, stmt: ast.stmt, frame: _Frame, state: _State, queue: deque) -> None:
        if isinstance(stmt, FUNCTION_DEFS):
            for deco in stmt.decorator_list:
                self._expr(deco, frame, state, queue)
                if self.is_tf_function(deco, frame.func):
                    self.tf_functions.append(TfFunctionUse(deco, stmt, frame.reach.cls, frame.reach))
            for default in [*stmt.args.defaults, *stmt.args.kw_defaults]:
                if default is not None:
                    self._expr(default, frame, state, queue)
        elif isinstance(stmt, ast.ClassDef):
            return
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            scopes = state.scopes
            for item in stmt.items:
                self._expr(item.context_expr, frame, state._replace(scopes=scopes), queue)
                scope = self.variable_scope(item.context_expr, frame.func)
                # Re-entering a scope (a recursive helper) adds nothing we track: states stay finite.
                if scope is not None and scope not in scopes:
                    scopes = (*scopes, scope)
            self._block(stmt.body, frame, state._replace(scopes=scopes), queue)
        elif isinstance(stmt, ast.If):
            self._expr(stmt.test, frame, state, queue)
            polarity = _guard_polarity(stmt.test, frame.self_name)
            body = state._replace(guarded=state.guarded or polarity == "body", arms=_arm(state.arms, stmt, 0))
            orelse = state._replace(guarded=state.guarded or polarity == "orelse", arms=_arm(state.arms, stmt, 1))
            self._block(stmt.body, frame, body, queue)
            self._block(stmt.orelse, frame, orelse, queue)
        elif isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
            self._expr(stmt.iter if not isinstance(stmt, ast.While) else stmt.test, frame, state, queue)
            self._block(stmt.body, frame, state._replace(in_loop=True), queue)
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
        self, node: ast.expr, frame: _Frame, state: _State, queue: deque, target: tuple[str, str] | None = None
    ) -> None:
        for child in _walk_expr(node):
            if isinstance(child, ast.Call):
                self._call(child, frame, state, queue, target if child is node else None)

    def _call(
        self, call: ast.Call, frame: _Frame, state: _State, queue: deque, target: tuple[str, str] | None
    ) -> None:
        names = self.names.resolve(call.func, frame.func)
        self.sites.append(
            CallSite(
                call, names, frame.func, frame.reach, state.scopes, state.guarded, state.in_loop, target, state.arms
            )
        )
        if api.TF_FUNCTION in names:
            compiled = call.args[0] if call.args else next((k.value for k in call.keywords if k.arg == "func"), None)
            if compiled is not None:
                if isinstance(compiled, ast.Lambda):
                    self.names.register_lambda(compiled, frame.func)
                callee = self._callee_of(compiled, frame)
                target_func = callee[0] if callee else (compiled if isinstance(compiled, ast.Lambda) else None)
                self.tf_functions.append(TfFunctionUse(call, target_func, frame.reach.cls, frame.reach))
            return
        if api.GET_OR_CREATE_LAYER in names:
            return  # the builder runs once, by design
        callee = self._callee_of(call.func, frame)
        if callee is None:
            return
        func, self_name, label = callee
        reach = replace(frame.reach, via=(*frame.reach.via, label))
        if isinstance(func, FUNCTION_DEFS):
            parent = self._lexical_parent.get(func)
            tf_deco = next((d for d in func.decorator_list if self.is_tf_function(d, parent)), None)
            if tf_deco is not None:
                # Entering a tf.function resets the variable scopes.
                reach = replace(reach, tf_function=tf_deco)
                self.tf_functions.append(TfFunctionUse(tf_deco, func, frame.reach.cls, frame.reach))
                state = state._replace(scopes=())
        queue.append((_Frame(func, self_name, reach), state))

    def _callee_of(self, expr: ast.expr, frame: _Frame) -> tuple[Function, str | None, str] | None:
        """The in-module function an expression names, with its `self` parameter and a label."""
        if isinstance(expr, ast.Name):
            func: Function | None = frame.func
            while func is not None:
                local = self._local_defs.get(func, {}).get(expr.id)
                if local is not None:
                    return local, frame.self_name, expr.id
                if self.names.binds(func, expr.id):
                    return None
                func = self.parent_function.get(func)
            found = self.module_functions.get(expr.id)
            return (found, None, expr.id) if found is not None else None
        if not isinstance(expr, ast.Attribute):
            return None
        owner = expr.value
        classes: list[ClassInfo] = []
        if isinstance(owner, ast.Name) and frame.self_name and owner.id == frame.self_name:
            classes = self.mro(frame.reach.cls) if frame.reach.cls else []
        elif (
            isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super"
        ):
            defining = self.owner.get(frame.func)
            classes = self.mro(defining)[1:] if defining else []
        elif isinstance(owner, ast.Name) and owner.id in self.class_by_name:
            classes = self.mro(self.class_by_name[owner.id])
        for cls in classes:
            method = cls.methods.get(expr.attr)
            if method is not None:
                decorators = {d.id for d in method.decorator_list if isinstance(d, ast.Name)}
                self_name = None if "staticmethod" in decorators else _first_param(method)
                if isinstance(owner, ast.Name) and owner.id in self.class_by_name and self_name:
                    self_name = frame.self_name  # `Base.method(self, ...)`
                return method, self_name, f"{cls.name}.{method.name}"
        return None

    def variable_scope(self, expr: ast.expr, func: Function) -> VarScope | None:
        if not isinstance(expr, ast.Call) or api.VARIABLE_SCOPE not in self.names.resolve(expr.func, func):
            return None
        name = expr.args[0] if expr.args else next(
            (k.value for k in expr.keywords if k.arg == "name_or_scope"), None
        )
        if name is None or (isinstance(name, ast.Constant) and name.value is None):
            return VarScope(expr, named=False, name=None)
        if isinstance(name, ast.Constant):
            text = name.value if isinstance(name.value, str) else None
            return VarScope(expr, named=bool(name.value), name=text or None)
        return VarScope(expr, named=True, name=None)

    # -- reachability without state (for "does this function create variables?") ----------------

    def reached_calls(
        self, func: Function, cls: ClassInfo | None, self_name: str | None = None
    ) -> Iterator[tuple[ast.Call, tuple[str, ...], Function]]:
        """Every call in ``func`` and in the in-module functions it reaches (each function once)."""
        reach = Reach(shim=func, shim_name="", cls=cls)  # type: ignore[arg-type]
        start = _Frame(func, self_name if self_name is not None else _first_param(func), reach)
        queue: deque[_Frame] = deque([start])
        seen: set[ast.AST] = set()
        while queue:
            frame = queue.popleft()
            if frame.func in seen:
                continue
            seen.add(frame.func)
            roots = [frame.func.body] if isinstance(frame.func, ast.Lambda) else _own_statements(frame.func)
            for root in roots:
                for node in _walk_expr(root):
                    if not isinstance(node, ast.Call):
                        continue
                    names = self.names.resolve(node.func, frame.func)
                    yield node, names, frame.func
                    if api.GET_OR_CREATE_LAYER in names or api.TF_FUNCTION in names:
                        continue
                    callee = self._callee_of(node.func, frame)
                    if callee is not None:
                        queue.append(_Frame(callee[0], callee[1], reach))


def _arm(arms: tuple[tuple[int, int], ...], stmt: ast.stmt, index: int) -> tuple[tuple[int, int], ...]:
    """Arms plus one branch of ``stmt``; the same branch again (recursion) changes nothing."""
    arm = (id(stmt), index)
    return arms if arm in arms else (*arms, arm)


def _own_statements(func: Function) -> Iterator[ast.AST]:
    """Expressions and simple statements of a function body, not those of nested defs/classes."""
    for stmt in _flatten_blocks(func.body):  # type: ignore[arg-type]
        if isinstance(stmt, (*FUNCTION_DEFS, ast.ClassDef)):
            continue
        for child in ast.iter_child_nodes(stmt):
            if isinstance(child, ast.expr):
                yield child
            elif isinstance(child, ast.withitem):
                yield child.context_expr


def _is_static(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    return any(isinstance(d, ast.Name) and d.id in ("staticmethod", "classmethod") for d in func.decorator_list)


def _first_param(func: Function | None) -> str | None:
    if func is None:
        return None
    params = [*func.args.posonlyargs, *func.args.args]
    return params[0].arg if params else None


def _is_self_attr(node: ast.AST, self_name: str | None) -> bool:
    return (
        self_name is not None
        and isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == self_name
    )


def _is_self_attr_read(node: ast.AST, self_name: str | None) -> bool:
    """``self.x`` or ``getattr(self, "x", ...)``."""
    if _is_self_attr(node, self_name):
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
        in_self_dict = _is_self_attr(holder, self_name) and holder.attr == "__dict__"  # type: ignore[union-attr]
        in_vars = (
            isinstance(holder, ast.Call)
            and isinstance(holder.func, ast.Name)
            and holder.func.id == "vars"
            and holder.args
            and isinstance(holder.args[0], ast.Name)
            and holder.args[0].id == self_name
        )
        if in_self_dict or in_vars:
            if isinstance(op, ast.NotIn):
                return "body"
            if isinstance(op, ast.In):
                return "orelse"
    return None


def _assign_target(targets: list[ast.expr], self_name: str | None) -> tuple[str, str] | None:
    if len(targets) != 1:
        return None
    target = targets[0]
    if _is_self_attr(target, self_name):
        return ("self", target.attr)  # type: ignore[union-attr]
    if isinstance(target, ast.Name):
        return ("local", target.id)
    return None
