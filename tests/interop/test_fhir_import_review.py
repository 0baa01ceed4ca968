"""Review of `fhir import` (issue 13): files another system (or someone with a clinician's login)
may hand in that must fail as one line FILE:LINE: message, exit 2, with nothing of the file written,
and never overwrite a record the file does not name."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from dryneedling.interop.fhir_import import fhir_import
from dryneedling.interop.models import ExternalId
from dryneedling.patients.models import Patient
from dryneedling.scheduling.models import Appointment

BUNDLE = Path(__file__).parent / "fixtures" / "fhir" / "bundle_transaction.json"


def _bundle() -> dict[str, Any]:
    return json.loads(BUNDLE.read_text())


def _resource(bundle: dict[str, Any], resource_type: str) -> dict[str, Any]:
    return next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == resource_type)


def _write(tmp_path: Path, bundle: dict[str, Any], name: str = "bundle.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(bundle, indent=1))
    return path


def _failed(result: Any, path: Path, words: str) -> None:
    assert not result.ok
    assert result.error.startswith(f"{path}:"), result.error
    assert words in result.error, result.error


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("resource_type", "element", "moment"),
    [
        ("Observation", "effectiveDateTime", "0001-01-01T00:30:00+01:00"),
        ("Appointment", "end", "9999-12-31T23:30:00-05:00"),
    ],
)
def test_a_moment_outside_the_years_a_database_holds_is_a_line_not_a_traceback(
    alice, tmp_path, resource_type, element, moment
):
    bundle = _bundle()
    _resource(bundle, resource_type)[element] = moment
    path = _write(tmp_path, bundle)
    (result,) = fhir_import([path], actor=alice)
    _failed(result, path, moment)
    assert not Patient.objects.for_actor(alice).exists()


@pytest.mark.django_db
def test_two_resources_of_a_file_with_one_identifier_are_an_error_not_one_overwriting_the_other(alice, tmp_path):
    bundle = _bundle()
    other = copy.deepcopy(bundle["entry"][1])
    other["fullUrl"] = "urn:uuid:5b0c6f1e-0000-4000-8000-000000000099"
    other["resource"]["name"][0]["family"] = "Someone-Else"
    other["resource"]["identifier"] = other["resource"]["identifier"][:1]  # the same p-100
    bundle["entry"].append(other)
    path = _write(tmp_path, bundle)
    (result,) = fhir_import([path], actor=alice)
    _failed(result, path, "entry 6 (Patient)")
    assert not Patient.objects.for_actor(alice).exists()


@pytest.mark.django_db
def test_an_appointment_identifier_of_another_patients_appointment_does_not_move_it(alice, tmp_path):
    (first,) = fhir_import([BUNDLE], actor=alice)
    assert first.ok, first.error
    appointment = Appointment.objects.for_actor(alice).get()
    bundle = _bundle()
    patient = _resource(bundle, "Patient")
    patient["identifier"] = [{"system": "https://othersystem.example/patient", "value": "p-200"}]
    patient["name"][0]["family"] = "Someone-Else"
    _resource(bundle, "EpisodeOfCare")["identifier"][0]["value"] = "e-200"
    _resource(bundle, "Condition")["identifier"][0]["value"] = "c-200"
    _resource(bundle, "Condition")["extension"][0]["valueIdentifier"]["value"] = "e-200"
    _resource(bundle, "Observation")["identifier"][0]["value"] = "o-200"
    _resource(bundle, "Observation")["extension"][0]["valueIdentifier"]["value"] = "e-200"
    # The Appointment keeps a-100: Marisol's appointment, named in another patient's file.
    path = _write(tmp_path, bundle)
    (result,) = fhir_import([path], actor=alice)
    _failed(result, path, "another patient")
    appointment.refresh_from_db()
    assert appointment.patient.family_name == "Ortega"
    assert not Patient.objects.for_actor(alice).filter(family_name="Someone-Else").exists()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["p\u0000100", "p" * 256])
def test_an_identifier_no_database_column_holds_is_an_error_naming_it(alice, tmp_path, value):
    """A NUL or more than 255 characters: PostgreSQL refuses them mid-file (a traceback); SQLite
    stores them, and the export would write them back out."""
    bundle = _bundle()
    _resource(bundle, "Patient")["identifier"][0]["value"] = value
    path = _write(tmp_path, bundle)
    (result,) = fhir_import([path], actor=alice)
    _failed(result, path, "entry 1 (Patient): ")
    assert not ExternalId.objects.for_actor(alice).exists()


@pytest.mark.django_db
def test_a_control_character_in_a_cancellation_reason_is_an_error(alice, tmp_path):
    bundle = _bundle()
    appointment = _resource(bundle, "Appointment")
    appointment["status"] = "cancelled"
    appointment["cancelationReason"] = {"text": "Patient\u0000 ill"}
    path = _write(tmp_path, bundle)
    (result,) = fhir_import([path], actor=alice)
    _failed(result, path, "entry 5 (Appointment): reason")
    assert not Appointment.objects.for_actor(alice).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["Patient.ndjson", "bundle.json"])
def test_a_file_starting_with_a_byte_order_mark_is_read(alice, tmp_path, name):
    if name.endswith(".ndjson"):
        text = json.dumps(_resource(_bundle(), "Patient")) + "\n\n"
    else:
        text = BUNDLE.read_text()
    path = tmp_path / name
    path.write_text("\ufeff" + text, encoding="utf-8")
    (result,) = fhir_import([path], actor=alice)
    assert result.ok, result.error
    assert Patient.objects.for_actor(alice).get().family_name == "Ortega"


def _deep_extension(levels: int) -> dict[str, Any]:
    extension: dict[str, Any] = {"url": "https://othersystem.example/x", "valueString": "x"}
    for _ in range(levels):
        extension = {"url": "https://othersystem.example/x", "extension": [extension]}
    return extension


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("Patient.ndjson", "[" * 100_000 + "]" * 100_000 + "\n"),
        (
            "bundle.json",
            '{"resourceType": "Bundle", "type": "collection", "entry": ' + "[" * 100_000 + "]" * 100_000 + "}",
        ),
        ("deep.ndjson", json.dumps({"resourceType": "Patient", "extension": [_deep_extension(450)]}) + "\n"),
    ],
    ids=["ndjson", "bundle", "valid-json-too-deep-to-validate"],
)
def test_json_nested_too_deeply_is_a_line_not_a_recursion_error(alice, tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    (result,) = fhir_import([path], actor=alice)
    _failed(result, path, "nested too deeply")


@pytest.mark.django_db
def test_this_clinics_own_patient_identifier_with_another_mrn_does_not_overwrite_that_patient(
    alice, patient_a, tmp_path
):
    """Another installation's clinic with the same slug exports urn:dryneedling:<slug>:patient|<pk>
    for its own patient: here that number is someone else. The export always writes the MRN too,
    so an own identifier whose MRN is not the record's names another person."""
    from dryneedling.interop.identifiers import mrn_system, own

    slug = patient_a.clinic.slug
    bundle = _bundle()
    patient = _resource(bundle, "Patient")
    patient["identifier"] = [own(slug, "patient", patient_a.pk), {"system": mrn_system(slug), "value": "B-0007"}]
    bundle["entry"] = bundle["entry"][:2]  # the Practitioner and the Patient: a Patient.ndjson's worth
    path = _write(tmp_path, bundle)
    (result,) = fhir_import([path], actor=alice)
    _failed(result, path, "B-0007")
    patient_a.refresh_from_db()
    assert (patient_a.family_name, patient_a.mrn) == ("Quimby", "A-0001")


