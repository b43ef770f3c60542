"""Print the drift suite's line at the end of the run."""

from __future__ import annotations

from .suite import RESULTS


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001 - pytest's hook signature
    for line in RESULTS:
        terminalreporter.write_sep("-", "drift suite")
        terminalreporter.write_line(line)
