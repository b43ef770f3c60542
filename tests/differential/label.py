"""Label a program by running it under the real shim (TF 2.21 + tf-keras 2.21), all in one process.

What is measured, per program (never how it was generated):
- instance A, `runtime.check_instances(make, x, training=True, calls=2)`: variables created on call 2 (growth),
  variables read but not tracked / nothing tracked (untracked), batch-norm statistics frozen;
- instance B, the same, in the state A left (the same call): a second instance can fail where the first did not
  (`@track` over `@tf.function`; a store A left behind);
- instance C, called once in training and twice in inference with probes armed (tf.functions run
  eagerly there): a variable name or a
  `get_or_create_layer` key that the store hands out a second time within one call, without `reuse`
  (silent sharing), unless both requests run inside calls of one layer object called again (a layer called
  twice shares its weights by design); the `training` value that batch norm / dropout actually received; dropout active at
  inference (two inference outputs differ);
- any exception, mapped to the linter's code by `tf2lint.runtime.pitfalls` (the table runtime.check uses),
  else recorded as an unexplained error.

The oracle does not lean on `runtime.check` alone: a second copy of the program (its own classes) is
observed by an independent probe (oracle.py: a variable-creator scope and a GradientTape, the same two
calls on two instances). Where the two disagree on instance A or B, the disagreement is printed in the
label's notes and the label is dropped (an error with no code: an invalid program, which fails the suite).

Families: growth (TFS101/102/103) and untracked (TFS106/107) are one class each; the others are their
code. When a program raises, only the exception's family was observable: the rest is "masked". When
an object tracks nothing at all, growth and lost penalties (TFS110) are masked as well (`runtime.check` reports
only TFS107 then).
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import os
import sys
import traceback
import types
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")  # programs spell the shim `tf.compat.v1.keras...`

from tf2lint.runtime import pitfalls  # noqa: E402

from .compare import FAMILIES, family, modules  # noqa: E402
from .oracle import disagreement, observe_program, penalties_reached  # noqa: E402


@dataclass
class Label:
    codes: list[str] = field(default_factory=list)  # runtime codes, or [] for ok
    masked: list[str] = field(default_factory=list)  # families that could not be observed
    error: str | None = None  # "Type: first line" of an exception, if any
    notes: list[str] = field(default_factory=list)  # what was measured, for reading mismatches
    disagreements: list[str] = field(default_factory=list)  # runtime.check vs the independent probe
    oracle: list[list[str]] = field(default_factory=list)  # the independent probe's families, per instance

    @property
    def families(self) -> set[str]:
        return {family(code) for code in self.codes}

    @property
    def valid(self) -> bool:
        """A program that failed for a reason no rule documents is a generator bug, not a data point."""
        return not (self.error and not self.codes)

    def as_json(self) -> dict:
        return {"label": sorted(self.codes) or ["ok"], "masked": self.masked, "error": self.error,
                "notes": self.notes, "disagreements": self.disagreements, "oracle": self.oracle}


def _module_classes(namespace: dict[str, Any]) -> list[type]:
    """The program's `tf.Module` classes whose `__call__` is a plain (or shim-decorated) function: Keras
    layers are probed through `Layer`, and a `tf.function` must stay a descriptor to bind its instance."""
    import tensorflow as tf

    return [value for value in namespace.values()
            if isinstance(value, type) and issubclass(value, tf.Module)
            and inspect.isfunction(value.__dict__.get("__call__"))]


def _builder_identity(builder: Any) -> Any:
    """What a builder builds, as far as its code says: two lambdas with the same body are one builder."""
    code = getattr(getattr(builder, "__func__", builder), "__code__", None)
    if code is None:
        return builder
    return code.co_code, code.co_consts, code.co_names


class _Probes:
    """Monkeypatches on tf_keras internals, armed only while instance C runs."""

    def __init__(self) -> None:
        self.armed = False
        # (store id, variable name) created in this call -> the layer calls in progress when it was made
        self.created: dict[tuple[int, str], dict[int, int]] = {}
        self.calls: dict[int, int] = {}  # layer calls in progress: id(layer) -> which invocation
        self.invocations = 0
        self.called: list[Any] = []  # every object called in this call, kept alive so that no id is reused
        self.layer_keys: dict[tuple[int, str], Any] = {}  # (store id, key) -> builder code, this call
        self.shared: list[str] = []
        self.builder_args: list[str] = []
        self.training_seen: list[bool] = []
        self.reuse_stack: list[Any] = []

    def reuse_asked(self, reuse: Any) -> bool:
        """Sharing was asked for: `reuse=True` / AUTO_REUSE on an entered scope, or `reuse_variables()`."""
        import tensorflow as tf

        asked = (True, tf.compat.v1.AUTO_REUSE)
        # `scope.reuse_variables()` sets the entered VariableScope's own `_reuse` to True.
        return reuse is True or any(
            requested in asked or getattr(entered, "_reuse", None) is True for requested, entered in self.reuse_stack)

    def recalled(self, key: tuple[int, str]) -> bool:
        """The variable was made in an earlier call of a layer object that is being called again now."""
        made_in = self.created[key]
        return any(layer in made_in and made_in[layer] != invocation for layer, invocation in self.calls.items())

    def start_call(self) -> None:
        self.called.clear()
        self.created.clear()
        self.layer_keys.clear()
        self.training_seen = []

    @contextlib.contextmanager
    def installed(self, modules: list[type] = ()) -> Iterator[None]:
        """The probes, on tf_keras and on the program's own `tf.Module` classes with a `__call__` (``modules``)."""
        import tensorflow as tf
        from tensorflow.python.ops import variable_scope as vs_module
        from tf_keras.src.engine.base_layer import Layer
        from tf_keras.src.layers.normalization.batch_normalization import BatchNormalizationBase
        from tf_keras.src.layers.regularization.dropout import Dropout
        from tf_keras.src.legacy_tf_layers.variable_scope_shim import _EagerVariableStore

        probes = self
        get_single = _EagerVariableStore._get_single_variable
        signature = inspect.signature(get_single)
        get_layer = _EagerVariableStore.get_or_create_layer

        @functools.wraps(get_single)
        def get_single_variable(store: Any, *args: Any, **kwargs: Any) -> Any:
            bound = signature.bind(store, *args, **kwargs)
            name, reuse = bound.arguments["name"], bound.arguments.get("reuse")
            existed = name in store._vars
            result = get_single(store, *args, **kwargs)
            if probes.armed:
                key = (id(store), name)
                if existed and key in probes.created and not probes.reuse_asked(reuse) and not probes.recalled(key):
                    probes.shared.append(name)
                if not existed:
                    probes.created[key] = dict(probes.calls)
            return result

        @functools.wraps(get_layer)
        def get_or_create_layer(store: Any, name: str, create_layer_method: Any) -> Any:
            if name not in store._layers:
                try:
                    inspect.signature(create_layer_method).bind()
                except TypeError:
                    probes.builder_args.append(name)
                except ValueError:
                    pass  # no signature available: let the call decide
            if probes.armed:
                code = _builder_identity(create_layer_method)
                key = (id(store), name)
                if key in probes.layer_keys and probes.layer_keys[key] != code:
                    probes.shared.append(f"layer key {name!r}")
                probes.layer_keys.setdefault(key, code)
            return get_layer(store, name, create_layer_method)

        def invocation(original: Any) -> Any:
            """Records which call of which object is in progress (a layer, or a module called as one)."""
            @functools.wraps(original)
            def call(obj: Any, *args: Any, **kwargs: Any) -> Any:
                if not probes.armed or id(obj) in probes.calls:
                    return original(obj, *args, **kwargs)
                probes.invocations += 1
                probes.calls[id(obj)] = probes.invocations
                probes.called.append(obj)
                try:
                    return original(obj, *args, **kwargs)
                finally:
                    del probes.calls[id(obj)]

            return call

        def recording(original: Any) -> Any:
            @functools.wraps(original)
            def call(layer: Any, inputs: Any, training: Any = None, *args: Any, **kwargs: Any) -> Any:
                if probes.armed:
                    value = tf.get_static_value(training) if tf.is_tensor(training) else training
                    probes.training_seen.append(bool(value))
                return original(layer, inputs, training, *args, **kwargs)

            return call

        # In eager mode every scope's `reuse` reads AUTO_REUSE, so what the code asked for is only in the
        # `variable_scope(..., reuse=...)` objects it entered: keep a stack of those requests.
        enter, exit_ = vs_module.variable_scope.__enter__, vs_module.variable_scope.__exit__

        def scope_enter(scope: Any) -> Any:
            entered = enter(scope)
            probes.reuse_stack.append((scope._reuse, entered))
            return entered

        def scope_exit(scope: Any, *exc: Any) -> Any:
            probes.reuse_stack.pop()
            return exit_(scope, *exc)

        patches = [
            (vs_module.variable_scope, "__enter__", scope_enter),
            (vs_module.variable_scope, "__exit__", scope_exit),
            (_EagerVariableStore, "_get_single_variable", get_single_variable),
            (_EagerVariableStore, "get_or_create_layer", get_or_create_layer),
            (BatchNormalizationBase, "call", recording(BatchNormalizationBase.call)),
            (Dropout, "call", recording(Dropout.call)),
            (Layer, "__call__", invocation(Layer.__call__)),
            *((cls, "__call__", invocation(cls.__dict__["__call__"])) for cls in modules),
        ]
        saved = [(owner, attr, owner.__dict__[attr]) for owner, attr, _ in patches]
        try:
            for owner, attr, replacement in patches:
                setattr(owner, attr, replacement)
            yield
        finally:
            for owner, attr, original in saved:
                setattr(owner, attr, original)


