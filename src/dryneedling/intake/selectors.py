"""Reads of screenings, scoped to the actor's clinic; clinicians only (a screening is clinical)."""

from __future__ import annotations

from django.db.models import QuerySet

from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import CLINICAL, require
from dryneedling.intake.models import Screening
from dryneedling.patients.models import Patient


def screening_list_for(*, actor: User, patient: Patient) -> QuerySet[Screening]:
    require(actor=actor, capability=CLINICAL)
    return Screening.objects.for_actor(actor).filter(patient=patient).select_related("performed_by")


def screening_current_for(*, actor: User, patient: Patient) -> Screening | None:
    """The newest screening of the patient, or None."""
    return screening_list_for(actor=actor, patient=patient).order_by("-performed_at", "-id").first()
