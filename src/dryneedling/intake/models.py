"""Stored screenings: answers, decision, rule ids and knowledge version. Never overwritten."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from dryneedling.accounts.models import Clinic, User
from dryneedling.accounts.tenancy import ClinicScoped
from dryneedling.patients.models import Episode, Patient, Touched


class Decision(models.TextChoices):
    SUITABLE = "suitable", "Suitable"
    PRECAUTIONS = "suitable_with_precautions", "Suitable with precautions"
    SOME_SITES = "not_suitable_at_some_sites", "Not suitable at some sites"
    NOT_NOW = "not_suitable_now", "Not suitable now"


class Screening(ClinicScoped, Touched):
    """One screening of one patient. A new screening is a new row; rows are never updated (its
    `updated_at` is its creation, for the API's `updated_since`)."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="screenings")
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="screenings")
    episode = models.ForeignKey(Episode, null=True, blank=True, on_delete=models.SET_NULL, related_name="screenings")
    performed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    performed_at = models.DateTimeField(default=timezone.now)
    answers = models.JSONField()
    decision = models.CharField(max_length=32, choices=Decision.choices)
    refer_to_physician = models.BooleanField(default=False)
    emergency = models.BooleanField(default=False, help_text="Call emergency services now (e.g. chest pain).")
    rule_ids = models.JSONField(default=list)
    result = models.JSONField(help_text="The engine's full decision: reasons, sources, blocked sites.")
    knowledge_version = models.CharField(max_length=40)

    class Meta:
        indexes = [models.Index(fields=["clinic", "patient", "-performed_at"])]
        ordering = ["-performed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} ({timezone.localtime(self.performed_at):%Y-%m-%d})"
