"""The variable-name model's facts: the variables a shim class's first call creates, by name, and why a part is
not known (read by TFS101's fix, TFS115, `tf2lint variables`, the report and `tf2lint migrate`)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import NamedTuple

from tf2lint.analysis.summary import ClassInfo
from tf2lint.knowledge.variables import UNKNOWN

Shape = tuple[int | None, ...]


class Unknown(NamedTuple):
    """Why some names cannot be known: the node to point at and a reason a user can act on."""

    node: ast.AST
    reason: str
    path: str | None = None  # the module the node is written in, when not the linted one (as messages show it)


@dataclass(frozen=True)
class Variable:
    name: str  # full name without `:0`; `<unknown>` where a part is not known
    shape: Shape | None = None  # None: not modelled; a None dimension: not known


@dataclass(frozen=True)
class Creation:
    """One creating call (a layer, a `get_variable`, a layer object's first call) on the first call."""

    node: ast.Call  # where it is written (may be in another module)
    kind: str  # the canonical creator, e.g. `tf.compat.v1.layers.dense`
    scope: str  # the layer's full scope (`net/dense_1`), or the variable's scope for `get_variable`
    variables: tuple[Variable, ...]
    fingerprint: str  # the call as written, minus its input and its name: what identifies a layer across edits
    explicit: bool  # named by the code (`name=`, `scope=`, `get_variable("w")`)
    pin: str | None = None  # the keyword that pins its name (`name`, `scope`), when it has one
    local: bool = True  # written in the linted module
    # `self.<attr>` for a layer object built in `__init__`: a `tf.Checkpoint` also saves its variables under
    # that object path, and restores them from there whatever their names (measured by the drift suite).
    attr: str | None = None
    called: ast.Call | None = None  # for a layer object: the call that names it (its first)
    statement: ast.stmt | None = None  # the shim method's simple statement that makes it (a fix writes before it)
    # A `get_or_create_layer` layer named by Keras when built: the base of its name (`dense`), "" when its builder
    # names it, UNKNOWN when the builder cannot be read. Keras counts auto-names per base across v1 and native
    # layers alike, so an unnamed v1 layer made before it sets its number (measured: `dense_1` after `dense`).
    keras_base: str | None = None
    # The sub-layer object whose undecorated `call` made it (`HeldObjects._instance`: `("self", "first")`); () for
    # the shim class's own code.
    instance: tuple = ()

    @property
    def known(self) -> bool:
        return UNKNOWN not in self.scope


@dataclass
class ClassVariables:
    """A shim class's first-call variables (the store's names) and its native layers' object paths."""

    qualname: str  # `Class.method`
    cls: ClassInfo
    creations: list[Creation] = field(default_factory=list)
    objects: list[str] = field(default_factory=list)  # object paths of native layers built in `__init__`
    unknowns: list[Unknown] = field(default_factory=list)  # why names are unknown, in the order met
    method: ast.AST | None = None  # the shim method whose first call this is
    # Calls given a name already opened in the same scope (a functional layer then shares its variables; a
    # layer object would be numbered, `fc` -> `fc_1`).
    reopened: set[ast.Call] = field(default_factory=set)

    @property
    def names(self) -> list[str]:
        return sorted({v.name for c in self.creations for v in c.variables})

    @property
    def complete(self) -> bool:
        """Every name is known."""
        return all(c.known for c in self.creations)
