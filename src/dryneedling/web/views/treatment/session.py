"""The needling session: start (gated), record point by point, side effects, complete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dryneedling.accounts import zones
from dryneedling.accounts.audit import record_view
from dryneedling.care.adverse import adverse_event_record
from dryneedling.care.session import (
    insertion_check,
    insertion_record,
    session_complete,
    session_gate_for,
    session_start,
)
from dryneedling.followup.selectors import side_effects_followed_up_open
from dryneedling.patients import selectors as patient_selectors
from dryneedling.treatment import selectors
from dryneedling.treatment.billing import payer_default_for
from dryneedling.treatment.models import Session
from dryneedling.treatment.services.safety_plan import InsertionPlan
from dryneedling.treatment.services.session import session_clean_technique_record
from dryneedling.web.forms.treatment import (
    AdverseEventForm,
    CleanTechniqueForm,
    CompleteForm,
    InsertionForm,
    SessionStartForm,
)
from dryneedling.web.views.shared import AuthedRequest, form_errors


@login_required
@require_http_methods(["GET", "POST"])
def session_new(request: AuthedRequest, episode_id: int) -> HttpResponse:
    episode = patient_selectors.episode_get_for(actor=request.user, episode_id=episode_id)
    gate = session_gate_for(actor=request.user, episode=episode)
    initial = {"payer": payer_default_for(episode.patient)}  # from the patient's insurance
    form = SessionStartForm(request.POST or None, initial=initial, precautions=gate.precautions)
    if request.method == "POST" and form.is_valid():
        try:
            session = session_start(
                actor=request.user,
                episode=episode,
                checklist=form.checklist(),
                payer=form.cleaned_data["payer"],
                chronic_low_back_pain=form.cleaned_data["chronic_low_back_pain"],
                acknowledgements=form.acknowledgements(),
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect("session-detail", session_id=session.pk)
    context = {
        "episode": episode,
        "patient": episode.patient,
        "readiness": gate,
        "form": form,
        "credentials_missing": bool(gate.credential_problems),
    }
    return render(request, "treatment/session_new.html", context)


def _plan(form: InsertionForm) -> InsertionPlan:
    data, electrical = form.cleaned_data, form.electrical()
    return InsertionPlan(
        muscle_id=data["muscle_id"],
        side=data["side"],
        technique=data["technique"],
        needle_diameter_mm=data["needle_diameter_mm"],
        needle_length_mm=data["needle_length_mm"],
        handling=data.get("handling") or None,
        target_depth_mm=data.get("target_depth_mm"),
        distance_from_midline_cm=data.get("distance_from_midline_cm"),
        finding_id=data.get("finding_id"),
        electrical=electrical,
        paired_with_id=data.get("paired_with") if electrical else None,
    )


def _insertion_form(request: AuthedRequest, session: Session, data: Any = None) -> InsertionForm:
    findings = selectors.findings_for_episode(actor=request.user, episode=session.episode)
    choices: list[tuple[int | str, str]] = [
        (
            f.pk,
            f"{selectors.muscle_name(f.muscle_id)} ({f.side}), {f.get_status_display().lower()}, "
            f"{zones.local(f.recorded_at):%Y-%m-%d}",
        )
        for f in findings[:50]
    ]
    initial = {
        "version": session.version,
        "planned_seconds": session.clinic.default_point_seconds,
        "needle_diameter_mm": "0.25",
        "needle_length_mm": 30,
        "twitch_count": 0,
    }
    pairs: list[tuple[int | str, str]] = [
        (i.pk, f"Point {n}: {selectors.muscle_name(i.muscle_id)} ({i.side})")
        for n, i in enumerate(session.insertions.all(), start=1)
        if i.technique == "electrical"
    ]
    return InsertionForm(data, initial=initial, finding_choices=choices, pair_choices=pairs)


def _workspace(
    request: AuthedRequest,
    session: Session,
    *,
    form: InsertionForm | None = None,
    ae_form: AdverseEventForm | None = None,
    clean_form: CleanTechniqueForm | None = None,
    complete_form: CompleteForm | None = None,
    guardrails: list | None = None,  # type: ignore[type-arg]
    status: int = 200,
) -> HttpResponse:
    context = {
        "session": session,
        "patient": session.patient,
        "insertions": list(session.insertions.all()),
        "totals": selectors.session_totals(session=session),
        "events": selectors.adverse_events_for_session(actor=request.user, session=session),
        "followup_open": side_effects_followed_up_open(actor=request.user, session_id=session.pk),
        "form": form or _insertion_form(request, session),
        "ae_form": ae_form or AdverseEventForm(),
        "clean_form": clean_form or CleanTechniqueForm(initial={"version": session.version}),
        "complete_form": complete_form
        or CompleteForm(initial={"version": session.version, "needles_used": None, "needles_removed": None}),
        "guardrails": guardrails,
        "muscle_name": selectors.muscle_name,
    }
    template = "treatment/_workspace.html" if request.htmx else "treatment/session.html"
    return render(request, template, context, status=status)


@login_required
@require_GET
def session_detail(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get_for(actor=request.user, session_id=session_id)
    record_view(actor=request.user, obj=session, what="session")
    return _workspace(request, session)


@login_required
@require_POST
def insertion_guardrails(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get_for(actor=request.user, session_id=session_id)
    form = _insertion_form(request, session, request.POST)
    form.is_valid()
    guardrails: list[dict[str, Any]] | None = None
    needed = ("muscle_id", "side", "technique", "needle_diameter_mm", "needle_length_mm")
    if all(field in form.cleaned_data for field in needed):
        try:
            guardrails = insertion_check(actor=request.user, session=session, plan=_plan(form))
        except ValidationError as error:
            return render(request, "treatment/_guardrails.html", {"error": " ".join(error.messages)})
    return render(request, "treatment/_guardrails.html", {"guardrails": guardrails, "checked": guardrails is not None})


@login_required
@require_POST
def insertion_add(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get_for(actor=request.user, session_id=session_id)
    form = _insertion_form(request, session, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            insertion_record(
                actor=request.user,
                session=session,
                expected_version=data["version"],
                plan=_plan(form),
                planned_seconds=data["planned_seconds"],
                actual_seconds=data["actual_seconds"],
                twitch_count=data["twitch_count"],
                patient_response=data["patient_response"],
                override_reason=data["override_reason"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            session.refresh_from_db()
            messages.success(request, "Point saved.")
            return _workspace(request, session)
    session.refresh_from_db()
    return _workspace(request, session, form=form)


@login_required
@require_POST
def adverse_event_add(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get_for(actor=request.user, session_id=session_id)
    form = AdverseEventForm(request.POST)
    if form.is_valid():
        try:
            adverse_event_record(actor=request.user, session=session, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Side effect recorded.")
            return _workspace(request, session)
    return _workspace(request, session, ae_form=form)


@login_required
@require_POST
def session_clean_technique(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get_for(actor=request.user, session_id=session_id)
    form = CleanTechniqueForm(request.POST)
    if form.is_valid():
        try:
            session_clean_technique_record(
                actor=request.user,
                session=session,
                expected_version=form.cleaned_data["version"],
                ticked=form.cleaned_data["ticked"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            session.refresh_from_db()
            messages.success(request, "Clean-technique checklist done.")
            return _workspace(request, session)
    return _workspace(request, session, clean_form=form)


@login_required
@require_POST
def session_finish(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get_for(actor=request.user, session_id=session_id)
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            session_complete(
                actor=request.user,
                session=session,
                expected_version=form.cleaned_data["version"],
                needles_used=form.cleaned_data["needles_used"],
                needles_removed=form.cleaned_data["needles_removed"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect("note-detail", session_id=session.pk)
    session.refresh_from_db()
    return _workspace(request, session, complete_form=form)
