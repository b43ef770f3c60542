"""TFS115: a shim class whose first-call variable names drifted from the baseline (a names lock, or a git revision)."""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from tf2lint.analysis.baseline import module_baseline
from tf2lint.analysis.variables import ClassVariables, Creation, class_variables, with_pinned
from tf2lint.knowledge import api
from tf2lint.rules.base import Docs, FixPlan, Hit, Rule, spelled

if TYPE_CHECKING:
    from tf2lint.analysis.context import ModuleContext

CODE = "TFS115"


def align(old: list[str], new: list[str]) -> dict[int, int]:
    """Which new layer is which old one: an edit-distance alignment of the two call sequences, where a
    substitution (a layer replaced in place, e.g. by a native one) costs less than a deletion plus an
    insertion. Only equal calls are paired."""
    rows, cols = len(old), len(new)
    cost = [[0] * (cols + 1) for _ in range(rows + 1)]
    for i in range(rows + 1):
        cost[i][0] = i
    for j in range(cols + 1):
        cost[0][j] = j
    for i in range(1, rows + 1):
        for j in range(1, cols + 1):
            same = old[i - 1] == new[j - 1]
            cost[i][j] = min(cost[i - 1][j - 1] + (0 if same else 1), cost[i - 1][j] + 1, cost[i][j - 1] + 1)
    pairs: dict[int, int] = {}
    i, j = rows, cols
    while i and j:
        same = old[i - 1] == new[j - 1]
        if cost[i][j] == cost[i - 1][j - 1] + (0 if same else 1):
            if same:
                pairs[j - 1] = i - 1
            i, j = i - 1, j - 1
        elif cost[i][j] == cost[i - 1][j] + 1:
            i -= 1
        else:
            j -= 1
    return pairs


def _pairs(old: list[str], new: list[str]) -> dict[int, int]:
    """New layer -> old layer: a call written once in both versions is the same layer wherever it moved;
    repeated calls are told apart by where they are (`align`)."""
    old_count, new_count = Counter(old), Counter(new)
    pairs = {j: old.index(call) for j, call in enumerate(new) if old_count[call] == 1 and new_count[call] == 1}
    taken = set(pairs.values())
    for j, i in align(old, new).items():
        if j not in pairs and i not in taken:
            pairs[j] = i
            taken.add(i)
    return pairs


def _shape_changed(old: object, new: tuple | None) -> bool:
    if not isinstance(old, list) or new is None or len(old) != len(new):
        return False
    return any(a is not None and b is not None and a != b for a, b in zip(old, new))


class Drift(NamedTuple):
    creation: Creation  # the new layer whose names differ
    what: str
    pin: str | None  # the baseline's name to pin on it, when it keeps its scope
    # The scopes of the baseline layers removed just before it (full names, in order), when it is the first
    # layer after them: recording them (`with variable_scope("<name>"): pass`) restores the names after.
    removed: tuple[str, ...] = ()


def _removed_before(layers: list, i: int, paired: set[int], scope: str) -> tuple[str, ...]:
    """The run of baseline layers just before layer ``i`` that no new layer pairs with, all in the scope that
    holds layer ``i`` then and the new layer (``scope``) now."""
    parent = scope.rsplit("/", 1)[0] if "/" in scope else ""
    found: list[str] = []
    for r in range(i - 1, -1, -1):
        old = layers[r].get("scope", "")
        if r in paired or not layers[r].get("variables") or (old.rsplit("/", 1)[0] if "/" in old else "") != parent:
            break
        found.insert(0, old)
    old_i = layers[i].get("scope", "")
    return tuple(found) if (old_i.rsplit("/", 1)[0] if "/" in old_i else "") == parent else ()


