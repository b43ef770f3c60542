"""TFS119: one TF2 random initializer object given to several weights in shim code: identical values."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.rules.base import Docs, Hit, Rule, assignments_in, self_attribute

if TYPE_CHECKING:
    from tf2lint.analysis.context import CallSite, ModuleContext
    from tf2lint.analysis.summary import ModuleSummary

CODE = "TFS119"
_RANDOM = frozenset({
    "GlorotUniform", "GlorotNormal", "HeNormal", "HeUniform", "LecunNormal", "LecunUniform", "RandomNormal",
    "RandomUniform", "TruncatedNormal", "VarianceScaling", "Orthogonal", "glorot_uniform", "glorot_normal",
    "he_normal", "he_uniform", "lecun_normal", "lecun_uniform", "random_normal", "random_uniform",
    "truncated_normal", "variance_scaling", "orthogonal",
})
_TF2_FUNCTIONS = frozenset({"tf.random_normal_initializer", "tf.random_uniform_initializer"})


def _tf2_random_initializer(module: ModuleSummary, call: ast.expr, func: ast.AST | None) -> str | None:
    """The TF2 random initializer a constructor call builds (TF2 initializers compute the same values for
    the same shape on every use); None for the v1 ones (`tf.compat.v1...`), which draw new values each time."""
    if not isinstance(call, ast.Call):
        return None
    if any(".v1." in path for path in module.names.targets(call.func, func)):  # type: ignore[arg-type]
        return None
    for name in module.names.resolve(call.func, func):  # type: ignore[arg-type]
        for prefix in ("tf.keras.initializers.", "tf.initializers."):
            if name.startswith(prefix) and name[len(prefix):] in _RANDOM:
                return name
        if name in _TF2_FUNCTIONS:
            return name
    return None


def _binding(ctx: ModuleContext, site: CallSite, value: ast.expr) -> tuple[tuple, ast.Call, ModuleSummary] | None:
    """Where the object an initializer argument names was built: a single `init = ...` in the same function,
    a module-level `INIT = ...`, or `self.init = ...` in `__init__`. Anything else (a parameter) is unknown."""
    module = site.module or ctx.root
    if isinstance(value, ast.Name):
        local = [s for s in assignments_in(site.func) if any(isinstance(t, ast.Name) and t.id == value.id for t in s.targets)]
        if module.names.is_local(value.id, site.func):
            if len(local) == 1 and isinstance(local[0].value, ast.Call):
                return (site.func, value.id), local[0].value, module
            return None
        found = [s for s in module.tree.body if isinstance(s, ast.Assign)
                 and any(isinstance(t, ast.Name) and t.id == value.id for t in s.targets)]
        if len(found) == 1 and isinstance(found[0].value, ast.Call):
            return (module, value.id), found[0].value, module
        return None
    attr = self_attribute(ctx, value, site.func)
    if attr is not None and site.reach.cls is not None:
        for klass in ctx.mro(site.reach.cls):
            init = klass.methods.get("__init__")
            assigned = [s for s in assignments_in(init) if any(self_attribute(ctx, t, init) == attr for t in s.targets)]
            if assigned:
                ok = len(assigned) == 1 and isinstance(assigned[0].value, ast.Call)
                return ((klass, attr), assigned[0].value, klass.module) if ok else None  # type: ignore[return-value]
    return None


def check(ctx: ModuleContext) -> Iterator[Hit]:
    if not ctx.mentions("initializer", "Initializer"):
        return
    uses: dict[tuple, tuple[ast.Call, ModuleSummary, str, dict[ast.Call, ast.expr]]] = {}
    for site in ctx.sites:
        for kw in site.node.keywords:
            if kw.arg is None or not kw.arg.endswith("initializer"):
                continue
            found = _binding(ctx, site, kw.value)
            if found is None:
                continue
            key, built, module = found
            entry = uses.get(key)
            if entry is None:
                scope = key[0] if isinstance(key[0], ast.AST) else None  # a local's function, else module level
                name = _tf2_random_initializer(module, built, scope)
                if name is None:
                    continue
                entry = uses[key] = (built, module, name, {})
            entry[3].setdefault(site.node, kw.value)
    for built, module, name, calls in uses.values():
        if len(calls) < 2:
            continue
        lines = ", ".join(str(call.lineno) for call in sorted(calls, key=lambda c: c.lineno))
        node = built if module is ctx.root else next(iter(calls.values()))
        yield Hit(
            node,
            f"one `{name}` object initialises the weights of {len(calls)} calls in shim code (lines {lines}): a TF2 "
            f"initializer gives the same values for the same shape on every use, seeded or not, so those weights "
            f"start identical; build one initializer per weight (or give each its own seed), or use a "
            f"`tf.compat.v1` initializer, which draws new values on each use",
        )


RULE = Rule(
    code=CODE,
    symbol="shared-random-initializer",
    summary="One TF2 random initializer object shared by several weights: they start with identical values",
    docs=Docs(
        what=(
            "Finds a TF2 random initializer object (`tf.keras.initializers.GlorotUniform(...)`, `HeNormal`, "
            "`RandomNormal`, ..., their snake-case aliases, `tf.initializers.*`, `tf.random_normal_initializer`) "
            "bound once (a local, a module-level name, or `self.x` in `__init__`) and passed as an `*initializer=` "
            "argument to two or more calls in shim code; reported once, where the object is built (or at the first use "
            "when that is in another module). The `tf.compat.v1` initializers (including "
            "`tf.compat.v1.keras.initializers.*`) draw new values on each use and are not reported."
        ),
        why=(
            "TF1 initializers drew new random values every time they ran. TF2 initializers are deterministic per "
            "object: called twice for the same shape they return the same tensor (tf-keras#71, #432), so migrated "
            "code that shares one initializer object between layers starts those layers with identical kernels, "
            "and symmetric weights get symmetric gradients."
        ),
        fix_safety="No automatic fix.",
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21 under the shim, two weights of one shape: one "
            "`tf.keras.initializers.GlorotUniform(seed=1)` (also unseeded, `RandomNormal`, `TruncatedNormal`, "
            "`tf.initializers.GlorotUniform`, `tf.random_normal_initializer`) shared by two `v1.layers.dense`, two "
            "`get_variable`s or two Keras `Dense`: identical kernels. `tf.compat.v1.keras.initializers.glorot_uniform"
            "(seed=1)`, `tf.compat.v1.truncated_normal_initializer(seed=1)` or the string `\"glorot_uniform\"`: "
            "different kernels."
        ),
    ),
    bad=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Twins(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        init = tf.keras.initializers.GlorotUniform(seed=1)  # expect: TFS119
        h = v1.layers.dense(x, 8, kernel_initializer=init, name="a")
        return v1.layers.dense(h, 8, kernel_initializer=init, name="b")
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class SharedOnSelf(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.init = tf.keras.initializers.HeNormal()  # expect: TFS119

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        a = v1.get_variable("a", shape=[8, 8], initializer=self.init)
        b = v1.get_variable("b", shape=[8, 8], initializer=self.init)
        return tf.matmul(tf.matmul(x, a), b)
''',
    ),
    good=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Distinct(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        init = v1.keras.initializers.glorot_uniform(seed=1)
        h = v1.layers.dense(x, 8, kernel_initializer=init, name="a")
        h = v1.layers.dense(h, 8, kernel_initializer=tf.keras.initializers.GlorotUniform(), name="b")
        return v1.layers.dense(h, 8, kernel_initializer="glorot_uniform", name="c")
''',
    ),
    check=check,
)
