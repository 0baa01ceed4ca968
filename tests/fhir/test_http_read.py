"""`/fhir/` reads (issue 13): the CapabilityStatement, read, search by patient with paging,
$everything, Groups; errors as OperationOutcome in words; reads audited `via: fhir`."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings

from dryneedling.accounts.models import AuditEvent
from tests.fhir.http_support import assert_outcome, fhir_client, validate

pytestmark = pytest.mark.django_db


def test_the_capability_statement_validates_and_lists_every_type_and_operation(client):  # type: ignore[no-untyped-def]
    from dryneedling.fhir import stream

    response = client.get("/fhir/metadata")  # public, as FHIR clients expect
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    statement = validate(response.json())
    assert statement.fhirVersion == "4.3.0" and statement.kind == "instance"
    rest = response.json()["rest"][0]
    by_type = {r["type"]: r for r in rest["resource"]}
    assert set(by_type) == {*stream.TYPES, "Group"}
    assert {i["code"] for i in by_type["Condition"]["interaction"]} == {"read", "search-type"}
    assert by_type["Condition"]["searchParam"][0]["name"] == "patient"
    assert {o["name"] for o in by_type["Patient"]["operation"]} == {"everything", "export"}
    assert by_type["Group"]["operation"][0]["name"] == "export" and rest["operation"][0]["name"] == "export"


def test_read_a_patient_validates_and_is_audited(alice, patient_a):  # type: ignore[no-untyped-def]
    fhir = fhir_client(alice)
    response = fhir.get(f"/fhir/Patient/{patient_a.pk}")
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+json"
    patient = validate(response.json())
    assert patient.name[0].family == "Quimby"
    view = AuditEvent.objects.get(action="patient.view", actor=alice)
    assert view.patient_id == patient_a.pk and view.detail == {"via": "fhir", "token": fhir.prefix}


def test_read_of_a_condition_audits_its_patient(alice, patient_a):  # type: ignore[no-untyped-def]
    condition = patient_a.episodes.first().conditions.first()
    response = fhir_client(alice).get(f"/fhir/Condition/{condition.pk}")
    assert validate(response.json()).code.coding[0].code == "M54.2"
    assert AuditEvent.objects.get(action="patient.view").patient_id == patient_a.pk


def test_errors_are_operation_outcomes_in_words(client, alice, carol, patient_a):  # type: ignore[no-untyped-def]
    anonymous = client.get(f"/fhir/Patient/{patient_a.pk}")
    assert_outcome(anonymous, 401, "API token")
    assert anonymous["WWW-Authenticate"].startswith("Bearer")
    assert_outcome(fhir_client(carol).get(f"/fhir/Patient/{patient_a.pk}"), 404)  # another clinic's
    fhir = fhir_client(alice)
    assert_outcome(fhir.get("/fhir/Patient/999999"), 404, "No Patient")
    for odd in ("9" * 30, "ppt-" + "9" * 25, "a" * 65, "x%20y"):
        assert_outcome(fhir.get(f"/fhir/Observation/{odd}"), 404)
    assert_outcome(fhir.get("/fhir/Medication/1"), 404, "no resource type 'Medication'")
    assert_outcome(fhir.get("/fhir/Patient"), 400, "_id")
    assert_outcome(fhir.get("/fhir/Condition", {"patient": "x"}), 400, "patient:")
    assert_outcome(fhir.get("/fhir/Condition", {"patient": patient_a.pk, "_count": 0}), 400, "_count")
    assert_outcome(fhir.get("/fhir/Condition", {"patient": patient_a.pk, "code": "M54"}), 400, "code")
    assert_outcome(fhir.post("/fhir/Patient", {}), 405, "GET only")


def _more_conditions(alice, patient):  # type: ignore[no-untyped-def]
    from dryneedling.patients.services import episode_create

    episode_create(actor=alice, patient=patient, conditions=[("M62.838", "Spasm"), ("M79.1", "Myalgia")],
                   reason="Shoulder", referral_source="self", start_date=date(2026, 2, 1), end_date=None,
                   status="active")  # fmt: skip


def test_search_by_patient_pages_with_a_next_link(alice, patient_a):  # type: ignore[no-untyped-def]
    _more_conditions(alice, patient_a)
    fhir = fhir_client(alice)
    seen, url, pages = [], f"/fhir/Condition?patient=Patient/{patient_a.pk}&_count=2", 0
    while url:
        bundle = fhir.get(url).json()
        validate(bundle)
        assert bundle["type"] == "searchset"
        seen += [e["resource"]["id"] for e in bundle["entry"]]
        assert all(e["fullUrl"].endswith(f"/fhir/Condition/{e['resource']['id']}") for e in bundle["entry"])
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), "")
        pages += 1
    assert pages == 2 and len(seen) == len(set(seen)) == 3
    assert AuditEvent.objects.filter(action="patient.view", patient_id=patient_a.pk).count() == 2


def test_patient_search_by_id_and_another_clinics_patient_is_not_found(alice, carol, patient_a):  # type: ignore[no-untyped-def]
    bundle = fhir_client(alice).get("/fhir/Patient", {"_id": patient_a.pk}).json()
    assert [e["resource"]["id"] for e in bundle["entry"]] == [str(patient_a.pk)]
    assert_outcome(fhir_client(carol).get("/fhir/Patient", {"_id": patient_a.pk}), 404)
    assert_outcome(fhir_client(carol).get("/fhir/Condition", {"patient": patient_a.pk}), 404)


def test_everything_is_the_patients_compartment(alice, patient_a):  # type: ignore[no-untyped-def]
    response = fhir_client(alice).get(f"/fhir/Patient/{patient_a.pk}/$everything")
    bundle = response.json()
    validate(bundle)
    types = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Patient", "EpisodeOfCare", "Condition", "Organization"} <= types
    assert "OperationOutcome" not in types
    assert AuditEvent.objects.filter(action="patient.view", patient_id=patient_a.pk).count() == 1


def test_front_desk_reads_no_observations_and_everything_says_what_was_left_out(bob, patient_a):  # type: ignore[no-untyped-def]
    fhir = fhir_client(bob)
    assert_outcome(fhir.get("/fhir/Observation", {"patient": patient_a.pk}), 403, "Only a clinician")
    assert AuditEvent.objects.filter(action="permission.denied", actor=bob).exists()
    assert fhir.get(f"/fhir/Patient/{patient_a.pk}").status_code == 200
    bundle = fhir.get(f"/fhir/Patient/{patient_a.pk}/$everything").json()
    validate(bundle)
    note = [e for e in bundle["entry"] if e["search"]["mode"] == "outcome"]
    assert "Observation" in note[0]["resource"]["issue"][0]["diagnostics"]


def test_groups_are_the_clinic_and_each_clinicians_caseload(alice, dana, carol, patient_a):  # type: ignore[no-untyped-def]
    bundle = fhir_client(dana).get("/fhir/Group").json()
    validate(bundle)
    ids = [e["resource"]["id"] for e in bundle["entry"]]
    assert ids == ["all", f"clinician-{alice.pk}"]
    everyone = validate(fhir_client(alice).get("/fhir/Group/all").json())
    assert everyone.quantity == 1 and everyone.actual is True
    assert_outcome(fhir_client(carol).get(f"/fhir/Group/clinician-{alice.pk}"), 404)


@override_settings(RATE_LIMITS={"api-token": (2, 60)})
def test_the_api_token_rate_limit_holds(alice):  # type: ignore[no-untyped-def]
    fhir = fhir_client(alice)
    assert [fhir.get("/fhir/Group").status_code for _ in range(2)] == [200, 200]
    limited = assert_outcome(fhir.get("/fhir/Group"), 429, "Too many")
    assert limited["issue"][0]["code"] == "throttled"
