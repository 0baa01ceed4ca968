"""Every exported resource validates as FHIR R4B, every reference resolves inside a whole-clinic
export, `since` and `patient_ids` filter, another clinic's rows never appear, and an imported
identifier (interop.ExternalId) replaces the record's own."""

from __future__ import annotations

import importlib
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _validate(resource_type: str, resource: dict[str, Any]) -> None:
    module = importlib.import_module(f"fhir.resources.R4B.{resource_type.lower()}")
    getattr(module, resource_type).model_validate(resource)


def _export(clinic, **kwargs):  # type: ignore[no-untyped-def]
    from dryneedling.fhir import stream

    return list(stream.resources(clinic, **kwargs))


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


def _threshold_finding(clinic):  # type: ignore[no-untyped-def]
    """The demo records no pressure pain threshold: give one finding a value."""
    from dryneedling.treatment.models import Finding

    finding = Finding.objects.for_clinic(clinic).order_by("pk").first()
    assert finding is not None
    Finding.objects.for_clinic(clinic).filter(pk=finding.pk).update(ppt_kg_cm2=Decimal("3.25"))
    return finding


def test_every_resource_of_every_type_validates_as_r4b(demo_clinics):
    from dryneedling.fhir import stream

    riverside, _ = demo_clinics
    finding = _threshold_finding(riverside)
    exported = _export(riverside)
    counts = Counter(t for t, _ in exported)
    assert set(counts) == set(stream.TYPES), f"types without a resource in the demo: {set(stream.TYPES) - set(counts)}"
    ids = {(t, r["id"]) for t, r in exported}
    assert ("Observation", f"ppt-{finding.pk}") in ids
    assert any(i.startswith("soreness-") for t, i in ids if t == "Observation")
    assert any(i.startswith("screening-") for t, i in ids if t == "QuestionnaireResponse")
    assert any(i.startswith("checkin-") for t, i in ids if t == "QuestionnaireResponse")
    for resource_type, resource in exported:
        assert resource["resourceType"] == resource_type
        _validate(resource_type, resource)


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
    _threshold_finding(riverside)
    exported = _export(riverside)
    sample = exported[::5] + [(t, r) for t, r in exported if "-" in r["id"]][:20]
    for resource_type, resource in sample:
        assert stream.one(riverside, resource_type, resource["id"]) == resource
        if resource_type not in ("Practitioner", "Organization"):
            assert stream.one(hilltop, resource_type, resource["id"]) is None
    assert stream.one(riverside, "Nope", 1) is None
    assert stream.one(riverside, "Patient", "x") is None
    assert stream.one(riverside, "Observation", "ppt-x") is None
    assert stream.one(hilltop, "Organization", str(riverside.pk)) is None
    theirs = {r["id"] for t, r in _export(hilltop) if t == "Practitioner"}
    for practitioner in [r for t, r in exported if t == "Practitioner"]:
        found = stream.one(hilltop, "Practitioner", practitioner["id"])
        assert (found is not None) == (practitioner["id"] in theirs)


def test_another_clinics_rows_never_appear(demo_clinics):
    riverside, hilltop = demo_clinics
    mine = _export(riverside)
    theirs = _export(hilltop)
    assert {(t, r["id"]) for t, r in mine}.isdisjoint({(t, r["id"]) for t, r in theirs})
    assert [r["id"] for t, r in mine if t == "Organization"] == [str(riverside.pk)]
    own_systems = {i["system"] for _, r in mine for i in _identifiers(r)}
    assert all(":hilltop:" not in s for s in own_systems)


def _identifiers(resource: dict[str, Any]) -> list[dict[str, str]]:
    found = resource.get("identifier", [])
    return found if isinstance(found, list) else [found]


