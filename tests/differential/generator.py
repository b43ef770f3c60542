"""Small shim programs, composed from the dimensions that decide what the shim does at runtime.

Every program is one module text with a layer (or module) class, `make()` (a fresh instance) and
`inputs()` (the positional arguments of a call). Every tensor the blocks pass along has shape (2, 4),
so any combination of blocks is a valid program. The same seed always gives the same programs.

The `intent` recorded with each program is only for reading mismatches: labels come from running
the program (label.py), never from here.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field

TRACK = "tf.compat.v1.keras.utils.track_tf1_style_variables"
MODULE_MARKER = "# --- module "  # as compare.MODULE_MARKER: the start of another module of the program
VS = "tf.compat.v1.variable_scope"
GOCL = "tf.compat.v1.keras.utils.get_or_create_layer"

KINDS = ("v1_dense", "v1_conv", "v1_class", "get_variable", "template", "tf_variable", "keras", "add_weight",
         "rnn_cell", "gocl", "batch_norm", "dropout")
NAMINGS = ("none", "literal", "fstring", "param", "duplicate")
SCOPES = ("none", "named", "empty", "default", "nested", "param_passed", "param_missing", "reuse_auto",
          "reuse_true", "reuse_variables", "reuse_false", "current")
PATHS = ("direct", "self_helper", "decorated_helper", "base_helper", "override", "module_fn", "partial",
         "dict_dispatch", "tf_function_helper", "tf_function_call", "outer_tf_function", "sub_layer", "builder",
         # Callable values: how real code reaches a helper without naming it in the call.
         "partial_method", "module_partial", "alias", "lambda", "local_dict", "local_list", "loop_list", "map",
         "fn_param", "getattr", "inline_sub")
DECORATIONS = ("track", "alias", "none", "assign", "track_over_tf_function", "tf_function_over_track")
GUARDS = ("percall", "init", "lazy", "dict")
TRAININGS = ("forward", "missing", "flag")
# Kinds whose object can be built once (in __init__, lazily, in a dict cache) or on every call.
GUARDED = ("v1_class", "template", "tf_variable", "keras", "add_weight")
# Paths whose block is a plain function: no `self`, so no attribute-held objects.
SELFLESS = ("module_fn", "partial", "dict_dispatch", "module_partial", "alias")
# Paths whose block is a method `_block(self, ...)` reached through a callable value.
VALUE_PATHS = ("partial_method", "lambda", "local_dict", "local_list", "loop_list", "map", "fn_param", "getattr")
HELPER_PATHS = ("self_helper", "decorated_helper", "base_helper", "module_fn", "partial", "dict_dispatch",
                "tf_function_helper", "tf_function_call", "module_partial", "alias", *VALUE_PATHS)
# Paths whose block (a function, or the Sub layer) can live in another module of the program.
SPLIT_PATHS = ("module_fn", "sub_layer", "inline_sub", "builder")
# Paths whose caller passes the block's parameters explicitly (a constant argument can prune a guard there).
ARGUMENT_PATHS = ("self_helper", "decorated_helper", "module_fn", "partial_method", "lambda", "local_dict",
                  "getattr", "alias")


@dataclass
class Atom:
    kind: str
    naming: str = "none"
    guard: str = "percall"
    training: str = ""  # batch_norm / dropout only
    variant: str = ""  # kind-specific (gocl builders, v1_dense spellings)
    keyword: bool = False  # gocl: the builder passed as `create_layer_method=`


@dataclass
class Spec:
    host: str = "layer"  # layer | module | plain
    atoms: list[Atom] = field(default_factory=list)
    scope: str = "none"
    path: str = "direct"
    decoration: str = "track"
    loop: bool = False
    training_param: bool = True
    sub_decorated: bool = False  # sub_layer / builder paths: the inner layer's own method decorated
    caller_scope: bool = False  # sub_layer / inline_sub: the caller opens a named scope around the call
    const_guard: str = ""  # "on" / "off": the block runs under `if wd:`, the caller passes wd=True / False
    split: bool = False  # module_fn / sub-layer paths: the block lives in another module of the program
    # rules_extras(): the real-bug constructs (a shared RNN cell, a seeded initializer, ...), applied to the text
    extras: list[str] = field(default_factory=list)
    # call_style(): how the helper is reached, in styles the paths above never write (drawn last)
    style: str = ""


@dataclass
class Program:
    id: str
    seed: int
    source: str
    intent: dict


def _choice(rng: random.Random, weighted: dict[str, int]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def random_spec(rng: random.Random) -> Spec:
    spec = Spec()
    spec.host = _choice(rng, {"layer": 80, "module": 16, "plain": 4})
    spec.path = _choice(rng, {"direct": 22, "self_helper": 8, "decorated_helper": 8, "base_helper": 6,
                              "override": 7, "module_fn": 8, "partial": 5, "dict_dispatch": 5,
                              "tf_function_helper": 5, "tf_function_call": 3, "outer_tf_function": 5, "sub_layer": 8, "builder": 6,
                              "partial_method": 3, "module_partial": 2, "alias": 2, "lambda": 2, "local_dict": 2,
                              "local_list": 2, "loop_list": 2, "map": 2, "fn_param": 3, "getattr": 2,
                              "inline_sub": 4})
    spec.decoration = _choice(rng, {"track": 50, "alias": 8, "none": 16, "assign": 10,
                                    "track_over_tf_function": 8, "tf_function_over_track": 5})
    spec.scope = _choice(rng, {"none": 25, "named": 22, "empty": 7, "default": 10, "nested": 7,
                               "param_passed": 7, "param_missing": 7, "reuse_auto": 6, "reuse_true": 4,
                               "reuse_variables": 3, "reuse_false": 3, "current": 4})
    spec.loop = rng.random() < 0.2
    spec.training_param = rng.random() < 0.8
    spec.sub_decorated = rng.random() < 0.3
    spec.caller_scope = rng.random() < 0.4
    if spec.host == "plain":
        spec.path, spec.decoration = "direct", "track"
    if spec.host != "layer" and spec.path == "builder":
        spec.path = "sub_layer"
    if spec.path == "partial":
        spec.atoms = [Atom("v1_dense", _choice(rng, {"none": 2, "literal": 2, "param": 1, "duplicate": 1}),
                           variant="partial")]
    else:
        count = 1 if rng.random() < 0.6 else 2
        spec.atoms = [_random_atom(rng, spec) for _ in range(count)]
    if spec.scope.startswith("param") and spec.path not in HELPER_PATHS:
        spec.scope = "default"
    if spec.path in ARGUMENT_PATHS and rng.random() < 0.2:
        spec.const_guard = rng.choice(("on", "off"))
    if spec.path in SPLIT_PATHS and rng.random() < 0.3:
        spec.split = True
    spec.extras = rules_extras(rng, spec)
    spec.style = call_style(rng, spec)
    return spec


# Call styles real code uses that the paths above never write, drawn after every other dimension (the other draws
# of a program are unchanged): the helper as a closure of the entry (it reads `self` from there), reached through
# a method forwarding `**kwargs` (or `*args, **kwargs`), a module function moved onto the class as a
# `@staticmethod` or a `@classmethod`, a helper on a mixin the class inherits first, a helper under a project
# decorator built with `functools.wraps`, a subclass's override that forwards to `super()`, and the sub-layer
# reached through a `@property`, kept as two objects in a list the call loops over, in a `tf.keras.Sequential`
# (a Keras layer's only), in a dict, or under a name made at runtime (`setattr` / `getattr`).
STYLES = {"self_helper": ("closure", "kwargs", "args", "mixin", "wraps"),
          "decorated_helper": ("kwargs", "args", "mixin"),
          "module_fn": ("static", "kwargs", "args", "classmethod", "wraps"),
          "base_helper": ("super",), "sub_layer": ("property", "list", "sequential", "dict", "setattr")}
# The project decorator of the "wraps" style: it runs the function it wraps, and says so to `functools`.
WRAPS = ["def logged(fn):", "    @functools.wraps(fn)", "    def wrapper(*args, **kwargs):",
         "        return fn(*args, **kwargs)", "", "    return wrapper", ""]


def call_style(rng: random.Random, spec: Spec) -> str:
    styles = STYLES.get(spec.path, ())
    if not styles or spec.split or rng.random() < 0.5:
        return ""
    style = rng.choice(styles)
    return "" if style == "sequential" and spec.host != "layer" else style


def _random_atom(rng: random.Random, spec: Spec) -> Atom:
    kinds = {"v1_dense": 14, "v1_conv": 5, "v1_class": 7, "get_variable": 14, "template": 7, "tf_variable": 5,
             "keras": 9, "add_weight": 5, "rnn_cell": 5, "gocl": 8, "batch_norm": 6, "dropout": 4}
    if spec.host != "layer":
        kinds.pop("add_weight")  # a tf.Module has no add_weight
    if spec.path in SELFLESS:
        for kind in ("v1_class", "add_weight"):
            kinds.pop(kind, None)
    atom = Atom(_choice(rng, kinds))
    if atom.kind in GUARDED:
        atom.guard = "percall" if spec.path in SELFLESS else _choice(
            rng, {"percall": 5, "init": 3, "lazy": 2, "dict": 1 if spec.host == "layer" else 0})
    namings = {"none": 4, "literal": 5, "fstring": 2, "param": 2 if spec.path in HELPER_PATHS else 0,
               "duplicate": 2}
    if atom.kind in ("get_variable", "add_weight", "template"):
        namings.pop("none")
    if atom.kind in ("tf_variable", "dropout"):
        namings = {"none": 1}
    atom.naming = _choice(rng, namings)
    if atom.guard == "init" and atom.naming in ("param", "fstring"):
        atom.naming = "literal"  # __init__ sees neither the block's parameters nor the loop variable
    if atom.kind in ("batch_norm", "dropout"):
        atom.training = _choice(rng, {"forward": 5, "missing": 3, "flag": 2 if spec.path not in SELFLESS else 0})
    if atom.kind == "gocl":
        atom.keyword = rng.random() < 0.3
        atom.variant = _choice(rng, {"method": 4, "lambda": 2, "needs_arg": 1, "two_builders": 1})
        if spec.path in SELFLESS:
            atom.variant = {"method": "function", "needs_arg": "function_needs_arg",
                            "two_builders": "functions"}.get(atom.variant, atom.variant)
    if atom.kind == "v1_dense":
        atom.variant = _choice(rng, {"direct": 6, "alias": 1})
    if atom.kind == "keras" and atom.guard == "percall" and spec.path not in SELFLESS and rng.random() < 0.3:
        atom.variant = "class_attr"
    if atom.kind == "rnn_cell":
        atom.variant = _choice(rng, {"BasicRNNCell": 1, "LSTMCell": 1})
    return atom


class _Renderer:
    """Turns a Spec into module text. Methods collect lines for the module, the class and __init__."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.module: list[str] = []  # module-level definitions before the classes
        self.init: list[str] = []  # __init__ lines of the class that runs the block
        self.methods: list[str] = []  # extra methods of that class (builders)
        self.params: list[str] = []  # extra parameters of the block's function
        self.args: list[str] = []  # the arguments the caller passes for them
        self.uses_training = False

    # --- atoms -------------------------------------------------------------------------------------
    def name_kw(self, atom: Atom, index: int, base: str, keyword: str = "name") -> str:
        if atom.naming == "none":
            return ""
        value = self.name_value(atom, index, base)
        return f", {keyword}={value}"

    def name_value(self, atom: Atom, index: int, base: str) -> str:
        if atom.naming == "literal":
            return f'"{base}{index}"'
        if atom.naming == "duplicate":
            return f'"{base}"'
        if atom.naming == "fstring":
            return f'f"{base}{index}_{{i}}"'
        param = f"name{index}"
        self.params.append(f'{param}="{base}{index}"')
        if index % 2 == 0:
            self.args.append(f'{param}="{base}{index}x"')
        return param

    def training_kw(self, atom: Atom) -> str:
        if atom.training == "forward":
            self.uses_training = True
            return ", training=training"
        if atom.training == "flag":
            self.init.append("self.flag = True")
            return ", training=self.flag"
        return ""

    def guarded(self, atom: Atom, index: int, attr: str, build: str) -> list[str]:
        """`build` made per call, in __init__, lazily, or in a dict cache; returns how the block gets it."""
        if atom.guard == "init":
            self.init.append(f"self.{attr} = {build}")
            return []
        if atom.guard == "lazy":
            self.init.append(f"self.{attr} = None")
            return [f"if self.{attr} is None:", f"    self.{attr} = {build}"]
        if atom.guard == "dict":
            self.init.append(f"self._cache{index} = {{}}")
            return [f'if "{attr}" not in self._cache{index}:', f'    self._cache{index}["{attr}"] = {build}',
                    f'self.{attr}_ = self._cache{index}["{attr}"]']
        return [f"{attr} = {build}"]

    def ref(self, atom: Atom, attr: str) -> str:
        if atom.guard == "percall":
            return attr
        return f"self.{attr}_" if atom.guard == "dict" else f"self.{attr}"

    def atom(self, atom: Atom, index: int) -> list[str]:
        kind = atom.kind
        if kind == "v1_dense":
            fn = "tf.compat.v1.layers.dense"
            if atom.variant == "alias":
                self.module.append("dense = tf.compat.v1.layers.dense")
                fn = "dense"
            if atom.variant == "partial":
                self.module.append("dense4 = functools.partial(tf.compat.v1.layers.dense, units=4)")
                return [f"x = dense4(x{self.name_kw(atom, index, 'fc')})"]
            return [f"x = {fn}(x, 4{self.name_kw(atom, index, 'fc')})"]
        if kind == "v1_conv":
            return ["x = tf.reshape(x, (2, 2, 2, 1))",
                    f"x = tf.compat.v1.layers.conv2d(x, 1, 1{self.name_kw(atom, index, 'conv')})",
                    "x = tf.reshape(x, (2, 4))"]
        if kind == "v1_class":
            lines = self.guarded(atom, index, f"fc{index}", f"tf.compat.v1.layers.Dense(4{self.name_kw(atom, index, 'fc')})")
            return [*lines, f"x = {self.ref(atom, f'fc{index}')}(x)"]
        if kind == "get_variable":
            return [f"w = tf.compat.v1.get_variable({self.name_value(atom, index, 'w')}, shape=(4, 4))",
                    "x = tf.matmul(x, w)"]
        if kind == "template":
            fn = "_scale"
            if "def _scale(x):" not in self.module:
                self.module += ["def _scale(x):", '    w = tf.compat.v1.get_variable("w", shape=(4, 4))',
                                "    return tf.matmul(x, w)"]
            build = f"tf.compat.v1.make_template({self.name_value(atom, index, 't')}, {fn})"
            lines = self.guarded(atom, index, f"t{index}", build)
            return [*lines, f"x = {self.ref(atom, f't{index}')}(x)"]
        if kind == "tf_variable":
            lines = self.guarded(atom, index, f"v{index}", "tf.Variable(tf.ones((4, 4)))")
            return [*lines, f"x = tf.matmul(x, {self.ref(atom, f'v{index}')})"]
        if kind == "keras" and atom.variant == "class_attr":
            self.init.append(f"self.k{index}_cls = tf.keras.layers.Dense")
            return [f"x = self.k{index}_cls(4{self.name_kw(atom, index, 'fc')})(x)"]
        if kind == "keras":
            build = f"tf.keras.layers.Dense(4{self.name_kw(atom, index, 'fc')})"
            lines = self.guarded(atom, index, f"k{index}", build)
            return [*lines, f"x = {self.ref(atom, f'k{index}')}(x)"]
        if kind == "add_weight":
            build = f"self.add_weight(name={self.name_value(atom, index, 'w')}, shape=(4, 4))"
            lines = self.guarded(atom, index, f"aw{index}", build)
            return [*lines, f"x = tf.matmul(x, {self.ref(atom, f'aw{index}')})"]
        if kind == "rnn_cell":
            cell = f"tf.compat.v1.nn.rnn_cell.{atom.variant}(4{self.name_kw(atom, index, 'cell')})"
            return [f"cell = {cell}", "x, _ = cell(x, cell.zero_state(2, tf.float32))"]
        if kind == "batch_norm":
            return [f"x = tf.compat.v1.layers.batch_normalization(x{self.training_kw(atom)}"
                    f"{self.name_kw(atom, index, 'bn')})"]
        if kind == "dropout":
            return [f"x = tf.compat.v1.layers.dropout(x, 0.5{self.training_kw(atom)})"]
        if kind == "gocl":
            return self.gocl(atom, index)
        raise ValueError(kind)

    def gocl(self, atom: Atom, index: int) -> list[str]:
        lines = self._gocl(atom, index)
        if atom.keyword:  # the builder by its real keyword, `create_layer_method=`
            lines = [line.replace(f"{GOCL}(", "@@").replace(", ", ", create_layer_method=", 1).replace("@@", f"{GOCL}(")
                     if line.startswith(f"x = {GOCL}(") else line for line in lines]
        return lines

    def _gocl(self, atom: Atom, index: int) -> list[str]:
        key = self.name_value(atom, index, "head") if atom.naming != "none" else f'"head{index}"'
        if atom.variant.startswith("function"):
            if "def build_head():" not in self.module:
                self.module += ["def build_head():", "    return tf.keras.layers.Dense(4)",
                                "def build_other():", "    return tf.keras.layers.Dense(4, use_bias=False)",
                                "def build_sized(units):", "    return tf.keras.layers.Dense(units)"]
            if atom.variant == "functions":
                return [f"x = {GOCL}({key}, build_head)(x)", f"x = {GOCL}({key}, build_other)(x)"]
            builder = "build_sized" if atom.variant == "function_needs_arg" else "build_head"
            return [f"x = {GOCL}({key}, {builder})(x)"]
        if atom.variant == "lambda":
            return [f"x = {GOCL}({key}, lambda: tf.keras.layers.Dense(4))(x)"]
        if atom.variant == "needs_arg":
            self.methods += [f"def _build_head{index}(self, units):", "    return tf.keras.layers.Dense(units)"]
            return [f"x = {GOCL}({key}, self._build_head{index})(x)"]
        self.methods += [f"def _build_head{index}(self):", "    return tf.keras.layers.Dense(4)"]
        if atom.variant == "two_builders":
            self.methods += [f"def _build_other{index}(self):",
                             "    return tf.keras.layers.Dense(4, use_bias=False)"]
            return [f"x = {GOCL}({key}, self._build_head{index})(x)",
                    f"x = {GOCL}({key}, self._build_other{index})(x)"]
        return [f"x = {GOCL}({key}, self._build_head{index})(x)"]

    # --- the block: atoms under a scope -----------------------------------------------------------
    def block(self) -> list[str]:
        body: list[str] = []
        for index, atom in enumerate(self.spec.atoms):
            body += self.atom(atom, index)
        if self.spec.const_guard:
            body = ["if wd:", *_indent(body)]
            self.params.append("wd=True")
            if self.spec.const_guard == "off":
                self.args.append("wd=False")
        scope = self.spec.scope
        if scope == "none":
            return body
        if scope == "nested":
            return [f'with {VS}("outer"):', f'    with {VS}(None, default_name="blk"):', *_indent(body, 2)]
        if scope == "reuse_true":
            return [f'with {VS}("blk"):', *_indent(body), f'with {VS}("blk", reuse=True):', *_indent(body)]
        if scope == "reuse_variables":
            return [f'with {VS}("blk") as sc:', *_indent(body), "    sc.reuse_variables()", *_indent(body)]
        opener = {
            "named": f'{VS}("blk")',
            "empty": f'{VS}("")',
            "default": f'{VS}(None, default_name="blk")',
            "param_passed": f'{VS}(scope, default_name="blk")',
            "param_missing": f'{VS}(scope, default_name="blk")',
            "reuse_auto": f'{VS}("blk", reuse=tf.compat.v1.AUTO_REUSE)',
            "reuse_false": f'{VS}("blk", reuse=False)',
            "current": f"{VS}(tf.compat.v1.get_variable_scope())",
        }[scope]
        if scope.startswith("param"):
            self.params.append("scope=None")
            if scope == "param_passed":
                self.args.append('scope="b1"')
        return [f"with {opener}:", *_indent(body)]


