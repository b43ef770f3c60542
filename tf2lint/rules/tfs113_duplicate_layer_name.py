"""TFS113: two v1 layers (or get_variables) with the same explicit name in one scope of a shim method."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.knowledge import api
from tf2lint.rules.base import Docs, Hit, Rule, keyword

if TYPE_CHECKING:
    from tf2lint.analysis.context import CallSite, ModuleContext

CODE = "TFS113"


def _explicit_name(site: CallSite) -> tuple[str, str] | None:
    """("layer" | "variable", literal name) of a variable-creating call with a literal name."""
    node = site.node
    if any(api.v1_layer_base_name(n) for n in site.names):
        value = keyword(node, "name")
        kind = "layer"
    elif api.GET_VARIABLE in site.names:
        value = node.args[0] if node.args else keyword(node, "name")
        kind = "variable"
    else:
        return None
    if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value:
        return kind, value.value
    return None


def _reuses(call: ast.Call) -> bool:
    value = keyword(call, "reuse")
    return value is not None and not (isinstance(value, ast.Constant) and value.value in (None, False))


def _scope_path(site: CallSite) -> tuple:
    path = []
    for scope in site.scopes:
        if scope.name is not None:
            path.append(scope.name)
        elif scope.named:
            path.append(("opaque", id(scope.node)))  # same expression, same scope; otherwise unknown
        elif keyword(scope.node, "default_name") is not None or len(scope.node.args) > 1:
            path.append(("unique", id(scope.node)))
    return tuple(path)


def _exclusive(a: CallSite, b: CallSite) -> bool:
    """The two calls sit in different branches of the same `if`/`match`/`try`, so only one runs."""
    arms_a = dict(a.arms)
    return any(node in arms_a and arms_a[node] != arm for node, arm in b.arms)


def check(ctx: ModuleContext) -> Iterator[Hit]:
    first_seen: dict[tuple, list[CallSite]] = {}
    for site in ctx.sites:
        named = _explicit_name(site)
        if named is None or _reuses(site.node) or any(_reuses(s.node) for s in site.scopes):
            continue
        key = (site.reach.shim, _scope_path(site), *named)
        earlier = first_seen.setdefault(key, [])
        clash = next((e for e in earlier if e.node is not site.node and not _exclusive(e, site)), None)
        if any(e.node is site.node for e in earlier):
            continue
        earlier.append(site)
        if clash is None:
            continue
        kind, name = named
        scope = "/".join(p for p in _scope_path(site) if isinstance(p, str)) or "the root scope"
        yield Hit(
            site,
            f"{kind} name {name!r} is already used at line {clash.node.lineno} in {scope} of shim method "
            f"{site.reach.describe()}: this call silently shares that {kind}'s weights (or fails if the shapes "
            f"differ); give it its own name, or pass `reuse=True` if sharing is intended",
        )


RULE = Rule(
    code=CODE,
    symbol="duplicate-layer-name",
    summary="Two v1 layers or `get_variable`s with the same explicit name in one scope of a shim method",
    docs=Docs(
        what=(
            "Finds a `tf.compat.v1.layers` layer or a `get_variable` whose literal name was already used by another "
            "call in the same variable scope of the same shim method (including helpers it reaches). Calls in "
            "different branches of one `if`, and calls with `reuse=` on the call or on an enclosing scope, are "
            "left alone."
        ),
        why=(
            "Inside the shim, variables are looked up by name: the second layer named `fc` does not get new "
            "weights, it reuses the first one's. With the same shapes this silently ties two layers together; "
            "with different shapes it fails."
        ),
        fix_safety="No automatic fix: only the author knows which name was meant.",
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: the second layer silently shares the first's weights (same "
            "shape), or fails with `Trying to share variable fc/kernel, but specified shape (3, 3) and found "
            "shape (4, 3).`"
        ),
    ),
    bad=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class CopyPaste(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        with v1.variable_scope("model"):
            out = v1.layers.dense(inputs, 3, name="fc")
            out = v1.layers.dense(out, 3, name="fc")  # expect: TFS113
            scale = v1.get_variable("scale", shape=[])
        with v1.variable_scope("model"):
            bias = v1.get_variable("scale", shape=[])  # expect: TFS113
        return out * scale + bias
''',
    ),
    good=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Distinct(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs, training=None):
        with v1.variable_scope("a"):
            a = v1.layers.dense(inputs, 3, name="fc")
        with v1.variable_scope("b"):
            b = v1.layers.dense(inputs, 3, name="fc")
        with v1.variable_scope("tied", reuse=v1.AUTO_REUSE):
            c = v1.layers.dense(inputs, 3, name="fc") + v1.layers.dense(inputs, 3, name="fc")
        with v1.variable_scope("branch"):
            if training:
                d = v1.layers.dense(a, 3, name="head")
            else:
                d = v1.layers.dense(a, 3, name="head")
        return a + b + c + d
''',
    ),
    check=check,
)
