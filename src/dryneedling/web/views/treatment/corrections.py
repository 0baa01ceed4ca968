"""Correcting a charted finding or a recorded side effect before a signed note holds it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from dryneedling.accounts import zones
from dryneedling.accounts.audit import record_view
from dryneedling.care.adverse import adverse_event_correct
from dryneedling.treatment import selectors
from dryneedling.treatment.services.corrections import (
    FINDING_CORRECTABLE,
    adverse_event_correction_refusal,
    finding_correct,
    finding_correction_refusal,
)
from dryneedling.web.forms.treatment import AdverseEventCorrectionForm, FindingCorrectionForm, region_choices
from dryneedling.web.views.shared import AuthedRequest, form_errors

CorrectionForm = FindingCorrectionForm | AdverseEventCorrectionForm


def _correction(
    request: AuthedRequest,
    *,
    form: CorrectionForm,
    refusal: str,
    correct: Callable[[dict[str, Any], str], object],
    done: tuple[str, HttpResponse],
    context: dict[str, Any],
) -> HttpResponse:
    """The correction page: the form, or the refusal in words once a signed note holds the record
    (a refused POST answers 409). `done`: the message and the redirect after a saved correction."""
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            correct(form.changes(), form.cleaned_data["reason"])
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, done[0])
            return done[1]
    refused = bool(refusal) and request.method == "POST"
    context |= {"form": form, "refusal": refusal}
    return render(request, "treatment/correct.html", context, status=409 if refused else 200)


@login_required
@require_http_methods(["GET", "POST"])
def finding_correction(request: AuthedRequest, finding_id: int) -> HttpResponse:
    finding = selectors.finding_get_for(actor=request.user, finding_id=finding_id)
    if request.method == "GET":
        record_view(actor=request.user, obj=finding, what="finding")
    initial = {field: getattr(finding, field) for field in FINDING_CORRECTABLE}
    return _correction(
        request,
        form=FindingCorrectionForm(request.POST or None, initial=initial, region_choices=region_choices()),
        refusal=finding_correction_refusal(finding),
        correct=lambda changes, reason: finding_correct(
            actor=request.user, finding=finding, changes=changes, reason=reason
        ),
        done=(
            "Finding corrected. Draft notes follow unless you edited that part by hand.",
            redirect("episode-chart", episode_id=finding.episode_id),
        ),
        context={
            "what": "finding",
            "title": (
                f"{selectors.muscle_name(finding.muscle_id)} ({finding.side}), "
                f"{zones.local(finding.recorded_at):%Y-%m-%d}"
            ),
            "record": finding,
            "patient": finding.patient,
            "back": ("episode-chart", finding.episode_id, "Body chart"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def adverse_event_correction(request: AuthedRequest, event_id: int) -> HttpResponse:
    event = selectors.adverse_event_get_for(actor=request.user, event_id=event_id)
    if request.method == "GET":
        record_view(actor=request.user, obj=event, what="adverse_event")
    initial = {"kind": event.kind, "severity": event.severity, "onset": event.onset, "management": event.management}
    return _correction(
        request,
        form=AdverseEventCorrectionForm(request.POST or None, initial=initial | {"resolved": bool(event.resolved_at)}),
        refusal=adverse_event_correction_refusal(event),
        correct=lambda changes, reason: adverse_event_correct(
            actor=request.user, event=event, changes=changes, reason=reason
        ),
        done=("Side effect corrected.", redirect("session-detail", session_id=event.session_id)),
        context={
            "what": "side effect",
            "title": f"{selectors.side_effect_name(event.kind)}, {event.onset_at:%Y-%m-%d}",
            "record": event,
            "patient": event.patient,
            "back": ("session-detail", event.session_id, "Session"),
        },
    )