def test_since_keeps_the_rows_changed_after_that_moment(demo_clinics):
    from dryneedling.followup.models import OutcomeRecord
    from dryneedling.patients.models import Patient

    riverside, _ = demo_clinics
    later = timezone.now() + timedelta(minutes=1)
    assert {t for t, _ in _export(riverside, since=later)} == {"Organization", "Practitioner"}

    patient = Patient.objects.for_clinic(riverside).order_by("pk").first()
    assert patient is not None
    Patient.objects.for_clinic(riverside).filter(pk=patient.pk).update(updated_at=later + timedelta(seconds=1))
    changed = _export(riverside, since=later)
    assert [r["id"] for t, r in changed if t == "Patient"] == [str(patient.pk)]

    times = sorted(OutcomeRecord.objects.for_clinic(riverside).values_list("recorded_at", flat=True))
    middle = times[len(times) // 2]
    outcomes = [r for t, r in _export(riverside, types=["Observation"], since=middle) if r["id"].isdigit()]
    assert len(outcomes) == sum(1 for t in times if t > middle) > 0


def test_patient_ids_keep_those_patients_compartment_and_what_it_references(demo_clinics):
    from dryneedling.patients.models import Patient

    riverside, _ = demo_clinics
    patient = Patient.objects.for_clinic(riverside).filter(sessions__isnull=False).order_by("pk").first()
    assert patient is not None
    whole = _export(riverside)
    subset = _export(riverside, patient_ids=[patient.pk])
    mine = f"Patient/{patient.pk}"
    present = {f"{t}/{r['id']}" for t, r in subset}
    assert not {ref for _, r in subset for ref in _references(r)} - present
    patients = {ref for _, r in subset for ref in _references(r) if ref.startswith("Patient/")}
    assert patients == {mine}
    assert {t for t, _ in subset} >= {"Organization", "Practitioner", "Patient", "Encounter", "Procedure"}
    expected = [(t, r["id"]) for t, r in whole if t not in ("Organization", "Practitioner") and mine in _references(r)]
    expected.append(("Patient", str(patient.pk)))
    got = [(t, r["id"]) for t, r in subset if t not in ("Organization", "Practitioner")]
    assert sorted(got) == sorted(expected)


def test_an_imported_identifier_replaces_the_records_own(demo_clinics):
    from dryneedling.fhir import stream
    from dryneedling.followup.models import OutcomeRecord
    from dryneedling.interop.identifiers import EPISODE_EXTENSION, mrn_system, own
    from dryneedling.interop.models import ExternalId, Kind, Source

    riverside, _ = demo_clinics
    outcome = OutcomeRecord.objects.for_clinic(riverside).order_by("pk").first()
    assert outcome is not None
    patient, episode = outcome.patient, outcome.episode
    before = stream.one(riverside, "Patient", patient.pk)
    assert before is not None
    assert before["identifier"] == [
        own("riverside", "patient", patient.pk),
        {"system": mrn_system("riverside"), "value": patient.mrn},
    ]

    def imported(kind: str, pk: int, value: str) -> dict[str, str]:
        ExternalId.objects.create(
            clinic=riverside, kind=kind, system="urn:other-ehr", value=value, object_id=pk, source=Source.FHIR
        )
        return {"system": "urn:other-ehr", "value": value}

    patient_id = imported(Kind.PATIENT, patient.pk, "P-1")
    episode_id = imported(Kind.EPISODE, episode.pk, "E-1")
    outcome_id = imported(Kind.OBSERVATION, outcome.pk, "O-1")
    after = stream.one(riverside, "Patient", patient.pk)
    assert after is not None
    assert after["identifier"] == [patient_id, {"system": mrn_system("riverside"), "value": patient.mrn}]
    assert stream.one(riverside, "EpisodeOfCare", episode.pk)["identifier"] == [episode_id]  # type: ignore[index]
    observation = stream.one(riverside, "Observation", outcome.pk)
    assert observation is not None
    assert observation["identifier"] == [outcome_id]
    assert observation["extension"] == [{"url": EPISODE_EXTENSION, "valueIdentifier": episode_id}]
    whole = {(t, r["id"]): r for t, r in _export(riverside)}
    assert whole["Patient", str(patient.pk)] == after
    for condition in episode.conditions.all():
        exported = whole["Condition", str(condition.pk)]
        assert exported["extension"] == [{"url": EPISODE_EXTENSION, "valueIdentifier": episode_id}]


def test_procedures_carry_their_sessions_cpt_and_each_insertions_site(demo_clinics):
    from dryneedling.clinical.billing import derive_cpt
    from dryneedling.treatment.models import Insertion

    riverside, _ = demo_clinics
    needled: dict[int, list[tuple[str, str, str | None]]] = defaultdict(list)
    insertions = {}
    for insertion in Insertion.objects.for_clinic(riverside):
        needled[insertion.session_id].append(insertion.needled())
        insertions[str(insertion.pk)] = insertion
    procedures = [r for t, r in _export(riverside, types=["Procedure"])]
    assert len(procedures) == len(insertions)
    codes = set()
    for procedure in procedures:
        insertion = insertions[procedure["id"]]
        cpt = derive_cpt(needled=needled[insertion.session_id]).code
        assert procedure["code"]["coding"][0]["code"] == cpt
        codes.add(cpt)
        assert procedure["encounter"] == {"reference": f"Encounter/{insertion.session_id}"}
        (site,) = procedure["bodySite"]
        assert site["coding"][0]["code"] == insertion.muscle_id
        assert site["extension"][0]["valueCode"] == insertion.side
    assert codes == {"20560", "20561"}


def test_a_clinician_who_left_is_still_a_practitioner_of_the_sessions_they_did(demo_clinics):
    from dryneedling.accounts.models import Membership
    from dryneedling.treatment.models import Session

    riverside, _ = demo_clinics
    session = Session.objects.for_clinic(riverside).order_by("pk").first()
    assert session is not None
    Membership.objects.filter(user_id=session.clinician_id).delete()
    whole = _export(riverside)  # Practitioner last: from the users the other types named
    alone = _export(riverside, types=["Practitioner"])  # read from the clinic's records
    practitioners = {r["id"] for t, r in whole if t == "Practitioner"}
    assert str(session.clinician_id) in practitioners
    assert practitioners == {r["id"] for _, r in alone}
    present = {f"{t}/{r['id']}" for t, r in whole}
    assert not {ref for _, r in whole for ref in _references(r)} - present


def test_a_conditions_coding_carries_no_display_the_clinicians_words_are_its_text(demo_clinics):  # type: ignore[no-untyped-def]
    """A coding's display is the code system's title for the code; the clinician's wording of the
    diagnosis is not that, so it goes in CodeableConcept.text only (review of issue 13)."""
    from dryneedling.fhir import stream

    conditions = [r for _, r in stream.resources(demo_clinics[0], types=["Condition"])]
    assert conditions
    for condition in conditions:
        assert all("display" not in coding for coding in condition["code"]["coding"])
        assert condition["code"]["text"]
