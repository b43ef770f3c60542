"""The variable-name model: what a shim class's first call creates, by name, read from the shim walk.

The facts are in `variable_model`; how TF names each construct in `scope_names` (the counters) and `creators`;
what objects hold in `held_objects`; the run over the walk's sites in `variable_walk`. This module is the entry:
the model of every shim class of the linted module (computed only for classes the triage found shim code in:
`ModuleContext` walks nothing otherwise), and the same model with names pinned as a fix would write them.
"""

from __future__ import annotations

import ast

from tf2lint.analysis.context import CallSite, ModuleContext
from tf2lint.analysis.summary import ClassInfo
from tf2lint.analysis.variable_model import ClassVariables, Creation, Unknown, Variable
from tf2lint.analysis.variable_walk import ClassModel

__all__ = ["ClassVariables", "Creation", "Unknown", "Variable", "class_variables", "with_pinned"]


def _grouped(ctx: ModuleContext) -> dict[tuple[str, int], tuple[ast.AST, ClassInfo, list[CallSite]]]:
    """Sites by the shim method and the class whose call they run in (`Class.method`: the walk's start; a
    sub-layer's call it enters has another `reach.cls`, but runs in the starting object's store)."""
    grouped: dict[tuple[str, int], list[CallSite]] = {}
    starts: dict[tuple[str, int], tuple[ast.AST, ClassInfo]] = {}
    for site in ctx.sites:
        cls = ctx.class_by_name.get(site.reach.shim_name.rsplit(".", 1)[0])
        if cls is None or cls.module is not ctx.root:
            continue
        key = (site.reach.shim_name, id(site.reach.shim))
        grouped.setdefault(key, []).append(site)
        starts[key] = (site.reach.shim, cls)
    return {key: (shim, cls, grouped[key]) for key, (shim, cls) in starts.items()}


def class_variables(ctx: ModuleContext) -> list[ClassVariables]:
    """The model for every shim-decorated method of a class written in the linted module."""
    cached = getattr(ctx, "_class_variables", None)
    if cached is not None:
        return cached
    found = [ClassModel(ctx, shim, cls, sites).run() for shim, cls, sites in _grouped(ctx).values()]
    found.sort(key=lambda c: (c.cls.node.lineno, c.qualname))
    ctx._class_variables = found  # type: ignore[attr-defined]
    return found


def with_pinned(ctx: ModuleContext, model: ClassVariables, pinned: dict[ast.Call, str],
                recorded: dict[ast.stmt, tuple[str, ...]] | None = None,
                native: frozenset[ast.Call] = frozenset()) -> ClassVariables:
    """The model of ``model``'s method again, with some calls given a name, empty scopes recorded before some
    statements (full name), and some calls made native Keras layers (no variable scope), as a fix would write
    them."""
    for shim, cls, sites in _grouped(ctx).values():
        if cls is model.cls and f"{cls.name}.{getattr(shim, 'name', '?')}" == model.qualname:
            return ClassModel(ctx, shim, cls, sites, pinned, recorded, native).run()
    return model
