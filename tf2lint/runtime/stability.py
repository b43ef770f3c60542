"""Run a shim-decorated layer or module the way a training loop would, and report what went wrong.

    from tf2lint import runtime
    findings = runtime.check(MyLayer(), x, training=True)
    runtime.assert_shim_stable(MyLayer(), x)
    findings = runtime.check_instances(MyLayer, x)  # a second object, after the first: what the first left behind

Findings use the linter's codes where they mean the same thing. An exception the object raises is a
finding too: the code of the shim pitfall it is (pitfalls.py), or `error` when it is none of them.
Whatever the calls leave in TensorFlow's and Keras' process-global state is put back afterwards.
TensorFlow is imported on first use.
"""

from __future__ import annotations

import functools
import inspect
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any

from tf2lint.knowledge import api
from tf2lint.runtime import pitfalls, sharing
from tf2lint.runtime.patching import wrapped
from tf2lint.runtime.pitfalls import Stack
from tf2lint.shim import tensorflow

# The code of a finding for an exception that is no known shim pitfall.
UNEXPLAINED = "error"


@dataclass(frozen=True)
class RuntimeFinding:
    code: str
    message: str
    names: tuple[str, ...] = ()  # the variables concerned
    error: pitfalls.RaisedError | None = None  # the exception, for a finding that reports one
    call: int | None = None  # which call (1-based) raised it
    instance: int = 1  # which object of `check_instances` (1-based) it concerns
    # Where the variables concerned were created, and where the layers that made them were constructed (or
    # where the exception was raised): one stack each, when it was seen.
    origins: tuple[Stack, ...] = ()

    def __str__(self) -> str:
        return f"{self.code} {f'instance {self.instance}: ' if self.instance > 1 else ''}{self.message}"

    @property
    def sites(self) -> tuple[str, ...]:
        """`file:line` of the innermost user frame of each origin, once each."""
        return tuple(dict.fromkeys(f"{stack[-1][0]}:{stack[-1][1]}" for stack in self.origins if stack))


def keras_layer_types() -> tuple[type, ...]:
    return tuple(keras_classes("Layer"))


def keras_classes(name: str) -> list[type]:
    """`tf_keras.layers.<name>`, and `tf.keras.layers.<name>` when that is another class (Keras 3)."""
    tf = tensorflow()
    found: list[type] = []
    try:
        import tf_keras

        found.append(getattr(tf_keras.layers, name))
    except (ImportError, AttributeError):
        pass
    layers = getattr(getattr(tf, "keras", None), "layers", None)
    if isinstance(getattr(layers, name, None), type):
        found.append(getattr(layers, name))
    return list(dict.fromkeys(found))


def _naming_backends() -> list[Any]:
    backends = []
    for name in ("tf_keras.src.backend", "keras.src.backend", "tensorflow.python.keras.backend"):
        try:
            module = __import__(name, fromlist=["PER_GRAPH_OBJECT_NAME_UIDS"])
        except ImportError:
            continue
        if hasattr(module, "PER_GRAPH_OBJECT_NAME_UIDS"):
            backends.append(module)
    return backends


@contextmanager
def _naming_state_preserved() -> Iterator[None]:
    """Keras' auto-naming counters (`dense`, `dense_1`, ...) are process-global: put them back afterwards."""
    saved = []
    for backend in _naming_backends():
        uids = backend.PER_GRAPH_OBJECT_NAME_UIDS
        saved.append((uids, {graph: dict(counts) for graph, counts in uids.items()}))
    try:
        yield
    finally:
        for uids, snapshot in saved:
            for graph in list(uids.keys()):
                if graph in snapshot:
                    uids[graph].clear()
                    uids[graph].update(snapshot[graph])
                else:
                    del uids[graph]


# Set while a check keeps the process state for an outer `check_instances` (the state is put back once, at its end).
_STATE_HELD: ContextVar[bool] = ContextVar("tf2lint_runtime_state_held", default=False)


@contextmanager
def _process_state_preserved() -> Iterator[None]:
    """Keras' naming counters and the global graph's stores, put back when the outermost check ends."""
    if _STATE_HELD.get():
        yield
        return
    token = _STATE_HELD.set(True)
    try:
        with _naming_state_preserved(), _graph_state_preserved():
            yield
    finally:
        _STATE_HELD.reset(token)


# The mutable parts of the variable store and the variable-scope store kept in the global graph's collections.
_STORE_DICTS = ("_vars", "_partitioned_vars", "variable_scopes_count")


