"""TFS113: two v1 layers (or get_variables) with the same explicit name in one scope of a shim method."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.analysis.body import loop_rebound, name_stores
from tf2lint.analysis.held_objects import distinct_objects
from tf2lint.analysis.names import names_in
from tf2lint.analysis.ownership import construction_site, held_object, name_argument
from tf2lint.analysis.variables import class_variables
from tf2lint.knowledge import api
from tf2lint.rules.base import Docs, Hit, Rule, keyword, numbered_creator, reuse_switched_on, reuse_switches

if TYPE_CHECKING:
    from tf2lint.analysis.context import CallSite, ModuleContext
    from tf2lint.analysis.variable_model import Creation

CODE = "TFS113"


def _explicit_name(site: CallSite) -> tuple[str, str] | None:
    """("layer" | "variable", literal name) of a variable-creating call with a literal name."""
    node = site.node
    if any(api.v1_layer_base_name(n) and not api.is_v1_layer_class(n) for n in site.names):
        value = keyword(node, "name")
        kind = "layer"
    elif api.GET_VARIABLE in site.names:
        value = node.args[0] if node.args else keyword(node, "name")
        kind = "variable"
    else:
        return None
    text = site.fixed_text(value)  # a literal, a parameter the path gave one, `f"fc_{i}"` with `i = 0` above it
    return (kind, text) if text is not None else None


def _reuse_asked(site: CallSite) -> bool:
    """`reuse=` asked on the call or on a `variable_scope` around it (see `_reuses`)."""
    return _reuses(site.node) or any(_reuses(s.node) for s in site.scopes)


def _reuses(call: ast.Call) -> bool:
    value = keyword(call, "reuse")
    return value is not None and not (isinstance(value, ast.Constant) and value.value in (None, False))


def _scope_path(site: CallSite) -> tuple:
    path = []
    for scope in site.scopes:
        if scope.reenters:
            continue  # `variable_scope(get_variable_scope())`: the same path
        if scope.name is not None:
            path.append(scope.name)
        elif scope.named:
            path.append(("opaque", id(scope.node)))  # same expression, same scope; otherwise unknown
        elif scope.uniquified:
            path.append(("unique", id(scope.node)))
    return tuple(path)


def _same_each_iteration(site: CallSite, numbered: bool) -> bool:
    """Whether a call in a loop creates the same variable names in every iteration. Scopes opened before the
    loop are the same for all of them; one opened in the iteration renumbers what is under it: a default-name
    scope is numbered again (`blk`, `blk_1`), unless a named scope opened in the same iteration sits above it
    (measured: re-entering a named scope restarts the numbering under it). A ``numbered`` creator repeats
    its name only under such a restart. A scope whose name we cannot see is unknown."""
    restarted = False
    for index, scope in enumerate(site.scopes[site.loop_scopes:], site.loop_scopes):
        if scope.reenters or (scope.named and scope.name is not None):
            restarted = True
        elif scope.named:
            return False  # `variable_scope(name)`: maybe a name per iteration
        elif not scope.uniquified:
            # `variable_scope("")` under a named scope (opened in the loop or before it) opens that scope again,
            # which restarts the numbering (measured: `outer//dense` in every iteration); at the root it restarts
            # nothing (`dense`, `dense_1`). `get_variable("w")` under it keeps its name either way.
            if any(outer.named for outer in site.scopes[:index]):
                restarted = True
            elif numbered:
                return False
        elif not restarted:
            return False
    return restarted or not numbered


def _exclusive(a: CallSite, b: CallSite) -> bool:
    """The two calls sit in different branches of the same `if`/`match`/`try`, so only one runs."""
    arms_a = dict(a.arms)
    return any(node in arms_a and arms_a[node] != arm for node, arm in b.arms)


def _literal_path(site: CallSite) -> str | None:
    """The scope path as text when every part of it is a literal name, else None (unknown or uniquified)."""
    path = _scope_path(site)
    return "/".join(path) if all(isinstance(p, str) for p in path) else None


def _varies_per_iteration(builder: ast.expr, site: CallSite) -> bool:
    """Whether the builder reads a name a loop of the function rebinds (`lambda: Dense(width)` over widths).
    Measured: one builder that builds the same layer every iteration shares it, which works; the layer is
    wrong only when the iterations wanted different ones."""
    return not names_in(builder).isdisjoint(loop_rebound(site.func))


def _names_and_literals(key: ast.expr) -> bool:
    """A name, a literal, or an f-string made of them (`f"head_{i}"`)."""
    if isinstance(key, (ast.Name, ast.Constant)):
        return True
    if isinstance(key, ast.FormattedValue):
        return _names_and_literals(key.value) and (key.format_spec is None or _names_and_literals(key.format_spec))
    return isinstance(key, ast.JoinedStr) and all(_names_and_literals(v) for v in key.values)


def _builder_key(site: CallSite) -> tuple[str | tuple, ast.expr] | None:
    """(key, builder expression) of a `get_or_create_layer` call. The key is its literal value when known;
    else, for an f-string or a name, the expression itself within its function (``_same_value`` decides
    whether two of them are equal)."""
    if not site.calls(api.GET_OR_CREATE_LAYER):
        return None
    key = _key_expr(site.node)
    builder = api.builder_expr(site.node)
    if key is None or builder is None:
        return None
    known = site.value(key)
    if known is not None and known[0] == "str":
        return known[1], builder
    if isinstance(key, (ast.JoinedStr, ast.Name)) and _names_and_literals(key):
        return ("expr", id(site.func), ast.dump(key)), builder
    return None


def _same_value(first: CallSite, second: CallSite, key: str | tuple) -> bool:
    """Two calls with one key expression see one value when nothing it reads is assigned between them."""
    if isinstance(key, str):
        return True
    read = names_in(_key_expr(first.node))  # type: ignore[arg-type]
    low, high = sorted((first.node.lineno, second.node.lineno))
    return not any(n.id in read and low <= n.lineno <= high for n in name_stores(first.func))


def _builds(ctx: ModuleContext, site: CallSite, builder: ast.expr) -> str:
    """What a builder builds, told apart as the shim's store is watched at runtime (by the builder's code): a
    lambda or a project function by its body, so `self._build_a` and `lambda: Dense(4)` with one body are one
    builder (measured: one layer comes back, no accident); anything else (a partial, a class) as written."""
    callee = ctx.builder_of(site.node, site.func, ctx.owner.get(site.func))  # type: ignore[arg-type]
    if callee is None or callee.partials:
        return ast.dump(builder)
    func = callee.func
    body = [ast.Return(func.body)] if isinstance(func, ast.Lambda) else func.body
    return ast.dump(ast.Module(body=body, type_ignores=[]))


def _builder_clashes(ctx: ModuleContext) -> Iterator[Hit]:
    """One key, two builders that build differently: the second never runs, the first one's object is returned."""
    first_seen: dict[tuple, list[tuple[CallSite, str]]] = {}
    for site in ctx.sites:
        found = _builder_key(site)
        if found is None:
            continue
        key, builder = found
        spelled_builder = _builds(ctx, site, builder)
        earlier = first_seen.setdefault((site.reach.shim, _scope_path(site), key), [])
        if any(e.node is site.node for e, _ in earlier):
            continue
        clash = next(
            (e for e, b in earlier if b != spelled_builder and not _exclusive(e, site) and _same_value(e, site, key)),
            None,
        )
        earlier.append((site, spelled_builder))
        path = _literal_path(site)
        if (clash is None and isinstance(key, str) and site.in_loop and site.object_loop and not site.arms and path is not None
                and _varies_per_iteration(builder, site)):
            yield Hit(
                site,
                f"`get_or_create_layer` key {key!r} is fixed but the call runs in a loop (shim method "
                f"{site.reach.describe()}): the builder runs in the first iteration only, and every later "
                f"iteration gets that same layer back; put the loop index in the key (or in a `variable_scope` "
                f"around the call)",
            )
        elif clash is not None:
            yield Hit(
                site,
                f"`get_or_create_layer` key {_key_text(site, key)} is already used at line {clash.node.lineno} with another "
                f"builder (shim method {site.reach.describe()}): the store returns the object built there, so "
                f"`{ast.unparse(builder)}` never runs and both calls share one layer; give each builder its own key",
            )


