"""TFS106: a tf.Variable, Keras layer/model or tf.Module constructed on every call of shim code."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.analysis.ownership import constructs_tracked_object
from tf2lint.knowledge import api
from tf2lint.rules.base import Docs, Hit, Rule, once_per_cause, runs_once, self_attribute
from tf2lint.rules.tfs103_template_per_call import hoist_plan

if TYPE_CHECKING:
    from tf2lint.analysis.context import CallSite, ModuleContext

CODE = "TFS106"


def _self_attribute(ctx: ModuleContext, site: CallSite) -> str | None:
    """`self.<attr>(...)`: the attribute called, when the call is on the object itself."""
    return self_attribute(ctx, site.node.func, site.func)


def class_attribute_kind(ctx: ModuleContext, site: CallSite, attr: str) -> str | None:
    """`self.norm_cls()` where `__init__` stored a weight-owning class (not an instance) in `self.norm_cls`."""
    for cls in ctx.mro(site.reach.cls) if site.reach.cls else []:
        for name in cls.attr_classes.get(attr, ()):
            kind = api.tracked_object_kind(name)
            local = ctx.class_by_name.get(name)
            if kind is None and local is not None and ctx.class_kind(local) in ("keras", "module"):
                kind = "tf.Module" if ctx.class_kind(local) == "module" else "Keras layer"
            if kind is not None:
                return f"`self.{attr}()` (a new `{name}`, {kind})"
    return None


def _builders(ctx: ModuleContext) -> set[ast.AST]:
    """Functions passed to `get_or_create_layer`: they run once per key, so what they build is kept."""
    found: set[ast.AST] = set()
    for site in ctx.sites:
        if not site.calls(api.GET_OR_CREATE_LAYER):
            continue
        builder = ctx.builder_of(site.node, site.func, site.reach.cls)
        if builder is not None:
            found.add(builder.func)
    return found


def _add_weight_hits(ctx: ModuleContext, builders: set[ast.AST]) -> Iterator[Hit]:
    for site in ctx.sites:
        if _self_attribute(ctx, site) not in api.ADD_WEIGHT or site.guarded or runs_once(site, ctx):
            continue
        if site.reach.cls is None or ctx.class_kind(site.reach.cls) != "keras" or site.reach.shim in builders:
            continue
        yield Hit(
            site.node,
            f"`self.{_self_attribute(ctx, site)}(...)` runs on every call of shim method {site.reach.describe()}: each "
            f"call adds a new weight to the layer (the old one stays, untrained); create it once in `build` or "
            f"`__init__`, or use `get_variable` (which the shim reuses by name)",
        )


def check(ctx: ModuleContext) -> Iterator[Hit]:
    # A per-call construction is a mistake whatever path reaches it: one finding per creating line.
    return once_per_cause(_hits(ctx))


def _hits(ctx: ModuleContext) -> Iterator[Hit]:
    builders = _builders(ctx) if ctx.mentions("get_or_create_layer") else set()
    yield from _add_weight_hits(ctx, builders)
    for site in ctx.sites:
        attr = _self_attribute(ctx, site)
        kind = constructs_tracked_object(ctx, site) or (attr and class_attribute_kind(ctx, site, attr))
        if kind is None or site.guarded or runs_once(site, ctx):
            continue
        if site.reach.shim in builders or site.func in builders:
            continue  # a get_or_create_layer builder: runs once per key, its layers are tracked
        if site.target and site.target[0] == "self":
            how = f"assigned to `self.{site.target[1]}` on every call (a new object, with new weights, each time)"
        elif site.target and site.target[0] == "local":
            how = f"bound to the local `{site.target[1]}`: not tracked, re-initialised every call"
        else:
            how = "constructed inline: not tracked, re-initialised every call"
        remedy = (
            "create it once in `__init__`/`build` (or under `if self._x is None:`) and reuse it"
            if "tf.Variable" in kind
            else "create it once in `__init__` and reuse it, or use `tf.compat.v1.keras.utils.get_or_create_layer`"
        )
        plan = hoist_plan(ctx, site, "unsafe", "Create it once in __init__")
        yield Hit(site, f"{kind} in shim method {site.reach.describe()} {how}; {remedy}", plan)


RULE = Rule(
    code=CODE,
    symbol="untracked-nested-variable",
    summary="`tf.Variable`, Keras layer/model or `tf.Module` constructed on every call of a shim method",
    docs=Docs(
        what=(
            "Finds a `tf.Variable`, a Keras layer that owns weights, a Keras model or a `tf.Module` (including "
            "subclasses of these defined in the same module) constructed in shim code: used inline, bound to a "
            "local, or assigned to `self.x` without a create-once guard. Construction in `__init__`/`build`, "
            "under a guard, or through `get_or_create_layer` is correct. Also `self.add_weight(...)` run on every "
            "call (in the decorated method or a helper it reaches, outside `build`/`__init__` and unguarded), and "
            "a layer class stored on `self` in `__init__` (`self.norm_cls = tf.keras.layers.LayerNormalization`) "
            "and instantiated in shim code (`self.norm_cls()(x)`). Guards include a per-key dict cache "
            "(`if key not in self._heads: self._heads[key] = ...`); a builder passed to `get_or_create_layer` "
            "(decorated or not) runs once per key, so the layers it builds are kept. A project layer built inline "
            "(`Adapter()(x)`) that owns nothing (no `build`, an `__init__` that only calls `super().__init__`) is not "
            "reported when its `call` is undecorated (it runs in the caller's variable store, and so do the v1 layer "
            "objects and templates its `__init__` builds: tracked there, they grow when called outside a named scope, "
            "which TFS101 and TFS103 report) or decorated "
            "but reaching only TensorFlow calls that make no variable (a dropout, an activation). A construction in a "
            "helper of another module is one finding however many calls of the linted file reach it: at the first "
            "of them, naming the others (the mistake does not depend on the path). A project subclass of a v1 layer "
            "class (`class BatchNormalization(tf.compat.v1.layers.BatchNormalization)`) is a v1 layer, not reported "
            "here: its weights come from `get_variable`, which reuses them by name."
        ),
        why=(
            "The shim only tracks variables created through `get_variable` (and the v1 layers built on it). The "
            "model guide: nested `tf.Variable`s, modules and layers must be created once, attached as "
            "attributes, and reused. Built per call, they are new objects each time: their weights are not "
            "tracked, get no gradients, and are re-initialised on every call."
        ),
        fix_safety=(
            "Unsafe: when the constructor's arguments do not depend on the call, the object is created once in "
            "`__init__` and reused (Keras/tf.Variable names may differ from what the old code created). When "
            "they do, there is no fix: use `get_or_create_layer`."
        ),
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: `tf.Variable(...)`, `tf.keras.layers.Dense(3)(x)` or a "
            "`tf.Module` built inside the decorated method leaves `len(layer.weights) == 0`, gradients `[]`, and "
            "outputs change between calls; inside a `tf.function` it raises the singleton-variables "
            "`ValueError`. `self.proj = tf.keras.layers.Dense(2)` run on every call makes a new layer each call. "
            "`self.add_weight(...)` in the decorated method, or in a helper it calls: 1 weight after the first call, "
            "2 after the second (same name, a new variable). `self.norm_cls()(x)` builds a new, untracked "
            "LayerNormalization each call. A dict cache and a (decorated) `get_or_create_layer` builder: stable."
        ),
    ),
    bad=(
        '''\
import tensorflow as tf


class Scale(tf.Module):
    def __init__(self):
        super().__init__()
        self.gain = tf.Variable(2.0)  # owned by each new object: made again on every call

    def __call__(self, x):
        return x * self.gain


class Projection(tf.keras.layers.Layer):  # its decorated call makes variables in each object's own store
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return tf.compat.v1.layers.dense(x, 3, name="proj")


class Inline(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        bias = tf.Variable(tf.zeros([3]))  # expect: TFS106
        out = tf.keras.layers.Dense(3)(inputs) + bias  # expect: TFS106
        out = Projection()(out)  # expect: TFS106
        self.proj = tf.keras.layers.Dense(2)  # expect: TFS106
        return Scale()(self.proj(out))  # expect: TFS106
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class PerCallWeights(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.norm_cls = tf.keras.layers.LayerNormalization

    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with v1.variable_scope("proj"):
            kernel = v1.get_variable("kernel", shape=[inputs.shape[-1], 3])
        scale = self.add_weight(name="scale", shape=[3])  # expect: TFS106
        out = self.norm_cls()(tf.matmul(inputs, kernel))  # expect: TFS106
        return out * scale + self._bias()

    def _bias(self):
        return self.add_weight(name="bias", shape=[3])  # expect: TFS106
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Tagger(tf.keras.Model):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, features):
        heads = {"cls": self._cls_head}  # a dispatch table built in the method
        return heads["cls"](features)

    def _cls_head(self, features):
        head = tf.keras.layers.Dense(2)  # expect: TFS106
        return head(features)


class Rescaler(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("rescale"):
            return getattr(self, "_rescale")(x)

    def _rescale(self, x):
        gain = self.add_weight(name="gain", shape=(x.shape[-1],))  # expect: TFS106
        return x * gain
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class LazyGain(tf.keras.layers.Layer):  # makes its weight once per object: each new object makes it again
    def __init__(self):
        super().__init__()
        self.gain = None

    def call(self, x):
        if self.gain is None:
            self.gain = self.add_weight(name="gain", shape=[])
        return x * self.gain


class LazyHolds(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return LazyGain()(x)  # expect: TFS106
''',
    ),
    good=(
        '''\
import tensorflow as tf


class NestedModel(tf.keras.Model):
    def __init__(self, units, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.units = units

    def build_model(self):
        inp = tf.keras.Input(shape=(5, 5))
        dense_layer = tf.keras.layers.Dense(
            10, name="dense", kernel_regularizer="l2",
            kernel_initializer=tf.compat.v1.ones_initializer())
        return tf.keras.Model(inputs=inp, outputs=dense_layer(inp))

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        model = tf.compat.v1.keras.utils.get_or_create_layer("dense_model", self.build_model)
        return model(inputs)


class Guarded(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.proj = None
        self.dense = tf.keras.layers.Dense(3)

    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        if self.proj is None:
            self.proj = tf.keras.layers.Dense(2)
        out = tf.keras.layers.Flatten()(inputs)
        return self.proj(self.dense(out))
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1
get_or_create_layer = v1.keras.utils.get_or_create_layer


class CreatedOnce(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self._heads = {}
        self.norm = tf.keras.layers.LayerNormalization()

    def build(self, input_shape):
        self.scale = self.add_weight(name="scale", shape=[3])

    @v1.keras.utils.track_tf1_style_variables
    def build_tower(self):
        return tf.keras.Sequential([tf.keras.layers.Dense(3)])

    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs, head="a"):
        if head not in self._heads:
            self._heads[head] = tf.keras.layers.Dense(3)
        tower = get_or_create_layer("tower", self.build_tower)
        extra = get_or_create_layer("extra", lambda: tf.keras.layers.Dense(3))
        out = self._heads[head](inputs) + tower(inputs) + extra(inputs)
        return self.norm(out) * self.scale
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Adapter(tf.keras.layers.Layer):  # owns nothing: its undecorated call runs in the caller's store
    def call(self, x):
        w = v1.get_variable("w", shape=[x.shape[-1], 2])
        return tf.matmul(x, w)


class Gain(tf.keras.layers.Layer):  # its `__init__` only initialises the base: it owns nothing either
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.calls = 0

    def call(self, x):
        return x * v1.get_variable("gain", shape=[])


class Noise(tf.keras.layers.Layer):  # its decorated call makes no variable: a new object loses nothing
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x, training=None):
        with v1.variable_scope("noise", reuse=v1.AUTO_REUSE):
            return v1.layers.dropout(x, 0.5, training=training)


class Projector(tf.keras.layers.Layer):  # its v1 layer takes the same name under a named scope: the caller's store keeps it
    def __init__(self):
        super().__init__()
        self.fc = v1.layers.Dense(2, name="fc")

    def call(self, x):
        with v1.variable_scope("projector"):
            return self.fc(x)


def _shift(x):
    return x + v1.get_variable("shift", shape=[])


class Shifter(tf.keras.layers.Layer):  # so does its template (`shifter/shift/shift`, every call)
    def __init__(self):
        super().__init__()
        self.shift = v1.make_template("shift", _shift)

    def call(self, x):
        with v1.variable_scope("shifter"):
            return self.shift(x)


class Host(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x, training=None):
        with v1.variable_scope("host"):
            return Shifter()(Projector()(Noise()(Gain()(Adapter()(x)), training=training)))
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class BatchNormalization(v1.layers.BatchNormalization):
    """A project subclass of a v1 layer (SimCLR style): its weights come from `get_variable`."""


class Tower(tf.keras.layers.Layer):
    def _norm(self, x, training):
        return BatchNormalization(name="bn")(x, training=training)

    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs, training=None):
        with v1.variable_scope("a"):
            out = self._norm(inputs, training)
        with v1.variable_scope("b"):
            return self._norm(out, training)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Noise(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.rate = 0.5

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x, training=None):
        return v1.layers.dropout(x, self.rate, training=training)


class NoisyHost(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x, training=None):
        return Noise()(x, training=training)  # built per call, but it owns no weights
''',
    ),
    check=check,
)
