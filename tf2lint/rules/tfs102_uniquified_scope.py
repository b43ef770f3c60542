"""TFS102: a default-name or empty-name variable_scope in a shim context."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.knowledge import api
from tf2lint.rules.base import Docs, FixPlan, Hit, Rule, has_explicit_name, keyword

if TYPE_CHECKING:
    from tf2lint.analysis.context import ModuleContext

CODE = "TFS102"


_SIGNATURE = ("name_or_scope", "default_name", "values")


def _fixed_arguments(call: ast.Call, name: str) -> str:
    """`variable_scope(None, "block", [x], reuse=r)` -> `"block", values=[x], reuse=r`."""
    parts = [json.dumps(name)]
    for index, arg in enumerate(call.args[2:], start=2):
        parts.append(f"{_SIGNATURE[index]}={ast.unparse(arg)}" if index < len(_SIGNATURE) else ast.unparse(arg))
    parts += [f"{k.arg}={ast.unparse(k.value)}" if k.arg else f"**{ast.unparse(k.value)}"
              for k in call.keywords if k.arg not in ("name_or_scope", "default_name")]
    return ", ".join(parts)


def _store_creators(ctx: ModuleContext) -> tuple[set[int], set[int]]:
    """Ids of the scope calls under which shim-store variables are created: (any creator, auto-named ones).

    Measured: Keras layers, `tf.Variable` and `add_weight` ignore variable scopes, and `get_variable("w")` or a
    named layer under `variable_scope("")` keeps its name; only what the store names through the scope grows."""
    any_creator: set[int] = set()
    auto_named: set[int] = set()
    for site in ctx.sites:
        layer = next((n for n in site.names if api.v1_layer_base_name(n) or api.v1_rnn_cell_base_name(n)), None)
        creates = layer or any(api.creates_tf1_variables(n) or n == api.GET_OR_CREATE_LAYER for n in site.names)
        if not creates or site.guarded_across_calls:
            continue  # created once (`if self._t is None:`): named by the first call's scope, then kept
        ids = {id(scope.node) for scope in site.scopes}
        any_creator |= ids
        if layer and not has_explicit_name(site.node):
            auto_named |= ids
    return any_creator, auto_named


def _scope_name_for(ctx: ModuleContext, site) -> str | None:
    """The method's class in snake case (`EmptyScope` -> `empty_scope`), as Keras names its layers."""
    info = ctx.owner.get(site.func) or site.reach.cls
    if info is None:
        return None
    return api.snake_case(info.node.name)


def _empty_name(call: ast.Call) -> ast.Constant | None:
    """The `""` of `variable_scope("")` / `variable_scope(name_or_scope="")`."""
    name = call.args[0] if call.args else keyword(call, "name_or_scope")
    return name if isinstance(name, ast.Constant) and name.value == "" else None


def check(ctx: ModuleContext) -> Iterator[Hit]:
    creators: tuple[set[int], set[int]] | None = None
    for site in ctx.sites:
        if not site.calls(api.VARIABLE_SCOPE):
            continue
        scope = ctx.variable_scope(site.node, site.func, dict(site.bindings), site.module)
        if scope is None or scope.named:
            continue
        if site.named_scope:
            continue  # measured: re-entering the named parent restarts the numbering, so the names repeat
        default = api.default_name_of(site.node)
        if creators is None:
            creators = _store_creators(ctx)
        if id(site.node) not in (creators[0] if default is not None else creators[1]):
            continue  # nothing under it takes its name from the scope: nothing grows
        plan = None
        if isinstance(default, ast.Constant) and isinstance(default.value, str) and site.in_loop:
            base = default.value
            problem = (
                f"`variable_scope` with `default_name={base!r}` in a loop is uniquified on every call "
                f"(`{base}`, `{base}_1`, ... and the next call goes on counting), so everything under it is "
                f"created again"
            )
            remedy = (
                f"open a named scope around the loop (`variable_scope(\"blocks\")`: the numbering restarts on "
                f"each call), or name each iteration (`variable_scope(f\"{base}_{{i}}\")`); a single fixed name "
                f"would merge every iteration into one shared set of variables"
            )
        elif isinstance(default, ast.Constant) and isinstance(default.value, str):
            base = default.value
            plan = FixPlan("replace-call-args", "unsafe", f"Use the fixed scope name {base!r}", (site.node,),
                           (_fixed_arguments(site.node, base),))
            problem = (
                f"`variable_scope` with `default_name={base!r}` is uniquified on every call "
                f"(`{base}`, `{base}_1`, ...), so everything created under it is created again"
            )
            remedy = f"use a fixed name: `variable_scope({base!r})`"
        elif default is not None:
            problem = "`variable_scope` with a `default_name` is uniquified on every call, so variables under it are created again"
            remedy = "use a fixed scope name"
        else:
            problem = "`variable_scope` with an empty name opens no named scope: auto-named layers under it still get new names every call"
            remedy = "give the scope a non-empty name"
            empty, name = _empty_name(site.node), _scope_name_for(ctx, site)
            if empty is not None and name and not site.in_loop:
                plan = FixPlan("set-string", "unsafe", f"Name the scope after the class: {name!r}", (empty,), (name,))
                remedy = f"give the scope a non-empty name, e.g. `variable_scope({name!r})`"
        yield Hit(site, f"{problem} (shim method {site.reach.describe()}); {remedy}", plan)


