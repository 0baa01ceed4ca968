"""Clinic admin pages: the audit trail (filters, CSV export) and a patient's access report."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dryneedling.accounts.audit import audit_record, record_view
from dryneedling.accounts.models import AuditEvent
from dryneedling.accounts.selectors import audit_list_for, membership_for
from dryneedling.clinical.text import spreadsheet_cell
from dryneedling.patients import selectors as patient_selectors
from dryneedling.web.forms.accounts import AuditFilterForm
from dryneedling.web.views.shared import AuthedRequest

PAGE_SIZE = 50
CSV_COLUMNS = ["time_utc", "user", "action", "object_type", "object_id", "outcome", "address", "patient_id", "patient"]
ACCESS_REPORT_ONLY = "The access report of a patient is for the clinic admins, who account for disclosures."


@login_required
@require_GET
def audit_list(request: AuthedRequest) -> HttpResponse | StreamingHttpResponse:
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = _filtered(request, filters)
    if request.GET.get("export") == "csv" and form.is_bound and not form.errors:
        return _csv_response(request, events, filters)
    page = Paginator(events.select_related("actor"), PAGE_SIZE).get_page(request.GET.get("page"))
    names = patient_selectors.patient_names_for(
        actor=request.user, patient_ids={e.patient_id for e in page.object_list if e.patient_id}
    )
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("export", None)
    rows = [(event, names.get(event.patient_id or 0, "")) for event in page.object_list]
    context = {"page": page, "rows": rows, "form": form, "query": query.urlencode()}
    return render(request, "accounts/audit_list.html", context)


def _filtered(request: AuthedRequest, filters: dict[str, object]) -> QuerySet[AuditEvent]:
    """The clinic's trail with the form's filters; an MRN that matches no patient matches no row."""
    mrn = str(filters.get("patient") or "")
    patient_ids = patient_selectors.patient_ids_by_mrn_for(actor=request.user, mrn=mrn) if mrn else None
    return audit_list_for(
        actor=request.user,
        action=str(filters.get("action") or ""),
        outcome=str(filters.get("outcome") or ""),
        actor_email=str(filters.get("user") or ""),
        patient_ids=patient_ids,
        date_from=filters.get("date_from"),  # type: ignore[arg-type]
        date_to=filters.get("date_to"),  # type: ignore[arg-type]
    )


def _csv_response(
    request: AuthedRequest, events: QuerySet[AuditEvent], filters: dict[str, object]
) -> StreamingHttpResponse:
    """The filtered trail as CSV. The export itself is audited (filters as ids, never names)."""
    kept = {k: str(v) for k, v in filters.items() if v and k != "patient"}
    mrn = str(filters.get("patient") or "")
    if mrn:
        kept["patient_ids"] = ",".join(map(str, patient_selectors.patient_ids_by_mrn_for(actor=request.user, mrn=mrn)))
    audit_record(actor=request.user, action="audit.export", object_type="audit", detail={"filters": kept})
    writer = csv.writer(_Echo())
    rows = _csv_rows(request, events)
    response = StreamingHttpResponse((writer.writerow(row) for row in rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-trail.csv"'
    return response


def _csv_rows(request: AuthedRequest, events: QuerySet[AuditEvent]) -> Iterator[Sequence[object]]:
    yield CSV_COLUMNS
    batch: list[AuditEvent] = []
    for event in events.iterator(chunk_size=1000):
        batch.append(event)
        if len(batch) == 1000:
            yield from _csv_batch(request, batch)
            batch = []
    yield from _csv_batch(request, batch)


def _csv_batch(request: AuthedRequest, batch: list[AuditEvent]) -> Iterable[list[object]]:
    if not batch:
        return []
    ids = {e.patient_id for e in batch if e.patient_id}
    names = patient_selectors.patient_names_for(actor=request.user, patient_ids=ids) if ids else {}
    return [
        [
            spreadsheet_cell(value)
            for value in (
                e.at.astimezone(UTC).isoformat(timespec="seconds"),  # machine data: UTC, with its offset
                e.actor_email,
                e.action,
                e.object_type,
                e.object_id,
                e.outcome,
                e.ip_address or "",
                str(e.patient_id or ""),
                names.get(e.patient_id or 0, ""),
            )
        ]
        for e in batch
    ]


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def patient_access_report(request: AuthedRequest, patient_id: int) -> HttpResponse:
    """Who saw or changed this patient's record, and when (HIPAA's accounting of disclosures)."""
    patient = patient_selectors.patient_get_for(actor=request.user, patient_id=patient_id)
    if not membership_for(actor=request.user).is_clinic_admin:
        raise PermissionDenied(ACCESS_REPORT_ONLY)
    events = audit_list_for(actor=request.user, patient_ids=[patient.pk]).select_related("actor")
    record_view(actor=request.user, obj=patient, what="access_report")
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(event, "") for event in page.object_list]
    return render(request, "accounts/access_report.html", {"patient": patient, "page": page, "rows": rows})
