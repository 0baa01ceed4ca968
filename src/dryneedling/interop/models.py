"""Which record of this clinic an identifier from elsewhere names (issue 13)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from dryneedling.accounts.models import Clinic
from dryneedling.accounts.tenancy import ClinicScoped


class Kind(models.TextChoices):
    PATIENT = "patient", "Patient"
    EPISODE = "episode", "Episode of care"
    CONDITION = "condition", "Condition"
    OBSERVATION = "observation", "Observation (outcome score)"
    APPOINTMENT = "appointment", "Appointment"


class Source(models.TextChoices):
    FHIR = "fhir", "FHIR"
    JANE = "jane", "Jane App CSV"
    CLINIKO = "cliniko", "Cliniko CSV"


class ExternalId(ClinicScoped):
    """An identifier (system, value) a record came in with. An import finds the record again by it
    (idempotent by identifier), and the FHIR export gives the record this identifier back, so a
    clinic exported, imported elsewhere and exported again carries the same identifiers."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    system = models.CharField(max_length=255)
    value = models.CharField(max_length=255)
    object_id = models.PositiveBigIntegerField()
    source = models.CharField(max_length=8, choices=Source.choices)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinic", "kind", "system", "value"], name="external_id_unique")]
        indexes = [models.Index(fields=["clinic", "kind", "object_id"], name="external_id_object_idx")]

    def __str__(self) -> str:
        return f"{self.kind} {self.system}|{self.value}"
