"""Writes for accounts: clinics and users with their membership; password reset and change."""

from __future__ import annotations

from collections.abc import Collection

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction

from dryneedling.accounts.api_tokens import api_tokens_revoke_all
from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import ROLE_FLAGS, Clinic, Membership, Role, User
from dryneedling.accounts.sessions import sessions_end_all
from dryneedling.clinical.text import escape_forbidden


@transaction.atomic
def clinic_create(*, name: str, slug: str, actor: User | None = None) -> Clinic:
    name = name.strip()
    if not name:
        raise ValidationError({"name": "A clinic needs a name."})
    validate_slug(slug)
    if Clinic.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"A clinic with the slug {slug!r} exists already."})
    clinic = Clinic.objects.create(name=name[:200], slug=slug)
    audit_record(actor=actor, action="clinic.create", clinic=clinic, obj=clinic)
    return clinic


@transaction.atomic
def user_create(
    *,
    email: str,
    full_name: str,
    clinic: Clinic,
    role: str,
    password: str,
    also: Collection[str] = (),
    actor: User | None = None,
    check_password_strength: bool = True,
) -> User:
    """A user and their membership: `role` is the primary role (the header shows it), `also` any
    further roles they hold (a clinic admin who also needles: role="clinic_admin",
    also=["clinician"])."""
    email = email.strip().lower()
    validate_email(email)
    roles = {role, *also}
    if not roles <= set(Role.values):
        raise ValidationError({"role": f"Role must be one of {', '.join(Role.values)}."})
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": "A user with this email exists already."})
    user = User(email=email, full_name=full_name.strip()[:150])
    if check_password_strength:
        validate_password(password, user=user)
    user.set_password(password)
    user.save()
    flags = {flag: role in roles for role, flag in ROLE_FLAGS.items()}
    Membership.objects.create(user=user, clinic=clinic, role=role, **flags)
    audit_record(
        actor=actor, action="user.create", clinic=clinic, obj=user, detail={"role": role, "roles": sorted(roles)}
    )
    return user


def _clinic_of(user: User) -> Clinic | None:
    membership = Membership.objects.filter(user=user).select_related("clinic").first()
    return membership.clinic if membership else None


def password_reset_requested(*, email: str, user: User | None) -> None:
    """Audit a reset request (the email as typed, lower-cased; never the token). A request for an
    account is also recorded under its clinic, so the clinic admin sees it on the audit page."""
    audit_record(
        actor=None,
        action="auth.password_reset.request",
        clinic=_clinic_of(user) if user else None,
        obj=user,
        detail={"email": escape_forbidden(email[:254]), "account": user is not None},
    )


@transaction.atomic
def password_reset_completed(*, user: User) -> int:
    """After a new password from a reset link: every session of the user ends (Django's session
    hash check would refuse them anyway; this also empties the Active sessions page), and every API
    token is revoked. Audited."""
    ended = sessions_end_all(user=user)
    revoked = api_tokens_revoke_all(user=user)  # account recovery: whoever held the account loses its keys
    audit_record(
        actor=None,
        action="auth.password_reset.complete",
        clinic=_clinic_of(user),
        obj=user,
        detail={"sessions_ended": ended, "api_tokens_revoked": revoked},
    )
    return ended


@transaction.atomic
def password_changed(*, actor: User, current_key: str | None) -> int:
    """After the signed-in user changed their password: their other sessions end (the view then
    keeps this one with update_session_auth_hash). Audited."""
    ended = sessions_end_all(user=actor, keep=current_key)
    audit_record(actor=actor, action="auth.password_change", obj=actor, detail={"sessions_ended": ended})
    return ended
