"""TF-Slim layers in a shim method, for `tf2lint migrate --stage native`: what each call means statically and the
native Keras layer that computes the same, or why that is not known.

There is no `objects` stage for Slim: no layer object keeps Slim's variable names (`Conv/weights`,
`Conv/biases`; every v1 layer object names them `kernel`/`bias`). So a Slim call goes straight to a native
Keras layer built in `__init__` and called in place, its arguments translated through
`tf2lint.knowledge.native.SLIM_LAYERS` (ReLU for `fully_connected`/`conv2d`, `decay` -> `momentum`, `keep_prob`
-> `rate`, `l2_regularizer(s)` -> `l2(s * 0.5)`, ...), `name=` the scope Slim opened, so each Keras weight is
named like the Slim variable it replaces but for the Keras spelling (`weights` -> `kernel`). The old
name-keyed checkpoint then loads through an assignment map (`ClassPlan.checkpoint_map`; measured in
tests/migration: `tf2lint.runtime.checkpoint_report` proposes the same map and `restore_renamed` applies it).

Arguments a `slim.arg_scope` around the call supplies are part of the call when the arg_scope lists its ops
as a literal list the analysis resolves and passes literal keywords; anything else it might supply is unknown,
and the call is refused.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tf2lint.analysis import arg_scopes
from tf2lint.analysis.layer_names import unknown_placement
from tf2lint.analysis.summary import first_param
from tf2lint.analysis.variables import class_variables, with_pinned
from tf2lint.knowledge import api, native

if TYPE_CHECKING:
    from tf2lint.analysis.context import CallSite, ModuleContext
    from tf2lint.analysis.summary import ClassInfo

SLIM = "slim."


@dataclass(frozen=True)
class SlimToNative:
    """native: the Slim call ``call`` -> `self.<attribute>(<inputs>, <call_arguments>)`, and
    `self.<attribute> = <constructor>` at the end of `__init__` (both written as text, spelled with the
    file's aliases; the inputs argument moves as it is written)."""

    call: ast.Call
    attribute: str
    constructor: str
    inputs: int | str  # position of the inputs argument, or its keyword
    call_arguments: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DropArgScope:
    """native: `with slim.arg_scope(...):` around Slim calls that all went native -> its body alone (the
    arg_scope supplies nothing any more, and its body gets one indentation level less)."""

    statement: ast.With


@dataclass
class SlimCall:
    site: CallSite
    short: str  # `conv2d`
    arguments: dict[str, ast.expr]  # slim parameter -> value, the arg_scopes' included
    scope: str | None = None  # the scope it opens, when it opens one
    rank: int | None = None  # its inputs' rank, where the method shows it


# The rank of what a layer returns: a number, or "same" as its inputs'.
_RANKS: dict[str, int | str] = {
    "slim.conv2d": 4, "slim.max_pool2d": 4, "slim.avg_pool2d": 4, "slim.flatten": 2,
    "slim.fully_connected": "same", "slim.batch_norm": "same", "slim.dropout": "same",
    **{api.V1_LAYERS + short: 4 for short in ("conv2d", "max_pooling2d", "average_pooling2d", "conv2d_transpose",
                                             "separable_conv2d")},
    api.V1_LAYERS + "flatten": 2,
    **{api.V1_LAYERS + short: "same" for short in ("dense", "batch_normalization", "dropout")},
}


def _bindings(shim: ast.FunctionDef, name: str) -> list[ast.AST] | None:
    """The statements binding ``name`` in ``shim``: plain `name = ...` in straight-line code (blocks of `with`
    statements included); None when anything else binds it (a loop, a branch, an augmented assignment, ...)."""
    found: list[ast.AST] = []

    def walk(statements: list[ast.stmt]) -> bool:
        for statement in statements:
            if isinstance(statement, ast.With):
                if any(isinstance(n, ast.Name) and n.id == name for item in statement.items
                       for n in ast.walk(item.optional_vars or ast.Constant(None))) or not walk(statement.body):
                    return False
            elif (isinstance(statement, ast.Assign) and len(statement.targets) == 1
                  and isinstance(statement.targets[0], ast.Name)):
                if statement.targets[0].id == name:
                    found.append(statement)
            elif any(isinstance(n, ast.Name) and n.id == name and isinstance(n.ctx, ast.Store) for n in ast.walk(statement)):
                return False
        return True

    return found if walk(shim.body) else None


def _rank(ctx: ModuleContext, expr: ast.expr | None, shim: ast.FunctionDef, depth: int = 0) -> int | None:
    """The rank of ``expr`` where the method shows it: a layer whose output rank is known, through the names
    it was assigned to in straight-line code; None otherwise (a parameter, an unknown call)."""
    if expr is None or depth > 50:
        return None
    if isinstance(expr, ast.Name):
        bindings = _bindings(shim, expr.id)
        before = [b for b in bindings or () if (b.end_lineno, b.end_col_offset) <= (expr.lineno, expr.col_offset)]
        return _rank(ctx, before[-1].value, shim, depth + 1) if bindings and before else None  # type: ignore[attr-defined]
    if not isinstance(expr, ast.Call):
        return None
    rank = next((_RANKS[n] for n in ctx.resolve(expr.func, shim) if n in _RANKS), None)
    if rank != "same":
        return rank  # type: ignore[return-value]
    inputs = expr.args[0] if expr.args else next((k.value for k in expr.keywords if k.arg == "inputs"), None)
    return _rank(ctx, inputs, shim, depth + 1)


def slim_layer(names: tuple[str, ...]) -> str | None:
    """The short name of a translatable Slim layer (`conv2d`) among a callee's canonical names."""
    for name in names:
        if name.startswith(SLIM) and name[len(SLIM):] in native.SLIM_LAYERS:
            return name[len(SLIM):]
    return None


def _slim_creator(names: tuple[str, ...]) -> str | None:
    """A Slim function that creates variables, or wraps one that does (`slim.repeat`), translatable or not."""
    return next((n for n in names if n.startswith(SLIM) and (api.creates_tf1_variables(n) or api.auto_named_creator(n))),
                None)


def slim_sites(ctx: ModuleContext, shim: ast.FunctionDef) -> list[CallSite]:
    return [s for s in ctx.sites if s.reach.shim is shim and (slim_layer(s.names) or _slim_creator(s.names))]


def _literal(node: ast.expr | None) -> object:
    try:
        return ast.literal_eval(node) if node is not None else None
    except ValueError:
        return ...


def _source(ctx: ModuleContext, node: ast.expr) -> str:
    text = ctx.root.source
    return (ast.get_source_segment(text, node) if text is not None else None) or ast.unparse(node)


def _arguments(ctx: ModuleContext, site: CallSite, short: str, shim: ast.FunctionDef) -> dict[str, ast.expr] | str:
    """slim parameter -> value for ``site`` (`inputs` included), the visible arg_scopes' defaults first; or why
    they are not known."""
    entry = native.SLIM_LAYERS[short]
    call = site.node
    if any(k.arg is None for k in call.keywords) or any(isinstance(a, ast.Starred) for a in call.args):
        return f"`slim.{short}` is called with `*args`/`**kwargs`: spell its arguments out"
    given: dict[str, ast.expr] = {}
    params = ("inputs", *entry.params)
    if len(call.args) > len(params):
        return f"`slim.{short}` gets more positional arguments than it takes"
    given.update(zip(params, call.args))
    given.update({k.arg: k.value for k in call.keywords if k.arg})
    supplied = arg_scopes.supplied(ctx, site, shim)
    if isinstance(supplied, str):
        return supplied
    if "scope" in supplied:
        return "a `slim.arg_scope` around it supplies `scope=`: name the layer in the call instead"
    if unknown := next((k for k in supplied if k not in params), None):
        return f"a `slim.arg_scope` around it passes `{unknown}=`, which `slim.{short}` does not take"
    if "inputs" not in given:
        return f"`slim.{short}` without its inputs argument"
    merged = {**supplied, **given}
    return {param: merged[param] for param in params if param in merged}  # in the function's order


def _regularizer(ctx: ModuleContext, value: ast.expr, shim: ast.FunctionDef) -> str | None:
    """A TF1 regularizer -> the Keras one of the same penalty (`slim.l2_regularizer(s)` -> `l2(s * 0.5)`)."""
    if isinstance(value, ast.Constant) and value.value is None:
        return "None"
    if not isinstance(value, ast.Call):
        return None
    names = ctx.resolve(value.func, shim)
    if any(n.startswith("tf.keras.regularizers.") for n in names):
        return _source(ctx, value)
    known = next((native.REGULARIZER_SCALES[n] for n in names if n in native.REGULARIZER_SCALES), None)
    given = [*value.args, *(k.value for k in value.keywords if k.arg == "scale")]
    if known is None or len(given) != 1 or len(value.args) + len(value.keywords) != 1:
        return None  # `scope=` too, or no scale: not translated
    keras, factor = known
    spelled = ctx.names.spell(keras)
    if not spelled:
        return None
    scale = _literal(given[0])
    if isinstance(scale, (int, float)) and not isinstance(scale, bool):
        return f"{spelled}({round(scale * factor, 12)!r})"
    return f"{spelled}(({_source(ctx, given[0])}) * {factor})"


def translate(ctx: ModuleContext, slim: SlimCall, shim: ast.FunctionDef,
              movable: Callable[[ast.expr], str | None]) -> tuple[str, list[tuple[str, str]]] | str:
    """(the Keras constructor's text, the layer call's keyword arguments), or why not. ``movable(expr)``
    says why a value cannot be computed once in `__init__` (or None)."""
    short, entry = slim.short, native.SLIM_LAYERS[slim.short]
    keras = ctx.names.spell(native.KERAS_LAYERS_PREFIX + entry.keras)
    if not keras:
        return f"no spelling of `tf.keras.layers.{entry.keras}` in this file: import `tensorflow` as `tf`"
    renames = dict(entry.renames)
    calls = {param: (argument, default) for param, argument, default in entry.call_params}
    none_means = {param: (keras_param, value) for param, keras_param, value in entry.none_means}
    keywords: dict[str, str] = {}
    call_arguments: dict[str, str] = {}
    for param, value in slim.arguments.items():
        if param == "inputs":
            continue
        if param in calls:
            call_arguments[calls[param][0]] = _source(ctx, value)
            continue
        if param in entry.unsupported:
            return (f"`slim.{short}` passes `{param}=`, which `tf.keras.layers.{entry.keras}` has no counterpart "
                    "for: tf2lint does not translate it; migrate this layer by hand")
        why = movable(value)
        if why:
            return f"an argument of `slim.{short}` cannot be computed once in `__init__`: {why}"
        if param == "scope":
            continue  # the scope it opens, below
        if (short, param) == native.SLIM_FUSED[:2]:
            continue  # below
        if param in none_means and isinstance(value, ast.Constant) and value.value is None:
            keywords[none_means[param][0]] = none_means[param][1]
            continue
        if (short, param) == native.SLIM_KEEP_PROB[:2]:
            keep = _literal(value)
            keywords[native.SLIM_KEEP_PROB[2]] = (repr(round(1 - keep, 12)) if isinstance(keep, (int, float))
                                                  and not isinstance(keep, bool) else f"1 - ({_source(ctx, value)})")
            continue
        target = renames[param]
        if target.endswith("_regularizer"):
            translated = _regularizer(ctx, value, shim)
            if translated is None:
                return (f"`{param}=` of `slim.{short}` is not a regularizer tf2lint can translate (it knows "
                        "`slim.l2_regularizer(scale)` and `slim.l1_regularizer(scale)`, and Keras regularizers)")
            keywords[target] = translated
            continue
        keywords[target] = _source(ctx, value)
    if short == native.SLIM_FUSED[0]:
        fused = _literal(slim.arguments.get(native.SLIM_FUSED[1]))
        if fused is False:
            keywords[native.SLIM_FUSED[1]] = "False"
        elif fused not in (None, True):
            return f"`slim.{short}` with a `fused=` that is not a literal: pass `fused=False` or leave it out"
        elif slim.rank != native.SLIM_FUSED[2]:
            return (f"`slim.{short}`'s fused kernel (its default) updates `moving_variance` with Bessel's correction on "
                    "2-D inputs, which Keras' BatchNormalization does not (measured): tf2lint translates it when its "
                    "input is 4-D in this method (the output of `slim.conv2d`, `max_pool2d`, ...), or with "
                    "`fused=False` (then Keras' `fused=False` computes the same); the rank of this one's input is "
                    + ("2" if slim.rank == 2 else "not known statically"))
    for param, value in entry.keras_defaults:
        keywords.setdefault(param, value)
    for param, initializer in entry.keras_initializers:
        if param not in keywords:
            spelled = ctx.names.spell(initializer)
            if not spelled:
                return f"no spelling of `{initializer}` (what Slim's default initializer draws) in this file"
            keywords[param] = f"{spelled}()"
    if slim.scope is not None and entry.variables:
        keywords["name"] = f'"{slim.scope}"'
    elif "scope" in slim.arguments:
        keywords["name"] = _source(ctx, slim.arguments["scope"])
    for param, (argument, default) in calls.items():
        call_arguments.setdefault(argument, default)
    text = ", ".join(f"{k}={v}" for k, v in keywords.items())
    return f"{keras}({text})", list(call_arguments.items())


def checks(ctx: ModuleContext, shim: ast.FunctionDef) -> tuple[ast.AST, str] | None:
    """Why the Slim layers of ``shim`` cannot be known statically: creating calls outside straight-line code,
    scopes without literal names, calls tf2lint cannot follow; or None."""
    for site in ctx.sites:
        if site.reach.shim is not shim:
            continue
        names = site.names
        creator = _slim_creator(names)
        v1 = any(n.startswith(api.V1_LAYERS) and n[len(api.V1_LAYERS):] in native.V1_LAYERS for n in names)
        creates = creator or slim_layer(names) or v1 or any(api.creates_tf1_variables(n) for n in names) or site.calls(api.VARIABLE_SCOPE)
        if not creates:
            if names and not any(n.startswith(("tf.", "keras.", SLIM)) for n in names):
                return site.node, (f"`{names[0]}` is not a TensorFlow call: tf2lint cannot see which variable "
                                   "scopes it opens")
            continue
        what = names[0] if names else "this call"
        if creator is not None and slim_layer(names) is None:
            return site.node, (f"`{creator}` has no translation in `tf2lint/knowledge/native.py` (it translates "
                               f"{', '.join('slim.' + n for n in native.SLIM_LAYERS)}): migrate it by hand")
        placed = unknown_placement(site, shim)
        if placed is not None:
            return placed
        for scope in site.scopes:
            if not scope.named or scope.name is None or scope.reenters or scope.node.keywords or len(scope.node.args) != 1:
                return scope.node, "a `variable_scope` without a literal name (or with reuse, default_name, ...): name it with a string"
        if site.calls(api.VARIABLE_SCOPE, api.GET_VARIABLE) or slim_layer(names) or v1:
            if any(k.arg == "reuse" for k in site.node.keywords):
                return site.node, f"`{what}` passes `reuse=`: it shares variables by name, which tf2lint does not migrate"
            continue
        return site.node, f"`{what}`: tf2lint does not know the names this creator takes"
    return None


def model_scopes(ctx: ModuleContext, shim: ast.FunctionDef, calls: dict[ast.Call, SlimCall]) -> tuple[ast.AST, str] | None:
    """Fill in the scope each Slim layer with variables opens on the first call, as the variable-name model
    names it (`Conv`, `Conv_1`, `fc`); or why not (the model's reason where it does not know the name). The
    model run again with the Slim calls native says which other layer would be renamed once the Slim scopes
    are gone: a reason to refuse."""
    for call, slim in calls.items():
        given = slim.arguments.get("scope")
        if given is not None and not isinstance(_literal(given), (str, type(None))):
            return call, f"`slim.{slim.short}` has a `scope=` that is not a string literal"
    model = next((m for m in class_variables(ctx) if m.method is shim), None)
    if model is None:
        return shim, "tf2lint does not model this method's variables (its class is not in this module)"
    made = {c.node: c for c in model.creations if c.called is None}
    for call, slim in calls.items():
        creation = made.get(call)
        if creation is not None and creation.known:
            slim.scope = creation.scope.rsplit("/", 1)[-1]
        elif native.SLIM_LAYERS[slim.short].variables and not any(
                p in slim.arguments for p in native.SLIM_LAYERS[slim.short].unsupported):
            # (`dropout` has no weights to name; `translate` refuses a call passing `normalizer_fn=`, ... itself)
            why = next((u for u in model.unknowns if u.node is call), model.unknowns[0] if model.unknowns else None)
            return why or (call, f"tf2lint does not know the scope `slim.{slim.short}` opens here")
    after = {(c.node, c.called): c for c in with_pinned(ctx, model, {}, native=frozenset(calls)).creations}
    for creation in model.creations:
        if creation.node in calls or not creation.known:
            continue
        renamed = after.get((creation.node, creation.called))
        if renamed is None or renamed.variables != creation.variables:  # (a layer without weights may move)
            return creation.called or creation.node, (
                f"this layer is named `{creation.scope}` only because TF-Slim layers before it open scopes; once "
                f"they are native Keras layers it would be named `{renamed.scope if renamed else '?'}`: give the Slim layer another `scope=` "
                "(or this layer its name explicitly) first")
    return None


def receiver_attribute(expr: ast.AST, method: ast.FunctionDef | None) -> str | None:
    """`<receiver>.<attr>` in ``method`` (its first parameter, `self`) -> attr."""
    receiver = first_param(method) if method is not None else None
    if receiver and isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name) and expr.value.id == receiver:
        return expr.attr
    return None