def _drift(entry: dict, model: ClassVariables) -> list[Drift]:
    """Every surviving or new layer whose names differ, with what changed and how it could be fixed."""
    layers = entry.get("layers") or []
    old_calls = [layer.get("call", "") for layer in layers]
    new = model.creations
    new_calls = [c.fingerprint for c in new]
    pairs = _pairs(old_calls, new_calls)
    owner = {name: index for index, layer in enumerate(layers) for name in (layer.get("variables") or {})}
    found = []
    for j, creation in enumerate(new):
        names = {v.name: v.shape for v in creation.variables}
        i = pairs.get(j)
        if not names or (creation.attr is not None and i is not None):
            continue  # a layer object the baseline held by the same attribute restores by that object path
        if i is not None:
            old_names = layers[i].get("variables") or {}
            if set(old_names) == set(names):
                changed = [n for n in names if _shape_changed(old_names[n], names[n])]
                if changed:
                    found.append(Drift(creation, f"`{changed[0]}` changed shape from {tuple(old_names[changed[0]])} to "
                                                 f"{names[changed[0]]}", None))
                continue
            taken = sorted({owner[n] for n in names if n in owner and owner[n] != i})
            old_scope = layers[i].get("scope", "")
            what = f"its variables were `{old_scope}/*` in the baseline and are now `{creation.scope}/*`"
            if taken:
                what += (f": `{creation.scope}` is what the checkpoint holds for another layer "
                         f"(`{layers[taken[0]]['call']}`), whose weights it silently loads")
            else:
                what += ": the checkpoint's values for this layer find no home"
            pin = old_scope.rsplit("/", 1)[-1] if old_scope.rsplit("/", 1)[0] == creation.scope.rsplit("/", 1)[0] else None
            found.append(Drift(creation, what, pin, _removed_before(layers, i, set(pairs.values()), creation.scope)))
            continue
        taken = sorted({owner[n] for n in names if n in owner})
        if taken and taken[0] not in pairs.values():
            found.append(Drift(creation, f"a new layer takes `{creation.scope}`, which the checkpoint holds for "
                                         f"`{layers[taken[0]]['call']}` (gone): it loads those weights", None))
    return found


def _plans(ctx: ModuleContext, model: ClassVariables, entry: dict, drifted: list[Drift]) -> dict[int, FixPlan]:
    """Drift index -> its fix. The first layer after removed ones gets the recorded scopes of those, the others
    the baseline's name; the whole class's fixes are safe together when the model then gives exactly the
    baseline's names (no drift, no two layers sharing)."""
    scope = spelled(ctx, api.VARIABLE_SCOPE)
    pins: dict[ast.Call, str] = {}
    recorded: dict[ast.stmt, tuple[str, ...]] = {}
    plans: dict[int, tuple[str, tuple[ast.AST, ...], tuple[str, ...], str]] = {}
    for index, drift in enumerate(drifted):
        creation = drift.creation
        if not creation.local:
            continue
        statement = creation.statement if drift.removed else None
        if statement is not None and scope is not None and not scope[1] and statement not in recorded:
            names = [full.rsplit("/", 1)[-1] for full in drift.removed]
            text = "".join(f'with {scope[0]}("{name}"):\n    pass\n' for name in names)
            recorded[statement] = drift.removed
            plans[index] = ("insert-before", (statement,), (text,),
                            "Record the removed layer's scope where it was: "
                            + ", ".join(f'`with {scope[0]}("{n}"): pass`' for n in names))
        elif drift.pin is not None and creation.pin is not None:
            pins[creation.node] = drift.pin
            plans[index] = ("add-keyword", (creation.node,), (creation.pin, f'"{drift.pin}"'),
                            f'Pin the baseline\'s name: `{creation.pin}="{drift.pin}"`')
    if not plans:
        return {}
    fixed = with_pinned(ctx, model, pins, recorded)
    made = [v.name for c in fixed.creations for v in c.variables]
    safe = fixed.complete and not _drift(entry, fixed) and len(made) == len(set(made))  # no two layers share
    return {index: FixPlan(kind, "safe" if safe else "unsafe",
                           message + ("" if safe else " (the other layers of the class still drift: fix them too)"),
                           targets, text)
            for index, (kind, targets, text, message) in plans.items()}


