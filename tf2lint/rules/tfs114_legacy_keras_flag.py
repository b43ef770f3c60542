"""TFS114: TF_USE_LEGACY_KERAS set to a value TF ignores, or set too late."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.analysis.names import flatten_blocks, walk_expr
from tf2lint.knowledge import api
from tf2lint.rules.base import Docs, FixPlan, Hit, Rule

if TYPE_CHECKING:
    from tf2lint.analysis.context import ModuleContext

CODE = "TFS114"
FLAG = "TF_USE_LEGACY_KERAS"
HONOURED = ("1", "true", "True")
# Deliberate opt-outs (TF reads them as "use Keras 3"): a mistake only where the module needs tf_keras.
OPT_OUT = ("0", "false", "False")
# What only exists with the flag on (measured under TF 2.21 with the flag at "0"/"false": AttributeError).
_NEEDS_LEGACY = (api.SHIM_DECORATOR, api.GET_OR_CREATE_LAYER, "tf.compat.v1.keras.utils.DeterministicRandomTestTool")


def _is_flag(node: ast.AST | None) -> bool:
    return isinstance(node, ast.Constant) and node.value == FLAG


def _flag_values(ctx: ModuleContext) -> Iterator[tuple[ast.AST, ast.expr]]:
    """(statement-level node, value) for every place the module sets TF_USE_LEGACY_KERAS."""
    nodes = ctx.nodes_on_lines(FLAG)
    for assign, func in nodes:
        if not isinstance(assign, ast.Assign):
            continue
        for target in assign.targets:
            if (
                isinstance(target, ast.Subscript)
                and _is_flag(target.slice)
                and "os.environ" in ctx.names.paths(target.value, func)
            ):
                yield assign, assign.value
    for call, func in nodes:
        if not isinstance(call, ast.Call):
            continue
        names = ctx.resolve(call.func, func)
        if {"os.environ.setdefault", "os.putenv"} & set(names) and len(call.args) == 2 and _is_flag(call.args[0]):
            yield call, call.args[1]
        elif "os.environ.update" in names:
            for kw in call.keywords:
                if kw.arg == FLAG:
                    yield call, kw.value
            for arg in call.args:
                if isinstance(arg, ast.Dict):
                    for key, value in zip(arg.keys, arg.values):
                        if _is_flag(key):
                            yield call, value


def _late_sets(ctx: ModuleContext, sets: set[ast.AST]) -> Iterator[ast.AST]:
    """Module-level sets that run after `import tensorflow` and a use of `tf.keras`."""
    imported = keras_used = False
    for stmt in flatten_blocks(ctx.tree.body):
        if stmt in sets or (isinstance(stmt, ast.Expr) and stmt.value in sets):
            if imported and keras_used:
                yield stmt
            continue
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in stmt.names] if isinstance(stmt, ast.Import) else [stmt.module or ""]
            imported |= any(m == "tensorflow" or m.startswith("tensorflow.") for m in modules)
            continue
        if imported and not keras_used and not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for child in ast.iter_child_nodes(stmt):
                if isinstance(child, ast.expr) and any(
                    name.startswith("tf.keras")
                    for node in walk_expr(child)
                    if isinstance(node, (ast.Attribute, ast.Name))
                    for name in ctx.resolve(node, None)
                ):
                    keras_used = True


def _legacy_api_used(ctx: ModuleContext) -> str | None:
    """The first shim or v1-layer API the module names: what Keras 3 lacks."""
    if not ctx.mentions("layers", "track_tf1_style_variables", "get_or_create_layer", "DeterministicRandomTestTool"):
        return None
    for node, func in _names_in(ctx):
        for name in ctx.resolve(node, func):
            if name in _NEEDS_LEGACY or (name.startswith(api.V1_LAYERS) and name != api.V1_LAYERS.rstrip(".")):
                return name
    return None


def _names_in(ctx: ModuleContext) -> Iterator[tuple[ast.expr, ast.AST | None]]:
    """Outermost dotted names (`a.b.c`, not `a.b`) with their enclosing function."""
    stack: list[tuple[ast.AST, ast.AST | None]] = [(ctx.tree, None)]
    while stack:
        node, func = stack.pop()
        if isinstance(node, (ast.Attribute, ast.Name)):
            yield node, func
            while isinstance(node, ast.Attribute):  # `make(x).layers`: the call inside may name an API too
                node = node.value
            if isinstance(node, ast.Name):
                continue
        inner = node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else func
        stack.extend((child, inner) for child in ast.iter_child_nodes(node))


def check(ctx: ModuleContext) -> Iterator[Hit]:
    found = list(_flag_values(ctx))
    if not found:
        return
    needs_legacy: list[str | None] = []  # computed once, when an opt-out is seen
    for _node, value in found:
        if isinstance(value, ast.Constant) and value.value in OPT_OUT:
            if not needs_legacy:
                needs_legacy.append(_legacy_api_used(ctx))
            if needs_legacy[0] is None:
                continue  # a deliberate Keras 3 module
            yield Hit(
                value,
                f"{FLAG}={value.value!r} selects Keras 3, but this module uses `{needs_legacy[0]}`, which only "
                f"exists in tf_keras (Keras 3 raises AttributeError); set it to \"1\"",
                FixPlan("set-string", "safe", 'Set TF_USE_LEGACY_KERAS to "1"', (value,), ("1",)),
            )
        elif isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value not in HONOURED:
            yield Hit(
                value,
                f"{FLAG}={value.value!r} is not honoured (only \"1\", \"true\", \"True\" are): `tf.keras` stays Keras 3 "
                f"and the shim is missing; set it to \"1\"",
                FixPlan("set-string", "safe", 'Set TF_USE_LEGACY_KERAS to "1"', (value,), ("1",)),
            )
    for stmt in _late_sets(ctx, {node for node, _ in found}):
        yield Hit(
            stmt,
            f"{FLAG} is set after `tensorflow` was imported and `tf.keras` used: each lazy loader has already "
            f"decided, so the process mixes Keras 3 and tf_keras; set it before importing tensorflow (or in the "
            f"environment)",
        )


RULE = Rule(
    code=CODE,
    symbol="legacy-keras-flag",
    summary="`TF_USE_LEGACY_KERAS` set to a value TF ignores, or after `tf.keras` was used",
    docs=Docs(
        what=(
            "Finds `os.environ[\"TF_USE_LEGACY_KERAS\"] = ...` (also `os.environ.setdefault`, `os.environ.update`, "
            "`os.putenv`) with a literal value other than `\"1\"`, `\"true\"` or `\"True\"`, and a module-level "
            "assignment that runs after `tensorflow` was imported and `tf.keras` was used in the same module. "
            "`\"0\"`, `\"false\"` and `\"False\"` are a deliberate opt-out of tf_keras: they are reported only in "
            "a module that itself uses the shim (`track_tf1_style_variables`, `get_or_create_layer`, "
            "`DeterministicRandomTestTool`) or `tf.compat.v1.layers`. The check is per module for now: an opt-out "
            "in one file and the shim in another is not connected."
        ),
        why=(
            "On TF >= 2.16 `tf.keras` is Keras 3, which has no shim. The flag routes `tf.compat.v1.keras` to "
            "tf_keras, but TF only accepts three spellings, and each lazily loaded module reads it once, on "
            "first use: a wrong value or a late assignment leaves the shim missing or the process half Keras 3. "
            "Code written for Keras 3 sets `\"0\"` on purpose; that is only wrong where the shim is needed."
        ),
        fix_safety="Safe: the value becomes \"1\", the spelling TF honours; a late assignment is not fixed (move it above `import tensorflow` yourself).",
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: `\"TRUE\"` and `\"yes\"` silently give Keras 3 "
            "(`AttributeError: module 'keras.utils' has no attribute 'track_tf1_style_variables'`); set after "
            "`tf.keras` was used, `tf.keras` stays Keras 3 while `tf.compat.v1.keras` is tf_keras. With `\"0\"`, "
            "`\"false\"` or `\"False\"`: Keras 3, `tf.compat.v1.layers.dense` raises ``AttributeError: `dense` is "
            "not available with Keras 3.`` and the shim `AttributeError: module 'keras.utils' has no attribute "
            "'track_tf1_style_variables'`."
        ),
    ),
    bad=(
        '''\
import os

os.environ["TF_USE_LEGACY_KERAS"] = "TRUE"  # expect: TFS114
os.environ.setdefault("TF_USE_LEGACY_KERAS", "yes")  # expect: TFS114

import tensorflow as tf

model = tf.keras.Sequential()
os.environ["TF_USE_LEGACY_KERAS"] = "1"  # expect: TFS114
''',
        '''\
import os

os.environ["TF_USE_LEGACY_KERAS"] = "0"  # expect: TFS114

import tensorflow as tf

x = tf.ones((2, 3))
out = tf.compat.v1.layers.dense(x, 4)
''',
    ),
    good=(
        '''\
import os

os.environ["TF_USE_LEGACY_KERAS"] = "1"

import tensorflow as tf

os.environ.setdefault("TF_USE_LEGACY_KERAS", "True")
model = tf.keras.Sequential()
''',
        '''\
import os

# This module is written for Keras 3 on purpose.
os.environ["TF_USE_LEGACY_KERAS"] = "false"

import tensorflow as tf

model = tf.keras.Sequential([tf.keras.layers.Dense(4)])
out = model(tf.ones((2, 3)))
''',
    ),
    check=check,
    applies=lambda triage: triage.mentions(FLAG),
)