def _key_expr(call: ast.Call) -> ast.expr | None:
    """The key of ``get_or_create_layer(name, create_layer_method)``."""
    return call.args[0] if call.args else keyword(call, "name")


def _key_text(site: CallSite, key: str | tuple) -> str:
    return repr(key) if isinstance(key, str) else ast.unparse(_key_expr(site.node))  # type: ignore[arg-type]


def check(ctx: ModuleContext) -> Iterator[Hit]:
    first_seen: dict[tuple, list[CallSite]] = {}
    switches = reuse_switches(ctx)
    named_sites: dict[ast.Call, bool] = {}  # calls with a literal name -> whether each of their paths asks no reuse
    reported: set[ast.Call] = set()
    for site in ctx.sites:
        named = _explicit_name(site)
        if named is None:
            yield from _repeated_auto_name(ctx, site, switches)
            continue
        asked = _reuse_asked(site)
        unasked = not (asked or reuse_switched_on(site, switches, before_only=False))
        named_sites[site.node] = named_sites.get(site.node, True) and unasked
        if asked or reuse_switched_on(site, switches, before_only=True):
            continue
        kind, name = named
        reuse_false = _reuse_false(site)
        key = (site.reach.shim, _scope_path(site), *named)
        earlier = first_seen.setdefault(key, [])
        clash = next((e for e in earlier if e.node is not site.node and not _exclusive(e, site)), None)
        if any(e.node is site.node for e in earlier):
            continue
        earlier.append(site)
        if clash is None:
            if _repeats_in_loop(site, switches, numbered=False):
                reported.add(site.node)
                yield Hit(
                    site.node,
                    f"{kind} name {name!r} is fixed but the call runs in a loop (shim method "
                    f"{site.reach.describe()}, scope {_path_text(site)}): every iteration after the "
                    f"first silently shares the first iteration's weights (or fails if the shapes differ); "
                    f"put the loop index in the name or in a `variable_scope` around the call, or pass "
                    f"`reuse=True` if sharing is intended",
                )
            continue
        scope = _path_text(site)
        caveat = (
            " (`reuse=False` does not prevent it under the shim: TF1 raised \"already exists\", the shim shares)"
            if reuse_false else ""
        )
        reported.add(site.node)
        yield Hit(
            site,
            f"{kind} name {name!r} is already used at line {clash.node.lineno} in {scope} of shim method "
            f"{site.reach.describe()}: this call silently shares that {kind}'s weights (or fails if the shapes "
            f"differ){caveat}; give it its own name, or pass `reuse=True` if sharing is intended",
        )
    yield from _builder_clashes(ctx)
    candidates = {node for node, unasked in named_sites.items() if unasked} - reported
    if candidates:
        yield from _shared_in_the_model(ctx, candidates)


