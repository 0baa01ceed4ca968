"""The clinic admin's writes on the clinic itself: its profile (what a superbill names) and its
clinical policy. Audited with the names of the changed fields, never their values."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import REMINDER_CHANNELS, Clinic, User
from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
from dryneedling.clinical.npi import npi_is_valid
from dryneedling.clinical.text import forbidden_characters

PHONE_RE = re.compile(r"^\+?[0-9 ()./-]{7,32}$")
TAX_ID_RE = re.compile(r"^[0-9]{2}-?[0-9]{7}$")  # an EIN: 12-3456789
POS_RE = re.compile(r"^[0-9]{2}$")  # CMS place of service code: 11 is "Office"

# (low, high) of each clinical policy field; the form's help text names the source.
POLICY_BOUNDS: dict[str, tuple[int, int]] = {
    "screening_validity_days": (1, 365),
    "maintenance_pain_threshold": (0, 10),  # NPRS 0-10
    "session_minutes_min": (1, 120),
    "session_minutes_max": (1, 120),
    "default_point_seconds": (5, 120),
}


def time_zone_choices() -> list[str]:
    return sorted(z for z in available_timezones() if "/" in z or z == "UTC")


def validate_time_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError({"time_zone": "Choose an IANA time zone such as America/New_York."}) from None
    if name not in available_timezones():
        raise ValidationError({"time_zone": "Choose an IANA time zone such as America/New_York."})


def _save(*, actor: User, clinic_id: int, values: dict[str, Any], action: str) -> Clinic:
    clinic = Clinic.objects.select_for_update().get(pk=clinic_id)
    changed = sorted(field for field, value in values.items() if getattr(clinic, field) != value)
    for field in changed:
        setattr(clinic, field, values[field])
    if changed:
        clinic.save(update_fields=changed)
    audit_record(actor=actor, action=action, clinic=clinic, obj=clinic, detail={"fields": changed})
    return clinic


@transaction.atomic
def clinic_profile_update(
    *,
    actor: User,
    name: str,
    address: str = "",
    phone: str = "",
    npi: str = "",
    tax_id: str = "",
    place_of_service: str = "11",
    time_zone: str = "UTC",
    alert_email: str = "",
) -> Clinic:
    membership = require(actor=actor, capability=CLINIC_ADMINISTRATION)
    values = {
        "name": name.strip(),
        "address": address.strip().replace("\r\n", "\n"),
        "phone": phone.strip(),
        "npi": npi.strip(),
        "tax_id": tax_id.strip(),
        "place_of_service": place_of_service.strip(),
        "time_zone": time_zone.strip(),
        "alert_email": alert_email.strip().lower(),
    }
    errors: dict[str, str] = {}
    if not values["name"] or len(values["name"]) > 200:
        errors["name"] = "A clinic needs a name of at most 200 characters."
    if len(values["address"]) > 300:
        errors["address"] = "The address is at most 300 characters."
    for field in ("name", "address"):
        if field not in errors and forbidden_characters(values[field], multiline=field == "address"):
            errors[field] = "Remove the control characters from this field."
    if values["phone"] and not PHONE_RE.match(values["phone"]):
        errors["phone"] = "A phone number is 7-32 digits, spaces and ( ) . / - with an optional leading +."
    if values["npi"] and not npi_is_valid(values["npi"]):
        errors["npi"] = "An NPI is 10 digits and its last digit checks the others: look at it again."
    if values["tax_id"] and not TAX_ID_RE.match(values["tax_id"]):
        errors["tax_id"] = "A tax ID (EIN) is 9 digits, written 12-3456789."
    if not POS_RE.match(values["place_of_service"]):
        errors["place_of_service"] = "A place of service code is 2 digits (11 is an office)."
    try:
        validate_time_zone(values["time_zone"])
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if values["alert_email"]:
        try:
            validate_email(values["alert_email"])
        except ValidationError:
            errors["alert_email"] = "Enter an email address, or leave it empty."
    if errors:
        raise ValidationError(errors)
    return _save(actor=actor, clinic_id=membership.clinic_id, values=values, action="clinic.profile.update")


@transaction.atomic
def clinic_policy_update(
    *,
    actor: User,
    screening_validity_days: int,
    maintenance_pain_threshold: int,
    session_minutes_min: int,
    session_minutes_max: int,
    default_point_seconds: int,
) -> Clinic:
    membership = require(actor=actor, capability=CLINIC_ADMINISTRATION)
    values = {
        "screening_validity_days": screening_validity_days,
        "maintenance_pain_threshold": maintenance_pain_threshold,
        "session_minutes_min": session_minutes_min,
        "session_minutes_max": session_minutes_max,
        "default_point_seconds": default_point_seconds,
    }
    errors: dict[str, str] = {}
    for field, value in values.items():
        low, high = POLICY_BOUNDS[field]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[field] = f"A whole number from {low} to {high}."
    if not errors and session_minutes_min > session_minutes_max:
        errors["session_minutes_max"] = "The longest session cannot be shorter than the shortest."
    if errors:
        raise ValidationError(errors)
    return _save(actor=actor, clinic_id=membership.clinic_id, values=values, action="clinic.policy.update")


@transaction.atomic
def clinic_reminders_update(*, actor: User, reminder_channel: str) -> Clinic:
    """How `send-due` reminds the clinic's patients of their appointments (issue 10)."""
    membership = require(actor=actor, capability=CLINIC_ADMINISTRATION)
    if reminder_channel not in dict(REMINDER_CHANNELS):
        raise ValidationError({"reminder_channel": "Choose email, SMS, both, or no reminders."})
    values = {"reminder_channel": reminder_channel}
    return _save(actor=actor, clinic_id=membership.clinic_id, values=values, action="clinic.reminders.update")
