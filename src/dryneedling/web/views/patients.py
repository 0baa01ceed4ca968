"""Patient and episode pages. Thin: parse the form, call a service or selector, render."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from dryneedling.accounts.audit import record_view
from dryneedling.accounts.permissions import CLINICAL, PATIENT_LINKS, SUPERBILL, allows
from dryneedling.clinical import soreness as soreness_rule
from dryneedling.followup.link_selectors import patient_link_rows_for
from dryneedling.followup.reports import pain_mcid_caption
from dryneedling.followup.selectors import checkin_schedule_for, outcome_instrument_choices, soreness_trends_for
from dryneedling.followup.services import checkin_links_issue
from dryneedling.followup.verdicts import outcome_verdicts_for
from dryneedling.intake.selectors import screening_list_for
from dryneedling.patients import selectors, services
from dryneedling.patients.models import Patient
from dryneedling.patients.services import PATIENT_FIELDS
from dryneedling.scheduling.selectors import appointments_of_patient_for
from dryneedling.treatment import selectors as treatment_selectors
from dryneedling.web.forms.patients import EpisodeForm, PatientForm, conditions_as_text
from dryneedling.web.paging import bounded_page, page_number
from dryneedling.web.views.shared import AuthedRequest, form_errors, redirect_next

PAGE_SIZE = 25
COUNT_CAP = 500  # the list says "more than 500 patients" rather than counting every match (issue 14)


@login_required
@require_GET
def patient_list(request: AuthedRequest) -> HttpResponse:
    query = request.GET.get("q", "")[:100]
    patients = selectors.patient_list_for(actor=request.user, query=query)
    number = page_number(request.GET.get("page"))
    page = bounded_page(patients, number=number, size=PAGE_SIZE, cap=COUNT_CAP)
    context = {"page": page, "query": query}
    template = "patients/_list_results.html" if request.htmx else "patients/list.html"
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def patient_create(request: AuthedRequest) -> HttpResponse:
    form = PatientForm(request.POST or None, creating=True)
    duplicates: list[Patient] = []
    if request.method == "POST" and form.is_valid():
        data = form.patient_fields()
        duplicates = selectors.patient_possible_duplicates_for(
            actor=request.user,
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
        )
        if not duplicates or form.cleaned_data["confirm_duplicate"]:
            try:
                patient = services.patient_create(actor=request.user, **data)
            except ValidationError as error:
                form_errors(form, error)
            else:
                return redirect("patient-detail", patient_id=patient.pk)
    context = {"form": form, "title": "New patient", "duplicates": duplicates}
    return render(request, "patients/form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def patient_edit(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = selectors.patient_get_for(actor=request.user, patient_id=patient_id)
    if request.method == "GET":
        record_view(actor=request.user, obj=patient, what="patient_form")
    initial = {field: getattr(patient, field) for field in PATIENT_FIELDS}
    form = PatientForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_update(actor=request.user, patient=patient, **form.patient_fields())
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect("patient-detail", patient_id=patient.pk)
    return render(request, "patients/form.html", {"form": form, "patient": patient, "title": "Edit patient"})


@login_required
@require_GET
def patient_detail(request: AuthedRequest, patient_id: int) -> HttpResponse:
    """Every role of the clinic opens the page; each section is read only by the roles that may read
    it (the selectors refuse the others), so front desk and clinic admins see the details without
    the clinical record instead of a refusal."""
    patient = services.patient_view(actor=request.user, patient_id=patient_id)
    actor = request.user
    context: dict[str, Any] = {
        "patient": patient,
        "episodes": selectors.episode_list_for(actor=actor, patient=patient),
        "consent": treatment_selectors.consent_current_for(actor=actor, patient=patient),
        "appointments": appointments_of_patient_for(actor=actor, patient=patient),
    }
    if allows(actor=actor, capability=CLINICAL):
        screenings = list(screening_list_for(actor=actor, patient=patient)[:10])
        context |= {
            "screening": screenings[0] if screenings else None,
            "screenings": screenings,
            "sessions": list(treatment_selectors.sessions_for_patient(actor=actor, patient=patient)[:20]),
            "instruments": outcome_instrument_choices(),
            "mcid_caption": pain_mcid_caption(),
            "verdicts": outcome_verdicts_for(actor=actor, patient=patient),
            "soreness_trends": soreness_trends_for(actor=actor, patient=patient)[:10],
            "soreness_source": soreness_rule.source_words(),
        }
    elif allows(actor=actor, capability=SUPERBILL):
        context["billable"] = list(treatment_selectors.signed_sessions_for(actor=actor, patient=patient)[:20])
    if allows(actor=actor, capability=PATIENT_LINKS):
        schedule = checkin_schedule_for(actor=actor, patient=patient)
        if any(not row.link for row in schedule):  # a new check-in: issue its link, then read again
            checkin_links_issue(actor=actor, patient=patient)
            schedule = checkin_schedule_for(actor=actor, patient=patient)
        context["checkins"] = schedule
        context["link_rows"] = patient_link_rows_for(
            actor=actor, patient=patient, schedule=schedule, consent=context["consent"]
        )
    return render(request, "patients/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def episode_create(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = selectors.patient_get_for(actor=request.user, patient_id=patient_id)
    initial = {"status": "active", "referral_source": "self", "start_date": timezone.localdate()}
    form = EpisodeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        conditions = data.pop("conditions")
        try:
            services.episode_create(actor=request.user, patient=patient, conditions=conditions, **data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect_next(request, reverse("patient-detail", args=[patient.pk]))
    return render(request, "patients/episode_form.html", {"form": form, "patient": patient, "title": "New episode"})


@login_required
@require_http_methods(["GET", "POST"])
def episode_edit(request: AuthedRequest, episode_id: int) -> HttpResponse:
    episode = selectors.episode_get_for(actor=request.user, episode_id=episode_id)
    if request.method == "GET":
        record_view(actor=request.user, obj=episode, what="episode_form")
    initial = {
        "reason": episode.reason,
        "conditions": conditions_as_text([(c.code, c.text) for c in episode.conditions.all()]),
        "referral_source": episode.referral_source,
        "start_date": episode.start_date,
        "end_date": episode.end_date,
        "status": episode.status,
    }
    form = EpisodeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        conditions = data.pop("conditions")
        try:
            services.episode_update(actor=request.user, episode=episode, conditions=conditions, **data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            return redirect("patient-detail", patient_id=episode.patient_id)
    context = {"form": form, "patient": episode.patient, "episode": episode, "title": "Edit episode"}
    return render(request, "patients/episode_form.html", context)
