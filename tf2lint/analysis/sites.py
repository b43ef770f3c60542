"""What the shim walks record: the variable scopes open around code, how a body is reached from a shim method,
each call reached with its state, the ``tf.function``s met, and the frame the walks carry from call to call."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import NamedTuple

from tf2lint.analysis.names import Function
from tf2lint.analysis.summary import ClassInfo, FunctionDef, ModuleSummary
from tf2lint.analysis.body import constant_locals, loop_rebound
from tf2lint.analysis.values import Value, formatted_text, known_scalar, literal_value
from tf2lint.knowledge import api


@dataclass(frozen=True)
class VarScope:
    """A ``variable_scope`` opened around code. ``named`` scopes give auto-named layers a stable prefix."""

    node: ast.Call
    named: bool
    name: str | None  # the literal name, when there is one
    # `variable_scope(get_variable_scope())`: re-enters the current scope. Measured: like a named scope it
    # restarts the auto-name numbering under it (stable), but it adds nothing to the variables' path.
    reenters: bool = False

    @property
    def uniquified(self) -> bool:
        """`variable_scope(None, default_name=...)`: numbered anew each time it is entered."""
        return api.default_name_of(self.node) is not None


@dataclass(frozen=True)
class Reach:
    """How a function body is reached from a shim method."""

    shim: FunctionDef
    shim_name: str  # "Class.method"
    cls: ClassInfo | None
    via: tuple[str, ...] = ()  # helpers between the shim method and this code
    tf_function: ast.AST | None = None  # the tf.function this code runs inside
    anchor: ast.Call | None = None  # the call in the linted module where the path left it
    # The `make_template(...)` whose function this code runs in: its sites are kept apart (`ShimWalk.template_sites`)
    template: ast.Call | None = None

    def describe(self) -> str:
        via = self.via if len(self.via) <= 4 else (*self.via[:2], "...", self.via[-1])
        chain = "".join(f" via {name}" if name != "..." else " via ..." for name in via)
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
    target: tuple[str, str] | None  # ("self" | "self_item" | "local", name) when the result is assigned
    arms: tuple[tuple[int, int], ...] = ()  # (id of an `if`/`match`, branch) the call is conditional on
    arg_scopes: tuple[ast.Call, ...] = ()  # `slim.arg_scope(...)` calls open around it: defaults unseen here
    module: ModuleSummary | None = None  # where the call is written
    bindings: tuple[tuple[str, Value], ...] = ()  # known parameter values of `func` on this path
    loop_scopes: int = 0  # ``scopes[loop_scopes:]`` are opened anew in every iteration of the innermost loop
    # The loop repeats the call within one object's call, not by calling a sub-layer object again (which
    # shares that object's weights by design).
    object_loop: bool = False
    once: bool = False  # runs once per object: in the block of a guard that sets the attribute it tests
    # When every create-once guard around the call is on an object built anew on every call (`Sub()(x)`): that
    # construction. The guard holds per object, so the guarded code runs again on every call.
    fresh_guard: ast.Call | None = None
    # The construction that built `self` anew on this run of the caller (`Sub()(x)`): the v1 layers and templates
    # its `__init__` made are new on every call as well.
    fresh: ast.Call | None = None
    # `self` is another object in each iteration of the innermost loop around the call: built there
    # (`for ...: Sub()(x)`), or the next of a list's objects (`for block in self.blocks: block(x)`).
    new_each_iteration: bool = False
    # The `if` arms (see ``arms``) of the create-once guards around the call, when each is on such an object: they
    # hold for one iteration, so the loop runs the guarded block again.
    iteration_guards: tuple[tuple[int, int], ...] = ()

    @property
    def guarded_across_calls(self) -> bool:
        """Under a create-once guard that holds from one call of the shim method to the next."""
        return self.guarded and self.fresh_guard is None

    def calls(self, *names: str) -> bool:
        return any(name in self.names for name in names)

    @property
    def named_scope(self) -> bool:
        return any(scope.named for scope in self.scopes)

    def value(self, expr: ast.expr | None) -> Value | None:
        """The value of an argument expression on this path, when known."""
        return literal_value(expr, dict(self.bindings))

    def fixed_text(self, expr: ast.expr | None) -> str | None:
        """The text a name expression has on every run of this call: a literal, a parameter the path gives a
        literal, a local the function binds once to a literal (`i = 0`), or an f-string, `%` or `format` of such
        parts (`f"fc_{i}"`); a loop variable never is. None when not known, or empty."""
        text = formatted_text(expr, self._fixed_part) if expr is not None else None
        if text is None and expr is not None:
            text = self._fixed_part(expr)
        return text if isinstance(text, str) and text else None

    def _fixed_part(self, expr: ast.expr) -> int | str | None:
        if isinstance(expr, ast.Name) and self.func is not None:
            fixed = constant_locals(self.func).get(expr.id)
            if fixed is not None or expr.id in loop_rebound(self.func):
                return fixed
        return known_scalar(self.value(expr))


@dataclass(frozen=True)
class TfFunctionUse:
    """A ``tf.function`` defined, decorated or applied in a shim context."""

    anchor: ast.AST  # the decorator expression or the `tf.function(...)` call
    target: Function | None  # the compiled function, when it is known
    target_cls: ClassInfo | None
    reach: Reach


class Frame(NamedTuple):
    """A function body on a walk's path: its `self`, how it was reached, its module, its known parameter values."""

    func: Function
    self_name: str | None
    reach: Reach
    module: ModuleSummary
    bindings: tuple[tuple[str, Value], ...] = ()
