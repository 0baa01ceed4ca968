"""A clinic A record with one of everything the API serves (issue 13, second part): a screening,
a completed session with a point and a side effect, its note and check-in, a score, a home-care
plan and an appointment of Alice's, written through the services as the web writes them. And the
schema fuzz's report (test_api_schema_fuzz.py): its number of cases per role and the statuses seen
per operation, in pytest's terminal summary, shown with or without -s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from dryneedling.accounts.api_tokens import api_token_create
from tests.treatment.conftest import episode_a, finish, ready_episode, record, start_session  # noqa: F401

ZONE = "Europe/Berlin"
MONDAY = date(2030, 3, 4)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(ZONE))


def api_client(user, scope: str = "read") -> Client:  # type: ignore[no-untyped-def]
    return Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(actor=user, name='t', scope=scope).plaintext}")


@dataclass
class Record:
    screening_id: int
    session_id: int
    note_id: int
    check_in_id: int
    outcome_id: int
    plan_id: int
    appointment_id: int
    episode_id: int
    patient_id: int
    appointment_type_id: int

    def params(self) -> dict[str, int]:
        return {f: getattr(self, f) for f in self.__dataclass_fields__}


def _kept(screening_id: int, session, outcome, plan, booked) -> Record:  # type: ignore[no-untyped-def]
    from dryneedling.treatment.models import Note

    return Record(
        screening_id=screening_id,
        session_id=session.pk,
        note_id=Note.unscoped.get(session=session).pk,
        check_in_id=session.check_ins.get().pk,
        outcome_id=outcome.pk,
        plan_id=plan.pk,
        appointment_id=booked.pk,
        episode_id=session.episode_id,
        patient_id=session.patient_id,
        appointment_type_id=booked.appointment_type_id,
    )


@pytest.fixture
def hours_a(clinic_a, alice, dana):  # type: ignore[no-untyped-def]
    """Alice works 08:00-12:00 on every weekday, in Berlin time."""
    from dryneedling.scheduling.services import working_hours_add

    clinic_a.time_zone = ZONE
    clinic_a.save(update_fields=["time_zone"])
    for weekday in range(5):
        working_hours_add(actor=dana, clinician=alice, weekday=weekday, starts=time(8), ends=time(12))
    return alice


@pytest.fixture
def record_a(alice, patient_a, ready_episode, hours_a) -> Record:  # type: ignore[no-untyped-def]  # noqa: F811
    from dryneedling.care.adverse import adverse_event_record
    from dryneedling.followup.homecare import home_care_plan_create
    from dryneedling.followup.services import outcome_record
    from dryneedling.intake.models import Screening
    from dryneedling.scheduling.services import appointment_book, appointment_types_seed

    session = start_session(alice, ready_episode)
    record(alice, session)
    adverse_event_record(actor=alice, session=session, kind="bruising", severity="mild", onset="during")
    finish(alice, session)
    outcome = outcome_record(actor=alice, episode=ready_episode, instrument_id="nprs", total=6)
    plan = home_care_plan_create(actor=alice, episode=ready_episode)
    kind = {t.name: t for t in appointment_types_seed(clinic=patient_a.clinic)}["Dry-needling follow-up"]
    booked = appointment_book(actor=alice, clinician=alice, patient=patient_a, appointment_type=kind,
                              starts_at=at(MONDAY, 9))  # fmt: skip
    return _kept(Screening.unscoped.get(patient=patient_a).pk, session, outcome, plan, booked)


@pytest.fixture
def more_a(alice, patient_a, record_a) -> Record:  # type: ignore[no-untyped-def]
    """A second record of each kind, written after record_a's."""
    from dryneedling.followup.homecare import home_care_plan_create
    from dryneedling.followup.services import outcome_record
    from dryneedling.intake.services import screening_record
    from dryneedling.scheduling.models import AppointmentType
    from dryneedling.scheduling.services import appointment_book
    from tests.intake.test_screening_records import NO_FLAGS

    episode = patient_a.episodes.get()
    screening = screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS)
    session = start_session(alice, episode)
    record(alice, session)
    finish(alice, session)
    outcome = outcome_record(actor=alice, episode=episode, instrument_id="nprs", total=4)
    plan = home_care_plan_create(actor=alice, episode=episode)
    kind = AppointmentType.objects.get(pk=record_a.appointment_type_id)
    booked = appointment_book(actor=alice, clinician=alice, patient=patient_a, appointment_type=kind,
                              starts_at=at(MONDAY, 10))  # fmt: skip
    return _kept(screening.pk, session, outcome, plan, booked)


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
