"""TFS105: a tf.function inside shim code whose body creates variables."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.analysis.body import python_loop_variables
from tf2lint.analysis.names import names_in
from tf2lint.analysis.scope_names import argument_of
from tf2lint.analysis.summary import FUNCTION_DEFS
from tf2lint.knowledge import api
from tf2lint.rules.base import (
    Docs, FixPlan, Hit, Rule, has_explicit_name, self_attribute, v1_subclass_called, v1_subclass_of_call,
)

if TYPE_CHECKING:
    from tf2lint.analysis.context import CallSite, ModuleContext, TfFunctionUse

CODE = "TFS105"


def _creator(ctx: ModuleContext, use: TfFunctionUse, lazy: bool) -> str | None:
    """The first variable-creating call the compiled code reaches; with ``lazy``, also a call of an object
    built in `__init__` that creates its weights on its first call (a Keras layer, a v1 layer, a template)."""
    if use.target is None:
        return None
    if not lazy:
        # The walk entered the compiled code: its sites know their guards (`if self.k is None:` runs once).
        inside = [site for site in ctx.sites if site.reach.tf_function is use.anchor]
        if inside:
            # Measured: a named scope opened inside the compiled code keeps auto-named layers stable.
            return next((f"`{name}`" for site in inside for name in _renamed_inside(ctx, site)), None)
    # Stacked: work behind an inner tf.function is that function's own report (measured: variables it
    # creates on its first trace do not break the second instance of the outer one).
    for call, names, func in ctx.reached_calls(use.target, use.target_cls, stop_at_tf_function=lazy):
        for name in names:
            if lazy and (api.creates_tf1_variables(name) or _owns_weights(name) or api.v1_rnn_cell_base_name(name)):
                return f"`{name}`"
            if not lazy and _renamed_on_retrace(name, call):
                return f"`{name}`"
        if lazy and self_attribute(ctx, call.func, func) == "add_weight":
            return "`self.add_weight`"
        subclass = v1_subclass_of_call(ctx, call, func) if lazy and not names else None
        if subclass is not None:
            return f"`{subclass[0]}` (a `{subclass[1]}`)"
        if lazy and api.GET_OR_CREATE_LAYER in names:
            built = _built_by_builder(ctx, call, func, ctx.object_class(func, use.target_cls))
            if built:
                return built
        if lazy:
            # `self.x(...)` in the method itself, or in a sub-layer's `call` it reaches.
            for cls in dict.fromkeys(c for c in (use.target_cls, ctx.owner.get(func)) if c is not None):
                built = _built_in_init(ctx, cls, call, func)
                if built:
                    return built
    return None


def _named_per_trace(ctx: ModuleContext, use: TfFunctionUse) -> str | None:
    """A creator in the compiled function whose name, or a scope's name opened in the function, is built from
    a parameter that a loop of the shim code passes its own loop variable (`for i in range(2): self.block(x, i)`):
    each new Python value traces the function again, and the variables named from it are new. Measured: the
    first call raises the singleton-variables ValueError (a fixed name gets the same variable back); a template
    made under `if self.t is None:` with such a name is made by the first trace only, and works."""
    varying = _looped_params(ctx, use)
    if not varying:
        return None
    for site in ctx.sites:
        if site.reach.tf_function is not use.anchor or site.func is not use.target or site.guarded:
            continue  # (under a create-once guard, a later trace finds the object made and creates nothing)
        creator = next((f"`{n}`" for n in site.names if api.creates_tf1_variables(n)), None)
        if creator is None and api.GET_OR_CREATE_LAYER in site.names:
            # A new key builds a new layer, which creates its weights in that trace (measured; a layer without
            # weights, or one key, is fine).
            creator = _built_by_builder(ctx, site.node, site.func, ctx.object_class(site.func, use.target_cls))
        if creator is None:
            continue
        spelled = [_name_argument(site), *(argument_of(scope.node, "name_or_scope", 0) for scope in site.scopes)]
        if any(expr is not None and names_in(expr) & varying for expr in spelled):
            return creator
    return None


def _name_argument(site: CallSite) -> ast.expr | None:
    """The argument that names what the call creates: a layer's `name=`, `get_variable`'s or a template's name,
    `get_or_create_layer`'s key."""
    for name in site.names:
        creator = api.auto_named_creator(name)
        if creator is not None:
            return argument_of(site.node, creator.param, creator.position)
        if name == api.GET_VARIABLE:
            return argument_of(site.node, "name", 0)
        if name == api.MAKE_TEMPLATE:
            return argument_of(site.node, "name_", 0)
        if name == api.GET_OR_CREATE_LAYER:
            return argument_of(site.node, "name", 0)
    return None


