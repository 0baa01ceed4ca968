"""The clinic's fee schedule (self-pay amounts per code)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
from dryneedling.treatment.models import FeeScheduleItem

BILLABLE_CODES = ("20560", "20561")


@transaction.atomic
def fee_set(*, actor: User, code: str, amount: str | Decimal) -> FeeScheduleItem:
    membership = require(actor=actor, capability=CLINIC_ADMINISTRATION)
    if code not in BILLABLE_CODES:
        raise ValidationError({"code": f"Fees can be set for {', '.join(BILLABLE_CODES)}."})
    try:
        value = Decimal(str(amount)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": "Enter an amount such as 85.00."}) from None
    if not Decimal("0") <= value <= Decimal("100000"):
        raise ValidationError({"amount": "The amount must lie between 0 and 100,000."})
    item, _ = FeeScheduleItem.objects.update_or_create(clinic=membership.clinic, code=code, defaults={"amount": value})
    audit_record(actor=actor, action="fee.set", obj=item, detail={"code": code})
    return item
