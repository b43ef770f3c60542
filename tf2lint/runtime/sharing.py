"""Accidental sharing as the shim's variable store shows it (TFS113), for `runtime.check`.

In TF1 graph mode, asking `get_variable` for a name a second time raised "Variable ... already exists" unless the
code asked for reuse. Under the shim every scope reads AUTO_REUSE in eager mode, so the same request silently
returns the first variable: two layers written as two train one set of weights. While the check calls the
object, `recording` watches the stores: a variable name handed out a second time in one call, or a
`get_or_create_layer` key asked again with another builder, is shared by accident unless the code asked for
it: `reuse=True` or AUTO_REUSE on a `variable_scope` it entered (or `reuse_variables()` on the scope in force),
or the layer that made the variable is being called again (a layer shares its weights with itself). Inside a
`tf.function`, the traces TF makes of one call ask again and do not count together; a call that runs an earlier
trace asks for nothing, and counts as asking for what that trace did, except what a layer (or a template) the
checked object holds asked for in it: run eagerly, that call would call the same object again (measured: one kept
`Dense` called by a traced helper twice, built before the trace or cached on the object inside it; one kept
template, which reuses its own variables).
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tf2lint.runtime.patching import wrapped
from tf2lint.runtime.pitfalls import Stack

# Where the shim's store lives, by Keras flavour (a module already imported is the one the code uses).
_SHIM_MODULES = (
    "tf_keras.src.legacy_tf_layers.variable_scope_shim",
    "keras.src.legacy_tf_layers.variable_scope_shim",
    "keras.legacy_tf_layers.variable_scope_shim",
    "tensorflow.python.keras.legacy_tf_layers.variable_scope_shim",
)


# Where a request is made: (which call of a `tf.function`, the graph being traced), each None in eager mode.
Region = tuple[int | None, int | None]


def _together(earlier: Region, now: Region) -> bool:
    """Whether two requests are two askings in one run: both eager, in one trace, or in two calls of functions; not
    in two traces of one call (TF traces twice on a function's first call, and each trace asks again)."""
    return earlier[0] != now[0] or earlier[1] == now[1]


# A request a trace made: (store, name, reuse asked, ids of the layers called inside the traced call that made it).
Request = tuple[Any, str, bool, frozenset[int]]


@dataclass
class _FunctionCall:
    """A `tf.function` being called: the requests its tracing makes."""

    function: int  # id of the function object
    number: int  # which call of a function this is, in the check
    requests: list[Request] = field(default_factory=list)


@dataclass
class Sharing:
    """What one check saw: each accidental share, with the user frames of the request that got it."""

    held: Callable[[], set[int]]  # ids of the layers the checked object holds (asked at a replay only)
    shared: list[tuple[str, Stack]] = field(default_factory=list)
    # (store, name) of each variable asked for in this call -> where, and the layer calls running then
    _asked_for: dict[tuple[int, str], list[tuple[Region, dict[int, int]]]] = field(default_factory=dict)
    _builders: dict[tuple[int, str, Region], Any] = field(default_factory=dict)  # a layer key -> what it builds
    _calls: dict[int, int] = field(default_factory=dict)  # id(layer) -> which invocation of it is running
    _invocations: int = 0
    _alive: list[Any] = field(default_factory=list)  # the layers and functions called, the graphs traced: ids stay
    _scopes: list[tuple[Any, Any]] = field(default_factory=list)  # (reuse asked, VariableScope) of entered scopes
    _functions: list[_FunctionCall] = field(default_factory=list)  # the tf.functions being called, innermost last
    _traced: dict[int, list[Request]] = field(default_factory=dict)  # a function -> its traces' asks

    def start_call(self) -> None:
        """A new call of the checked object: what earlier calls made is its own, shared by design."""
        self._asked_for.clear()
        self._builders.clear()
        self._traced.clear()
        self._alive.clear()

    def _asked(self, reuse: Any, tf: Any) -> bool:
        asked = (True, tf.compat.v1.AUTO_REUSE)
        current = tf.compat.v1.get_variable_scope()
        return reuse is True or getattr(current, "_reuse", None) is True or any(
            requested in asked or getattr(scope, "_reuse", None) is True for requested, scope in self._scopes)

    def _recalled(self, made_in: dict[int, int]) -> bool:
        """The variable was first asked for by an earlier invocation of a layer that is running again now."""
        return any(made_in.get(layer, number) != number for layer, number in self._calls.items())

    def _region(self, tf: Any) -> Region:
        graph = None if tf.executing_eagerly() else tf.compat.v1.get_default_graph()
        self._alive.append(graph)
        return (self._functions[-1].number if self._functions else None), (None if graph is None else id(graph))

    def variable(self, store: Any, name: str, reuse: Any, tf: Any, stack: Callable[[], Stack]) -> None:
        asked = self._asked(reuse, tf)
        if self._functions:
            inner = self._functions[-1]
            makers = frozenset(layer for layer, number in self._calls.items() if number > inner.number)
            inner.requests.append((store, name, asked, makers))
        self._request(store, name, asked, self._region(tf), stack)

    def _request(self, store: Any, name: str, asked: bool, region: Region, stack: Callable[[], Stack]) -> None:
        earlier = self._asked_for.setdefault((id(store), name), [])
        if earlier and not asked and not self._recalled(earlier[0][1]) and any(
                _together(where, region) for where, _calls in earlier):
            self.shared.append((name, stack()))
        earlier.append((region, dict(self._calls)))

    def layer(self, store: Any, name: str, builder: Any, tf: Any, stack: Callable[[], Stack]) -> None:
        key, built = (id(store), name, self._region(tf)), _builds(builder)
        if key in self._builders and self._builders[key] != built:
            self.shared.append((f"get_or_create_layer key {name.lstrip('/')!r}", stack()))
        self._builders.setdefault(key, built)

    def entering(self, function: Any) -> _FunctionCall:
        self._alive.append(function)
        self._invocations += 1
        call = _FunctionCall(id(function), self._invocations)
        self._functions.append(call)
        return call

    def leaving(self, call: _FunctionCall, stack: Callable[[], Stack]) -> None:
        """A `tf.function` call that traced nothing ran a trace of an earlier call: it uses what that trace asked
        for again, as if it asked now (measured: one set of weights for both calls)."""
        self._functions.pop()
        if call.requests:
            self._traced.setdefault(call.function, call.requests)
        else:
            held: set[int] | None = None
            for store, name, asked, makers in self._traced.get(call.function, ()):
                earlier = self._asked_for.get((id(store), name), ())
                if not earlier or asked or self._recalled(earlier[0][1]):
                    continue
                held = self.held() if held is None else held
                if not makers & held:
                    self.shared.append((name, stack()))
        if self._functions:  # called while an outer function traces: what it asks, that trace asks
            self._functions[-1].requests.extend(call.requests or self._traced.get(call.function, ()))


def _builds(builder: Any) -> Any:
    """What a builder builds, as far as its code and the plain values it closes over say: two lambdas with the
    same body build the same, `lambda: Dense(width)` for another `width` does not."""
    function = getattr(builder, "__func__", builder)
    code = getattr(function, "__code__", None)
    if code is None:
        return builder
    cells = tuple(_plain(cell) for cell in getattr(function, "__closure__", None) or ())
    return code.co_code, code.co_consts, code.co_names, cells


def _plain(cell: Any) -> Any:
    """A closed-over value as compared: numbers and strings by value; any other value is not told apart (a
    tensor or a config built per call may still build the same layer: unknown is silent)."""
    try:
        value = cell.cell_contents
    except ValueError:  # a cell not filled yet
        return None
    return value if isinstance(value, (int, float, str, bytes, type(None))) else ...


@contextmanager
def recording(tf: Any, layer_classes: list[type], stack: Callable[[], Stack],
              held: Callable[[], set[int]]) -> Iterator[Sharing]:
    """The stores, variable scopes, `tf.function` calls and layer calls watched while the block runs (``stack``:
    the user frames now; ``held``: the ids of the layers the checked object holds), then put back."""
    from tensorflow.python.ops import variable_scope as vs

    seen = Sharing(held=held)
    stores = [store for store in dict.fromkeys(
        getattr(sys.modules.get(name), "_EagerVariableStore", None) for name in _SHIM_MODULES)
        # another version's store has not both: not the shim this code runs
        if store is not None and {"_get_single_variable", "get_or_create_layer"} <= store.__dict__.keys()]

    def get_single(original: Any) -> Any:
        signature = inspect.signature(original)

        def get_single_variable(self: Any, *args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(self, *args, **kwargs)
            variable = original(self, *args, **kwargs)
            seen.variable(self, bound.arguments["name"], bound.arguments.get("reuse"), tf, stack)
            return variable
        return get_single_variable

    def get_layer(original: Any) -> Any:
        def get_or_create_layer(self: Any, name: str, create_layer_method: Any) -> Any:
            seen.layer(self, name, create_layer_method, tf, stack)
            return original(self, name, create_layer_method)
        return get_or_create_layer

    def scope_enter(original: Any) -> Any:
        def __enter__(scope: Any) -> Any:
            entered = original(scope)
            seen._scopes.append((scope._reuse, entered))  # noqa: SLF001 - what the code asked, not AUTO_REUSE
            return entered
        return __enter__

    def scope_exit(original: Any) -> Any:
        def __exit__(scope: Any, *exc: Any) -> Any:
            seen._scopes.pop()  # noqa: SLF001
            return original(scope, *exc)
        return __exit__

    def traced(original: Any) -> Any:
        def __call__(function: Any, *args: Any, **kwargs: Any) -> Any:
            call = seen.entering(function)
            try:
                return original(function, *args, **kwargs)
            finally:
                seen.leaving(call, stack)
        return __call__

    def counted(original: Any) -> Any:
        def __call__(layer: Any, *args: Any, **kwargs: Any) -> Any:
            if id(layer) in seen._calls:  # noqa: SLF001 - a layer's call re-entering itself (Keras' wrappers)
                return original(layer, *args, **kwargs)
            seen._invocations += 1  # noqa: SLF001
            seen._calls[id(layer)] = seen._invocations  # noqa: SLF001
            seen._alive.append(layer)  # noqa: SLF001
            try:
                return original(layer, *args, **kwargs)
            finally:
                del seen._calls[id(layer)]  # noqa: SLF001
        return __call__

    scope, function = [vs.variable_scope], [type(tf.function(lambda: None))]
    with wrapped(stores, "_get_single_variable", get_single), wrapped(stores, "get_or_create_layer", get_layer), \
            wrapped(scope, "__enter__", scope_enter), wrapped(scope, "__exit__", scope_exit), \
            wrapped(function, "__call__", traced), wrapped(layer_classes, "__call__", counted):
        yield seen
