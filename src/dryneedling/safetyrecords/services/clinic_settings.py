"""The clinic's safety settings: the age of consent and the jurisdiction whose rules apply."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Clinic, User
from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
from dryneedling.safetyrecords.rules import jurisdiction_labels

AGE_OF_CONSENT_RANGE = (5, 25)


@transaction.atomic
def clinic_safety_settings_update(*, actor: User, age_of_consent: int, jurisdiction: str) -> Clinic:
    reason = "Only a clinic admin can change the clinic's safety settings."
    membership = require(actor=actor, capability=CLINIC_ADMINISTRATION, reason=reason)
    low, high = AGE_OF_CONSENT_RANGE
    if isinstance(age_of_consent, bool) or not isinstance(age_of_consent, int) or not low <= age_of_consent <= high:
        raise ValidationError({"age_of_consent": f"The age of consent must be a whole number from {low} to {high}."})
    if jurisdiction not in jurisdiction_labels():
        raise ValidationError({"jurisdiction": "Choose a jurisdiction from the list."})
    clinic = Clinic.objects.select_for_update().get(pk=membership.clinic_id)
    changes = {
        field: [getattr(clinic, field), value]
        for field, value in (("age_of_consent", age_of_consent), ("jurisdiction", jurisdiction))
        if getattr(clinic, field) != value
    }
    if changes:
        clinic.age_of_consent, clinic.jurisdiction = age_of_consent, jurisdiction
        clinic.save(update_fields=["age_of_consent", "jurisdiction"])
    audit_record(actor=actor, action="clinic.safety_settings.update", obj=clinic, clinic=clinic, detail=changes)
    return clinic
