"""Print the migration proof's line last at the end of every pytest run that ran it."""

from __future__ import annotations

import pytest

from .proof import RESULTS


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001 - pytest's hook signature
    if RESULTS:
        terminalreporter.write_sep("-", "migration proof")
        for line in RESULTS:
            terminalreporter.write_line(line)
