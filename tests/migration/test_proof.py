"""The migration proof: generated shim layers through every stage of `tf2lint migrate`, each step proven
under TensorFlow 2.21 + tf-keras 2.21; the guide's own examples stage by stage. Its line is printed last."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import require_runtime

require_runtime()

from .generator import generate  # noqa: E402
from .proof import RESULTS, Outcome, prove, summary_line  # noqa: E402

CI_COUNT, CI_SEED = 150, 0
pytestmark = pytest.mark.filterwarnings("ignore:`tf.layers:UserWarning")


@pytest.fixture(scope="module")
def outcomes() -> list[tuple[object, Outcome]]:
    results = []
    for case in generate(CI_COUNT, CI_SEED):
        x = np.random.RandomState(0).normal(size=case.shape).astype("float32")
        results.append((case, prove(case.source, case.name, x, {"training": True}, checkpoint_only=case.checkpoint_only)))
    RESULTS.append(summary_line([o for _c, o in results]))
    return results


def test_no_migration_is_broken(outcomes) -> None:
    broken = [(c.name, {s: str(r) for s, r in o.reports.items() if not r.proven}, o.sources) for c, o in outcomes if o.broken]
    assert not broken, broken[:2]


def test_refusals_are_the_expected_ones_and_say_why(outcomes) -> None:
    wrong = [(c.name, c.why, o.reasons) for c, o in outcomes if o.refused != c.refuse]
    assert not wrong, wrong[:3]
    for case, outcome in outcomes:
        if outcome.refused:
            assert outcome.reasons and all(len(r) > 30 for r in outcome.reasons), outcome.reasons


def test_regularized_layers_need_checkpoint_only() -> None:
    from tf2lint.hosts.migrate import migrate_text

    cases = [c for c in generate(CI_COUNT, CI_SEED) if c.checkpoint_only]
    assert len(cases) >= 10
    for case in cases:
        same, plans = migrate_text(case.source, "m.py", "objects", case.name)
        assert same == case.source and "--checkpoint-only" in plans[0].refusals[0][1]


def test_every_migratable_class_went_through_its_stages(outcomes) -> None:
    migrated = [(c, o) for c, o in outcomes if not c.refuse]
    assert len(migrated) >= 60 and len(outcomes) >= 100
    for case, outcome in migrated:
        if case.why.startswith("slim:"):  # no objects stage for Slim: native first, then compat.v1 layers
            assert "native" in outcome.reports and "objects" not in outcome.reports, case.name
            if "mixed" in case.why:
                assert {"objects 2", "native 2"} <= set(outcome.reports), case.name
            continue
        assert "objects" in outcome.reports, case.name
        assert set(outcome.reports) == set(outcome.sources) - {"original"}
        if case.why == "get_variable":
            assert "weights" in outcome.reports, case.name
        else:
            assert "native" in outcome.reports, case.name
    assert sum("weights" in o.reports for _c, o in migrated) >= 10


def test_slim_layers_are_translated_and_proven(outcomes) -> None:
    """The Slim classes are proven through the native stage: numbers in both modes, variables, and the old
    name-keyed checkpoint loaded through the likely renames (`weights` -> `kernel`), checked by value."""
    slim = [(c, o) for c, o in outcomes if c.why.startswith("slim:")]
    assert len(slim) >= 20 and all(not o.refused for _c, o in slim)
    assert sum("arg_scope" in c.why for c, _o in slim) >= 8 and sum("mixed" in c.why for c, _o in slim) >= 2
    for kind in ("slim.batch_norm", "slim.conv2d", "slim.fully_connected", "slim.dropout", "slim.flatten"):
        assert sum(kind in c.source for c, _o in slim) >= 5, kind
    for case, outcome in slim:
        report = outcome.reports["native"]
        spelled = [old for old in report.renames if old.endswith(("/weights", "/biases"))]
        assert spelled or "slim.fully_connected(x" not in case.source, case.name
        assert all(new.endswith(("/kernel", "/bias")) for old, new in report.renames.items() if old in spelled)


SLIM_NET = '''
import tensorflow as tf
import tf_slim as slim


class Net(tf.keras.layers.Layer):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def call(self, x, training=None):
        with tf.compat.v1.variable_scope("model"):
            x = slim.conv2d(x, 4, [3, 3])
            x = slim.conv2d(x, 4, [3, 3])
            x = slim.batch_norm(x, is_training=training)
            return slim.fully_connected(slim.flatten(x), 3)
'''


@pytest.mark.parametrize(("old", "new", "problem"), [
    (None, None, None),
    ('activation="relu", kernel_initializer=tf.compat.v1.glorot_uniform_initializer(), name="fully_connected"',
     'kernel_initializer=tf.compat.v1.glorot_uniform_initializer(), name="fully_connected"', "outputs differ"),
    ("momentum=0.999, scale=False", "momentum=0.999", "trainable variable"),
    ('name="Conv")', 'name="Conv_9")', "found no home"),
])
def test_the_slim_proof_fails_on_a_wrong_translation(old, new, problem) -> None:
    """A translation that drops Slim's ReLU, adds a `gamma` Slim never had, or names a layer so that its
    weights load nothing is caught; the right one is proven (the numbers, then the checkpoint by value)."""
    from tf2lint.hosts.migrate import migrate_text
    from tf2lint.runtime import compare_migration, legacy_slim

    from .proof import load

    translated, _plans = migrate_text(SLIM_NET, "net.py", "native")
    if old is not None:
        assert translated.count(old) == 1
        translated = translated.replace(old, new)
    x = np.random.RandomState(0).normal(size=(2, 8, 8, 3)).astype("float32")
    original, native = load(SLIM_NET, "Net", "slim_old"), load(translated, "Net", "slim_new")
    with legacy_slim():
        report = compare_migration(original, native, x, "native", call_kwargs={"training": True})
    if problem is None:
        assert report.proven, str(report)
        assert report.renames["model/Conv_1/weights"].endswith("/model/Conv_1/kernel")
    else:
        assert any(problem in p for p in report.problems), str(report)


def test_the_proof_sees_moving_statistics_updated_differently() -> None:
    """Slim's fused batch norm on a 2-D input next to Keras' (which tf2lint refuses to translate): the training
    call's outputs agree, the inference call after it does not."""
    from tf2lint.runtime import compare_migration, legacy_slim

    from .proof import load

    old = load("import tensorflow as tf\nimport tf_slim as slim\n\n\nclass Net(tf.keras.layers.Layer):\n"
               "    @tf.compat.v1.keras.utils.track_tf1_style_variables\n    def call(self, x, training=None):\n"
               "        return slim.batch_norm(x, is_training=training)\n", "Net", "bn_old")
    new = load("import tensorflow as tf\n\n\nclass Net(tf.keras.layers.Layer):\n    def __init__(self, **kwargs):\n"
               "        super().__init__(**kwargs)\n        self.bn = tf.keras.layers.BatchNormalization(momentum=0.999, "
               "scale=False, name='BatchNorm')\n\n    def call(self, x, training=None):\n"
               "        return self.bn(x, training=training)\n", "Net", "bn_new")
    x = np.random.RandomState(0).normal(size=(4, 6)).astype("float32") * 3 + 1
    with legacy_slim():
        report = compare_migration(old, new, x, "native", call_kwargs={"training": True})
    assert [p for p in report.problems if p.startswith("after one training call")] and not [
        p for p in report.problems if p.startswith("outputs differ")], str(report)
