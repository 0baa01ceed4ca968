"""Import path of the appointment book (issue 13): appointments another system kept, past ones
included, with the status they reached there. Audited in the same transaction.

`services.appointment_book` takes visits from today on, inside the clinician's working hours, for
the length of the type, and only as `booked`; an import records history, so this path keeps the
file's start, end and status and skips the past-day rule and the working hours (the other system's
hours were its own). It keeps two rules: the clinician is an active clinician of the clinic (their
book is locked as a booking locks it), and an appointment still ahead that holds time may not
double-book them. Run by a clinic admin or a clinician (`accounts.permissions.require_importer`).
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import require_importer
from dryneedling.patients.models import Episode, Patient
from dryneedling.patients.validation import reject_control_characters
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
    episode: Episode | None = None,
    appointment: Appointment | None = None,
) -> Appointment:
    """Record an imported appointment (`appointment` None) or change one imported before."""
    clinic = require_importer(actor=actor).clinic
    if patient.clinic_id != clinic.pk:
        raise ValidationError({"patient": "No such patient in this clinic."})
    if appointment_type.clinic_id != clinic.pk:
        raise ValidationError({"appointment_type": "Choose one of this clinic's appointment types."})
    if episode is not None and episode.patient_id != patient.pk:
        raise ValidationError({"episode": "That episode belongs to another patient."})
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationError({"time": "A start and an end need their time zone."})
    if ends_at <= starts_at:
        raise ValidationError({"time": "The appointment ends before it starts."})
    if status not in rules.STATUSES:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    reject_control_characters(cancel_reason, field="reason", multiline=False)
    cancel_reason = " ".join(cancel_reason.split())
    if len(cancel_reason) > CANCEL_REASON_MAX:
        raise ValidationError({"reason": f"Keep the reason under {CANCEL_REASON_MAX} characters."})
    _lock_clinician(clinic, clinician)
    exclude = appointment.pk if appointment is not None else None
    if status not in rules.FREEING and ends_at > timezone.now():
        _check_free(clinic, clinician, starts_at, ends_at, exclude=exclude)
    if appointment is None:
        current = Appointment(clinic=clinic, booked_by=actor)
        action = "appointment.import"
    else:
        current = Appointment.objects.for_clinic(clinic).select_for_update().get(pk=appointment.pk)
        action = "appointment.import_update"
    before = current.status
    current.clinician, current.patient, current.episode = clinician, patient, episode
    current.appointment_type, current.starts_at, current.ends_at = appointment_type, starts_at, ends_at
    current.status, current.cancel_reason = status, cancel_reason
    current.updated_at = timezone.now()
    current.save()
    audit_record(
        actor=actor,
        action=action,
        obj=current,
        detail={"clinician": clinician.pk, "from": before if appointment else "", "to": status},
    )
    return current
