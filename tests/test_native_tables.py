"""tf2lint.knowledge.native against the installed packages: parameters, defaults and numbers.

Every translation `tf2lint migrate` makes comes from these tables; each entry is checked here by
`inspect.signature` (same parameters, same order where arguments stay positional, every differing default
either passed explicitly or shown to give the same values) and by running both layers under TensorFlow.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

from conftest import require_runtime, runtime_missing

require_runtime()

import tensorflow as tf  # noqa: E402
import tf_keras  # noqa: E402

from tf2lint.knowledge import native, slim  # noqa: E402

v1 = tf.compat.v1
EMPTY = inspect.Parameter.empty


def params(func) -> dict[str, inspect.Parameter]:
    found = dict(inspect.signature(func).parameters)
    return {k: p for k, p in found.items() if k not in ("self", "kwargs", "args")}


def _shared_prefix(a: list[str], b: list[str]) -> int:
    count = 0
    while count < min(len(a), len(b)) and a[count] == b[count]:
        count += 1
    return count


def keras_class(name: str):
    return getattr(tf_keras.layers, name)


@pytest.mark.parametrize("short", sorted(native.V1_LAYERS))
def test_functional_v1_layer_takes_its_class_parameters(short: str) -> None:
    entry = native.V1_LAYERS[short]
    functional = params(getattr(v1.layers, short))
    klass = params(getattr(v1.layers, entry.v1_class).__init__)
    moved = {"inputs", "reuse", *entry.call_params}
    # `name` and `trainable` reach the class through **kwargs where its signature does not list them.
    assert set(functional) - moved - {"name", "trainable"} == set(klass) - {"name", "trainable"}
    assert entry.positional_object == _shared_prefix([p for p in functional if p != "inputs"], list(klass))
    for name in entry.call_params:
        assert name in functional and name not in klass
    assert issubclass(getattr(v1.layers, entry.v1_class), tf_keras.layers.Layer)


@pytest.mark.parametrize("short", sorted(native.V1_LAYERS))
def test_keras_layer_takes_the_v1_class_parameters(short: str) -> None:
    entry = native.V1_LAYERS[short]
    klass = params(getattr(v1.layers, entry.v1_class).__init__)
    keras = params(keras_class(entry.keras).__init__)
    assert entry.positional_keras == _shared_prefix(list(klass), list(keras))
    explicit = {param: value for param, value, _position in entry.keras_defaults}
    for param, _value, position in entry.keras_defaults:
        assert list(klass).index(param) == position
    for name, parameter in klass.items():
        if name in ("name", "trainable"):
            continue
        if name not in keras:
            # Passed through **kwargs to the Keras base class: it must be accepted there.
            keras_class(entry.keras)(**{name: parameter.default}, **{k: eval(v) for k, v in explicit.items()})
            continue
        if parameter.default is EMPTY or repr(parameter.default) == repr(keras[name].default):
            continue
        assert name in explicit or name in native.EQUIVALENT_DEFAULTS, (short, name)
        if name in explicit:
            assert eval(explicit[name]) == parameter.default


def _same_values(make_v1, make_keras, shape, call=None) -> None:
    """Both layers built under the same seed in both modes of DeterministicRandomTestTool: same variables,
    same outputs."""
    x = np.random.RandomState(0).normal(size=shape).astype("float32")
    for mode in ("constant", "num_random_ops"):
        results = []
        for make in (make_v1, make_keras):
            tool = v1.keras.utils.DeterministicRandomTestTool(mode=mode)
            with tool.scope():
                tf.keras.utils.set_random_seed(7)
                layer = make()
                out = layer(x, **(call or {}))
            results.append((out.numpy(), [w.numpy() for w in sorted(layer.weights, key=lambda w: w.name.split("/")[-1])]))
        np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-5, atol=1e-6)
        assert len(results[0][1]) == len(results[1][1])
        for a, b in zip(results[0][1], results[1][1]):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


NUMERIC_CASES = {
    "dense": ((4, 5), (3,), {}),
    "conv1d": ((2, 7, 3), (4, 3), {}),
    "conv2d": ((2, 6, 6, 3), (4, 3), {}),
    "conv3d": ((1, 4, 4, 4, 2), (3, 2), {}),
    "conv2d_transpose": ((2, 5, 5, 3), (4, 3), {}),
    "conv3d_transpose": ((1, 3, 3, 3, 2), (3, 2), {}),
    "separable_conv1d": ((2, 7, 3), (4, 3), {}),
    "separable_conv2d": ((2, 6, 6, 3), (4, 3), {}),
    "batch_normalization": ((4, 5), (), {"training": True}),
    "dropout": ((4, 5), (), {"training": False}),
    "flatten": ((2, 3, 4), (), {}),
    "max_pooling1d": ((2, 6, 3), (2, 2), {}),
    "max_pooling2d": ((2, 6, 6, 3), (2, 2), {}),
    "max_pooling3d": ((1, 4, 4, 4, 2), (2, 2), {}),
    "average_pooling1d": ((2, 6, 3), (2, 2), {}),
    "average_pooling2d": ((2, 6, 6, 3), (2, 2), {}),
    "average_pooling3d": ((1, 4, 4, 4, 2), (2, 2), {}),
}


@pytest.mark.parametrize("short", sorted(native.V1_LAYERS))
def test_v1_class_and_keras_layer_compute_the_same(short: str) -> None:
    entry = native.V1_LAYERS[short]
    shape, args, call = NUMERIC_CASES[short]
    explicit = {k: eval(v) for k, v, _position in entry.keras_defaults}
    _same_values(lambda: getattr(v1.layers, entry.v1_class)(*args),
                 lambda: keras_class(entry.keras)(*args, **explicit), shape, call)


def test_a_wrong_default_is_caught() -> None:
    """The numeric check can fail: Keras' Conv2D with its own padding default vs slim's."""
    with pytest.raises(AssertionError):
        _same_values(lambda: v1.layers.Conv2D(4, 3, padding="same"), lambda: keras_class("Conv2D")(4, 3),
                     (2, 6, 6, 3))


# -- TF-Slim ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tf_slim():
    try:
        import tf_slim
    except ImportError:
        runtime_missing("tf_slim is not installed")
    return tf_slim


@pytest.mark.parametrize("short", sorted(native.SLIM_LAYERS))
def test_slim_parameters_are_all_accounted_for(tf_slim, short: str) -> None:
    entry = native.SLIM_LAYERS[short]
    slim_params = params(getattr(tf_slim, short))
    keras = params(keras_class(entry.keras).__init__)
    accounted = {"inputs", *dict(entry.renames), *entry.unsupported, *(p for p, _a, _d in entry.call_params)}
    if short == native.SLIM_KEEP_PROB[0]:
        accounted.add(native.SLIM_KEEP_PROB[1])
    assert set(slim_params) == accounted, set(slim_params) ^ accounted
    explicit = dict(entry.keras_defaults)
    for source, target in entry.renames:
        if target in ("name", "trainable"):
            continue
        if target not in keras:  # through **kwargs to the Keras base class (`fused`): accepted with slim's default
            keras_class(entry.keras)(**{target: slim_params[source].default})
            assert (short, source) == native.SLIM_FUSED[:2], (short, target)  # its translation rule is its own
            continue
        slim_default, keras_default = slim_params[source].default, keras[target].default
        if slim_default is EMPTY or _same_default(slim_default, keras_default):
            continue
        if target in explicit:
            continue
        # Only initializers may differ in spelling; their values are compared under TF below.
        assert target.endswith("initializer") or keras_default == slim_default, (short, source, slim_default, keras_default)


def test_slim_defaults_that_differ_from_keras(tf_slim) -> None:
    """The defaults the issue names, read from the real signatures."""
    fc = params(tf_slim.fully_connected)
    assert fc["activation_fn"].default is tf.nn.relu
    assert params(keras_class("Dense").__init__)["activation"].default is None
    bn = params(tf_slim.batch_norm)
    assert (bn["scale"].default, bn["decay"].default, bn["epsilon"].default) == (False, 0.999, 0.001)
    keras_bn = params(keras_class("BatchNormalization").__init__)
    assert (keras_bn["scale"].default, keras_bn["momentum"].default, keras_bn["epsilon"].default) == (True, 0.99, 0.001)
    assert params(v1.layers.batch_normalization)["momentum"].default == native.BATCH_NORM_MOMENTUM["v1"]
    assert keras_bn["momentum"].default == native.BATCH_NORM_MOMENTUM["keras"]
    assert bn["decay"].default == native.BATCH_NORM_MOMENTUM["slim"]
    assert params(tf_slim.conv2d)["padding"].default == "SAME"
    assert params(keras_class("Conv2D").__init__)["padding"].default == "valid"


def _same_default(slim_value, keras_value) -> bool:
    """`"VALID"` is `"valid"`, and `1` is `(1, 1)`: the same argument spelled two ways."""
    if isinstance(slim_value, str) and isinstance(keras_value, str):
        return slim_value.lower() == keras_value.lower()
    if isinstance(keras_value, tuple) and not isinstance(slim_value, tuple):
        return all(v == slim_value for v in keras_value)
    return repr(slim_value) == repr(keras_value)


def _translated(entry: native.SlimLayer, slim_kwargs: dict) -> dict:
    renames = dict(entry.renames)
    out = {k: eval(v) for k, v in entry.keras_defaults}
    out.update({k: eval(f"{v}()") for k, v in entry.keras_initializers})
    for key, value in slim_kwargs.items():
        out[renames[key]] = value
    return out


SLIM_CASES = {
    "fully_connected": ((4, 5), {"num_outputs": 3}),
    "conv2d": ((2, 6, 6, 3), {"num_outputs": 4, "kernel_size": 3}),
    "flatten": ((2, 3, 4), {}),
    "max_pool2d": ((2, 6, 6, 3), {"kernel_size": 2}),
    "avg_pool2d": ((2, 6, 6, 3), {"kernel_size": 2}),
}


@pytest.mark.parametrize("short", sorted(SLIM_CASES))
def test_slim_layer_and_translated_keras_layer_compute_the_same(tf_slim, short: str) -> None:
    """Slim's variables (copied by their Keras names through `variables`) give the Keras layer's output."""
    entry = native.SLIM_LAYERS[short]
    shape, kwargs = SLIM_CASES[short]
    x = np.random.RandomState(1).normal(size=shape).astype("float32")
    from tf2lint import shim

    class SlimLayer(shim.Layer):
        @shim.track_tf1_style_variables
        def call(self, inputs):
            return getattr(tf_slim, short)(inputs, **kwargs, scope="s")

    slim_layer = SlimLayer()
    expected = slim_layer(x).numpy()
    keras = keras_class(entry.keras)(**_translated(entry, kwargs))
    got = keras(x)
    renames = dict(entry.variables)
    by_name = {v.name.split("/")[-1].split(":")[0]: v for v in slim_layer.weights}
    assert len(by_name) == len(keras.weights)
    for source, target in renames.items():
        getattr(keras, target).assign(by_name[source])
    np.testing.assert_allclose(keras(x).numpy(), expected, rtol=1e-5, atol=1e-5)
    if short in ("fully_connected", "conv2d"):
        # And without the translated activation, negative values survive: the default matters.
        plain = keras_class(entry.keras)(**{**_translated(entry, kwargs), "activation": None})
        plain(x)
        for source, target in renames.items():
            getattr(plain, target).assign(by_name[source])
        assert (plain(x).numpy() < 0).any() and not (expected < 0).any()
    assert got.shape == expected.shape


def test_slim_initializer_is_keras_glorot_uniform(tf_slim) -> None:
    """Slim's default `weights_initializer` (variance scaling, FAN_AVG, uniform) draws what Keras' default does."""
    slim_init = params(tf_slim.fully_connected)["weights_initializer"].default
    a = slim_init([30, 20], dtype=tf.float32, partition_info=None) if "partition_info" in str(
        inspect.signature(slim_init)) else slim_init([30, 20], dtype=tf.float32)
    limit = np.sqrt(6.0 / (30 + 20))
    assert np.abs(a.numpy()).max() <= limit + 1e-6 and np.abs(a.numpy()).max() > 0.8 * limit


def test_slim_dropout_keep_prob_is_one_minus_rate(tf_slim) -> None:
    x = tf.ones((200, 200))
    kept = tf_slim.dropout(x, keep_prob=0.8, is_training=True)
    fraction = float(tf.reduce_mean(tf.cast(kept > 0, tf.float32)))
    assert abs(fraction - 0.8) < 0.02
    dropped = keras_class("Dropout")(rate=1 - 0.8)(x, training=True)
    assert abs(float(tf.reduce_mean(tf.cast(dropped > 0, tf.float32))) - 0.8) < 0.02


def test_slim_batch_norm_cannot_run_next_to_tf_keras_2_21(tf_slim) -> None:
    """Measured: slim.batch_norm fails under TF 2.21 + tf-keras 2.21 (it reaches `tf_keras.legacy_tf_layers`,
    absent from the 2.21 wheel, or `ops.Tensor`, gone from TF, depending on what was imported first), so its
    numbers cannot be compared here; its defaults are checked by signature above."""
    from tf2lint import shim

    class SlimBN(shim.Layer):
        @shim.track_tf1_style_variables
        def call(self, inputs):
            return tf_slim.batch_norm(inputs, scope="bn")

    with pytest.raises((ModuleNotFoundError, AttributeError), match="tf_keras.legacy_tf_layers|ops.* has no attribute 'Tensor'"):
        SlimBN()(tf.ones((2, 3)))


def test_l2_regularizer_scale_is_half_of_keras(tf_slim) -> None:
    w = tf.constant(np.arange(6, dtype="float32").reshape(2, 3))
    for name, (keras_name, factor) in native.REGULARIZER_SCALES.items():
        tf1 = getattr(tf_slim, name.split(".")[-1])(0.3)(w)
        keras = getattr(tf_keras.regularizers, keras_name.split(".")[-1])(0.3 * factor)(w)
        np.testing.assert_allclose(float(tf1), float(keras), rtol=1e-6)
    assert float(tf_slim.l2_regularizer(0.3)(w)) != pytest.approx(float(tf_keras.regularizers.l2(0.3)(w)))


def test_get_variable_and_add_weight_parameters() -> None:
    get_variable = list(params(v1.get_variable))
    assert tuple(get_variable) == native.GET_VARIABLE_PARAMS
    add_weight = params(tf_keras.layers.Layer.add_weight)
    assert native.ADD_WEIGHT_PARAMS <= set(add_weight)
    for name in native.ADD_WEIGHT_PARAMS - {"name", "shape"}:
        assert repr(params(v1.get_variable)[name].default).split(":")[0] == repr(add_weight[name].default).split(":")[0].replace("V2", ""), name
    assert not native.GET_VARIABLE_UNSUPPORTED & {"initializer", "regularizer", "shape"}


def test_get_variable_default_initializer_is_what_add_weight_needs() -> None:
    """`get_variable(shape)` and `add_weight(shape)` both say glorot uniform, yet draw different numbers under
    DeterministicRandomTestTool; `add_weight(initializer=<the table's>())` draws get_variable's."""
    from tf2lint import shim

    class Get(tf_keras.layers.Layer):
        @shim.track_tf1_style_variables
        def call(self, x):
            return x + v1.get_variable("b", shape=[4, 3])

    def adding(**kwargs):
        class Add(tf_keras.layers.Layer):
            def build(self, input_shape):
                self.b = self.add_weight(name="b", shape=[4, 3], **kwargs)

            def call(self, x):
                return x + self.b

        return Add

    default = eval(native.GET_VARIABLE_DEFAULT_INITIALIZER.replace("tf.compat.v1", "v1"))
    for mode in ("constant", "num_random_ops"):
        outs = []
        for make in (Get, adding(), adding(initializer=default())):
            with shim.DeterministicRandomTestTool(mode=mode).scope():
                tf.keras.utils.set_random_seed(3)
                outs.append(make()(tf.zeros((4, 3))).numpy())
        assert not np.allclose(outs[0], outs[1])
        np.testing.assert_allclose(outs[0], outs[2])