RULE = Rule(
    code=CODE,
    symbol="uniquified-scope-in-shim",
    summary="`variable_scope(None, default_name=...)` or `variable_scope(\"\")` in a shim method",
    docs=Docs(
        what=(
            "Finds `variable_scope` calls in shim code whose name is empty or missing: "
            "`variable_scope(None, default_name=\"model\")`, `variable_scope(default_name=\"model\")`, "
            "`variable_scope(\"\")`. (`variable_scope(default_name=...)` alone is a TypeError in TF; it is reported too.) "
            "Not reported: such a scope nested inside a named scope (re-entering the parent restarts the numbering, "
            "so the names repeat on every call), and `variable_scope(tf.compat.v1.get_variable_scope())`, which "
            "re-enters the current scope and, like a named scope, restarts the numbering under it. Variables made "
            "under it once per object (`if self.w is None:`) keep their first name, unless the object is a "
            "sub-layer built anew on every call."
        ),
        why=(
            "A default-name scope is made unique each time it is entered, and the shim's variable store keeps "
            "counting across calls: the first call builds `model/...`, the second `model_1/...`. Every call "
            "creates a fresh set of variables. An empty name opens no scope at all, so it does not protect "
            "auto-named layers either."
        ),
        fix_safety=(
            "Unsafe: replaces the default name by the same fixed name (`variable_scope(\"model\")`). The first "
            "call's variable names stay the same in a fresh object, but a second instance in the same process no "
            "longer gets `model_1/...`, so check your checkpoints. An empty name becomes the method's class name in "
            "snake case (`variable_scope(\"\")` in `class EmptyScope` -> `variable_scope(\"empty_scope\")`), also "
            "unsafe: every variable created under it gains that prefix, so checkpoints written before no longer "
            "match. A scope inside a loop gets no fix: a fixed name there would merge every iteration's variables "
            "into one shared set."
        ),
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: `variable_scope(None, default_name=\"model\")` inside the "
            "decorated method grows `model_1`, `model_2`, ...; `variable_scope(\"\")` behaves like no scope for "
            "`tf.compat.v1.layers` (weights grow). Inside a `tf.function`: the singleton-variables `ValueError`. "
            "In a 3-iteration loop: 6 weights after the first call (`b`, `b_1`, `b_2`), 12 after the second; the "
            "fixed name `variable_scope(\"b\")` there leaves 2 weights (all blocks share one dense). Nested in "
            "`variable_scope(\"outer\")`: stable (`outer/b`, `outer/b_1` on every call, also in a loop); "
            "`variable_scope(\"\")` there: stable (`outer//dense`). `variable_scope(get_variable_scope())` at the "
            "root with two unnamed dense layers: stable (`dense`, `dense_1`)."
        ),
    ),
    bad=(
        '''\
import tensorflow as tf
import tensorflow.compat.v1 as v1


class Uniquified(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with v1.variable_scope(None, default_name="model"):  # expect: TFS102
            w = v1.get_variable("w", shape=[inputs.shape[-1], 2])
            return tf.matmul(inputs, w)
''',
        '''\
import tensorflow as tf
from tensorflow.compat import v1


class EmptyScope(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with v1.variable_scope(None, "block"):  # expect: TFS102
            out = self.project(inputs)
        return out

    def project(self, x):
        with v1.variable_scope(""):  # expect: TFS102
            return v1.layers.dense(x, 2)  # expect: TFS101
''',
        '''\
import tensorflow as tf
import tensorflow.compat.v1 as v1


class Blocks(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        out = inputs
        for _ in range(3):
            with v1.variable_scope(None, default_name="b"):  # expect: TFS102
                out = tf.matmul(out, v1.get_variable("w", shape=[4, 4]))
        return out


class Cell(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope(None, default_name="cell"):  # expect: TFS102
            return v1.layers.dense(x, 4, name="d")


class Unrolled(tf.keras.layers.Layer):  # undecorated: Keras runs its `call` with no scope around the cell
    def __init__(self):
        super().__init__()
        self.cell = Cell()

    def call(self, x):
        for _ in range(2):
            x = self.cell(x)
        return x
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def run_stage(stage_fn, t, **options):
    return stage_fn(t, **options)


class Mixer(tf.Module):
    @v1.keras.utils.track_tf1_style_variables
    def __call__(self, t):
        return run_stage(self._mix, t, width=7)  # the function runs through a parameter

    def _mix(self, t, width):
        with v1.variable_scope(None, default_name="mix"):  # expect: TFS102
            kernel = v1.get_variable("kernel", shape=[t.shape[-1], width])
        return tf.matmul(t, kernel)


class Mapped(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return list(map(self._block, [x]))[0]  # `map` passes one argument: `scope` keeps its default, None

    def _block(self, x, scope=None):
        with v1.variable_scope(scope, default_name="blk"):  # expect: TFS102
            return v1.layers.dense(x, 4, name="d")
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Block(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.scale = None

    def call(self, x):
        with v1.variable_scope(None, default_name="blk"):  # expect: TFS102
            if self.scale is None:  # once per Block object, and Block is built on every call
                self.scale = v1.get_variable("scale", shape=[4])
            return x * self.scale


class RebuiltBlock(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return Block()(x)
''',
    ),
    good=(
        '''\
import tensorflow as tf
import tensorflow.compat.v1 as v1


class Fixed(tf.keras.layers.Layer):
    def __init__(self, block_name="block"):
        super().__init__()
        self.block_name = block_name

    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with v1.variable_scope("model"):
            # A name is always given, so `default_name` is never used.
            with v1.variable_scope(self.block_name, default_name="block"):
                return v1.layers.dense(inputs, 2, name="proj")


def tf1_block(x, scope=None):
    # TF1 graph code: default-name scopes are the normal idiom there.
    with v1.variable_scope(scope, default_name="block"):
        return v1.layers.dense(x, 2)
''',
        '''\
import tensorflow as tf
import tensorflow.compat.v1 as v1


class NamedParent(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        out = inputs
        with v1.variable_scope("blocks"):
            for _ in range(3):
                with v1.variable_scope(None, default_name="b"):
                    out = v1.layers.dense(out, 4)
            with v1.variable_scope(""):
                out = v1.layers.dense(out, 4)
        with v1.variable_scope(v1.get_variable_scope()):
            return v1.layers.dense(v1.layers.dense(out, 4), 4)


class Gate(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope(None, default_name="gate"):
            return x * v1.get_variable("g", shape=[4])


class Gated(tf.keras.layers.Layer):
    """Undecorated, but it opens a named scope around each call of its gate: the gate's numbering restarts."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.gate = Gate()

    def call(self, x):
        with v1.variable_scope("gated"):
            x = self.gate(x)
        with v1.variable_scope("gated"):
            return self.gate(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def scale(x):
    w = v1.get_variable("w", shape=[4, 4])
    return tf.matmul(x, w)


class CachedTemplate(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self._templates = {}

    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        # The template is made once and keeps the scope of its first call: `block/t/w` on every call.
        with v1.variable_scope(None, default_name="block"):
            if "t" not in self._templates:
                self._templates["t"] = v1.make_template("t", scale)
            return self._templates["t"](inputs)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def score_with(fn, x):
    return fn(x, name="real")


class Critic(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return score_with(self._score, x) * self.scale(x, name="s")

    def _score(self, x, name=None):  # every caller passes a name
        with v1.variable_scope(name):
            return v1.layers.dense(x, 1)

    @v1.keras.utils.track_tf1_style_variables
    def scale(self, x, name=None):  # `name + "_gain"` rules None out, whoever calls it
        with v1.variable_scope(name):
            gain = v1.get_variable(name + "_gain", shape=[])
        return x * gain
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Block(tf.Module):
    @v1.keras.utils.track_tf1_style_variables
    def __call__(self, x):
        with v1.variable_scope(None, default_name="blk"):
            return v1.layers.dense(x, 4, name="fc")


class Blocks(tf.Module):
    """Its `__call__` enters `outer` on every call: each block's `blk` is numbered anew under it, the same each
    call (held-out s8080-02716)."""

    def __init__(self):
        super().__init__()
        self.blocks = [Block() for _ in range(2)]

    def __call__(self, x):
        with v1.variable_scope("outer"):
            for block in self.blocks:
                x = block(x)
        return x
''',
    ),
    check=check,
)
