"""FHIR Bulk Data export over HTTP (issue 13): kick-off → the job runs → status → manifest →
files, every line a valid R4B resource; _type/_since; DELETE; expiry; the kick-off's refusals
(no Prefer header, a format other than NDJSON, front desk, another clinic)."""

from __future__ import annotations

from datetime import timedelta

import orjson
import pytest
from django.utils import timezone

from dryneedling.accounts.models import AuditEvent
from tests.fhir.http_support import assert_outcome, fhir_client, validate

pytestmark = pytest.mark.django_db
ASYNC = {"HTTP_PREFER": "respond-async", "HTTP_ACCEPT": "application/fhir+json"}


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.FHIR_EXPORT_DIR = tmp_path / "exports"
    return settings.FHIR_EXPORT_DIR


def _kick_off(client, path="/fhir/$export", **query):  # type: ignore[no-untyped-def]
    response = client.get(path, query, **ASYNC)
    assert response.status_code == 202, response.content
    return response["Content-Location"]


def _run() -> int:
    from dryneedling.fhir.jobs import exports_run_due

    return exports_run_due()


def _lines(client, url):  # type: ignore[no-untyped-def]
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/fhir+ndjson"
    return [orjson.loads(line) for line in b"".join(response.streaming_content).splitlines()]


def test_kick_off_run_status_manifest_and_files(alice, patient_a, export_dir):  # type: ignore[no-untyped-def]
    from dryneedling.fhir import stream

    fhir = fhir_client(alice)
    status_url = _kick_off(fhir)
    assert status_url.startswith("http://testserver/fhir/bulk/")
    waiting = fhir.get(status_url)
    assert waiting.status_code == 202 and waiting["X-Progress"] and int(waiting["Retry-After"]) > 0
    assert _run() == 1
    done = fhir.get(status_url)
    assert done.status_code == 200 and done["Content-Type"] == "application/json" and done["Expires"]
    manifest = done.json()
    assert manifest["requiresAccessToken"] is True and manifest["error"] == []
    assert manifest["request"] == "http://testserver/fhir/$export" and manifest["transactionTime"].endswith("Z")
    types = [entry["type"] for entry in manifest["output"]]
    assert {"Organization", "Patient", "EpisodeOfCare", "Condition"} <= set(types)
    assert types == [t for t in stream.TYPES if t in types]
    for entry in manifest["output"]:
        lines = _lines(fhir, entry["url"])
        assert len(lines) == entry["count"]
        for resource in lines:
            assert resource["resourceType"] == entry["type"]
            validate(resource)
    # audited: the request, each patient exported, each file fetched
    assert AuditEvent.objects.filter(action="fhir.export.request", actor=alice).count() == 1
    view = AuditEvent.objects.get(action="patient.view", patient_id=patient_a.pk)
    assert view.detail["via"] == "fhir" and view.detail["export"] in status_url
    assert AuditEvent.objects.filter(action="fhir.export.download").count() == len(types)


def test_type_and_since_filter_the_export(alice, patient_a):  # type: ignore[no-untyped-def]
    fhir = fhir_client(alice)
    status_url = _kick_off(fhir, "/fhir/Patient/$export", _type="Patient,Condition", _outputFormat="ndjson")
    _run()
    assert [e["type"] for e in fhir.get(status_url).json()["output"]] == ["Patient", "Condition"]
    later = (timezone.now() + timedelta(hours=1)).isoformat()
    status_url = _kick_off(fhir, _type="Patient", _since=later, _outputFormat="application/ndjson")
    _run()
    assert fhir.get(status_url).json()["output"] == []


@pytest.mark.parametrize(
    ("query", "headers", "words"),
    [
        ({}, {}, "Prefer: respond-async"),
        ({"_outputFormat": "text/csv"}, ASYNC, "_outputFormat"),
        ({"_type": "Medication"}, ASYNC, "_type"),
        ({"_since": "2026-01-01T00:00:00"}, ASYNC, "_since"),
        ({"_since": "yesterday"}, ASYNC, "_since"),
        ({"_typeFilter": "Patient?active=true"}, ASYNC, "_typeFilter"),
    ],
)
def test_kick_off_refuses_what_it_cannot_do_with_a_400(alice, query, headers, words):  # type: ignore[no-untyped-def]
    assert_outcome(fhir_client(alice).get("/fhir/$export", query, **headers), 400, words)


def test_an_unsupported_parameter_is_ignored_when_the_client_asks_for_leniency(alice):  # type: ignore[no-untyped-def]
    response = fhir_client(alice).get(
        "/fhir/$export", {"_elements": "id"}, HTTP_PREFER="respond-async, handling=lenient"
    )
    assert response.status_code == 202


