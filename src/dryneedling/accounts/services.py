"""Writes for accounts: clinics and users with their membership."""

from __future__ import annotations

from collections.abc import Collection

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import ROLE_FLAGS, Clinic, Membership, Role, User


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
