"""Review of the FHIR HTTP interface and Bulk Data export (issue 13): what an attacker or a clinic's
FHIR client tripped on. Each test failed before its fix."""

from __future__ import annotations

import pytest
from django.utils import timezone

from dryneedling.accounts.models import AuditEvent, Outcome
from tests.fhir import test_http_bulk as bulk
from tests.fhir.http_support import assert_outcome, fhir_client

pytestmark = pytest.mark.django_db
ASYNC, _kick_off, _run = bulk.ASYNC, bulk._kick_off, bulk._run
export_dir = bulk.export_dir  # the autouse fixture: each test's exports in its own tmp directory


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_a_since_outside_the_calendar_in_utc_is_a_400_not_a_500(alice, since):  # type: ignore[no-untyped-def]
    fhir = fhir_client(alice)
    fhir.raise_request_exception = False
    assert_outcome(fhir.get("/fhir/$export", {"_since": since}, **ASYNC), 400, "_since")


def test_an_output_format_with_its_plus_left_unencoded_is_ndjson(alice):  # type: ignore[no-untyped-def]
    """`?_outputFormat=application/fhir+ndjson` typed as the IG prints it: the '+' reads as a space."""
    fhir = fhir_client(alice)
    response = fhir.get("/fhir/$export?_outputFormat=application/fhir+ndjson", **ASYNC)
    assert response.status_code == 202, response.content


def test_the_status_of_an_export_past_its_expiry_is_404_not_a_manifest_of_dead_links(alice, patient_a):  # type: ignore[no-untyped-def]
    from dryneedling.fhir.models import BulkExport

    fhir = fhir_client(alice)
    status_url = _kick_off(fhir)
    _run()
    BulkExport.objects.for_clinic(alice.membership.clinic).update(expires_at=timezone.now())
    assert_outcome(fhir.get(status_url), 404, "expired")


@pytest.mark.parametrize(
    "path", ["/fhir/bulk/not-a-uuid/Patient.ndjson", "/fhir/Patient/1/2/3", "/fhir/Patient/1/$validate/x"]
)
def test_an_address_no_route_takes_is_an_operation_outcome(alice, path):  # type: ignore[no-untyped-def]
    """A FHIR client parses every answer as JSON: an HTML 404 page is not one."""
    assert_outcome(fhir_client(alice).get(path), 404)


def test_an_unknown_address_asks_for_a_token_first(anon_client):  # type: ignore[no-untyped-def]
    assert_outcome(anon_client.get("/fhir/bulk/x/y.ndjson"), 401)


def test_reading_another_clinics_patient_leaves_a_denial_in_both_trails(alice, carol, patient_a):  # type: ignore[no-untyped-def]
    """decisions.md: another clinic's ids are not found "and leave a denial row as the web's do"."""
    assert_outcome(fhir_client(carol).get(f"/fhir/Patient/{patient_a.pk}"), 404)
    denied = AuditEvent.objects.filter(outcome=Outcome.DENIED, actor=carol)
    assert denied.filter(clinic=carol.membership.clinic).exists()
    assert denied.filter(clinic=alice.membership.clinic, patient_id=patient_a.pk).exists()


def test_reading_any_type_of_another_clinic_leaves_a_denial(carol, patient_a):  # type: ignore[no-untyped-def]
    assert_outcome(fhir_client(carol).get("/fhir/Encounter/999999"), 404)
    assert AuditEvent.objects.filter(outcome=Outcome.DENIED, actor=carol).exists()


def test_another_clinics_export_leaves_a_denial_in_both_trails(alice, carol, patient_a):  # type: ignore[no-untyped-def]
    status_url = _kick_off(fhir_client(alice))
    assert_outcome(fhir_client(carol).get(status_url), 404)
    denied = AuditEvent.objects.filter(outcome=Outcome.DENIED, actor=carol)
    assert denied.filter(clinic=carol.membership.clinic).exists()
    assert denied.filter(clinic=alice.membership.clinic).exists()


