"""Which record of this clinic an identifier from elsewhere names (issue 13)."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from dryneedling.accounts.models import Clinic, User
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


class CsvKind(models.TextChoices):
    PATIENTS = "patients", "Patients"
    APPOINTMENTS = "appointments", "Appointments"


class CsvUpload(ClinicScoped):
    """A CSV file a clinic admin uploaded to import (issue 13), kept between its preview and the
    Import button: the import is confirmed by this row's id and the file's SHA-256, so a preview
    left open in another tab cannot import a different file. The content is cleared once the file
    is imported; rows past `expires_at` are deleted by `send-due` (and when the clinic uploads again)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    uploaded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=12, choices=CsvKind.choices)
    filename = models.CharField(max_length=255, blank=True)
    sha256 = models.CharField(max_length=64)
    content = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["clinic", "expires_at"], name="csv_upload_expiry_idx")]

    def __str__(self) -> str:
        return f"csv upload {self.pk} ({self.kind})"  # never the file's name or content
