"""The clinic's fee schedule: one amount per code the app bills (issue 10).

The codes are those the superbill can carry: the dry-needling codes of ``clinical/data/billing.yaml``
(CPT 20560 and 20561). Each change is audited with the code and the amount before and after (a fee
is the clinic's public price, not patient data)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
from dryneedling.clinical.billing import get_billing
from dryneedling.treatment.models import FeeScheduleItem

BILLABLE_CODES: tuple[str, ...] = tuple(c.code for c in get_billing().codes)
MAX_FEE = Decimal("100000")
CENT = Decimal("0.01")


def _code(code: str) -> str:
    if code not in BILLABLE_CODES:
        raise ValidationError({"code": f"The app bills {' and '.join(BILLABLE_CODES)}: choose one of them."})
    return code


def fee_amount(amount: str | Decimal) -> Decimal:
    """The amount as a Decimal of cents, or a ValidationError on `amount` saying what is wrong."""
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": "Enter an amount such as 85.00."}) from None
    if not value.is_finite():
        raise ValidationError({"amount": "Enter an amount such as 85.00."})
    if value != value.quantize(CENT):
        raise ValidationError({"amount": "An amount has at most 2 decimals (cents)."})
    if not Decimal("0") <= value <= MAX_FEE:
        raise ValidationError({"amount": "The amount must lie between 0 and 100,000."})
    return value.quantize(CENT)


def _money(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


@transaction.atomic
def fee_set(*, actor: User, code: str, amount: str | Decimal) -> FeeScheduleItem:
    """Set the clinic's fee for `code` (a clinic admin only)."""
    membership = require(actor=actor, capability=CLINIC_ADMINISTRATION)
    code, value = _code(code), fee_amount(amount)
    current = FeeScheduleItem.objects.select_for_update().filter(clinic=membership.clinic, code=code).first()
    before = current.amount if current is not None else None
    item, _ = FeeScheduleItem.objects.update_or_create(clinic=membership.clinic, code=code, defaults={"amount": value})
    audit_record(
        actor=actor, action="fee.set", obj=item, detail={"code": code, "before": _money(before), "after": str(value)}
    )
    return item


@transaction.atomic
def fee_clear(*, actor: User, code: str) -> None:
    """Remove the clinic's fee for `code`: superbills then say "no fee set" (a clinic admin only)."""
    membership = require(actor=actor, capability=CLINIC_ADMINISTRATION)
    code = _code(code)
    current = FeeScheduleItem.objects.select_for_update().filter(clinic=membership.clinic, code=code).first()
    if current is None:
        raise ValidationError({"code": f"There is no fee for {code} to remove."})
    pk, before = current.pk, current.amount
    current.delete()
    audit_record(
        actor=actor,
        action="fee.clear",
        object_type="treatment.feescheduleitem",
        object_id=pk,
        detail={"code": code, "before": _money(before), "after": None},
    )