def _indent(lines: list[str], depth: int = 1) -> list[str]:
    return ["    " * depth + line if line else line for line in lines]


def _decorated(decoration: str, name: str, params: str, body: list[str]) -> list[str]:
    """A method `name(self, params)` with `body`, decorated the way `decoration` says."""
    if decoration == "assign":
        return [f"def _{name}_impl(self, {params}):", *_indent(body), f"{name} = track(_{name}_impl)"]
    head = {
        "track": [f"@{TRACK}"],
        "alias": ["@track"],
        "none": [],
        "track_over_tf_function": [f"@{TRACK}", "@tf.function"],
        "tf_function_over_track": ["@tf.function", f"@{TRACK}"],
    }[decoration]
    return [*head, f"def {name}(self, {params}):", *_indent(body)]


def render(spec: Spec) -> str:
    r = _Renderer(spec)
    block = r.block()
    host_base = {"layer": "tf.keras.layers.Layer", "module": "tf.Module", "plain": "object"}[spec.host]
    entry = "__call__" if spec.host in ("module", "plain") else "call"
    sub_entry = "__call__" if spec.host == "module" else "call"
    fstring = any(a.naming == "fstring" for a in spec.atoms)
    training_in_block = r.uses_training
    block_params = list(r.params)
    block_args = list(r.args)
    if fstring:
        block_params.append("i=0")
        block_args.append("i=i")
    if training_in_block:
        block_params.append("training=None")
        block_args.append("training=training")
    # A flag-trained atom means "training fixed at construction, no `training` parameter on call".
    training_param = spec.training_param and not any(a.training == "flag" for a in spec.atoms)
    if training_in_block:
        training_param = True
    entry_params = "x, training=None" if training_param else "x"
    params = ", ".join(["x", *block_params])
    args = ", ".join(["x", *block_args])
    module: list[str] = []
    classes: list[str] = []
    model_base = host_base
    model_methods: list[str] = []  # methods of the class make() builds, other than __init__
    model_init: list[str] = []
    entry_body: list[str] = []
    invoke = ""  # the expression the entry evaluates for one block, when the block is not inline
    sub_class: list[str] = []
    before: list[str] = []  # statements the entry runs before evaluating `invoke`

    def returning(lines: list[str]) -> list[str]:
        return [*lines, "return x"]

    path = spec.path
    if path == "direct":
        model_init += r.init
        model_methods += r.methods
    elif path == "self_helper" and spec.style == "closure":
        before = [f"def _block({params}):", *_indent(returning(block))]  # reads `self` from the entry
        invoke = f"_block({args})"
        model_methods += r.methods
        model_init += r.init
    elif path == "module_fn" and spec.style in ("static", "classmethod"):
        signature = f"def _block({params}):" if spec.style == "static" else f"def _block(cls, {params}):"
        model_methods += [f"@{spec.style.replace('static', 'staticmethod')}", signature, *_indent(returning(block)),
                          *r.methods]
        invoke = f"self._block({args})"
    elif path in ("self_helper", "decorated_helper", "tf_function_helper", "tf_function_call", "base_helper"):
        head = {"decorated_helper": [f"@{TRACK}"], "tf_function_helper": ["@tf.function"]}.get(path, [])
        if spec.style == "wraps":
            head, module = ["@logged", *head], [*module, *WRAPS]
        helper = [*head, f"def _block(self, {params}):", *_indent(returning(block))]
        invoke = f"tf.function(self._block)({args})" if path == "tf_function_call" else f"self._block({args})"
        if spec.style == "kwargs":
            helper += ["def _forward(self, x, **kwargs):", "    return self._block(x, **kwargs)"]
            invoke = f"self._forward({args})"
        elif spec.style == "args":
            helper += ["def _forward(self, *args, **kwargs):", "    return self._block(*args, **kwargs)"]
            invoke = f"self._forward({args})"
        if path == "base_helper":
            classes += [f"class Base({host_base}):", *_indent(helper), *_indent(r.methods), ""]
            model_base = "Base"
            if spec.style == "super":
                forwarded = ", ".join(["x", *(f"{p.split('=')[0]}={p.split('=')[0]}" for p in block_params)])
                model_methods += [f"def _block(self, {params}):", f"    return super()._block({forwarded})"]
        elif spec.style == "mixin":
            classes += ["class BlockMixin:", *_indent(helper), ""]
            model_base = f"BlockMixin, {host_base}"
            model_methods += r.methods
        else:
            model_methods += helper + r.methods
        model_init += r.init
    elif path in VALUE_PATHS:
        model_methods += [f"def _block(self, {params}):", *_indent(returning(block)), *r.methods]
        model_init += r.init
        rest = ", ".join(block_args)
        if path == "partial_method":
            before = [f"fn = functools.partial(self._block{', ' + rest if rest else ''})"]
            invoke = "fn(x)"
        elif path == "lambda":
            before = [f"step = lambda t: self._block(t{', ' + rest if rest else ''})  # noqa: E731"]
            invoke = "step(x)"
        elif path == "local_dict":
            before = ['blocks = {"main": self._block}']
            invoke = f'blocks["main"]({args})'
        elif path == "local_list":
            before = ["blocks = [self._block]"]
            invoke = f"blocks[0]({args})"
        elif path == "getattr":
            invoke = f'getattr(self, "_block")({args})'
        elif path == "map":
            invoke = "list(map(self._block, [x]))[0]"  # one positional argument: the others take their defaults
        elif path == "fn_param":
            module += ["def run_stage(stage_fn, t):", "    return stage_fn(t)", ""]
            invoke = f"run_stage({f'functools.partial(self._block, {rest})' if rest else 'self._block'}, x)"
        else:  # loop_list
            invoke = f"stage({args})"
    elif path in ("module_fn", "partial", "dict_dispatch", "module_partial", "alias"):
        module += [*(WRAPS + ["@logged"] if spec.style == "wraps" else []), f"def block({params}):",
                   *_indent(returning(block)), ""]
        invoke = f"block({args})"
        if spec.style == "kwargs":
            module += ["def forward(x, **kwargs):", "    return block(x, **kwargs)", ""]
            invoke = f"forward({args})"
        elif spec.style == "args":
            module += ["def forward(*args, **kwargs):", "    return block(*args, **kwargs)", ""]
            invoke = f"forward({args})"
        if path == "dict_dispatch":
            module += ['BLOCKS = {"main": block}', ""]
            invoke = f'BLOCKS["main"]({args})'
        elif path == "module_partial":
            module += ["BLOCK = functools.partial(block)", ""]
            invoke = f"BLOCK({args})"
        elif path == "alias":
            before = ["fn = block"]
            invoke = f"fn({args})"
    elif path == "override":
        model_base = "Base"
        model_init += r.init
        model_methods += [f"def body(self, {params}):", *_indent(returning(block)), *r.methods]
        invoke = f"self.body({args})"
    elif path in ("sub_layer", "builder", "inline_sub"):
        sub_params = "x, training=None" if training_in_block else "x"
        sub_body = ["i = 0"] if fstring else []
        sub_body += returning(block)
        sub_init = ["def __init__(self):", "    super().__init__()", *_indent(r.init)] if r.init else []
        sub_decoration = "track" if spec.sub_decorated else "none"
        sub_class = [f"class Sub({host_base}):", *_indent(sub_init),
                     *_indent(_decorated(sub_decoration, sub_entry, sub_params, sub_body)), *_indent(r.methods), ""]
        if spec.split:
            module += sub_class  # written in the other module, with the definitions its block needs
        else:
            classes += sub_class
        call_args = "x, training=training" if training_in_block else "x"
        if path == "sub_layer" and spec.style == "property":
            model_init.append("self._sub = Sub()")
            model_methods += ["@property", "def sub(self):", "    return self._sub"]
            invoke = f"self.sub({call_args})"
        elif path == "sub_layer" and spec.style == "list":
            model_init.append("self.subs = [Sub() for _ in range(2)]")
            invoke = f"sub({call_args})"  # in `for sub in self.subs:` (below)
        elif path == "sub_layer" and spec.style == "dict":
            model_init.append('self.subs = {"main": Sub()}')
            invoke = f'self.subs["main"]({call_args})'
        elif path == "sub_layer" and spec.style == "setattr":
            model_init.append('setattr(self, f"sub{0}", Sub())')
            invoke = f'getattr(self, f"sub{{0}}")({call_args})'
        elif path == "sub_layer" and spec.style == "sequential":
            model_init.append("self.seq = tf.keras.Sequential([Sub()])")
            invoke = f"self.seq({call_args})"
        elif path == "sub_layer":
            model_init.append("self.sub = Sub()")
            invoke = f"self.sub({call_args})"
        elif path == "inline_sub":
            invoke = f"Sub()({call_args})"  # built and called on every call
        else:
            invoke = f'{GOCL}("sub", Sub)({call_args})'
    elif path == "outer_tf_function":
        model_init += r.init
        model_methods += r.methods
    else:
        raise ValueError(path)

    # The entry method's body: the block inline, or a call to it; in a loop when asked.
    if invoke:
        step = [*before, f"x = {invoke}"]
        if path == "loop_list":
            step = ["for stage in [self._block]:", f"    x = {invoke}"]
        elif spec.style == "list":
            step = ["for sub in self.subs:", f"    x = {invoke}"]
        if spec.caller_scope and path in ("sub_layer", "inline_sub"):
            step = [f'with {VS}("outer"):', *_indent(step)]
    else:
        step = block
    if spec.loop:
        entry_body = ["for i in range(2):", *_indent(step)]
    else:
        entry_body = (["i = 0"] if fstring else []) + step
    entry_body = returning(entry_body)
    entry_def = _decorated(spec.decoration, entry, entry_params, entry_body)

    if path == "override":
        classes += [f"class Base({host_base}):", *_indent(entry_def), "",
                    f"    def body(self, {params}):", "        return x", ""]
        entry_def = []

    init_lines = []
    if model_init or host_base != "object":
        init_lines = ["def __init__(self):", f"    super().__init__()" if host_base != "object" else "    pass",
                      *_indent(model_init)]
    classes += [f"class Model({model_base}):", *_indent(init_lines), "", *_indent(entry_def), "",
                *_indent(model_methods), ""]
    make = ["def make():", "    return Model()"]
    if path == "outer_tf_function":
        classes += ["class Runner(tf.Module):", "    def __init__(self):", "        super().__init__()",
                    "        self.model = Model()", "",
                    "    @tf.function", f"    def __call__(self, {entry_params}):",
                    "        return self.model(x" + (", training=training)" if training_param else ")"), ""]
        make = ["def make():", "    return Runner()"]

    header = ["import functools", "", "import tensorflow as tf", ""]
    if spec.decoration in ("alias", "assign"):
        header += [f"track = {TRACK}", ""]
    # Deduplicate module-level definitions (several atoms may need the same helper).
    seen: set[str] = set()
    module_defs: list[str] = []
    for line in r.module:
        if line.startswith(("def ", "dense")) and line in seen:
            continue
        seen.add(line)
        module_defs.append(line)
    module_defs = _split_defs(module_defs)
    footer = [*make, "", "", "def inputs():", "    return (tf.reshape(tf.range(8, dtype=tf.float32), (2, 4)) / 8.0,)", ""]
    if spec.split:
        # The block (a function or the Sub layer) lives in a module of its own that the program imports.
        imported = "Sub" if sub_class else "block"
        helpers = with_rules_extras("\n".join([*header, *module_defs, *module, ""]), spec)
        main = with_rules_extras("\n".join([*header, f"from helpers import {imported}", "", "", *classes, "", *footer]), spec)
        text = f"{main}\n{MODULE_MARKER}helpers\n{helpers}"
    else:
        text = with_rules_extras("\n".join([*header, *module_defs, *module, "", *classes, "", *footer]), spec)
    while "\n\n\n\n" in text:
        text = text.replace("\n\n\n\n", "\n\n\n")
    return text


