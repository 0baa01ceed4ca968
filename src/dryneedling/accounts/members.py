"""The clinic admin's writes on the clinic's members: invite by email, roles, deactivate and
reactivate, unlock after too many failed sign-ins. Every change is audited (ids and role names,
never an email or a name).

An invitation creates the user with an unusable password and emails a set-password link made with
Django's password-reset token machinery under its own salt and lifetime (INVITE_DAYS): the token
stops working once the password is set (the password hash is part of it), and a reset token cannot
be used as an invitation or the other way round.
"""

from __future__ import annotations

from collections.abc import Collection

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from dryneedling.accounts.api_tokens import api_tokens_revoke_all
from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import ROLE_FLAGS, Membership, Role, User
from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
from dryneedling.accounts.ratelimit import rate_limit_clear
from dryneedling.accounts.sessions import sessions_end_all

INVITE_DAYS = 3
LAST_ADMIN = "The clinic needs at least one active clinic admin: make someone else a clinic admin first."


class InviteTokenGenerator(PasswordResetTokenGenerator):
    """Password-reset tokens with their own salt, valid for INVITE_DAYS instead of
    PASSWORD_RESET_TIMEOUT."""

    key_salt = "dryneedling.accounts.members.InviteTokenGenerator"
    timeout_seconds = INVITE_DAYS * 24 * 3600

    def check_token(self, user: User | None, token: str | None) -> bool:  # type: ignore[override]
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        for secret in [self.secret, *self.secret_fallbacks]:
            if constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token):
                break
        else:
            return False
        return (self._num_seconds(self._now()) - ts) <= self.timeout_seconds


invite_token_generator = InviteTokenGenerator()


def _admin(actor: User) -> Membership:
    return require(actor=actor, capability=CLINIC_ADMINISTRATION)


def _member(admin: Membership, user_id: int) -> Membership:
    """A member of the admin's clinic, locked for the change; another clinic's user is not found."""
    membership = (
        Membership.objects.select_for_update().select_related("user").filter(clinic=admin.clinic, user_id=user_id)
    ).first()
    if membership is None:
        raise Http404("No such member of your clinic.")
    return membership


def _roles(role: str, also: Collection[str]) -> set[str]:
    roles = {role, *also}
    if role not in Role.values or not roles <= set(Role.values):
        raise ValidationError({"role": "Choose roles from the list."})
    return roles


def _active_admins(admin: Membership) -> int:
    return Membership.objects.filter(clinic=admin.clinic, is_clinic_admin=True, user__is_active=True).count()


def invite_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    path = reverse("invite-accept", kwargs={"uidb64": uid, "token": invite_token_generator.make_token(user)})
    return f"{settings.PUBLIC_BASE_URL.rstrip('/')}{path}"


@transaction.atomic
def member_invite(*, actor: User, email: str, full_name: str, role: str, also: Collection[str] = ()) -> User:
    """A new member of the actor's clinic with an unusable password, and an email with a link to set
    one (valid INVITE_DAYS days)."""
    admin = _admin(actor)
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": "Enter a valid email address."}) from None
    roles = _roles(role, also)
    if not full_name.strip():
        raise ValidationError({"full_name": "Give the person's name."})
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": "A user with this email exists already (one clinic per user)."})
    user = User(email=email, full_name=full_name.strip()[:150])
    user.set_unusable_password()
    user.save()
    flags = {flag: r in roles for r, flag in ROLE_FLAGS.items()}
    Membership.objects.create(user=user, clinic=admin.clinic, role=role, **flags)
    audit_record(actor=actor, action="member.invite", clinic=admin.clinic, obj=user, detail={"roles": sorted(roles)})
    body = (
        f"{actor.full_name or actor.email} invited you to {admin.clinic.name} on dryneedling.\n\n"
        f"Set your password here (the link works once, for {INVITE_DAYS} days):\n{invite_link(user)}\n\n"
        "Then sign in with this email address.\n"
    )
    send_mail(f"Your account at {admin.clinic.name}", body, None, [email])
    return user


@transaction.atomic
def member_invite_resend(*, actor: User, user_id: int) -> None:
    """The set-password email again, for a member who has not set a password yet."""
    admin = _admin(actor)
    member = _member(admin, user_id)
    if member.user.has_usable_password():
        raise ValidationError("This member has set a password already: they can reset it from the sign-in page.")
    audit_record(actor=actor, action="member.invite_resend", clinic=admin.clinic, obj=member.user)
    body = (
        f"Set your password for {admin.clinic.name} here (the link works once, for {INVITE_DAYS} days):\n"
        f"{invite_link(member.user)}\n"
    )
    send_mail(f"Your account at {admin.clinic.name}", body, None, [member.user.email])


@transaction.atomic
def member_roles_set(*, actor: User, user_id: int, role: str, also: Collection[str] = ()) -> Membership:
    """Change a member's roles: `role` the primary one, `also` the others. The clinic keeps at least
    one active clinic admin."""
    admin = _admin(actor)
    roles = _roles(role, also)
    member = _member(admin, user_id)
    before = sorted(member.roles)
    if member.is_clinic_admin and Role.CLINIC_ADMIN not in roles and member.user.is_active:
        Membership.objects.select_for_update().filter(clinic=admin.clinic, is_clinic_admin=True).count()
        if _active_admins(admin) <= 1:
            raise ValidationError({"role": LAST_ADMIN})
    member.role = role
    for r, flag in ROLE_FLAGS.items():
        setattr(member, flag, r in roles)
    member.save()
    detail = {"roles": [before, sorted(roles)], "role": role}
    audit_record(actor=actor, action="member.roles", clinic=admin.clinic, obj=member.user, detail=detail)
    return member


@transaction.atomic
def member_set_active(*, actor: User, user_id: int, active: bool) -> User:
    """Deactivate (every session ends, sign-in is refused) or reactivate a member. Never oneself;
    never the clinic's last active clinic admin."""
    admin = _admin(actor)
    member = _member(admin, user_id)
    user = member.user
    if user.pk == actor.pk:
        raise PermissionDenied("You cannot deactivate or reactivate your own account; ask another clinic admin.")
    if not active and member.is_clinic_admin and user.is_active:
        Membership.objects.select_for_update().filter(clinic=admin.clinic, is_clinic_admin=True).count()
        if _active_admins(admin) <= 1:
            raise ValidationError(LAST_ADMIN)
    ended = revoked = 0
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        if not active:  # reactivation later does not revive the old keys
            ended, revoked = sessions_end_all(user=user), api_tokens_revoke_all(user=user)
    action = "member.reactivate" if active else "member.deactivate"
    audit_record(actor=actor, action=action, clinic=admin.clinic, obj=user,
                 detail={"sessions_ended": ended, "api_tokens_revoked": revoked})  # fmt: skip
    return user


@transaction.atomic
def member_unlock(*, actor: User, user_id: int) -> int:
    """Clear a member's failed sign-in counts: the app's per-email limit and django-axes' lockouts
    (from every address). Returns how many records were cleared."""
    admin = _admin(actor)
    member = _member(admin, user_id)
    email = member.user.email
    cleared = rate_limit_clear(scope="login-email", key=email) + int(axes_reset(username=email) or 0)
    audit_record(actor=actor, action="member.unlock", clinic=admin.clinic, obj=member.user, detail={"cleared": cleared})
    return cleared
