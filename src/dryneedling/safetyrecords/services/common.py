"""Checks shared by the safety-record services: who may do what, and clean text."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError

from dryneedling.accounts.models import Membership, Role, User
from dryneedling.accounts.selectors import membership_for


def text(value: str, *, field: str, label: str, minimum: int, maximum: int) -> str:
    """Stripped text between minimum and maximum characters, without control characters."""
    value = (value or "").strip()
    if any(not ch.isprintable() and ch not in "\n\r\t" for ch in value):
        raise ValidationError({field: f"{label}: remove the control characters."})
    if minimum and len(value) < minimum:
        raise ValidationError({field: f"{label}: enter at least {minimum} characters."})
    if len(value) > maximum:
        raise ValidationError({field: f"{label}: at most {maximum} characters."})
    return value


def may_record_credentials_of(*, actor: User, clinician: User) -> Membership:
    """A clinician records their own training; a clinic admin anyone's in the clinic; nobody else."""
    membership = membership_for(actor=actor)
    if not membership.has_role(Role.CLINICIAN, Role.CLINIC_ADMIN):
        raise PermissionDenied(
            "Front desk staff cannot record clinicians' training or profession: ask the clinician or a clinic admin."
        )
    target = Membership.objects.filter(user=clinician).first()
    if target is None or target.clinic_id != membership.clinic_id or not target.is_clinician:
        raise ValidationError("Choose a clinician of your clinic.")
    if not membership.is_clinic_admin and clinician.pk != actor.pk:
        raise PermissionDenied("A clinician records their own training only; a clinic admin records anyone's.")
    return membership