# -- the Slim translation tables, entry by entry ---------------------------------------------------------------

def _slim_value(text: str):
    """A table value (Keras argument source) as Python: `"relu"`, `0.999`, `tf.compat.v1.glorot_...()`."""
    return eval(text, {"tf": tf})


def _same_argument(slim_default, keras_value) -> bool:
    """A slim default and the Keras argument the table passes for it mean the same thing."""
    if callable(slim_default) or callable(keras_value):  # activations: the same values on both signs
        probe = tf.constant([-2.0, 0.0, 3.0])
        get = tf_keras.activations.get
        return keras_value is not None and slim_default is not None and np.allclose(
            get(slim_default)(probe), get(keras_value)(probe))
    return _same_default(slim_default, keras_value)


@pytest.mark.parametrize("short", sorted(native.SLIM_LAYERS))
def test_slim_translation_entry_matches_the_packages(tf_slim, short: str) -> None:
    """Each field of a SLIM_LAYERS entry against tf-slim 1.1.0's and tf-keras 2.21's own signatures."""
    entry = native.SLIM_LAYERS[short]
    slim_params = params(getattr(tf_slim, short))
    keras_params = params(keras_class(entry.keras).__init__)
    assert ["inputs", *entry.params] == list(slim_params)
    renames = dict(entry.renames)
    for keras_param, value in entry.keras_defaults:
        # passed because the slim default differs from Keras' own: the value is slim's default, Keras' is not
        source = next((s for s, k in entry.renames if k == keras_param), None)
        source = source or (native.SLIM_KEEP_PROB[1] if (short, keras_param) == (native.SLIM_KEEP_PROB[0], "rate") else None)
        assert source is not None and keras_param in keras_params, (short, keras_param)
        slim_default = slim_params[source].default
        if source == native.SLIM_KEEP_PROB[1]:
            slim_default = 1 - slim_default
        assert _same_argument(slim_default, _slim_value(value)), (short, keras_param)
        assert keras_params[keras_param].default is EMPTY or not _same_argument(slim_default, keras_params[keras_param].default)
    for keras_param, initializer in entry.keras_initializers:
        source = next(s for s, k in entry.renames if k == keras_param)
        assert slim_params[source].default is not None and keras_param in keras_params
        assert callable(_slim_value(f"{initializer}()"))
    for source, keras_param, value in entry.none_means:
        assert source in renames and keras_params[keras_param].default is True and _slim_value(value) is False
    for source, argument, default in entry.call_params:
        assert slim_params[source].default == _slim_value(default)
        assert argument in inspect.signature(keras_class(entry.keras).call).parameters
    for source, target in entry.variables:
        assert hasattr(keras_class(entry.keras), "__init__") and source and target
    assert entry.base == (slim.LAYERS[short][0] if short in slim.LAYERS else entry.base)


