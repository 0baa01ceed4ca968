"""Needle-stick and sharps incidents: reporting, closing, roles, tenancy, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from dryneedling.accounts.models import AuditEvent
from dryneedling.safetyrecords.models import SharpsIncident
from dryneedling.safetyrecords.selectors import sharps_incident_get_for, sharps_incident_list_for
from dryneedling.safetyrecords.services import sharps_incident_close, sharps_incident_report

pytestmark = pytest.mark.django_db


def report(actor, **overrides):  # type: ignore[no-untyped-def]
    values = {
        "kind": "needlestick",
        "person": "staff",
        "staff_member": actor,
        "description": "Stuck by a used needle while clearing the tray.",
        "immediate_action": "Washed with soap and water, reported to the clinic lead.",
    }
    return sharps_incident_report(actor=actor, **(values | overrides))


def test_a_clinician_reports_a_staff_needlestick_and_it_is_audited_without_text(alice):
    incident = report(alice)
    assert incident.status == "open" and incident.reported_by == alice and incident.clinic.slug == "clinic-a"
    event = AuditEvent.objects.get(action="sharps_incident.create")
    assert event.detail == {"kind": "needlestick", "person": "staff", "session_id": None}
    assert "tray" not in str(event.detail)


def test_front_desk_reports_a_staff_needlestick(bob):
    assert report(bob).staff_member == bob


def test_front_desk_may_not_report_a_patient_incident(bob, patient_a):
    with pytest.raises(PermissionDenied, match="Front desk staff report incidents that happened to a staff member"):
        report(bob, person="patient", staff_member=None, patient=patient_a)
    with pytest.raises(PermissionDenied):
        report(bob, patient=patient_a)  # a staff incident naming the source patient
    assert not SharpsIncident.unscoped.exists()


def test_a_retained_needle_from_a_session_takes_the_sessions_patient(trained_alice, alice, session_a):
    incident = report(alice, kind="retained_needle", person="patient", staff_member=None, session=session_a)
    assert incident.patient == session_a.patient and incident.session == session_a
    assert AuditEvent.objects.get(action="sharps_incident.create").detail["session_id"] == session_a.pk


def test_a_session_of_another_patient_is_refused(trained_alice, alice, session_a):
    from dryneedling.patients.services import patient_create

    other = patient_create(
        actor=alice,
        mrn="A-0002",
        given_name="Otto",
        family_name="Other",
        date_of_birth=timezone.localdate() - timedelta(days=12000),
        sex="male",
    )
    with pytest.raises(ValidationError, match="belongs to another patient"):
        report(alice, kind="retained_needle", person="patient", staff_member=None, patient=other, session=session_a)


def test_a_retained_needle_must_be_a_patient_incident(alice):
    with pytest.raises(ValidationError, match="retained needle is left in a patient"):
        report(alice, kind="retained_needle")


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"kind": "stabbing"}, "kind"),
        ({"person": "visitor"}, "person"),
        ({"staff_member": None}, "staff_member"),
        ({"person": "patient", "staff_member": None}, "patient"),
        ({"description": "oops"}, "description"),
        ({"immediate_action": ""}, "immediate_action"),
        ({"occurred_at": timezone.now() + timedelta(hours=2)}, "occurred_at"),
        ({"description": "bad \x00 byte here"}, "description"),
    ],
)
def test_bad_reports_are_refused_field_by_field(alice, overrides, field):
    with pytest.raises(ValidationError) as error:
        report(alice, **overrides)
    assert field in error.value.message_dict
    assert not SharpsIncident.unscoped.exists()


def test_other_clinics_people_cannot_be_linked(alice, carol, patient_a):
    with pytest.raises(ValidationError, match="member of your clinic"):
        report(alice, staff_member=carol)
    with pytest.raises(ValidationError, match="No such patient"):
        report(carol, person="patient", staff_member=None, patient=patient_a)


def test_closing_needs_follow_up_text_and_is_audited(alice, dana):
    incident = report(alice)
    with pytest.raises(ValidationError) as error:
        sharps_incident_close(actor=dana, incident=incident, follow_up=" ")
    assert "follow_up" in error.value.message_dict
    closed = sharps_incident_close(
        actor=dana, incident=incident, follow_up="Baseline bloods taken; occupational health seen."
    )
    assert closed.status == "closed" and closed.closed_by == dana and closed.closed_at is not None
    assert "occupational health seen" in closed.follow_up_notes
    assert AuditEvent.objects.filter(action="sharps_incident.close", object_id=str(incident.pk)).count() == 1
    with pytest.raises(ValidationError, match="closed already"):
        sharps_incident_close(actor=alice, incident=incident, follow_up="Again and again")


def test_front_desk_cannot_close(bob):
    incident = report(bob)
    with pytest.raises(PermissionDenied, match="clinician or a clinic admin closes"):
        sharps_incident_close(actor=bob, incident=incident, follow_up="Seen by the nurse")


def test_another_clinic_cannot_close_or_read(alice, carol):
    incident = report(alice)
    with pytest.raises(ValidationError, match="No such incident"):
        sharps_incident_close(actor=carol, incident=incident, follow_up="Not my clinic's")
    with pytest.raises(Http404):
        sharps_incident_get_for(actor=carol, incident_id=incident.pk)
    assert AuditEvent.objects.filter(actor=carol, outcome="denied", clinic=carol.membership.clinic).count() == 1
    assert AuditEvent.objects.filter(actor=carol, outcome="denied", clinic=alice.membership.clinic).count() == 1
    assert list(sharps_incident_list_for(actor=carol)) == []


def test_the_list_shows_open_incidents_first_newest_first(alice, dana):
    now = timezone.now()
    old_open = report(alice, occurred_at=now - timedelta(days=3))
    newest_closed = report(alice, occurred_at=now - timedelta(hours=1))
    new_open = report(alice, occurred_at=now - timedelta(days=1))
    sharps_incident_close(actor=dana, incident=newest_closed, follow_up="Nothing further needed.")
    assert list(sharps_incident_list_for(actor=dana)) == [new_open, old_open, newest_closed]
