"""Kaplan–Meier time to first response (lifelines) against a hand-worked example with censoring."""

from __future__ import annotations

import pytest

from dryneedling.clinical.stats import kaplan_meier


def test_kaplan_meier_matches_the_hand_worked_example() -> None:
    # days to first response; False = censored (no response by the last score)
    # t=2: 6 at risk, 1 response → S = 5/6 = 0.8333
    # t=3: 5 at risk, 1 response, 1 censored → S = 5/6 × 4/5 = 0.6667
    # t=5: 3 at risk, 1 response → S = 0.6667 × 2/3 = 0.4444 (first ≤ 0.5: the median is 5 days)
    # t=6: 2 at risk, 1 censored → S unchanged
    # t=8: 1 at risk, 1 response → S = 0
    result = kaplan_meier([2, 3, 3, 5, 6, 8], [True, True, False, True, False, True])
    assert (result.n, result.events) == (6, 4)
    assert result.median == 5.0
    rows = [(r.time, r.at_risk, r.events, r.censored) for r in result.table]
    assert rows == [(2.0, 6, 1, 0), (3.0, 5, 1, 1), (5.0, 3, 1, 0), (6.0, 2, 0, 1), (8.0, 1, 1, 0)]
    assert [r.survival for r in result.table] == pytest.approx([5 / 6, 2 / 3, 4 / 9, 4 / 9, 0.0])
    assert result.table[2].responded == pytest.approx(5 / 9)
    first = result.table[0]
    assert first.low is not None and first.high is not None
    assert first.low < first.survival < first.high
    assert "Kaplan" in result.source and "lifelines" in result.source


def test_median_not_reached_when_most_never_respond() -> None:
    result = kaplan_meier([7, 14, 21, 28], [True, False, False, False])
    assert result.median is None
    assert result.table[0].survival == pytest.approx(0.75)


def test_no_responses_and_no_episodes_say_so() -> None:
    none = kaplan_meier([7, 14], [False, False])
    assert none.median is None and none.events == 0
    assert none.note == "No responses yet: the median is not reached."
    empty = kaplan_meier([], [])
    assert empty.n == 0 and empty.table == [] and empty.note == "No episodes."


def test_kaplan_meier_refuses_mismatched_or_negative_input() -> None:
    with pytest.raises(ValueError):
        kaplan_meier([1, 2], [True])
    with pytest.raises(ValueError):
        kaplan_meier([-1], [True])
