"""Print the differential suite's confusion matrix and summary line at the end of every pytest run."""

from __future__ import annotations

from .suite import RESULTS
from .names import LINES


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001 - pytest's hook signature
    for title, summary in RESULTS:
        terminalreporter.write_sep("-", title)
        terminalreporter.write_line(summary.report())
    for line in LINES:
        terminalreporter.write_sep("-", "first-call variable names")
        terminalreporter.write_line(line)
