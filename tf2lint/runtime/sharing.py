"""Accidental sharing as the shim's variable store shows it (TFS113), for `runtime.check`.

In TF1 graph mode, asking `get_variable` for a name a second time raised "Variable ... already exists" unless the
code asked for reuse. Under the shim every scope reads AUTO_REUSE in eager mode, so the same request silently
returns the first variable: two layers written as two train one set of weights. While the check calls the
object, `recording` watches the stores: a variable name handed out a second time in one call, or a
`get_or_create_layer` key asked again with another builder, is shared by accident unless the code asked for
it: `reuse=True` or AUTO_REUSE on a `variable_scope` it entered (or `reuse_variables()` on the scope in force),
or the layer that made the variable is being called again (a layer shares its weights with itself).
"""

from __future__ import annotations

import functools
import inspect
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

Stack = tuple[tuple[str, int], ...]

# Where the shim's store lives, by Keras flavour (a module already imported is the one the code uses).
_SHIM_MODULES = (
    "tf_keras.src.legacy_tf_layers.variable_scope_shim",
    "keras.src.legacy_tf_layers.variable_scope_shim",
    "keras.legacy_tf_layers.variable_scope_shim",
    "tensorflow.python.keras.legacy_tf_layers.variable_scope_shim",
)


@dataclass
class Sharing:
    """What one check saw: each accidental share, with the user frames of the request that got it."""

    shared: list[tuple[str, Stack]] = field(default_factory=list)
    # (store, name, graph) of each variable asked for in this call -> the layer calls running at the first request
    _asked_for: dict[tuple[int, str, int], dict[int, int]] = field(default_factory=dict)
    _builders: dict[tuple[int, str, int], Any] = field(default_factory=dict)  # a layer key -> what its builder builds
    _calls: dict[int, int] = field(default_factory=dict)  # id(layer) -> which invocation of it is running
    _invocations: int = 0
    _alive: list[Any] = field(default_factory=list)  # the layers called and graphs traced: their ids stay unique
    _scopes: list[tuple[Any, Any]] = field(default_factory=list)  # (reuse asked, VariableScope) of entered scopes

    def start_call(self) -> None:
        """A new call of the checked object: what earlier calls made is its own, shared by design."""
        self._asked_for.clear()
        self._builders.clear()
        self._alive.clear()

    def _asked(self, reuse: Any, tf: Any) -> bool:
        asked = (True, tf.compat.v1.AUTO_REUSE)
        current = tf.compat.v1.get_variable_scope()
        return reuse is True or getattr(current, "_reuse", None) is True or any(
            requested in asked or getattr(scope, "_reuse", None) is True for requested, scope in self._scopes)

    def _recalled(self, key: tuple[int, str, int]) -> bool:
        """The variable was first asked for by an earlier invocation of a layer that is running again now."""
        made_in = self._asked_for[key]
        return any(made_in.get(layer, number) != number for layer, number in self._calls.items())

    def _key(self, store: Any, name: str, tf: Any) -> tuple[int, str, int]:
        """A request's key: its store and name, and the graph of the trace it is made in (a `tf.function` traces
        its body more than once on its first call, and each trace asks again: only one trace's requests count
        together), or none in eager mode."""
        graph = None if tf.executing_eagerly() else tf.compat.v1.get_default_graph()
        self._alive.append(graph)
        return id(store), name, id(graph)

    def variable(self, store: Any, name: str, reuse: Any, tf: Any, stack: Callable[[], Stack]) -> None:
        key = self._key(store, name, tf)
        if key not in self._asked_for:
            self._asked_for[key] = dict(self._calls)
        elif not self._asked(reuse, tf) and not self._recalled(key):
            self.shared.append((name, stack()))

    def layer(self, store: Any, name: str, builder: Any, tf: Any, stack: Callable[[], Stack]) -> None:
        key, built = self._key(store, name, tf), _builds(builder)
        if key in self._builders and self._builders[key] != built:
            self.shared.append((f"get_or_create_layer key {name.lstrip('/')!r}", stack()))
        self._builders.setdefault(key, built)


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
def recording(tf: Any, layer_classes: list[type], stack: Callable[[], Stack]) -> Iterator[Sharing]:
    """The stores, variable scopes and layer calls watched while the block runs (``stack``: the user frames
    now), then put back."""
    from tensorflow.python.ops import variable_scope as vs

    seen = Sharing()
    patches: list[tuple[Any, str, Any]] = []
    for store in dict.fromkeys(getattr(sys.modules.get(name), "_EagerVariableStore", None) for name in _SHIM_MODULES):
        if store is None:
            continue
        single, get_layer = store.__dict__.get("_get_single_variable"), store.__dict__.get("get_or_create_layer")
        if single is None or get_layer is None:
            continue  # another version's store: not the shim this code runs
        signature = inspect.signature(single)

        def get_single(self: Any, *args: Any, _single: Any = single, _signature: Any = signature, **kwargs: Any) -> Any:
            bound = _signature.bind(self, *args, **kwargs)
            variable = _single(self, *args, **kwargs)
            seen.variable(self, bound.arguments["name"], bound.arguments.get("reuse"), tf, stack)
            return variable

        def get_or_create_layer(self: Any, name: str, create_layer_method: Any, _get: Any = get_layer) -> Any:
            seen.layer(self, name, create_layer_method, tf, stack)
            return _get(self, name, create_layer_method)

        patches += [(store, "_get_single_variable", functools.wraps(single)(get_single)),
                    (store, "get_or_create_layer", functools.wraps(get_layer)(get_or_create_layer))]

    enter, exit_ = vs.variable_scope.__enter__, vs.variable_scope.__exit__

    def scope_enter(scope: Any) -> Any:
        entered = enter(scope)
        seen._scopes.append((scope._reuse, entered))  # noqa: SLF001 - what the code asked, not AUTO_REUSE
        return entered

    def scope_exit(scope: Any, *exc: Any) -> Any:
        seen._scopes.pop()  # noqa: SLF001
        return exit_(scope, *exc)

    patches += [(vs.variable_scope, "__enter__", scope_enter), (vs.variable_scope, "__exit__", scope_exit)]
    for layer_class in layer_classes:
        call = layer_class.__dict__["__call__"]

        def counted(layer: Any, *args: Any, _call: Any = call, **kwargs: Any) -> Any:
            if id(layer) in seen._calls:  # noqa: SLF001 - a layer's call re-entering itself (Keras' wrappers)
                return _call(layer, *args, **kwargs)
            seen._invocations += 1  # noqa: SLF001
            seen._calls[id(layer)] = seen._invocations  # noqa: SLF001
            seen._alive.append(layer)  # noqa: SLF001
            try:
                return _call(layer, *args, **kwargs)
            finally:
                del seen._calls[id(layer)]  # noqa: SLF001

        patches.append((layer_class, "__call__", functools.wraps(call)(counted)))
    saved = [(owner, attr, owner.__dict__[attr]) for owner, attr, _ in patches]
    try:
        for owner, attr, replacement in patches:
            setattr(owner, attr, replacement)
        yield seen
    finally:
        for owner, attr, original in reversed(saved):
            setattr(owner, attr, original)
