"""The comparison's arithmetic, on hand-made records (no TensorFlow)."""

from __future__ import annotations

from .compare import compare

GROWS = "import tensorflow as tf  # grows, under track_tf1_style_variables\n"
CLEAN = "import tensorflow as tf  # clean, under track_tf1_style_variables\n"


def fake_lint(source: str) -> list[str]:
    return ["TFS101"] if "grows" in source else []


def record(id: str, source: str, label: list[str], masked: tuple = (), error: str | None = None) -> dict:
    return {"id": id, "source": source, "label": label, "masked": list(masked), "error": error}


def test_families_recall_false_positives_and_masking():
    records = [
        record("a", GROWS, ["TFS102"]),  # same family (growth): agrees
        record("b", CLEAN, ["TFS106"]),  # missed
        record("c", GROWS, ["ok"]),  # false positive
        record("d", GROWS, ["TFS105"], masked=["growth"]),  # raised first; the growth finding explains it
        record("e", CLEAN, ["ok"], error="NameError: x"),  # a broken program
    ]
    summary = compare(records, fake_lint, {"c": "reviewed"})
    assert summary.invalid == ["e"]
    assert [o.id for o in summary.mismatches] == ["b"]
    assert summary.matrix()["growth"] == {"TP": 1, "FP": 1, "TN": 1}
    assert summary.last_line() == "differential: 4 programs, recall 2/3, false positives 1, allowed 1"
    # Strictly, "d"'s TFS105 is not explained by the (masked) growth finding: a miss.
    assert summary.strict_line() == (
        "strict (no in_scope, no explained): recall 1/3, false positives 1, programs with masked families 1")


def test_a_cause_found_by_the_linter_counts_for_the_symptom_it_shows_as():
    from tests.differential.compare import explained

    # Growth inside a tf.function shows as the singleton-variables error: a growth finding explains it.
    assert explained({"TFS105"}, {"growth"}) == {"TFS105"}
    # A runtime that shows the growth itself needs the growth finding for it.
    assert explained({"TFS105", "growth"}, {"growth"}) == {"growth"}
    # Nothing is explained without a finding of the cause, and other families are left alone.
    assert explained({"TFS105"}, {"TFS111"}) == {"TFS111"}
    # Weights re-created in a layer the store built show as growth: an untracked finding explains it,
    # but not when the runtime also shows untracked variables of its own.
    assert explained({"growth"}, {"untracked"}) == {"growth"}
    assert explained({"growth", "untracked"}, {"untracked"}) == {"untracked"}
    assert explained({"untracked"}, {"growth"}) == {"untracked"}


def test_programs_that_never_use_the_shim_are_in_scope_for_the_forgotten_decorator_and_per_call_weights():
    from tests.differential.compare import in_scope

    assert in_scope("class L: ... track_tf1_style_variables ...", {"TFS111", "growth"}) == {"TFS111", "growth"}
    assert in_scope("x = tf.compat.v1.get_variable('w')", {"untracked", "TFS111"}) == {"untracked"}
    # TFS116: weights built on every call of an undecorated Keras call / Module __call__.
    assert in_scope("v = tf.Variable(1.0)", {"untracked", "TFS111"}) == {"untracked"}
    assert in_scope("w = self.add_weight(name='w')", {"growth"}) == {"growth"}
    assert in_scope("y = tf.keras.layers.Dense(3)(x)", {"TFS105"}) == {"TFS105"}
    assert in_scope('y = tf.keras.layers.Activation("relu")(x)', {"untracked"}) == set()
    assert in_scope("with v1.variable_scope(v1.get_variable_scope()): d = Dense(3)", {"untracked"}) == set()
