"""Charges and payments. Money is Decimal (2 places), never float; nothing here is ever deleted:
a payment recorded by mistake is voided with a reason, and the charge of a session is posted once."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils import timezone

from dryneedling.accounts.models import Clinic, User
from dryneedling.accounts.tenancy import ClinicScoped
from dryneedling.patients.models import Patient
from dryneedling.treatment.models import Payer, Session


class Charge(ClinicScoped):
    """What a signed session costs: its CPT code and the clinic's fee frozen when it was posted
    (a later change of the fee schedule does not change a posted charge)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="charges")
    session = models.OneToOneField(Session, on_delete=models.PROTECT, related_name="charge")
    code = models.CharField("CPT", max_length=8)
    description = models.CharField(max_length=200, blank=True)
    units = models.PositiveSmallIntegerField(default=1)
    unit_fee = models.DecimalField(max_digits=10, decimal_places=2)
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    service_date = models.DateField()  # the clinic-local date the session started
    payer = models.CharField(max_length=12, choices=Payer.choices)
    posted_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    posted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["service_date", "id"]
        indexes = [models.Index(fields=["clinic", "service_date"]), models.Index(fields=["patient", "service_date"])]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="charge_amount_not_negative")]


class Payment(ClinicScoped):
    """Money received from or for a patient. No card data: the method and a short reference only."""

    class Method(models.TextChoices):
        CASH = "cash", "Cash"
        CARD = "card", "Card"
        OTHER = "other", "Other (cheque, transfer, insurer)"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    method = models.CharField(max_length=8, choices=Method.choices)
    received_on = models.DateField()  # clinic-local date
    reference = models.CharField(max_length=60, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    void_reason = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["received_on", "id"]
        indexes = [models.Index(fields=["clinic", "received_on"]), models.Index(fields=["patient", "received_on"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=Decimal("0")), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=models.Q(voided_at__isnull=True) | ~models.Q(void_reason=""), name="payment_void_has_reason"
            ),
        ]

    @property
    def voided(self) -> bool:
        return self.voided_at is not None