def check(ctx: ModuleContext) -> Iterator[Hit]:
    baseline, where = module_baseline(ctx)
    if not baseline:
        return
    for model in class_variables(ctx):
        entry = baseline.get(model.qualname)
        if entry is None or not entry.get("complete") or not model.complete:
            continue  # a new class, or names we cannot know: silent
        drifted = _drift(entry, model)
        plans = _plans(ctx, model, entry, drifted)
        for index, drift in enumerate(drifted):
            creation, pin = drift.creation, drift.pin
            removed = ", ".join(f"`{full.rsplit('/', 1)[-1]}`" for full in drift.removed)
            yield Hit(
                creation.node,
                f"checkpoint name drift in `{model.qualname}` against {where}: {drift.what}; "
                + (f"record the removed layer's scope ({removed}) before it (`with variable_scope(\"<old name>\"): "
                   "pass`)" if drift.removed else
                   f'pin the old name (`{creation.pin}="{pin}"`)' if pin and creation.pin else
                   "record the removed layer's scope (`with variable_scope(\"<old name>\"): pass`) where it was"),
                plans.get(index),
            )


RULE = Rule(
    code=CODE,
    symbol="checkpoint-name-drift",
    summary="Shim class whose first-call variable names differ from the names lock (checkpoints misload)",
    docs=Docs(
        what=(
            "With a names lock (`variables-lock` in `[tool.tf2lint]`, written by `tf2lint variables --write`) "
            "or `--variables-base REV` (the files as they were at a git revision, read with `git show`), "
            "predicts the variable names each shim class creates on its first call and compares them with the "
            "baseline. Layers are paired across the edit by their call (arguments other than the input and the "
            "name). Reported at the layer call: a surviving layer whose name changed (old and new names in the "
            "message), a name that now belongs to another layer, a variable whose known shape changed. Classes "
            "with a name the model cannot know (a branch, a loop other than `range(N)`, a helper it cannot follow) are never "
            "reported."
        ),
        why=(
            "The shim keys every variable by its name, and an unnamed `compat.v1` layer takes its name from a "
            "counter. Replacing or removing one layer renames the ones after it, and an old checkpoint then "
            "loads the wrong weights into the right shapes, silently; `assert_existing_objects_matched()` only "
            "complains about the new native layer. The model-mapping guide asks to keep the names by hand "
            "(`record_scope('conv2d')`)."
        ),
        fix_safety=(
            "Where layers were removed just before a renamed one, the fix records their scopes there, as the "
            "guide does (`with v1.variable_scope(\"dense\"): pass`, spelled with the file's aliases); elsewhere "
            "it pins the old name on the renamed layer (`name=\"dense_1\"`, TF-Slim `scope=`). The fixes of a "
            "class are safe when, all applied, the model gives exactly the baseline's names (the drift suite "
            "checks that the real shim then restores each layer's own weights); otherwise unsafe."
        ),
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: three unnamed `dense` under `variable_scope(\"net\")` create "
            "`net/dense`, `net/dense_1`, `net/dense_2`; with the first replaced by a native `Dense`, the other "
            "two become `net/dense`, `net/dense_1`, and restoring the old `tf.train.Checkpoint` (keys "
            "`model/_tf1_style_var_store/_vars/net.Sdense_1.Skernel/...`) loads the old first kernel into the new "
            "second layer. `with v1.variable_scope(\"dense\"): pass` before them restores `net/dense_1`, "
            "`net/dense_2`, and every kernel loads where it belongs."
        ),
    ),
    baselines=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Tower(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("net"):
            x = v1.layers.dense(x, 4)
            x = v1.layers.dense(x, 4)
            return v1.layers.dense(x, 4)


class Head(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("head"):
            x = v1.layers.dense(x, 4)
            return v1.layers.dense(x, 2)
''',
    ),
    bad=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Tower(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.first = tf.keras.layers.Dense(4)

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("net"):
            x = self.first(x)
            x = v1.layers.dense(x, 4)  # expect: TFS115
            return v1.layers.dense(x, 4)  # expect: TFS115


class Head(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("head"):
            return v1.layers.dense(x, 2)  # expect: TFS115
''',
    ),
    good=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Tower(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.first = tf.keras.layers.Dense(4)

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("net"):
            x = self.first(x)
            with v1.variable_scope("dense"):  # the guide's record_scope: the names after it stay
                pass
            x = v1.layers.dense(x, 4)
            return v1.layers.dense(x, 4)


class Head(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("head"):
            return v1.layers.dense(x, 2, name="dense_1")  # the first layer is gone, the second keeps its name
''',
    ),
    check=check,
)
