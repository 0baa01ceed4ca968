"""The Groups a Bulk Data client may export (issue 13; docs/decisions.md, "issue 13 — FHIR HTTP and
Bulk Data"). This server keeps no group records: its groups are defined by the record itself.

- `all`: every patient of the clinic (Group/all/$export is the same as Patient/$export);
- `clinician-<user id>`: a clinician's caseload, the patients with an appointment with them or a
  treatment session by them (any time, whatever its status).

Each is shown as a FHIR Group (actual, of persons) with its size; members are not listed (the
export is how their records are read)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from dryneedling.accounts.models import Clinic, User
from dryneedling.patients.models import Patient
from dryneedling.scheduling.models import Appointment
from dryneedling.treatment.models import Session

ALL = "all"
CLINICIAN_PREFIX = "clinician-"


def _clinicians(clinic: Clinic) -> QuerySet[User]:
    return User.objects.filter(membership__clinic=clinic, membership__is_clinician=True).order_by("pk")


def _clinician(clinic: Clinic, group_id: str) -> User | None:
    number = group_id.removeprefix(CLINICIAN_PREFIX)
    if not group_id.startswith(CLINICIAN_PREFIX) or not number.isdigit() or len(number) > 18:
        return None
    return _clinicians(clinic).filter(pk=int(number)).first()


def group_patients(clinic: Clinic, group_id: str) -> QuerySet[Patient] | None:
    """The patients of the group, or None when the clinic has no such group."""
    patients = Patient.objects.for_clinic(clinic)
    if group_id == ALL:
        return patients
    clinician = _clinician(clinic, group_id)
    if clinician is None:
        return None
    booked = Appointment.objects.for_clinic(clinic).filter(clinician=clinician).values("patient_id")
    treated = Session.objects.for_clinic(clinic).filter(clinician=clinician).values("patient_id")
    return patients.filter(Q(pk__in=booked) | Q(pk__in=treated))


def group_ids(clinic: Clinic) -> list[str]:
    return [ALL, *(f"{CLINICIAN_PREFIX}{pk}" for pk in _clinicians(clinic).values_list("pk", flat=True))]


def group_resource(clinic: Clinic, group_id: str) -> dict[str, Any] | None:
    """The Group resource (R4B), or None when the clinic has no such group."""
    patients = group_patients(clinic, group_id)
    if patients is None:
        return None
    if group_id == ALL:
        name, manager = f"All patients of {clinic.name}", f"Organization/{clinic.pk}"
    else:
        clinician = _clinician(clinic, group_id)
        assert clinician is not None
        name, manager = f"Caseload of {clinician.full_name}", f"Practitioner/{clinician.pk}"
    return {
        "resourceType": "Group",
        "id": group_id,
        "active": True,
        "type": "person",
        "actual": True,
        "name": name,
        "quantity": patients.count(),
        "managingEntity": {"reference": manager},
    }
