"""Reads of the clinic safety records, scoped to the actor's clinic.

`clinician_safety_facts` and `credential_problems_for` take the clinician alone: the session
services call them for the clinician who is about to needle (the acting user).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Case, Count, IntegerField, Q, QuerySet, Sum, Value, When

from dryneedling.accounts.models import Clinic, Membership, Role, User
from dryneedling.accounts.selectors import clinic_for, membership_for
from dryneedling.patients.models import Patient
from dryneedling.patients.selectors import deny
from dryneedling.safetyrecords.models import ClinicianProfile, IncidentStatus, SharpsIncident, TrainingRecord
from dryneedling.safetyrecords.rules import credential_guardrails, jurisdiction_labels

CREDENTIAL_ROLES = {Role.CLINICIAN, Role.CLINIC_ADMIN}


# --- credentials -------------------------------------------------------------------------------


def clinician_profile_for(*, clinician: User) -> ClinicianProfile | None:
    return ClinicianProfile.objects.filter(user=clinician).first()


def training_records_for(*, clinician: User, include_retired: bool = True) -> QuerySet[TrainingRecord]:
    records = TrainingRecord.objects.filter(clinician=clinician).select_related("recorded_by", "retired_by")
    return records if include_retired else records.filter(retired_at__isnull=True)


def clinician_safety_facts(*, clinician: User, clinic: Clinic | None = None) -> dict[str, Any]:
    """The "clinician" part of a safety plan: profession, training hours, electrical training, jurisdiction.
    `clinic`: the clinician's own, when the caller has it already (the acting clinician's membership)."""
    # The clinician's own clinic, read without the acting-user checks of clinic_for: a clinic admin
    # reviews a deactivated clinician's record too (clinic_for refused it, and the whole list).
    if clinic is None:
        clinic = Membership.objects.select_related("clinic").get(user=clinician).clinic
    profile = clinician_profile_for(clinician=clinician)
    current = training_records_for(clinician=clinician, include_retired=False).filter(clinic=clinic)
    totals = current.aggregate(total=Sum("hours"), electrical=Count("pk", filter=Q(covers_electrical=True)))
    return {
        "profession": profile.profession if profile is not None else None,
        "training_hours": float(totals["total"] or Decimal(0)),
        "electrical_training": bool(totals["electrical"]),
        "jurisdiction": clinic.jurisdiction,
    }


def credential_guardrails_for(*, clinician: User) -> tuple[Any, ...]:
    """The jurisdiction's guardrails for this clinician (each with level, rule_id, message, sources)."""
    facts = clinician_safety_facts(clinician=clinician)
    return tuple(
        credential_guardrails(
            jurisdiction=facts["jurisdiction"], profession=facts["profession"], training_hours=facts["training_hours"]
        )
    )


def credential_problems_for(*, clinician: User) -> list[str]:
    """Messages, each ending with its rule id in brackets; empty when the clinician may needle."""
    return [f"{g.message} [{g.rule_id}]" for g in credential_guardrails_for(clinician=clinician)]


def clinicians_for(*, actor: User) -> list[User]:
    """Whose credentials the actor may see: a clinic admin every clinician, a clinician themself."""
    membership = membership_for(actor=actor)
    if not membership.has_role(*CREDENTIAL_ROLES):
        raise PermissionDenied("Clinicians' credentials are kept by the clinicians and the clinic admins.")
    if not membership.is_clinic_admin:
        return [actor]
    return list(
        User.objects.filter(membership__clinic=membership.clinic, membership__is_clinician=True).order_by(
            "full_name", "email"
        )
    )


def clinician_get_for(*, actor: User, user_id: int) -> User:
    """A clinician of the actor's clinic; 404 for anyone else's; refused in words for the wrong role."""
    membership = membership_for(actor=actor)
    if not membership.has_role(*CREDENTIAL_ROLES):
        raise PermissionDenied("Clinicians' credentials are kept by the clinicians and the clinic admins.")
    clinician = User.objects.filter(
        pk=user_id, membership__clinic=membership.clinic, membership__is_clinician=True
    ).first()
    if clinician is None:
        raise deny(actor=actor, object_type="clinician", object_id=user_id)
    if not membership.is_clinic_admin and clinician.pk != actor.pk:
        raise PermissionDenied("A clinician sees their own training only; a clinic admin sees everyone's.")
    return clinician


def training_record_get_for(*, actor: User, record_id: int) -> TrainingRecord:
    record = (
        TrainingRecord.objects.select_related("clinician").filter(clinic=clinic_for(actor=actor), pk=record_id).first()
    )
    if record is None:
        raise deny(actor=actor, object_type="training_record", object_id=record_id, model=TrainingRecord)
    return record


# --- sharps incidents ----------------------------------------------------------------------------


def shows_patient_names(*, actor: User) -> bool:
    """Front desk staff see the incident list without patients (see docs/decisions.md)."""
    return membership_for(actor=actor).has_role(*CREDENTIAL_ROLES)


def sharps_incident_list_for(*, actor: User) -> QuerySet[SharpsIncident]:
    """The clinic's incidents, open ones first, newest first within each."""
    clinic = clinic_for(actor=actor)
    open_first = Case(When(status=IncidentStatus.OPEN, then=Value(0)), default=Value(1), output_field=IntegerField())
    return (
        SharpsIncident.objects.for_clinic(clinic)
        .select_related("staff_member", "patient", "reported_by", "closed_by")
        .annotate(open_first=open_first)
        .order_by("open_first", "-occurred_at", "-id")
    )


def sharps_incident_get_for(*, actor: User, incident_id: int) -> SharpsIncident:
    incident = (
        SharpsIncident.objects.for_actor(actor)
        .select_related("staff_member", "patient", "reported_by", "closed_by")
        .filter(pk=incident_id)
        .first()
    )
    if incident is None:
        raise deny(actor=actor, object_type="sharps_incident", object_id=incident_id, model=SharpsIncident)
    return incident


def patient_by_mrn_for(*, actor: User, mrn: str) -> Patient | None:
    """The actor's clinic's patient with this MRN (exact), for linking an incident."""
    return Patient.objects.for_actor(actor).filter(mrn=mrn.strip()).first()


def clinic_staff_for(*, actor: User) -> QuerySet[User]:
    return User.objects.filter(membership__clinic=clinic_for(actor=actor), is_active=True).order_by(
        "full_name", "email"
    )


def sharps_session_get_for(*, actor: User, session_id: int) -> Any:
    """A session of the actor's clinic to link an incident to (404 otherwise), without importing treatment."""
    session_model = SharpsIncident._meta.get_field("session").related_model
    session = (
        session_model._default_manager.for_actor(actor)  # type: ignore[union-attr]
        .select_related("patient")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise deny(actor=actor, object_type="session", object_id=session_id, model=session_model)  # type: ignore[arg-type]
    return session


# --- clinic settings -----------------------------------------------------------------------------


def jurisdiction_choices() -> list[tuple[str, str]]:
    return list(jurisdiction_labels().items())


def jurisdiction_label(jurisdiction: str) -> str:
    return jurisdiction_labels().get(jurisdiction, jurisdiction)


def sharps_incidents_open_for(*, actor: User) -> QuerySet[SharpsIncident]:
    """The clinic's open sharps incidents, oldest first (a clinic admin's Today)."""
    return sharps_incident_list_for(actor=actor).filter(status=IncidentStatus.OPEN).order_by("occurred_at", "id")
