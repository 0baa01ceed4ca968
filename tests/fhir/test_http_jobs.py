"""How Bulk Data exports run (issue 13): claimed once by compare-and-set, a run that died is
claimed again after its lease (at most MAX_ATTEMPTS runs), a runner that lost its job throws its
files away, the background thread starts at the kick-off when the setting says so, `send-due`
runs them, and a clinician's caseload is the patients booked with or treated by them."""

from __future__ import annotations

import json
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from tests.fhir.http_support import fhir_client

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.FHIR_EXPORT_DIR = tmp_path / "exports"
    settings.FHIR_EXPORT_THREAD = False
    return settings.FHIR_EXPORT_DIR


def _ask(actor, **params):  # type: ignore[no-untyped-def]
    from dryneedling.fhir.services import ExportAsk, export_kick_off

    return export_kick_off(actor=actor, ask=ExportAsk(level="system", **params))


def _job(job):  # type: ignore[no-untyped-def]
    job.refresh_from_db()
    return job


def test_a_run_that_died_is_claimed_again_after_its_lease(alice, patient_a, settings):  # type: ignore[no-untyped-def]
    from dryneedling.fhir.jobs import _claim_next, exports_run_due

    job = _ask(alice)
    now = timezone.now()
    assert _claim_next(job.clinic, now).pk == job.pk  # a runner claims it ... and dies
    assert _claim_next(job.clinic, now) is None  # nobody else takes it while the lease holds
    assert exports_run_due(now=now + timedelta(minutes=1)) == 0
    after_lease = now + timedelta(minutes=settings.FHIR_EXPORT_LEASE_MINUTES, seconds=1)
    assert exports_run_due(now=after_lease) == 1
    job = _job(job)
    assert job.status == "done" and job.attempts == 2 and job.output[0]["file"].startswith("run-2/")


def test_an_export_that_keeps_dying_fails_in_words(alice, settings):  # type: ignore[no-untyped-def]
    from dryneedling.fhir.jobs import MAX_ATTEMPTS, _claim_next, exports_run_due

    job = _ask(alice)
    moment = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        assert _claim_next(job.clinic, moment) is not None
        moment += timedelta(minutes=settings.FHIR_EXPORT_LEASE_MINUTES, seconds=1)
    assert exports_run_due(now=moment) == 0
    job = _job(job)
    assert job.status == "failed" and f"stopped {MAX_ATTEMPTS} times" in job.error


def test_a_runner_that_lost_its_job_throws_its_files_away(alice, patient_a, monkeypatch, export_dir):  # type: ignore[no-untyped-def]
    from dryneedling.fhir import ndjson
    from dryneedling.fhir.jobs import exports_run_due
    from dryneedling.fhir.services import export_cancel

    real = ndjson.write
    job = _ask(alice)

    def cancelled_meanwhile(*args, **kwargs):  # type: ignore[no-untyped-def]
        written = real(*args, **kwargs)
        export_cancel(actor=alice, export_id=job.pk, via={})  # the client DELETEs while the files are written
        return written

    monkeypatch.setattr(ndjson, "write", cancelled_meanwhile)
    assert exports_run_due() == 1
    assert _job(job).status == "cancelled" and not any(export_dir.rglob("*.ndjson"))


def test_the_kick_off_starts_the_background_runner_when_the_setting_says_so(  # type: ignore[no-untyped-def]
    alice, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from dryneedling.fhir import jobs

    started: list[str] = []

    class FakeThread:
        def __init__(self, target, name, daemon):  # type: ignore[no-untyped-def]
            self.target, self.name = target, name
            assert daemon

        def start(self) -> None:
            started.append(self.name)
            self.target()  # run it here: the test's transaction is not visible to another thread

    monkeypatch.setattr(jobs.threading, "Thread", FakeThread)
    settings.FHIR_EXPORT_THREAD = True
    monkeypatch.setattr(jobs.connections, "close_all", lambda: None)  # the test's connection stays
    with django_capture_on_commit_callbacks(execute=True):
        response = fhir_client(alice).get("/fhir/$export", HTTP_PREFER="respond-async")
    assert response.status_code == 202 and started == ["fhir-bulk-export"]
    assert fhir_client(alice).get(response["Content-Location"]).status_code == 200  # done
    assert jobs._RUNNER.acquire(blocking=False)  # the slot was given back
    jobs._RUNNER.release()
    settings.FHIR_EXPORT_THREAD = False
    assert jobs.exports_start_background() is False


def test_send_due_runs_waiting_exports(alice, patient_a, capsys):  # type: ignore[no-untyped-def]
    from dryneedling.cli import main

    job = _ask(alice)
    assert main(["send-due"]) == 0
    counts = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert counts["fhir_exports_run"] == 1 and list(counts)[-1] == "sent"
    assert _job(job).status == "done"


def test_a_clinicians_caseload_is_who_they_book_or_treat(alice, bob, dana, patient_a):  # type: ignore[no-untyped-def]
    from dryneedling.fhir.groups import group_patients
    from dryneedling.patients.services import patient_create
    from dryneedling.scheduling.services import appointment_book, appointment_types_seed, working_hours_add

    clinic = alice.membership.clinic
    patient_create(actor=bob, given_name="Other", family_name="Person", date_of_birth=date(1990, 1, 1), sex="male")
    assert list(group_patients(clinic, f"clinician-{alice.pk}")) == []
    monday = date(2030, 3, 4)
    working_hours_add(actor=dana, clinician=alice, weekday=0, starts=time(8), ends=time(17))
    kind = appointment_types_seed(clinic=clinic)[0]
    starts = datetime.combine(monday, time(9), tzinfo=ZoneInfo(clinic.time_zone))
    appointment_book(actor=bob, clinician=alice, patient=patient_a, appointment_type=kind, starts_at=starts)
    assert list(group_patients(clinic, f"clinician-{alice.pk}")) == [patient_a]
    assert group_patients(clinic, f"clinician-{bob.pk}") is None  # not a clinician: no such group
    assert group_patients(clinic, "clinician-x") is None and group_patients(clinic, "all").count() == 2
