"""Reading charges, payments and balances (issue 11). Money is summed as Decimal."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Sum

from dryneedling.accounting.models import Charge, Payment
from dryneedling.accounts.models import Clinic, User
from dryneedling.accounts.permissions import ACCOUNTING, BILLING, require
from dryneedling.patients.models import Patient
from dryneedling.patients.selectors import deny
from dryneedling.treatment.models import Session

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def _cents(value: Decimal | None) -> Decimal:
    return (value or ZERO).quantize(CENT)


@dataclass
class Account:
    """One patient's charges and payments and what is left to pay."""

    patient: Patient
    clinic: Clinic
    charges: list[Charge]
    payments: list[Payment]  # voided ones included (shown struck through), never counted
    unposted: list[Session] = field(default_factory=list)  # signed sessions without a charge yet

    @property
    def charged(self) -> Decimal:
        return _cents(sum((c.amount for c in self.charges), ZERO))

    @property
    def paid(self) -> Decimal:
        return _cents(sum((p.amount for p in self.payments if p.voided_at is None), ZERO))

    @property
    def balance(self) -> Decimal:
        """Charges minus payments: positive is owed by the patient, negative is a credit."""
        return self.charged - self.paid

    @property
    def credit(self) -> Decimal:
        """What the clinic owes the patient when payments exceed charges (a positive amount)."""
        return -self.balance


def signed_sessions_unposted(*, clinic_id: int, patient: Patient) -> list[Session]:
    """The patient's sessions with a signed note and no charge yet, oldest first."""
    return list(
        Session.objects.for_clinic(clinic_id)
        .filter(patient=patient, note__signed_at__isnull=False, charge__isnull=True)
        .order_by("started_at", "id")
    )


def account_of(*, actor: User, patient: Patient) -> Account:
    """The patient's account (billing roles). `patient` was read through the actor's clinic."""
    membership = require(actor=actor, capability=BILLING)
    clinic_id = membership.clinic_id
    return Account(
        patient=patient,
        clinic=membership.clinic,
        charges=list(Charge.objects.for_clinic(clinic_id).filter(patient=patient).select_related("session")),
        payments=list(
            Payment.objects.for_clinic(clinic_id).filter(patient=patient).select_related("recorded_by", "voided_by")
        ),
        unposted=signed_sessions_unposted(clinic_id=clinic_id, patient=patient),
    )


def payment_get_for(*, actor: User, payment_id: int) -> Payment:
    membership = require(actor=actor, capability=BILLING)
    payment = Payment.objects.for_clinic(membership.clinic_id).select_related("patient").filter(pk=payment_id).first()
    if payment is None:
        raise deny(actor=actor, object_type="payment", object_id=payment_id, model=Payment)
    return payment


@dataclass(frozen=True)
class BalanceRow:
    patient: Patient
    charged: Decimal
    paid: Decimal

    @property
    def balance(self) -> Decimal:
        return self.charged - self.paid

    @property
    def credit(self) -> Decimal:
        return -self.balance


def balances_for(*, actor: User) -> list[BalanceRow]:
    """Every patient of the actor's clinic whose charges and payments do not cancel out, the
    largest balance first (credits last)."""
    membership = require(actor=actor, capability=BILLING)
    clinic_id = membership.clinic_id
    charged = dict(
        Charge.objects.for_clinic(clinic_id)
        .values("patient")
        .annotate(total=Sum("amount"))
        .values_list("patient", "total")
    )
    paid = dict(
        Payment.objects.for_clinic(clinic_id)
        .filter(voided_at__isnull=True)
        .values("patient")
        .annotate(total=Sum("amount"))
        .values_list("patient", "total")
    )
    ids = {pid for pid in set(charged) | set(paid) if charged.get(pid, ZERO) != paid.get(pid, ZERO)}
    patients = {p.pk: p for p in Patient.objects.for_clinic(clinic_id).filter(pk__in=ids)}
    # SQLite's SUM of a decimal column loses the trailing zeros: shown as money, quantized to cents.
    rows = [BalanceRow(patients[pid], _cents(charged.get(pid)), _cents(paid.get(pid))) for pid in ids]
    return sorted(rows, key=lambda r: (-r.balance, r.patient.family_name, r.patient.given_name, r.patient.pk))


def ledger_for(*, actor: User, start: date, end: date) -> tuple[list[Charge], list[Payment]]:
    """The clinic's charges (by date of service) and payments (by date received, voided ones too)
    between two clinic-local dates, inclusive: the accounting export (clinic admins)."""
    membership = require(actor=actor, capability=ACCOUNTING)
    clinic_id = membership.clinic_id
    charges = list(
        Charge.objects.for_clinic(clinic_id)
        .filter(service_date__range=(start, end))
        .select_related("patient")
        .order_by("service_date", "id")
    )
    payments = list(
        Payment.objects.for_clinic(clinic_id)
        .filter(received_on__range=(start, end))
        .select_related("patient")
        .order_by("received_on", "id")
    )
    return charges, payments
