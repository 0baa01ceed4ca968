"""The appointment book's pure rules: overlap, status transitions, working hours, clinic-local time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dryneedling.scheduling import rules

T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
minutes = st.integers(min_value=0, max_value=24 * 60)
lengths = st.integers(min_value=1, max_value=240)


@given(minutes, lengths, minutes, lengths)
def test_overlap_is_symmetric_and_matches_a_minute_by_minute_count(a, la, b, lb):
    a_start, a_end = T0 + timedelta(minutes=a), T0 + timedelta(minutes=a + la)
    b_start, b_end = T0 + timedelta(minutes=b), T0 + timedelta(minutes=b + lb)
    shared = len(set(range(a, a + la)) & set(range(b, b + lb)))
    assert rules.overlaps(a_start, a_end, b_start, b_end) == (shared > 0)
    assert rules.overlaps(a_start, a_end, b_start, b_end) == rules.overlaps(b_start, b_end, a_start, a_end)


def test_back_to_back_appointments_do_not_overlap():
    assert not rules.overlaps(T0, T0 + timedelta(minutes=30), T0 + timedelta(minutes=30), T0 + timedelta(minutes=60))


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        ("booked", "arrived", True),
        ("arrived", "in_session", True),
        ("in_session", "done", True),
        ("booked", "no_show", True),
        ("booked", "cancelled", True),
        ("arrived", "cancelled", True),
        ("booked", "in_session", False),
        ("booked", "done", False),
        ("done", "booked", False),
        ("cancelled", "arrived", False),
        ("no_show", "arrived", False),
        ("in_session", "cancelled", False),
        ("arrived", "arrived", False),
    ],
)
def test_status_transitions(current, new, allowed):
    problem = rules.transition_problem(current, new)
    assert (problem is None) == allowed
    if problem:
        assert "cannot" in problem  # a sentence, not a code


@given(st.sampled_from(rules.STATUSES), st.sampled_from(rules.STATUSES))
def test_terminal_statuses_go_nowhere(current, new):
    if current in rules.TERMINAL:
        assert rules.transition_problem(current, new) is not None


HOURS = [(0, time(8), time(12)), (0, time(13), time(17))]  # Mondays, with a lunch break


@pytest.mark.parametrize(
    ("start", "end", "fits"),
    [
        (time(8), time(9), True),
        (time(11, 30), time(12), True),
        (time(11, 30), time(12, 30), False),  # runs into lunch
        (time(7, 30), time(8, 30), False),
        (time(16, 30), time(17, 30), False),
        (time(13), time(17), True),
    ],
)
def test_an_appointment_fits_one_block_of_working_hours(start, end, fits):
    monday = date(2026, 3, 2)
    assert rules.fits_hours(datetime.combine(monday, start), datetime.combine(monday, end), HOURS) == fits
    tuesday = monday + timedelta(days=1)
    assert not rules.fits_hours(datetime.combine(tuesday, start), datetime.combine(tuesday, end), HOURS)


def test_an_appointment_past_midnight_never_fits():
    monday = datetime(2026, 3, 2, 23, 30)
    assert not rules.fits_hours(
        monday, monday + timedelta(hours=1), [(0, time(0), time(23, 59)), (1, time(0), time(23, 59))]
    )


def test_local_time_becomes_utc_in_the_clinics_zone():
    at = rules.local_to_utc(date(2026, 7, 1), time(9, 0), "Europe/Berlin")
    assert at == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)  # CEST is UTC+2
    assert rules.local_to_utc(date(2026, 1, 5), time(9, 0), "Europe/Berlin") == datetime(2026, 1, 5, 8, 0, tzinfo=UTC)


def test_a_time_that_does_not_exist_in_the_clinics_zone_is_refused():
    # Clocks in Berlin jump from 02:00 to 03:00 on 29 March 2026.
    with pytest.raises(rules.NonexistentLocalTime, match="does not exist"):
        rules.local_to_utc(date(2026, 3, 29), time(2, 30), "Europe/Berlin")


def test_day_bounds_follow_the_clinics_zone_across_a_clock_change():
    start, end = rules.day_bounds(date(2026, 3, 29), "Europe/Berlin")
    assert start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=23)


def test_unknown_time_zone_names_are_refused():
    assert rules.valid_zone("Europe/Berlin")
    assert not rules.valid_zone("Mars/Olympus")
    assert not rules.valid_zone("../../etc/passwd")
