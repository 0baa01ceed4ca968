"""The clinic's FHIR R4B resources as a stream of (resourceType, dict), in batches, in constant
memory (issue 13). The interface the NDJSON writer, the Bulk Data job and `/fhir/` read share:

- `TYPES`: every exported resourceType, in export order;
- `resources(clinic, types=, since=, patient_ids=)`: every resource of those types;
- `one(clinic, resource_type, pk)`: one resource, or None (not this clinic's, or no such row).

`since`: only rows changed after that moment, for the types whose rows carry a time (see
docs/fhir-mapping.md; Organization and Practitioner are always included, so the references of an
incremental export to them resolve). `patient_ids`: only those patients' compartment, plus the
Organization and the Practitioners their records name.

The dicts are plain JSON values. Nested parts (codes, body sites) may be shared between
resources of one stream: copy a resource deeply before changing anything below its top level.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError

from dryneedling.accounts.models import Clinic
from dryneedling.accounts.tenancy import ClinicScoped

from .resources import BY_TYPE, SPECS, Ctx

TYPES: tuple[str, ...] = tuple(dict.fromkeys(spec.resource_type for spec in SPECS))


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
        for spec in BY_TYPE[resource_type]:
            for resource in spec.stream(ctx):
                yield resource_type, resource


def by_type(
    clinic: Clinic,
    resource_type: str,
    *,
    since: datetime | None = None,
    patient_ids: Collection[int] | None = None,
    ctx: Ctx | None = None,
) -> Iterator[dict[str, Any]]:
    """The resources of one type (what the NDJSON writer reads, one file per type). Pass one `ctx`
    (`context(...)`) for the types of one export: Practitioner then needs no reading of its own."""
    (checked,) = checked_types([resource_type])
    ctx = ctx or context(clinic, since=since, patient_ids=patient_ids)
    for spec in BY_TYPE[checked]:
        yield from spec.stream(ctx)


def one(clinic: Clinic, resource_type: str, pk: int | str) -> dict[str, Any] | None:
    """The resource `resource_type/pk` of this clinic (the id as exported: "12", "ppt-12"), or None."""
    key = str(pk)
    for spec in BY_TYPE.get(resource_type, ()):
        rest = key.removeprefix(spec.prefix) if spec.prefix else key
        if (rest != key or not spec.prefix) and rest.isdigit():
            found = spec.one(context(clinic), int(rest))
            if found is not None:
                return found
    return None


def row_of(resource_type: str, pk: str) -> tuple[type[ClinicScoped], int] | None:
    """The clinic-scoped table and key an id of `resource_type` names (as `one` reads it), or None
    (an id no table holds, or a type read from a table of no clinic: Organization, Practitioner).
    For the denial row of a read that found nothing: which clinic's trail the attempt goes to."""
    for spec in BY_TYPE.get(resource_type, ()):
        rest = pk.removeprefix(spec.prefix) if spec.prefix else pk
        scoped = issubclass(spec.model, ClinicScoped) and any(f.attname == "clinic_id" for f in spec.model._meta.fields)
        if (rest != pk or not spec.prefix) and rest.isdigit() and len(rest) < 19 and scoped:
            return spec.model, int(rest)  # type: ignore[return-value]
    return None
