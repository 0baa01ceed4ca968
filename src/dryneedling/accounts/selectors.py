"""Reads for accounts: the acting user's clinic and role, and the clinic's audit trail."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet

from dryneedling.accounts.models import AuditEvent, Clinic, ClinicLogo, Membership, User
from dryneedling.accounts.permissions import AUDIT, CLINIC_ADMINISTRATION
from dryneedling.accounts.tenancy import cached_membership


def membership_for(*, actor: User) -> Membership:
    """The acting user's membership (read once per request); PermissionDenied for users who
    belong to no clinic."""
    if not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied("Sign in first.")
    return cached_membership(actor, lambda: _load_membership(actor))


def membership_or_none(*, actor: User) -> Membership | None:
    """The acting user's membership, or None (signed out, deactivated, or in no clinic)."""
    try:
        return membership_for(actor=actor)
    except PermissionDenied:
        return None


def _load_membership(actor: User) -> Membership:
    try:
        return Membership.objects.select_related("clinic").get(user=actor)
    except Membership.DoesNotExist:
        raise PermissionDenied("Your account belongs to no clinic.") from None


def clinic_for(*, actor: User) -> Clinic:
    return membership_for(actor=actor).clinic


ROLE_REFUSAL = "Your role in this clinic does not allow this. Ask a clinic admin if your work needs it."


def require_role(*, actor: User, roles: Collection[str], reason: str = ROLE_REFUSAL) -> Membership:
    """The actor's membership if they hold any of `roles` (a member holds a set of roles); else
    PermissionDenied with `reason`, which the 403 page shows (so it names rules, never records)."""
    membership = membership_for(actor=actor)
    if not membership.has_role(*roles):
        raise PermissionDenied(reason)
    return membership


def audit_list_for(
    *,
    actor: User,
    action: str = "",
    outcome: str = "",
    actor_email: str = "",
    patient_ids: Collection[int] | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """The audit trail of the actor's clinic, newest first, filtered. Clinic admins only.

    `patient_ids` (None: any patient) keeps the rows about those patients; the dates are days in
    the clinic's time zone, both ends included.
    """
    membership = require_role(actor=actor, roles=AUDIT.roles, reason=AUDIT.refusal)
    events = AuditEvent.objects.filter(clinic=membership.clinic).order_by("-at", "-id")
    if action:
        events = events.filter(action__startswith=action)
    if outcome:
        events = events.filter(outcome=outcome)
    if actor_email:
        events = events.filter(actor_email__iexact=actor_email)
    if patient_ids is not None:
        events = events.filter(patient_id__in=list(patient_ids))
    if date_from is not None:
        events = events.filter(at__date__gte=date_from)
    if date_to is not None:
        events = events.filter(at__date__lte=date_to)
    return events


def clinic_list() -> QuerySet[Clinic]:
    return Clinic.objects.order_by("name")


def member_list_for(*, actor: User) -> QuerySet[Membership]:
    """The members of the actor's clinic with their users, by name. Clinic admins only."""
    membership = require_role(actor=actor, roles=CLINIC_ADMINISTRATION.roles, reason=CLINIC_ADMINISTRATION.refusal)
    return Membership.objects.filter(clinic=membership.clinic).select_related("user").order_by("user__full_name")


def accounts_locked_for(*, actor: User) -> QuerySet[User]:
    """Members of the actor's clinic whose sign-in is locked out now by repeated failures: by axes
    (`AXES_FAILURE_LIMIT` failures for an email and address, within `AXES_COOLOFF_TIME`) or by the
    app's limit on failed sign-ins to one email (`login-email`), what Unlock clears. A clinic
    admin's list; the lock lifts by itself at the end of the cool-off. Three queries."""
    from axes.models import AccessAttempt
    from django.conf import settings
    from django.db.models import Q
    from django.utils import timezone

    from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
    from dryneedling.accounts.ratelimit import rate_limited_keys

    clinic_id = require(actor=actor, capability=CLINIC_ADMINISTRATION).clinic_id
    locked = AccessAttempt.objects.filter(
        failures_since_start__gte=settings.AXES_FAILURE_LIMIT,
        attempt_time__gte=timezone.now() - settings.AXES_COOLOFF_TIME,
    ).values("username")
    members = User.objects.filter(membership__clinic_id=clinic_id)
    limited = rate_limited_keys(scope="login-email", keys=members.values_list("email", flat=True))
    return members.filter(Q(email__in=locked) | Q(email__in=limited)).order_by("full_name", "id")


# --- the clinic's logo (issue 10) ----------------------------------------------------------------
def clinic_logo_of(*, clinic_id: int) -> ClinicLogo | None:
    """The clinic's logo (its bytes included), or None: its PDFs then print without one. A logo is
    the clinic's public mark, not patient data; the routes that serve it decide who sees it."""
    return ClinicLogo.objects.filter(clinic_id=clinic_id).first()


def clinic_logo_digest(*, clinic_id: int) -> str | None:
    """The SHA-256 of the clinic's logo without loading its bytes (a cache key), or None."""
    return ClinicLogo.objects.filter(clinic_id=clinic_id).values_list("sha256", flat=True).first()
