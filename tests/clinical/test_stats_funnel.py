"""Funnel-plot control limits (Spiegelhalter 2005) against hand-computed binomial quantiles."""

from __future__ import annotations

import pytest

from dryneedling.clinical.stats import funnel_limits, funnel_position


def test_exact_limits_at_n10_target_half_match_hand_computation() -> None:
    # Binomial(10, 0.5): F(0) = 1/1024, F(1) = 11/1024, F(2) = 56/1024, F(7) = 968/1024,
    # F(8) = 1013/1024, F(9) = 1023/1024.
    # 2.5%: r = 2, α = (56/1024 − 0.025)/(45/1024) = 0.675556 → (2 − α)/10 = 0.132444
    # 97.5%: r = 8, α = (1013/1024 − 0.975)/(45/1024) = 0.324444 → 0.767556
    # 0.1%: r = 1, α = (11/1024 − 0.001)/(10/1024) = 0.997600 → 0.000240
    # 99.9%: r = 9, α = (1023/1024 − 0.999)/(10/1024) = 0.002400 → 0.899760
    result = funnel_limits(10, 0.5)
    assert result.method == "exact"
    assert result.limits[0.95] == pytest.approx((0.132444, 0.767556), abs=1e-6)
    assert result.limits[0.998] == pytest.approx((0.000240, 0.899760), abs=1e-6)
    assert "Spiegelhalter" in result.source and "Stat Med 2005" in result.source


def test_normal_limits_at_n100_target_tenth_match_hand_computation() -> None:
    # SE = √(0.1 × 0.9 / 100) = 0.03; 1.959964 × 0.03 = 0.058799; 3.090232 × 0.03 = 0.092707
    result = funnel_limits(100, 0.1, method="normal")
    assert result.limits[0.95] == pytest.approx((0.041201, 0.158799), abs=1e-6)
    assert result.limits[0.998] == pytest.approx((0.007293, 0.192707), abs=1e-6)
    assert "normal approximation" in result.source


def test_exact_limits_approach_the_normal_ones_and_narrow_as_n_grows() -> None:
    widths = []
    for n in (20, 100, 1000, 10000):
        exact = funnel_limits(n, 0.3).limits[0.95]
        widths.append(exact[1] - exact[0])
    assert widths == sorted(widths, reverse=True)
    exact = funnel_limits(10000, 0.3).limits[0.998]
    normal = funnel_limits(10000, 0.3, method="normal").limits[0.998]
    assert exact == pytest.approx(normal, abs=5e-4)


def test_limits_stay_proportions() -> None:
    low, high = funnel_limits(5, 0.02).limits[0.998]
    assert 0.0 <= low <= 0.02 <= high <= 1.0
    assert funnel_limits(50, 0.0).limits[0.95] == (0.0, 0.0)


@pytest.mark.parametrize(
    ("events", "expected"),
    [
        (0, "below 99.8%"),  # 0 < 0.00024
        (1, "below 95%"),  # 0.1 < 0.132444
        (2, "within"),
        (5, "within"),
        (7, "within"),
        (8, "above 95%"),  # 0.8 > 0.767556
        (9, "above 99.8%"),  # 0.9 > 0.899760
    ],
)
def test_position_against_the_limits_at_its_own_n(events: int, expected: str) -> None:
    assert funnel_position(events, 10, 0.5) == expected


def test_a_doubled_rate_with_many_sessions_is_above_the_funnel() -> None:
    # clinic rate 10%; a clinician with 40 events in 200 sessions (20%): normal 99.8% upper limit
    # 0.1 + 3.090232 × √(0.09/200) = 0.165554 < 0.2
    assert funnel_position(40, 200, 0.1) == "above 99.8%"
    assert funnel_position(22, 200, 0.1) == "within"


@pytest.mark.parametrize(("n", "target"), [(0, 0.1), (10, -0.1), (10, 1.5)])
def test_funnel_refuses_impossible_input(n: int, target: float) -> None:
    with pytest.raises(ValueError):
        funnel_limits(n, target)