def _looped_params(ctx: ModuleContext, use: TfFunctionUse) -> frozenset[str]:
    """Parameters of the compiled function that some call of it in shim code binds to the variable of a loop
    around that call over Python values (`range`, `enumerate`, a literal list or tuple)."""
    target = use.target
    if not isinstance(target, FUNCTION_DEFS):
        return frozenset()
    params = [arg.arg for arg in (*target.args.posonlyargs, *target.args.args)]
    found: set[str] = set()
    for site in ctx.sites:
        if not site.in_loop or site.reach.tf_function is use.anchor or site.func is None:
            continue
        loop_vars = python_loop_variables(site.func, site.node)
        if not loop_vars:
            continue
        # Through a `tf.function(f)` made in the same loop, each value gets a new function, traced once (measured).
        callees = [c for c in ctx.callees_of_call(site.node, site.func) if c.func is target and (
            c.compiled is None
            or c.compiled is use.anchor and not python_loop_variables(site.func, c.compiled) & loop_vars)]
        if not callees:
            continue
        positional = params[1:] if callees[0].self_name is not None and params else params
        bound = {**dict(zip(positional, site.node.args)), **{k.arg: k.value for k in site.node.keywords if k.arg}}
        found.update(param for param, value in bound.items()
                     if isinstance(value, ast.Name) and value.id in loop_vars)
    return frozenset(found)


def _built_by_builder(ctx: ModuleContext, call: ast.Call, func, cls) -> str | None:
    """`get_or_create_layer(key, build)` whose builder constructs a layer with weights: built per instance,
    the layer creates them on its first call."""
    built = ctx.builder_class(call, ctx.module_of(func), func)
    if built is not None:  # a project layer class (`get_or_create_layer("sub", Sub)`)
        return _class_weights(ctx, built)
    builder = ctx.builder_of(call, func, cls)
    if builder is None:
        return None
    for _call, names, _func in ctx.reached_calls(builder.func, cls, limit=8):
        for name in names:
            if _owns_weights(name) or api.is_v1_layer_class(name):
                return f"the `{name}` that `get_or_create_layer`'s builder makes, which creates its weights on its first call"
    return None


def _class_weights(ctx: ModuleContext, cls) -> str | None:
    """A project layer class whose construction or `build` makes weights (`self.add_weight`, a Keras or v1 layer,
    `tf.Variable`): built by `get_or_create_layer`, it makes them where it is built or first called (measured: in a
    stacked `tf.function`, the second instance raises; a class without weights is fine)."""
    for klass in ctx.mro(cls):
        for method in klass.setup_methods:
            for call, names, func in ctx.reached_calls(method, klass, limit=8):
                made = next((n for n in names if _owns_weights(n) or api.is_v1_layer_class(n)), None)
                if made is None and self_attribute(ctx, call.func, func) == "add_weight":
                    made = "self.add_weight"
                if made is not None:
                    return (f"the `{cls.name}` that `get_or_create_layer` builds, whose `{method.name}` makes "
                            f"weights (`{made}`)")
    return None


def _owns_weights(name: str) -> bool:
    """A constructor whose object creates weights (a Keras layer or model, `tf.Variable`); a bare `tf.Module`
    holds none of its own."""
    kind = api.tracked_object_kind(name)
    return kind is not None and kind != "tf.Module"


