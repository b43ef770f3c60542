"""TFS118: one RNN cell object stacked several times in a `MultiRNNCell` (`[cell] * n`)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.analysis.names import names_in
from tf2lint.rules.base import Docs, Hit, Rule, assignments_in, keyword

if TYPE_CHECKING:
    from tf2lint.analysis.context import ModuleContext

CODE = "TFS118"


def _is_multi_rnn_cell(name: str) -> bool:
    return name.startswith(("tf.", "tensorflow.")) and name.endswith(".MultiRNNCell")


def _repeated(cells: ast.expr) -> str | None:
    """How a list of cells repeats one object: `[cell] * n`, `[cell, cell]`, `[cell for _ in range(n)]`."""
    if isinstance(cells, ast.BinOp) and isinstance(cells.op, ast.Mult):
        for listed, count in ((cells.left, cells.right), (cells.right, cells.left)):
            if isinstance(listed, (ast.List, ast.Tuple)) and len(listed.elts) == 1 and not (
                isinstance(count, ast.Constant) and count.value in (0, 1)
            ):
                return f"`{ast.unparse(cells)}` repeats one object"
    if isinstance(cells, (ast.List, ast.Tuple)):
        spelled = [ast.unparse(e) for e in cells.elts if isinstance(e, (ast.Name, ast.Attribute))]
        twice = next((s for s in spelled if spelled.count(s) > 1), None)
        if twice is not None:
            return f"`{twice}` is listed {spelled.count(twice)} times"
    if isinstance(cells, ast.ListComp) and isinstance(cells.elt, (ast.Name, ast.Attribute)):
        bound = set().union(*(names_in(g.target) for g in cells.generators))
        if names_in(cells.elt).isdisjoint(bound):
            return f"`{ast.unparse(cells)}` lists the same `{ast.unparse(cells.elt)}` every time"
    return None


def check(ctx: ModuleContext) -> Iterator[Hit]:
    if not ctx.mentions("MultiRNNCell"):
        return
    for site in ctx.sites:
        if not any(map(_is_multi_rnn_cell, site.names)):
            continue
        argument = cells = site.node.args[0] if site.node.args else keyword(site.node, "cells")
        if isinstance(cells, ast.Name):  # `cells = [cell] * n` just before: the one assignment in the function
            name = cells.id
            bound = [a.value for a in assignments_in(site.func)
                     if any(isinstance(t, ast.Name) and t.id == name for t in a.targets)]
            cells = bound[0] if len(bound) == 1 else None
        how = _repeated(cells) if cells is not None else None
        if how is None:
            continue
        yield Hit(
            argument,  # type: ignore[arg-type]
            f"`MultiRNNCell` in shim method {site.reach.describe()} stacks one cell object several times ({how}): "
            f"every layer shares that cell's weights (one `cell_0` set of variables for the whole stack), or fails "
            f"with a shape error when the input width differs from the cell's units; build one cell per layer "
            f"(`[make_cell() for _ in range(n)]`)",
        )


RULE = Rule(
    code=CODE,
    symbol="shared-rnn-cell",
    summary="`MultiRNNCell([cell] * n)`: one cell object stacked n times shares its weights across layers",
    docs=Docs(
        what=(
            "Finds, in shim code, a `MultiRNNCell` whose list of cells repeats one object: `[cell] * n`, "
            "`[cell, cell]`, or a comprehension whose element does not depend on the loop "
            "(`[cell for _ in range(n)]`). A comprehension that builds a cell per item is correct."
        ),
        why=(
            "A cell object owns one set of weights. Stacked n times it is one layer applied n times, not n layers "
            "(tensorflow#14897, #16186): the model has a fraction of the weights it was written for, and nothing "
            "raises when the widths happen to match. TensorFlow only logs a warning."
        ),
        fix_safety="No automatic fix: the constructor call of the cell has to move into the list.",
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21 under the shim, `MultiRNNCell([LSTMCell(8)] * 2)` on an input "
            "of width 8: 2 weights after the call (`rnn/multi_rnn_cell/cell_0/lstm_cell/kernel` (16, 32) and its "
            "bias), against 4 for one cell per layer (`cell_0` and `cell_1`); TF logs \"At least two cells "
            "provided to MultiRNNCell are the same object and will share weights\". With `LSTMCell(5)` on that "
            "input: `InvalidArgumentError: Matrix size-incompatible: In[0]: [4,10], In[1]: [13,20]`."
        ),
    ),
    bad=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Stack(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("rnn"):
            cell = v1.nn.rnn_cell.LSTMCell(8)
            multi = v1.nn.rnn_cell.MultiRNNCell([cell] * 2)  # expect: TFS118
            out, _ = multi(x, multi.zero_state(tf.shape(x)[0], tf.float32))
            return out


class Listed(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("rnn"):
            cell = v1.nn.rnn_cell.LSTMCell(8)
            cells = [cell for _ in range(2)]
            multi = v1.nn.rnn_cell.MultiRNNCell(cells)  # expect: TFS118
            out, _ = multi(x, multi.zero_state(tf.shape(x)[0], tf.float32))
            return out
''',
    ),
    good=(
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Stack(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("rnn"):
            multi = v1.nn.rnn_cell.MultiRNNCell([v1.nn.rnn_cell.LSTMCell(8) for _ in range(2)])
            out, _ = multi(x, multi.zero_state(tf.shape(x)[0], tf.float32))
            return out
''',
    ),
    check=check,
)
