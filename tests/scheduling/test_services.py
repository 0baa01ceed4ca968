"""Booking, moving, cancelling and status changes: rules enforced in the services, every write audited."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from dryneedling.accounts.models import AuditEvent
from dryneedling.scheduling.models import Appointment
from dryneedling.scheduling.selectors import appointment_get_for, day_for
from dryneedling.scheduling.services import (
    appointment_cancel,
    appointment_move,
    appointment_status_set,
    appointment_types_seed,
)
from tests.scheduling.conftest import MONDAY, at, book

pytestmark = pytest.mark.django_db


def test_each_clinic_gets_the_two_default_types_once(clinic_tz):
    first = appointment_types_seed(clinic=clinic_tz)
    again = appointment_types_seed(clinic=clinic_tz)
    assert {(t.name, t.minutes) for t in first} == {("Initial assessment", 60), ("Dry-needling follow-up", 30)}
    assert {t.pk for t in first} == {t.pk for t in again}


def test_booking_takes_its_end_from_the_type_and_is_audited(booked, bob):
    assert booked.ends_at - booked.starts_at == timedelta(minutes=30)
    assert booked.status == "booked"
    row = AuditEvent.objects.get(action="appointment.book")
    assert row.actor == bob and row.patient_id == booked.patient_id and row.object_id == str(booked.pk)


@pytest.mark.parametrize(("hour", "minute"), [(9, 0), (8, 45), (9, 15), (9, 29)])
def test_an_overlapping_booking_for_the_same_clinician_is_refused(
    booked, bob, alice, patient_a, follow_up_type, hour, minute
):
    with pytest.raises(ValidationError) as error:
        book(bob, alice, patient_a, follow_up_type, at(MONDAY, hour, minute))
    assert "already has an appointment" in str(error.value)
    assert "time" in error.value.message_dict
    assert Appointment.objects.for_actor(bob).count() == 1


def test_back_to_back_and_after_a_cancellation_are_allowed(booked, bob, alice, patient_a, follow_up_type):
    book(bob, alice, patient_a, follow_up_type, at(MONDAY, 9, 30))
    appointment_cancel(actor=bob, appointment=booked, reason="Patient called: ill")
    book(bob, alice, patient_a, follow_up_type, at(MONDAY, 9, 0))  # the cancelled slot is free again
    assert Appointment.objects.for_actor(bob).exclude(status="cancelled").count() == 2


def test_outside_working_hours_is_refused_with_the_hours_named(hours, bob, alice, patient_a, follow_up_type):
    with pytest.raises(ValidationError) as error:
        book(bob, alice, patient_a, follow_up_type, at(MONDAY, 11, 45))  # runs into lunch
    message = " ".join(error.value.message_dict["time"])
    assert "outside" in message and "08:00–12:00" in message and "Europe/Berlin" in message
    with pytest.raises(ValidationError, match="no working hours on Saturdays"):
        book(bob, alice, patient_a, follow_up_type, at(MONDAY + timedelta(days=5), 9))


def test_a_clinician_without_working_hours_cannot_be_booked(clinic_tz, bob, alice, patient_a, follow_up_type):
    with pytest.raises(ValidationError, match="no working hours"):
        book(bob, alice, patient_a, follow_up_type, at(MONDAY, 9))


def test_only_clinicians_of_the_clinic_can_be_booked(hours, bob, dana, carol, patient_a, follow_up_type):
    for other in (dana, carol):
        with pytest.raises(ValidationError) as error:
            book(bob, other, patient_a, follow_up_type, at(MONDAY, 9))
        assert "clinician" in error.value.message_dict


def test_roles(hours, alice, bob, dana, carol, patient_a, follow_up_type):
    with pytest.raises(PermissionDenied, match="front desk and clinicians"):
        book(dana, alice, patient_a, follow_up_type, at(MONDAY, 9))
    with pytest.raises(PermissionDenied):
        book(carol, alice, patient_a, follow_up_type, at(MONDAY, 9))
    mine = book(alice, alice, patient_a, follow_up_type, at(MONDAY, 9))  # a clinician books their own
    assert mine.booked_by == alice


def test_a_clinician_books_and_sees_only_their_own(hours, alice, bob, clinic_tz, patient_a, follow_up_type):
    from dryneedling.accounts.services import user_create
    from dryneedling.scheduling.models import WorkingHours
    from tests.conftest import PASSWORD

    eve = user_create(email="eve@a.test", full_name="Eve Evans", clinic=clinic_tz, role="clinician", password=PASSWORD)

    WorkingHours.objects.create(clinic=clinic_tz, clinician=eve, weekday=0, starts=time(8), ends=time(17))
    with pytest.raises(PermissionDenied, match="their own"):
        book(alice, eve, patient_a, follow_up_type, at(MONDAY, 9))
    theirs = book(bob, eve, patient_a, follow_up_type, at(MONDAY, 9))
    with pytest.raises(PermissionDenied, match="their own"):
        appointment_get_for(actor=alice, appointment_id=theirs.pk)
    assert list(day_for(actor=alice, day=MONDAY)) == []
    assert [a.pk for a in day_for(actor=bob, day=MONDAY)] == [theirs.pk]


def test_working_hours_are_set_by_clinic_admins_only(clinic_tz, alice, bob):
    from dryneedling.scheduling.services import working_hours_add

    for actor in (alice, bob):
        with pytest.raises(PermissionDenied, match="clinic admin"):
            working_hours_add(actor=actor, clinician=alice, weekday=0, starts=time(8), ends=time(12))


def test_working_hours_must_end_after_they_start_and_not_overlap(clinic_tz, alice, dana):
    from dryneedling.scheduling.services import working_hours_add

    with pytest.raises(ValidationError, match="end after"):
        working_hours_add(actor=dana, clinician=alice, weekday=0, starts=time(12), ends=time(8))
    working_hours_add(actor=dana, clinician=alice, weekday=0, starts=time(8), ends=time(12))
    with pytest.raises(ValidationError, match="overlap"):
        working_hours_add(actor=dana, clinician=alice, weekday=0, starts=time(11), ends=time(14))


def test_move_to_a_new_time_or_clinician(booked, bob, alice, patient_a, follow_up_type):
    other = book(bob, alice, patient_a, follow_up_type, at(MONDAY, 10))
    with pytest.raises(ValidationError, match="already has an appointment"):
        appointment_move(actor=bob, appointment=booked, starts_at=at(MONDAY, 10, 15), clinician=alice)
    moved = appointment_move(actor=bob, appointment=booked, starts_at=at(MONDAY, 9, 15), clinician=alice)
    assert moved.starts_at == at(MONDAY, 9, 15) and moved.ends_at == at(MONDAY, 9, 45)  # overlaps only itself
    assert other.pk != moved.pk
    row = AuditEvent.objects.get(action="appointment.move")
    assert row.detail == {"from": "2030-03-04T08:00:00+00:00", "to": "2030-03-04T08:15:00+00:00", "clinician": alice.pk}


def test_a_move_resets_the_reminders(booked, bob):
    Appointment.objects.for_actor(bob).filter(pk=booked.pk).update(reminder_email_at=at(MONDAY, 8))
    booked.refresh_from_db()
    moved = appointment_move(actor=bob, appointment=booked, starts_at=at(MONDAY, 14), clinician=booked.clinician)
    assert moved.reminder_email_at is None


def test_cancel_needs_a_reason_and_is_final(booked, bob):
    with pytest.raises(ValidationError, match="reason"):
        appointment_cancel(actor=bob, appointment=booked, reason="  ")
    appointment_cancel(actor=bob, appointment=booked, reason="Patient called")
    booked.refresh_from_db()
    assert booked.status == "cancelled" and booked.cancel_reason == "Patient called"
    with pytest.raises(ValidationError, match="cannot"):
        appointment_status_set(actor=bob, appointment=booked, status="arrived")
    with pytest.raises(ValidationError, match="cannot"):
        appointment_move(actor=bob, appointment=booked, starts_at=at(MONDAY, 14), clinician=booked.clinician)
    assert AuditEvent.objects.filter(action="appointment.cancel").count() == 1


def test_the_status_path_and_who_walks_it(booked, alice, bob, dana):
    with pytest.raises(ValidationError, match="cannot"):
        appointment_status_set(actor=alice, appointment=booked, status="done")
    with pytest.raises(PermissionDenied):
        appointment_status_set(actor=dana, appointment=booked, status="arrived")
    appointment_status_set(actor=bob, appointment=booked, status="arrived")
    booked.refresh_from_db()
    assert booked.arrived_at is not None
    with pytest.raises(PermissionDenied, match="clinician"):
        appointment_status_set(actor=bob, appointment=booked, status="in_session")
    appointment_status_set(actor=alice, appointment=booked, status="in_session")
    appointment_status_set(actor=alice, appointment=booked, status="done")
    booked.refresh_from_db()
    assert booked.status == "done"
    assert [r.detail for r in AuditEvent.objects.filter(action="appointment.status").order_by("id")] == [
        {"from": "booked", "to": "arrived"},
        {"from": "arrived", "to": "in_session"},
        {"from": "in_session", "to": "done"},
    ]


def test_another_clinics_appointment_is_a_recorded_404(booked, carol):
    with pytest.raises(Http404):
        appointment_get_for(actor=carol, appointment_id=booked.pk)
    assert AuditEvent.objects.filter(action="appointment.access", outcome="denied").exists()


def test_a_stale_appointment_object_cannot_double_book(booked, bob, alice, patient_a, follow_up_type):
    """The service re-reads the row under the lock: a status changed elsewhere wins."""
    stale = Appointment.objects.for_actor(bob).get(pk=booked.pk)
    appointment_cancel(actor=bob, appointment=booked, reason="Called")
    with pytest.raises(ValidationError, match="cannot"):
        appointment_status_set(actor=bob, appointment=stale, status="arrived")


def test_the_day_follows_the_clinics_zone(booked, bob, hours, patient_a, follow_up_type, alice):
    # 08:00 Berlin on Monday is 07:00 UTC; an appointment at 16:30 Berlin is still Monday there.
    late = book(bob, alice, patient_a, follow_up_type, at(MONDAY, 16, 30))
    assert {a.pk for a in day_for(actor=bob, day=MONDAY)} == {booked.pk, late.pk}
    assert list(day_for(actor=bob, day=MONDAY + timedelta(days=1))) == []


def test_a_visit_on_an_earlier_day_is_refused_but_earlier_today_is_kept(hours, bob, alice, patient_a, follow_up_type):
    from django.utils import timezone

    from dryneedling.scheduling.selectors import clinic_today
    from dryneedling.scheduling.services import working_hours_add

    for weekday in range(5, 7):  # the weekend too: the test runs any day
        working_hours_add(actor=bob_admin(bob), clinician=alice, weekday=weekday, starts=time(8), ends=time(17))
    today = clinic_today(patient_a.clinic)
    for day in (today - timedelta(days=1), today - timedelta(days=30)):
        with pytest.raises(ValidationError) as refused:
            book(bob, alice, patient_a, follow_up_type, at(day, 9))
        assert "earlier day" in str(refused.value.message_dict["date"])
    earlier_today = at(today, 8)
    if earlier_today < timezone.now():  # a walk-in recorded after it began is still booked
        assert book(bob, alice, patient_a, follow_up_type, earlier_today).pk


def bob_admin(bob):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.models import User

    return User.objects.get(membership__clinic_id=bob.membership.clinic_id, membership__is_clinic_admin=True)
