"""Print the migration proof's line last at the end of every pytest run that ran it."""

from __future__ import annotations

import pytest

from .proof import GUIDE, RESULTS


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001 - pytest's hook signature
    if GUIDE:
        terminalreporter.write_sep("-", "the guide's examples, migrated stage by stage (variable names as TF prints them)")
        for line in GUIDE:
            terminalreporter.write_line(line)
    if RESULTS:
        terminalreporter.write_sep("-", "migration proof")
        for line in RESULTS:
            terminalreporter.write_line(line)
