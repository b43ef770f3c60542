"""The drift suite: generated before/after pairs of a shim class, each labelled under TF 2.21 + tf-keras 2.21 by
saving a checkpoint of the old class and restoring it into the new one (one process), against TFS115 with a
names lock written from the old code. Every safe TFS115 fix is applied and the fixed code labelled again.
The last line is `drift: N pairs, ..., recall H/B, false positives F`."""

from __future__ import annotations

import pytest
from conftest import require_runtime

require_runtime()

from .generator import OPS, generate  # noqa: E402
from .suite import CI_COUNT, CI_SEED, RESULTS, run  # noqa: E402

RECALL_TARGET = 0.98


@pytest.fixture(scope="module")
def summary():
    result = run(CI_COUNT, CI_SEED)
    RESULTS.append(result.line())
    return result


def test_generator_covers_every_edit_and_is_deterministic() -> None:
    pairs = generate(CI_COUNT, CI_SEED)
    assert {p.op for p in pairs} == set(OPS) and len(pairs) >= 150
    assert [p.new.source() for p in generate(30, 3)] == [p.new.source() for p in generate(30, 3)]


def test_the_labels_are_not_one_sided(summary) -> None:
    assert summary.by_op["rename_scope"][1] >= 0.8 * summary.by_op["rename_scope"][0]  # names move (objects stay)
    assert summary.by_op["cosmetic"][1] == 0 and summary.by_op["native_recorded"][1] == 0
    assert 0.15 * summary.pairs < summary.drifted < 0.7 * summary.pairs


def test_no_false_positive(summary) -> None:
    assert summary.false_positives == [], summary.false_positives[0]


def test_recall(summary) -> None:
    assert summary.hits >= RECALL_TARGET * summary.drifted, summary.misses[:1]


def test_every_safe_fix_restores_the_checkpoint(summary) -> None:
    assert summary.fixes_broken == [], summary.fixes_broken[0]
    assert summary.fixed >= 10 and summary.recorded >= 5
