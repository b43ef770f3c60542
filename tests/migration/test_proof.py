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
        assert "objects" in outcome.reports, case.name
        assert set(outcome.reports) == set(outcome.sources) - {"original"}
        if case.why == "get_variable":
            assert "weights" in outcome.reports, case.name
        else:
            assert "native" in outcome.reports, case.name
    assert sum("weights" in o.reports for _c, o in migrated) >= 10