def _shared_in_the_model(ctx: ModuleContext, candidates: set[ast.Call]) -> Iterator[Hit]:
    """A call with a literal name that the variable-name model gives variables an earlier creation of the same
    call of the shim method has: a functional layer after a v1 layer object that took its name in that scope
    (measured: the object's `blk/fc` is shared; in the other order the object is numbered `fc_1`), or a helper run
    twice in one scope (measured: 2 weights where 4 were written). A call in a sub-layer's `call` only when two
    objects run it there (`self.first`, `self.second`; measured: 2 weights where 4 were written): run twice by
    one object called again, it shares its weights by design."""
    for model in class_variables(ctx):
        in_sub_layer = {site.node for site in ctx.sites
                        if site.reach.shim is model.method and site.reach.cls is not model.cls}
        first: dict[str, Creation] = {}
        for creation in model.creations:
            names = [variable.name for variable in creation.variables] if creation.known else []
            earlier = next((first[name] for name in names if name in first), None)
            for name in names:
                first.setdefault(name, creation)
            node = creation.node
            if earlier is None or node not in candidates or not creation.local:
                continue
            objects = node in in_sub_layer and earlier.node is node and distinct_objects(
                ctx, model.cls, earlier.instance, creation.instance)
            if node in in_sub_layer and not objects:
                continue
            candidates.discard(node)  # one finding per call
            variable = creation.kind == api.GET_VARIABLE
            kind, full = ("variable", names[0]) if variable else ("layer", creation.scope)
            scope, _, name = full.rpartition("/")
            where = f"{scope or 'the root scope'} of shim method `{model.qualname}`"
            if objects:
                yield Hit(node, (
                    f"{kind} name {name!r}: two sub-layer objects ({_object_text(earlier.instance)}, "
                    f"{_object_text(creation.instance)}) run this call in {where}, and the second silently shares "
                    f"the first's weights ({names[0]}, ...); call each under a `variable_scope` of its own, or pass "
                    f"`reuse=True` if sharing is intended"))
            elif earlier.node is node:
                yield Hit(node, (
                    f"{kind} name {name!r}: this call runs twice in one call, in {where} (its function is called twice "
                    f"there), and the second run silently shares the first run's weights ({names[0]}, ...); open a "
                    f"`variable_scope` with its own name around each call, or pass `reuse=True` if sharing is "
                    f"intended"))
            else:
                yield Hit(node, (
                    f"{kind} name {name!r} is already taken at line {(earlier.called or earlier.node).lineno} in "
                    f"{where}: this call silently shares those weights ({names[0]}, ...); give it its own name, or "
                    f"pass `reuse=True` if sharing is intended"))


def _object_text(instance: tuple) -> str:
    """`self.first`, `self.heads['a']`: a sub-layer key as the holder spells it."""
    return f"`self.{instance[1]}`" if instance[0] == "self" else f"`self.{instance[1]}[{instance[2]!r}]`"


def _repeats_in_loop(site: CallSite, switches: list[CallSite], numbered: bool) -> bool:
    # A create-once guard on an object built in every iteration holds for that iteration only (measured).
    per_iteration = set(site.iteration_guards)
    return (
        site.in_loop and site.object_loop and per_iteration.issuperset(site.arms)
        and (not site.guarded or bool(per_iteration))
        and _same_each_iteration(site, numbered)
        and not reuse_switched_on(site, switches, True) and not _shared_by_later_iterations(site, switches)
    )


