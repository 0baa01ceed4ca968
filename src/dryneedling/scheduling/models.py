"""Appointment types, working hours, appointments and calendar feeds. Times are stored in UTC and
shown in the clinic's zone (`Clinic.time_zone`)."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from dryneedling.accounts.models import Clinic, User
from dryneedling.accounts.tenancy import ClinicScoped
from dryneedling.patients.models import Episode, Patient
from dryneedling.scheduling import rules


class AppointmentType(models.Model):
    """A kind of visit and its length (no patient data: plain clinic rows)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="appointment_types")
    name = models.CharField(max_length=100)
    minutes = models.PositiveSmallIntegerField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["clinic", "name"], name="appointment_type_name_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.minutes} min)"


class WorkingHours(models.Model):
    """One block of a clinician's week, in clinic-local wall-clock time (0 = Monday)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    clinician = models.ForeignKey(User, on_delete=models.CASCADE, related_name="working_hours")
    weekday = models.PositiveSmallIntegerField(choices=list(enumerate(rules.WEEKDAYS)))
    starts = models.TimeField()
    ends = models.TimeField()

    class Meta:
        ordering = ["clinician_id", "weekday", "starts"]
        indexes = [models.Index(fields=["clinician", "weekday"])]
        constraints = [models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="working_hours_end_after_start")]

    def __str__(self) -> str:
        return f"{rules.WEEKDAYS[self.weekday]} {self.starts:%H:%M}-{self.ends:%H:%M}"


class AppointmentStatus(models.TextChoices):
    BOOKED = rules.BOOKED, rules.LABELS[rules.BOOKED]
    ARRIVED = rules.ARRIVED, rules.LABELS[rules.ARRIVED]
    IN_SESSION = rules.IN_SESSION, rules.LABELS[rules.IN_SESSION]
    DONE = rules.DONE, rules.LABELS[rules.DONE]
    NO_SHOW = rules.NO_SHOW, rules.LABELS[rules.NO_SHOW]
    CANCELLED = rules.CANCELLED, rules.LABELS[rules.CANCELLED]


class Appointment(ClinicScoped):
    """A patient's visit with one clinician. The end follows from the type's length at booking."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="appointments")
    clinician = models.ForeignKey(User, on_delete=models.PROTECT, related_name="appointments")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="appointments")
    episode = models.ForeignKey(Episode, null=True, blank=True, on_delete=models.SET_NULL, related_name="appointments")
    appointment_type = models.ForeignKey(AppointmentType, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    status = models.CharField(max_length=12, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED)
    cancel_reason = models.CharField(max_length=300, blank=True)
    booked_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    arrived_at = models.DateTimeField(null=True, blank=True)
    # When each reminder was claimed by the send-due job (compare-and-set: sent once).
    reminder_email_at = models.DateTimeField(null=True, blank=True)
    reminder_sms_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["clinic", "starts_at"]),
            models.Index(fields=["clinician", "starts_at"]),
            models.Index(fields=["clinic", "status", "starts_at"], name="scheduling_appt_due_idx"),
            # The patient page's coming visits (issue 14), not the clinic's or the clinician's whole
            # book. The second serves a clinician who sees their own book only: with the join on the
            # clinician and no statistics, SQLite preferred the clinician's index to the first.
            models.Index(fields=["clinic", "patient", "starts_at"], name="appt_clinic_patient_starts"),
            models.Index(fields=["clinic", "patient", "clinician", "starts_at"], name="appt_clinic_patient_clin"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="appointment_end_after_start")
        ]

    def __str__(self) -> str:
        return f"appointment {self.pk} ({self.status})"  # never the patient's name


class CalendarFeed(models.Model):
    """A clinician's iCalendar feed. Only the SHA-256 of its secret token is stored."""

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    clinician = models.OneToOneField(User, on_delete=models.CASCADE, related_name="calendar_feed")
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"calendar feed of user {self.clinician_id}"  # never the token
