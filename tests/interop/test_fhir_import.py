"""`fhir import` (issue 13): Bundles and NDJSON in, idempotent by identifier, all or nothing per file.

The fixtures in tests/interop/fixtures/fhir are hand-written after /work/wt/fhir-spec.md (the
conventions the export writes): a transaction Bundle from "another system" naming its records by
urn:uuid, and a directory of NDJSON files whose references name ids of the other system.
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from dryneedling.accounts.models import AuditEvent
from dryneedling.followup.models import OutcomeRecord
from dryneedling.interop.fhir_import import fhir_import
from dryneedling.interop.models import ExternalId
from dryneedling.patients.models import Episode, EpisodeCondition, Patient
from dryneedling.scheduling.models import Appointment

FIXTURES = Path(__file__).parent / "fixtures" / "fhir"
BUNDLE = FIXTURES / "bundle_transaction.json"


def _counts(result, resource_type: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return result.counts.get(resource_type, {"created": 0, "updated": 0, "unchanged": 0})


@pytest.mark.django_db
def test_a_transaction_bundle_creates_every_record_through_the_services(alice):
    (result,) = fhir_import([BUNDLE], actor=alice)
    assert result.ok, result.error
    for kind in ("Patient", "EpisodeOfCare", "Condition", "Observation", "Appointment"):
        assert _counts(result, kind) == {"created": 1, "updated": 0, "unchanged": 0}, kind

    patient = Patient.objects.for_actor(alice).get()
    assert (patient.given_name, patient.family_name, patient.sex) == ("Marisol", "Ortega", "female")
    assert patient.date_of_birth == date(1979, 3, 14)
    assert (patient.phone, patient.email, patient.address) == (
        "555-0142",
        "marisol@example.org",
        "12 Harbour Road, Springfield",
    )
    assert (patient.emergency_contact_name, patient.emergency_contact_relationship) == ("Lucia Ortega", "Sister")
    assert patient.emergency_contact_phone == "555-0143"
    # The file's MRN is under this clinic's MRN system and free: kept.
    assert patient.mrn == "OUT-100"

    episode = Episode.objects.for_actor(alice).get()
    assert (episode.reason, episode.status, episode.referral_source) == (
        "Neck pain after a fall",
        "active",
        "physician",
    )
    assert episode.start_date == date(2026, 2, 2) and episode.patient == patient
    assert [(c.code, c.text) for c in episode.conditions.all()] == [("M54.2", "Cervicalgia")]

    outcome = OutcomeRecord.objects.for_actor(alice).get()
    assert (outcome.instrument_id, outcome.value, outcome.episode) == ("nprs", 7.0, episode)
    assert outcome.recorded_at == datetime(2026, 2, 2, 15, 15, tzinfo=UTC)

    appointment = Appointment.objects.for_actor(alice).get()
    assert appointment.status == "done" and appointment.clinician == alice and appointment.episode == episode
    assert appointment.starts_at == datetime(2026, 2, 2, 15, 0, tzinfo=UTC)
    assert appointment.ends_at == datetime(2026, 2, 2, 16, 0, tzinfo=UTC)
    assert appointment.appointment_type.name == "Initial assessment"

    # Each record remembers the identifier it came with; the MRN is not an outside identifier.
    known = set(ExternalId.objects.for_actor(alice).values_list("kind", "system", "value"))
    assert known == {
        ("patient", "https://othersystem.example/patient", "p-100"),
        ("episode", "https://othersystem.example/episode", "e-100"),
        ("condition", "https://othersystem.example/condition", "c-100"),
        ("observation", "https://othersystem.example/observation", "o-100"),
        ("appointment", "https://othersystem.example/appointment", "a-100"),
    }
    # Written through the services: each write audited.
    actions = set(AuditEvent.objects.filter(actor=alice).values_list("action", flat=True))
    assert {"patient.create", "episode.create", "outcome.import", "appointment.import", "fhir.import"} <= actions


def _rows(actor) -> dict[str, list[dict]]:  # type: ignore[no-untyped-def]
    models = (Patient, Episode, EpisodeCondition, OutcomeRecord, Appointment, ExternalId)
    return {model.__name__: list(model.objects.for_actor(actor).order_by("pk").values()) for model in models}


@pytest.mark.django_db
def test_a_second_import_of_the_same_file_changes_nothing(alice):
    fhir_import([BUNDLE], actor=alice)
    before = _rows(alice)
    (again,) = fhir_import([BUNDLE], actor=alice)
    assert again.ok, again.error
    for kind in ("Patient", "EpisodeOfCare", "Condition", "Observation", "Appointment"):
        assert _counts(again, kind) == {"created": 0, "updated": 0, "unchanged": 1}, kind
    after = _rows(alice)
    assert after == before


def _edited(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    bundle = json.loads(BUNDLE.read_text())
    resources = {e["resource"]["resourceType"]: e["resource"] for e in bundle["entry"]}
    edit(resources)
    path = tmp_path / "changed.json"
    path.write_text(json.dumps(bundle, indent=2))
    return path


@pytest.mark.django_db
def test_a_changed_resource_with_a_known_identifier_updates_its_record(alice, tmp_path):
    fhir_import([BUNDLE], actor=alice)
    patient = Patient.objects.for_actor(alice).get()
    patient.notes = "Kept: the FHIR mapping carries no notes."
    patient.save()

    def edit(r):  # type: ignore[no-untyped-def]
        r["Patient"]["telecom"][0]["value"] = "555-0199"
        r["Observation"]["valueQuantity"]["value"] = 5
        r["Appointment"]["status"] = "noshow"
        r["EpisodeOfCare"]["status"] = "finished"
        r["EpisodeOfCare"]["period"]["end"] = "2026-03-30"
        r["Condition"]["code"]["coding"][0]["display"] = "Neck pain"
        r["Condition"]["code"]["text"] = "Neck pain"

    (result,) = fhir_import([_edited(tmp_path, edit)], actor=alice)
    assert result.ok, result.error
    for kind in ("Patient", "EpisodeOfCare", "Condition", "Observation", "Appointment"):
        assert _counts(result, kind) == {"created": 0, "updated": 1, "unchanged": 0}, kind
    patient.refresh_from_db()
    assert patient.phone == "555-0199" and patient.notes.startswith("Kept")
    assert OutcomeRecord.objects.for_actor(alice).get().value == 5
    assert Appointment.objects.for_actor(alice).get().status == "no_show"
    episode = Episode.objects.for_actor(alice).get()
    assert (episode.status, episode.end_date) == ("discharged", date(2026, 3, 30))
    condition = EpisodeCondition.objects.for_actor(alice).get()
    assert condition.text == "Neck pain"
    # The condition kept its row, so its outside identifier still names it.
    assert ExternalId.objects.for_actor(alice).get(kind="condition").object_id == condition.pk


@pytest.mark.django_db
def test_a_directory_imports_in_dependency_order_and_resolves_references_across_its_files(alice):
    results = fhir_import([FIXTURES / "ndjson"], actor=alice)
    names = [Path(r.file).name for r in results]
    assert names.index("Patient.ndjson") < names.index("EpisodeOfCare.ndjson") < names.index("Condition.ndjson")
    assert names.index("Practitioner.ndjson") < names.index("Appointment.ndjson")
    assert all(r.ok for r in results), [r.error for r in results]
    by_name = {Path(r.file).name: r for r in results}
    assert by_name["Organization.ndjson"].skipped == {"Organization": 1}
    assert _counts(by_name["Patient.ndjson"], "Patient")["created"] == 2
    assert _counts(by_name["Condition.ndjson"], "Condition")["created"] == 3

    henrik = Patient.objects.for_actor(alice).get(family_name="Lindqvist")
    # The file's MRN is another system's: a new MRN here, the outside one kept as an identifier.
    assert henrik.mrn != "N-17"
    assert (
        ExternalId.objects.for_actor(alice)
        .filter(kind="patient", system="https://othersystem.example/mrn", value="N-17", object_id=henrik.pk)
        .exists()
    )
    episode = Episode.objects.for_actor(alice).get(patient=henrik)
    assert (episode.status, episode.end_date) == ("discharged", date(2026, 3, 1))
    assert [c.code for c in episode.conditions.all()] == ["M54.50", "M79.18"]
    assert sorted(OutcomeRecord.objects.for_actor(alice).values_list("instrument_id", "value")) == [
        ("ndi", 18.0),
        ("nprs", 6.0),
    ]
    # A condition naming no episode goes into one episode per patient per file, named after it.
    abena = Patient.objects.for_actor(alice).get(family_name="Osei")
    fallback = Episode.objects.for_actor(alice).get(patient=abena)
    assert fallback.reason == "Imported from Condition.ndjson"
    assert [c.code for c in fallback.conditions.all()] == ["M54.2"]

    no_show, cancelled = Appointment.objects.for_actor(alice).order_by("starts_at")
    assert (no_show.status, no_show.episode, no_show.clinician) == ("no_show", episode, alice)
    assert (cancelled.status, cancelled.cancel_reason, cancelled.episode) == ("cancelled", "Patient unwell", None)
    assert no_show.starts_at == datetime(2026, 1, 12, 8, 0, tzinfo=UTC)

    again = fhir_import([FIXTURES / "ndjson"], actor=alice)
    assert all(r.ok for r in again)
    assert all(c["created"] == 0 and c["updated"] == 0 for r in again for c in r.counts.values())


@pytest.mark.django_db
def test_a_bad_resource_rolls_back_its_file_names_file_and_line_and_other_files_still_import(alice, tmp_path):
    shutil.copy(FIXTURES / "bad_birthdate.ndjson", tmp_path / "bad_birthdate.ndjson")
    shutil.copy(FIXTURES / "ndjson" / "Patient.ndjson", tmp_path / "Patient.ndjson")
    results = fhir_import([tmp_path], actor=alice)
    by_name = {Path(r.file).name: r for r in results}
    bad = by_name["bad_birthdate.ndjson"]
    assert not bad.ok and bad.line == 3
    assert bad.error.startswith(f"{tmp_path / 'bad_birthdate.ndjson'}:3: ")
    assert "birthDate" in bad.error
    # Lines 1 and 2 were fine, but the file is all or nothing.
    assert not Patient.objects.for_actor(alice).filter(family_name="Good").exists()
    assert by_name["Patient.ndjson"].ok
    assert Patient.objects.for_actor(alice).filter(family_name__in=["Lindqvist", "Osei"]).count() == 2
    # Each file's import is audited, the failed one too (its line; no file name, no patient data).
    rows = AuditEvent.objects.filter(actor=alice, action="fhir.import").order_by("id")
    assert [(row.outcome, row.detail.get("line")) for row in rows] == [("success", None), ("failure", 3)]


@pytest.mark.django_db
def test_a_bad_entry_of_a_bundle_is_named_by_its_index_and_line(alice, tmp_path):
    def edit(r):  # type: ignore[no-untyped-def]
        r["Appointment"]["status"] = "waitlist"

    path = _edited(tmp_path, edit)
    (result,) = fhir_import([path], actor=alice)
    assert not result.ok
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1) if '"waitlist"' in text)
    entry_line = result.line
    assert entry_line is not None and entry_line < line  # the line where entry 5 begins
    assert result.error.startswith(f"{path}:{entry_line}: entry 5 (Appointment): ")
    assert "waitlist" in result.error
    assert not Patient.objects.for_actor(alice).exists()


@pytest.mark.django_db
def test_a_reference_to_an_unknown_patient_is_an_error(alice):
    (result,) = fhir_import([FIXTURES / "unknown_patient.ndjson"], actor=alice)
    assert not result.ok and result.line == 1
    assert "Patient/does-not-exist" in result.error and "unknown patient" in result.error


@pytest.mark.django_db
def test_an_observation_of_an_instrument_the_knowledge_base_does_not_know_is_an_error(alice):
    (result,) = fhir_import([FIXTURES / "unknown_instrument.ndjson"], actor=alice)
    assert not result.ok and result.line == 2
    assert "8867-4" in result.error
    assert not Patient.objects.for_actor(alice).exists()


@pytest.mark.django_db
def test_an_unknown_appointment_type_is_an_error_and_none_is_created(alice, tmp_path):
    def edit(r):  # type: ignore[no-untyped-def]
        r["Appointment"]["appointmentType"] = {"text": "Cupping"}

    (result,) = fhir_import([_edited(tmp_path, edit)], actor=alice)
    assert not result.ok and "Cupping" in result.error and "Initial assessment" in result.error


@pytest.mark.django_db
def test_dry_run_writes_nothing_but_reports_what_it_would_do(alice):
    results = fhir_import([BUNDLE, FIXTURES / "ndjson"], actor=alice, dry_run=True)
    assert all(r.ok for r in results), [r.error for r in results]
    assert _counts(results[0], "Patient")["created"] == 1
    assert not Patient.objects.for_actor(alice).exists()
    assert not ExternalId.objects.for_actor(alice).exists()
    assert not AuditEvent.objects.filter(actor=alice, action="patient.create").exists()


@pytest.mark.django_db
def test_an_existing_patient_is_found_by_this_clinics_mrn(alice, patient_a, tmp_path):
    def edit(r):  # type: ignore[no-untyped-def]
        r["Patient"]["identifier"][1]["value"] = patient_a.mrn

    (result,) = fhir_import([_edited(tmp_path, edit)], actor=alice)
    assert result.ok, result.error
    assert _counts(result, "Patient")["updated"] == 1
    assert Patient.objects.for_actor(alice).count() == 1
    patient_a.refresh_from_db()
    assert patient_a.family_name == "Ortega"
    assert ExternalId.objects.for_actor(alice).get(kind="patient").object_id == patient_a.pk


@pytest.mark.django_db
def test_tenancy_imports_only_into_the_users_clinic_and_identifiers_never_cross(alice, carol, clinic_b):
    fhir_import([BUNDLE], actor=alice)
    # The file's practitioner is Alice, no clinician of clinic B: the file fails, in words.
    (refused,) = fhir_import([BUNDLE], actor=carol)
    assert not refused.ok and "alice@a.test" in refused.error and "--clinician" in refused.error
    assert not Patient.objects.for_actor(carol).exists()

    (result,) = fhir_import([BUNDLE], actor=carol, clinician=carol)
    # Clinic B knows none of clinic A's identifiers: everything is new there.
    assert result.ok, result.error
    assert _counts(result, "Patient") == {"created": 1, "updated": 0, "unchanged": 0}
    a_patient = Patient.objects.for_actor(alice).get()
    b_patient = Patient.objects.for_actor(carol).get()
    assert a_patient.pk != b_patient.pk and b_patient.clinic_id == clinic_b.pk
    assert Appointment.objects.for_actor(carol).get().clinician == carol
    # The MRN system in the file is clinic A's: clinic B assigns its own and keeps A's as an identifier.
    assert b_patient.mrn != "OUT-100"
    assert ExternalId.objects.for_actor(carol).filter(system="urn:dryneedling:clinic-a:mrn").exists()
    assert ExternalId.objects.for_actor(alice).count() == 5
    b_ids = ExternalId.objects.for_actor(carol).filter(kind="patient")
    assert set(b_ids.values_list("object_id", flat=True)) == {b_patient.pk}


@pytest.mark.django_db
def test_a_searchset_is_imported_and_its_operation_outcome_skipped(alice, tmp_path):
    bundle = json.loads(BUNDLE.read_text())
    bundle["type"] = "searchset"
    for entry in bundle["entry"]:
        entry.pop("request")
        entry["search"] = {"mode": "match"}
    outcome = {"resourceType": "OperationOutcome", "issue": [{"severity": "information", "code": "informational"}]}
    bundle["entry"].append({"resource": outcome, "search": {"mode": "outcome"}})
    path = tmp_path / "search.json"
    path.write_text(json.dumps(bundle))
    (result,) = fhir_import([path], actor=alice)
    assert result.ok, result.error
    assert result.skipped == {"OperationOutcome": 1} and _counts(result, "Patient")["created"] == 1