def slim_calls(ctx: ModuleContext, cls: ClassInfo, shim: ast.FunctionDef) -> dict[ast.Call, SlimCall] | tuple[ast.AST, str]:
    """Every translatable Slim layer call of ``shim`` with its arguments and scope; or (node, why not)."""
    problem = checks(ctx, shim)
    if problem is not None:
        return problem
    found: dict[ast.Call, SlimCall] = {}
    for site in ctx.sites:
        if site.reach.shim is not shim:
            continue
        short = slim_layer(site.names)
        if short is None:
            continue
        arguments = _arguments(ctx, site, short, shim)
        if isinstance(arguments, str):
            return site.node, arguments
        found[site.node] = SlimCall(site, short, arguments, rank=_rank(ctx, arguments["inputs"], shim))
    problem = model_scopes(ctx, shim, found)
    return problem if problem is not None else found


def spent_arg_scopes(ctx: ModuleContext, shim: ast.FunctionDef) -> list[ast.With]:
    """The `with slim.arg_scope(...):` statements of ``shim`` (nothing else in the `with`, no `as`): once every
    Slim call of the method is native, they supply nothing."""
    return [
        node for node in ast.walk(shim) if isinstance(node, ast.With) and node.items and all(
            item.optional_vars is None and isinstance(item.context_expr, ast.Call)
            and api.ARG_SCOPE in ctx.resolve(item.context_expr.func, shim) for item in node.items)
    ]
