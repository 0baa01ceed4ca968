"""The clinic's FHIR R4B resources as a stream of (resourceType, dict), in batches, in constant
memory (issue 13). The interface the NDJSON writer, the Bulk Data job and `/fhir/` read share:

- `TYPES`: every exported resourceType, in export order;
- `resources(clinic, types=, since=, patient_ids=)`: every resource of those types;
- `one(clinic, resource_type, pk)`: one resource, or None (not this clinic's, or no such row).

`since`: only rows changed after that moment, for the types whose rows carry a time (see
docs/fhir-mapping.md; Organization and Practitioner are always included, so the references of an
incremental export to them resolve). `patient_ids`: only those patients' compartment, plus the
Organization and the Practitioners their records name.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError

from dryneedling.accounts.models import Clinic

from .resources import BY_TYPE, SPECS, Ctx

TYPES: tuple[str, ...] = tuple(spec.type for spec in SPECS)


def checked_types(types: Iterable[str] | None) -> tuple[str, ...]:
    """The requested types in export order; ValidationError naming an unknown one."""
    if types is None:
        return TYPES
    wanted = {t.strip() for t in types if t.strip()}
    unknown = sorted(wanted - set(TYPES))
    if unknown:
        raise ValidationError(f"Unknown FHIR resource type(s): {', '.join(unknown)}. Known: {', '.join(TYPES)}.")
    return tuple(t for t in TYPES if t in wanted)


def context(clinic: Clinic, *, since: datetime | None = None, patient_ids: Collection[int] | None = None) -> Ctx:
    return Ctx(clinic=clinic, since=since, patient_ids=frozenset(patient_ids) if patient_ids is not None else None)


def resources(
    clinic: Clinic,
    *,
    types: Iterable[str] | None = None,
    since: datetime | None = None,
    patient_ids: Collection[int] | None = None,
) -> Iterator[tuple[str, dict[str, Any]]]:
    ctx = context(clinic, since=since, patient_ids=patient_ids)
    for resource_type in checked_types(types):
        for resource in BY_TYPE[resource_type].stream(ctx):
            yield resource_type, resource


def by_type(
    clinic: Clinic,
    resource_type: str,
    *,
    since: datetime | None = None,
    patient_ids: Collection[int] | None = None,
) -> Iterator[dict[str, Any]]:
    """The resources of one type (what the NDJSON writer reads, one file per type)."""
    (checked,) = checked_types([resource_type])
    return BY_TYPE[checked].stream(context(clinic, since=since, patient_ids=patient_ids))


def one(clinic: Clinic, resource_type: str, pk: int | str) -> dict[str, Any] | None:
    spec = BY_TYPE.get(resource_type)
    if spec is None:
        return None
    try:
        key = int(pk)
    except (TypeError, ValueError):
        return None
    return spec.one(context(clinic), key)
