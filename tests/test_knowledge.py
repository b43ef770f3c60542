"""The knowledge tables against the real packages: tf-keras 2.21 and tf-slim 1.1.0 as installed, Keras 2
through a listing of its wheels (tests/data/keras2_listing.py), Keras 3 as installed.

Spellings are checked through the public API modules: `tf_keras/layers/__init__.py` says
`from tf_keras.src.engine.base_layer import Layer`, so `tf_keras.src.engine.base_layer.Layer` must be
canonically `tf.keras.layers.Layer`, and every module a table names must be such a source. The linter
itself never imports these packages; these tests do.
"""

from __future__ import annotations

import ast
import importlib
import importlib.metadata
import importlib.util
import inspect
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import runtime_missing

from tf2lint.knowledge import api, slim
from tf2lint.knowledge.spellings import FLAT_PACKAGES, KERAS2_ROOTS, KERAS_INTERNALS, TF_KERAS_ROOTS, canonical

DATA = Path(__file__).parent / "data"
# Public API module (relative to the package) -> the canonical namespace it is.
API_FILES = {
    "api/_v1/keras/utils/__init__.py": "tf.compat.v1.keras.utils",
    "api/_v1/keras/__internal__/legacy/layers/__init__.py": "tf.compat.v1.layers",
    "api/_v1/keras/__init__.py": "tf.compat.v1.keras",
    "api/_v2/keras/layers/__init__.py": "tf.keras.layers",
    "api/_v2/keras/__init__.py": "tf.keras",
}


def public_imports(read: Callable[[str], str], package: str, files: set[str]) -> dict[str, list[list[str]]]:
    """Canonical namespace -> [source module, name] for every `from M import name` of its API module."""
    found: dict[str, list[list[str]]] = {}
    for path, namespace in API_FILES.items():
        full = f"{package}/{path}"
        if full not in files:
            continue
        for node in ast.walk(ast.parse(read(full))):
            if isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    if (alias.asname or alias.name) == alias.name:
                        found.setdefault(namespace, []).append([node.module, alias.name])
    return found


def _installed(package: str) -> tuple[Callable[[str], str], set[str]]:
    spec = importlib.util.find_spec(package)  # finds, does not import
    if spec is None or not spec.submodule_search_locations:
        runtime_missing(f"{package} is not installed")
    root = Path(next(iter(spec.submodule_search_locations))).parent
    files = {str(p.relative_to(root)) for p in (root / package).rglob("*.py")}
    return (lambda path: (root / path).read_text(encoding="utf-8")), files


def check_family(api_imports: dict[str, list[list[str]]], root: str, internals=KERAS_INTERNALS) -> None:
    """Every module the table names under ``root`` is a source of the public API, and maps to it."""
    for module, _target in internals:
        source = f"{root}.{module}"
        evidence = [(ns, name) for ns, pairs in api_imports.items() for m, name in pairs if m == source]
        assert evidence, f"{source}: no public API name comes from this module"
        for namespace, name in evidence:
            assert canonical(f"{source}.{name}") == canonical(f"{namespace}.{name}"), (source, name, namespace)


# -- tf-keras ---------------------------------------------------------------------------------------------

def test_tf_keras_wheel_internals() -> None:
    read, files = _installed("tf_keras")
    check_family(public_imports(read, "tf_keras", files), "tf_keras.src")


def test_tf_keras_flat_layers_package() -> None:
    """`tf_keras.src.layers.core.dense.Dense` -> `tf.keras.layers.Dense`, for every class the public API takes
    from there."""
    read, files = _installed("tf_keras")
    pairs = public_imports(read, "tf_keras", files)["tf.keras.layers"]
    package = dict(FLAT_PACKAGES)
    checked = 0
    for module, name in pairs:
        if module.startswith("tf_keras.src.layers.") and name[:1].isupper():
            assert canonical(f"{module}.{name}") == f"{package['tf_keras.src.layers']}.{name}"
            checked += 1
    assert checked > 50


def test_tf_keras_source_tree_is_the_wheel_without_src() -> None:
    """The source tree's paths (tf-keras' own tests) are the wheel's without `src`: not in the wheel itself."""
    _read, files = _installed("tf_keras")
    assert TF_KERAS_ROOTS == ("tf_keras.src", "tf_keras")
    for module, _target in KERAS_INTERNALS:
        path = module.replace(".", "/") + ".py"
        assert f"tf_keras/src/{path}" in files
        assert f"tf_keras/{path}" not in files
        assert canonical(f"tf_keras.{module}.x") == canonical(f"tf_keras.src.{module}.x")