def test_front_desk_may_not_export_and_is_told_why(bob, dana):  # type: ignore[no-untyped-def]
    assert_outcome(fhir_client(bob).get("/fhir/$export", **ASYNC), 403, "Only clinicians and clinic admins")
    assert fhir_client(dana).get("/fhir/$export", **ASYNC).status_code == 202


def test_a_colleague_may_fetch_it_front_desk_and_another_clinic_may_not(alice, bob, dana, carol, patient_a):  # type: ignore[no-untyped-def]
    status_url = _kick_off(fhir_client(alice))
    _run()
    manifest = fhir_client(dana).get(status_url).json()
    patients = next(e["url"] for e in manifest["output"] if e["type"] == "Patient")
    assert len(_lines(fhir_client(dana), patients)) == 1
    assert_outcome(fhir_client(bob).get(patients), 403)
    for url in (status_url, patients):
        assert_outcome(fhir_client(carol).get(url), 404)
    assert_outcome(fhir_client(carol).delete(status_url), 404)


def test_delete_removes_the_export_and_its_files(alice, patient_a, export_dir):  # type: ignore[no-untyped-def]
    fhir = fhir_client(alice)
    status_url = _kick_off(fhir)
    _run()
    file_url = fhir.get(status_url).json()["output"][0]["url"]
    assert any(export_dir.rglob("*.ndjson"))
    assert fhir.delete(status_url).status_code == 202
    assert not any(export_dir.rglob("*.ndjson"))
    assert_outcome(fhir.get(status_url), 404)
    assert_outcome(fhir.get(file_url), 404)
    assert AuditEvent.objects.filter(action="fhir.export.cancel").count() == 1


def test_files_expire(alice, patient_a, export_dir, settings):  # type: ignore[no-untyped-def]
    from dryneedling.fhir.jobs import exports_expire

    fhir = fhir_client(alice)
    status_url = _kick_off(fhir)
    _run()
    file_url = fhir.get(status_url).json()["output"][0]["url"]
    later = timezone.now() + timedelta(hours=settings.FHIR_EXPORT_HOURS, minutes=1)
    assert exports_expire(now=timezone.now()) == 0
    assert exports_expire(now=later) == 1
    assert not any(export_dir.rglob("*.ndjson"))
    assert_outcome(fhir.get(status_url), 404, "expired")
    assert_outcome(fhir.get(file_url), 404)


def test_a_file_past_its_expiry_is_refused_before_the_job_removes_it(alice, patient_a):  # type: ignore[no-untyped-def]
    from dryneedling.fhir.models import BulkExport

    fhir = fhir_client(alice)
    status_url = _kick_off(fhir)
    _run()
    file_url = fhir.get(status_url).json()["output"][0]["url"]
    BulkExport.objects.for_clinic(alice.membership.clinic).update(expires_at=timezone.now())
    assert_outcome(fhir.get(file_url), 404, "expired")


def test_a_failed_export_answers_500_with_an_operation_outcome(alice, monkeypatch):  # type: ignore[no-untyped-def]
    from dryneedling.fhir import ndjson

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(ndjson, "write", broken)
    fhir = fhir_client(alice)
    status_url = _kick_off(fhir)
    _run()
    assert_outcome(fhir.get(status_url), 500, "failed on the server (OSError)")
    assert AuditEvent.objects.filter(action="fhir.export.failed").count() == 1


def test_one_export_at_a_time_per_user(alice, dana):  # type: ignore[no-untyped-def]
    fhir = fhir_client(alice)
    _kick_off(fhir)
    busy = assert_outcome(fhir.get("/fhir/$export", **ASYNC), 429, "still waiting or running")
    assert busy["issue"][0]["code"] == "throttled"
    assert fhir_client(dana).get("/fhir/$export", **ASYNC).status_code == 202  # a colleague's own
    _run()
    assert fhir.get("/fhir/$export", **ASYNC).status_code == 202


def test_group_exports(alice, carol, patient_a):  # type: ignore[no-untyped-def]
    fhir = fhir_client(alice)
    everyone = _kick_off(fhir, "/fhir/Group/all/$export", _type="Patient")
    _run()
    assert fhir.get(everyone).json()["output"][0]["count"] == 1
    caseload = _kick_off(fhir, f"/fhir/Group/clinician-{alice.pk}/$export", _type="Patient")
    _run()
    assert fhir.get(caseload).json()["output"] == []  # no appointment, no session yet
    assert_outcome(fhir.get("/fhir/Group/nobody/$export", **ASYNC), 404, "No such group")
    assert_outcome(fhir_client(carol).get(f"/fhir/Group/clinician-{alice.pk}/$export", **ASYNC), 404)
