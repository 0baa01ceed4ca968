"""The soreness reading rule (issue 11): which reading is due when, and the trend in words."""

from __future__ import annotations

import pytest

from dryneedling.clinical import soreness as rule


@pytest.mark.parametrize(
    ("elapsed", "taken", "hours", "next_hours"),
    [
        (3, [], None, 24),  # too early: the 24 h reading opens at 18 h
        (17.9, [0], None, 24),
        (18, [], 24, None),
        (30, [], 24, None),
        (31, [], None, 48),  # the 24 h window missed: the 48 h one is next
        (26, [24], None, 48),  # the 24 h reading taken: wait for the 48 h one
        (44, [24], 48, None),
        (44, [24, 48], None, 72),
        (70, [24], 72, None),  # a missed 48 h reading does not block the 72 h one
        (79, [], None, None),  # all windows closed
        (70, [24, 48, 72], None, None),
    ],
)
def test_the_reading_due(elapsed, taken, hours, next_hours):  # type: ignore[no-untyped-def]
    due = rule.due_at(elapsed, taken)
    assert (due.hours, due.next_hours) == (hours, next_hours)
    assert rule.later_readings_possible(elapsed, taken) == (hours is not None or next_hours is not None)


def test_windows_and_the_link_s_end():
    assert rule.window(48) == (42, 54)
    assert rule.LAST_HOURS == 78
    assert rule.due_at(3, []).opens_at_hours == 18
    assert rule.due_at(20, []).closes_at_hours == 30


@pytest.mark.parametrize(
    ("readings", "words"),
    [
        ({0: 6, 24: 4, 48: 2, 72: 1}, "0 h 6 → 24 h 4 → 48 h 2 → 72 h 1: settling"),
        ({0: 6, 24: 3, 48: 0}, "0 h 6 → 24 h 3 → 48 h 0: settled"),
        ({24: 5}, "24 h 5: one reading so far"),
        ({0: 4, 24: 5}, "0 h 4 → 24 h 5: not settling yet"),
        ({0: 4, 24: 5, 72: 6}, "0 h 4 → 24 h 5 → 72 h 6: not settled by 72 h: review at the next session"),
        ({}, "No soreness readings yet."),
    ],
)
def test_trend_words(readings, words):  # type: ignore[no-untyped-def]
    assert rule.trend_words(readings) == words


@pytest.mark.parametrize("bad", ["11", "-1", "2.5", "lots", "", None])
def test_a_score_is_a_whole_number_from_0_to_10(bad):  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="choose a whole number from 0 to 10"):
        rule.check_score(bad)
    assert rule.check_score(" 7 ") == 7


def test_the_sources_are_in_the_knowledge_base():
    from dryneedling.clinical.knowledge import get_knowledge

    sources = get_knowledge().sources
    assert all(s in sources for s in rule.SOURCES)
