"""Running Bulk Data exports (issue 13; docs/decisions.md, "issue 13 — FHIR HTTP and Bulk Data").

A runner claims a job by compare-and-set on (status, attempts), holds it until `claimed_until`
(FHIR_EXPORT_LEASE_MINUTES, renewed before each type is written: a lost job stops the run there),
writes the NDJSON files with `fhir.ndjson.write` into a directory of its own attempt
(FHIR_EXPORT_DIR/<id>/run-<n>/), and finishes by compare-and-set again: a runner
that lost its job meanwhile (cancelled by the client, or claimed again after its lease ran out)
throws its files away. A run that died is claimed again once its lease is over, at most
MAX_ATTEMPTS times. Runners: `dryneedling send-due` (cron, every minute) and one background
thread of the server, started at the kick-off (`exports_start_background`, FHIR_EXPORT_THREAD).
"""

from __future__ import annotations

import logging
import shutil
import threading
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import Q
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Clinic
from dryneedling.fhir import ndjson
from dryneedling.fhir.models import BulkExport, Level, Status
from dryneedling.fhir.services import NO_PATIENT_TYPES, audit_population_views, export_dir, export_population

logger = logging.getLogger(__name__)
MAX_ATTEMPTS = 3
FAILED_TEXT = (
    "The export failed on the server ({name}). Ask for it again; if it fails again, tell the clinic's "
    "administrator (the server's log names the export)."
)
STOPPED_TEXT = f"The export stopped {MAX_ATTEMPTS} times without finishing (the server restarted or ran out of time)."


def exports_run_due(*, now: datetime | None = None, limit: int = 10) -> int:
    """Run up to `limit` waiting exports (and those whose runner died), clinic by clinic; the number run."""
    ran = 0
    for clinic in Clinic.objects.order_by("pk"):
        while ran < limit and (job := _claim_next(clinic, now or timezone.now())) is not None:
            export_run(job)
            ran += 1
    return ran


def _claim_next(clinic: Clinic, now: datetime) -> BulkExport | None:
    jobs = BulkExport.objects.for_clinic(clinic)
    due = jobs.filter(Q(status=Status.PENDING) | Q(status=Status.RUNNING, claimed_until__lt=now)).order_by("created_at")
    for job in due[:20]:
        if job.attempts >= MAX_ATTEMPTS:
            _finish(job, now, status=Status.FAILED, error=STOPPED_TEXT)
            continue
        claimed = jobs.filter(pk=job.pk, status=job.status, attempts=job.attempts).update(
            status=Status.RUNNING,
            attempts=job.attempts + 1,
            claimed_until=now + timedelta(minutes=settings.FHIR_EXPORT_LEASE_MINUTES),
            started_at=now,
            transaction_time=now,
        )
        if claimed == 1:
            job.refresh_from_db()
            return job
    return None


def _finish(job: BulkExport, now: datetime, **fields: Any) -> bool:
    """Compare-and-set the end of the run this runner holds; False when it no longer holds it."""
    end = {"finished_at": now, "expires_at": now + timedelta(hours=settings.FHIR_EXPORT_HOURS), "claimed_until": None}
    mine = BulkExport.objects.for_record(job).filter(pk=job.pk, status=job.status, attempts=job.attempts)
    return mine.update(**end, **fields) == 1


class LostJob(Exception):
    """The run no longer holds its job: the client deleted it, or another runner claimed it."""


def _renew(job: BulkExport) -> None:
    """Hold the job for another lease (before each type is written), by compare-and-set; LostJob
    when this run no longer holds it, so a deleted export stops being written at once."""
    until = timezone.now() + timedelta(minutes=settings.FHIR_EXPORT_LEASE_MINUTES)
    mine = BulkExport.objects.for_record(job).filter(pk=job.pk, status=job.status, attempts=job.attempts)
    if mine.update(claimed_until=until) != 1:
        raise LostJob(str(job.pk))


