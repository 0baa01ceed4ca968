"""The narrow path by which a clinic admin's CSV import (`interop.csv_import`, issue 13) writes an
appointment as it stood in the clinic's previous system (Jane, Cliniko).

`appointment_book` is for the front desk and clinicians booking from today on, inside working
hours, always as "booked". An imported appointment is history as much as a booking: it may lie on
a past day or outside the working hours set here, it keeps its own end time, and it arrives with
its final status (done, no-show, cancelled). This path therefore skips the day and hours checks
and the status path, and keeps the rest of the book's rules: the patient, clinician and type must
be the clinic's, the end comes after the start, and an appointment that is not cancelled may not
clash with another of the clinician's (the clinician's row is locked first, as when booking).
Only a clinic admin imports; every appointment is audited as `appointment.import`.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
from dryneedling.patients.models import Patient
from dryneedling.scheduling import rules
from dryneedling.scheduling.models import Appointment, AppointmentType
from dryneedling.scheduling.services import _check_free, _lock_clinician

CANCEL_REASON_MAX = 300


@transaction.atomic
def appointment_import(
    *,
    actor: User,
    clinician: User,
    patient: Patient,
    appointment_type: AppointmentType,
    starts_at: datetime,
    ends_at: datetime,
    status: str,
    cancel_reason: str = "",
) -> Appointment:
    """Write one imported appointment (see the module's docstring for what differs from booking)."""
    membership = require(actor=actor, capability=CLINIC_ADMINISTRATION)
    clinic = membership.clinic
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationError({"time": "A start time needs its time zone."})
    if ends_at <= starts_at:
        raise ValidationError({"time": "The appointment ends before it starts."})
    if patient.clinic_id != clinic.pk:
        raise ValidationError({"patient": "No such patient in this clinic."})
    if appointment_type.clinic_id != clinic.pk:
        raise ValidationError({"appointment_type": "Choose one of this clinic's appointment types."})
    if status not in rules.STATUSES:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    _lock_clinician(clinic, clinician)
    if status not in rules.FREEING:
        _check_free(clinic, clinician, starts_at, ends_at, exclude=None)
    reason = " ".join(cancel_reason.split())[:CANCEL_REASON_MAX] if status == rules.CANCELLED else ""
    appointment = Appointment.objects.create(
        clinic=clinic,
        clinician=clinician,
        patient=patient,
        appointment_type=appointment_type,
        starts_at=starts_at,
        ends_at=ends_at,
        status=status,
        cancel_reason=reason,
        booked_by=actor,
    )
    audit_record(
        actor=actor,
        action="appointment.import",
        obj=appointment,
        detail={"clinician": clinician.pk, "type": appointment_type.pk, "status": status},
    )
    return appointment
