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
