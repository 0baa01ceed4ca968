"""Patients and their episodes of care. Every row carries its clinic (the tenant)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.utils import timezone

from dryneedling.accounts.models import Clinic
from dryneedling.accounts.tenancy import ClinicScoped


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Unknown"


class Touched(models.Model):
    """`updated_at` is the time of every save, whatever the caller changed (issue 13: the API's
    `updated_since` sync must see every change; a service that forgot to stamp it hid one)."""

    updated_at = models.DateTimeField(default=timezone.now)
    # A clinic-scoped queryset's update() stamps it too (accounts/tenancy.py): a compare-and-set
    # write or a signal's update is a change as much as a save is.
    stamps_updated_at: ClassVar[bool] = True

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.updated_at = timezone.now()
        fields = kwargs.get("update_fields")
        if fields is not None and "updated_at" not in fields:
            kwargs["update_fields"] = [*fields, "updated_at"]
        super().save(*args, **kwargs)


class Patient(ClinicScoped, Touched):
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="patients")
    mrn = models.CharField("MRN", max_length=32)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=10, choices=Sex.choices)
    phone = models.CharField(max_length=32, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    address = models.CharField(max_length=300, blank=True)
    notes = models.TextField(max_length=5000, blank=True)
    # Body size: the lung guardrails use BMI (a thin chest wall puts the pleura closer).
    height_cm = models.PositiveSmallIntegerField(null=True, blank=True)
    weight_kg = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    # An adult who cannot consent for themselves: who consents for them (name checked at signing).
    decision_maker_name = models.CharField("Substitute decision-maker", max_length=200, blank=True)
    decision_maker_relationship = models.CharField(max_length=100, blank=True)
    # Insurance (issue 10): the superbill shows it; a session's payer defaults from it.
    insurance_payer = models.CharField("Insurance payer", max_length=200, blank=True)
    insurance_member_id = models.CharField("Member ID", max_length=64, blank=True)
    insurance_medicare = models.BooleanField("Medicare", default=False)
    emergency_contact_name = models.CharField(max_length=200, blank=True)
    emergency_contact_relationship = models.CharField(max_length=100, blank=True)
    emergency_contact_phone = models.CharField(max_length=32, blank=True)
    referring_physician_name = models.CharField(max_length=200, blank=True)
    referring_physician_npi = models.CharField("Referring physician NPI", max_length=10, blank=True)
    referring_physician_phone = models.CharField(max_length=32, blank=True)
    # The patient asked for no appointment reminders (issue 10): `send-due` skips them.
    appointment_reminders_opt_out = models.BooleanField("No appointment reminders", default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["clinic", "mrn"], name="patient_mrn_unique_in_clinic")]
        indexes = [models.Index(fields=["clinic", "family_name", "given_name"])]

    def __str__(self) -> str:
        return f"{self.family_name}, {self.given_name} ({self.mrn})"

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def bmi(self) -> float | None:
        if not self.height_cm or not self.weight_kg:
            return None
        return round(float(self.weight_kg) / (self.height_cm / 100) ** 2, 1)


class PatientSearchTerm(ClinicScoped):
    """One search term of a patient (patients/search.py): the patient search finds patients by
    the start of a term through the (clinic, term) index instead of scanning every patient
    (issue 14). Written by the patient services (and by bulk loaders) whenever the patient is."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="search_terms")
    term = models.CharField(max_length=64)

    class Meta:
        indexes = [
            # On PostgreSQL the term's operator class serves `LIKE 'word%'` whatever the database's
            # collation; SQLite ignores operator classes and reads the prefix as a range.
            models.Index(
                fields=["clinic", "term", "patient"],
                name="patient_search_term_prefix",
                opclasses=["int8_ops", "varchar_pattern_ops", "int8_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.term


class MrnCounter(models.Model):
    """The next number of a clinic's automatic MRNs (settings.MRN_FORMAT). One row per clinic,
    locked with SELECT ... FOR UPDATE while a patient is created, so two creates at once get
    different numbers. Holds no patient data, so it is not clinic-scoped."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="+")
    next_number = models.PositiveBigIntegerField(default=1)

    def __str__(self) -> str:
        return f"next MRN number {self.next_number}"


class EpisodeStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    ON_HOLD = "on_hold", "On hold"
    DISCHARGED = "discharged", "Discharged"


class ReferralSource(models.TextChoices):
    SELF = "self", "Self-referred"
    PHYSICIAN = "physician", "Physician"
    PHYSIOTHERAPIST = "physiotherapist", "Other physical therapist"
    CHIROPRACTOR = "chiropractor", "Chiropractor"
    INSURER = "insurer", "Insurer or employer"
    OTHER = "other", "Other"


class Episode(ClinicScoped, Touched):
    """An episode of care: one complaint treated over a course of visits."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="episodes")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="episodes")
    reason = models.CharField(max_length=300)
    referral_source = models.CharField(max_length=20, choices=ReferralSource.choices, default=ReferralSource.SELF)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=EpisodeStatus.choices, default=EpisodeStatus.ACTIVE)
    course_completed_at = models.DateTimeField(null=True, blank=True, help_text="When the needling course ended")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["clinic", "status"]),
            # The follow-up list's maintenance reviews, oldest course first (issue 14).
            models.Index(fields=["clinic", "status", "course_completed_at"], name="episode_course_completed"),
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.start_date})"


class EpisodeCondition(ClinicScoped):
    """A diagnosis of the episode, coded in ICD-10-CM, with its text."""

    clinic_path = "episode__clinic"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="conditions")
    code = models.CharField(max_length=8)
    text = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["episode", "code"], name="episode_condition_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"
