"""Issue 13's "done when": export → import into an EMPTY database → export gives the same resources.

The demo clinic (small) is seeded with patients, episodes, coded conditions, outcome scores,
appointments and everything else; `dryneedling.fhir.ndjson.write` exports the round-trip types.
Then the database is emptied (`flush`: every table, the clinic and its users too) and only the
clinic's configuration is put back as it was — the clinic row, its members and their roles, its
appointment types — because an import carries no clinic settings and creates no users or types
(the Organization and Practitioner resources are read, never written). The files are imported
with `fhir_import` as a clinician of the restored clinic, exported again, and the two exports are
compared resource by resource, apart from:
- `id` and `meta.lastUpdated` (server-assigned),
- reference ids: each reference is replaced by the identifier of the resource it points to, so a
  reference still has to point to the same record,
- the Observations that are not outcome scores (PPT findings, soreness readings), which the
  import skips by design (their identifiers are of the kinds "finding" and "soreness").

Why not a second clinic in the same database: the slug is unique, and a clinic with another slug
would export other identifier systems (urn:dryneedling:<slug>:...), so the comparison would have
to rewrite the very identifiers the round trip is about.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from dryneedling.accounts.models import Clinic, Membership, User
from dryneedling.fhir import ndjson
from dryneedling.interop.fhir_import import fhir_import
from dryneedling.scheduling.models import AppointmentType

TYPES = ("Organization", "Practitioner", "Patient", "EpisodeOfCare", "Condition", "Observation", "Appointment")
SMALL = (("riverside", "Riverside", 30, 1), ("hilltop", "Hilltop", 4, 2))
_REFERENCE = re.compile(r"^([A-Za-z]+)/(.+)$")


def _read(out: Path) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {t: [] for t in TYPES}
    for path in sorted(out.glob("*.ndjson")):
        for line in path.read_text().splitlines():
            resource = json.loads(line)
            found[resource["resourceType"]].append(resource)
    return found


def _key(resource: dict[str, Any]) -> str:
    """How a resource is known across the two databases: its identifiers (never its id)."""
    return json.dumps(resource.get("identifier"), sort_keys=True)


def _normalised(export: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    targets = {f"{r['resourceType']}/{r['id']}": _key(r) for rs in export.values() for r in rs}

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            out = {k: walk(v) for k, v in value.items() if k not in ("id", "meta")}
            text = value.get("reference")
            if isinstance(text, str) and _REFERENCE.match(text):
                assert text in targets, f"the export refers to {text}, which it does not hold"
                out["reference"] = f"{text.split('/')[0]} {targets[text]}"
            return out
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    result = {}
    for resource_type, resources in export.items():
        kept = [r for r in resources if resource_type != "Observation" or _is_outcome(r)]
        result[resource_type] = sorted((walk(r) for r in kept), key=_key)
    return result


def _is_outcome(observation: dict[str, Any]) -> bool:
    return all(i["system"].endswith(":observation") for i in observation["identifier"])


def _flush() -> None:
    """Empty every table, inside the test's transaction (rolled back after the test). PostgreSQL
    truncates no table with pending foreign-key checks, so they are run first."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    call_command("flush", interactive=False, verbosity=0)


def _configuration(clinic: Clinic) -> dict[str, list[dict[str, Any]]]:
    """The clinic's own rows an import does not carry: the clinic, its users and roles, its types."""
    members = Membership.objects.filter(clinic=clinic)
    return {
        "clinic": list(Clinic.objects.filter(pk=clinic.pk).values()),
        "users": list(User.objects.filter(pk__in=members.values("user_id")).values()),
        "members": list(members.values()),
        "types": list(AppointmentType.objects.filter(clinic=clinic).values()),
    }


def _restore(saved: dict[str, list[dict[str, Any]]]) -> Clinic:
    for model, rows in ((Clinic, "clinic"), (User, "users"), (Membership, "members"), (AppointmentType, "types")):
        model.objects.bulk_create(model(**row) for row in saved[rows])  # type: ignore[attr-defined]
    return Clinic.objects.get(pk=saved["clinic"][0]["id"])


@pytest.mark.django_db
def test_export_import_into_an_empty_database_and_export_again_gives_the_same_resources(monkeypatch, tmp_path):
    from dryneedling import demo

    monkeypatch.setattr(demo, "DEMO_CLINICS", SMALL)
    demo.demo_load()
    clinic = Clinic.objects.get(slug="riverside")
    first = _read_after(ndjson.write(clinic, tmp_path / "first", types=TYPES), tmp_path / "first")
    for resource_type in ("Patient", "EpisodeOfCare", "Condition", "Observation", "Appointment"):
        assert first[resource_type], f"the seeded clinic exported no {resource_type}"
    assert any(not _is_outcome(o) for o in first["Observation"]), "the seed has findings the import skips"

    saved = _configuration(clinic)
    _flush()
    assert not Clinic.objects.exists() and not User.objects.exists()
    clinic = _restore(saved)
    importer = User.objects.get(pk=next(m["user_id"] for m in saved["members"] if m["is_clinician"]))

    results = fhir_import([tmp_path / "first"], actor=importer)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    skipped = sum(r.skipped.get("Observation", 0) for r in results)
    assert skipped == sum(1 for o in first["Observation"] if not _is_outcome(o))

    second = _read_after(ndjson.write(clinic, tmp_path / "second", types=TYPES), tmp_path / "second")
    before, after = _normalised(first), _normalised(second)
    for resource_type in TYPES:
        assert len(after[resource_type]) == len(before[resource_type]), resource_type
        for old, new in zip(before[resource_type], after[resource_type], strict=True):
            assert new == old, resource_type

    # And once more: importing the same files again changes nothing.
    again = fhir_import([tmp_path / "first"], actor=importer)
    assert all(r.ok for r in again)
    assert all(c["created"] == 0 and c["updated"] == 0 for r in again for c in r.counts.values())


def _read_after(written: list[tuple[str, Path, int]], out: Path) -> dict[str, list[dict[str, Any]]]:
    assert {t for t, _, _ in written} <= set(TYPES)
    return _read(out)


@pytest.mark.django_db
def test_the_clinics_own_export_imported_back_into_it_changes_nothing(alice, patient_a, tmp_path):
    """Records made here carry own(slug, kind, pk): the import finds them by it (and the patient by
    the clinic's MRN), so nothing is created, changed or remembered."""
    from dryneedling.followup.services import outcome_record
    from dryneedling.interop.models import ExternalId
    from dryneedling.patients.models import Episode

    episode = Episode.objects.for_actor(alice).get(patient=patient_a)
    outcome_record(actor=alice, episode=episode, instrument_id="nprs", total=6)
    clinic = Clinic.objects.get(slug="clinic-a")
    ndjson.write(clinic, tmp_path, types=TYPES)
    results = fhir_import([tmp_path], actor=alice)
    assert all(r.ok for r in results), [r.error for r in results if not r.ok]
    counts = {t: c for r in results for t, c in r.counts.items()}
    for resource_type in ("Patient", "EpisodeOfCare", "Condition", "Observation"):
        assert counts[resource_type] == {"created": 0, "updated": 0, "unchanged": 1}, resource_type
    assert not ExternalId.objects.for_actor(alice).exists()
