"""Counts of the main records, per clinic. Ids and counts only, no patient data."""

from __future__ import annotations

from typing import Any

from dryneedling.accounts.models import AuditEvent, Clinic, Membership
from dryneedling.followup.selectors import followup_counts
from dryneedling.patients.selectors import clinic_counts, episodes_by_status
from dryneedling.treatment.selectors import treatment_counts


def stats_all() -> dict[str, Any]:
    clinics = []
    for clinic in Clinic.objects.order_by("slug"):
        clinics.append(
            {
                "clinic": clinic.slug,
                "name": clinic.name,
                "users": Membership.objects.filter(clinic=clinic).count(),
                **clinic_counts(clinic_id=clinic.pk),
                "episodes_by_status": episodes_by_status(clinic_id=clinic.pk),
                **treatment_counts(clinic_id=clinic.pk),
                **followup_counts(clinic_id=clinic.pk),
                "audit_events": AuditEvent.objects.filter(clinic=clinic).count(),
            }
        )
    return {"clinics": clinics}
