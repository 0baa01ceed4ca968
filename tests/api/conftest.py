"""The API schema fuzz (test_api_schema_fuzz.py) reports its number of cases per role, and the
status codes seen per operation, in pytest's terminal summary: shown with or without -s."""

from __future__ import annotations

from typing import Any

import pytest

_REPORT: dict[str, dict[str, Any]] = {}


@pytest.fixture
def fuzz_report() -> dict[str, dict[str, Any]]:
    return _REPORT


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # type: ignore[no-untyped-def]
    if not _REPORT:
        return
    terminalreporter.section("API schema fuzz")
    for role, run in _REPORT.items():
        terminalreporter.write_line(f"{role}: {run['cases']} cases over {run['operations']} operations")
        by_operation: dict[str, list[str]] = {}
        for (label, status), count in sorted(run["statuses"].items()):
            by_operation.setdefault(label, []).append(f"{status}×{count}")
        for label, seen in by_operation.items():
            terminalreporter.write_line(f"  {label}: {' '.join(seen)}")
