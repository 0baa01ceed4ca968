"""The needling session: start (gated), record point by point, side effects, complete."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import prefetch_related_objects
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
from dryneedling.clinical import soreness as soreness_rule
from dryneedling.followup.selectors import side_effects_followed_up_open, soreness_trends_for
from dryneedling.patients import selectors as patient_selectors
from dryneedling.treatment import selectors
from dryneedling.treatment.billing import payer_default_for
from dryneedling.treatment.models import Insertion, Session
from dryneedling.treatment.services.safety_plan import ELECTRICAL_FIELDS, InsertionPlan
from dryneedling.treatment.services.session import session_clean_technique_record
from dryneedling.web.forms.treatment import (
    AdverseEventForm,
    CleanTechniqueForm,
    CompleteForm,
    InsertionForm,
    SessionStartForm,
    needle_defaults,
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
                abn=form.abn(),
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


# ---- the point form (issue 10): its defaults, the findings it offers, the guardrails shown with it ----

FINDINGS_OFFERED = 50
NEEDED_TO_CHECK = ("technique", "needle_diameter_mm", "needle_length_mm")


def _plan(form: InsertionForm) -> InsertionPlan:
    data, electrical = form.cleaned_data, form.electrical()
    return InsertionPlan(
        muscle_id=data.get("muscle_id") or "",
        side=data.get("side") or "",
        technique=data["technique"],
        needle_diameter_mm=data["needle_diameter_mm"],
        needle_length_mm=data["needle_length_mm"],
        handling=data.get("handling") or None,
        target_depth_mm=data.get("target_depth_mm"),
        distance_from_midline_cm=data.get("distance_from_midline_cm"),
        finding_id=data.get("finding_id"),
        electrical=electrical,
        paired_with_id=data.get("paired_with") if electrical else None,
        anatomical_muscle=data.get("anatomical_muscle") or "",
    )


def _defaults(session: Session, last: Insertion | None) -> dict[str, Any]:
    """The clinic's planned seconds; the needle, technique, handling, electrical settings, twitch
    count, muscle and side of the session's last point (nothing assumed before the first)."""
    initial: dict[str, Any] = {
        "version": session.version,
        "planned_seconds": session.clinic.default_point_seconds,
        "needle_diameter_mm": "0.25",
        "needle_length_mm": 30,
        "twitch_count": 0,
    }
    if last is None:
        return initial
    initial |= {
        "muscle_id": last.muscle_id,
        "side": last.side,
        "technique": last.technique,
        "handling": last.handling,
        "needle_diameter_mm": f"{last.needle_diameter_mm:.2f}",
        "needle_length_mm": last.needle_length_mm,
        "twitch_count": last.twitch_count,
    }
    if last.electrical:
        initial |= {key: last.electrical.get(key) for key in ELECTRICAL_FIELDS}
    return initial


def _insertion_form(
    request: AuthedRequest, session: Session, data: Any = None
) -> tuple[InsertionForm, dict[str, dict[str, str]]]:
    """The point form and, by finding id, the muscle and side each offered finding fills in. The
    findings are read once per request (a point saved renders the form again; it adds no finding)."""
    offered = getattr(request, "_findings_offered", None)
    if offered is None or offered[0] != session.pk:
        found = list(selectors.findings_for_episode(actor=request.user, episode=session.episode)[:FINDINGS_OFFERED])
        offered = (session.pk, found)
        setattr(request, "_findings_offered", offered)  # noqa: B010  # not an attribute AuthedRequest declares
    findings = offered[1]
    choices: list[tuple[int | str, str]] = [
        (
            f.pk,
            f"{selectors.muscle_name(f.muscle_id)} ({f.side}), {f.get_status_display().lower()}, "
            f"{zones.local(f.recorded_at):%Y-%m-%d}",
        )
        for f in findings
    ]
    insertions = list(session.insertions.all())
    pairs: list[tuple[int | str, str]] = [
        (i.pk, f"Point {n}: {selectors.muscle_name(i.muscle_id)} ({i.side})")
        for n, i in enumerate(insertions, start=1)
        if i.technique == "electrical"
    ]
    initial = _defaults(session, insertions[-1] if insertions else None)
    form = InsertionForm(data, initial=initial, finding_choices=choices, pair_choices=pairs)
    filled = {str(f.pk): {"muscle_id": f.muscle_id, "side": f.side} for f in findings}
    return form, filled