def test_v1_layer_tables_exist_in_tf_keras() -> None:
    read, files = _installed("tf_keras")
    names = {name for _m, name in public_imports(read, "tf_keras", files)["tf.compat.v1.layers"]}
    # Aliases such as `Convolution2D = Conv2D` are defined in the modules the spellings map, not re-exported.
    for module, target in KERAS_INTERNALS:
        if target == "tf.compat.v1.layers":
            tree = ast.parse(read(f"tf_keras/src/{module.replace('.', '/')}.py"))
            names |= {t.id for node in tree.body if isinstance(node, ast.Assign) for t in node.targets
                      if isinstance(t, ast.Name)}
    assert set(api.V1_FUNCTIONAL_LAYERS) | set(api.V1_LAYER_CLASSES) <= names
    utils = {name for _m, name in public_imports(read, "tf_keras", files)["tf.compat.v1.keras.utils"]}
    assert {api.SHIM_DECORATOR.rsplit(".", 1)[1], api.GET_OR_CREATE_LAYER.rsplit(".", 1)[1]} <= utils


def test_v1_training_positions() -> None:
    """Where `training` sits in the functional v1 layers TFS111 knows (read from tf-keras' source)."""
    read, _files = _installed("tf_keras")
    defs = {}
    for module, target in KERAS_INTERNALS:
        if target == "tf.compat.v1.layers":
            tree = ast.parse(read(f"tf_keras/src/{module.replace('.', '/')}.py"))
            defs.update({node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)})
    checked = 0
    for name, arg in api.TRAINING_ARGS.items():
        if name.startswith(api.V1_LAYERS):
            params = [a.arg for a in defs[name[len(api.V1_LAYERS):]].args.args]
            assert params.index(arg.param) == arg.position, name
            checked += 1
    assert checked == 2


# -- Keras 2 and Keras 3 ---------------------------------------------------------------------------------

def keras2_listing() -> dict:
    return json.loads((DATA / "keras2_listing.json").read_text())


@pytest.mark.parametrize(("version", "root"), [("2.15.0", "keras.src"), ("2.12.0", "keras")])
def test_keras2_spellings(version: str, root: str) -> None:
    listing = keras2_listing()[version]
    assert root in KERAS2_ROOTS
    check_family(listing["api"], root)
    for module, _target in KERAS_INTERNALS:
        assert f"{root}.{module}" in listing["modules"]


def test_keras2_paths_do_not_exist_in_keras3() -> None:
    """Keras 2's internal paths are unambiguous: Keras 3 has none of them (its `keras.layers` stays Keras 3)."""
    try:
        version = importlib.metadata.version("keras")
        files = {str(f) for f in importlib.metadata.files("keras") or ()}
    except importlib.metadata.PackageNotFoundError:
        runtime_missing("Keras 3 is not installed")
    assert version.startswith("3.")
    for root in KERAS2_ROOTS:
        for module, _target in KERAS_INTERNALS:
            stem = f"{root}.{module}".replace(".", "/")
            assert f"{stem}.py" not in files and not any(f.startswith(stem + "/") for f in files)
    assert canonical("keras.layers.Dense") == "keras.layers.Dense"
    assert canonical("keras.src.layers.core.dense.Dense") == "keras.src.layers.core.dense.Dense"


def test_check_family_fails_on_a_renamed_entry() -> None:
    """A table entry naming a module that exports nothing public must fail the check."""
    listing = keras2_listing()["2.15.0"]
    with pytest.raises(AssertionError, match="no public API name"):
        check_family(listing["api"], "keras.src", (("legacy_tf_layers.cores", "tf.compat.v1.layers"),))


# -- TF-Slim ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tf_slim():
    from conftest import require_runtime

    require_runtime()
    try:
        import tf_slim
    except ImportError:
        runtime_missing("tf_slim is not installed")
    return tf_slim


def _slim_attr(module, dotted: str):
    for part in dotted.split("."):
        module = getattr(module, part)
    return module


def test_slim_names_exist(tf_slim) -> None:
    assert importlib.metadata.version("tf-slim") == "1.1.0"
    names = [*slim.LAYERS, *slim.WRAPPERS, *slim.TRAINING, *slim.VARIABLES, slim.ARG_SCOPE, *slim.COLLECTIONS]
    for name in names:
        assert callable(_slim_attr(tf_slim, name)), name