def test_the_background_runner_also_removes_expired_files(alice, patient_a, export_dir):  # type: ignore[no-untyped-def]
    """A server run with FHIR_EXPORT_THREAD and no cron yet (or a cron that stopped) still frees
    the disk: the thread started at each kick-off expires old exports too, not only send-due."""
    from dryneedling.fhir import jobs
    from dryneedling.fhir.models import BulkExport

    fhir = fhir_client(alice)
    _kick_off(fhir)
    _run()
    assert any(export_dir.rglob("*.ndjson"))
    BulkExport.objects.for_clinic(alice.membership.clinic).update(expires_at=timezone.now())
    assert jobs._RUNNER.acquire(blocking=False)
    jobs._background()  # what the thread runs (it releases the semaphore)
    assert not any(export_dir.rglob("*.ndjson"))


def test_a_run_longer_than_its_lease_keeps_its_job(alice, patient_a, monkeypatch):  # type: ignore[no-untyped-def]
    """The runner renews its lease before each type: an export that takes longer than
    FHIR_EXPORT_LEASE_MINUTES is not claimed again (and run twice, its first run thrown away,
    three times over until it fails) while it is still being written."""
    from datetime import timedelta

    from dryneedling.fhir import jobs, ndjson
    from dryneedling.fhir.models import BulkExport

    _kick_off(fhir_client(alice))
    clinic = alice.membership.clinic
    job = jobs._claim_next(clinic, timezone.now() - timedelta(hours=1))  # its lease ran out meanwhile
    assert job is not None
    real, stolen = ndjson.by_type, []

    def slow(clinic_, resource_type, **kwargs):  # type: ignore[no-untyped-def]
        if resource_type == "Patient":  # a second runner looks for due work in the middle of the run
            stolen.append(jobs._claim_next(clinic, timezone.now()))
        return real(clinic_, resource_type, **kwargs)

    monkeypatch.setattr(ndjson, "by_type", slow)
    assert jobs.export_run(job) is True
    assert stolen == [None]
    done = BulkExport.objects.for_clinic(clinic).get(pk=job.pk)
    assert done.status == "done" and done.attempts == 1


def test_a_deleted_export_stops_being_written_at_the_next_type(alice, patient_a, monkeypatch, export_dir):  # type: ignore[no-untyped-def]
    """(Held before too, by the next file failing to open in the removed directory, as a failure in the log.)"""
    from dryneedling.fhir import jobs, ndjson
    from dryneedling.fhir.services import export_cancel

    _kick_off(fhir_client(alice))
    job = jobs._claim_next(alice.membership.clinic, timezone.now())
    assert job is not None
    real, read = ndjson.by_type, []

    def deleted_meanwhile(clinic_, resource_type, **kwargs):  # type: ignore[no-untyped-def]
        read.append(resource_type)
        if resource_type == "Organization":
            export_cancel(actor=alice, export_id=job.pk, via={})
        return real(clinic_, resource_type, **kwargs)

    monkeypatch.setattr(ndjson, "by_type", deleted_meanwhile)
    assert jobs.export_run(job) is False
    assert read == ["Organization"] and not any(export_dir.rglob("*.ndjson"))


def test_a_colleague_who_downloads_an_export_is_in_each_patients_access_trail(alice, mia, patient_a):  # type: ignore[no-untyped-def]
    """The requester's `patient.view` rows are written when the export finishes; a colleague who
    fetches the files read the same records and shows in the patients' access reports too (once)."""
    from dryneedling.accounts.permissions import BULK_EXPORT, allows

    assert allows(actor=mia, capability=BULK_EXPORT)
    status_url = _kick_off(fhir_client(alice))
    _run()
    colleague = fhir_client(mia)
    urls = {entry["type"]: entry["url"] for entry in colleague.get(status_url).json()["output"]}
    views = AuditEvent.objects.filter(actor=mia, action="patient.view", patient_id=patient_a.pk)
    colleague.get(urls["Organization"])
    assert not views.exists()  # the clinic's own record names no patient
    colleague.get(urls["Patient"])
    colleague.get(urls["EpisodeOfCare"])
    assert views.count() == 1 and views.get().detail["via"] == "fhir"
