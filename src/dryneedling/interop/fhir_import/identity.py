"""Finding the record an identifier names, and remembering the identifiers a record came with.

A resource is the record of this clinic that one of its identifiers names:
1. an `ExternalId` of the clinic and kind (the identifier an earlier import remembered), or
2. the clinic's own identifier `own(slug, kind, pk)` of a record made here, i.e. a record with no
   ExternalId of that kind (the FHIR export writes exactly those with `own`), so the clinic's own
   export imported back finds its records. An imported record is never found by its number here:
   its number is not what another database meant by it.
Identifiers naming two different records are an error. ExternalIds of another clinic are never read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import models

from dryneedling.accounts.models import Clinic
from dryneedling.followup.models import OutcomeRecord
from dryneedling.interop.identifiers import mrn_system, own_system
from dryneedling.interop.models import ExternalId, Kind, Source
from dryneedling.patients.models import Episode, EpisodeCondition, Patient
from dryneedling.patients.validation import reject_control_characters
from dryneedling.scheduling.models import Appointment

MODELS: dict[str, type[models.Model]] = {
    Kind.PATIENT: Patient,
    Kind.EPISODE: Episode,
    Kind.CONDITION: EpisodeCondition,
    Kind.OBSERVATION: OutcomeRecord,
    Kind.APPOINTMENT: Appointment,
}
FIELD_MAX = 255

Pair = tuple[str, str]


class Conflict(Exception):
    """The identifiers of one resource name different records."""


def identifiers_of(resource: dict[str, Any]) -> list[Pair]:
    """(system, value) of each identifier that has both; values as strings, whitespace trimmed."""
    pairs: list[Pair] = []
    for identifier in resource.get("identifier") or []:
        system, value = str(identifier.get("system") or "").strip(), str(identifier.get("value") or "").strip()
        if system and value and (system, value) not in pairs:
            pairs.append((system, value))
    return pairs


def too_long(pairs: Iterable[Pair]) -> Pair | None:
    return next((p for p in pairs if len(p[0]) > FIELD_MAX or len(p[1]) > FIELD_MAX), None)


def outside(clinic: Clinic, pairs: Iterable[Pair]) -> list[Pair]:
    """The identifiers to remember: all but this clinic's MRN (the MRN is the patient's own field)."""
    mrn = mrn_system(clinic.slug)
    return [p for p in pairs if p[0] != mrn]


def find(clinic: Clinic, kind: str, pairs: list[Pair]) -> int | None:
    """The pk of the record of `kind` the identifiers name, or None. Raises Conflict, and
    ValidationError for an identifier no ExternalId can hold (PostgreSQL refuses it mid-file)."""
    long = too_long(pairs)
    if long is not None:
        raise Conflict(f"identifier {long[0][:40]}|{long[1][:40]}... is longer than {FIELD_MAX} characters")
    for system, value in pairs:
        reject_control_characters(f"{system}|{value}", field="identifier", multiline=False)
    found: set[int] = set()
    rows = ExternalId.objects.for_clinic(clinic).filter(kind=kind)
    query = models.Q()
    for system, value in pairs:
        query |= models.Q(system=system, value=value)
    if pairs:
        found.update(rows.filter(query).values_list("object_id", flat=True))
    own = own_system(clinic.slug, kind)
    for system, value in pairs:
        if system == own and value.isdigit() and _made_here(clinic, kind, int(value)):
            found.add(int(value))
    if len(found) > 1:
        raise Conflict(f"its identifiers name {len(found)} different records of this clinic")
    return found.pop() if found else None


def by_own_number(clinic: Clinic, kind: str, pairs: list[Pair]) -> bool:
    """Whether the identifiers name a record made here by its number (rule 2 above)."""
    own = own_system(clinic.slug, kind)
    return any(s == own and v.isdigit() and _made_here(clinic, kind, int(v)) for s, v in pairs)


def _made_here(clinic: Clinic, kind: str, pk: int) -> bool:
    model: Any = MODELS[kind]
    exists = model.objects.for_clinic(clinic).filter(pk=pk).exists()
    imported = ExternalId.objects.for_clinic(clinic).filter(kind=kind, object_id=pk).exists()
    return bool(exists and not imported)


def remember(clinic: Clinic, kind: str, pk: int, pairs: Iterable[Pair]) -> int:
    """Record the identifiers a record came with (those not yet known); how many were new.
    The clinic's own identifier of this very record is not stored (it is what `own` gives)."""
    own = (own_system(clinic.slug, kind), str(pk))
    rows = ExternalId.objects.for_clinic(clinic).filter(kind=kind, object_id=pk)
    known = set(rows.values_list("system", "value"))
    new = [p for p in outside(clinic, pairs) if p not in known and p != own]
    ExternalId.objects.bulk_create(
        ExternalId(clinic=clinic, kind=kind, system=system, value=value, object_id=pk, source=Source.FHIR)
        for system, value in new
    )
    return len(new)
