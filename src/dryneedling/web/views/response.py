"""What predicts response (issue 12): the page, each chart as SVG and the numbers behind it as CSV.
Clinic admins and clinicians (ANALYTICS); counts only in the audit trail, no patient names anywhere."""

from __future__ import annotations

import csv
import io

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from dryneedling.accounts.audit import audit_record
from dryneedling.clinical.text import spreadsheet_cell
from dryneedling.reports.response import CHARTS, chart_svg, tables
from dryneedling.reports.response.stored import response_figures_current, response_figures_recompute
from dryneedling.web.views.shared import AuthedRequest, computations_limited


def _known(chart: str) -> str:
    if chart not in CHARTS:
        raise Http404("No such chart.")
    return chart


@login_required
@computations_limited
@require_GET
def response_page(request: AuthedRequest) -> HttpResponse:
    stored = response_figures_current(actor=request.user)
    figures = stored.figures
    shown = tables(figures)
    audit_record(
        actor=request.user,
        action="analytics.response.view",
        object_type="analytics",
        object_id="response",
        detail={"episodes": figures.treated, "judged": figures.judged, "modelled": figures.modelled},
    )
    context = {"figures": figures, "stored": stored, "charts": [shown[name] for name in CHARTS], "model": figures.model}
    return render(request, "analytics_response/page.html", context)


@login_required
@computations_limited
@require_POST
def response_recompute(request: AuthedRequest) -> HttpResponse:
    stored = response_figures_recompute(actor=request.user)
    messages.success(request, f"Recomputed from the clinic's records in {stored.seconds:.1f} s.")
    return redirect("analytics-response")


# matplotlib writes style attributes; this image response alone allows them, and runs no script.
@csp_replace({"style-src": ["'unsafe-inline'"], "script-src": ["'none'"]})  # type: ignore[arg-type]
@login_required
@computations_limited
@require_GET
def response_svg(request: AuthedRequest, response_chart: str) -> HttpResponse:
    chart = _known(response_chart)
    figures = response_figures_current(actor=request.user).figures  # the figures the page shows
    return HttpResponse(chart_svg(figures=figures, chart=chart), content_type="image/svg+xml")


csv_cell = spreadsheet_cell  # the response tables' cells: numbers stay numbers, text cannot run


@login_required
@computations_limited
@require_GET
def response_csv(request: AuthedRequest, response_chart: str) -> HttpResponse:
    chart = _known(response_chart)
    table = tables(response_figures_current(actor=request.user).figures)[chart]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(table.header)
    writer.writerows([csv_cell(v) for v in row] for row in table.rows)
    audit_record(
        actor=request.user,
        action="analytics.response.export",
        object_type="analytics",
        object_id=chart,
        detail={"chart": chart, "rows": len(table.rows)},
    )
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="what-predicts-response-{chart}.csv"'
    return response
