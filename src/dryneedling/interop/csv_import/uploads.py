"""The uploaded file kept between the preview and the Import button (`interop.CsvUpload`).

The browser's import is two requests: the upload shows a preview (nothing written), the Import
button imports. The file is kept in between in the clinic's own row, and the Import button names
it by id AND SHA-256, so a preview open in another tab cannot import a different file; a row is
good for `KEEP` and for one import (its content is cleared once imported); the periodic
`send-due` job deletes expired ones. The command line reads its file directly and needs none of this.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Clinic, User
from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
from dryneedling.interop.csv_import.parse import CsvRefused, read_table, size_problem
from dryneedling.interop.csv_import.rows import AUTO, plan_file
from dryneedling.interop.csv_import.service import REFUSAL, Report, run
from dryneedling.interop.models import CsvKind, CsvUpload

KEEP = timedelta(hours=24)
# A preview runs every row through the registration rules inside one transaction, which holds the
# database's write lock (SQLite takes it at the start): about 10-30 ms a row on 2 cores, so a page
# stays within seconds and other users' writes wait, not fail, up to this many rows. Larger files
# go through the command line, which has no request timeout (decisions: issue 13, CSV import).
BROWSER_MAX_ROWS = 1_000
GONE = "This upload is no longer available (it expired or was imported): upload the file again."


@transaction.atomic
def csv_upload_store(*, actor: User, data: bytes, filename: str, kind: str) -> CsvUpload:
    membership = require(actor=actor, capability=CLINIC_ADMINISTRATION, reason=REFUSAL)
    problem = size_problem(len(data))
    if problem:
        raise ValidationError({"file": problem})
    if kind not in CsvKind.values:
        raise ValidationError({"kind": "Choose what the file holds: patients or appointments."})
    _refuse_long_files(data)
    now = timezone.now()
    CsvUpload.objects.for_clinic(membership.clinic).filter(expires_at__lt=now).delete()
    upload = CsvUpload.objects.create(
        clinic=membership.clinic,
        uploaded_by=actor,
        kind=kind,
        filename=filename[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        content=data,
        size=len(data),
        created_at=now,
        expires_at=now + KEEP,
    )
    detail = {"kind": kind, "bytes": len(data), "sha256": upload.sha256}
    audit_record(actor=actor, action="csv_import.upload", obj=upload, detail=detail)
    return upload


def _refuse_long_files(data: bytes) -> None:
    try:
        rows = len(read_table(data).rows)
    except CsvRefused:
        return  # the preview says what is wrong with the file as a whole
    if rows > BROWSER_MAX_ROWS:
        raise ValidationError({"file": (
            f"The file has {rows:,} rows; the browser imports at most {BROWSER_MAX_ROWS:,} rows at a time. "
            "Split the file, or ask whoever runs the server to import it with `dryneedling import-csv`."
        )})  # fmt: skip


def csv_uploads_expire(*, now: datetime | None = None) -> int:
    """Delete every clinic's uploads past `expires_at` (the periodic `send-due` job calls this): an
    upload is the clinic's patient list, and a refused or abandoned one must not stay for good."""
    now = now or timezone.now()
    deleted = 0
    for clinic in Clinic.objects.order_by("pk"):
        deleted += CsvUpload.objects.for_clinic(clinic).filter(expires_at__lt=now).delete()[0]
    return deleted


def csv_upload_get(*, actor: User, upload_id: int, sha256: str) -> CsvUpload:
    """The actor's clinic's upload with this id and digest, still waiting for its import."""
    membership = require(actor=actor, capability=CLINIC_ADMINISTRATION, reason=REFUSAL)
    upload = (
        CsvUpload.objects.for_clinic(membership.clinic)
        .filter(pk=upload_id, sha256=sha256, imported_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if upload is None:
        raise ValidationError(GONE)
    return upload


def csv_upload_preview(*, actor: User, upload: CsvUpload, source: str = AUTO, date_order: str | None = None) -> Report:
    plan = plan_file(data=bytes(upload.content), kind=upload.kind, source=source, date_order=date_order)
    return run(actor=actor, plan=plan, commit=False)


@transaction.atomic
def csv_upload_import(*, actor: User, upload: CsvUpload, source: str = AUTO, date_order: str | None = None) -> Report:
    """Import the upload all or nothing; once imported its content is cleared (one import per upload)."""
    locked = CsvUpload.objects.for_record(upload).select_for_update().get(pk=upload.pk)
    if locked.imported_at is not None:
        raise ValidationError(GONE)
    plan = plan_file(data=bytes(locked.content), kind=locked.kind, source=source, date_order=date_order)
    report = run(actor=actor, plan=plan, commit=True)
    if report.committed:
        locked.imported_at, locked.content = timezone.now(), b""
        locked.save(update_fields=["imported_at", "content"])
    return report