class _Raised(Exception):
    """`runtime.check` reported an exception of the program: label it like one raised here."""

    def __init__(self, finding: Any) -> None:
        super().__init__(str(finding.error))
        self.finding = finding


def _error_code(exc: BaseException, probes: _Probes) -> str | None:
    error = exc.finding.error if isinstance(exc, _Raised) else pitfalls.read(exc)
    code = error.code
    if code is None and error.type == "TypeError" and probes.builder_args:
        return "TFS109"  # a get_or_create_layer builder that needs arguments
    return code


def install(helpers: dict[str, str], name: str) -> None:
    """The program's other modules, each run anew and put where its imports find it."""
    for module_name, text in helpers.items():
        helper = types.ModuleType(module_name)
        sys.modules[module_name] = helper
        exec(compile(text, f"<{name}:{module_name}>", "exec"), helper.__dict__)  # noqa: S102


def _penalties(module: Any) -> float:
    """The regularization penalties a tf.Module's shim store holds (it cannot expose them)."""
    store = getattr(module, "_tf1_style_var_store", None)
    return sum(abs(float(regularizer())) for regularizer in getattr(store, "_regularizers", {}).values())


def _lost_in_submodules(module: Any) -> bool:
    """A `tf.Module` (not a Keras layer) below the root whose own shim store holds penalties it does not hand
    out: measured, they are in that store only (`module.losses` does not exist, the root's store is empty)."""
    from tf2lint.runtime.stability import keras_layer_types

    return any(
        not isinstance(sub, keras_layer_types()) and _penalties(sub) and not penalties_reached(sub)
        for sub in getattr(module, "submodules", ())
    )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, _Raised):
        return str(exc.finding.error)[:200]
    return str(pitfalls.read(exc))[:200]


