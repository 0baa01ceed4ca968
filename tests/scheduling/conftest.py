from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

ZONE = "Europe/Berlin"
# A Monday far enough ahead that the reminder tests control "now" themselves.
MONDAY = date(2030, 3, 4)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """A time of day in the test clinic's zone, as an aware datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(ZONE))


@pytest.fixture
def clinic_tz(clinic_a):  # type: ignore[no-untyped-def]
    clinic_a.time_zone = ZONE
    clinic_a.save(update_fields=["time_zone"])
    return clinic_a


@pytest.fixture
def hours(clinic_tz, alice, dana):  # type: ignore[no-untyped-def]
    """Alice works 08:00-12:00 and 13:00-17:00 on every weekday (clinic time)."""
    from dryneedling.scheduling.services import working_hours_add

    for weekday in range(5):
        working_hours_add(actor=dana, clinician=alice, weekday=weekday, starts=time(8), ends=time(12))
        working_hours_add(actor=dana, clinician=alice, weekday=weekday, starts=time(13), ends=time(17))
    return alice


@pytest.fixture
def follow_up_type(clinic_tz):  # type: ignore[no-untyped-def]
    from dryneedling.scheduling.services import appointment_types_seed

    types = {t.name: t for t in appointment_types_seed(clinic=clinic_tz)}
    return types["Dry-needling follow-up"]


@pytest.fixture
def booked(bob, alice, patient_a, hours, follow_up_type):  # type: ignore[no-untyped-def]
    from dryneedling.scheduling.services import appointment_book

    return appointment_book(
        actor=bob, clinician=alice, patient=patient_a, appointment_type=follow_up_type, starts_at=at(MONDAY, 9)
    )


def book(actor, clinician, patient, kind, start, **extra):  # type: ignore[no-untyped-def]
    from dryneedling.scheduling.services import appointment_book

    return appointment_book(
        actor=actor, clinician=clinician, patient=patient, appointment_type=kind, starts_at=start, **extra
    )


NEXT_WEEK = timedelta(days=7)