def test_slim_translation_draws_the_same_numbers(tf_slim) -> None:
    """Each Slim layer and its translation (table defaults and initializers only) give the same outputs under
    DeterministicRandomTestTool in both modes, freshly built with the same seed (batch norm inside
    `legacy_slim`, which it needs on TF 2.21); without the table's initializer the numbers differ."""
    from tf2lint import runtime, shim

    cases = {
        "fully_connected": ((4, 5), {"num_outputs": 3}, {}),
        "conv2d": ((2, 6, 6, 3), {"num_outputs": 4, "kernel_size": 3}, {}),
        "batch_norm": ((2, 6, 6, 3), {}, {"training": True}),
        "dropout": ((4, 50), {"keep_prob": 0.7}, {"training": True}),
        "flatten": ((2, 3, 4), {}, {}),
        "max_pool2d": ((2, 6, 6, 3), {"kernel_size": 2}, {}),
        "avg_pool2d": ((2, 6, 6, 3), {"kernel_size": 2}, {}),
    }
    assert set(cases) == set(native.SLIM_LAYERS)

    def run(make, x, call):
        outs = []
        for mode in ("constant", "num_random_ops"):
            with shim.DeterministicRandomTestTool(mode=mode).scope():
                tf.keras.utils.set_random_seed(5)
                outs.append(make()(x, **call).numpy())
        return outs

    for short, (shape, kwargs, call) in cases.items():
        entry = native.SLIM_LAYERS[short]
        x = np.random.RandomState(2).normal(size=shape).astype("float32")

        class Old(shim.Layer):
            @shim.track_tf1_style_variables
            def call(self, inputs, **_ignored):
                return getattr(tf_slim, short)(inputs, **kwargs)

        translated = _translated(entry, {k: v for k, v in kwargs.items() if k != "keep_prob"})
        if "keep_prob" in kwargs:
            translated["rate"] = 1 - kwargs["keep_prob"]
        with runtime.legacy_slim():
            old = run(Old, x, {})
        new = run(lambda: keras_class(entry.keras)(**translated), x, call)
        for a, b in zip(old, new):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5, err_msg=short)
        if entry.keras_initializers:
            plain = {k: v for k, v in translated.items() if k not in dict(entry.keras_initializers)}
            other = run(lambda: keras_class(entry.keras)(**plain), x, call)
            assert not np.allclose(old[0], other[0]), short


