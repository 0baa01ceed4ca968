"""The clinic analytics dashboard (issue 12): outcomes by window, side effects, per-clinician
safety charts and check-in response rates, for clinicians and clinic admins. Counts and rates
only, no patient names; every view is audited with its filters and counts."""

from __future__ import annotations

import csv

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Membership
from dryneedling.clinical.text import spreadsheet_cell
from dryneedling.reports.analytics.dashboard import CHARTS, SECTION, SVG, analytics_clinic_for, clinicians_of, csv_rows
from dryneedling.reports.analytics.filters import Filters
from dryneedling.reports.analytics.safety import CUSUM_LIMIT
from dryneedling.reports.analytics.services import cusum_signals_notify
from dryneedling.reports.analytics.stored import dashboard_current, dashboard_recompute
from dryneedling.web.forms.analytics import AnalyticsFilterForm
from dryneedling.web.views.shared import AuthedRequest, computations_limited


def _filters(request: AuthedRequest, membership: Membership) -> tuple[AnalyticsFilterForm, Filters | None]:
    form = AnalyticsFilterForm(request.GET or None, clinicians=clinicians_of(membership=membership))
    if form.is_bound and not form.is_valid():
        return form, None
    data = form.cleaned_data if form.is_bound else {}
    return form, Filters(
        clinic=membership.clinic,
        condition=data.get("condition") or "",
        icd10=data.get("icd10") or "",
        region=data.get("region") or "",
        clinician_id=data.get("clinician"),
        date_from=data.get("date_from"),
        date_to=data.get("date_to"),
    )


@login_required
@computations_limited
@require_GET
def analytics(request: AuthedRequest) -> HttpResponse:
    membership = analytics_clinic_for(actor=request.user)
    form, filters = _filters(request, membership)
    if filters is None:  # a bad filter: the form with its errors, no figures
        audit_record(actor=request.user, action="analytics.view", object_type="analytics", outcome="failure",
                     detail={"errors": sorted(form.errors)})  # fmt: skip
        return render(request, "analytics/dashboard.html", {"form": form, "board": None}, status=400)
    board = dashboard_current(actor=request.user, filters=filters)
    if filters.whole_record:  # crossings are checked on whole charts only (see reports/analytics/services.py)
        cusum_signals_notify(clinic=membership.clinic, monitor=board.monitor)
    audit_record(actor=request.user, action="analytics.view", object_type="analytics",
                 detail={"filters": filters.as_detail(), "counts": board.counts()})  # fmt: skip
    query = request.GET.urlencode()
    context = {"form": form, "board": board, "query": query, "charts": CHARTS, "cusum_limit": CUSUM_LIMIT}
    return render(request, "analytics/dashboard.html", context)


@login_required
@computations_limited
@require_POST
def analytics_recompute(request: AuthedRequest) -> HttpResponse:
    """Recompute the figures of the filters in the query string, then show them."""
    membership = analytics_clinic_for(actor=request.user)
    query = request.GET.urlencode()
    _form, filters = _filters(request, membership)
    if filters is None:  # the page shows what is wrong with the filters
        return redirect(reverse("analytics") + f"?{query}")
    board = dashboard_recompute(actor=request.user, filters=filters)
    messages.success(request, f"Recomputed from the clinic's records in {board.seconds:.1f} s.")
    return redirect(reverse("analytics") + (f"?{query}" if query else ""))


def _chart_filters(request: AuthedRequest, chart: str) -> Filters:
    if chart not in CHARTS:
        raise Http404("No such chart.")
    membership = analytics_clinic_for(actor=request.user)
    _form, filters = _filters(request, membership)
    if filters is None:
        raise Http404("No chart for these filters: correct them on the dashboard.")
    return filters


# matplotlib writes style attributes; this image response alone allows them, and runs no script.
@csp_replace({"style-src": ["'unsafe-inline'"], "script-src": ["'none'"]})  # type: ignore[arg-type]
@login_required
@computations_limited
@require_GET
def analytics_chart(request: AuthedRequest, chart: str) -> HttpResponse:
    filters = _chart_filters(request, chart)
    figures = dashboard_current(actor=request.user, filters=filters, page=False).figures  # the page's numbers
    svg = SVG[chart](SECTION[chart](figures))
    audit_record(actor=request.user, action="analytics.chart.view", object_type="analytics", object_id=chart,
                 detail={"filters": filters.as_detail()})  # fmt: skip
    return HttpResponse(svg, content_type="image/svg+xml")


@login_required
@computations_limited
@require_GET
def analytics_csv(request: AuthedRequest, chart: str) -> HttpResponse:
    """The numbers behind one chart (a few rows: aggregates, never records), with the page's filters."""
    filters = _chart_filters(request, chart)
    rows = list(
        csv_rows(chart, SECTION[chart](dashboard_current(actor=request.user, filters=filters, page=False).figures))
    )
    audit_record(actor=request.user, action="analytics.export", object_type="analytics", object_id=chart,
                 detail={"filters": filters.as_detail(), "rows": len(rows) - 1})  # fmt: skip
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="analytics-{chart}.csv"'
    writer = csv.writer(response)
    for row in rows:
        writer.writerow([spreadsheet_cell(value, numeric_text_ok=True) for value in row])
    return response