class Labeller:
    """Runs programs one after the other in this process; Keras' global state is reset between them."""

    def __init__(self) -> None:
        import tensorflow as tf
        import tf_keras

        if tf.keras is not tf_keras and not tf.keras.__name__.startswith("tf_keras"):
            raise RuntimeError("TF_USE_LEGACY_KERAS=1 must be set before TensorFlow is imported")
        self.tf = tf
        self.probes = _Probes()
        # AutoGraph cannot read exec'd sources and says so for every tf.function: it runs them as-is.
        tf.get_logger().setLevel("ERROR")

    def label(self, source: str, name: str = "program") -> Label:
        from tf2lint import runtime

        runtime.reset()
        self.probes.builder_args.clear()
        self.probes.shared.clear()
        label = Label()
        namespace: dict[str, Any] = {"__name__": f"differential_{name}"}
        main, helpers = modules(source)
        checked: list[set[str]] = []  # families runtime.check reported, per instance
        observed: list[set[str]] = []  # families the independent probe saw, per instance
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # a deprecation warning per v1 layer: slow, and not ours
                install(helpers, name)  # importable by the main module while it runs; fresh for each run
                observed = observe_program(main, name)
                runtime.reset()
                install(helpers, name)
                exec(compile(main, f"<{name}>", "exec"), namespace)  # noqa: S102 - our own generated programs
                make, inputs = namespace["make"], namespace["inputs"]
                with self.probes.installed(_module_classes(namespace)):
                    self._run(make, inputs(), label, checked)
        except Exception as exc:  # noqa: BLE001 - every failure is a measurement
            code = _error_code(exc, self.probes)
            label.error = _describe(exc)
            label.notes.append(exc.finding.message[:300] if isinstance(exc, _Raised) else
                               "".join(traceback.format_exception_only(type(exc), exc)).strip()[:300])
            if code:
                label.codes = [code]
                label.masked = [f for f in FAMILIES if f != family(code)]
            else:
                label.codes = []
        finally:
            self.probes.armed = False
            for module_name in helpers:
                sys.modules.pop(module_name, None)
            runtime.reset()
        label.codes = sorted(set(label.codes))
        if checked:
            self._reconcile(label, checked, observed)
        return label

    @staticmethod
    def _reconcile(label: Label, checked: list[set[str]], observed: list[set[str]]) -> None:
        """Keep the label only where `runtime.check` and the independent probe agree, instance by instance;
        print the disagreement in the notes either way."""
        label.oracle = [sorted(families) for families in observed]
        # The independent probe cannot see silent sharing (nothing raises, nothing is left untracked): there the
        # store probe of instance C (`_Probes.shared`, functions run eagerly) is what `runtime.check` must meet,
        # and where a raise masked it, nothing is.
        silent = {"TFS113"} & {*label.codes, *label.masked}
        for instance, (check_families, probe_families) in enumerate(zip(checked, observed)):
            text = disagreement(check_families - silent, probe_families - silent)
            if text is None:
                continue
            label.notes.append(f"oracle, instance {'AB'[instance]}: {text}")
            label.disagreements.append(text)
            label.error = f"oracle disagreement: {text}"
            label.codes, label.masked = [], []

    def _run(self, make: Any, x: tuple, label: Label, checked: list[set[str]]) -> None:
        from tf2lint import runtime

        tf = self.tf
        first = make()
        if not isinstance(first, tf.Module):
            first(*x)
            first(*x)
            label.notes.append("not a tf.Module: called twice, no error")
            return
        codes: set[str] = set()
        made: list[Any] = []

        def build() -> Any:
            made.append(make() if made else first)
            return made[-1]

        # Instance B is built and checked in the state A left, as the independent probe runs them (s5858-01598:
        # B is given A's variable by the default store A left in the global graph, and raises).
        found = runtime.check_instances(build, *x, instances=2, training=True, calls=2)
        for number, instance in enumerate(made, start=1):
            findings = [f for f in found if f.instance == number]
            if penalties_reached(instance):  # the module hands its store's penalties out itself
                findings = [f for f in findings if f.code != "TFS110"]
            checked.append({family(f.code) for f in findings})
            for finding in findings:
                if finding.error:
                    raise _Raised(finding)
                if finding.code == "TFS113":
                    continue  # silent sharing is the store probe's to say (instance C); `_reconcile` compares
                codes.add(finding.code)
                label.notes.append(f"{finding.code}: {finding.message[:200]}")
        if _lost_in_submodules(first):
            codes.add("TFS110")  # runtime.check reads the root's store only: a sub-Module's penalties too
        unstable = bool({"TFS101", "TFS102", "TFS106", "TFS107"} & codes)
        if unstable:
            codes.discard("TFS111")  # frozen statistics of batch norms rebuilt each call say nothing
        if "TFS107" in codes:
            # Nothing tracked: no variable grows in `weights`, and no regularized variable or sub-module store is
            # there to read (measured, s5858-00626: a per-call decorated `Sub` module's penalties, which
            # `runtime.check(Sub())` reports as TFS110, are invisible through the object that builds it).
            label.masked.extend(("growth", "TFS110"))
        # tf.function traces a body more than once on its first call (and retraces): run it eagerly here, so
        # that "requested twice in one call" means the code asked twice, not that TF traced twice.
        tf.config.run_functions_eagerly(True)
        try:
            codes |= self._probe_instance(make, x, label, unstable)
        finally:
            tf.config.run_functions_eagerly(False)
        if self.probes.builder_args:
            codes.add("TFS109")
            label.notes.append(f"builder needs arguments: {self.probes.builder_args}")
        label.codes = sorted(codes)

    def _probe_instance(self, make: Any, x: tuple, label: Label, unstable: bool) -> set[str]:
        from tf2lint.runtime.stability import _call_kwargs, keras_layer_types, _moving_statistics

        codes: set[str] = set()
        probes = self.probes
        layer = make()
        is_keras = isinstance(layer, keras_layer_types())
        probes.armed = True
        probes.start_call()
        layer(*x, **_call_kwargs(layer, True, is_keras))
        if probes.shared:
            codes.add("TFS113")
            label.notes.append(f"shared within one call: {sorted(set(probes.shared))}")
        if not all(probes.training_seen):
            codes.add("TFS111")
            label.notes.append(f"training call: batch norm / dropout saw training={probes.training_seen}")
        inference_kwargs = _call_kwargs(layer, False, is_keras)
        statistics = _moving_statistics(layer, is_keras)
        outputs = []
        for _ in range(2):
            probes.start_call()
            outputs.append(layer(*x, **inference_kwargs).numpy())
            if any(probes.training_seen):
                codes.add("TFS111")
                label.notes.append(f"inference call: batch norm / dropout saw training={probes.training_seen}")
        probes.armed = False
        after = _moving_statistics(layer, is_keras)
        if any(ref in after and not (after[ref] == value).all() for ref, value in statistics.items()):
            codes.add("TFS111")
            label.notes.append("batch-norm statistics changed in an inference call")
        if not unstable and not (outputs[0] == outputs[1]).all():
            codes.add("TFS111")
            label.notes.append("two inference calls gave different outputs")
        return codes
