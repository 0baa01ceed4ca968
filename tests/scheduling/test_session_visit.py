"""The visit follows the needling session (issue 10): starting a session puts the patient's visit of
the day "in session", completing it marks the visit "done"; other visits are left alone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.followup.test_services import complete_session, screened_patient
from tests.treatment.conftest import start_session


def _visit(clinic, clinician, patient, *, status="arrived", episode=None, days=0):  # type: ignore[no-untyped-def]
    from dryneedling.scheduling.models import Appointment
    from dryneedling.scheduling.services import appointment_types_seed

    kind = appointment_types_seed(clinic=clinic)[0]
    start = timezone.now() + timedelta(days=days, minutes=-10)  # the clinic's zone is UTC here
    return Appointment.objects.for_clinic(clinic).create(
        clinic=clinic,
        clinician=clinician,
        patient=patient,
        episode=episode,
        appointment_type=kind,
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        status=status,
        arrived_at=start if status == "arrived" else None,
    )


def _status(visit) -> str:  # type: ignore[no-untyped-def]
    visit.refresh_from_db()
    return visit.status


@pytest.mark.django_db
def test_starting_a_session_puts_the_arrived_visit_in_session_and_completing_marks_it_done(alice, clinic_a):
    from dryneedling.accounts.models import AuditEvent
    from tests.treatment.conftest import finish

    patient, episode = screened_patient(alice, "V-1", "Vera", "Lind")
    visit = _visit(clinic_a, alice, patient, episode=episode)
    session = start_session(alice, episode)
    assert _status(visit) == "in_session"
    finish(alice, session)
    assert _status(visit) == "done"
    moves = AuditEvent.objects.filter(action="appointment.status", object_id=str(visit.pk)).order_by("id")
    assert [e.detail["to"] for e in moves] == ["in_session", "done"]
    assert all(e.detail.get("by") == "session" for e in moves)


@pytest.mark.django_db
def test_a_booked_visit_is_arrived_on_the_way(alice, clinic_a):
    patient, episode = screened_patient(alice, "V-2", "Vera", "Lind")
    visit = _visit(clinic_a, alice, patient, status="booked")
    start_session(alice, episode)
    visit.refresh_from_db()
    assert visit.status == "in_session" and visit.arrived_at is not None


@pytest.mark.django_db
def test_other_visits_are_left_alone(alice, mia, clinic_a):
    patient, episode = screened_patient(alice, "V-3", "Vera", "Lind")
    other, _ = screened_patient(alice, "V-4", "Olga", "Berg")
    tomorrow = _visit(clinic_a, alice, patient, days=1, status="booked")
    someone_else = _visit(clinic_a, alice, other)
    with_mia = _visit(clinic_a, mia, patient)
    cancelled = _visit(clinic_a, alice, patient, status="cancelled")
    complete_session(alice, episode)
    assert [_status(v) for v in (tomorrow, someone_else, with_mia, cancelled)] == [
        "booked",
        "arrived",
        "arrived",
        "cancelled",
    ]


@pytest.mark.django_db
def test_a_visit_for_another_episode_is_left_alone(alice, clinic_a):
    from dryneedling.patients.services import episode_create

    patient, episode = screened_patient(alice, "V-5", "Vera", "Lind")
    knee = episode_create(
        actor=alice,
        patient=patient,
        conditions=[("M25.561", "Pain in right knee")],
        reason="Knee",
        referral_source="self",
        start_date=episode.start_date,
        end_date=None,
        status="active",
    )
    visit = _visit(clinic_a, alice, patient, episode=knee)
    start_session(alice, episode)
    assert _status(visit) == "arrived"


@pytest.mark.django_db
def test_a_session_without_a_visit_starts_as_before(alice):
    patient, episode = screened_patient(alice, "V-6", "Vera", "Lind")
    session = start_session(alice, episode)
    assert session.status == "in_progress"


@pytest.mark.django_db
def test_the_patient_page_lists_coming_visits_and_offers_booking_to_those_who_book(
    alice, clinic_a, patient_a, bob_client, dana_client
):  # type: ignore[no-untyped-def]
    coming = _visit(clinic_a, alice, patient_a, status="booked", days=2)
    _visit(clinic_a, alice, patient_a, status="cancelled", days=3)
    _visit(clinic_a, alice, patient_a, status="done", days=-2)
    page = bob_client.get(f"/patients/{patient_a.pk}/").content.decode()
    assert f"/appointments/{coming.pk}/" in page and page.count("/appointments/") == 1
    assert f"/schedule/book/?patient={patient_a.pk}" in page
    admin_page = dana_client.get(f"/patients/{patient_a.pk}/").content.decode()
    assert f"/appointments/{coming.pk}/" in admin_page  # admins see the book
    assert "/schedule/book/" not in admin_page  # but do not book