@pytest.mark.django_db
def test_this_clinics_own_export_of_a_patient_imported_back_still_finds_it(alice, patient_a, tmp_path):
    from dryneedling.fhir import stream

    resource = stream.one(patient_a.clinic, "Patient", patient_a.pk)
    assert resource is not None
    resource["telecom"] = [{"system": "phone", "value": "555-0222"}]
    path = tmp_path / "Patient.ndjson"
    path.write_text(json.dumps(resource) + "\n")
    (result,) = fhir_import([path], actor=alice)
    assert result.ok, result.error
    patient_a.refresh_from_db()
    assert patient_a.phone == "555-0222"


@pytest.mark.django_db
def test_an_appointment_naming_an_episode_that_is_nowhere_is_an_error_not_an_appointment_without_it(alice, tmp_path):
    bundle = _bundle()
    _resource(bundle, "Appointment")["supportingInformation"] = [{"reference": "EpisodeOfCare/e-missing"}]
    path = _write(tmp_path, bundle)
    (result,) = fhir_import([path], actor=alice)
    _failed(result, path, "EpisodeOfCare/e-missing")
    assert not Appointment.objects.for_actor(alice).exists()


@pytest.mark.django_db
def test_a_reference_to_a_resource_of_a_file_that_failed_does_not_resolve_to_an_earlier_export(alice, tmp_path):
    """Two exports in one run (`fhir import exportA/ exportB/`), both with a Patient/17: when B's
    Patient.ndjson fails, B's scores of Patient/17 must not go to A's patient 17."""
    from dryneedling.followup.models import OutcomeRecord

    first = Path(__file__).parent / "fixtures" / "fhir" / "ndjson"
    second = tmp_path / "other-export"
    second.mkdir()
    patient = {"resourceType": "Patient", "id": "17", "name": [{"family": "Nkemelu", "given": ["Ada"]}],
               "identifier": [{"system": "https://third.example/patient", "value": "17"}],
               "gender": "female", "birthDate": "1985-02"}  # fmt: skip
    (second / "Patient.ndjson").write_text(json.dumps(patient) + "\n")
    score = json.loads((first / "Observation.ndjson").read_text().splitlines()[0])
    score["identifier"] = [{"system": "https://third.example/observation", "value": "9"}]
    del score["extension"]
    (second / "Observation.ndjson").write_text(json.dumps(score) + "\n")
    results = fhir_import([first, second], actor=alice)
    by_file = {Path(r.file).parent.name + "/" + Path(r.file).name: r for r in results}
    assert not by_file["other-export/Patient.ndjson"].ok
    failed = by_file["other-export/Observation.ndjson"]
    assert not failed.ok and "Patient/17" in failed.error, failed.error
    lindqvist = Patient.objects.for_actor(alice).get(family_name="Lindqvist")
    strays = OutcomeRecord.objects.for_actor(alice).filter(patient=lindqvist, episode__reason__startswith="Imported")
    assert not strays.exists()