def test_slim_parameters(tf_slim) -> None:
    def params(name: str) -> list[str]:
        return list(inspect.signature(getattr(tf_slim, name)).parameters)

    for name, (_base, position) in slim.LAYERS.items():
        assert params(name).index("scope") == position, name
    for name, position in slim.TRAINING.items():
        assert params(name).index("is_training") == position, name
        assert inspect.signature(getattr(tf_slim, name)).parameters["is_training"].default is True
    for keyword in ("weights_regularizer", "biases_regularizer"):
        assert keyword in params("conv2d") and keyword in params("fully_connected")
    for name in slim.VARIABLES:
        assert "regularizer" in params(name) and params(name)[0] == "name"
    for name, (_base, wrapped) in slim.WRAPPERS.items():
        assert params(name)[wrapped] == "layer" and "kwargs" in params(name)
    assert params("arg_scope")[0] == "list_ops_or_scope"


INPUT_RANKS = {"conv1d": 3, "convolution1d": 3, "conv3d": 5, "convolution3d": 5, "conv3d_transpose": 5,
               "convolution3d_transpose": 5, "fully_connected": 2, "linear": 2}


def _first_scope(tf, build) -> str:
    with tf.Graph().as_default():
        build()
        names = {v.op.name.split("/")[0] for v in tf.compat.v1.global_variables()}
    assert len(names) == 1, names
    return names.pop()


def test_slim_default_scope_names(tf_slim) -> None:
    """Measured: what each layer calls itself without `scope=` (batch_norm cannot run on TF 2.21: its source)."""
    import tensorflow as tf

    for name, (base, _position) in slim.LAYERS.items():
        layer = getattr(tf_slim, name)
        if name == "batch_norm":
            assert f"'{base}'" in inspect.getsource(layer)
            continue
        rank = INPUT_RANKS.get(name, 4)
        args = {"conv2d_in_plane": ([3, 3],), "convolution2d_in_plane": ([3, 3],), "bias_add": (),
                "layer_norm": (), "group_norm": (), "instance_norm": (), "fully_connected": (3,), "linear": (3,),
                "separable_conv2d": (4, [3, 3], 1), "separable_convolution2d": (4, [3, 3], 1)}.get(name, (4, 3))
        if name in ("group_norm",):
            kwargs = {"groups": 1}
        else:
            kwargs = {}
        built = _first_scope(tf, lambda: layer(tf.ones([2] + [6] * (rank - 2) + [4]), *args, **kwargs))
        assert built == base, name
    for name, (base, _wrapped) in slim.WRAPPERS.items():
        call = (lambda: tf_slim.repeat(tf.ones([2, 6, 6, 4]), 2, tf_slim.conv2d, 4, 3)) if name == "repeat" else (
            lambda: tf_slim.stack(tf.ones([2, 6, 6, 4]), tf_slim.conv2d, [(4, 3), (4, 3)]))
        assert _first_scope(tf, call) == base, name


def test_slim_module_spellings(tf_slim) -> None:
    """Each module spelled as `slim` re-exports its names at tf_slim's top level (the same objects)."""
    known = {*slim.LAYERS, *slim.WRAPPERS, *slim.TRAINING, *slim.VARIABLES, slim.ARG_SCOPE,
             *(n for n in slim.COLLECTIONS if "." not in n)}
    for module_name in slim.FLAT_MODULES:
        module = importlib.import_module(module_name)
        public = [n for n in getattr(module, "__all__", dir(module))
                  if not n.startswith("_") and not inspect.ismodule(getattr(module, n))]
        shared = [n for n in public if n in known or hasattr(tf_slim, n)]
        assert shared, module_name
        for name in shared:
            if hasattr(tf_slim, name) and canonical(f"{module_name}.{name}") == f"slim.{name}":
                assert getattr(module, name) is getattr(tf_slim, name), (module_name, name)
        assert all(canonical(f"{module_name}.{n}") == f"slim.{n}" for n in public)
    assert canonical("tf_slim.losses.get_total_loss") == "slim.losses.get_total_loss"
    assert _slim_attr(tf_slim, "losses.get_total_loss") is importlib.import_module("tf_slim.losses").get_total_loss


@pytest.mark.parametrize("name", ["MLPBlock", "Conv2DTranspose", "EmptyScope", "_Hidden", "HTTPServer2", "layer", "ABC",
                                  "Dense", "BatchNormalization", "My2Layer", "ResNet50V2"])
def test_snake_case_is_keras_naming(name: str) -> None:
    """One derivation of a layer's name from its class (the fixes of TFS101, TFS102 and TFS103 use it), as tf-keras'."""
    module = "tf_keras.src.utils.generic_utils"
    required = os.environ.get("TF2LINT_REQUIRE_RUNTIME") == "1"  # CI: never skipped
    generic_utils = importlib.import_module(module) if required else pytest.importorskip(module)
    assert api.snake_case(name) == generic_utils.to_snake_case(name)