@contextmanager
def _graph_state_preserved() -> Iterator[None]:
    """The global graph's collections are shared with every `tf.function` graph: `get_variable` outside a
    shim store keeps a default variable store there (variables by name, from function graphs that may be
    gone), and `variable_scope` keeps its scope counts. Left behind, they change what later code does
    (a v1 layer gets another object's dead graph variable: `Tensor.op is undefined`). Put them back."""
    from tensorflow.python.framework import ops

    # `_collections`, not `get_all_collection_keys()`: that lists string keys only, and the stores' are tuples.
    collections: dict[Any, list[Any]] = ops.get_default_graph()._collections  # noqa: SLF001
    saved = {key: list(items) for key, items in collections.items()}
    stores = [(item, {attr: dict(getattr(item, attr)) for attr in _STORE_DICTS
                      if isinstance(getattr(item, attr, None), dict)})
              for items in saved.values() for item in items]
    try:
        yield
    finally:
        for key in list(collections):
            if key in saved:
                collections[key][:] = saved[key]
            else:
                del collections[key]
        for item, dicts in stores:
            for attr, contents in dicts.items():
                getattr(item, attr).clear()
                getattr(item, attr).update(contents)


def _tracked(obj: Any, is_keras: bool) -> list[Any]:
    return list(obj.weights) if is_keras else list(obj.variables)


def _stores(obj: Any) -> list[Any]:
    """The shim stores of this object and of the tracked objects inside it."""
    stores = (getattr(module, "_tf1_style_var_store", None) for module in [obj, *getattr(obj, "submodules", ())])
    return [store for store in stores if store is not None]


def _store_variables(obj: Any) -> tuple[set[Any], set[Any]]:
    """Variables the shim made for this object: those `get_variable` keeps by name (`_vars`), and those of the
    layers it keeps for `get_or_create_layer` (a key that changes makes new layers: growth, like a changed name)."""
    by_name, in_layers = set(), set()
    for store in _stores(obj):
        by_name.update(variable.ref() for variable in getattr(store, "_vars", {}).values())
        for layer in getattr(store, "_layers", {}).values():
            in_layers.update(variable.ref() for variable in getattr(layer, "weights", ()))
    return by_name, in_layers


def _lost_penalties(obj: Any) -> tuple[str, ...]:
    """Regularizers a tf.Module's shim store holds that penalise something: one per regularized variable,
    and one per `get_or_create_layer` layer, registered for every such layer (a layer without losses
    penalises nothing)."""
    store = getattr(obj, "_tf1_style_var_store", None)
    layers = getattr(store, "_layers", {})
    return tuple(name for name in getattr(store, "_regularizers", {})
                 if name not in layers or getattr(layers[name], "losses", ()))


