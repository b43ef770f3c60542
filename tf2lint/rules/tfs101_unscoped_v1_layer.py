"""TFS101: an auto-named v1 layer with no named variable_scope around it, in a shim context."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.analysis.body import attribute_aliases
from tf2lint.analysis.summary import first_param, is_self_attr
from tf2lint.analysis.variables import class_variables
from tf2lint.knowledge import api
from tf2lint.knowledge.variables import UNKNOWN
from tf2lint.rules.base import (
    Docs, FixPlan, Hit, Rule, first_name, has_explicit_name, numbered_creator, rebuilt_guard, rebuilt_holder_hits,
    reuse_switches, runs_once, spelled, supplied_by_arg_scope, unnamed_creator, v1_subclass_called,
)

if TYPE_CHECKING:
    from tf2lint.analysis.context import CallSite, ModuleContext

CODE = "TFS101"


def _first_call_names(ctx: ModuleContext) -> dict[ast.Call, str]:
    """Unnamed functional v1 layers -> the name they take on the first call, from the variable-name model,
    where it is certain: every name of the class is known, the call is written in this module, and it
    creates one layer (a helper called twice has one call node and two names)."""
    names: dict[ast.Call, set[str]] = {}
    repeated: set[ast.Call] = set()
    for model in class_variables(ctx):
        seen: set[ast.Call] = set()
        for index, creation in enumerate(model.creations):
            if creation.node in seen or not model.complete:
                repeated.add(creation.node)
            seen.add(creation.node)
            base = api.v1_layer_base_name(creation.kind)
            if creation.local and not creation.explicit and base and not api.is_v1_layer_class(creation.kind):
                names.setdefault(creation.node, set()).add(creation.scope.rsplit("/", 1)[-1])
                if any(later.keras_base in (base, UNKNOWN) for later in model.creations[index + 1:]):
                    # Named, it no longer counts in Keras' auto-names: a Keras layer built after it with the
                    # same base would take its number (`dense_1` -> `dense`, measured).
                    repeated.add(creation.node)
    return {node: next(iter(found)) for node, found in names.items() if len(found) == 1 and node not in repeated}


def _literal_name(call: ast.Call) -> str | None:
    value = next((k.value for k in call.keywords if k.arg == "name"), None)
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def _plan(ctx: ModuleContext, site, cache: dict) -> FixPlan | None:
    if "names" not in cache:
        cache["names"] = _first_call_names(ctx)
    names = cache["names"]
    if site.node in names and site.func is site.reach.shim:  # a helper's call may serve other callers too
        name = names[site.node]
        return FixPlan("add-keyword", "safe", f'Name the layer "{name}" (the name it gets on the first call)',
                       (site.node,), ("name", f'"{name}"'))
    scope = spelled(ctx, api.VARIABLE_SCOPE)
    if scope is None or site.reach.cls is None or site.reach.tf_function is not None or ctx.is_foreign(site.module):
        return None  # a scope around the method does not reach into a tf.function, nor into another file
    scope_name = api.snake_case(site.reach.cls.name)
    return FixPlan("wrap-body-in-scope", "unsafe",
                   f'Open variable_scope("{scope_name}") around the body of `{site.reach.shim_name}` '
                   "(variable names gain that prefix: old checkpoints need a name map)",
                   (site.reach.shim,), (f'{scope[0]}("{scope_name}")', scope[1]))


def _call_index(ctx: ModuleContext) -> dict[tuple, list[CallSite]]:
    """Sites by what they call: (id of the shim method, id of the callee expression), (id of the shim method, id
    of the function, "local" or "self", the local's or `self` attribute's name: `x(...)`, `self.x(...)` and
    `self.x[k](...)`), so finding an object's calls does not rescan every site."""
    index: dict[tuple, list[CallSite]] = {}
    for site in ctx.sites:
        shim, func = id(site.reach.shim), site.node.func
        index.setdefault((shim, id(func)), []).append(site)
        if isinstance(func, ast.Subscript):
            func = func.value
        if isinstance(func, ast.Name):
            index.setdefault((shim, id(site.func), "local", func.id), []).append(site)
        elif is_self_attr(func, first_param(site.func)):
            index.setdefault((shim, id(site.func), "self", func.attr), []).append(site)  # type: ignore[union-attr]
    return index


