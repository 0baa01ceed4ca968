"""Reads for accounts: the acting user's clinic and role, and the clinic's audit trail."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from dryneedling.accounts.models import AuditEvent, Clinic, Membership, Role, User


def membership_for(*, actor: User) -> Membership:
    """The acting user's membership; PermissionDenied for users who belong to no clinic."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied("Sign in first.")
    try:
        return Membership.objects.select_related("clinic").get(user=actor)
    except Membership.DoesNotExist:
        raise PermissionDenied("Your account belongs to no clinic.") from None


def clinic_for(*, actor: User) -> Clinic:
    return membership_for(actor=actor).clinic


ROLE_REFUSAL = "Your role in this clinic does not allow this. Ask a clinic admin if your work needs it."


def require_role(*, actor: User, roles: set[str], reason: str = ROLE_REFUSAL) -> Membership:
    """The actor's membership if their role is one of `roles`; else PermissionDenied with `reason`,
    which the 403 page shows (so it names rules, never records)."""
    membership = membership_for(actor=actor)
    if membership.role not in roles:
        raise PermissionDenied(reason)
    return membership


def audit_list_for(*, actor: User, action: str = "", outcome: str = "") -> QuerySet[AuditEvent]:
    """The audit trail of the actor's clinic, newest first. Clinic admins only."""
    membership = require_role(actor=actor, roles={Role.CLINIC_ADMIN})
    events = AuditEvent.objects.filter(clinic=membership.clinic).order_by("-at", "-id")
    if action:
        events = events.filter(action__startswith=action)
    if outcome:
        events = events.filter(outcome=outcome)
    return events


def clinic_list() -> QuerySet[Clinic]:
    return Clinic.objects.order_by("name")
