"""Probes that need another TensorFlow than the test environment's, kept runnable (opt-in).

Set ``TF2LINT_TF_KERAS_SOURCE`` to a tf-keras checkout to run the source-tree example, and
``TF2LINT_OTHER_PYTHONS`` to interpreters (separated by ``os.pathsep``) of environments with an older
TensorFlow, its bundled Keras 2 and tf-slim 1.1.0, e.g. made with
``python3 -m venv /tmp/tf212 && /tmp/tf212/bin/pip install tensorflow-cpu==2.12.1 tf-slim==1.1.0``.
Measured on 2026-11-30 with TF 2.12.1, 2.13.1, 2.14.1 and 2.15.1: every probe below passed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from tf2lint.rules import BY_CODE
from tf2lint.runtime.doctor import slim_notes

PYTHONS = [p for p in os.environ.get("TF2LINT_OTHER_PYTHONS", "").split(os.pathsep) if p]


def marked(code: str, marker: str) -> tuple[str, str, int]:
    """The key (code, "bad", index) of the one bad example of `code` whose first line holds `marker`: found by
    what it is, so that examples added before it do not move the probe onto another one."""
    found = [i for i, source in enumerate(BY_CODE[code].bad) if marker in source.lstrip().splitlines()[0]]
    assert len(found) == 1, f"{code}: {len(found)} bad examples marked {marker!r}"
    return code, "bad", found[0]


# The examples only these probes can execute (the in-process runtime tests skip them and point here).
KERAS2_EXAMPLE = marked("TFS108", "# Keras 2")
SOURCE_TREE_EXAMPLE = marked("TFS101", "source tree's paths")


def example(key: tuple[str, str, int]) -> str:
    code, _, index = key
    return BY_CODE[code].bad[index]

PROBE = textwrap.dedent('''
    import json, sys
    import tensorflow as tf
    import keras
    import tf_slim as slim

    track = tf.compat.v1.keras.utils.track_tf1_style_variables
    result = {"tf": tf.__version__, "keras": keras.__version__}
    # The Keras 2 example, in this Keras' own layout (`keras.src` from 2.13 on).
    source = sys.argv[1]
    if not keras.__version__.startswith(("2.6", "2.7", "2.8", "2.9", "2.10", "2.11", "2.12")):
        source = source.replace("from keras.engine", "from keras.src.engine").replace(
            "from keras.legacy_tf_layers", "from keras.src.legacy_tf_layers")
    ns = {"__name__": "keras2"}
    exec(source, ns)
    try:
        ns["forward"](tf.ones((2, 4)))
        result["forward"] = "ok"
    except ValueError as error:
        result["forward"] = "must be applied to a method of a subclassed" in str(error)
    layer = ns["Keras2Layer"]()
    layer(tf.ones((2, 4)))
    first = len(layer.weights)
    layer(tf.ones((2, 4)))
    result["growth"] = [first, len(layer.weights)]
    # slim.batch_norm on its two paths.
    for path, shape in (("core", (8, 4, 4, 3)), ("fused", (8, 3))):
        class BatchNorm(tf.keras.layers.Layer):
            @track
            def call(self, x):
                return slim.batch_norm(x, is_training=True, scope="bn")
        try:
            BatchNorm()(tf.ones(shape))
            result[path] = "ok"
        except Exception as error:  # the exact error is what the doctor reports
            result[path] = type(error).__name__
    print(json.dumps(result))
''')


def test_ci_runs_the_keras2_probe() -> None:
    """CI sets TF2LINT_REQUIRE_OTHER_VERSIONS with an environment for the Keras 2 probe: it must not skip there."""
    if os.environ.get("TF2LINT_REQUIRE_OTHER_VERSIONS") == "1":
        assert PYTHONS, "TF2LINT_REQUIRE_OTHER_VERSIONS=1 but TF2LINT_OTHER_PYTHONS names no interpreter"


def test_the_probes_find_their_examples() -> None:
    """Runs everywhere: the probes below read the examples they are meant for (one read by index ran the wrong one
    and could not pass whenever it was enabled)."""
    assert "from keras.engine.base_layer import Layer" in example(KERAS2_EXAMPLE)
    assert "from tf_keras.engine.base_layer import Layer" in example(SOURCE_TREE_EXAMPLE)


@pytest.mark.skipif(not PYTHONS, reason="set TF2LINT_OTHER_PYTHONS to run probes under other TF versions")
@pytest.mark.parametrize("python", PYTHONS)
def test_keras2_example_and_slim_batch_norm(python: str) -> None:
    import json

    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}  # these TFs bundle Keras 2
    run = subprocess.run([python, "-c", PROBE, example(KERAS2_EXAMPLE)], capture_output=True, text=True, timeout=600,
                         env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["forward"] is True  # TFS108: the shim rejects a plain function
    assert result["growth"] == [2, 4]  # TFS101: an unnamed core.Dense per call
    notes = "\n".join(slim_notes({"tensorflow": result["tf"], "tf-slim": "1.1.0"}))
    works = {path: result[path] == "ok" for path in ("core", "fused")}
    if "works on this TensorFlow" in notes:
        assert works == {"core": True, "fused": True}, result
    elif "only on its fused path" in notes:
        assert works == {"core": False, "fused": True}, result
    else:
        assert works == {"core": False, "fused": False}, result


TREE_PROBE = textwrap.dedent('''
    import sys
    sys.path.insert(0, sys.argv[1])
    import tensorflow as tf
    import tf_keras
    assert tf_keras.__file__.startswith(sys.argv[1]), tf_keras.__file__
    ns = {"__name__": "tree"}
    exec(sys.argv[2], ns)
    layer = ns["SourceTree"]()
    layer(tf.ones((2, 4)))
    first = len(layer.weights)
    layer(tf.ones((2, 4)))
    print(first, len(layer.weights))
''')


@pytest.mark.skipif(not os.environ.get("TF2LINT_TF_KERAS_SOURCE"), reason="set TF2LINT_TF_KERAS_SOURCE to a tf-keras "
                    "checkout (with tf_keras/protobuf/*_pb2.py generated or copied from the wheel)")
def test_tf_keras_source_tree_example() -> None:
    """TFS101's source-tree example under the shim of tf-keras' own tree (measured: tf-keras 2.21.0, commit
    dd0a7237b, TF 2.21): an unnamed `core.Dense` per call, 2 then 4 weights."""
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    source = os.environ["TF2LINT_TF_KERAS_SOURCE"]
    run = subprocess.run([sys.executable, "-c", TREE_PROBE, source, example(SOURCE_TREE_EXAMPLE)],
                         capture_output=True, text=True, timeout=600, env=env)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.split() == ["2", "4"]
