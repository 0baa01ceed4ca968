"""Needle-stick and sharps incidents: reported by anyone on staff, closed with follow-up.

Front desk staff report staff incidents only (a needle-stick at reception, a needle found in the
waiting room) and never link a patient or a session: they do not see patient names on the list.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts import zones
from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Membership, Role, User
from dryneedling.accounts.selectors import membership_for
from dryneedling.patients.models import Patient
from dryneedling.safetyrecords.models import IncidentKind, IncidentPerson, IncidentStatus, SharpsIncident
from dryneedling.safetyrecords.services.common import text

if TYPE_CHECKING:  # treatment calls this module; importing it back would make a cycle
    from dryneedling.treatment.models import Session

FRONT_DESK_REFUSAL = (
    "Front desk staff report incidents that happened to a staff member; a clinician or a clinic admin "
    "records incidents involving a patient."
)
OLDEST = timedelta(days=5 * 365)


def _check_people(
    *,
    membership: Membership,
    person: str,
    kind: str,
    staff_member: User | None,
    patient: Patient | None,
    session: Session | None,
) -> Patient | None:
    clinic = membership.clinic
    if session is not None:
        if session.clinic_id != clinic.pk:
            raise ValidationError({"session": "No such session in your clinic."})
        if patient is not None and session.patient_id != patient.pk:
            raise ValidationError({"session": "That session belongs to another patient."})
        patient = session.patient
    if patient is not None and patient.clinic_id != clinic.pk:
        raise ValidationError({"patient": "No such patient in your clinic."})
    if staff_member is not None and not Membership.objects.filter(user=staff_member, clinic=clinic).exists():
        raise ValidationError({"staff_member": "Choose a member of your clinic's staff."})
    if person == IncidentPerson.STAFF and staff_member is None:
        raise ValidationError({"staff_member": "Say which staff member was involved."})
    if person == IncidentPerson.PATIENT and patient is None:
        raise ValidationError({"patient": "Say which patient was involved."})
    if kind == IncidentKind.RETAINED_NEEDLE and person != IncidentPerson.PATIENT:
        raise ValidationError({"person": "A retained needle is left in a patient: choose 'A patient'."})
    return patient


@transaction.atomic
def sharps_incident_report(
    *,
    actor: User,
    kind: str,
    person: str,
    description: str,
    immediate_action: str,
    occurred_at: datetime | None = None,
    staff_member: User | None = None,
    patient: Patient | None = None,
    session: Session | None = None,
    follow_up_required: bool = True,
    follow_up_notes: str = "",
) -> SharpsIncident:
    """Record an incident. From a session: kind="retained_needle", person="patient", session=...

    The patient defaults to the session's patient; a patient other than the session's is refused.
    """
    membership = membership_for(actor=actor)
    if kind not in IncidentKind.values:
        raise ValidationError({"kind": "Choose what happened from the list."})
    if person not in IncidentPerson.values:
        raise ValidationError({"person": "Say whether a staff member or a patient was involved."})
    if not membership.has_role(Role.CLINICIAN, Role.CLINIC_ADMIN) and (
        person != IncidentPerson.STAFF or patient is not None or session is not None
    ):
        raise PermissionDenied(FRONT_DESK_REFUSAL)
    patient = _check_people(
        membership=membership, person=person, kind=kind, staff_member=staff_member, patient=patient, session=session
    )
    now = timezone.now()
    occurred_at = occurred_at or now
    if occurred_at > now + timedelta(minutes=5):
        raise ValidationError({"occurred_at": "The time of the incident cannot be in the future."})
    if occurred_at < now - OLDEST:
        raise ValidationError({"occurred_at": "Check the date: it is more than five years ago."})
    incident = SharpsIncident.objects.create(
        clinic=membership.clinic,
        occurred_at=occurred_at,
        person=person,
        staff_member=staff_member,
        patient=patient,
        session=session,
        kind=kind,
        description=text(description, field="description", label="What happened", minimum=5, maximum=2000),
        immediate_action=text(
            immediate_action, field="immediate_action", label="Immediate action", minimum=3, maximum=1000
        ),
        follow_up_required=bool(follow_up_required),
        follow_up_notes=text(follow_up_notes, field="follow_up_notes", label="Follow-up", minimum=0, maximum=4000),
        reported_by=actor,
    )
    audit_record(
        actor=actor,
        action="sharps_incident.create",
        obj=incident,
        detail={"kind": kind, "person": person, "session_id": session.pk if session is not None else None},
    )
    return incident


@transaction.atomic
def sharps_incident_close(*, actor: User, incident: SharpsIncident, follow_up: str) -> SharpsIncident:
    """Close an open incident, saying what follow-up was done (testing, occupational health, ...)."""
    membership = membership_for(actor=actor)
    if not membership.has_role(Role.CLINICIAN, Role.CLINIC_ADMIN):
        raise PermissionDenied("A clinician or a clinic admin closes an incident, after its follow-up.")
    locked = SharpsIncident.objects.for_clinic(membership.clinic).select_for_update().filter(pk=incident.pk).first()
    if locked is None:
        raise ValidationError("No such incident in your clinic.")
    if locked.status == IncidentStatus.CLOSED:
        raise ValidationError("This incident is closed already.")
    follow_up = text(follow_up, field="follow_up", label="Follow-up done", minimum=5, maximum=2000)
    now = timezone.now()
    stamp = f"{zones.stamp(now, membership.clinic)}, {actor.full_name or actor.email}: {follow_up}"
    locked.follow_up_notes = f"{locked.follow_up_notes}\n\n{stamp}".strip()[:4000]
    locked.status, locked.closed_at, locked.closed_by = IncidentStatus.CLOSED, now, actor
    locked.save(update_fields=["follow_up_notes", "status", "closed_at", "closed_by"])
    audit_record(actor=actor, action="sharps_incident.close", obj=locked)
    return locked
