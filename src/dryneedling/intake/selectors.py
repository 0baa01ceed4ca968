"""Reads of screenings, scoped to the actor's clinic; clinicians only (a screening is clinical)."""

from __future__ import annotations

from django.db.models import QuerySet

from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import CLINICAL, require
from dryneedling.intake.models import Screening
from dryneedling.patients.models import Patient
from dryneedling.patients.selectors import get_or_deny


def screening_list_for(*, actor: User, patient: Patient | None = None) -> QuerySet[Screening]:
    """The patient's screenings (every patient's without one: the API's list)."""
    require(actor=actor, capability=CLINICAL)
    screenings = Screening.objects.for_actor(actor).select_related("performed_by")
    return screenings if patient is None else screenings.filter(patient=patient)


def screening_get_for(*, actor: User, screening_id: int) -> Screening:
    return get_or_deny(screening_list_for(actor=actor), actor=actor, pk=screening_id, object_type="screening")


def screening_current_for(*, actor: User, patient: Patient) -> Screening | None:
    """The newest screening of the patient, or None."""
    return screening_list_for(actor=actor, patient=patient).order_by("-performed_at", "-id").first()
