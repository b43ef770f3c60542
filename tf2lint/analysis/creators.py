"""What each creating call of a shim method's first call makes, by name: scopes, layers, `get_variable`s, layer
objects at their first call, templates, builders; and why a name is unknown."""

from __future__ import annotations

import ast

from tf2lint.analysis.context import CallSite
from tf2lint.analysis.scope_names import (
    argument_of, call_fingerprint, creates_variables, join_scope, layer_shapes, layer_suffixes, literal_value,
    spread_arguments, template_variables, weightless_layer,
)
from tf2lint.analysis.variable_model import Creation, Unknown, Variable
from tf2lint.knowledge import api, slim
from tf2lint.knowledge import variables as table
from tf2lint.knowledge.variables import UNKNOWN

_UNMODELLED = {
    api.MAKE_TEMPLATE: "a `make_template` template",
    api.GET_OR_CREATE_LAYER: "a `get_or_create_layer` builder",
}


class Creators:
    """The part of `variable_walk.ClassModel` that names what each creating call makes (a mixin: it uses the
    walk's state and counters)."""

    def _scope(self, site: CallSite, prefix: str) -> None:
        scope = self.ctx.variable_scope(site.node, site.func, dict(site.bindings), site.module)
        if scope is None or self._uncertain(site) or prefix.endswith(UNKNOWN) or UNKNOWN in prefix:
            if UNKNOWN not in prefix:
                self._why(site.node, "a `variable_scope` the walk cannot name" if scope is None
                          else "a `variable_scope` " + self._uncertainty(site))
            self.scope_names[site.node] = join_scope(prefix, UNKNOWN)
            self._taint(prefix)
            return
        name = scope.name
        if scope.named and name is None and not scope.reenters:
            text = self._text(argument_of(site.node, "name_or_scope", 0), site)
            name = text[1] if text is not None and text[0] == "str" and text[1] else None
        if scope.reenters and not self._uncertain(site):
            # `variable_scope(get_variable_scope())` (measured): the current scope's name, counted once more
            # without restarting anything below it; what is counted inside is forgotten when it is left.
            self.counts.opened[prefix] = self.counts.opened.get(prefix, 0) + 1
            self.reentered[site.node] = (dict(self.counts.opened), set(self.counts.unknown))
            self.scope_names[site.node] = prefix
            return
        if scope.reenters or (scope.named and name is None):
            self._why(site.node, "a `variable_scope` re-entered from a scope object" if scope.reenters
                      else "a `variable_scope` whose name is not known")
            self.scope_names[site.node] = join_scope(prefix, UNKNOWN)
            return
        if scope.named:
            full = join_scope(prefix, name)  # type: ignore[arg-type]
            self.counts.open(full)
            self.scope_names[site.node] = full
            return
        default = literal_value(argument_of(site.node, "default_name", 1))
        if isinstance(default, str) and default and not spread_arguments(site.node) and not self._traced(site):
            full = join_scope(prefix, self.counts.unique(prefix, default))
            if UNKNOWN not in full:
                self.counts.open(full)
            self.scope_names[site.node] = full
            return
        if literal_value(argument_of(site.node, "name_or_scope", 0)) == "":
            # `variable_scope("")` adds nothing at the top (measured: 3c); inside a scope it opens an empty-named
            # one (measured: `outer//w0`, `outer//dense`).
            self.scope_names[site.node] = f"{prefix}/" if prefix else ""
            if prefix:
                self.counts.open(f"{prefix}/")
            return
        self._why(site.node, "a default-named `variable_scope` inside a `tf.function`" if self._traced(site)
                  else "a `variable_scope` whose default name is not a literal")
        self.scope_names[site.node] = join_scope(prefix, UNKNOWN)  # a default name counted in a trace, or unseen
        self._taint(prefix)

    def _add(self, site: CallSite, kind: str, scope: str, variables: list[Variable], call: ast.Call,
             explicit: bool, pin: str | None, skip_first: bool = True, keras_base: str | None = None) -> None:
        self.result.creations.append(Creation(
            node=call, kind=kind, scope=scope, variables=tuple(variables),
            fingerprint=call_fingerprint(kind, call, skip_first, pin), explicit=explicit, pin=pin,
            local=not self.ctx.is_foreign(site.module), statement=self.statement, keras_base=keras_base,
            instance=self._owner()[1],
        ))

    def _why(self, node: ast.AST, reason: str) -> None:
        sites = self.by_node.get(node, ())  # type: ignore[attr-defined]
        module = next((s.module for s in sites if s.module is not None), None)
        path = self.ctx.display(module) if self.ctx.is_foreign(module) else None  # type: ignore[arg-type]
        self.result.unknowns.append(Unknown(node, reason, path))

    def _uncertainty(self, site: CallSite) -> str:
        """Why a site may run any number of times (see `_uncertain`)."""
        if site.in_loop:
            return "in a loop the model does not unroll"
        if site.arms or site.guarded:
            return "under a condition"
        return f"under a `slim.arg_scope` ({self._arg_scope_change(site)})"

    def _opaque(self, site: CallSite, prefix: str, reason: str) -> None:
        """A call that may create variables we cannot name."""
        if UNKNOWN not in prefix:
            self._why(site.node, reason)
        self._taint(prefix)
        self._add(site, site.names[0] if site.names else "?", join_scope(prefix, UNKNOWN), [], site.node, False, None)

    def _taint(self, prefix: str) -> None:
        self.counts.unknown.add(prefix)
        for key in list(self.counts.opened):
            if key.startswith(prefix + "/") or not prefix:
                self.counts.unknown.add(key)

    def _native_builder(self, site: CallSite) -> str | None:
        """The builder of `get_or_create_layer` only returns a library object (`lambda: tf.keras.layers.Dense(4)`,
        or a function whose body is `return tf.keras.layers.Dense(4)`), or is a project layer class built without
        creating anything: nothing of it goes to `_vars` (an undecorated `call` of that class is followed where
        the built layer is called; a decorated one keeps its variables in its own store). Then the base of the
        name Keras gives the layer (`dense`; "" when the builder names it, UNKNOWN when it cannot be read), else
        None."""
        builder = api.builder_expr(site.node)
        built = self.ctx.builder_class(site.node, site.module or self.ctx.root, site.func)
        if built is not None:
            return api.snake_case(built.name) if self._inert_class(built) else None
        if isinstance(builder, ast.Lambda):
            made, func = builder.body, site.func
        else:
            callee = self.ctx.builder_of(site.node, site.func, self._owner()[0])  # type: ignore[arg-type]
            body = getattr(callee.func, "body", None) if callee is not None else None
            if not (isinstance(body, list) and len(body) == 1 and isinstance(body[0], ast.Return)):
                return None
            made, func = body[0].value, callee.func  # type: ignore[union-attr]
        if not isinstance(made, ast.Call):
            return None
        names = self.ctx.resolve(made.func, func)
        if not (names and all(api.is_library_name(n) and not creates_variables((n,)) for n in names) and not any(
                api.is_v1_layer_class(n) for n in names)):
            return None
        given = argument_of(made, "name", None)
        if spread_arguments(made) or given is not None and not isinstance(literal_value(given), (str, type(None))):
            return UNKNOWN
        if isinstance(literal_value(given), str):
            return ""  # named by the builder (`name=None` leaves it to Keras)
        bases = {api.snake_case(n.rsplit(".", 1)[-1]) for n in names}
        return bases.pop() if len(bases) == 1 else UNKNOWN

    def _named(self, site: CallSite, prefix: str, base: str, param: str, position: int | None) -> tuple[str, bool]:
        """The layer's scope name and whether the code names it; opens it in the counters."""
        if site.node in self.pinned:
            self.counts.open(join_scope(prefix, self.pinned[site.node]))
            return self.pinned[site.node], True
        given = argument_of(site.node, param, position)
        if spread_arguments(site.node):
            self._why(site.node, "a creator given `*args` or `**kwargs`")
            return UNKNOWN, True
        if given is not None:
            value = self._text(given, site)
            if value is None or value[0] not in ("str", "none"):
                self._why(site.node, f"a creator whose `{param}` is not known")
                return UNKNOWN, True
            if value[0] == "str" and value[1]:
                if self.counts.opened.get(join_scope(prefix, value[1])):
                    self.result.reopened.add(site.node)
                self.counts.open(join_scope(prefix, value[1]))
                return value[1], True
        if self._traced(site):
            self._why(site.node, "an auto-named layer inside a `tf.function` (named again by its second trace)")
            self._taint(prefix)
            return UNKNOWN, False
        name = self.counts.unique(prefix, base)
        if name != UNKNOWN:
            self.counts.open(join_scope(prefix, name))
        return name, False

    def _create(self, site: CallSite, creator: str, prefix: str) -> None:
        call = site.node
        if (creator == api.MAKE_TEMPLATE and argument_of(call, "create_scope_now_", 2) is None) or (
                api.is_v1_layer_class(creator) or api.v1_rnn_cell_base_name(creator)):
            # A template or a layer object opens its scope at its first call, where it is named; one whose call
            # the model cannot pair is unknown there.
            if site.target is not None and site.target[0] in ("local", "self") and not site.guarded:
                self.first_called.discard(("local", id(site.func), site.target[1]) if site.target[0] == "local"
                                          else (*self._owner()[1], "self", site.target[1]))
            return
        if self._uncertain(site) or UNKNOWN in prefix:
            self._opaque(site, prefix, "a creator " + self._uncertainty(site))
            return
        if creator == api.GET_VARIABLE or creator in api.SLIM_VARIABLES:
            text = self._text(argument_of(call, "name", 0), site)
            name = text[1] if text is not None and text[0] == "str" else None
            if not isinstance(name, str) or not name or spread_arguments(call):
                self._opaque(site, prefix, "a `get_variable` whose name is not known")
                return
            shape = literal_value(argument_of(call, "shape", 1))
            dims = tuple(d if isinstance(d, int) else None for d in shape) if isinstance(shape, (list, tuple)) else None
            self._add(site, creator, prefix, [Variable(join_scope(prefix, name), dims)], call, True, None, skip_first=False)
            return
        if creator == api.GET_OR_CREATE_LAYER:
            text = self._text(argument_of(call, "name", 0), site)
            key = text[1] if text is not None and text[0] == "str" else None
            base = self._native_builder(site) if isinstance(key, str) and key and not spread_arguments(call) else None
            if base is not None:
                # The builder's layer sits in the store's `_layers` under the scoped key, its weights named by
                # Keras: no name in `_vars`.
                self._add(site, creator, join_scope(prefix, key), [], call, True, None, skip_first=False,
                          keras_base=base)
                return
        if creator in (api.MAKE_TEMPLATE, api.GET_OR_CREATE_LAYER) or api.is_v1_layer_class(creator) \
                or api.v1_rnn_cell_base_name(creator):
            self._opaque(site, prefix, _UNMODELLED.get(creator, "a layer object not called where the model sees it"))
            return
        base_name = api.v1_layer_base_name(creator)
        if base_name is not None:
            spec = table.V1_LAYERS.get(base_name)
            name, explicit = self._named(site, prefix, base_name, "name", None)
            self._layer(site, creator, prefix, name, explicit, "name", spec, base_name)
            return
        short = creator[len(slim.PREFIX):] if creator.startswith(slim.PREFIX) else ""
        found = api.auto_named_creator(creator)
        if short in table.SLIM_LAYERS and found is not None and not any(
                literal_value(argument_of(call, k, None) or self._supplied(site).get(k)) is not None
                for k in table.SLIM_UNMODELLED):
            name, explicit = self._named(site, prefix, found.base, "scope", found.position)
            self._layer(site, creator, prefix, name, explicit, "scope", table.SLIM_LAYERS[short], None)
            return
        self._opaque(site, prefix, "a creator whose names are not modelled")

    def _weightless(self, site: CallSite, creator: str, prefix: str) -> None:
        """A functional v1 layer without variables: named (and counted) as any layer, nothing in the store."""
        if self._uncertain(site) or UNKNOWN in prefix:
            self._opaque(site, prefix, "a creator " + self._uncertainty(site))
            return
        base, param, position = weightless_layer(creator) or ("", "name", None)
        name, explicit = self._named(site, prefix, base, param, position)
        self._layer(site, creator, prefix, name, explicit, param, (), None)

    def _layer(self, site: CallSite, creator: str, prefix: str, name: str, explicit: bool, pin: str,
               spec: tuple[table.Var, ...] | None, base: str | None) -> None:
        call = site.node
        scope = join_scope(prefix, name)
        suffixes = layer_suffixes(spec, call, self._supplied(site)) if spec is not None else None
        if suffixes is None or name == UNKNOWN:
            if name == UNKNOWN:
                self._taint(prefix)
            else:
                self._why(call, "a layer whose variables depend on arguments that are not literals")
            self._add(site, creator, join_scope(prefix, UNKNOWN), [], call, explicit, pin)
            return
        shapes = layer_shapes(spec, call, base)  # type: ignore[arg-type]
        variables = [Variable(f"{scope}/{s}", shapes.get(s)) for s in suffixes]
        self._add(site, creator, scope, variables, call, explicit, pin)

    def _object_call(self, site: CallSite, key: tuple, ctor: ast.Call, types: tuple[str, ...], prefix: str,
                     attr: str | None, subclass_base: str | None = None) -> None:
        """`self.attr(x)` of an object built in `__init__`, or `k(x)` of one built in this function: a v1 layer
        is named at its first call (`name=` too is made unique there, measured: `fc`, `fc_1`)."""
        first = key not in self.first_called
        if api.MAKE_TEMPLATE in types or any(
                api.is_v1_layer_class(t) or api.v1_rnn_cell_base_name(t) or api.is_library_name(t) for t in types):
            self.first_called.add(key)  # (a project layer's own call is followed, not named here)
        if attr is not None:
            self.first_called.add(attr)
        if any(api.tracked_object_kind(t) or t.startswith(("tf.keras.layers.", "keras.layers.")) for t in types):
            if first and attr is not None:  # native: tracked by object path, no name in the store; kept to align
                self.result.creations.append(Creation(
                    node=site.node, kind=types[0], scope="", variables=(), fingerprint=f"self.{attr}", explicit=True))
            return
        if api.MAKE_TEMPLATE in types:
            self._template_call(site, key, ctor, prefix, first)
            return
        kind = next((t for t in types if api.is_v1_layer_class(t) or api.v1_rnn_cell_base_name(t)), None)
        if kind is None:
            if attr is not None and not any(api.is_library_name(t) for t in types):
                self._follow(site, prefix)  # a project layer or module held by the object
            else:
                self._opaque(site, prefix, "a call of a library object whose variables are not modelled")
            return
        if not first:
            return  # called again: its variables exist
        if self._uncertain(site) or UNKNOWN in prefix:
            self._opaque(site, prefix, "a v1 layer object first called " + self._uncertainty(site))
            return
        cell = api.v1_rnn_cell_base_name(kind)
        layer = cell or api.v1_layer_base_name(kind)
        spec = table.RNN_CELLS.get(layer or "") if cell else table.V1_LAYERS.get(layer or "")
        base = subclass_base or layer
        if cell and any(argument_of(ctor, k, None) is not None for k in table.RNN_UNMODELLED):
            spec = None
        given = argument_of(ctor, "name", None)
        text = self._text(given, site) if given is not None else ("none",)
        if spread_arguments(ctor) or text is None or text[0] not in ("str", "none"):
            self._opaque(site, prefix, "a v1 layer object whose name is not known")
            return
        literal = self.pinned.get(ctor, text[1] if text[0] == "str" else None)
        explicit = isinstance(literal, str) and bool(literal)
        # Measured: an object first called in a trace is named there as in an eager first call, once (the second
        # trace finds it built); an auto-name there is still unknown (see `_traced`).
        auto_traced = self._traced(site) and not explicit
        name = UNKNOWN if auto_traced else self.counts.unique(prefix, literal if explicit else base or "")  # type: ignore[arg-type]
        if name != UNKNOWN:
            self.counts.open(join_scope(prefix, name))
        suffixes = layer_suffixes(spec, ctor) if spec is not None else None
        scope = join_scope(prefix, name)
        variables = [Variable(f"{scope}/{s}") for s in suffixes] if suffixes is not None and name != UNKNOWN else []
        if not variables:
            scope = join_scope(prefix, UNKNOWN)
            if auto_traced or suffixes is None:
                self._why(site.node, "an auto-named v1 layer object called inside a `tf.function`" if auto_traced
                          else "a v1 layer object whose variables depend on arguments that are not literals")
        self.result.creations.append(Creation(
            node=ctor, kind=kind, scope=scope, variables=tuple(variables),
            fingerprint=f"{'self.' + attr + ' = ' if attr else key[2] + ' = ' if key[0] == 'local' else ''}"
                        f"{call_fingerprint(kind, ctor, False, 'name')}",
            explicit=explicit, pin="name", local=True, attr=attr, called=site.node, statement=self.statement,
        ))
        if attr is not None:
            self.result.objects.extend(f"{attr}/{s}" for s in suffixes or ())

    def _template_call(self, site: CallSite, key: tuple, ctor: ast.Call, prefix: str, first: bool) -> None:
        """A template's call: the first opens `variable_scope(None, default_name=<its name>)` around its function
        (measured), later ones reuse what it made. Known for a module function whose body is straight-line
        code creating only `get_variable`s with literal names."""
        if not first:
            return
        if self._uncertain(site) or UNKNOWN in prefix or self._traced(site):
            self._opaque(site, prefix, "a template called " + (
                "inside a `tf.function`" if self._traced(site) else self._uncertainty(site)))
            return
        module = site.module or self.ctx.root
        text = self._text(argument_of(ctor, "name_", 0), site)
        function = argument_of(ctor, "func_", 1)
        body = module.module_functions.get(function.id) if isinstance(function, ast.Name) else None
        variables = template_variables(body, module) if body is not None and not spread_arguments(ctor) and len(
            ctor.args) <= 2 and all(k.arg in ("name_", "func_") for k in ctor.keywords) else None
        if text is None or text[0] != "str" or not text[1] or variables is None:
            self._opaque(site, prefix, "a template whose name or variables are not known")
            return
        name = self.counts.unique(prefix, text[1])
        if name == UNKNOWN:
            self._add(site, api.MAKE_TEMPLATE, join_scope(prefix, UNKNOWN), [], site.node, True, None)
            return
        scope = join_scope(prefix, name)
        self.counts.open(scope)
        self._add(site, api.MAKE_TEMPLATE, scope, [Variable(join_scope(scope, v), shape) for v, shape in variables],
                  ctor, True, None, skip_first=False)
