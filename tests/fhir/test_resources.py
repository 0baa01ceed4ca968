"""Every exported resource validates as FHIR R4B, every reference resolves inside a whole-clinic
export, filters and tenancy hold, and the identifier rule (imported identifiers win) holds."""

from __future__ import annotations

import importlib
from collections import Counter
from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def _validate(resource_type: str, resource: dict[str, Any]) -> None:
    module = importlib.import_module(f"fhir.resources.R4B.{resource_type.lower()}")
    getattr(module, resource_type).model_validate(resource)


def _export(clinic, **kwargs):  # type: ignore[no-untyped-def]
    from dryneedling.fhir import stream

    return list(stream.resources(clinic, **kwargs))


def test_every_resource_of_every_type_validates_as_r4b(demo_clinics):
    from dryneedling.fhir import stream

    riverside, _ = demo_clinics
    exported = _export(riverside)
    counts = Counter(t for t, _ in exported)
    assert set(counts) == set(stream.TYPES), f"types without a resource in the demo: {set(stream.TYPES) - set(counts)}"
    for resource_type, resource in exported:
        assert resource["resourceType"] == resource_type
        _validate(resource_type, resource)


def _references(value: Any) -> list[str]:
    found: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "reference" and isinstance(item, str):
                found.append(item)
            else:
                found.extend(_references(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_references(item))
    return found


def test_every_reference_resolves_inside_the_whole_clinic_export(demo_clinics):
    riverside, _ = demo_clinics
    exported = _export(riverside)
    present = {f"{t}/{r['id']}" for t, r in exported}
    assert len(present) == len(exported)  # ids unique per type
    dangling = {ref for _, r in exported for ref in _references(r)} - present
    assert not dangling


def test_one_returns_the_resource_the_stream_gives_and_none_for_another_clinics(demo_clinics):
    from dryneedling.fhir import stream

    riverside, hilltop = demo_clinics
    for resource_type, resource in _export(riverside)[::7]:
        assert stream.one(riverside, resource_type, resource["id"]) == resource
        if resource_type != "Practitioner":
            assert stream.one(hilltop, resource_type, resource["id"]) is None
    assert stream.one(riverside, "Nope", 1) is None
    assert stream.one(riverside, "Patient", "x") is None


def test_ndjson_write_one_file_per_type(demo_clinics, tmp_path):
    import orjson

    from dryneedling.fhir import ndjson

    riverside, _ = demo_clinics
    written = ndjson.write(riverside, tmp_path, types=["Patient", "Appointment"])
    assert [t for t, _, _ in written] == ["Patient", "Appointment"]
    for resource_type, path, count in written:
        lines = path.read_bytes().splitlines()
        assert len(lines) == count > 0
        assert all(orjson.loads(line)["resourceType"] == resource_type for line in lines)
