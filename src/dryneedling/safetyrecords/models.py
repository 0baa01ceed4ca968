"""Clinic safety records: each clinician's profession and dry-needling training, and the clinic's
needle-stick and sharps incidents.

Training records are retired, never deleted, so the history of what a clinician had on file when
they needled stays readable. Every row carries its clinic.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from dryneedling.accounts.models import Clinic, User
from dryneedling.accounts.tenancy import ClinicScoped
from dryneedling.patients.models import Patient


class Profession(models.TextChoices):
    PHYSICAL_THERAPIST = "physical_therapist", "Physical therapist"
    PHYSICIAN = "physician", "Physician"
    CHIROPRACTOR = "chiropractor", "Chiropractor"
    ATHLETIC_TRAINER = "athletic_trainer", "Athletic trainer"
    ACUPUNCTURIST = "acupuncturist", "Acupuncturist"
    OTHER = "other", "Other"


class ClinicianProfile(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="clinician_profile")
    profession = models.CharField(max_length=30, choices=Profession.choices)
    licence_number = models.CharField(max_length=60, blank=True)
    # On the superbill (issue 11): the letters after the name ("PT, DPT") and the individual
    # (type 1) NPI of the rendering provider, checked with clinical/npi.py.
    credentials = models.CharField(max_length=40, blank=True)
    npi = models.CharField("Individual NPI", max_length=10, blank=True)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user} ({self.get_profession_display()})"


class TrainingRecord(models.Model):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    clinician = models.ForeignKey(User, on_delete=models.PROTECT, related_name="training_records")
    course = models.CharField(max_length=200)
    provider = models.CharField(max_length=200)
    hours = models.DecimalField(max_digits=5, decimal_places=1)
    completed_on = models.DateField()
    certificate = models.CharField(max_length=300, blank=True, help_text="Certificate id or wording")
    covers_electrical = models.BooleanField(default=False)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    retire_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["clinician", "retired_at"])]
        ordering = ["-completed_on", "-id"]

    def __str__(self) -> str:
        return f"{self.course} ({self.hours} h, {self.completed_on:%Y-%m-%d})"


class IncidentPerson(models.TextChoices):
    STAFF = "staff", "A staff member"
    PATIENT = "patient", "A patient"


class IncidentKind(models.TextChoices):
    NEEDLESTICK = "needlestick", "Needle-stick injury"
    NEEDLE_FOUND = "needle_found", "Needle found outside the sharps container"
    BROKEN_NEEDLE = "broken_needle", "Broken needle"
    RETAINED_NEEDLE = "retained_needle", "Retained needle"
    OTHER = "other", "Other sharps incident"


class IncidentStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class SharpsIncident(ClinicScoped):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    occurred_at = models.DateTimeField()
    person = models.CharField(max_length=10, choices=IncidentPerson.choices)
    staff_member = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # By name, not by import: the treatment app calls these services (a retained needle found at the
    # end of a session), so this app must not import treatment's modules.
    session = models.ForeignKey("treatment.Session", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=20, choices=IncidentKind.choices)
    description = models.TextField(max_length=2000)
    immediate_action = models.TextField(max_length=1000)
    follow_up_required = models.BooleanField(default=True)
    follow_up_notes = models.TextField(max_length=4000, blank=True)
    status = models.CharField(max_length=8, choices=IncidentStatus.choices, default=IncidentStatus.OPEN)
    reported_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    reported_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        indexes = [models.Index(fields=["clinic", "status", "-occurred_at"])]
        ordering = ["-occurred_at", "-id"]

    def __str__(self) -> str:
        return f"Sharps incident {self.pk} ({self.get_kind_display()}, {self.status})"
