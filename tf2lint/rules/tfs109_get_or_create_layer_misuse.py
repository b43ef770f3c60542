"""TFS109: get_or_create_layer with a builder that needs arguments, or outside shim code."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tf2lint.analysis.callers import named_by_another_class, named_elsewhere
from tf2lint.analysis.classes import ENTRY_NAMES
from tf2lint.analysis.names import Function
from tf2lint.analysis.summary import FUNCTION_DEFS
from tf2lint.analysis.values import bindings_from_callers, dead_calls
from tf2lint.knowledge import api
from tf2lint.rules.base import Docs, Hit, Rule

if TYPE_CHECKING:
    from tf2lint.analysis.callables import Callee
    from tf2lint.analysis.context import ClassInfo, ModuleContext

CODE = "TFS109"


def _required_params(builder: Callee) -> list[str]:
    """The builder's parameters that the shim's no-argument call leaves unbound (a partial's arguments and a
    bound method's `self` are bound already)."""
    args = builder.func.args
    positional = [*args.posonlyargs, *args.args]
    if builder.self_name is not None and builder.bound is not False and not isinstance(builder.func, ast.Lambda):
        positional = positional[1:]
    fixed = {k.arg for p in builder.partials for k in p.keywords}
    given = sum(len(p.args) - 1 for p in builder.partials)
    if any(k.arg is None for p in builder.partials for k in p.keywords) or any(
        isinstance(a, ast.Starred) for p in builder.partials for a in p.args
    ):
        return []  # `**options` or `*args` we cannot read: unknown
    optional = len(args.defaults)
    required = positional[given: len(positional) - optional] if optional else positional[given:]
    names = [a.arg for a in required if a.arg not in fixed]
    names += [a.arg for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is None and a.arg not in fixed]
    return names


def _ruled_out(ctx: ModuleContext, call: ast.Call, func) -> bool:
    """A call in a method of the module whose every call there passes constants that rule its branch out
    (`self._block(x, wd=False)` and `if wd:` around it): it never runs."""
    if not isinstance(func, FUNCTION_DEFS) or ctx.owner.get(func) is None:
        return False
    bindings = bindings_from_callers(ctx.root, func)
    return bindings is not None and all(id(call) in dead_calls(func, bound) for bound in bindings)


def check(ctx: ModuleContext) -> Iterator[Hit]:
    walked: dict[ast.Call, dict[ClassInfo | None, None]] | None = None  # call -> its `self` classes, in walk order
    for call, func in ctx.nodes_on_lines("get_or_create_layer"):
        if not isinstance(call, ast.Call) or api.GET_OR_CREATE_LAYER not in ctx.resolve(call.func, func):
            continue
        # `self` is the object the walk ran the call on (a mixin's method runs on the layer inheriting it), else
        # an instance of the class the call is written in.
        selves = {ctx.owner.get(func) if func is not None else None: None}
        if func is not None and func in ctx.reached:
            if walked is None:
                walked = {}
                for site in ctx.sites:
                    walked.setdefault(site.node, {})[site.reach.cls] = None
            if call not in walked:
                continue  # shim code, in a branch the constant arguments of every path rule out
            selves = walked[call]
        elif _ruled_out(ctx, call, func):
            continue
        builders = [ctx.builder_of(call, func, cls) for cls in selves]
        required = next((params for b in builders if b is not None for params in [_required_params(b)] if params), [])
        if required:
            params = ", ".join(f"`{p}`" for p in required)
            yield Hit(
                call,
                f"the builder passed to `get_or_create_layer` is called with no arguments, but it requires {params}: "
                f"this raises TypeError; bind them first (`functools.partial`, a lambda, or attributes on `self`)",
            )
    # `RULE.applies` ran this only where the module, or a project module it imports, mentions the API.
    if ctx.graph_mode:
        return
    # Outside shim code, only where a caller is known: code that runs at import, in `if __name__ == ...`,
    # or in a test function, and the calls it makes. Any other caller is unknown, and unknown is silent.
    entries = list(_entries(ctx))
    reported_elsewhere = {entry for entry, _calls in entries if entry is not None and entry.name in ENTRY_NAMES}
    for entry, calls in entries:
        for call in calls:
            chain = _reaches_get_or_create_layer(ctx, call, entry, reported_elsewhere)
            if chain is None:
                continue
            if entry in reported_elsewhere and ctx.project is not None and named_elsewhere(
                ctx.project, ctx.root, ctx.owner[entry].name
            ):
                break  # another module may use the layer as a part of a decorated one: its callers decide
            path = "".join(f" via `{step}`" for step in chain)
            yield Hit(
                call,
                f"`get_or_create_layer` reached{path} from code no shim-decorated method runs "
                f"({'module level' if entry is None else f'`{entry.name}`'}): in eager mode this raises "
                f"ValueError; call it only from a method decorated with `@{api.SHIM_DECORATOR}` (or code it reaches)",
            )
    yield from _inherited_entry_hits(ctx)


def _inherited_entry_hits(ctx: ModuleContext) -> Iterator[Hit]:
    """`get_or_create_layer` in the linted module reached from an undecorated `call`/`__call__` that a layer or
    module inherits from a project base class, with its own overrides (`Base.call` runs `self.body`, which
    the subclass defines): reported where it is called, as the error's traceback shows it."""
    own = {call for call, _func in ctx.nodes_on_lines("get_or_create_layer") if isinstance(call, ast.Call)}
    for cls in ctx.classes:
        if named_by_another_class(cls) or cls.scope is not None or ctx.class_kind(cls) not in ("keras", "module"):
            continue
        for name in ENTRY_NAMES:
            resolved = ctx.resolved_method(cls, name)
            if resolved is None or resolved[0] is cls:
                continue  # its own method is an entry of `_entries` (or carries the shim by assignment)
            method = resolved[1]
            if method in ctx.reached or any(method is f for f, _d, _c in ctx.shim_decorated):
                continue
            for call, names, func in ctx.reached_calls(method, cls, stop_at_shim=True):
                if call in own and api.GET_OR_CREATE_LAYER in names and func not in ctx.reached:
                    yield Hit(
                        call,
                        f"`get_or_create_layer` reached from `{ctx.owner[method].name}.{name}`, which `{cls.name}` "
                        f"inherits undecorated: in eager mode this raises ValueError; decorate that method with "
                        f"`@{api.SHIM_DECORATOR}` (or override it decorated in `{cls.name}`)",
                    )
            break


def _entries(ctx: ModuleContext) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef | None, list[ast.Call]]]:
    """Code whose caller is known to be outside any shim method, with its own calls (those of the functions and
    lambdas it defines run only when called, which the search from each call follows): module-level statements,
    test functions, and the undecorated `call`/`__call__` of a layer or module that no other class of the module
    uses (Keras runs it for whoever calls the object; a sub-layer would run in its parent's store)."""
    yield None, ctx.own_calls(ctx.tree)  # type: ignore[arg-type]
    for cls in ctx.classes:
        if named_by_another_class(cls) or cls.scope is not None:
            continue
        for name in ENTRY_NAMES:
            method = cls.methods.get(name)
            if method is None or method in ctx.reached or any(method is f for f, _d, _c in ctx.shim_decorated):
                continue
            if ctx.class_kind(cls) in ("keras", "module"):
                yield method, ctx.own_calls(method)
    for func in ctx.module_functions.values():
        if func.name.startswith("test") and func not in ctx.reached:
            yield func, ctx.own_calls(func)
    for cls in ctx.classes:
        if cls.name.startswith("Test"):
            for name, method in cls.methods.items():
                if name.startswith("test"):
                    yield method, ctx.own_calls(method)