def test_legacy_slim_is_needed_and_leaves_nothing_behind(tf_slim) -> None:
    from tensorflow.python.framework import ops

    from tf2lint import runtime, shim

    class SlimBN(shim.Layer):
        @shim.track_tf1_style_variables
        def call(self, inputs):
            return tf_slim.batch_norm(inputs, scope="bn")

    class SlimBNUnfused(shim.Layer):
        @shim.track_tf1_style_variables
        def call(self, inputs):
            return tf_slim.batch_norm(inputs, scope="bn", fused=False)

    with runtime.legacy_slim():
        assert SlimBN()(tf.ones((2, 3))).shape == (2, 3)
        assert SlimBNUnfused()(tf.ones((2, 3))).shape == (2, 3)
    assert not hasattr(ops, "Tensor")
    with pytest.raises(AttributeError, match="has no attribute 'Tensor'"):
        SlimBN()(tf.ones((2, 3)))
    # The other path loads the old layer through TensorFlow's lazy loader: after leaving, it fails again as it
    # did before (the rule examples that show it failing run later in the same process).
    with pytest.raises(ModuleNotFoundError, match="tf_keras.legacy_tf_layers"):
        SlimBNUnfused()(tf.ones((2, 3)))


@pytest.mark.parametrize(("shape", "slim_fused", "keras_fused", "same"), [
    ((2, 5, 5, 3), None, None, True),
    ((4, 6), None, None, False),  # Slim fuses a 2-D input (Bessel's correction), Keras cannot
    ((4, 6), False, False, True),
    ((2, 5, 5, 3), False, False, True),
    ((2, 5, 5, 3), False, None, False),  # Keras fuses a 4-D input by default, Slim no longer does
])
def test_slim_batch_norm_fused_kernel_agrees_with_keras_on_4d_inputs_only(tf_slim, shape, slim_fused, keras_fused,
                                                                        same) -> None:
    """What native.SLIM_FUSED encodes: after one training call, the moving variance and an inference call agree
    only where both use the same kernel."""
    from tf2lint import runtime, shim

    layer, parameter, rank = native.SLIM_FUSED
    assert (layer, parameter, rank) == ("batch_norm", "fused", 4) and params(tf_slim.batch_norm)[parameter].default is None
    x = np.random.RandomState(0).normal(size=shape).astype("float32") * 3 + 1

    class Old(shim.Layer):
        @shim.track_tf1_style_variables
        def call(self, inputs, training=None):
            return tf_slim.batch_norm(inputs, is_training=training, fused=slim_fused, scope="bn")

    with runtime.legacy_slim():
        old = Old()
        old(x, training=True)
        old_out = old(x, training=False).numpy()
    new = keras_class("BatchNormalization")(momentum=0.999, scale=False, fused=keras_fused)
    new(x, training=True)
    assert np.allclose(old_out, new(x, training=False).numpy(), atol=1e-5) is same
