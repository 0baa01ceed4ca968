"""Posting charges, recording and voiding payments (issue 11). Every write is audited; the audit
detail carries codes, amounts and methods, never a name or a payment's reference text."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dryneedling.accounting.cards import looks_like_card_number
from dryneedling.accounting.models import Charge, Payment
from dryneedling.accounting.selectors import signed_sessions_unposted
from dryneedling.accounts import zones
from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Clinic, Membership, User
from dryneedling.accounts.permissions import ACCOUNTING, BILLING, require
from dryneedling.clinical.billing import derive_cpt, get_billing
from dryneedling.patients.models import Patient
from dryneedling.treatment.models import Session
from dryneedling.treatment.selectors import fee_schedule_for

CENT = Decimal("0.01")
MAX_PAYMENT = Decimal("100000")
CARD_NUMBER_REFUSED = (
    "This looks like a card number. Card numbers must not be stored: enter the receipt or "
    "authorization number instead, or leave the reference empty."
)


def _billing_membership(actor: User, patient: Patient) -> Membership:
    """The actor's membership if they may bill and the patient is of their clinic (a patient of
    another clinic never reaches here through the views: a 404 first; this is the last guard)."""
    membership = require(actor=actor, capability=BILLING)
    if patient.clinic_id != membership.clinic_id:
        raise PermissionDenied("This patient is not a patient of your clinic.")
    return membership


def clinic_today(clinic: Clinic) -> date:
    return zones.local(timezone.now(), clinic).date()


@dataclass
class Posting:
    """What "Post charges for signed sessions" did: the charges it posted and, for each signed
    session it could not charge, why."""

    posted: list[Charge] = field(default_factory=list)
    not_posted: list[tuple[Session, str]] = field(default_factory=list)


def _charge_line(session: Session, fees: dict[str, Decimal]) -> tuple[str, str, Decimal] | str:
    """(code, description, fee) for the session, or the reason it cannot be charged."""
    cpt = derive_cpt(needled=[i.needled() for i in session.insertions.all()])
    if cpt.code is None:
        return "no muscle was needled in this session, so there is nothing to charge."
    fee = fees.get(cpt.code)
    if fee is None:
        return (
            f"the clinic's fee schedule has no fee for CPT {cpt.code}. A clinic admin sets it under "
            "Clinic settings, Fee schedule; then post again."
        )
    descriptor = next((c.descriptor for c in get_billing().codes if c.code == cpt.code), "")
    return cpt.code, descriptor, fee


def charges_post(*, actor: User, patient: Patient) -> Posting:
    """Post a charge for each of the patient's signed sessions that has none (idempotent: a session
    is charged once, at the clinic's fee of the moment it is posted). `patient` was read through the
    actor's clinic."""
    membership = _billing_membership(actor, patient)
    clinic = membership.clinic
    fees = fee_schedule_for(clinic_id=clinic.pk)
    result = Posting()
    for session in signed_sessions_unposted(clinic_id=clinic.pk, patient=patient):
        line = _charge_line(session, fees)
        if isinstance(line, str):
            result.not_posted.append((session, line))
            continue
        code, description, fee = line
        try:
            with transaction.atomic():
                charge = Charge.objects.create(
                    clinic=clinic,
                    patient=patient,
                    session=session,
                    code=code,
                    description=description[:200],
                    units=1,
                    unit_fee=fee,
                    amount=fee,
                    service_date=zones.local(session.started_at, clinic).date(),
                    payer=session.payer,
                    posted_by=actor,
                )
                audit_record(
                    actor=actor,
                    action="charge.post",
                    obj=charge,
                    detail={"session": session.pk, "code": code, "amount": str(fee), "payer": session.payer},
                )
        except IntegrityError:  # posted meanwhile by a colleague: that charge stands
            continue
        result.posted.append(charge)
    return result


def payment_amount(value: str | Decimal) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": "Enter an amount such as 85.00."}) from None
    if not amount.is_finite():
        raise ValidationError({"amount": "Enter an amount such as 85.00."})
    if amount != amount.quantize(CENT):
        raise ValidationError({"amount": "An amount has at most 2 decimals (cents)."})
    if amount <= 0:
        raise ValidationError(
            {"amount": "A payment is more than 0. To correct a payment, void it and record it again."}
        )
    if amount > MAX_PAYMENT:
        raise ValidationError({"amount": "A payment is at most 100,000."})
    return amount.quantize(CENT)


@transaction.atomic
def payment_record(
    *, actor: User, patient: Patient, amount: str | Decimal, method: str, received_on: date, reference: str = ""
) -> Payment:
    """Record money received for the patient (billing roles). Never card data: a reference that
    looks like a card number is refused on the field."""
    membership = _billing_membership(actor, patient)
    errors: dict[str, str] = {}
    try:
        value = payment_amount(amount)
    except ValidationError as error:
        errors.update({k: v[0] for k, v in error.message_dict.items()})
    if method not in Payment.Method.values:
        errors["method"] = "Choose cash, card or other."
    if received_on > clinic_today(membership.clinic):
        errors["received_on"] = "A payment cannot be received on a future date."
    reference = reference.strip()
    if looks_like_card_number(reference):
        errors["reference"] = CARD_NUMBER_REFUSED
    if errors:
        raise ValidationError(errors)
    payment = Payment.objects.create(
        clinic=membership.clinic,
        patient=patient,
        amount=value,
        method=method,
        received_on=received_on,
        reference=reference,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action="payment.record",
        obj=payment,
        detail={"amount": str(value), "method": method, "received_on": received_on.isoformat()},
    )
    return payment


@transaction.atomic
def payment_void(*, actor: User, payment_id: int, reason: str) -> Payment:
    """Void a payment recorded in error (clinic admins): it stays on the record, struck through,
    and no longer counts. Never deleted."""
    membership = require(actor=actor, capability=ACCOUNTING)
    payment = Payment.objects.for_clinic(membership.clinic_id).select_for_update().filter(pk=payment_id).first()
    if payment is None:
        raise ValidationError("No such payment in this clinic.")
    if payment.voided_at is not None:
        raise ValidationError("This payment is already void.")
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the payment is void (for example: recorded twice)."})
    payment.voided_at, payment.voided_by, payment.void_reason = timezone.now(), actor, reason[:200]
    payment.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit_record(actor=actor, action="payment.void", obj=payment, detail={"amount": str(payment.amount)})
    return payment
