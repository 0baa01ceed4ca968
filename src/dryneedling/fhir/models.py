"""A Bulk Data export job (issue 13): asked for at `/fhir/$export` (and the Patient and Group
levels), run by `fhir.jobs` (the periodic job, and a background thread after the kick-off), its
NDJSON files kept under FHIR_EXPORT_DIR/<id>/ until they expire. docs/decisions.md, "issue 13 —
FHIR HTTP and Bulk Data"."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from dryneedling.accounts.models import Clinic, User
from dryneedling.accounts.tenancy import ClinicScoped


class Level(models.TextChoices):
    SYSTEM = "system", "System ($export)"
    PATIENT = "patient", "All patients (Patient/$export)"
    GROUP = "group", "A group (Group/[id]/$export)"


class Status(models.TextChoices):
    PENDING = "pending", "Waiting for a runner"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled (deleted by the client)"
    EXPIRED = "expired", "Expired (files removed)"


class BulkExport(ClinicScoped):
    """One kick-off. `params` holds what was asked (types, since, output format, group, the
    request URL); `output` the files written ([{type, file, count}]). A runner claims the job by
    compare-and-set on (status, attempts) and holds it until `claimed_until`; a run that died is
    claimed again after that moment. The id is a UUID: the status URL names it."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    token_prefix = models.CharField(max_length=16, blank=True)
    level = models.CharField(max_length=8, choices=Level.choices)
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    transaction_time = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    output = models.JSONField(default=list)
    error = models.TextField(blank=True)  # words for the client; never patient data

    class Meta:
        indexes = [models.Index(fields=["status", "claimed_until"], name="fhir_bulk_export_due_idx")]

    def __str__(self) -> str:
        return f"bulk export {self.pk} ({self.status})"
