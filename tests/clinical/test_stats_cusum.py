"""Bernoulli CUSUM (Steiner et al. 2000): hand-computed weights, a planted run signals, in-control
data (seeded) does not."""

from __future__ import annotations

import math
import random

import pytest

from dryneedling.clinical.stats import bernoulli_cusum
from dryneedling.clinical.stats.cusum import event_weight, limit_for_false_alarm

# Clinic rate 10%, odds ratio 2: 1 − p + R·p = 1.1, so an event adds log(2/1.1) = 0.597837 and a case
# without one adds log(1/1.1) = −0.095310.
EVENT = math.log(2 / 1.1)
NO_EVENT = math.log(1 / 1.1)


def test_weights_match_hand_computation() -> None:
    assert event_weight(True, 0.1) == pytest.approx(0.597837, abs=1e-6)
    assert event_weight(False, 0.1) == pytest.approx(-0.095310, abs=1e-6)
    # risk-adjusted: a case with expected risk 20%: 1 − 0.2 + 0.4 = 1.2
    assert event_weight(True, 0.2) == pytest.approx(math.log(2 / 1.2))
    assert event_weight(False, 0.2) == pytest.approx(-math.log(1.2))


def test_a_planted_run_of_events_signals_at_the_hand_computed_case_and_resets() -> None:
    # 7 events: 4.184859 < 4.5; the 8th: 4.782696 ≥ 4.5 → signal at index 7, then S restarts at 0
    result = bernoulli_cusum([True] * 10, 0.1, odds_ratio=2, limit=4.5)
    assert result.signals == [7]
    assert result.alerted
    assert result.values[6] == pytest.approx(7 * EVENT)
    assert result.values[7] == pytest.approx(8 * EVENT)
    assert result.values[8] == pytest.approx(EVENT)  # restarted after the signal
    assert "Steiner" in result.source


def test_the_chart_never_falls_below_zero() -> None:
    result = bernoulli_cusum([False, False, True, False], 0.1)
    assert result.values[:2] == [0.0, 0.0]
    assert result.values[2] == pytest.approx(EVENT)
    assert result.values[3] == pytest.approx(EVENT + NO_EVENT)
    assert not result.alerted


def _in_control(seed: int, cases: int, rate: float) -> list[bool]:
    rng = random.Random(seed)
    return [rng.random() < rate for _ in range(cases)]


def test_in_control_data_does_not_signal_and_a_planted_run_after_it_does() -> None:
    cases = _in_control(2026, 400, 0.1)
    assert 25 <= sum(cases) <= 55  # about 10% serious events, as planted
    quiet = bernoulli_cusum(cases, 0.1)
    assert quiet.signals == []
    planted = bernoulli_cusum([*cases, *([True] * 8)], 0.1)
    assert planted.signals
    assert planted.signals[0] >= len(cases)  # it signals inside the planted run, not before


def test_a_doubled_event_rate_signals_and_the_clinic_rate_rarely_does() -> None:
    # 50 seeded runs of 300 cases each: at the doubled odds (p = 0.1 → 2/11 ≈ 0.18) nearly every run
    # signals; at the clinic rate few do (false alarms are possible by design, not frequent).
    doubled = sum(bernoulli_cusum(_in_control(seed, 300, 2 / 11), 0.1).alerted for seed in range(50))
    in_control = sum(bernoulli_cusum(_in_control(seed, 300, 0.1), 0.1).alerted for seed in range(50))
    assert doubled >= 40
    assert in_control <= 10


def test_risk_adjusted_chart_takes_one_risk_per_case() -> None:
    result = bernoulli_cusum([True, False], [0.2, 0.1])
    assert result.values == pytest.approx([math.log(2 / 1.2), math.log(2 / 1.2) + NO_EVENT])
    with pytest.raises(ValueError):
        bernoulli_cusum([True, False], [0.2])
    with pytest.raises(ValueError):
        bernoulli_cusum([True], 0.0)


def test_a_limit_chosen_for_five_percent_false_alarms_gives_about_that_in_control() -> None:
    h = limit_for_false_alarm(0.1, 300, false_alarm=0.05)
    assert 2.5 < h < 6.0
    assert limit_for_false_alarm(0.1, 300, false_alarm=0.01) > h  # fewer false alarms need a higher limit
    # fresh seeded in-control charts (seeds unlike the simulation's): about 5% signal
    alarms = sum(bernoulli_cusum(_in_control(1000 + seed, 300, 0.1), 0.1, limit=h).alerted for seed in range(400))
    assert 8 <= alarms <= 34  # 400 × 5% = 20; binomial 99.9% range roughly 8-34
    # and a doubled odds of a serious event is still caught most of the time
    caught = sum(bernoulli_cusum(_in_control(seed, 300, 2 / 11), 0.1, limit=h).alerted for seed in range(100))
    assert caught >= 80


def test_one_expected_risk_gives_the_case_by_case_chart():
    """The run-at-a-time path (one risk for every case) against the case-by-case one (a risk per case)."""
    rng = random.Random(3)
    cases = ((0.001, 2.0, 2.0), (0.05, 2.0, 2.0), (0.3, 3.0, 2.0), (0.05, 0.5, 0.3), (0.01, 0.5, 0.3))  # OR < 1: a fall
    for risk, odds_ratio, limit in cases:
        for _ in range(100):
            events = [rng.random() < risk * 3 for _ in range(rng.randint(0, 300))]
            fast = bernoulli_cusum(events, risk, odds_ratio=odds_ratio, limit=limit)
            each = bernoulli_cusum(events, [risk] * len(events), odds_ratio=odds_ratio, limit=limit)
            assert fast.signals == each.signals
            assert fast.values == pytest.approx(each.values, abs=1e-9)
