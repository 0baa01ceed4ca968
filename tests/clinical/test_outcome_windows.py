"""The windows after a course (Sánchez-Infante 2021), to the second (issue 12)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dryneedling.clinical.outcome_windows import WINDOWS, window_of

END = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_each_window_includes_its_end_and_excludes_its_start():
    assert [w.key for w in WINDOWS] == ["72h", "1_3w", "4_12w", "13_24w"]
    assert window_of(END, END) == "72h"  # the moment the course ends
    assert window_of(END + timedelta(hours=72), END) == "72h"
    assert window_of(END + timedelta(hours=72, seconds=1), END) == "1_3w"
    assert window_of(END + timedelta(days=28), END) == "1_3w"
    assert window_of(END + timedelta(days=28, seconds=1), END) == "4_12w"
    assert window_of(END + timedelta(days=91), END) == "4_12w"
    assert window_of(END + timedelta(days=175), END) == "13_24w"


def test_no_window_before_the_course_ends_after_the_last_or_without_an_end():
    assert window_of(END - timedelta(seconds=1), END) == ""
    assert window_of(END + timedelta(days=175, seconds=1), END) == ""
    assert window_of(END, None) == "" and window_of(None, END) == ""


def test_half_a_second_rounds_away_from_the_end_of_the_course():
    assert window_of(END + timedelta(hours=72, milliseconds=500), END) == "1_3w"
    assert window_of(END + timedelta(hours=72, milliseconds=499), END) == "72h"
    assert window_of(END - timedelta(milliseconds=500), END) == ""