def _first_calls(index: dict, site: CallSite) -> list[CallSite] | None:
    """Where an object built at ``site`` is called, when that is known: the scope in force at its first
    call, not at its construction, decides its variable names (measured). An object kept on `self` (or in a dict
    on it) is followed to its calls in the same function, directly or through what the function binds it to
    (`self.fc = self._cache["fc"]`, then `self.fc(x)`). None when unknown."""
    shim = id(site.reach.shim)
    inline = index.get((shim, id(site.node)))
    if inline:
        return inline[:1]  # `Ctor(...)(x)`
    if site.target is None:
        return None
    kind, name = site.target
    if kind == "local":
        return index.get((shim, id(site.func), "local", name)) or None
    held = {("self", name), *attribute_aliases(site.func).get(name, ())}
    calls = [call for alias in held for call in index.get((shim, id(site.func), *alias), ())
             if call.node.lineno > site.node.lineno]
    return sorted(calls, key=lambda call: call.node.lineno)[:1] or None


def _object_hits(ctx: ModuleContext, plans: dict) -> Iterator[Hit]:
    """v1 layer objects and v1 RNN cells built on every call: new auto-names unless first called in a named
    scope. `name=` does not help them (measured: `fc`, `fc_1`; `lstm`, `lstm_1`)."""
    index: dict | None = None
    for site in ctx.sites:
        layer = first_name(site, lambda n: api.is_v1_layer_class(n) or api.v1_rnn_cell_base_name(n) is not None)
        subclass = v1_subclass_called(ctx, site) if layer is None and isinstance(site.node.func, ast.Name) else None
        if layer is None and subclass is None or site.guarded_across_calls or runs_once(site, ctx):
            continue
        if subclass is not None:
            layer = subclass[0]  # a project subclass of a v1 layer class: named and numbered like one
        cell = api.v1_rnn_cell_base_name(layer)
        if index is None:
            index = _call_index(ctx)
        calls = _first_calls(index, site)
        if calls is None:
            if cell or has_explicit_name(site.node) or site.named_scope:
                continue  # a cell may go to dynamic_rnn (a named `rnn` scope); otherwise keep the old view
        elif all(call.named_scope for call in calls):
            continue
        base = _literal_name(site.node) or cell or api.v1_layer_base_name(layer) or api.snake_case(subclass[0])  # type: ignore[index]
        where = "called" if calls else "built"
        yield Hit(
            site.node,
            f"`{layer}` built on every call of shim method {site.reach.describe()}{rebuilt_guard(site)} and {where} "
            f"outside a named "
            f"`variable_scope`: the object takes a new auto-generated name (`{base}`, `{base}_1`, ..., `name=` "
            f"does not prevent it) and new variables on every call; build it once in `__init__`, or call it "
            f"inside a named `variable_scope`",
            None if subclass else _plan(ctx, site, plans),
        )


def _wraps_creator(ctx: ModuleContext, site, position: int | None) -> bool:
    """For a wrapper (slim.repeat/stack): whether the layer it calls creates variables (unknown: no)."""
    if position is None:
        return True
    wrapped = site.node.args[position] if len(site.node.args) > position else None
    if wrapped is None:
        return False
    return any(api.creates_tf1_variables(name) for name in ctx.resolve(wrapped, site.func))


def _numbered(site: CallSite) -> tuple[str, str] | None:
    """`numbered_creator`, except a layer whose name a `slim.arg_scope` may supply (then it is unknown)."""
    unnamed = unnamed_creator(site)
    return None if unnamed is not None and supplied_by_arg_scope(site, unnamed[1].param) else numbered_creator(site)


def _traced(ctx: ModuleContext, site: CallSite) -> bool:
    """Known to run while a tf.function traces: inside one, in a method stacked with `@tf.function`, or in a
    decorated sub-layer that such a method runs."""
    return (site.reach.tf_function is not None or site.reach.shim in ctx.traced_shims
            or ctx.tf_function_decorator(site.reach.shim) is not None)