def _shared_by_later_iterations(site: CallSite, switches: list[CallSite]) -> bool:
    """`reuse_variables()` on a scope entered before the loop (the TF1 unrolling idiom): later iterations run
    in that same scope, with reuse on, so the sharing is asked for. A scope entered in every iteration
    starts without it again (measured both ways)."""
    return any(
        switch.reach.shim is site.reach.shim and len(switch.scopes) <= site.loop_scopes
        and site.scopes[: len(switch.scopes)] == switch.scopes
        for switch in switches
    )


def _path_text(site: CallSite) -> str:
    return "/".join(p for p in _scope_path(site) if isinstance(p, str)) or "the root scope"


def _repeated_auto_name(ctx: ModuleContext, site: CallSite, switches: list[CallSite]) -> Iterator[Hit]:
    """An auto-named layer (a v1 layer subclass's object too, or a template) in a loop, under a named scope
    opened in every iteration."""
    found = numbered_creator(site, ctx)
    if found is None:
        yield from _rebuilt_each_iteration(ctx, site, switches)
        return
    if _reuse_asked(site):
        return
    creator = found[0]
    if _repeats_in_loop(site, switches, numbered=True):
        yield Hit(
            site,
            f"`{creator}` takes a numbered name and runs in a loop under a scope entered in every iteration (shim method "
            f"{site.reach.describe()}, scope {_path_text(site)}): re-entering the scope restarts the numbering, "
            f"so every iteration after the first silently shares the first iteration's weights; put the loop "
            f"index in the scope's name (or give the layer one), or pass `reuse=True` if sharing is intended",
        )


def _rebuilt_each_iteration(ctx: ModuleContext, site: CallSite, switches: list[CallSite]) -> Iterator[Hit]:
    """A v1 layer object or template made by the `__init__` of a sub-layer that is another object in every iteration
    of a loop (built there, or the next of a list), run under a named scope entered in every iteration: each
    object's takes the first one's name (measured: one `outer/t/w`, one `outer/fc/kernel` for two iterations),
    unless its name is one we cannot see."""
    if not site.new_each_iteration or _reuse_asked(site):
        return
    held = held_object(ctx, site)
    if held is None or not _fixed_name(held[1], held[2]) or not _repeats_in_loop(site, switches, numbered=True):
        return
    built = construction_site(ctx, site.fresh) if site.fresh is not None else None
    if site.fresh is not None and built is None:
        return  # built in another module: reported there
    attr, kind, name = held[0], held[1].rsplit(".", 1)[-1], site.reach.cls.name  # type: ignore[union-attr]
    each = f"`{name}(...)` is built in every iteration of a loop" if built is not None else (
        f"each iteration of a loop runs another `{name}` of a list")
    yield Hit(
        built or site,
        f"{each}, under a scope entered in every iteration (shim method {site.reach.describe()}, scope "
        f"{_path_text(site)}), and the `{kind}` its `__init__` keeps as `self.{attr}` takes the same name each time: "
        f"every iteration after the first silently shares the first iteration's weights; put the loop index in the "
        f"scope's name{', or build the sub-layer once' if built is not None else ''}",
    )


def _fixed_name(kind: str, ctor: ast.Call) -> bool:
    """The construction of a held object names it with a literal, or (a v1 layer) not at all."""
    given = name_argument(kind, ctor)
    if given is None:
        return kind != api.MAKE_TEMPLATE
    return isinstance(given, ast.Constant) and isinstance(given.value, str)


def _reuse_false(site: CallSite) -> bool:
    """`reuse=False` written on the call or on an enclosing scope."""
    return any(
        isinstance(value, ast.Constant) and value.value is False
        for value in (keyword(site.node, "reuse"), *(keyword(s.node, "reuse") for s in site.scopes))
    )


