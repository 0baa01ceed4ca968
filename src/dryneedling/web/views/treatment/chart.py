"""The episode's body chart: trigger-point findings with history, and pain drawings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dryneedling.accounts import zones
from dryneedling.accounts.audit import record_view
from dryneedling.clinical import bodychart
from dryneedling.clinical.chart import propose_muscles
from dryneedling.patients import selectors as patient_selectors
from dryneedling.patients.limits import CHART_FINDINGS_PAGE
from dryneedling.patients.models import Episode
from dryneedling.treatment import selectors
from dryneedling.treatment.services.chart import (
    CONSENT_CLINICIAN_ONLY,
    clinician_check,
    consent_record,
    finding_create,
    pain_drawing_record,
)
from dryneedling.treatment.services.common import require_clinician
from dryneedling.web.forms.treatment import ConsentForm, FindingForm, PainDrawingForm, region_choices
from dryneedling.web.views.shared import AuthedRequest, form_errors, redirect_next


def _charts(findings: list, *, prefix: str, pain: dict[str, int] | None = None) -> list[tuple[str, SafeString]]:  # type: ignore[type-arg]
    charts: list[tuple[str, SafeString]] = []
    for view in bodychart.VIEWS:
        points = [
            {
                "x": f.x,
                "y": f.y,
                "class": f"finding finding-{f.status}" + (" finding-old" if i >= 12 else ""),
                "label": f"{selectors.muscle_name(f.muscle_id)} ({f.side}), {f.get_status_display().lower()}, "
                f"tenderness {f.tenderness}/10, {zones.local(f.recorded_at):%Y-%m-%d}",
                "data": {"finding": f.pk},
            }
            for i, f in enumerate(findings)
            if f.view == view
        ]
        highlight = {}
        if pain:
            view_ids = {r.id for r in bodychart.regions(view)}
            highlight = {rid: "pain" for rid in pain if rid in view_ids}
        svg = bodychart.render_svg(
            view=view,
            points=points,
            highlight_regions=highlight,
            id_prefix=prefix,
            title=f"{view.capitalize()} body chart",
        )
        charts.append((view, mark_safe(svg)))  # noqa: S308 - rendered by the clinical core, values escaped
    return charts


def _chart_context(
    request: AuthedRequest,
    episode: Episode,
    finding_form: FindingForm | None = None,
    pain_form: PainDrawingForm | None = None,
) -> dict:  # type: ignore[type-arg]
    # A page of findings, newest first: the chart draws and the table lists the same page.
    page = Paginator(selectors.findings_for_episode(actor=request.user, episode=episode), CHART_FINDINGS_PAGE)
    findings_page = page.get_page(request.GET.get("page"))
    findings = list(findings_page.object_list)
    drawings = list(selectors.pain_drawings_for_episode(actor=request.user, episode=episode)[:10])
    latest_pain = drawings[0].regions if drawings else {}
    return {
        "episode": episode,
        "patient": episode.patient,
        "findings": findings,
        "findings_page": findings_page,
        "drawings": drawings,
        "finding_charts": _charts(findings, prefix="f-"),
        "pain_charts": _charts([], prefix="p-", pain=latest_pain),
        "finding_form": finding_form or FindingForm(region_choices=region_choices()),
        "pain_form": pain_form or PainDrawingForm(initial={"pain_regions": "{}"}),
        "intensities": range(1, 11),
    }


@login_required
@require_GET
def episode_chart(request: AuthedRequest, episode_id: int) -> HttpResponse:
    require_clinician(request.user)  # the clinical record: refused in words before anything is read
    episode = patient_selectors.episode_get_for(actor=request.user, episode_id=episode_id)
    record_view(actor=request.user, obj=episode, what="chart")
    return render(request, "treatment/chart.html", _chart_context(request, episode))


@login_required
@require_GET
def chart_propose(request: AuthedRequest, episode_id: int) -> HttpResponse:
    require_clinician(request.user)  # the clinical record: refused in words before anything is read
    patient_selectors.episode_get_for(actor=request.user, episode_id=episode_id)
    view = request.GET.get("view", "")
    try:
        x, y = float(request.GET.get("x", "")), float(request.GET.get("y", ""))
    except ValueError:
        return HttpResponse("Place the point on the chart.", status=400)
    if view not in bodychart.VIEWS:
        return HttpResponse("Unknown chart view.", status=400)
    try:
        proposals = propose_muscles(view=view, x=x, y=y, limit=6)
    except ValueError as error:
        return HttpResponse(str(error), status=400)
    region_id = bodychart.region_at(view, x, y)
    region = bodychart.region(region_id).label if region_id else None
    return render(request, "treatment/_proposals.html", {"proposals": proposals, "region": region})


@login_required
@require_POST
def finding_add(request: AuthedRequest, episode_id: int) -> HttpResponse:
    require_clinician(request.user)  # the clinical record: refused in words before anything is read
    episode = patient_selectors.episode_get_for(actor=request.user, episode_id=episode_id)
    form = FindingForm(request.POST, region_choices=region_choices())
    if form.is_valid():
        try:
            finding_create(actor=request.user, episode=episode, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Finding recorded.")
            return redirect("episode-chart", episode_id=episode.pk)
    return render(request, "treatment/chart.html", _chart_context(request, episode, finding_form=form), status=200)


@login_required
@require_POST
def pain_drawing_add(request: AuthedRequest, episode_id: int) -> HttpResponse:
    require_clinician(request.user)  # the clinical record: refused in words before anything is read
    episode = patient_selectors.episode_get_for(actor=request.user, episode_id=episode_id)
    form = PainDrawingForm(request.POST)
    if form.is_valid():
        try:
            pain_drawing_record(
                actor=request.user,
                episode=episode,
                regions=form.cleaned_data["pain_regions"],
                nprs=form.cleaned_data["nprs"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Pain drawing recorded.")
            return redirect("episode-chart", episode_id=episode.pk)
    return render(request, "treatment/chart.html", _chart_context(request, episode, pain_form=form))


@login_required
@require_http_methods(["GET", "POST"])
def consent_add(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = patient_selectors.patient_get_for(actor=request.user, patient_id=patient_id)
    clinician_check(actor=request.user, reason=CONSENT_CLINICIAN_ONLY)  # no form for a role that cannot send it
    form = ConsentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            consent_record(
                actor=request.user,
                patient=patient,
                signed_name=form.cleaned_data["signed_name"],
                optional_items=form.optional_items(),
                signer=form.cleaned_data["signer"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Consent recorded.")
            return redirect_next(request, reverse("patient-detail", args=[patient.pk]))
    return render(request, "treatment/consent.html", {"form": form, "patient": patient})