def _split_defs(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line.startswith("def ") and out:
            out.append("")
        out.append(line)
    return [*out, ""] if out else []


def generate(count: int, seed: int = 0) -> list[Program]:
    """`count` programs, the same for the same (count, seed); program k depends only on (seed, k)."""
    programs = []
    for k in range(count):
        rng = random.Random(f"{seed}:{k}")
        spec = random_spec(rng)
        programs.append(Program(id=f"s{seed}-{k:05d}", seed=seed, source=render(spec), intent=asdict(spec)))
    return programs


# --- Issue 20 (rules): v1-class subclasses, wrapper decorators, store reads, weightless per-call layers -------
# Drawn after every other dimension (the other draws of a program are unchanged) and applied to the rendered
# text, so this block stays apart from the renderer. Undecorated per-call creation needs no extra: decoration
# "none" with a per-call `keras` / `tf_variable` / `add_weight` atom is it.
WRAPPER = ["def tf1_compatible(method):", f"    return {TRACK}(method)", ""]
SUBCLASS = ["class ProjectDense(tf.compat.v1.layers.Dense):", "    pass", ""]
EXTRAS = ("v1_subclass", "wrapper", "regularized", "store_read", "weightless")
STORE_READER = ["class StoreReader(tf.Module):", "    def regularization_loss(self):",
                "        return sum(r() for r in self._tf1_style_var_store._regularizers.values())", ""]


def rules_extras(rng: random.Random, spec: Spec) -> list[str]:
    extras = []
    if any(a.kind == "v1_class" for a in spec.atoms) and rng.random() < 0.4:
        extras.append("v1_subclass")  # `class ProjectDense(tf.compat.v1.layers.Dense)` instead of the v1 class
    if spec.decoration in ("track", "track_over_tf_function", "tf_function_over_track") and rng.random() < 0.15:
        extras.append("wrapper")  # `@tf1_compatible`, a project function forwarding to the shim
    if any(a.kind in ("v1_dense", "get_variable") for a in spec.atoms) and rng.random() < (0.4 if spec.host == "module" else 0.1):
        extras.append("regularized")  # kernel_regularizer= / regularizer=: TFS110 in a tf.Module
        if spec.host == "module" and rng.random() < 0.5:
            extras.append("store_read")  # a base class that reads the shim's store of penalties
    if rng.random() < 0.15:
        extras.append("weightless")  # a Keras layer without weights built on every call: no bug
    return extras


def with_rules_extras(text: str, spec: Spec) -> str:
    header = "import tensorflow as tf\n"
    added: list[str] = []
    if "v1_subclass" in spec.extras:
        text = text.replace("tf.compat.v1.layers.Dense(", "ProjectDense(")
        added += SUBCLASS
    if "wrapper" in spec.extras:
        text = text.replace(f"@{TRACK}\n", "@tf1_compatible\n")
        added += WRAPPER
    if "regularized" in spec.extras:
        text = text.replace("tf.compat.v1.layers.dense(x, 4", 'tf.compat.v1.layers.dense(x, 4, kernel_regularizer="l2"')
        text = text.replace("shape=(4, 4))", "shape=(4, 4), regularizer=tf.keras.regularizers.L2())")
    if "store_read" in spec.extras:
        text = text.replace("(tf.Module):", "(StoreReader):").replace("class Runner(StoreReader):", "class Runner(tf.Module):")
        added += STORE_READER
    if "weightless" in spec.extras:
        text = text.replace("        return x\n", '        return tf.keras.layers.Activation("linear")(x)\n', 1)
    if added:
        text = text.replace(header, header + "\n\n" + "\n".join(added) + "\n", 1)
    return text

