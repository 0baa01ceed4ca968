"""The research export page (issue 12): what a clinic admin downloads and how it is de-identified."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpResponseBase
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
from dryneedling.reports.research.dictionary import INTRO
from dryneedling.reports.research.export import export_research_zip
from dryneedling.reports.research.tables import TABLES
from dryneedling.web.views.shared import AuthedRequest


@login_required
@require_http_methods(["GET", "POST"])
def research_export(request: AuthedRequest) -> HttpResponseBase:
    if request.method == "POST":
        archive, name = export_research_zip(actor=request.user)
        return FileResponse(archive, as_attachment=True, filename=name, content_type="application/zip")
    clinic = require(actor=request.user, capability=CLINIC_ADMINISTRATION).clinic
    return render(request, "reports/research_export.html", {"clinic": clinic, "tables": TABLES, "about": INTRO})