def _after_reuse_hits(ctx: ModuleContext) -> Iterator[Hit]:
    """`scope.reuse_variables()` and then a numbered creator that repeats one made before it in the same scope:
    it asks for the next number (`dense_1`, `t_1`), which the scope never made. Measured: while a tf.function
    traces, `ValueError: Variable blk/dense_1/kernel does not exist, or was not created with tf.get_variable()`
    on the first call (layers, layer objects and templates alike); run eagerly, every scope reads AUTO_REUSE
    and the variables are created (so: only where the code is known to be traced)."""
    switches = reuse_switches(ctx)
    if not switches:
        return
    for site in ctx.sites:
        found = _numbered(site) if not site.guarded and _traced(ctx, site) else None
        if found is None:
            continue
        creator, base = found
        for switch in switches:
            if switch.func is not site.func or switch.scopes != site.scopes or switch.reach.shim is not site.reach.shim:
                continue
            if not switch.node.lineno < site.node.lineno or not switch.scopes:
                continue
            earlier = next((
                other for other in ctx.sites
                if other.func is site.func and other.scopes == site.scopes and other.reach.shim is site.reach.shim
                and other.node.lineno < switch.node.lineno and not other.guarded
                and (other_found := _numbered(other)) is not None and other_found[1] == base
            ), None)
            if earlier is None:
                continue
            yield Hit(
                site,
                f"`{creator}` after `reuse_variables()` (line {switch.node.lineno}, shim method "
                f"{site.reach.describe()}) takes the next numbered name (`{base}_1`), and the reused scope has "
                f"no such variable, so the traced call raises `ValueError: Variable ... does not exist`; to share "
                f"what line {earlier.node.lineno} made, reuse that object (or give functional layers one `name=`)",
            )
            break


def check(ctx: ModuleContext) -> Iterator[Hit]:
    plans: dict = {}
    yield from _object_hits(ctx, plans)
    yield from rebuilt_holder_hits(ctx, templates=False)
    yield from _after_reuse_hits(ctx)
    for site in ctx.sites:
        found = unnamed_creator(site) if not site.named_scope else None  # layer objects: `_object_hits`
        if found is None or supplied_by_arg_scope(site, found[1].param):
            continue
        name, creator = found
        if not _wraps_creator(ctx, site, creator.wraps):
            continue
        base, param = creator.base, creator.param
        if site.reach.tf_function:
            # Measured: a scope opened outside the tf.function carries into it, but the second trace of the first
            # call asks for the next auto-name, and that call raises.
            where, effect = " inside a `tf.function`", (
                f"a second trace asks for a new auto-generated name (`{base}_1`), and the first call raises "
                f"\"tf.function only supports singleton tf.Variables\" (a scope opened outside the `tf.function` "
                f"does not prevent it)")
        else:
            where, effect = "", f"it takes a new auto-generated name (`{base}`, `{base}_1`, ...) and new variables on every call"
        yield Hit(
            site,
            f"`{name}` without `{param}=` and outside a named `variable_scope`{where}, reached from shim method "
            f"{site.reach.describe()}: {effect}; pass `{param}=` or open a named `variable_scope`",
            _plan(ctx, site, plans),
        )


