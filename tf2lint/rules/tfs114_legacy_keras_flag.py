"""TFS114: TF_USE_LEGACY_KERAS set to a value TF ignores, or set too late."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.analysis.names import _flatten_blocks, _walk_expr
from tf2lint.rules.base import Docs, FixPlan, Hit, Rule

if TYPE_CHECKING:
    from tf2lint.analysis.context import ModuleContext

CODE = "TFS114"
FLAG = "TF_USE_LEGACY_KERAS"
HONOURED = ("1", "true", "True")


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
    for stmt in _flatten_blocks(ctx.tree.body):
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
                    for node in _walk_expr(child)
                    if isinstance(node, (ast.Attribute, ast.Name))
                    for name in ctx.resolve(node, None)
                ):
                    keras_used = True


def check(ctx: ModuleContext) -> Iterator[Hit]:
    found = list(_flag_values(ctx))
    if not found:
        return
    for _node, value in found:
        if isinstance(value, ast.Constant) and isinstance(value.value, str) and value.value not in HONOURED:
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
            "assignment that runs after `tensorflow` was imported and `tf.keras` was used in the same module."
        ),
        why=(
            "On TF >= 2.16 `tf.keras` is Keras 3, which has no shim. The flag routes `tf.compat.v1.keras` to "
            "tf_keras, but TF only accepts three spellings, and each lazily loaded module reads it once, on "
            "first use: a wrong value or a late assignment leaves the shim missing or the process half Keras 3."
        ),
        fix_safety="Safe: the value becomes \"1\", the spelling TF honours; a late assignment is not fixed (move it above `import tensorflow` yourself).",
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: `\"TRUE\"` and `\"yes\"` silently give Keras 3 "
            "(`AttributeError: module 'keras.utils' has no attribute 'track_tf1_style_variables'`); set after "
            "`tf.keras` was used, `tf.keras` stays Keras 3 while `tf.compat.v1.keras` is tf_keras."
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
    ),
    good=(
        '''\
import os

os.environ["TF_USE_LEGACY_KERAS"] = "1"

import tensorflow as tf

os.environ.setdefault("TF_USE_LEGACY_KERAS", "True")
model = tf.keras.Sequential()
''',
    ),
    check=check,
)
