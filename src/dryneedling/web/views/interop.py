"""The CSV import pages (issue 13): upload -> preview (nothing written) -> Import -> result.
Clinic admins only (the services check it and say so in words); views parse, call and render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
from dryneedling.interop.csv_import import (
    STATUS_LABELS,
    CsvRefused,
    csv_upload_get,
    csv_upload_import,
    csv_upload_preview,
    csv_upload_store,
)
from dryneedling.interop.csv_import.service import REFUSAL
from dryneedling.web.forms.interop import CsvPreviewForm, CsvUploadForm
from dryneedling.web.views.shared import AuthedRequest, form_errors

UPLOAD_FIRST = "Upload the file first: the preview shows an uploaded file."


@login_required
@require_http_methods(["GET", "POST"])
def csv_import(request: AuthedRequest) -> HttpResponse:
    clinic = require(actor=request.user, capability=CLINIC_ADMINISTRATION, reason=REFUSAL).clinic
    form = CsvUploadForm(request.POST or None, request.FILES or None, initial={"kind": "patients"})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            upload = csv_upload_store(actor=request.user, data=data["file"], filename=form.filename, kind=data["kind"])
        except ValidationError as error:
            form_errors(form, error)
        else:
            query = {"upload": upload.pk, "sha": upload.sha256, "source": data["source"] or "auto"}
            query |= {"date_order": data["date_order"]} if data["date_order"] else {}
            return redirect(f"{reverse('csv-import-preview')}?{urlencode(query)}")
    return render(request, "interop/csv_import.html", {"form": form, "clinic": clinic})


@login_required
@require_http_methods(["GET", "POST"])
def csv_import_preview(request: AuthedRequest) -> HttpResponse:
    """GET: the preview of an upload; POST: its import (the Import button)."""
    require(actor=request.user, capability=CLINIC_ADMINISTRATION, reason=REFUSAL)
    form = CsvPreviewForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        messages.error(request, UPLOAD_FIRST)
        return redirect("csv-import")
    try:
        upload = csv_upload_get(
            actor=request.user, upload_id=form.cleaned_data["upload"], sha256=form.cleaned_data["sha"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("csv-import")
    context = {"upload": upload, "form": form, "status_labels": STATUS_LABELS}
    try:
        if request.method == "POST":
            report = csv_upload_import(actor=request.user, upload=upload, **form.options())
        else:
            report = csv_upload_preview(actor=request.user, upload=upload, **form.options())
    except CsvRefused as refused:
        return render(request, "interop/csv_preview.html", context | {"refusal": str(refused)})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("csv-import")
    if report.committed:
        return render(request, "interop/csv_result.html", context | {"report": report})
    shown = report.shown_rows
    columns = list(dict.fromkeys(key for row in shown for key in row.shown))
    table = [(row, [row.shown.get(key, "") for key in columns]) for row in shown]
    context |= {"report": report, "columns": columns, "table": table, "tried": request.method == "POST"}
    return render(request, "interop/csv_preview.html", context)
