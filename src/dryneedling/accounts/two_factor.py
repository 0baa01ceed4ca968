"""Two-factor sign-in (TOTP through django-otp): who must use it, enrolment, verification,
recovery codes, and the clinic admin's reset. Every write is audited."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import (
    Clinic,
    Membership,
    Outcome,
    RecoveryCode,
    RecoveryCodeDevice,
    Role,
    User,
)
from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
from dryneedling.accounts.recovery import looks_like_totp, recovery_code_digest, recovery_code_new
from dryneedling.accounts.selectors import membership_or_none

RECOVERY_CODE_COUNT = 10
ALWAYS_REQUIRED = {Role.CLINICIAN, Role.CLINIC_ADMIN}


def two_factor_required(*, user: User) -> bool:
    """Members holding the clinician or clinic admin role always; front desk when their clinic says so."""
    membership = membership_or_none(actor=user)
    if membership is None:
        return False  # belongs to no clinic: every page refuses them anyway
    if membership.has_role(*ALWAYS_REQUIRED):
        return True  # any of the member's roles: a front desk who is also a clinic admin enrols
    return membership.has_role(Role.FRONT_DESK) and membership.clinic.require_two_factor_front_desk


def totp_device_for(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def recovery_codes_left(*, user: User) -> int:
    return RecoveryCode.objects.filter(device__user=user).count()


@transaction.atomic
def totp_enrolment_start(*, user: User) -> TOTPDevice:
    """The unconfirmed device whose secret the enrolment page shows (the same one on reload)."""
    if totp_device_for(user=user) is not None:
        raise ValidationError("Two-factor sign-in is set up already. A clinic admin can reset it.")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def totp_enrolment_confirm(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the authenticator with one code; return the device and 10 new recovery codes."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        raise ValidationError("Start the set-up again: no authenticator is waiting to be confirmed.")
    if not device.verify_token(code.strip().replace(" ", "")):  # throttles itself, outside our transaction
        audit_record(actor=user, action="two_factor.enrol", obj=device, outcome=Outcome.FAILURE)
        raise ValidationError("That code does not match. Type the 6 digits your app shows now.")
    with transaction.atomic():
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = _recovery_codes_replace(user=user)
        audit_record(actor=user, action="two_factor.enrol", obj=device)
    return device, codes


def _recovery_codes_replace(*, user: User) -> list[str]:
    RecoveryCodeDevice.objects.filter(user=user).delete()
    device = RecoveryCodeDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = [recovery_code_new() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create(RecoveryCode(device=device, digest=recovery_code_digest(c)) for c in codes)
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User) -> list[str]:
    """Replace all recovery codes (the old ones stop working). Call only for a verified session."""
    if totp_device_for(user=user) is None:
        raise ValidationError("Set up an authenticator app first.")
    codes = _recovery_codes_replace(user=user)
    audit_record(actor=user, action="two_factor.recovery_codes", obj=user)
    return codes


def two_factor_verify(*, user: User, code: str) -> Device | None:
    """The device that accepts `code` (the app's 6 digits or a recovery code), or None. Audited.

    Devices throttle themselves (1, 2, 4, 8... seconds after each failure): no raise here, so
    the failure count and the failure's audit row are kept.
    """
    method = "totp" if looks_like_totp(code) else "recovery_code"
    with transaction.atomic():
        model: type[Device] = TOTPDevice if method == "totp" else RecoveryCodeDevice
        device = model.objects.select_for_update().filter(user=user, confirmed=True).first()
        ok = device is not None and device.verify_token(code.strip().replace(" ", ""))
    detail: dict[str, object] = {"method": method}
    if ok and method == "recovery_code":
        detail["recovery_codes_left"] = recovery_codes_left(user=user)
    audit_record(
        actor=user,
        action="two_factor.verify",
        obj=user,
        outcome=Outcome.SUCCESS if ok else Outcome.FAILURE,
        detail=detail,
    )
    return device if ok else None


def two_factor_members_for(*, actor: User) -> QuerySet[Membership]:
    """The admin's clinic members, for the two-factor page. Clinic admins only."""
    membership = require(actor=actor, capability=CLINIC_ADMINISTRATION)
    return Membership.objects.filter(clinic=membership.clinic).select_related("user").order_by("user__full_name")


def enrolled_user_ids(*, user_ids: list[int]) -> set[int]:
    return set(TOTPDevice.objects.filter(user_id__in=user_ids, confirmed=True).values_list("user_id", flat=True))


@transaction.atomic
def two_factor_reset(*, actor: User, user_id: int) -> User:
    """A clinic admin removes a member's authenticator and recovery codes; they enrol again."""
    membership = require(actor=actor, capability=CLINIC_ADMINISTRATION)
    target = Membership.objects.select_related("user").filter(user_id=user_id, clinic=membership.clinic).first()
    if target is None:
        raise PermissionDenied("No such member of your clinic.")
    TOTPDevice.objects.filter(user=target.user).delete()
    RecoveryCodeDevice.objects.filter(user=target.user).delete()
    audit_record(actor=actor, action="two_factor.reset", clinic=membership.clinic, obj=target.user)
    return target.user


@transaction.atomic
def clinic_two_factor_policy_set(*, actor: User, require_front_desk: bool) -> Clinic:
    clinic = require(actor=actor, capability=CLINIC_ADMINISTRATION).clinic
    clinic.require_two_factor_front_desk = require_front_desk
    clinic.save(update_fields=["require_two_factor_front_desk"])
    audit_record(
        actor=actor,
        action="clinic.two_factor_policy",
        clinic=clinic,
        obj=clinic,
        detail={"require_front_desk": require_front_desk},
    )
    return clinic