RULE = Rule(
    code=CODE,
    symbol="duplicate-layer-name",
    summary="Two v1 layers or `get_variable`s with the same explicit name in one scope of a shim method",
    docs=Docs(
        what=(
            "Finds a `tf.compat.v1.layers` layer or a `get_variable` whose literal name was already used by another "
            "call in the same variable scope of the same shim method (including helpers it reaches); one such call "
            "inside a loop whose scope path is made of literal names (every iteration uses the same name); one in a "
            "helper that one call of the shim method runs twice in one scope, plain or as a `tf.function`, and a "
            "functional layer named like a v1 layer object first called before it in its scope (the variable-name "
            "model gives both the same variables), or in the undecorated `call` of a sub-layer class that two "
            "objects run in one scope of their holder's store (two attributes `__init__` sets to objects of it, or "
            "two literal keys of a list or dict of them: `self.first(x) + self.second(x)`); two "
            "`get_or_create_layer` calls with one key and different builders, and one with a fixed key in a loop; and, in a "
            "loop whose iterations each run another sub-layer object (built in the loop, or the next of a list), "
            "under a scope entered in every iteration, a template or v1 layer object that object makes or keeps "
            "(each takes the first one's name). An explicit `reuse=False` does not "
            "excuse a duplicate. Calls in different branches of one `if`, calls with `reuse=True` or "
            "`reuse=AUTO_REUSE` (or any non-literal `reuse=`) on the call or on an enclosing scope, and calls after "
            "`scope.reuse_variables()` in that scope are intentional sharing and left alone."
        ),
        why=(
            "Inside the shim, variables are looked up by name: the second layer named `fc` does not get new "
            "weights, it reuses the first one's. With the same shapes this silently ties two layers together; "
            "with different shapes it fails. TF1 graph code raised `Variable m/w already exists, disallowed` "
            "for a duplicate under `reuse=False`; the shim's store does not. `get_or_create_layer` returns the "
            "object already stored under a key, so a second builder given the same key never runs."
        ),
        fix_safety="No automatic fix: only the author knows which name was meant.",
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: the second layer silently shares the first's weights (same "
            "shape), or fails with `Trying to share variable fc/kernel, but specified shape (3, 3) and found "
            "shape (4, 3).`. `reuse=False` twice on `m/w`: one variable, no error (TF1 graph mode: `ValueError: "
            "Variable m/w already exists, disallowed`). A `dense(..., name=\"fc\")` in a 3-iteration loop: 2 "
            "weights instead of 6; with changing widths `Trying to share variable m/fc/kernel, but specified shape "
            "(4, 5) and found shape (4, 4)`. Two builders (Dense(3), Dense(5)) under key `head`: both calls return "
            "the same `Dense(3)`; a helper with `dense(..., name=\"fc\")` called twice (also as a `tf.function`): 2 "
            "weights where 4 were written; `Dense(4, name=\"head\")` kept on the layer and called in `net`, then "
            "`dense(..., name=\"head\")` there: one `net/head` (in the other order the object is numbered "
            "`net/head_1`), also when both run in a `tf.function` helper; a fixed key in a loop over widths (4, 5) builds one `Dense(4)` and the output "
            "has 4 columns, not 5. The same key under two named scopes gives two objects. `reuse=True`, `AUTO_REUSE` and `scope.reuse_variables()` share as written."
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
        '''\
import tensorflow as tf

v1 = tf.compat.v1
get_or_create_layer = v1.keras.utils.get_or_create_layer


class SharedByAccident(tf.keras.layers.Layer):
    def build_small(self):
        return tf.keras.layers.Dense(3)

    def build_large(self):
        return tf.keras.layers.Dense(5)

    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        small = get_or_create_layer("head", self.build_small)
        large = get_or_create_layer("head", self.build_large)  # expect: TFS113
        with v1.variable_scope("m", reuse=False):
            w1 = v1.get_variable("w", shape=[inputs.shape[-1], 3])
        with v1.variable_scope("m", reuse=False):
            w2 = v1.get_variable("w", shape=[inputs.shape[-1], 3])  # expect: TFS113
        out = small(inputs) + large(inputs) + tf.matmul(inputs, w1) + tf.matmul(inputs, w2)
        with v1.variable_scope("tower"):
            for _ in range(3):
                out = v1.layers.dense(out, 3, name="fc")  # expect: TFS113
        for width in (3, 4):
            out = get_or_create_layer("proj", lambda: tf.keras.layers.Dense(width))(out)  # expect: TFS113
        return out
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class ProjectDense(v1.layers.Dense):  # a project subclass of a v1 layer: named and numbered like one
    pass


class RestartedEachIteration(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        x = inputs
        for _ in range(2):
            # Re-entering `block` restarts the numbering: both iterations build `block/dense`.
            with v1.variable_scope("block"):
                x = v1.layers.dense(x, 4)  # expect: TFS113
                x = ProjectDense(4)(x)  # expect: TFS113
        return x
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1
get_or_create_layer = v1.keras.utils.get_or_create_layer


class SameKeyExpression(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        i = 0
        x = get_or_create_layer(f"head_{i}", lambda: tf.keras.layers.Dense(4))(x)
        return get_or_create_layer(f"head_{i}", lambda: tf.keras.layers.Dense(4, use_bias=False))(x)  # expect: TFS113
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class LoopOverDecorated(tf.keras.layers.Layer):
    def call(self, x):
        for _ in range(2):
            x = self.block(x)  # each iteration re-enters the store and the `block` scope
        return x

    @v1.keras.utils.track_tf1_style_variables
    def block(self, x):
        with v1.variable_scope("block"):
            w = v1.get_variable("w", shape=[4, 4])  # expect: TFS113
        return tf.matmul(x, w)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Formatted(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        for _ in range(2):
            x = self.block(x)
        return x

    def block(self, x):
        stage = 1
        return v1.layers.dense(x, 4, name=f"fc_{stage}")  # expect: TFS113
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def scale(x):
    return x * v1.get_variable("w", shape=[x.shape[-1]])


class Block(tf.keras.layers.Layer):
    def call(self, x):
        stage = 0
        return v1.make_template(f"t_{stage}", scale)(x)  # expect: TFS113


class FormattedTemplate(tf.keras.layers.Layer):
    """`outer` entered again restarts the template's numbering: the second Block gets `outer/t_0/w` back."""

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        for _ in range(2):
            with v1.variable_scope("outer"):
                x = Block()(x)
        return x
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class HelperTwice(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        x = self.block(x)
        return self.block(x)

    def block(self, x):
        return v1.layers.dense(x, 4, name="fc")  # expect: TFS113


class TracedTwice(tf.keras.layers.Layer):
    """The second call runs the first call's trace, with its `fc`."""

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        x = self.block(x)
        return self.block(x)

    @tf.function
    def block(self, x):
        return v1.layers.dense(x, 4, name="proj")  # expect: TFS113


class AfterTheObject(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.head = v1.layers.Dense(4, name="head")

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("net"):
            x = self.head(x)  # the object takes `net/head`
            return v1.layers.dense(x, 4, name="head")  # expect: TFS113
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class TracedKept(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.head = v1.layers.Dense(4, name="head")

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return self._block(x)

    @tf.function
    def _block(self, x):
        with v1.variable_scope("net"):
            x = self.head(x)
            return v1.layers.dense(x, 4, name="head")  # expect: TFS113
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Forwarded(tf.keras.layers.Layer):
    def call(self, x):
        for _ in range(2):
            x = self._forward(x, scope="b1")
        return x

    def _forward(self, x, **kwargs):
        return self._block(x, **kwargs)

    @v1.keras.utils.track_tf1_style_variables
    def _block(self, x, scope=None):
        with v1.variable_scope(scope, default_name="blk"):
            return tf.matmul(x, v1.get_variable("w", shape=(4, 4)))  # expect: TFS113
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class ForwardedPositionally(tf.keras.layers.Layer):
    def call(self, x):
        for _ in range(2):
            x = self._forward(x, "b1")
        return x

    def _forward(self, *args, **kwargs):
        return self._block(*args, **kwargs)

    @v1.keras.utils.track_tf1_style_variables
    def _block(self, x, scope=None):
        with v1.variable_scope(scope, default_name="blk"):
            return tf.matmul(x, v1.get_variable("w", shape=(4, 4)))  # expect: TFS113
''',
        '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables
v1 = tf.compat.v1


def scale(x):
    return tf.matmul(x, v1.get_variable("w", shape=(4, 4)))


class LazyScale(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.t = None

    def call(self, x):
        if self.t is None:  # once per object, and every iteration below builds a new object
            self.t = v1.make_template("t", scale)  # expect: TFS113
        return self.t(x)


class KeptDense(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.fc = v1.layers.Dense(4, name="fc")

    def call(self, x):
        return self.fc(x)


class Stacked(tf.keras.layers.Layer):
    """Held-out s7171-01875 and s7474-00155: one `outer/t/w` and one `outer/fc` for both iterations."""

    @track
    def call(self, x):
        for i in range(2):
            with v1.variable_scope("outer"):
                x = LazyScale()(x)
                x = KeptDense()(x)  # expect: TFS113
        return x


class EmptyUnderOuter(tf.keras.layers.Layer):
    """`variable_scope("")` under a named scope opens it again: `outer//dense` in both iterations."""

    @track
    def call(self, x):
        with v1.variable_scope("outer"):
            for i in range(2):
                with v1.variable_scope(""):
                    x = v1.layers.dense(x, 4)  # expect: TFS113
        return x


class EmptyTemplate(tf.keras.layers.Layer):
    @track
    def call(self, x):
        for i in range(2):
            with v1.variable_scope("outer"), v1.variable_scope(""):  # held-out s7373-00080
                x = v1.make_template("t", scale)(x)  # expect: TFS113
        return x
''',
        '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables
v1 = tf.compat.v1


class Block(tf.keras.layers.Layer):
    def call(self, x):
        return v1.layers.dense(x, 4, name="fc")  # expect: TFS113


class Stack(tf.keras.layers.Layer):
    """Two blocks, one `fc`: each undecorated block runs in this store (held-out s7878-00741)."""

    def __init__(self):
        super().__init__()
        self.blocks = [Block() for _ in range(2)]

    @track
    def call(self, x):
        for block in self.blocks:
            x = block(x)
        return x


class IndexedStack(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.blocks = [Block() for _ in range(2)]

    @track
    def call(self, x):
        for i in range(2):
            x = self.blocks[i](x)  # the same two blocks, reached by index
        return x
''',
        '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables
v1 = tf.compat.v1


def scale(x):
    return tf.matmul(x, v1.get_variable("w", shape=(4, 4)))


class Scaled(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.t = v1.make_template("t", scale)

    def call(self, x):
        with v1.variable_scope("blk"):  # entered by each object: the template is named `blk/t` each time
            return self.t(x)  # expect: TFS113


class Listed(tf.keras.layers.Layer):
    """Two objects, two templates, one `blk/t/w` (held-out s8080-02720)."""

    def __init__(self):
        super().__init__()
        self.blocks = [Scaled() for _ in range(2)]

    @track
    def call(self, x):
        for block in self.blocks:
            x = block(x)
        return x
''',
        '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables
v1 = tf.compat.v1


class Block(tf.keras.layers.Layer):
    # Undecorated: it runs in its holder's store, where both objects below ask for `fc`.
    def call(self, x):
        return v1.layers.dense(x, 4, name="fc")  # expect: TFS113


class Pair(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.first = Block()
        self.second = Block()

    @track
    def call(self, x):
        return self.first(x) + self.second(x)


class Heads(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.heads = {"a": Block(), "b": Block()}

    @track
    def call(self, x):
        return self.heads["a"](x) + self.heads["b"](x)
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
        '''\
import tensorflow as tf

v1 = tf.compat.v1
get_or_create_layer = v1.keras.utils.get_or_create_layer


class IntendedSharing(tf.keras.layers.Layer):
    def build_head(self):
        return tf.keras.layers.Dense(3)

    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        head = get_or_create_layer("head", self.build_head)
        again = get_or_create_layer("head", self.build_head)
        with v1.variable_scope("a"):
            a = v1.layers.dense(inputs, 3, name="fc")
        with v1.variable_scope("a", reuse=True):
            b = v1.layers.dense(inputs, 3, name="fc")
        with v1.variable_scope("d") as scope:
            w1 = v1.get_variable("w", shape=[3])
            scope.reuse_variables()
            w2 = v1.get_variable("w", shape=[3])
        out = head(inputs) + again(inputs) + a + b + w1 + w2
        for index in range(3):
            with v1.variable_scope(f"block{index}"):
                out = v1.layers.dense(out, 3, name="fc")
        with v1.variable_scope("tied", reuse=v1.AUTO_REUSE):
            for _ in range(2):
                out = v1.layers.dense(out, 3, name="fc")
        return out
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


def scale(x):
    w = v1.get_variable("w", shape=[4, 4])
    return tf.matmul(x, w)


class ScopeAroundLoop(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        x = inputs
        with v1.variable_scope("blocks"):  # entered once: `dense`, then `dense_1`
            for _ in range(2):
                x = v1.layers.dense(x, 4)
        return x


class TemplatePerIteration(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, inputs):
        x = inputs
        for i in range(2):
            with v1.variable_scope("block"):
                x = v1.make_template(f"t{i}", scale)(x)  # one name per iteration
        return x
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1
get_or_create_layer = v1.keras.utils.get_or_create_layer


class KeyExpressionChanges(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        i = 0
        x = get_or_create_layer(f"head_{i}", lambda: tf.keras.layers.Dense(4))(x)
        i = 1
        return get_or_create_layer(f"head_{i}", lambda: tf.keras.layers.Dense(4, use_bias=False))(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class Numbered(tf.keras.layers.Layer):
    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        for i in range(2):
            x = self.block(x, i)
        return x

    def block(self, x, i):
        return v1.layers.dense(x, 4, name=f"fc_{i}")
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class ScopedTwice(tf.keras.layers.Layer):
    """Each run in a scope of its own: `a/fc` and `b/fc`."""

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("a"):
            x = self.block(x)
        with v1.variable_scope("b"):
            return self.block(x)

    def block(self, x):
        return v1.layers.dense(x, 4, name="fc")


class ReusedTwice(tf.keras.layers.Layer):
    """Sharing asked for: the second tower reuses the first one's `tower/fc`."""

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("tower"):
            x = self.block(x)
        with v1.variable_scope("tower", reuse=True):
            return self.block(x)

    def block(self, x):
        return v1.layers.dense(x, 4, name="fc")


class BeforeTheObject(tf.keras.layers.Layer):
    """The functional layer takes `net/head` first; the object, first called after it, is numbered `head_1`."""

    def __init__(self):
        super().__init__()
        self.head = v1.layers.Dense(4, name="head")

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        with v1.variable_scope("net"):
            x = v1.layers.dense(x, 4, name="head")
            return self.head(x)


class Shift(tf.keras.layers.Layer):
    def call(self, x):
        return x + v1.get_variable("shift", shape=[4])


class SubLayerTwice(tf.keras.layers.Layer):
    """One sub-layer object called twice: its `shift` is shared by design."""

    def __init__(self):
        super().__init__()
        self.shift = Shift()

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return self.shift(self.shift(x))
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1
get_or_create_layer = v1.keras.utils.get_or_create_layer


class OneBodyThreeBuilders(tf.keras.layers.Layer):
    """Three builders under one key that build the same `Dense(4)`: one layer comes back, as each would make."""

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        x = get_or_create_layer("head", self._build_a)(x)
        x = get_or_create_layer("head", self._build_b)(x)
        return get_or_create_layer("head", lambda: tf.keras.layers.Dense(4))(x)

    def _build_a(self):
        return tf.keras.layers.Dense(4)

    def _build_b(self):
        return tf.keras.layers.Dense(4)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class TracedKeptAfter(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.head = v1.layers.Dense(4, name="head")

    @v1.keras.utils.track_tf1_style_variables
    def call(self, x):
        return self._block(x)

    @tf.function
    def _block(self, x):
        with v1.variable_scope("net"):
            x = v1.layers.dense(x, 4, name="head")
            return self.head(x)
''',
        '''\
import tensorflow as tf

v1 = tf.compat.v1


class ForwardedPerIteration(tf.keras.layers.Layer):
    def call(self, x):
        for i in range(2):
            x = self._forward(x, scope=f"b{i}")
        return x

    def _forward(self, x, **kwargs):
        return self._block(x, **kwargs)

    @v1.keras.utils.track_tf1_style_variables
    def _block(self, x, scope=None):
        with v1.variable_scope(scope, default_name="blk"):
            return tf.matmul(x, v1.get_variable("w", shape=(4, 4)))
''',
        '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables
v1 = tf.compat.v1


def scale(x):
    return tf.matmul(x, v1.get_variable("w", shape=(4, 4)))


class LazyScale(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.t = None

    def call(self, x):
        if self.t is None:
            self.t = v1.make_template("t", scale)
        return self.t(x)


class KeptScale(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.t = v1.make_template("t", scale)

    def call(self, x):
        return self.t(x)


class LoopInside(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.t = None

    def call(self, x):
        for i in range(2):
            with v1.variable_scope("inner"):
                if self.t is None:  # one object: one template, called again by design
                    self.t = v1.make_template("t", scale)
                x = self.t(x)
        return x


class Indexed(tf.keras.layers.Layer):
    @track
    def call(self, x):
        for i in range(2):
            with v1.variable_scope(f"outer{i}"):  # a scope per iteration: new names
                x = LazyScale()(x)
                x = KeptScale()(x)
        return x


class BuiltBefore(tf.keras.layers.Layer):
    @track
    def call(self, x):
        sub = KeptScale()  # one object for the whole loop
        for i in range(2):
            with v1.variable_scope("outer"):
                x = sub(x)
        return x


class Once(tf.keras.layers.Layer):
    @track
    def call(self, x):
        with v1.variable_scope("outer"):
            x = LoopInside()(x)
        return x
''',
        '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables
v1 = tf.compat.v1


class Block(tf.keras.layers.Layer):
    def call(self, x):
        return v1.layers.dense(x, 4, name="fc")


class ScopedStack(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.blocks = [Block() for _ in range(2)]

    @track
    def call(self, x):
        for i, block in enumerate(self.blocks):
            with v1.variable_scope(f"block{i}"):  # `block0/fc`, `block1/fc`
                x = block(x)
        return x


class FirstTwice(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.blocks = [Block() for _ in range(2)]

    @track
    def call(self, x):
        for i in range(2):
            x = self.blocks[0](x)  # one object called again: its weights are shared by design
        return x
''',
        '''\
import tensorflow as tf

track = tf.compat.v1.keras.utils.track_tf1_style_variables
v1 = tf.compat.v1


class Block(tf.keras.layers.Layer):
    def call(self, x):
        return v1.layers.dense(x, 4, name="fc")


class Scoped(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.first = Block()
        self.second = Block()

    @track
    def call(self, x):
        with v1.variable_scope("a"):  # `a/fc`, `b/fc`
            a = self.first(x)
        with v1.variable_scope("b"):
            b = self.second(x)
        return a + b


class Alias(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.first = Block()
        self.second = self.first  # one object under two names: sharing is what it means

    @track
    def call(self, x):
        return self.first(x) + self.second(x)


class Own(tf.keras.layers.Layer):
    @track  # each object keeps its own store
    def call(self, x):
        return v1.layers.dense(x, 4, name="fc")


class OwnPair(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.first = Own()
        self.second = Own()

    @track
    def call(self, x):
        return self.first(x) + self.second(x)
''',
    ),
    check=check,
)