def export_run(job: BulkExport) -> bool:
    """Write the files of a claimed job and mark it done (or failed); False when it was lost."""
    run_dir = export_dir(job) / f"run-{job.attempts}"
    shutil.rmtree(run_dir, ignore_errors=True)
    params = job.params
    since = datetime.fromisoformat(params["since"]) if params.get("since") else None
    patients = export_population(job)
    patient_ids = list(patients.values_list("pk", flat=True)) if job.level == Level.GROUP else None
    types = params.get("types") or None
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        written = (
            []  # an empty group exports nothing (not even the clinic's Organization)
            if patient_ids == []
            else ndjson.write(
                job.clinic,
                run_dir,
                types=types,
                since=since,
                patient_ids=patient_ids,
                before_type=lambda _type: _renew(job),
            )
        )
    except LostJob:
        shutil.rmtree(run_dir, ignore_errors=True)
        return False
    except Exception as error:  # anything: the client reads a failure instead of waiting forever
        logger.exception("FHIR bulk export %s failed", job.pk)
        shutil.rmtree(run_dir, ignore_errors=True)
        if _finish(job, timezone.now(), status=Status.FAILED, error=FAILED_TEXT.format(name=type(error).__name__)):
            audit_record(actor=job.requested_by, action="fhir.export.failed", clinic=job.clinic, obj=job,
                         detail={"error": type(error).__name__})  # fmt: skip
        return False
    output = [{"type": kind, "file": f"{run_dir.name}/{path.name}", "count": count} for kind, path, count in written]
    with transaction.atomic():
        if not _finish(job, timezone.now(), status=Status.DONE, output=output):
            shutil.rmtree(run_dir, ignore_errors=True)  # cancelled, or another runner holds it now
            return False
        _audit_views(job, patients, output)
    return True


def _audit_views(job: BulkExport, patients: Any, output: list[dict[str, Any]]) -> None:
    """Each patient whose records the export holds has a `patient.view` row in their access trail,
    as a read of the JSON API leaves (the requester's, via fhir, naming the export)."""
    via = {"via": "fhir", "export": str(job.pk), "token": job.token_prefix}
    if any(entry["type"] not in NO_PATIENT_TYPES for entry in output):
        audit_population_views(job, job.requested_by, patients, via)
    counts = {entry["type"]: entry["count"] for entry in output}
    audit_record(actor=job.requested_by, action="fhir.export.done", clinic=job.clinic, obj=job,
                 detail={"counts": counts, **via})  # fmt: skip


def exports_expire(*, now: datetime | None = None) -> int:
    """Remove the files of finished exports past their expiry; the number expired."""
    now = now or timezone.now()
    expired = 0
    for clinic in Clinic.objects.order_by("pk"):
        jobs = BulkExport.objects.for_clinic(clinic)
        for job in jobs.filter(status__in=(Status.DONE, Status.FAILED), expires_at__lte=now):
            if jobs.filter(pk=job.pk, status=job.status).update(status=Status.EXPIRED, output=[]) == 1:
                shutil.rmtree(export_dir(job), ignore_errors=True)
                expired += 1
    return expired


# --- the background runner -----------------------------------------------------------------------
_RUNNER = threading.BoundedSemaphore(1)  # one thread per server process; the periodic job does the rest


def exports_start_background() -> bool:
    """Start a thread that runs the waiting exports (and expires old ones), unless one runs or it is off."""
    if not settings.FHIR_EXPORT_THREAD or not _RUNNER.acquire(blocking=False):
        return False
    threading.Thread(target=_background, name="fhir-bulk-export", daemon=True).start()
    return True


def _background() -> None:
    try:
        exports_run_due()
        exports_expire()  # the disk is freed even where send-due does not run (yet)
    except Exception:  # the periodic job takes over; a died run is claimed again after its lease
        logger.exception("FHIR bulk export thread stopped")
    finally:
        connections.close_all()  # this thread's own connections
        _RUNNER.release()
