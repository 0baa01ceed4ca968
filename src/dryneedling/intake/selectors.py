"""Reads of screenings, scoped to the actor's clinic through the patient selectors."""

from __future__ import annotations

from django.db.models import QuerySet

from dryneedling.accounts.models import User
from dryneedling.intake.models import Screening
from dryneedling.patients.models import Patient


def screening_list_for(*, actor: User, patient: Patient) -> QuerySet[Screening]:
    return Screening.objects.for_actor(actor).filter(patient=patient).select_related("performed_by")


def screening_current_for(*, actor: User, patient: Patient) -> Screening | None:
    """The newest screening of the patient, or None."""
    return screening_list_for(actor=actor, patient=patient).order_by("-performed_at", "-id").first()
