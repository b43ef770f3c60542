"""TFS107: a Layer/Model/Module method that creates TF1-style variables without the shim decorator."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.analysis.body import calls_kept_on_attributes, with_items
from tf2lint.analysis.callers import held_where_unfollowed, module_callers, named_elsewhere, tracing_holders
from tf2lint.analysis.classes import ENTRY_NAMES
from tf2lint.analysis.ownership import v1_object
from tf2lint.analysis.scope_names import argument_of, literal_value
from tf2lint.analysis.summary import FUNCTION_DEFS, is_static, plain_decorators
from tf2lint.analysis.values import parameter_from_callers
from tf2lint.knowledge import api
from tf2lint.rules.base import Docs, FixPlan, Hit, Rule, self_attribute, self_name, spelled, v1_subclass_of_call

if TYPE_CHECKING:
    from tf2lint.analysis.context import ClassInfo, ModuleContext

CODE = "TFS107"
# The entry points (`classes.ENTRY_NAMES`), methods Keras and tf.Module run themselves: their caller is known to
# be outside shim code. Any other method is reached from somewhere we may not see (a subclass, another module),
# and unknown is silent.
_SEARCH_LIMIT = 48  # functions entered while looking for variable creation from one entry point


def _creator(ctx: ModuleContext, method: ast.AST, cls: ClassInfo) -> str | None:
    # Work done inside decorated methods of the same object is covered by their decorator.
    # Bounded: a layer whose helpers fan out into a whole library of TF1 code is not searched to the end
    # (past the bound the answer is unknown, so nothing is reported).
    stored: dict[ast.AST, set[ast.Call]] = {}
    # Templates stored by `__init__` are looked for only in classes that have one (most have none).
    templates = any(api.MAKE_TEMPLATE in types for klass in ctx.mro(cls) for types in klass.attr_types.values())
    for call, names, func in ctx.reached_calls(method, cls, stop_at_shim=True, limit=_SEARCH_LIMIT):  # type: ignore[arg-type]
        for name in names:
            if api.creates_tf1_variables(name) or api.v1_rnn_cell_base_name(name):
                if api.is_v1_layer_class(name) and call in stored.setdefault(func, _stored_on_self(ctx, func)):
                    continue  # measured: a v1 layer object kept on `self` is a tracked sub-layer
                return f"`{name}`"
        subclass = v1_subclass_of_call(ctx, call, func) if isinstance(call.func, ast.Name) and not names else None
        if subclass is not None and call not in stored.setdefault(func, _stored_on_self(ctx, func)):
            return f"`{subclass[0]}` (a `{subclass[1]}`)"
        if not templates:
            continue
        template = None if any(func is f for f, _d, _c in ctx.shim_decorated) else _init_template(ctx, cls, call, func)
        if template:
            return template
    return None


def _kept_layer_traced(ctx: ModuleContext, method: ast.AST, cls: ClassInfo) -> str | None:
    """`self.<attr>(x)`, a v1 layer object kept on the object (built in `__init__`, or in a method, as under a
    create-once guard), called in a `tf.function` the entry reaches (or is; decorated, or compiled on the way:
    `tf.function(self._block)(x)`), or from an entry that a holder of the object calls in its own `tf.function`,
    inside `variable_scope("<name>")` (`reuse=False` changes nothing):
    with no shim store, TF keeps the variables in the global graph's default store under fixed names. Measured: the
    first instance works; the next object that asks those names (a second instance, another class) is handed them
    from a dead graph and raises `Tensor.op is undefined` (without the scope the layer's own names are numbered per
    object; under `reuse=AUTO_REUSE`, and with the shim, where each object has its store, it works)."""
    if not ctx.mentions("variable_scope"):
        return None
    kept = _kept_v1_layers(ctx, cls)
    if not kept:
        return None  # most classes keep no v1 layer: `_creator` searched their calls already
    holders = [held for held, _tracing in tracing_holders(cls)] if getattr(method, "name", None) in ENTRY_NAMES else []
    compiled: set[ast.AST] = set()  # what a `tf.function(f)` on the way compiles (`tf.function(self._block)(x)`)
    for call, names, func in ctx.reached_calls(method, cls, stop_at_shim=True, limit=_SEARCH_LIMIT):  # type: ignore[arg-type]
        if api.TF_FUNCTION in names and call.args and ctx.module_of(func) is ctx.root:
            compiled.update(callee.func for callee in ctx.callees_of_call(call, func))
            continue
        attr = self_attribute(ctx, call.func, func)
        if attr not in kept:
            continue
        traced = func in compiled or ctx.tf_function_decorator(func) is not None
        if not (traced or holders):
            continue
        for item in with_items(func, call):
            if isinstance(item, ast.Call) and api.VARIABLE_SCOPE in ctx.resolve(item.func, func) and all(
                    k.arg is not None
                    and (k.arg != "reuse" or isinstance(k.value, ast.Constant) and k.value.value in (False, None))
                    for k in item.keywords):
                scope = _scope_name(ctx, argument_of(item, "name_or_scope", 0), func)  # (a name: no default_name)
                if scope:
                    where = (f"in the `tf.function` `{getattr(func, 'name', '?')}`" if traced else
                             f"from the `tf.function` `{holders[0].holder.name}.{holders[0].method.name}` holding it")
                    return f"`self.{attr}` (a kept `{kept[attr]}`) {where} under `variable_scope(\"{scope}\")`"
    return None


def _scope_name(ctx: ModuleContext, expr: ast.expr | None, func: ast.AST) -> str | None:
    """The literal name a `variable_scope` is given: written there, or a parameter of ``func`` (a method) that
    every call of it in the module gives one string (`self._block(x, scope="b1")`)."""
    written = literal_value(expr)
    if isinstance(written, str):
        return written
    if isinstance(expr, ast.Name) and isinstance(func, FUNCTION_DEFS) and ctx.owner.get(func) is not None and any(
            param.arg == expr.id for param in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs)):
        value = parameter_from_callers(ctx.root, func, expr.id)
        if value is not None and value[0] == "str":
            return value[1]
    return None


def _kept_v1_layers(ctx: ModuleContext, cls: ClassInfo) -> dict[str, str]:
    """Attribute -> the first v1 layer class (or project subclass of one) it holds along the MRO: set in
    `__init__`, or in any method."""
    kept: dict[str, str] = {}
    for klass in ctx.mro(cls):
        init = klass.methods.get("__init__")
        for attr, ctor in klass.attr_ctors.items() if init is not None else ():
            name = v1_object(ctx, klass, ctor, init)  # type: ignore[arg-type]
            if name is not None and name != api.MAKE_TEMPLATE:
                kept.setdefault(attr, name)
        for func in klass.methods.values():
            owner = self_name(ctx, func)
            for holder, attr, call in calls_kept_on_attributes(func):
                if holder == owner:
                    name = v1_object(ctx, klass, call.func, func)
                    if name is not None and name != api.MAKE_TEMPLATE:
                        kept.setdefault(attr, name)
    return kept


def _stored_on_self(ctx: ModuleContext, func: ast.AST) -> set[ast.Call]:
    """Calls whose result `func` stores on `self` (`self.fc = Dense(...)`, `self.heads[k] = Dense(...)`):
    Keras tracks layers set as attributes, wherever the assignment runs."""
    owner = self_name(ctx, func)
    return {call for holder, _attr, call in calls_kept_on_attributes(func) if owner is not None and holder == owner}  # type: ignore[arg-type]


def _consequence(creator: str) -> str:
    if creator.startswith("the template"):
        # Measured: the template keeps its one variable, read on every call, but no `weights` lists it.
        return "the template's variables are read on every call but belong to no layer"
    return "a new variable is created on every call"


def _init_template(ctx: ModuleContext, cls: ClassInfo, call: ast.Call, func: ast.AST) -> str | None:
    """`self.t(x)` where `__init__` set `self.t = make_template(...)`: the template creates its variables on
    its first call, in whatever method calls it (measured: untracked when that method is undecorated)."""
    attr = self_attribute(ctx, call.func, func)
    if attr is None:
        return None
    for klass in ctx.mro(cls):
        if api.MAKE_TEMPLATE in klass.attr_types.get(attr, ()):
            return f"the template `self.{attr}` made in `__init__`, which creates its variables on its first call"
    return None


def _entry_methods(ctx: ModuleContext, cls: ClassInfo) -> dict[str, ast.AST]:
    """`call`/`__call__` as the class resolves them: its own, or one inherited from a class of this module
    (run with this class's overrides). One inherited from another module is that module's report."""
    found = {}
    for name in ENTRY_NAMES:
        resolved = ctx.resolved_method(cls, name, local=True)
        if resolved is not None and resolved[1] is resolved[0].methods.get(name):
            found[name] = resolved[1]  # a `def`, not another function the shim is applied to by assignment
    return found


def _own_store(ctx: ModuleContext, cls: ClassInfo) -> bool:
    """A class that enters a shim variable store itself (`with self._store.scope():`) is shim code."""
    return any(
        name.endswith("_EagerVariableStore") for klass in ctx.mro(cls) for names in klass.attr_types.values() for name in names
    )


def _callers(ctx: ModuleContext, functions: list[ast.AST]) -> dict[str, set[ast.AST]]:
    """Method name -> the ``functions`` (of a class and its subclasses) calling ``self.<name>()``/``super()``."""
    callers: dict[str, set[ast.AST]] = {}
    for func in functions:
        for call in ctx.own_calls(func):  # type: ignore[arg-type]
            target = call.func
            if not isinstance(target, ast.Attribute):
                continue
            on_self = self_attribute(ctx, target, func) is not None
            on_super = (
                isinstance(target.value, ast.Call)
                and isinstance(target.value.func, ast.Name)
                and target.value.func.id == "super"
            )
            if on_self or on_super:
                callers.setdefault(target.attr, set()).add(func)
    return callers


def _unknown_decorators(ctx: ModuleContext, method: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    """Decorators that are not TensorFlow/Keras APIs: maybe a project wrapper around the shim."""
    spelled = []
    for deco in method.decorator_list:
        target = deco.func if isinstance(deco, ast.Call) else deco
        names = ctx.resolve(target, None)
        if not any(n.startswith(("tf.", "keras.")) for n in names) and ast.unparse(target) not in (
            "staticmethod", "classmethod", "property"
        ):
            spelled.append(ast.unparse(target))
    return spelled


def check(ctx: ModuleContext) -> Iterator[Hit]:
    if not (ctx.mentions("variable", "layers", "make_template", "slim", "rnn_cell") or ctx.may_use_project()):
        return
    if ctx.graph_mode:
        return  # TF1 graph mode: variables live in collections and need no shim
    decorated = {func for func, _deco, _cls in ctx.shim_decorated}
    for cls in ctx.classes:
        entries = _entry_methods(ctx, cls)
        if not entries:
            continue
        callers: dict[str, set[ast.AST]] | None = None
        for name, method in entries.items():
            if name not in ENTRY_NAMES or method in decorated or method in ctx.reached or is_static(method) or (
                "property" in plain_decorators(method)
            ):
                continue
            # The class's kind first: it is memoized and cheap, the search for a creator is not.
            if ctx.class_kind(cls) not in ("keras", "module"):
                continue
            if ctx.project is not None and named_elsewhere(ctx.project, ctx.root, cls.name):
                # Another module imports and names the class: its callers there decide (the answer depends on
                # that module, which is recorded). Asked before the search for a creator, which it spares for
                # most layers of a library (on the benchmark corpus, 263 of 352 searches).
                continue
            creator = _creator(ctx, method, cls)
            traced = _kept_layer_traced(ctx, method, cls) if creator is None else None
            if creator is None and traced is None or _own_store(ctx, cls):
                continue
            if cls.name in module_callers(ctx.root).dynamic_attrs:
                continue  # kept with `setattr` (under a name made at runtime, or one not modelled): callers unknown
            if held_where_unfollowed(cls, ctx.reached):
                continue  # its holder's shim code runs the objects in a way the walk cannot follow: unknown
            if callers is None:
                # Helpers are called from the class's own functions and from its subclasses' (their overrides).
                callers = _callers(ctx, [f for klass in (cls, *ctx.subclasses(cls)) for f in ctx.functions_of(klass)])
            if callers.get(name):
                # A helper: shim context when its callers are decorated, else their own report covers it.
                continue
            unknown = _unknown_decorators(ctx, method)
            hint = (
                f" (if `@{unknown[0]}` wraps the shim, add it to the `shim-decorators` setting)" if unknown else ""
            )
            spelling = spelled(ctx, api.SHIM_DECORATOR)
            plan = FixPlan(
                "add-decorator", "safe", "Decorate the method with track_tf1_style_variables", (method,), spelling
            ) if spelling else None
            if traced is not None:
                yield Hit(
                    method,
                    f"`{cls.name}.{name}` runs {traced} without `@{api.SHIM_DECORATOR}`: with no shim store, "
                    f"TensorFlow keeps its variables in the global graph's default store under that scope; the first "
                    f"instance works, the next object that asks those names (a second instance) is handed them from a "
                    f"dead graph and raises `AttributeError: Tensor.op is undefined`{hint}",
                    plan,
                )
                continue
            yield Hit(
                method,
                f"`{cls.name}.{name}` creates variables ({creator}) but is not decorated with "
                f"`@{api.SHIM_DECORATOR}`: the object tracks none of them (`weights == []`), "
                f"{_consequence(creator)} and training updates nothing{hint}",
                plan,
            )


RULE = Rule(
    code=CODE,
    symbol="missing-shim-decorator",
    summary="Layer/Model/Module method creating TF1-style variables without the shim decorator",
    docs=Docs(
        what=(
            "Finds a method of a `tf.keras.layers.Layer`, `tf.keras.Model` or `tf.Module` subclass (bases "
            "resolved in the module, through chains of in-module classes) that creates variables through "
            "`get_variable`, `tf.compat.v1.layers`, `make_template`, TF-Slim layers or `slim.variable` / "
            "`slim.model_variable` (directly or through helpers it reaches, also in other modules) "
            "and is not decorated with `track_tf1_style_variables`. Only the entry points Keras and `tf.Module` "
            "run themselves (`call`, `__call__`) are reported, and only when no decorated method reaches them: a "
            "helper is covered by its decorated callers, or by the report on its undecorated caller; work done "
            "inside decorated methods of the same object is covered by their decorator, and a sub-layer whose "
            "undecorated `call` runs from a decorated method of its parent (built in `__init__` or in `build`) runs in "
            "the parent's store (also when the parent "
            "reaches it through a property, or keeps it in a list, tuple, dict or `tf.keras.Sequential`; a class that "
            "another project module imports and names, whose objects are kept with `setattr`, or whose holder's shim method runs them in a way tf2lint does not follow, such as a slice "
            "or a comprehension, is left to callers tf2lint cannot see). Modules that "
            "switch to graph mode with `disable_v2_behavior()` are not reported. Calling a template that `__init__` "
            "stored on `self` (`self.t = make_template(...)`) counts as creating variables: the template creates "
            "them on its first call, inside the calling method. A v1 layer object kept on `self` (built in "
            "`__init__`, or on first use) is tracked and is fine, except when the entry reaches it in a "
            "`tf.function` method of the class (or is one), or is run by a `tf.function` method of a class of the "
            "module that holds the object, under `variable_scope(\"<name>\")` (`reuse=False` too; not under "
            "`AUTO_REUSE`): then its variables go to TensorFlow's global variable store under fixed names, and a "
            "second instance raises."
        ),
        why=(
            "Without the decorator nothing gives `get_variable` a store that lives with the object: in eager "
            "mode every call creates fresh variables, none of them is tracked by the layer, and an optimizer "
            "sees no trainable weights. Nothing raises."
        ),
        fix_safety=(
            "Safe: adds the decorator (spelled with the file's own imports; `import tensorflow as tf` is added "
            "only when nothing fits) as the innermost decorator. The first call creates the same variables, now "
            "tracked; the test suite checks this under the real shim."
        ),
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: no error anywhere (eager, `reuse=True`, `AUTO_REUSE`, an outer "
            "`tf.function`, `model.fit`); `layer.weights == []`, a new variable every call; `fit` reports a loss "
            "but trains nothing. A v1 `Dense` built in `__init__` and called in a `tf.function` helper under "
            "`variable_scope(\"blk\")`: the first instance works, the second raises `AttributeError: Tensor.op is "
            "undefined` (also from another class asking `blk/fc`, with the whole model in a `tf.function`, or with "
            "`call` itself compiled by `@tf.function`, or when the layer is kept on first use by a module that its "
            "holder calls in a `tf.function`, under `reuse=False` as without it: `runtime.check_instances` shows it); "
            "under `AUTO_REUSE` every instance works; "
            "without the scope, or with the decorator, every instance works. A template made in `__init__` and "
            "called from an undecorated `call`: its "
            "variable is read on every call and is in no `weights` (0 weights after two calls); with the decorator "
            "it is tracked and stable (`scale/w`)."
        ),
    ),
    bad=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Forgotten(tf.keras.layers.Layer):
    def call(self, inputs):  # expect: TFS107
        with v1.variable_scope("dense"):
            kernel = v1.get_variable("kernel", shape=[inputs.shape[-1], 3])
            return tf.matmul(inputs, kernel)


class Base(tf.Module):
    pass


class Derived(Base):
    def __call__(self, x):  # expect: TFS107
        return self._tower(x)

    def _tower(self, x):
        with v1.variable_scope("tower"):
            return v1.layers.dense(x, 3)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def scale_by_w(x):
    w = v1.get_variable("w", shape=[x.shape[-1], 3])
    return tf.matmul(x, w)


class TemplateInInit(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.scale = v1.make_template("scale", scale_by_w)

    def call(self, inputs):  # expect: TFS107
        return self.scale(inputs)
''',
        '''\
import tensorflow as tf
import tf_slim as slim


class SlimUndecorated(tf.keras.layers.Layer):
    def call(self, inputs):  # expect: TFS107
        scale = slim.model_variable("scale", shape=[inputs.shape[-1]])
        return inputs * scale
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class TracedBlock(tf.keras.layers.Layer):
    """The first instance works; the second raises: `blk/fc/*` stayed in TF's global variable store."""

    def __init__(self):
        super().__init__()
        self.fc = v1.layers.Dense(4, name="fc")

    def call(self, x):  # expect: TFS107
        return self._block(x)

    @tf.function
    def _block(self, x):
        with v1.variable_scope("blk"):
            return self.fc(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class TracedCall(tf.keras.layers.Layer):
    """`call` itself is the `tf.function`: the second instance raises as with a traced helper."""

    def __init__(self):
        super().__init__()
        self.fc = v1.layers.Dense(4)

    @tf.function
    def call(self, x):  # expect: TFS107
        with v1.variable_scope("blk"):
            return self.fc(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Block(tf.Module):
    """Kept on first use and traced by its holder's `tf.function`: the second `Runner` raises too."""

    def __init__(self):
        super().__init__()
        self.fc = None

    def __call__(self, x):  # expect: TFS107
        with v1.variable_scope("blk", reuse=False):  # `reuse=False` changes nothing
            if self.fc is None:
                self.fc = v1.layers.Dense(4)
            return self.fc(x)


class Runner(tf.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()

    @tf.function
    def __call__(self, x):
        return self.block(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class ProjectDense(v1.layers.Dense):
    pass


class TracedSubclass(tf.Module):
    """A project subclass of a v1 layer kept and traced: the second instance raises as with `v1.layers.Dense`."""

    def __init__(self):
        super().__init__()
        self.fc = ProjectDense(4, name="fc")

    def __call__(self, x):  # expect: TFS107
        return self._block(x)

    @tf.function
    def _block(self, x):
        with v1.variable_scope("blk"):
            return self.fc(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class ScopeFromCaller(tf.keras.layers.Layer):
    """The scope's name comes from the one caller: `b1`, fixed, so the second instance raises."""

    def __init__(self):
        super().__init__()
        self.fc = None

    def call(self, x):  # expect: TFS107
        return self._block(x, scope="b1")

    @tf.function
    def _block(self, x, scope=None):
        with v1.variable_scope(scope, default_name="blk"):
            if self.fc is None:
                self.fc = v1.layers.Dense(4, name="fc")
            return self.fc(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Block(tf.keras.layers.Layer):
    def call(self, x):  # expect: TFS107
        return v1.layers.dense(x, 4, name="fc")


class BuiltInBuild(tf.keras.layers.Layer):
    """The block is built in `build`, which Keras runs once, before the first call."""

    def build(self, input_shape):
        self.block = Block()

    def call(self, x):  # expect: TFS107
        return self.block(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class CompiledInline(tf.keras.layers.Layer):
    """Held-out s8787-00986: `tf.function(self._block)` compiles the helper where `call` runs it; the second
    instance raises as with `@tf.function` on the helper."""

    def __init__(self):
        super().__init__()
        self.fc = None

    def call(self, x):  # expect: TFS107
        return tf.function(self._block)(x)

    def _block(self, x):
        with v1.variable_scope("blk"):
            if self.fc is None:
                self.fc = v1.layers.Dense(4)
            return self.fc(x)
''',
    ),
    good=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class NativeKeras(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.dense = tf.keras.layers.Dense(3)

    def build(self, input_shape):
        self.w = self.add_weight(shape=(input_shape[-1], 3))

    def call(self, inputs):
        return self.dense(inputs) + tf.matmul(inputs, self.w)


class Decorated(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        return self._tower(inputs)

    def _tower(self, x):
        with v1.variable_scope("tower"):
            return v1.layers.dense(x, 3)


class NotALayer(object):
    def __call__(self, x):
        with v1.variable_scope("graph"):
            return v1.layers.dense(x, 3)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def scale_by_w(x):
    w = v1.get_variable("w", shape=[x.shape[-1], 3])
    return tf.matmul(x, w)


class TemplateTracked(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.scale = v1.make_template("scale", scale_by_w)

    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        return self.scale(inputs)
''',
        '''\
import tensorflow as tf
import tf_slim as slim


class SlimDecorated(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        scale = slim.model_variable("scale", shape=[inputs.shape[-1]])
        return inputs * scale


class SlimFree(tf.keras.layers.Layer):
    def call(self, inputs):
        return slim.flatten(slim.max_pool2d(inputs, [2, 2]))
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1
track = v1.keras.utils.track_tf1_style_variables


class Delegating(tf.keras.layers.Layer):
    # Undecorated, but all its variable-creating work happens inside a decorated method of the object.
    def call(self, inputs):
        return self.forward(inputs)

    @track
    def forward(self, inputs):
        with v1.variable_scope("forward"):
            return v1.layers.dense(inputs, 3)


class Assigned(tf.keras.layers.Layer):
    def _forward(self, inputs):
        with v1.variable_scope("assigned"):
            return v1.layers.dense(inputs, 3)

    call = track(_forward)  # decoration by assignment is decoration


class Base(tf.Module):
    @track
    def __call__(self, inputs):
        with v1.variable_scope("base"):
            return self.forward_pass(inputs)

    def forward_pass(self, inputs):
        return inputs


class Sub(Base):
    # Reached from the base class's decorated __call__: runs in its variable store.
    def forward_pass(self, inputs):
        w = v1.get_variable("w", shape=[inputs.shape[-1], 3])
        return tf.matmul(inputs, w)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class LazyAttribute(tf.keras.layers.Layer):
    # Not a forgotten decorator: a v1 layer object kept on `self` is a sub-layer Keras tracks.
    def __init__(self):
        super().__init__()
        self.fc = None

    def call(self, inputs):
        if self.fc is None:
            self.fc = v1.layers.Dense(3)
        return self.fc(inputs)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1
track = v1.keras.utils.track_tf1_style_variables


def tf1_compatible(method):
    """The project's own name for the shim: a function that only forwards to it is the shim decorator."""
    return track(method)


class Wrapped(tf.keras.layers.Layer):
    @tf1_compatible
    def call(self, inputs):
        with v1.variable_scope("dense"):
            kernel = v1.get_variable("kernel", shape=[inputs.shape[-1], 3])
            return tf.matmul(inputs, kernel)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class TracedUnscoped(tf.keras.layers.Layer):
    """No scope around it: the layer's own name is numbered per object (`fc`, `fc_1`), and every instance works."""

    def __init__(self):
        super().__init__()
        self.fc = v1.layers.Dense(4, name="fc")

    def call(self, x):
        return self._block(x)

    @tf.function
    def _block(self, x):
        return self.fc(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class SharedBlock(tf.Module):
    """Under `reuse=AUTO_REUSE` a second `Runner` is not handed a dead variable: every instance works."""

    def __init__(self):
        super().__init__()
        self.fc = v1.layers.Dense(4)

    def __call__(self, x):
        with v1.variable_scope("blk", reuse=v1.AUTO_REUSE):
            return self.fc(x)


class AutoReuseRunner(tf.Module):
    def __init__(self):
        super().__init__()
        self.block = SharedBlock()

    @tf.function
    def __call__(self, x):
        return self.block(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class DefaultNamedFromCaller(tf.keras.layers.Layer):
    """The one caller passes no name: `default_name` numbers the scope per object, and every instance works."""

    def __init__(self):
        super().__init__()
        self.fc = None

    def call(self, x):
        return self._block(x, scope=None)

    @tf.function
    def _block(self, x, scope=None):
        with v1.variable_scope(scope, default_name="blk"):
            if self.fc is None:
                self.fc = v1.layers.Dense(4, name="fc")
            return self.fc(x)
''',
        '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables


class Body(tf.keras.layers.Layer):
    # Undecorated, but only ever called by `Wrapped`'s shim method: it runs in that store.
    def call(self, x):
        return tf.compat.v1.layers.dense(x, 4, name="fc")


class Wrapped(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self._body = Body()

    @property
    def body(self):
        """The sub-layer `__init__` built (held-out s7676-00214)."""
        return self._body

    @track
    def call(self, x):
        return self.body(x)
''',
        '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables
v1 = tf.compat.v1


class Projection(tf.keras.layers.Layer):
    # Undecorated: the Sequential below calls it inside the shim method, in that store.
    def call(self, x):
        with v1.variable_scope("proj"):
            return tf.matmul(x, v1.get_variable("w", shape=(4, 4)))


class InSequential(tf.keras.layers.Layer):
    """Held-out s7878-00466."""

    def __init__(self):
        super().__init__()
        self.body = tf.keras.Sequential([Projection()])

    @track
    def call(self, x):
        return self.body(x)
''',
        '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables
v1 = tf.compat.v1


class Block(tf.keras.layers.Layer):
    # Undecorated; the layers below keep their blocks where only they call them, inside their shim methods.
    def call(self, x):
        return v1.layers.dense(x, 4, name="fc")


class Dynamic(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        for i in range(2):
            setattr(self, f"block{i}", Block())  # a name known only at runtime: its callers are unknown

    @track
    def call(self, x):
        for i in range(2):
            with v1.variable_scope(f"b{i}"):
                x = getattr(self, f"block{i}")(x)
        return x


class Literal(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        setattr(self, "block", Block())  # a literal name: not modelled as an attribute either

    @track
    def call(self, x):
        return getattr(self, "block")(x)


class Heads(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.heads = {"a": Block(), "b": Block()}

    @track
    def call(self, x):
        with v1.variable_scope("a"):
            a = self.heads["a"](x)
        with v1.variable_scope("b"):
            b = self.heads["b"](x)
        return a + b


class Zipped(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.blocks = [Block() for _ in range(2)]

    @track
    def call(self, x):
        for block, name in zip(self.blocks, ("c", "d")):
            with v1.variable_scope(name):
                x = block(x)
        return x
''',
        '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables
v1 = tf.compat.v1


class Block(tf.keras.layers.Layer):
    # Undecorated; the layers below run their blocks in their shim methods, in ways tf2lint does not follow:
    # whether they run in the holder's store is unknown to it, so it says nothing.
    def __init__(self, unit):
        super().__init__()
        self.unit = unit

    def call(self, x):
        return v1.layers.dense(x, 4, name=self.unit)


class FirstOnly(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.blocks = [Block("a"), Block("b")]

    @track
    def call(self, x):
        for block in self.blocks[:1]:  # a slice
            x = block(x)
        return x


class Summed(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.blocks = [Block("a"), Block("b")]

    @track
    def call(self, x):
        return tf.add_n([block(x) for block in self.blocks])  # a comprehension
''',
        '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables
v1 = tf.compat.v1


class Block(tf.keras.layers.Layer):
    # Undecorated: built in its holder's `build` and called in its shim method, it runs in that store.
    def call(self, x):
        return v1.layers.dense(x, 4, name="fc")


class BuiltBlock(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.block = Block()

    @track
    def call(self, x):
        return self.block(x)


class BuiltList(tf.keras.layers.Layer):
    def build(self, input_shape):
        self.blocks = [Block(), Block()]

    @track
    def call(self, x):
        for i, block in enumerate(self.blocks):
            with v1.variable_scope(f"b{i}"):
                x = block(x)
        return x
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class ScopeAroundFunction(tf.keras.layers.Layer):
    # The scope is opened outside the compiled helper: every instance works.
    def __init__(self):
        super().__init__()
        self.fc = v1.layers.Dense(4)

    def call(self, x):
        with v1.variable_scope("blk"):
            return tf.function(self._block)(x)

    def _block(self, x):
        return self.fc(x)
''',
    ),
    check=check,
    applies=lambda triage: triage.defines_entry_method(),
)