def _reaches_get_or_create_layer(
    ctx: ModuleContext, call: ast.Call, entry: Function | None, reported_elsewhere: set
) -> list[str] | None:
    """The chain of calls from ``call`` to a `get_or_create_layer` outside shim code, or None."""
    if api.GET_OR_CREATE_LAYER in ctx.resolve(call.func, entry):
        return []
    for callee in ctx.callees_of_call(call, entry):
        if ctx.is_shim_function(callee) or callee.func in reported_elsewhere:
            continue  # it runs in its own variable store, or its own entry point is reported
        bindings = ctx.call_bindings(call, callee, entry)
        # A lambda or function defined in the entry method has no class of its own: it shares the method's `self`.
        cls = ctx.owner.get(callee.func) or (ctx.owner.get(entry) if callee.self_name is not None and entry else None)
        for inner, names, _func in ctx.reached_calls(callee.func, cls, callee.self_name, stop_at_shim=True,
                                                     bindings=bindings):
            if api.GET_OR_CREATE_LAYER in names:
                return [callee.label]
    return None


RULE = Rule(
    code=CODE,
    symbol="get-or-create-layer-misuse",
    summary="`get_or_create_layer` with a builder that needs arguments, or called outside shim code",
    docs=Docs(
        what=(
            "Finds `tf.compat.v1.keras.utils.get_or_create_layer(name, builder)` where the builder needs "
            "arguments (a method with required parameters beyond `self`, a function or lambda with required "
            "parameters; passed positionally or as `create_layer_method=`, through `functools.partial`, or imported "
            "from another project module), and calls of it from code that no shim-decorated method reaches."
        ),
        why=(
            "The shim calls the builder with no arguments, once, and keeps the result in the decorated object's "
            "variable store, so it only exists while a decorated method runs. The model guide: \"The model builder "
            "method passed into get_or_create_layer ... should take no arguments.\""
        ),
        fix_safety="No automatic fix.",
        runtime=(
            "Measured on TF 2.21 + tf-keras 2.21: a builder with a parameter raises `TypeError: ...build_model() "
            "missing 1 required positional argument: 'units'`; a call from an undecorated method raises "
            "`ValueError: Tried to call get_or_create_layer in eager mode from a method not decorated with "
            "@tf.compat.v1.keras.utils.track_tf1_style_variables.`"
        ),
    ),
    bad=(
        '''\
import functools

import tensorflow as tf

utils = tf.compat.v1.keras.utils


class NeedsArgs(tf.keras.Model):
    def build_model(self, units):
        return tf.keras.Sequential([tf.keras.layers.Dense(units)])

    @utils.track_tf1_style_variables
    def call(self, inputs):
        model = utils.get_or_create_layer("dense_model", self.build_model)  # expect: TFS109
        lam = utils.get_or_create_layer("lam", lambda units: tf.keras.layers.Dense(units))  # expect: TFS109
        by_keyword = utils.get_or_create_layer("kw", create_layer_method=self.build_model)  # expect: TFS109
        partial = utils.get_or_create_layer("p", functools.partial(self.build_model))  # expect: TFS109
        return partial(by_keyword(lam(model(inputs))))


class Undecorated(tf.keras.Model):
    def build_model(self):
        return tf.keras.Sequential([tf.keras.layers.Dense(3)])

    def call(self, inputs):
        return utils.get_or_create_layer("m", self.build_model)(inputs)  # expect: TFS109


def helper(x):
    return utils.get_or_create_layer("h", lambda: tf.keras.layers.Dense(3))(x)


def test_helper():
    return helper(tf.ones((2, 4)))  # expect: TFS109
''',
        '''\
import tensorflow as tf

utils = tf.compat.v1.keras.utils


class Base(tf.keras.layers.Layer):
    def call(self, inputs):  # undecorated: Keras runs it for the subclass too
        return self.body(inputs)

    def body(self, inputs):
        return inputs


class Headed(Base):
    def body(self, inputs):
        return utils.get_or_create_layer("head", self.build_head)(inputs)  # expect: TFS109

    def build_head(self):
        return tf.keras.layers.Dense(3)


class Stepped(tf.keras.layers.Layer):
    def call(self, inputs):
        step = lambda t: self.block(t)  # noqa: E731
        return step(inputs)  # expect: TFS109

    def block(self, inputs):
        return utils.get_or_create_layer("head", lambda: tf.keras.layers.Dense(3))(inputs)


class Mapped(tf.keras.layers.Layer):
    def call(self, inputs):
        return list(map(self.block, [inputs]))[0]  # expect: TFS109

    def block(self, inputs):
        return utils.get_or_create_layer("head", lambda: tf.keras.layers.Dense(3))(inputs)


class HeadBody(tf.keras.layers.Layer):
    def call(self, inputs):
        return utils.get_or_create_layer("head", lambda: tf.keras.layers.Dense(3))(inputs)


class Propertied(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self._head = HeadBody()

    @property
    def head(self):  # `self.head(x)` calls the kept sub-layer (held-out s7676-01203)
        return self._head

    def call(self, inputs):
        return self.head(inputs)  # expect: TFS109
''',
        '''\
import tensorflow as tf

utils = tf.compat.v1.keras.utils


class HeadMixin:
    def head(self, x):
        return utils.get_or_create_layer("head", self.build_head)(x)  # expect: TFS109


class Headed(HeadMixin, tf.keras.layers.Layer):
    """The mixin's `self` is this layer, whose builder needs an argument (held-out s7878-00760)."""

    def build_head(self, units):
        return tf.keras.layers.Dense(units)

    @utils.track_tf1_style_variables
    def call(self, x):
        return self.head(x)
''',
    ),
    good=(
        '''\
import functools

import tensorflow as tf

utils = tf.compat.v1.keras.utils


def make_dense(units=3):
    return tf.keras.layers.Dense(units)


class NoArgBuilder(tf.keras.Model):
    def build_model(self):
        return tf.keras.Sequential([tf.keras.layers.Dense(3)])

    @utils.track_tf1_style_variables
    def call(self, inputs):
        model = utils.get_or_create_layer("dense_model", self.build_model)
        other = utils.get_or_create_layer("other", make_dense)
        bound = utils.get_or_create_layer("bound", functools.partial(tf.keras.layers.Dense, 4))
        sized = utils.get_or_create_layer("sized", create_layer_method=functools.partial(self.build_sized, 4))
        return sized(bound(other(model(inputs))))

    def build_sized(self, units):
        return tf.keras.layers.Dense(units)


class Inner(tf.keras.layers.Layer):
    def call(self, inputs):
        # Only ever called from the outer layer's decorated method: it runs in that variable store.
        return utils.get_or_create_layer("inner", make_dense)(inputs)


def head(x):
    return utils.get_or_create_layer("head", make_dense)(x)


class Outer(tf.keras.layers.Layer):
    def __init__(self):
        super().__init__()
        self.inner = Inner()

    @utils.track_tf1_style_variables
    def call(self, inputs):
        return head(self.inner(inputs))


def test_outer():
    def never_called():
        # Defined here but never called: it does not run outside shim code.
        return utils.get_or_create_layer("never", make_dense)

    return Outer()(tf.ones((2, 4)))
''',
        '''\
import tensorflow as tf

utils = tf.compat.v1.keras.utils


class DecoratedBase(tf.keras.layers.Layer):
    @utils.track_tf1_style_variables
    def call(self, inputs):
        return self.body(inputs)

    def body(self, inputs):
        return inputs


class Headed(DecoratedBase):
    def body(self, inputs):
        return utils.get_or_create_layer("head", self.build_head)(inputs)

    def build_head(self):
        return tf.keras.layers.Dense(3)
''',
        '''\
import tensorflow as tf


class SwitchedOff(tf.keras.layers.Layer):
    def call(self, x):
        return self._block(x, wd=False)

    def _block(self, x, wd=True):
        if wd:  # every caller passes wd=False: never runs
            x = tf.compat.v1.keras.utils.get_or_create_layer("head", self._build)(x)
        return x

    def _build(self, units):
        return tf.keras.layers.Dense(units)
''',
    ),
    check=check,
    applies=lambda triage: triage.mentions("get_or_create_layer") or triage.imports_mentioning(b"get_or_create_layer"),
    raises=True,  # TypeError / ValueError on the call
)
