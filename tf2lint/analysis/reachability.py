"""Reachability without state: every call a function runs, directly or through the project functions it
reaches (each entered once), for questions such as "does this method create variables?" (TFS105, TFS107,
TFS109, TFS112, the migration stages). Unlike the shim walk, no scopes, guards or loops are followed."""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator

from tf2lint.analysis.callees import CallResolver, mapped_function, traced_by
from tf2lint.analysis.classes import is_shim_function
from tf2lint.analysis.modules import EnteredModules
from tf2lint.analysis.names import Function
from tf2lint.analysis.sites import Frame, Reach
from tf2lint.analysis.summary import ClassInfo, first_param
from tf2lint.analysis.values import Value, bind_call, dead_calls
from tf2lint.knowledge import api


class Reachability:
    """Stateless reachability over the modules a walk entered, with the walk's call resolver."""

    def __init__(self, modules: EnteredModules, resolver: CallResolver) -> None:
        self._modules = modules
        self._resolver = resolver

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
        module = self._modules.module_of(func)
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
                mapped = mapped_function(node, frame)
                if mapped is None and not names and isinstance(node.func, ast.Name) and \
                        frame.module.is_builtin(node.func.id, frame.func):
                    continue  # `len(x)`, `range(n)`: Python's own, never a project function
                if compiled is not None or mapped is not None:
                    found = self._resolver.callables.callees(compiled or mapped, frame)  # type: ignore[arg-type]
                else:
                    found = self._resolver.callees(node, frame)
                for callee in found:
                    if stop_at_shim and is_shim_function(callee):
                        continue
                    if stop_at_tf_function and traced_by(callee) is not None:
                        continue
                    bindings = bind_call(node, callee, frame, callables=self._resolver.callables) if compiled is None and mapped is None else ()
                    queue.append(Frame(callee.func, callee.self_name, reach, callee.module, bindings))