def _call_kwargs(obj: Any, training: bool | None, is_keras: bool) -> dict[str, Any]:
    if training is None:
        return {}
    if is_keras:
        return {"training": training}
    parameters = inspect.signature(obj.__call__).parameters.values()
    if any(p.name == "training" or p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return {"training": training}
    return {}


def _moving_statistics(obj: Any, is_keras: bool) -> dict[Any, Any]:
    return {
        v.ref(): v.numpy().copy()
        for v in _tracked(obj, is_keras)
        if not v.trainable and re.search(r"moving_(mean|variance)", v.name)
    }


def _growth_code(first: list[str], new: list[str]) -> str:
    """TFS101 when the renamed part is a layer's auto-name (v1 layers, TF-Slim), else TFS102 (scope or template)."""
    bases = api.AUTO_NAME_BASES
    first_parts = [name.split("/") for name in first]
    for name in new:
        parts = name.split("/")
        for depth, part in enumerate(parts):
            if not any(len(f) > depth and f[depth] == part for f in first_parts):
                if re.sub(r"_\d+$", "", part) in bases:
                    return "TFS101"
                break
    return "TFS102"


def check(obj: Any, *inputs: Any, training: bool | None = None, calls: int = 2) -> list[RuntimeFinding]:
    """Call ``obj`` ``calls`` times on ``inputs`` and report unstable or untracked variables.

    Works for Keras layers and models and for `tf.Module`s. An exception raised by a call ends the check
    with one finding: the code of the shim pitfall it is (or `error`), the exception's type and first
    line, the call and where in the user's code it was raised.
    """
    if calls < 1:
        raise ValueError("calls must be at least 1")
    tf = tensorflow()
    if not isinstance(obj, tf.Module):
        raise TypeError(f"runtime.check needs a tf.Module or a Keras layer/model, got {type(obj).__name__}")
    is_keras = isinstance(obj, keras_layer_types())
    kwargs = _call_kwargs(obj, training, is_keras)
    created: list[list[Any]] = []
    origins: dict[Any, tuple[Stack, ...]] = {}
    constructed: dict[int, tuple[Any, Stack]] = {}
    read: dict[Any, Any] = {}
    statistics_before: dict[Any, Any] = {}

    def record(next_creator: Any, **kw: Any) -> Any:
        variable = next_creator(**kw)
        created[-1].append(variable)
        origins.setdefault(variable.ref(), (_user_stack(), *_building(constructed)))
        return variable

    phases: list[tuple[bool | None, Stack]] = []
    held = functools.partial(_held_layers, obj)  # asked only when a tf.function replays a trace
    with _process_state_preserved(), _constructions_recorded(constructed), \
            _dropout_phases_recorded(phases), sharing.recording(tf, _called_classes(obj), _user_stack, held) as shared:
        for index in range(calls):
            if index == calls - 1 and training is True and calls > 1:
                statistics_before = _moving_statistics(obj, is_keras)
            created.append([])
            shared.start_call()
            try:
                with tf.variable_creator_scope(record), tf.GradientTape() as tape:
                    obj(*inputs, **kwargs)
            except Exception as exc:  # noqa: BLE001 - what the object raises is the finding
                return [_raised(exc, index + 1, calls)]
            for variable in tape.watched_variables():
                read.setdefault(variable.ref(), variable)
    findings = [_placed(finding, origins, created) for finding in _findings(obj, is_keras, created, read, statistics_before)]
    # A phase the check could not pass (no `training` to give): no dropout finding.
    return findings + _dropout_findings(phases, training if kwargs else None) + _shared_findings(shared)


_LIBRARY_FILES: dict[str, bool] = {}


def _user_stack() -> Stack:
    """The user's frames of the current stack, outermost first (TensorFlow's, Keras' and ours left out)."""
    frames = []
    frame = sys._getframe(1)  # noqa: SLF001 - a walk of frame objects costs far less than traceback.extract_stack
    while frame is not None:
        filename = frame.f_code.co_filename
        library = _LIBRARY_FILES.get(filename)
        if library is None:
            library = _LIBRARY_FILES[filename] = pitfalls.is_library_file(filename)
        if not library:
            frames.append((filename, frame.f_lineno))
        frame = frame.f_back
    return tuple(reversed(frames))


def _constructions_recorded(constructed: dict[int, tuple[Any, Stack]]) -> Any:
    """Where each Keras layer made during the check was constructed (by id, with the layer kept alive so that
    ids stay unique). A layer makes its weights on its first call, where the line that made the layer, the one
    to change for a layer made per call, is no longer on the stack."""

    def wrap(original: Any) -> Any:
        def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
            constructed.setdefault(id(self), (self, _user_stack()))
            original(self, *args, **kwargs)
        return __init__

    return wrapped(keras_classes("Layer"), "__init__", wrap)


def _dropout_phases_recorded(phases: list[tuple[bool | None, Stack]]) -> Any:
    """The phase each Keras (or v1) Dropout with a non-zero rate runs in during the check (what it received,
    after Keras filled it in, or the learning phase it falls back on; None inside a trace, where it is a
    symbolic tensor), with where in the user's code it was called."""

    def wrap(original: Any) -> Any:
        def call(self: Any, inputs: Any, training: Any = None) -> Any:
            rate = getattr(self, "rate", None)
            if not (isinstance(rate, (int, float)) and rate == 0):
                phases.append((_phase(training), _user_stack()))
            return original(self, inputs, training=training)
        return call

    return wrapped(keras_classes("Dropout"), "call", wrap)


def _phase(training: Any) -> bool | None:
    """Whether a Dropout drops: ``training``, or the learning phase when it is None; None when not concrete."""
    if training is None:
        try:
            import tf_keras

            training = tf_keras.backend.learning_phase()
        except ImportError:
            return None
    if isinstance(training, (bool, int)):
        return bool(training)
    try:
        return bool(training.numpy())  # an eager tensor
    except (AttributeError, TypeError, ValueError):
        return None


def _called_classes(obj: Any) -> list[type]:
    """The classes whose calls tell one invocation of a layer from the next (see `sharing`): Keras' `Layer`,
    TF's templates (`make_template`'s objects share their variables with themselves too), and the class that
    defines the `__call__` of the object and of each `tf.Module` in it (a `tf.function` stays a descriptor: not
    wrapped)."""
    from tensorflow.python.ops import template

    classes = [*keras_classes("Layer"), template.Template, template.EagerTemplate]
    layers = tuple(classes)
    for module in [obj, *getattr(obj, "submodules", ())]:
        if isinstance(module, layers):
            continue
        owner = next((k for k in type(module).__mro__ if "__call__" in k.__dict__), None)
        if owner is not None and inspect.isfunction(owner.__dict__["__call__"]) and owner not in classes:
            classes.append(owner)
    return classes


def _held_layers(obj: Any) -> set[int]:
    """The ids of the modules (layers among them) the object holds, in its attributes, lists and dicts, and of
    the templates it or they keep in an attribute (a template is no `tf.Module`: `submodules` leaves it out)."""
    from tensorflow.python.ops import template

    modules = [obj, *getattr(obj, "submodules", ())]
    kept = {id(value) for module in modules for value in vars(module).values() if isinstance(value, template.Template)}
    return kept | {id(module) for module in modules[1:]}


def _shared_findings(shared: sharing.Sharing) -> list[RuntimeFinding]:
    """TFS113 for the variables (and `get_or_create_layer` keys) one call handed out twice without asking."""
    names = tuple(dict.fromkeys(name for name, _stack in shared.shared))
    if not names:
        return []
    return [RuntimeFinding(
        "TFS113",
        f"{len(names)} variable(s) handed out a second time in one call, with no reuse asked: {', '.join(names)} "
        f"(the second request gets the first one's weights: two layers written as two train one set)",
        names, origins=tuple(dict.fromkeys(stack for _name, stack in shared.shared)),
    )]


def _dropout_findings(phases: list[tuple[bool | None, Stack]], training: bool | None) -> list[RuntimeFinding]:
    """TFS111 for the dropouts that ran in the other phase than the one the check called the object in."""
    if training is None:
        return []
    wrong = tuple(dict.fromkeys(stack for phase, stack in phases if phase is not None and phase != training))
    if not wrong:
        return []
    effect = "never dropped in a `training=True` call" if training else "dropped in a `training=False` call"
    return [RuntimeFinding("TFS111", f"{len(wrong)} dropout call site(s) {effect}: the phase does not reach them",
                           origins=wrong)]


def _building(constructed: dict[int, tuple[Any, Stack]]) -> list[Stack]:
    """Where the layers whose first call is building weights now were constructed, innermost first."""
    stacks = []
    frame = sys._getframe(2)  # noqa: SLF001
    while frame is not None:
        if frame.f_code.co_name == "_maybe_build":
            layer = frame.f_locals.get("self")
            entry = constructed.get(id(layer))
            if entry is not None and entry[0] is layer and entry[1]:
                stacks.append(entry[1])
        frame = frame.f_back
    return stacks


def _placed(finding: RuntimeFinding, origins: dict[Any, tuple[Stack, ...]], created: list[list[Any]]) -> RuntimeFinding:
    """The finding with where each variable it names was created, and where the layer that made it was
    constructed (a variable made before the check is not seen)."""
    by_name: dict[str, list[Stack]] = {}
    for variable in (v for call in created for v in call):
        by_name.setdefault(variable.name, []).extend(origins.get(variable.ref(), ()))
    stacks = [stack for name in finding.names for stack in by_name.get(name, ()) if stack]
    return replace(finding, origins=tuple(dict.fromkeys(stacks)))


def _raised(exc: Exception, call: int, calls: int) -> RuntimeFinding:
    error = pitfalls.read(exc)
    where = f", at {error.where}" if error.where else ""
    meaning = "" if error.code else " (no known shim pitfall)"
    return RuntimeFinding(error.code or UNEXPLAINED, f"call {call} of {calls} raised {error}{where}{meaning}",
                          error=error, call=call, origins=(error.frames,) if error.frames else ())


def _findings(
    obj: Any, is_keras: bool, created: list[list[Any]], read: dict[Any, Any], statistics_before: dict[Any, Any]
) -> list[RuntimeFinding]:
    tracked = _tracked(obj, is_keras)
    tracked_refs = {v.ref() for v in tracked}
    # Weights only: Keras also creates int64 step counters, which are not model state anyone trains.
    created = [[v for v in call if v.dtype.is_floating] for call in created]
    everything = [v for call in created for v in call]
    findings: list[RuntimeFinding] = []
    if everything and not tracked:
        names = tuple(dict.fromkeys(v.name for v in everything))
        findings.append(RuntimeFinding(
            "TFS107",
            f"{len(everything)} variable(s) created over {len(created)} call(s) but the object tracks none "
            f"(`weights == []`): is the method decorated with `track_tf1_style_variables`?",
            names,
        ))
        return findings
    by_name, in_layers = _store_variables(obj)
    later = [v for call in created[1:] for v in call]
    first = [v.name for v in created[0]]
    first_by_name = {v.name for v in created[0] if v.ref() in by_name}
    # Growth: the store kept new variables under new names. The same name made again is a rebuilt object,
    # unless `get_variable` keeps it under a name it did not hold on the first call: the first call's was a
    # layer's (`dense_1` of a kept Keras layer, then `dense_1` of a v1 layer renamed per call: measured).
    regrown = [v for v in later if v.ref() in tracked_refs and (
        v.ref() in by_name and v.name not in first_by_name or v.ref() in in_layers and v.name not in first)]
    if regrown:
        names = tuple(v.name for v in regrown)
        findings.append(RuntimeFinding(
            _growth_code([name for name in first if name not in names], list(names)),
            f"{len(regrown)} new variable(s) after the first call (the names changed): {', '.join(names)}",
            names,
        ))
    # Untracked: read during a call without being the object's, or built again on a later call.
    regrown_refs = {v.ref() for v in regrown}
    rebuilt = [v for v in later if v.ref() not in regrown_refs]
    untracked = [v for ref, v in read.items() if ref not in tracked_refs]
    if rebuilt or untracked:
        names = tuple(dict.fromkeys(v.name for v in [*rebuilt, *untracked]))
        findings.append(RuntimeFinding(
            "TFS106",
            f"variables read on every call but not kept by the object (untracked, or replaced by a new "
            f"nested object each call): {', '.join(names)}",
            names,
        ))
    penalties = () if is_keras else _lost_penalties(obj)
    if penalties:
        names = penalties
        findings.append(RuntimeFinding(
            "TFS110",
            f"regularizers on {', '.join(names)} are held only in the private `_tf1_style_var_store` of a "
            f"tf.Module: no `.losses`, and `get_regularization_losses()` is empty",
            names,
        ))
    # Statistics of batch norms rebuilt each call say nothing: only a stable object's are read.
    if statistics_before and not (regrown or rebuilt or untracked):
        after = {v.ref(): v.numpy() for v in tracked if v.ref() in statistics_before}
        if all((after[ref] == before).all() for ref, before in statistics_before.items() if ref in after):
            names = tuple(v.name for v in tracked if v.ref() in statistics_before)
            findings.append(RuntimeFinding(
                "TFS111",
                f"batch-norm statistics did not change in a `training=True` call: {', '.join(names)}",
                names,
            ))
    return findings


def check_instances(make: Callable[[], Any], *inputs: Any, instances: int = 2, training: bool | None = None,
                    calls: int = 2) -> list[RuntimeFinding]:
    """`check` on ``instances`` objects that ``make()`` builds (a class, or a function of no arguments), one after
    another, each in the state the earlier ones left, as in a program that builds its model twice (a test suite, a
    train and an eval model). Measured: a first instance can leave state that breaks the next (Keras' naming
    counters, the global graph's variable store: a `tf.compat.v1.layers.Dense` in a `tf.function` with no shim is
    given the first object's variable, `Tensor.op is undefined`), which a `check` of either object alone puts
    back. Each finding says which object it concerns (`RuntimeFinding.instance`); the state is put back at the end.
    """
    if instances < 1:
        raise ValueError("instances must be at least 1")
    findings: list[RuntimeFinding] = []
    with _process_state_preserved():
        for number in range(1, instances + 1):
            found = check(make(), *inputs, training=training, calls=calls)
            findings += [replace(finding, instance=number) for finding in found]
    return findings


def assert_shim_stable(obj: Any, *inputs: Any, training: bool | None = None, calls: int = 2,
                       instances: int | None = None) -> None:
    """Raise AssertionError with a readable report when :func:`check` finds anything (an exception the
    object raised included). With ``instances``, ``obj`` builds the objects, checked as `check_instances` does."""
    if instances is None:
        findings, name = check(obj, *inputs, training=training, calls=calls), type(obj).__name__
    else:
        findings = check_instances(obj, *inputs, instances=instances, training=training, calls=calls)
        name = getattr(obj, "__name__", type(obj).__name__)
    if findings:
        report = "\n".join(map(_described, findings))
        raise AssertionError(f"{name} is not stable under the shim:\n{report}")


def _described(finding: RuntimeFinding) -> str:
    """A finding for a report, with where its variables were created (an exception's message says where)."""
    places = [] if finding.error is not None else [f"\n    made at {site}" for site in finding.sites]
    return f"  {finding}" + "".join(places)


def reset() -> None:
    """Forget Keras' global naming state, as a fresh process would (between test cases)."""
    import tf_keras

    tf_keras.backend.clear_session()
