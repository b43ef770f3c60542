"""`runtime.check` tells the truth over the differential programs (runtime_suite.py): it reports what the
independent probe sees, raises for none, and reports nothing the probe does not see, with every program
checked in this one process after the others (skipped without the runtime extra, unless
TF2LINT_REQUIRE_RUNTIME=1)."""

from __future__ import annotations

import pytest
from conftest import require_runtime

require_runtime()

from .runtime_suite import RuntimeSummary, check_programs  # noqa: E402
from .suite import CI_COUNT, CI_SEED, RESULTS, ci_records  # noqa: E402


@pytest.fixture(scope="module")
def summary() -> RuntimeSummary:
    result = check_programs(ci_records())
    RESULTS.append((f"runtime.check against the independent label: {CI_COUNT} programs, seed {CI_SEED}", result))
    return result


def test_check_reports_every_bug_the_probe_sees_and_nothing_else(summary):
    assert len(summary.programs) > CI_COUNT * 0.8  # the tf.Module hosts: nearly every program
    shown = {fam for p in summary.programs for fam in p.oracle}
    assert shown >= {"growth", "untracked", "TFS105", "TFS109", "TFS111"}  # TFS108: no tf.Module to check
    assert summary.raised == [], summary.report()
    assert summary.false == [], summary.report()
    assert len(summary.hits) == len(summary.buggy), summary.report()


MODULE_THROUGH_STORE = """
import tensorflow as tf

class Model(tf.Module):
    @tf.compat.v1.keras.utils.track_tf1_style_variables
    def __call__(self, x):
        return tf.compat.v1.keras.utils.get_or_create_layer("d", lambda: tf.keras.layers.Dense(4))(x)

def make():
    return Model()

def inputs():
    return (tf.ones((2, 4)),)
"""


def test_the_oracle_drops_a_label_runtime_check_gets_wrong(monkeypatch):
    """runtime.check's old TFS110 (every store regularizer counted, zero or not): the independent probe
    disagrees, the disagreement is printed in the notes and the label is dropped, not learned."""
    from tf2lint.runtime import stability

    from .label import Labeller

    labeller = Labeller()
    assert labeller.label(MODULE_THROUGH_STORE).as_json()["label"] == ["ok"]
    monkeypatch.setattr(stability, "_lost_penalties",
                        lambda obj: tuple(getattr(obj._tf1_style_var_store, "_regularizers", {})))
    label = labeller.label(MODULE_THROUGH_STORE)
    assert label.codes == [] and not label.valid
    assert label.error == "oracle disagreement: runtime.check ['TFS110'], independent probe ['ok']"
    assert any(note.startswith("oracle, instance A: runtime.check ['TFS110']") for note in label.notes)
