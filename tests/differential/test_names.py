"""The variable-name model against the names the differential programs' first calls create under TF.

Wherever the model claims to know every name of a class, they must be exactly TF's; the last line is
`names: N programs, exact E/K known, unknown U` (tests/differential/names.py)."""

from __future__ import annotations

import pytest
from conftest import require_runtime

require_runtime()

from .generator import generate  # noqa: E402
from .names import LINES, compare  # noqa: E402
from .suite import CI_SEED  # noqa: E402

NAMES_COUNT = 300



@pytest.fixture(scope="module")
def summary():
    result = compare([(p.id, p.source) for p in generate(NAMES_COUNT, CI_SEED)])
    LINES.append(result.line())
    return result


def test_every_claimed_name_is_exact(summary) -> None:
    assert summary.wrong == [], summary.wrong[0]


def test_the_model_claims_a_share_of_the_programs(summary) -> None:
    # Issue 21 asks for K >= 90% of N: 199 of 210 on seed 0, programs of two modules included (README). Still
    # unknown: auto-names and default-named scopes inside a `tf.function` (named again by its second trace),
    # traces inside traces, objects built in two guarded places.
    assert summary.known >= 0.9 * summary.programs and summary.programs >= 0.6 * NAMES_COUNT
