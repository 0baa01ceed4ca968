"""Reports the size of the authorization matrix in the terminal summary, so CI output shows it."""

from __future__ import annotations

import pytest

MATRIX_CASES = pytest.StashKey[int]()


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    cases = config.stash.get(MATRIX_CASES, None)
    if cases is not None:
        terminalreporter.write_line(f"authorization matrix: {cases} (route, method, persona) cases")