RULE = Rule(
    code=CODE,
    symbol="unscoped-v1-layer",
    summary="Auto-named `tf.compat.v1.layers` layer with no named `variable_scope`, in a shim method",
    docs=Docs(
        what=(
            "Finds `tf.compat.v1.layers` layers that create variables (`dense`, `conv1d/2d/3d`, transposed and "
            "separable convolutions, `batch_normalization`, and their class forms) called without `name=`, and "
            "TF-Slim layers (`conv2d`, `fully_connected`, `batch_norm`, ..., and `slim.repeat` / `slim.stack` "
            "around one) called without `scope=`, with no non-empty `variable_scope` around them and no "
            "`slim.arg_scope` that may supply the name, in code reached from a method decorated with "
            "`track_tf1_style_variables` (directly, or through helpers, also in other modules). Layer objects "
            "(`tf.compat.v1.layers.Dense(...)`) and v1 RNN cells (`tf.compat.v1.nn.rnn_cell.BasicRNNCell`, "
            "`BasicLSTMCell`, `LSTMCell`, `GRUCell`) built on every call are reported when they are called outside "
            "a named scope, wherever they were built, even with `name=` (one kept on `self`, or in a dict on it, "
            "is followed to its calls in the same function, also through a name or an attribute bound to it); "
            "objects built once in `__init__`, cells handed to `dynamic_rnn`/`static_rnn`/`MultiRNNCell`, and "
            "objects whose calls are not visible are not. "
            "One built under a create-once guard (`if self.d is None:`) of a sub-layer that the shim method builds "
            "anew on every call (`Sub()(x)`, or `sub = Sub()` then `sub(x)`) is built on every call too, and so is "
            "one that sub-layer's `__init__` builds (reported at the construction, when its undecorated `call` runs it "
            "outside a named scope). "
            "Also, in code known to be traced (inside a `tf.function`, a method stacked with `@tf.function`, or a "
            "decorated sub-layer that such a method runs): "
            "a numbered creator (an unnamed layer, a layer object, a cell, a template) after "
            "`scope.reuse_variables()` that repeats one made before the switch in the same scope."
        ),
        why=(
            "Such a layer takes its variable names from a process-wide counter (`dense`, `dense_1`, ...). The "
            "shim only reuses a variable when the name matches, so each call creates new weights under new "
            "names. The model guide asks for \"at least one non-empty outer scope for any tf.compat.v1.layers "
            "with auto-generated names\". `variable_scope(\"\")` and `variable_scope(None, default_name=...)` "
            "do not count."
        ),
        fix_safety=(
            "Safe when the decorated method is straight-line code (no loops, branches, helpers, scopes or class "
            "layers around its v1 layers): each layer gets `name=` set to the name it takes on the first call "
            "(`dense`, `dense_1`, ... per base name, in call order), so checkpoints still load; the test suite "
            "checks the variables under the real shim. Not when a Keras layer that Keras names comes after it with "
            "the same base (`get_or_create_layer` of an unnamed `tf.keras.layers.Dense`): a named v1 layer no "
            "longer counts in Keras' auto-names, and that layer's weights go from `dense_1/*` to `dense/*` "
            "(measured). Otherwise the fix is unsafe: a named `variable_scope` "
            "around the method body, which stops the growth but prefixes every variable name."
        ),
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: two unnamed `dense` layers give 4 weights after the first call "
            "and 8 after the second (`dense`, `dense_1`, then `dense_2`, `dense_3`). Under an outer "
            "`tf.function` or `model.fit`: `ValueError: tf.function only supports singleton tf.Variables "
            "created on the first call`. A v1 layer object takes its variable names from the scope in force at "
            "its first call: `Dense(3)` built inside `variable_scope(\"m\")` and called outside grows (`dense`, "
            "`dense_1`); built outside and called inside it is stable (`m/dense`); built lazily by a sub-layer built "
            "per call (`Projection()(x)`, `Projection` keeping `self.dense` under `if self.dense is None:`): "
            "`dense`, then `dense_1`, and stable inside `variable_scope(\"head\")`; built in `__init__` and called "
            "in the decorated method without any scope it is stable (`dense`, each instance its own `dense_N`). "
            "`Dense(3, name=\"fc\")` built per call grows (`fc`, `fc_1`). v1 RNN cells built per call and called "
            "directly: `basic_rnn_cell` -> `basic_rnn_cell_1`, `lstm_cell` -> `lstm_cell_1` (`name=\"lstm\"`: "
            "`lstm_1`), `gru_cell` -> `gru_cell_1`; under a named scope, through `dynamic_rnn`/`static_rnn` (a "
            "named `rnn` scope), as `MultiRNNCell` (`cell_0`, `cell_1`) or built in `__init__`: stable. "
            "TF-Slim 1.1.0 grows the same way: `slim.conv2d` and `slim.fully_connected` give "
            "`Conv/*`, `fully_connected/*`, then `Conv_1/*`, `fully_connected_1/*` (4 -> 8 variables); "
            "`slim.repeat` / `slim.stack` without `scope=` grow `Repeat` -> `Repeat_1`, `Stack` -> `Stack_1`, "
            "and are stable with `scope=`, inside a named `variable_scope` or under an `arg_scope` supplying it. "
            "After `scope.reuse_variables()` the numbering goes on (`dense_1`, `t_1`): traced, that raises "
            "`ValueError: Variable block/dense_1/kernel does not exist`; eager, every scope reads AUTO_REUSE and "
            "the new variables are made."
        ),
    ),
    bad=(
        '''\
import tensorflow as tf


class TwoDense(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        out = tf.compat.v1.layers.dense(inputs, 3)  # expect: TFS101
        return tf.compat.v1.layers.dense(out, 4)  # expect: TFS101
''',
        '''\
import tensorflow.compat.v1 as tf1
from tensorflow.compat.v1.keras.utils import track_tf1_style_variables as track


def tower(x, training):
    # A helper reached from the shim method, and no named scope at its call site.
    x = tf1.layers.conv2d(x, 8, 3)  # expect: TFS101
    return tf1.layers.batch_normalization(x, training=training)  # expect: TFS101


class Tower(tf1.keras.layers.Layer):
    @track
    def call(self, inputs, training=None):
        with tf1.variable_scope(""):  # expect: TFS102
            return self._head(tower(inputs, training))

    def _head(self, x):
        layer = tf1.layers.Dense(2)  # expect: TFS101
        return layer(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class PerCallObjects(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with v1.variable_scope("proj"):
            proj = v1.layers.Dense(4, name="fc")  # expect: TFS101
        cell = v1.nn.rnn_cell.LSTMCell(4)  # expect: TFS101
        out, _ = cell(proj(inputs), cell.zero_state(2, tf.float32))
        return out
''',
        '''\
import tensorflow as tf
import tf_slim as slim


class SlimTower(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        net = slim.conv2d(inputs, 8, [3, 3])  # expect: TFS101
        net = slim.repeat(net, 2, slim.conv2d, 8, [3, 3])  # expect: TFS101
        net = slim.stack(net, slim.conv2d, [(8, [3, 3]), (8, [3, 3])])  # expect: TFS101
        with slim.arg_scope([slim.fully_connected], activation_fn=None):
            return slim.fully_connected(slim.flatten(net), 4)  # expect: TFS101
''',
        '''\
# tf-keras, spelled with the wheel's internal paths.
import tensorflow as tf
from tf_keras.src.engine.base_layer import Layer
from tf_keras.src.legacy_tf_layers import core
from tf_keras.src.legacy_tf_layers.variable_scope_shim import track_tf1_style_variables


class WheelInternals(Layer):
    @track_tf1_style_variables
    def call(self, inputs):
        return core.Dense(3)(inputs)  # expect: TFS101
''',
        '''\
# tf-keras, spelled with its source tree's paths (as its own tests do).
from tf_keras.engine.base_layer import Layer
from tf_keras.legacy_tf_layers import core
from tf_keras.legacy_tf_layers.variable_scope_shim import track_tf1_style_variables


class SourceTree(Layer):
    @track_tf1_style_variables
    def call(self, inputs):
        return core.Dense(3)(inputs)  # expect: TFS101
''',
        '''\
import functools

import tensorflow as tf

v1 = tf.compat.v1
dense_relu = functools.partial(v1.layers.dense, activation=tf.nn.relu)


def block_a(x):
    return dense_relu(x, 3)  # expect: TFS101


BLOCKS = {"a": block_a}


class Base(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        # A dispatch table, and an override: the subclass's `body` runs for a subclass instance.
        return self.body(BLOCKS["a"](inputs))

    def body(self, x):
        return x


class Head(Base):
    def body(self, x):
        return v1.layers.dense(x, 2)  # expect: TFS101
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class ReusedUnnamed(tf.keras.layers.Layer):
    @tf.function
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with v1.variable_scope("block") as scope:
            x = v1.layers.dense(inputs, 4)
            scope.reuse_variables()
            return v1.layers.dense(x, 4)  # expect: TFS101
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def scale(x):
    w = v1.get_variable("w", shape=[4, 4])
    return tf.matmul(x, w)


class TemplateAfterReuse(tf.keras.layers.Layer):
    @tf.function
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("block") as scope:
            x = v1.make_template("t", scale)(x)
            scope.reuse_variables()
            return v1.make_template("t", scale)(x)  # expect: TFS101
''',
        '''\
import functools

import tensorflow as tf

v1 = tf.compat.v1


def conv_stem(images):
    return v1.layers.conv2d(images, 3, 2, padding="same")  # expect: TFS101


class Encoder(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        project = functools.partial(self._project, units=6)  # a partial of a bound method
        return project(inputs)

    def _project(self, t, units):
        return v1.layers.dense(t, units, activation=tf.nn.tanh)  # expect: TFS101


class Stem(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, images):
        op = conv_stem  # a local alias of a function
        return op(images)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class ProjectDense(v1.layers.Dense):
    """A project subclass of a v1 layer (as SimCLR and connectomics write them): named and numbered like one."""


class Tower(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        return ProjectDense(3)(inputs)  # expect: TFS101
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def head():
    return tf.keras.layers.Dense(4)


class KeptNameTaken(tf.Module):
    """The kept Keras layer is `dense_1`; on the second call the v1 layer asks `dense_1` too, and the store
    keeps both (measured: a new variable each call, not a rebuilt one)."""

    @v1.keras.utils.track_tf1_style_variables
    def __call__(self, x):
        x = v1.layers.dense(x, 4)  # expect: TFS101
        return v1.keras.utils.get_or_create_layer("head", head)(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Projection(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.dense = None

    def call(self, x):
        if self.dense is None:  # once per Projection object
            self.dense = v1.layers.Dense(4)  # expect: TFS101
        return self.dense(x)


class Gate(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.gates = {}

    def call(self, x):
        if "g" not in self.gates:
            self.gates["g"] = v1.layers.Dense(4, activation=tf.sigmoid)  # expect: TFS101
        return self.gates["g"](x)


class RebuiltEachCall(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return Projection()(x)  # a new Projection, with its guard unset, on every call


class LocalEachCall(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        gate = Gate()  # a local: a new object on every call too
        return x * gate(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Block(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.fc = v1.layers.Dense(4, name="fc")

    def call(self, x):  # undecorated: `fc` is made in the caller's store, which tracks it
        return self.fc(x)


class RebuiltBlock(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return Block()(x)  # expect: TFS101


class ScopedBlock(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("blk"):  # re-entered each call: the new `fc` takes `blk/fc` again
            return Block()(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def scale(x):
    w = v1.get_variable("w", shape=[4, 4])
    return tf.matmul(x, w)


def block(x, index):
    with v1.variable_scope("block") as scope:
        x = v1.make_template(f"t_{index}", scale)(x)
        scope.reuse_variables()
        return v1.make_template(f"t_{index}", scale)(x)  # expect: TFS101


class NameThroughALocal(tf.keras.layers.Layer):
    @tf.function
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        index = 0  # bound once: `block` is given `t_0` twice
        return block(x, index=index)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Tower(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("blk") as scope:
            x = v1.layers.dense(x, 4)
            scope.reuse_variables()
            return v1.layers.dense(x, 4)  # expect: TFS101


class TracedHolder(tf.keras.layers.Layer):
    @tf.function
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return v1.keras.utils.get_or_create_layer("tower", Tower)(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Cached(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.cache = {}

    def call(self, x):
        if "fc" not in self.cache:  # once per Cached object
            self.cache["fc"] = v1.layers.Dense(4, name="fc")  # expect: TFS101
        self.fc = self.cache["fc"]
        return self.fc(x)


class RebuiltCache(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return Cached()(x)  # a new Cached, with an empty cache, on every call
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Shared(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("blk") as scope:
            x = v1.layers.dense(x, 4)
            scope.reuse_variables()
            return v1.layers.dense(x, 4)  # expect: TFS101


class TracingRunner(tf.Module):
    def __init__(self):
        super().__init__()
        self.model = Shared()

    @tf.function
    def __call__(self, x):
        return self.model(x)
''',
    ),
    good=(
        '''\
import tensorflow as tf


class CompatV1LayerModel(tf.keras.layers.Layer):
    def __init__(self, units, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with tf.compat.v1.variable_scope("model"):
            out = tf.compat.v1.layers.conv2d(inputs, 3, 3, kernel_regularizer="l2")
            out = tf.compat.v1.layers.flatten(out)
            out = tf.compat.v1.layers.dense(out, self.units, kernel_regularizer="l2")
            return out
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def block(x, units):
    return v1.layers.dense(x, units)


class Named(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        out = v1.layers.dense(inputs, 3, name="fc1")
        with v1.variable_scope(self.name):
            return block(out, 4)


def graph_model(x):
    # Plain TF1 graph code, never reached from a shim method.
    return v1.layers.dense(x, 10)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class ObjectsCalledInScope(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.proj = v1.layers.Dense(3)  # built once: named at its first call, stable
        self.cell = v1.nn.rnn_cell.GRUCell(3)

    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        out = self.proj(inputs)
        out, _ = self.cell(out, self.cell.zero_state(2, tf.float32))
        head = v1.layers.Dense(3)
        cell = v1.nn.rnn_cell.LSTMCell(3)
        with v1.variable_scope("head"):
            out = head(out)
            out, _ = cell(out, cell.zero_state(2, tf.float32))
        stacked = v1.nn.rnn_cell.MultiRNNCell([v1.nn.rnn_cell.BasicRNNCell(3) for _ in range(2)])
        out, _ = stacked(out, stacked.zero_state(2, tf.float32))
        sequence, _ = v1.nn.dynamic_rnn(v1.nn.rnn_cell.BasicLSTMCell(3), out[:, None, :], dtype=tf.float32)
        return out + sequence[:, -1, :]
''',
        '''\
import tensorflow as tf
import tf_slim as slim


class SlimScoped(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        net = slim.conv2d(inputs, 8, [3, 3], scope="conv0")
        net = slim.repeat(net, 2, slim.conv2d, 8, [3, 3], scope="conv1")
        net = slim.stack(net, slim.conv2d, [(8, [3, 3])], scope="conv2")
        net = slim.repeat(net, 2, slim.max_pool2d, [2, 2], padding="SAME")  # pooling creates no variables
        with slim.arg_scope([slim.fully_connected], scope="logits"):
            net = slim.fully_connected(slim.flatten(net), 4)
        with tf.compat.v1.variable_scope("head"):
            return slim.fully_connected(net, 2)


def slim_graph_model(images):
    # Plain TF-Slim graph code, never reached from a shim method.
    return slim.fully_connected(slim.conv2d(images, 8, [3, 3]), 10)
''',
        '''\
import tensorflow as tf
from tf_keras.src.engine.base_layer import Layer
from tf_keras.src.legacy_tf_layers import core
from tf_keras.src.legacy_tf_layers.variable_scope_shim import track_tf1_style_variables


class WheelInternalsNamed(Layer):
    @track_tf1_style_variables
    def call(self, inputs):
        return core.dense(inputs, 3, name="out")
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class ReusedNamed(tf.keras.layers.Layer):
    @tf.function
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with v1.variable_scope("block") as scope:
            x = v1.layers.dense(inputs, 4, name="fc")
            scope.reuse_variables()
            return v1.layers.dense(x, 4, name="fc")  # the same name: shared, as asked
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def scale(x):
    w = v1.get_variable("w", shape=[4, 4])
    return tf.matmul(x, w)


class TemplateReused(tf.keras.layers.Layer):
    @tf.function
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("block"):
            template = v1.make_template("t", scale)  # one template, called twice: shared
            return template(template(x))
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Block(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, h):
        h = v1.layers.dense(h, 5)
        with v1.variable_scope(None, default_name="gate"):
            g = v1.get_variable("g", shape=[5])
        return h * g


class Tower(tf.keras.layers.Layer):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.block = Block()  # only ever called inside the named scope below

    @v1.keras.utils.track_tf1_style_variables
    def call(self, h):
        with v1.variable_scope("tower"):  # entered anew each call: the numbering below restarts
            return self.block(h)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Projection(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.dense = None

    def call(self, x):
        if self.dense is None:
            self.dense = v1.layers.Dense(4)
        return self.dense(x)


class ScopedEachCall(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("head"):  # entered anew each call: the new object's layer takes the same name
            return Projection()(x)


class KeptProjection(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.projection = Projection()  # one object: its guard holds from call to call

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return self.projection(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Tower(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("blk") as scope:
            x = v1.layers.dense(x, 4)
            scope.reuse_variables()
            return v1.layers.dense(x, 4)


class EagerHolder(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return v1.keras.utils.get_or_create_layer("tower", Tower)(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class ScopedCache(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.cache = {}

    def call(self, x):
        if "fc" not in self.cache:
            self.cache["fc"] = v1.layers.Dense(4, name="fc")
        fc = self.cache["fc"]
        with v1.variable_scope("blk"):  # first called here: each new object's `fc` takes `blk/fc` again
            return fc(x)


class RebuiltScopedCache(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return ScopedCache()(x)
''',
    ),
    check=check,
)