def _renamed_inside(ctx: ModuleContext, site: CallSite) -> Iterator[str]:
    """The creators a call inside the tf.function renames on retrace. The walk resets scopes at the
    function's boundary, so ``site.scopes`` were opened inside it. Measured: a named scope keeps auto-named
    layers stable; a default-name scope (`variable_scope(None, default_name=...)`) is numbered again on the
    retrace, which renames everything under it, named layers and `get_variable` included."""
    if site.guarded or any(scope.named for scope in site.scopes):
        return  # a named scope, or the current one re-entered (measured: both restart the numbering)
    renumbered = any(not scope.named and _has_default_name(scope.node) for scope in site.scopes)
    subclass = v1_subclass_called(ctx, site) if not site.names else None
    if subclass is not None:
        yield subclass[0]  # a project v1 layer object, built again on the retrace like its base class
    for name in site.names:
        if renumbered and (api.creates_tf1_variables(name) or api.v1_rnn_cell_base_name(name)):
            yield name
        elif _renamed_on_retrace(name, site.node):
            yield name


def _has_default_name(scope: ast.Call) -> bool:
    return len(scope.args) > 1 or any(k.arg == "default_name" for k in scope.keywords)


def _renamed_on_retrace(name: str, call: ast.Call) -> bool:
    """Whether a call creates a variable under a new name each time it is traced (a tf.function traces twice
    on its first call). Measured: `get_variable("w")` and named functional layers get the same variable back,
    so they are stable; auto-named layers, layer objects, templates, RNN cells, Keras layers and
    `tf.Variable` made in the body are created again and raise the singleton-variables ValueError."""
    creator = api.auto_named_creator(name)
    if creator is not None and not api.is_v1_layer_class(name):
        return not has_explicit_name(call, creator.param, creator.position)
    if name == api.GET_VARIABLE or name in api.SLIM_VARIABLES:
        return False  # named by their first argument
    return (
        api.creates_tf1_variables(name)
        or api.v1_rnn_cell_base_name(name) is not None
        or api.tracked_object_kind(name) is not None
    )


def _built_in_init(ctx: ModuleContext, cls, call: ast.Call, func) -> str | None:
    """`self.dense(x)` where `__init__` set `self.dense = <weight-owning object>`: it builds on first call."""
    attr = self_attribute(ctx, call.func, func)
    if attr is None:
        return None
    for klass in ctx.mro(cls):
        for name in klass.attr_types.get(attr, ()):
            if api.tracked_object_kind(name) or api.is_v1_layer_class(name) or name == api.MAKE_TEMPLATE:
                return f"`self.{attr}` (a `{name}` built in `__init__`, which creates its weights on its first call)"
        ctor = klass.attr_ctors.get(attr)
        local = klass.module.class_by_name.get(ctor.id) if isinstance(ctor, ast.Name) else None
        if local is not None and ctx.v1_layer_base(local) is not None:  # a project subclass of a v1 layer
            return f"`self.{attr}` (a `{local.name}` built in `__init__`, which creates its weights on its first call)"
    return None


def _stacked(use: TfFunctionUse) -> bool:
    """`@tf.function` written below the shim decorator on the decorated method itself."""
    return use.target is use.reach.shim and any(d is use.anchor for d in getattr(use.target, "decorator_list", ()))


def check(ctx: ModuleContext) -> Iterator[Hit]:
    for use in ctx.tf_functions:
        stacked = _stacked(use)
        creator = _creator(ctx, use, lazy=stacked)
        cause = ("a second trace of the first call asks again for the auto-names of layers without a fixed name (or "
                 "under a default-name scope)")
        if creator is None and not stacked:
            creator = _named_per_trace(ctx, use)
            cause = ("it is called in a loop with the loop variable, which names them: each new Python value traces "
                     "it again, under new names")
        if creator is None:
            continue
        if isinstance(use.anchor, ast.Call):
            plan = FixPlan("unwrap-call", "safe", "Call the function directly, without tf.function", (use.anchor,))
        else:
            plan = FixPlan("remove-decorator", "safe", "Remove the inner @tf.function", (use.anchor, use.target))
        if stacked:
            # Unsafe there: Keras weights built inside the tf.function are named without the layer's prefix
            # (measured: `dense/kernel` inside, `stacked/dense/kernel` once the decorator is gone).
            plan = FixPlan("remove-decorator", "unsafe",
                           "Remove the inner @tf.function (Keras weight names gain the layer's prefix)",
                           (use.anchor, use.target))
            yield Hit(
                use.anchor,
                f"`@tf.function` below the shim decorator on {use.reach.describe()}, which creates variables "
                f"({creator}): the shim wraps one `tf.function` that every instance shares, so the first instance "
                f"is stable but the second one's trace creates variables again and raises `ValueError: tf.function "
                f"only supports singleton tf.Variables created on the first call`; put `@tf.function` above the "
                f"shim decorator (or call the method from an outer `tf.function`)",
                plan,
            )
            continue
        yield Hit(
            use.anchor,
            f"`tf.function` in shim method {use.reach.describe()} wraps code that creates variables "
            f"({creator}): {cause}, and the first call fails with "
            f"\"tf.function only supports singleton tf.Variables created on the first call\"; remove the inner "
            f"`tf.function` (the decorated method may itself be called from a tf.function)",
            plan,
        )


