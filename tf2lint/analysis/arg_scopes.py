"""What the `slim.arg_scope`s around a call supply to it: read by the variable-name model (a supplied `scope=` or
variable switch changes names) and by `tf2lint migrate` (the supplied arguments become the call's own).

An arg_scope is seen through when it lists its ops as a literal list the analysis resolves to TF-Slim ops and
passes its keywords by name (no saved scope, no `**kwargs`); it supplies them to the listed ops only.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tf2lint.analysis.context import CallSite, ModuleContext
    from tf2lint.analysis.names import Function

_SLIM = "slim."


def _source(ctx: ModuleContext, node: ast.expr) -> str:
    text = ctx.root.source
    return (ast.get_source_segment(text, node) if text is not None else None) or ast.unparse(node)


def supplied(ctx: ModuleContext, site: CallSite, func: Function | None = None) -> dict[str, ast.expr] | str:
    """Keyword -> value the arg_scopes around ``site`` supply to its callee (an inner arg_scope overrides an
    outer one); or why they cannot be seen. ``func``: where the arg_scopes' ops are resolved (the site's
    function by default)."""
    where = site.func if func is None else func
    found: dict[str, ast.expr] = {}
    for scope in site.arg_scopes:  # outermost first
        listed = scope.args[0] if scope.args else next(
            (k.value for k in scope.keywords if k.arg == "list_ops_or_scope"), None)
        if not isinstance(listed, (ast.List, ast.Tuple)) or any(k.arg is None for k in scope.keywords):
            return ("a `slim.arg_scope` around it is given a saved scope or `**kwargs`: tf2lint cannot see the "
                    "defaults it supplies; pass them to the call explicitly")
        applies = False
        for op in listed.elts:
            names = ctx.resolve(op, where)
            if not names or not all(n.startswith(_SLIM) for n in names):
                return (f"a `slim.arg_scope` around it lists `{_source(ctx, op)}`, which tf2lint cannot resolve to a "
                        "TF-Slim op: list the ops by their `slim.` names")
            applies = applies or any(n in site.names for n in names)
        if applies:
            found.update({k.arg: k.value for k in scope.keywords if k.arg and k.arg != "list_ops_or_scope"})
    return found


def names_unchanged(ctx: ModuleContext, site: CallSite) -> str | None:
    """Why the arg_scopes around ``site`` may change the name it takes (they cannot be seen, or supply
    `scope=`), or None. (The keywords they supply otherwise are the call's: `layer_suffixes` reads them.)"""
    given = supplied(ctx, site)
    if isinstance(given, str):
        return given
    if "scope" in given:
        return "a `slim.arg_scope` around it supplies `scope=`: name the layer in the call instead"
    return None
