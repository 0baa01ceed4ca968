"""Synthetic appointment books for the demo and the benchmark, written in bulk (no per-row audit:
like the synthetic seeder, this is data generation, not clinic work)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from dryneedling.accounts.models import Clinic, User
from dryneedling.patients.models import Episode
from dryneedling.scheduling import rules
from dryneedling.scheduling.models import Appointment, WorkingHours
from dryneedling.scheduling.services import appointment_types_seed

OPEN, CLOSE = time(8), time(18)


def seed_hours(*, clinic: Clinic, clinicians: list[User], weekdays: range = range(7)) -> None:
    """08:00-18:00 on the given weekdays for each clinician without hours (the demo opens daily so
    that today always has a book)."""
    rows = [
        WorkingHours(clinic=clinic, clinician=c, weekday=d, starts=OPEN, ends=CLOSE)
        for c in clinicians
        if not WorkingHours.objects.filter(clinician=c).exists()
        for d in weekdays
    ]
    WorkingHours.objects.bulk_create(rows)


def seed_book(
    *, clinic: Clinic, clinicians: list[User], patient_ids: list[int], first_day: date, days: int, now: datetime
) -> int:
    """A full day per clinician per day: a 60-minute assessment at 08:00, then 30-minute follow-ups
    with a gap every fourth slot. Past appointments are done (every ninth a no-show); the one
    running now is arrived. Returns the number written."""
    types = {t.minutes: t for t in appointment_types_seed(clinic=clinic)}
    episodes = dict(
        Episode.objects.for_clinic(clinic).filter(patient_id__in=patient_ids).values_list("patient_id", "id")
    )
    rows: list[Appointment] = []
    n = 0
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for clinician in clinicians:
            start = rules.local_to_utc(day, OPEN, clinic.time_zone)
            close = rules.local_to_utc(day, CLOSE, clinic.time_zone)
            slot = 0
            while start < close:
                kind = types[60] if slot == 0 else types[30]
                end = start + timedelta(minutes=kind.minutes)
                if end > close:
                    break
                if slot % 4 != 3:
                    patient_id = patient_ids[n % len(patient_ids)]
                    status = rules.BOOKED
                    if end <= now:
                        status = rules.NO_SHOW if n % 9 == 8 else rules.DONE
                    elif start <= now:
                        status = rules.ARRIVED
                    rows.append(
                        Appointment(
                            clinic=clinic,
                            clinician=clinician,
                            patient_id=patient_id,
                            episode_id=episodes.get(patient_id),
                            appointment_type=kind,
                            starts_at=start,
                            ends_at=end,
                            status=status,
                            arrived_at=start if status in (rules.ARRIVED, rules.DONE) else None,
                        )
                    )
                    n += 1
                start, slot = end, slot + 1
    Appointment.objects.bulk_create(rows, batch_size=1000)
    return len(rows)
