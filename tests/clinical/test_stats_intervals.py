"""Wilson and Student t intervals against hand-computed values; the stats package loads no Django."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import dryneedling.clinical.stats
from dryneedling.clinical.stats import mean_interval, mean_interval_from_summary, wilson_interval
from dryneedling.clinical.stats.intervals import z_for

# z = 1.959964 (95%), z² = 3.841459. Wilson: centre = (p + z²/2n)/(1 + z²/n),
# half-width = z/(1 + z²/n) · √(p(1−p)/n + z²/4n²).


@pytest.mark.parametrize(
    ("events", "n", "low", "high"),
    [
        # 10/30: centre 0.397358/1.128049 = 0.352252, half 1.737481 × 0.0920569 = 0.159947
        (10, 30, 0.1923, 0.5122),
        # 0/20: centre = half = 0.080563 → (0, 0.1611)
        (0, 20, 0.0, 0.1611),
        # 20/20: the mirror of 0/20
        (20, 20, 0.8389, 1.0),
    ],
)
def test_wilson_interval_matches_hand_computed_values(events: int, n: int, low: float, high: float) -> None:
    result = wilson_interval(events, n)
    assert result.estimate == pytest.approx(events / n)
    assert result.low == pytest.approx(low, abs=5e-5)
    assert result.high == pytest.approx(high, abs=5e-5)
    assert result.n == n
    assert "Wilson" in result.source


def test_wilson_interval_without_cases_says_so() -> None:
    result = wilson_interval(0, 0)
    assert (result.estimate, result.low, result.high) == (None, None, None)
    assert result.note == "No cases: no rate to estimate."


@pytest.mark.parametrize(("events", "n"), [(-1, 5), (6, 5), (0, -1)])
def test_wilson_interval_refuses_impossible_counts(events: int, n: int) -> None:
    with pytest.raises(ValueError):
        wilson_interval(events, n)


def test_z_quantiles() -> None:
    assert z_for(0.95) == pytest.approx(1.959964, abs=1e-6)
    assert z_for(0.998) == pytest.approx(3.090232, abs=1e-6)


def test_mean_interval_matches_hand_computed_values() -> None:
    # mean 3, SD √2.5 = 1.581139, SE 0.707107, t(0.975, 4) = 2.776445 → half-width 1.963243
    result = mean_interval([1, 2, 3, 4, 5])
    assert result.estimate == pytest.approx(3.0)
    assert result.low == pytest.approx(1.036757, abs=1e-6)
    assert result.high == pytest.approx(4.963243, abs=1e-6)
    assert result.method == "Student t"


def test_mean_interval_from_sql_summary_matches_the_values() -> None:
    """The dashboard's form: n, mean and SD aggregated in SQL; same hand-computed interval as above."""
    result = mean_interval_from_summary(5, 3.0, 2.5**0.5)
    assert result.low == pytest.approx(1.036757, abs=1e-6)
    assert result.high == pytest.approx(4.963243, abs=1e-6)
    assert mean_interval_from_summary(0, None, None).note == "No values: no mean."
    assert mean_interval_from_summary(1, 4.0, None).low is None


def test_mean_interval_needs_two_values() -> None:
    assert mean_interval([]).estimate is None
    one = mean_interval([4.0])
    assert (one.estimate, one.low, one.high) == (4.0, None, None)
    assert one.note == "One value: no interval."


SCRIPT = """
import json, sys
import dryneedling.clinical.stats
print(json.dumps(sorted(sys.modules)))
"""


def test_stats_package_imports_no_django() -> None:
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, check=True)
    modules = json.loads(result.stdout)
    assert [m for m in modules if m.startswith("django")] == []
    assert "statsmodels" in modules and "lifelines" in modules  # the libraries did load
    outside = [m for m in modules if m.startswith("dryneedling.") and not m.startswith("dryneedling.clinical")]
    assert outside == []


def test_stats_sources_import_nothing_from_django_or_the_apps() -> None:
    for path in Path(dryneedling.clinical.stats.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            else:
                continue
            for name in names:
                assert not name.startswith("django"), (path.name, name)
                assert not name.startswith("dryneedling.") or name.startswith("dryneedling.clinical"), (path.name, name)