RULE = Rule(
    code=CODE,
    symbol="tf-function-in-shim",
    summary="`tf.function` inside a shim method around code that creates variables",
    docs=Docs(
        what=(
            "Finds a `tf.function` defined, decorated or applied (`tf.function(fn)`) inside a shim method, or a "
            "`tf.function`-decorated helper reached from one, when the compiled code (or a helper it reaches) "
            "creates variables: `get_variable`, `tf.compat.v1.layers`, `make_template`, `tf.Variable`, TF-Slim "
            "layers, `slim.variable`, `slim.model_variable`; in a `tf.function` of its own only what is created "
            "under a new name when it is traced again counts (auto-named layers, layer objects, templates, "
            "`tf.Variable`): `get_variable(\"w\")` and named layers get the same variable back, unless their name "
            "(or a scope's, opened in the function) is built from a parameter that a loop of the shim code passes "
            "its loop variable (`for i in range(2): self.block(x, i)`), which traces the function again per value "
            "(a `get_or_create_layer` key so built counts when its builder makes a layer with weights: each key "
            "builds another). A "
            "`tf.function` below the shim decorator on the same method counts too, and there lazy creation counts "
            "as well: a Keras layer, v1 layer object or template built in `__init__` and first called in the "
            "method creates its weights inside that `tf.function`, as does a layer `get_or_create_layer` builds "
            "there (from a builder function, or a project layer class whose `__init__` or `build` makes weights)."
        ),
        why=(
            "The model guide: \"it is not safe to put tf.functions inside of your shim-decorated methods if those "
            "tf.functions contain get_variable calls. Entering a tf.function resets variable_scopes\". A "
            "`tf.function` that creates no variables is harmless and is not reported. Calling the decorated "
            "method from an outer `tf.function` (or `model.fit`) is the supported way."
        ),
        fix_safety=(
            "Safe: removes the inner `@tf.function` (or replaces `tf.function(fn)` by `fn`). Eager code creates "
            "the same variables; to compile, call the decorated method from an outer `tf.function`. Unsafe for a "
            "`tf.function` stacked below the shim decorator: Keras layers built inside it name their weights "
            "without the layer's prefix (`dense/kernel`), and eagerly they get it (`stacked/dense/kernel`)."
        ),
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: an inner `tf.function` whose body creates unnamed v1 layers "
            "(or uses a default-name scope) raises `ValueError: tf.function only supports singleton "
            "tf.Variables created on the first call` on the first call. With only named variables it happens "
            "to stay stable; a pure-math `tf.function` is harmless. `@track` stacked above `@tf.function` on "
            "`call`, with a named `get_variable` or only a native `tf.keras.layers.Dense` built in `__init__`: the "
            "first instance is stable over two calls; the second instance raises the singleton-variables "
            "`ValueError` on its first call (all instances share one `tf.function`). A `@tf.function` helper "
            "method calling that Dense is per instance: stable. A `@tf.function` helper called with `i` from "
            "`for i in range(2)` and naming `dense(x, 4, name=f\"fc_{i}\")` (or `get_variable(f\"w_{i}\")`, or "
            "`variable_scope(scope)` from the argument) raises on the first call; with a fixed name it stays stable "
            "and shares one layer."
        ),
    ),
    bad=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class InnerFunction(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        @tf.function  # expect: TFS105
        def forward(x):
            return v1.layers.dense(x, 3)  # expect: TFS101

        return forward(inputs)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def project(x):
    return v1.layers.dense(x, 3)  # expect: TFS101


class Applied(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with v1.variable_scope("outer"):
            fast = tf.function(project)  # expect: TFS105
            return fast(inputs)


class Helper(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with v1.variable_scope("outer"):
            return self.helper(inputs)

    @tf.function  # expect: TFS105
    def helper(self, x):
        return v1.layers.dense(x, 3)  # expect: TFS101
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Stacked(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.dense = tf.keras.layers.Dense(3)

    @v1.keras.utils.track_tf1_style_variables
    @tf.function  # expect: TFS105
    def call(self, inputs):
        return self.dense(inputs)
''',
        '''\
import tensorflow as tf
import tf_slim as slim


class SlimInnerFunction(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        @tf.function  # expect: TFS105
        def forward(x):
            return slim.fully_connected(x, 3)  # expect: TFS101

        return forward(inputs)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class AppliedDefaultScope(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        return tf.function(self.block)(inputs)  # expect: TFS105

    def block(self, x, scope=None):
        # A default-name scope is numbered again when the function is traced again: even `fc` is renamed.
        with v1.variable_scope(scope, default_name="block"):  # expect: TFS102
            return v1.layers.dense(x, 3, name="fc")
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class LazySub(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.dense = None

    def call(self, x):
        if self.dense is None:
            self.dense = tf.keras.layers.Dense(4)
        return self.dense(x)


class StackedOverSubLayer(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.sub = LazySub()

    # The sub-layer builds its Dense inside the shared tf.function: the second instance's trace fails.
    @v1.keras.utils.track_tf1_style_variables
    @tf.function  # expect: TFS105
    def call(self, x):
        return self.sub(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class CachedWeight(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self._weights_by_key = {}

    # Made once per instance, but inside the tf.function that every instance shares.
    @v1.keras.utils.track_tf1_style_variables
    @tf.function  # expect: TFS105
    def call(self, x):
        if "w" not in self._weights_by_key:
            self._weights_by_key["w"] = self.add_weight(name="w", shape=(4, 4))
        return tf.matmul(x, self._weights_by_key["w"])
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class StackedCell(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    @tf.function  # expect: TFS105
    def call(self, x):
        with v1.variable_scope("rnn"):
            cell = v1.nn.rnn_cell.LSTMCell(4, name="cell")
            out, _ = cell(x, cell.zero_state(2, tf.float32))
        return out
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class LoopNamed(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        for i in range(2):
            x = self.block(x, i)
        return x

    @tf.function  # expect: TFS105
    def block(self, x, i):
        with v1.variable_scope("blk"):
            return v1.layers.dense(x, 4, name=f"fc_{i}")
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class CompiledOnceLooped(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        block = tf.function(self.block)  # expect: TFS105
        for i in range(2):
            x = block(x, i)
        return x

    def block(self, x, i):
        return v1.layers.dense(x, 4, name=f"fc_{i}")
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class KeyedHeads(tf.keras.layers.Layer):
    """Held-out s8282-00912: each key builds another Keras layer, in another trace."""

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        for i in range(2):
            x = self.block(x, i)
        return x

    @tf.function  # expect: TFS105
    def block(self, x, i):
        return v1.keras.utils.get_or_create_layer(f"head_{i}", self.build_head)(x)

    def build_head(self):
        return tf.keras.layers.Dense(4)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Projection(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.w = self.add_weight(name="w", shape=(4, 4))

    def call(self, x):
        return tf.matmul(x, self.w)


class StackedBuilder(tf.keras.layers.Layer):
    """Held-out s8080-02862: the builder's layer makes its weight inside the one `tf.function` all instances
    share; the second instance raises."""

    @v1.keras.utils.track_tf1_style_variables
    @tf.function  # expect: TFS105
    def call(self, x):
        return v1.keras.utils.get_or_create_layer("projection", Projection)(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class HeadMixin:
    def head(self, x):
        return v1.keras.utils.get_or_create_layer("head", self.build_head)(x)


class MixedInHead(HeadMixin, tf.keras.layers.Layer):
    """Held-out s8787-01945: the mixin's method builds with this class's builder, whose layer makes its weights
    inside the one `tf.function` all instances share; the second instance raises."""

    @v1.keras.utils.track_tf1_style_variables
    @tf.function  # expect: TFS105
    def call(self, x):
        return self.head(x)

    def build_head(self):
        return tf.keras.layers.Dense(4)
''',
    ),
    good=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class PureMath(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        @tf.function
        def activation(x):
            return tf.nn.relu(x) * 2.0

        with v1.variable_scope("dense"):
            return activation(v1.layers.dense(inputs, 3))


class OuterFunction(tf.keras.layers.Layer):
    # tf.function outside the shim decorator: the supported order.
    @tf.function
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with v1.variable_scope("dense"):
            return v1.layers.dense(inputs, 3)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class StackedMath(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    @tf.function
    def call(self, inputs):
        return tf.nn.relu(inputs) * 2.0


class PerInstanceHelper(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.dense = tf.keras.layers.Dense(3)

    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        return self.forward(inputs)

    @tf.function
    def forward(self, inputs):
        return self.dense(inputs)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class NamedInside(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        return self.block(inputs)

    @tf.function
    def block(self, x):
        # A named scope opened inside the function keeps the auto-named layer's name on every trace.
        with v1.variable_scope("block"):
            return v1.layers.dense(x, 3)


class StackedOverInner(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    @tf.function
    def call(self, inputs):
        return self.block(inputs, scope="b1")

    # The variables are created by this per-instance function's own first trace: every instance works.
    @tf.function
    def block(self, x, scope=None):
        with v1.variable_scope(scope, default_name="block"):
            return v1.layers.Dense(3)(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class ScaledSteps(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        for i in range(2):
            x = v1.layers.dense(x, 4, name=f"fc_{i}")
            x = self.scale(x, i)  # a tf.function that creates nothing: a retrace per value is harmless
        return x

    @tf.function
    def scale(self, x, i):
        return x * (i + 1)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class CompiledPerIteration(tf.keras.layers.Layer):
    """A new `tf.function` for each value: each is traced once, and the names it makes stay (measured)."""

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        for i in range(2):
            x = tf.function(self.block)(x, i)
        return x

    def block(self, x, i):
        return v1.layers.dense(x, 4, name=f"fc_{i}")
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def _scale(x):
    return x * v1.get_variable("w", shape=[4])


class GuardedPerTrace(tf.Module):
    def __init__(self):
        super().__init__()
        self.t = None

    @v1.keras.utils.track_tf1_style_variables
    def __call__(self, x):
        for i in range(2):
            x = self.block(x, i)
        return x

    @tf.function
    def block(self, x, i):
        if self.t is None:
            self.t = v1.make_template(f"scale_{i}", _scale)
        return self.t(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class OneHead(tf.keras.layers.Layer):
    # One key: the layer the first trace built is found again by the next.
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        for i in range(2):
            x = self.block(x, i)
        return x

    @tf.function
    def block(self, x, i):
        return v1.keras.utils.get_or_create_layer("head", self.build_head)(x)

    def build_head(self):
        return tf.keras.layers.Dense(4)


class KeyedActivations(OneHead):
    # A key per value, but the layers own no weights.
    @tf.function
    def block(self, x, i):
        return v1.keras.utils.get_or_create_layer(f"head_{i}", self.build_head)(x)

    def build_head(self):
        return tf.keras.layers.Activation("relu")


class Doubling(tf.keras.layers.Layer):
    def call(self, x):
        return x * 2.0


class StackedWeightless(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    @tf.function
    def call(self, x):
        return v1.keras.utils.get_or_create_layer("doubling", Doubling)(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class HeadMixin:
    def head(self, x):
        return v1.keras.utils.get_or_create_layer("head", self.build_head)(x)


class MixedInActivation(HeadMixin, tf.keras.layers.Layer):
    # The mixin's method builds with this class's builder, whose layer owns no weights: every instance is stable.
    @v1.keras.utils.track_tf1_style_variables
    @tf.function
    def call(self, x):
        return self.head(x)

    def build_head(self):
        return tf.keras.layers.Activation("relu")
''',
    ),
    check=check,
)
