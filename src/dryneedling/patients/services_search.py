"""Writes of the patients' search terms (issue 14; the terms themselves: patients/search.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from dryneedling.patients.models import Patient, PatientSearchTerm
from dryneedling.patients.search import patient_search_terms

SEARCH_FIELDS = ("given_name", "family_name", "mrn", "phone", "email", "date_of_birth")
REBUILD_BATCH = 2000  # patients a transaction of the rebuild covers


def _terms_of(patient: Any) -> list[str]:
    return patient_search_terms(
        given_name=patient.given_name,
        family_name=patient.family_name,
        mrn=patient.mrn,
        phone=patient.phone or "",
        email=patient.email or "",
        date_of_birth=patient.date_of_birth,
    )


def search_terms_write(patient: Patient) -> None:
    """Replace the patient's terms with those of its current fields (two queries). Called by the
    services that save a patient, inside their transaction."""
    terms = PatientSearchTerm.objects.for_record(patient)
    terms.filter(patient_id=patient.pk).delete()
    terms.bulk_create(
        [PatientSearchTerm(clinic_id=patient.clinic_id, patient_id=patient.pk, term=t) for t in _terms_of(patient)]
    )


def search_terms_rebuild(*, clinic_id: int, patient_ids: Iterable[int] | None = None) -> int:
    """Rewrite the terms of a clinic's patients (all, or `patient_ids`), REBUILD_BATCH patients a
    transaction: for bulk loads that insert patients without the services. Returns the patients done."""
    from django.db import transaction

    patients = Patient.objects.for_clinic(clinic_id).only(*SEARCH_FIELDS, "clinic_id").order_by("pk")
    if patient_ids is not None:
        patients = patients.filter(pk__in=list(patient_ids))
    done, last = 0, 0
    while True:
        batch = list(patients.filter(pk__gt=last)[:REBUILD_BATCH])
        if not batch:
            return done
        with transaction.atomic():
            PatientSearchTerm.objects.for_clinic(clinic_id).filter(patient_id__in=[p.pk for p in batch]).delete()
            PatientSearchTerm.objects.for_clinic(clinic_id).bulk_create(
                [PatientSearchTerm(clinic_id=clinic_id, patient_id=p.pk, term=t) for p in batch for t in _terms_of(p)],
                batch_size=REBUILD_BATCH,
            )
        done, last = done + len(batch), batch[-1].pk