def _needle_fills(last: Insertion | None) -> dict[str, Any]:
    """What the point form's script needs to offer a needle when the muscle changes: each muscle's
    typical needle (knowledge base) and the session's last needle."""
    previous = None
    if last is not None:
        previous = {
            "needle_length_mm": last.needle_length_mm,
            "needle_diameter_mm": f"{last.needle_diameter_mm:.2f}",
        }
    return {"muscles": needle_defaults(), "last": previous}


def _guardrails_for(
    request: AuthedRequest, session: Session, form: InsertionForm
) -> tuple[list[dict[str, Any]] | None, str]:
    """The guardrails of the point as entered so far (None when too little is entered to check),
    each warning with the reason already given for its rule in this session; or the error."""
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    if not all(field in data for field in NEEDED_TO_CHECK) or not (data.get("muscle_id") or data.get("finding_id")):
        return None, ""
    try:
        guardrails = insertion_check(actor=request.user, session=session, plan=_plan(form))
    except ValidationError as error:
        return None, " ".join(error.messages)
    earlier = selectors.warning_reasons_for_session(session=session)
    for guardrail in guardrails:
        if guardrail["level"] == "warn" and guardrail["rule_id"] in earlier:
            guardrail["earlier_reason"] = earlier[guardrail["rule_id"]]
    return guardrails, ""


def _workspace(
    request: AuthedRequest,
    session: Session,
    *,
    form: InsertionForm | None = None,
    ae_form: AdverseEventForm | None = None,
    clean_form: CleanTechniqueForm | None = None,
    complete_form: CompleteForm | None = None,
    guardrails: list | None = None,  # type: ignore[type-arg]
    guardrail_error: str = "",
    status: int = 200,
) -> HttpResponse:
    prefetch_related_objects([session], "insertions")  # the form, the list and the totals read them once
    point_form, finding_fills = _insertion_form(request, session)
    insertions = list(session.insertions.all())
    context = {
        "session": session,
        "patient": session.patient,
        "insertions": insertions,
        "totals": selectors.session_totals(session=session),
        "events": selectors.adverse_events_for_session(actor=request.user, session=session),
        "followup_open": side_effects_followed_up_open(actor=request.user, session_id=session.pk),
        "note_signed": selectors.session_note_signed(session=session),
        "form": form or point_form,
        "finding_fills": finding_fills,
        "needle_fills": _needle_fills(insertions[-1] if insertions else None),
        "ae_form": ae_form or AdverseEventForm(),
        "clean_form": clean_form or CleanTechniqueForm(initial={"version": session.version}),
        "complete_form": complete_form
        or CompleteForm(initial={"version": session.version, "needles_used": None, "needles_removed": None}),
        "guardrails": guardrails,
        "guardrails_checked": guardrails is not None,
        "guardrail_error": guardrail_error,
        "muscle_name": selectors.muscle_name,
    }
    if session.status == Session.Status.COMPLETED:  # the soreness readings after it (issue 11)
        context["soreness_trends"] = soreness_trends_for(
            actor=request.user, patient=session.patient, session_ids=[session.pk]
        )
        context["soreness_source"] = soreness_rule.source_words()
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
    form, _ = _insertion_form(request, session, request.POST)
    form.is_valid()
    guardrails, error = _guardrails_for(request, session, form)
    context = {"guardrails": guardrails, "checked": guardrails is not None, "error": error}
    return render(request, "treatment/_guardrails.html", context)


@login_required
@require_POST
def insertion_add(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = selectors.session_get_for(actor=request.user, session_id=session_id)
    form, _ = _insertion_form(request, session, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            point = insertion_record(
                actor=request.user,
                session=session,
                expected_version=data["version"],
                plan=_plan(form),
                planned_seconds=data["planned_seconds"],
                actual_seconds=data["actual_seconds"],
                twitch_count=data["twitch_count"],
                patient_response=data["patient_response"],
                override_reason=data["override_reason"],
                client_key=data["client_key"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            # A retry of a point saved before answers as the first time (issue 14). The session the
            # service locked and updated comes back with the point: no second read.
            messages.success(request, "Point saved.")
            return _workspace(request, point.session)
    session.refresh_from_db()
    # The warnings stay in view with the form and its errors.
    guardrails, guardrail_error = _guardrails_for(request, session, form)
    return _workspace(request, session, form=form, guardrails=guardrails, guardrail_error=guardrail_error)


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
                soreness_now=form.cleaned_data["soreness_now"],
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect("note-detail", session_id=session.pk)
    session.refresh_from_db()
    return _workspace(request, session, complete_form=form)
