"""FHIR Bulk Data export over HTTP (issue 13; HL7 FHIR Bulk Data Access IG v2): the kick-off at
`/fhir/$export`, `/fhir/Patient/$export` and `/fhir/Group/[id]/$export` (`Prefer: respond-async`,
`_type`, `_since`, `_outputFormat`), answered 202 with the status URL in `Content-Location`; the
status URL answers 202 (X-Progress, Retry-After) while the export runs, 200 and the manifest when
done, 500 and an OperationOutcome when it failed, and DELETE removes the export and its files;
each file is NDJSON for a token of the same clinic that may export. The job: `fhir.jobs`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import UUID

import orjson
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from dryneedling.api.auth import token_of
from dryneedling.api.fhir_http import (
    FHIR_NDJSON,
    FhirError,
    error_response,
    fhir_response,
    fhir_view,
    outcome,
    via,
)
from dryneedling.fhir import stream
from dryneedling.fhir.jobs import exports_start_background
from dryneedling.fhir.models import BulkExport, Level, Status
from dryneedling.fhir.services import (
    OUTPUT_FORMATS,
    ExportAsk,
    ExportBusy,
    export_cancel,
    export_file_for,
    export_get_for,
    export_kick_off,
)

KICK_OFF_PARAMS = {"_type", "_since", "_outputFormat"}
RETRY_AFTER = "10"
ASYNC_TEXT = "A Bulk Data export runs asynchronously: send the header 'Prefer: respond-async'."


def _types(request: HttpRequest) -> tuple[str, ...]:
    asked = [t for value in request.GET.getlist("_type") for t in value.split(",") if t.strip()]
    if not asked:
        return ()
    try:
        return stream.checked_types(asked)
    except ValidationError as error:
        raise FhirError(400, f"_type: {' '.join(error.messages)}") from error


def _since(request: HttpRequest) -> datetime | None:
    raw = request.GET.get("_since")
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace(" ", "+"))  # a '+' left unencoded reads as a space
        if moment.tzinfo is None:
            raise ValueError(raw)
        return moment.astimezone(UTC)  # OverflowError: 0001-01-01T00:00+01:00 is before year 1 in UTC
    except (ValueError, OverflowError):
        raise FhirError(400, "_since: a FHIR instant with its time zone, e.g. 2026-11-28T10:00:00Z.") from None


def _output_format(request: HttpRequest) -> str:
    chosen = (request.GET.get("_outputFormat") or OUTPUT_FORMATS[0]).replace(" ", "+")  # '+' left unencoded
    if chosen not in OUTPUT_FORMATS:
        raise FhirError(400, f"_outputFormat: this server writes NDJSON only ({', '.join(OUTPUT_FORMATS)}).",
                        "not-supported")  # fmt: skip
    return chosen


def _kick_off(request: Any, level: str, group_id: str = "") -> HttpResponse:
    prefer = request.headers.get("Prefer", "")
    if "respond-async" not in prefer:
        raise FhirError(400, ASYNC_TEXT)
    unknown = sorted(set(request.GET) - KICK_OFF_PARAMS)
    if unknown and "handling=lenient" not in prefer:
        raise FhirError(400, f"This server does not support the kick-off parameter(s) {', '.join(unknown)[:200]} "
                        "(send 'Prefer: handling=lenient' to have them ignored).", "not-supported")  # fmt: skip
    ask = ExportAsk(level=level, group_id=group_id, types=_types(request), since=_since(request),
                    output_format=_output_format(request), request_url=request.build_absolute_uri(),
                    via={"via": "fhir", "token": token_of(request).prefix})  # fmt: skip
    try:
        job = export_kick_off(actor=request.user, ask=ask)
    except ExportBusy as busy:
        return error_response(429, str(busy), "throttled", Retry_After="60")
    transaction.on_commit(exports_start_background)
    status_url = request.build_absolute_uri(reverse("fhir:bulk-status", args=[job.pk]))
    text = "Export accepted: poll the Content-Location URL for its manifest."
    return fhir_response(outcome(text, "informational", "information"), status=202, Content_Location=status_url)


@fhir_view("GET")
def export_system(request: HttpRequest) -> HttpResponse:
    return _kick_off(request, Level.SYSTEM)


@fhir_view("GET")
def export_patients(request: HttpRequest) -> HttpResponse:
    return _kick_off(request, Level.PATIENT)


@fhir_view("GET")
def export_group(request: HttpRequest, group_id: str) -> HttpResponse:
    return _kick_off(request, Level.GROUP, group_id)


def _instant(moment: datetime | None) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else ""


def manifest(request: HttpRequest, job: BulkExport) -> dict[str, Any]:
    def url(kind: str) -> str:
        return request.build_absolute_uri(reverse("fhir:bulk-file", args=[job.pk, f"{kind}.ndjson"]))

    return {
        "transactionTime": _instant(job.transaction_time),
        "request": job.params.get("request", ""),
        "requiresAccessToken": True,
        "output": [{"type": one["type"], "url": url(one["type"]), "count": one["count"]} for one in job.output],
        "error": [],
    }


@fhir_view("GET", "DELETE")
def export_status(request: Any, export_id: UUID) -> HttpResponse:
    if request.method == "DELETE":
        export_cancel(actor=request.user, export_id=export_id, via=via(request))
        text = "Export deleted: its files are removed."
        return fhir_response(outcome(text, "informational", "information"), status=202)
    job = export_get_for(actor=request.user, export_id=export_id)
    if job.status in (Status.PENDING, Status.RUNNING):
        progress = "waiting for a runner" if job.status == Status.PENDING else f"running (attempt {job.attempts})"
        return HttpResponse(status=202, headers={"X-Progress": progress, "Retry-After": RETRY_AFTER})
    if job.status == Status.FAILED:
        return error_response(500, job.error, "exception")
    if job.status == Status.EXPIRED or (job.expires_at is not None and job.expires_at <= timezone.now()):
        raise FhirError(404, "This export's files expired and were removed: ask for a new export.", "not-found")
    response = HttpResponse(orjson.dumps(manifest(request, job)), content_type="application/json")
    if job.expires_at is not None:
        response["Expires"] = http_date(job.expires_at.timestamp())
    return response


@fhir_view("GET")
def export_file(request: Any, export_id: UUID, file_name: str) -> FileResponse:
    if not file_name.endswith(".ndjson"):
        raise FhirError(404, "No such file in this export.", "not-found")
    path, _count = export_file_for(actor=request.user, export_id=export_id,
                                   resource_type=file_name.removesuffix(".ndjson"), via=via(request))  # fmt: skip
    try:
        handle = path.open("rb")
    except FileNotFoundError:  # removed a moment ago (expired, deleted)
        raise FhirError(404, "This export's files were removed: ask for a new export.", "not-found") from None
    return FileResponse(handle, content_type=FHIR_NDJSON)
