"""Bulk Data exports asked for, read, cancelled and downloaded (issue 13). Only clinicians and
clinic admins export (`permissions.BULK_EXPORT`); an export is read, cancelled and downloaded by
any of them in the same clinic (a colleague may fetch what a script of the clinic asked for);
another clinic's export is not found. The runner is `fhir.jobs`."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import AuditEvent, User
from dryneedling.accounts.permissions import BULK_EXPORT, require
from dryneedling.fhir.groups import group_patients
from dryneedling.fhir.models import BulkExport, Level, Status
from dryneedling.patients.models import Patient
from dryneedling.patients.selectors import deny

OUTPUT_FORMATS = ("application/fhir+ndjson", "application/ndjson", "ndjson")
ACTIVE = (Status.PENDING, Status.RUNNING)
ACTIVE_PER_USER = 1
NO_PATIENT_TYPES = frozenset({"Organization", "Practitioner"})
BUSY_TEXT = "An export of yours is still waiting or running: fetch it, or DELETE its status URL, before asking again."


class ExportBusy(Exception):
    """The requester already has an export waiting or running."""


@dataclass(frozen=True)
class ExportAsk:
    level: str
    group_id: str = ""
    types: tuple[str, ...] = ()  # () = every type
    since: datetime | None = None
    output_format: str = OUTPUT_FORMATS[0]
    request_url: str = ""
    via: dict[str, Any] = field(default_factory=dict)  # the token's prefix, for the audit rows

    def params(self) -> dict[str, Any]:
        since = self.since.isoformat() if self.since else None
        return {"group": self.group_id, "types": list(self.types), "since": since,
                "output_format": self.output_format, "request": self.request_url}  # fmt: skip


def export_dir(job: BulkExport) -> Path:
    return Path(settings.FHIR_EXPORT_DIR) / str(job.pk)


def export_population(job: BulkExport) -> Any:
    """The export's patients: every patient of the clinic, or the group's."""
    everyone = Patient.objects.for_clinic(job.clinic)
    if job.level != Level.GROUP:
        return everyone
    group = group_patients(job.clinic, job.params.get("group", ""))
    return everyone.none() if group is None else group  # a clinician who left: an empty export


def audit_population_views(job: BulkExport, actor: User, patients: Any, via: dict[str, Any]) -> None:
    """A `patient.view` row (the actor's, naming the export) for each patient of the export."""
    for pk in list(patients.values_list("pk", flat=True)):
        audit_record(actor=actor, action="patient.view", clinic=job.clinic,
                     object_type="patients.patient", object_id=pk, patient_id=pk, detail=via)  # fmt: skip


def export_kick_off(*, actor: User, ask: ExportAsk) -> BulkExport:
    """A new export job of the actor's clinic, waiting for a runner (audited)."""
    clinic = require(actor=actor, capability=BULK_EXPORT).clinic
    if ask.level == Level.GROUP and group_patients(clinic, ask.group_id) is None:
        raise Http404("No such group in your clinic: see GET /fhir/Group.")
    with transaction.atomic():
        busy = BulkExport.objects.for_clinic(clinic).filter(requested_by=actor, status__in=ACTIVE).count()
        if busy >= ACTIVE_PER_USER:
            raise ExportBusy(BUSY_TEXT)
        job = BulkExport.objects.create(clinic=clinic, requested_by=actor, level=ask.level, params=ask.params(),
                                        token_prefix=str(ask.via.get("token", "")))  # fmt: skip
        detail = {"level": ask.level, "group": ask.group_id, "types": list(ask.types), **ask.via}
        audit_record(actor=actor, action="fhir.export.request", clinic=clinic, obj=job, detail=detail)
    return job


def export_get_for(*, actor: User, export_id: Any) -> BulkExport:
    """An export of the actor's clinic (not one deleted by its client); 404 otherwise."""
    clinic = require(actor=actor, capability=BULK_EXPORT).clinic
    job = BulkExport.objects.for_clinic(clinic).filter(pk=export_id).first()
    if job is None:  # a denial row, and one in the trail of the clinic whose export it is (as the web's)
        deny(actor=actor, object_type="bulk_export", object_id=export_id, model=BulkExport)
    if job is None or job.status == Status.CANCELLED:
        raise Http404("No such export in your clinic (or it was deleted).")
    return job


def export_cancel(*, actor: User, export_id: Any, via: dict[str, Any]) -> BulkExport:
    """Stop an export and remove its files: a runner still writing it finds it cancelled and throws
    its work away (audited)."""
    job = export_get_for(actor=actor, export_id=export_id)
    BulkExport.objects.for_record(job).filter(pk=job.pk).update(
        status=Status.CANCELLED, claimed_until=None, finished_at=timezone.now()
    )
    shutil.rmtree(export_dir(job), ignore_errors=True)
    audit_record(actor=actor, action="fhir.export.cancel", clinic=job.clinic, obj=job, detail=via)
    return job


def export_file_for(*, actor: User, export_id: Any, resource_type: str, via: dict[str, Any]) -> tuple[Path, int]:
    """The NDJSON file of one type of a finished, unexpired export, and its count (the download is
    audited: who, which export, which type)."""
    job = export_get_for(actor=actor, export_id=export_id)
    if job.status != Status.DONE or job.expires_at is None or job.expires_at <= timezone.now():
        raise Http404("No such file: the export is not finished, or its files expired.")
    entry = next((one for one in job.output if one["type"] == resource_type), None)
    if entry is None:
        raise Http404("No such file in this export.")
    audit_record(actor=actor, action="fhir.export.download", clinic=job.clinic, obj=job,
                 detail={"type": resource_type, "count": entry["count"], **via})  # fmt: skip
    views = {**via, "export": str(job.pk)}
    seen = AuditEvent.objects.filter(actor=actor, action="patient.view", detail__export=str(job.pk))
    if actor != job.requested_by and resource_type not in NO_PATIENT_TYPES and not seen.exists():
        audit_population_views(job, actor, export_population(job), views)  # a colleague read them too
    return export_dir(job) / entry["file"], int(entry["count"])
