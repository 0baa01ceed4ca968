"""Clinic safety records: clinician credentials, needle-stick and sharps incidents, safety settings."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dryneedling.accounts.audit import record_refusal, record_view
from dryneedling.accounts.selectors import membership_for
from dryneedling.safetyrecords import selectors
from dryneedling.safetyrecords.services import (
    clinic_safety_settings_update,
    clinician_profile_set,
    sharps_incident_close,
    sharps_incident_report,
    training_record_add,
    training_record_retire,
)
from dryneedling.web.forms.safetyrecords import (
    ClinicianProfileForm,
    CredentialsActionForm,
    SafetySettingsForm,
    SharpsIncidentCloseForm,
    SharpsIncidentForm,
    TrainingRecordForm,
    TrainingRecordRetireForm,
)
from dryneedling.web.views.shared import AuthedRequest, form_errors

PAGE_SIZE = 25
View = Callable[..., HttpResponse]


def refusal_in_words(view: View) -> View:
    """A refused role gets a 403 page that says why, not a bare 403."""

    @wraps(view)
    def wrapper(request: AuthedRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied as error:
            reason = str(error) or "Your role does not allow this."
            record_refusal(request=request, reason=reason)
            return render(request, "safety/refused.html", {"reason": reason}, status=403)

    return wrapper


# --- credentials -------------------------------------------------------------------------------


@login_required
@refusal_in_words
@require_GET
def credentials_index(request: AuthedRequest) -> HttpResponse:
    clinicians = selectors.clinicians_for(actor=request.user)
    if not membership_for(actor=request.user).is_clinic_admin:  # a clinician sees their own
        return redirect("credentials-detail", user_id=request.user.pk)
    rows = [
        (c, selectors.clinician_safety_facts(clinician=c), selectors.credential_problems_for(clinician=c))
        for c in clinicians
    ]
    jurisdiction = selectors.jurisdiction_label(membership_for(actor=request.user).clinic.jurisdiction)
    return render(request, "safety/credentials_list.html", {"rows": rows, "jurisdiction": jurisdiction})


@login_required
@refusal_in_words
@require_http_methods(["GET", "POST"])
def credentials_detail(request: AuthedRequest, user_id: int) -> HttpResponse:
    clinician = selectors.clinician_get_for(actor=request.user, user_id=user_id)
    profile = selectors.clinician_profile_for(clinician=clinician)
    profile_initial = (
        {f: getattr(profile, f) for f in ("profession", "licence_number", "credentials", "npi")} if profile else {}
    )
    sent = CredentialsActionForm(request.POST) if request.method == "POST" else None
    action = sent.cleaned_data["action"] if sent is not None and sent.is_valid() else ""
    profile_form = ClinicianProfileForm(request.POST if action == "profile" else None, initial=profile_initial)
    training_form = TrainingRecordForm(request.POST if action == "training" else None)
    if action == "profile" and profile_form.is_valid():
        try:
            clinician_profile_set(actor=request.user, clinician=clinician, **profile_form.cleaned_data)
        except ValidationError as error:
            form_errors(profile_form, error)
        else:
            messages.success(request, "Profession saved.")
            return redirect("credentials-detail", user_id=clinician.pk)
    if action == "training" and training_form.is_valid():
        try:
            training_record_add(actor=request.user, clinician=clinician, **training_form.cleaned_data)
        except ValidationError as error:
            form_errors(training_form, error)
        else:
            messages.success(request, "Training record added.")
            return redirect("credentials-detail", user_id=clinician.pk)
    if sent is not None and not action:
        messages.error(request, "Nothing was saved: send the profession form or the training form of this page.")
    facts = selectors.clinician_safety_facts(clinician=clinician)
    context = {
        "clinician": clinician,
        "own": clinician.pk == request.user.pk,
        "profile": profile,
        "facts": facts,
        "jurisdiction": selectors.jurisdiction_label(facts["jurisdiction"]),
        "problems": selectors.credential_problems_for(clinician=clinician),
        "records": selectors.training_records_for(clinician=clinician),
        "profile_form": profile_form,
        "training_form": training_form,
        "retire_form": TrainingRecordRetireForm(),
    }
    return render(request, "safety/credentials_detail.html", context, status=400 if sent and not action else 200)


@login_required
@refusal_in_words
@require_POST
def training_record_retire_view(request: AuthedRequest, record_id: int) -> HttpResponse:
    record = selectors.training_record_get_for(actor=request.user, record_id=record_id)
    form = TrainingRecordRetireForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Say why you retire this record.")
        training_record_retire(actor=request.user, record_id=record.pk, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Training record retired: it no longer counts towards the hours.")
    return redirect("credentials-detail", user_id=record.clinician_id)


# --- sharps incidents ----------------------------------------------------------------------------


@login_required
@refusal_in_words
@require_GET
def sharps_list(request: AuthedRequest) -> HttpResponse:
    incidents = selectors.sharps_incident_list_for(actor=request.user)
    page = Paginator(incidents, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "with_patients": selectors.shows_patient_names(actor=request.user)}
    return render(request, "safety/sharps_list.html", context)


@login_required
@refusal_in_words
@require_http_methods(["GET", "POST"])
def sharps_new(request: AuthedRequest) -> HttpResponse:
    with_patients = selectors.shows_patient_names(actor=request.user)
    staff = [(u.pk, u.full_name or u.email) for u in selectors.clinic_staff_for(actor=request.user)]
    initial: dict[str, Any] = {"staff_member": request.user.pk}
    session = None
    session_id = request.GET.get("session", "")
    if with_patients and session_id.isdigit():
        session = selectors.sharps_session_get_for(actor=request.user, session_id=int(session_id))
        initial |= {"session": session.pk, "person": "patient", "patient_mrn": session.patient.mrn, "staff_member": ""}
    form = SharpsIncidentForm(request.POST or None, initial=initial, staff=staff, with_patients=with_patients)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = sharps_incident_report(
                actor=request.user, **_incident_people(request, data), **_incident_facts(data)
            )
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Incident reported. It stays on the list until its follow-up is recorded.")
            return redirect("sharps-detail", incident_id=incident.pk)
    return render(request, "safety/sharps_form.html", {"form": form, "session": session})


def _incident_facts(data: dict[str, Any]) -> dict[str, Any]:
    keys = ("kind", "person", "occurred_at", "description", "immediate_action", "follow_up_required", "follow_up_notes")
    return {k: data[k] for k in keys}


def _incident_people(request: AuthedRequest, data: dict[str, Any]) -> dict[str, Any]:
    staff_member = None
    if data.get("staff_member"):
        staff_member = selectors.clinic_staff_for(actor=request.user).filter(pk=data["staff_member"]).first()
        if staff_member is None:
            raise ValidationError({"staff_member": "Choose a member of your clinic's staff."})
    patient = None
    if data.get("patient_mrn"):
        patient = selectors.patient_by_mrn_for(actor=request.user, mrn=data["patient_mrn"])
        if patient is None:
            raise ValidationError({"patient_mrn": "No patient of your clinic has this MRN."})
    session = None
    if data.get("session"):
        session = selectors.sharps_session_get_for(actor=request.user, session_id=data["session"])
    return {"staff_member": staff_member, "patient": patient, "session": session}


@login_required
@refusal_in_words
@require_http_methods(["GET", "POST"])
def sharps_detail(request: AuthedRequest, incident_id: int) -> HttpResponse:
    incident = selectors.sharps_incident_get_for(actor=request.user, incident_id=incident_id)
    with_patients = selectors.shows_patient_names(actor=request.user)
    form = SharpsIncidentCloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sharps_incident_close(actor=request.user, incident=incident, follow_up=form.cleaned_data["follow_up"])
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Incident closed with its follow-up.")
            return redirect("sharps-list")
    if with_patients and incident.patient_id:
        record_view(actor=request.user, obj=incident, what="sharps_incident")
    context = {"incident": incident, "form": form, "with_patients": with_patients, "may_close": with_patients}
    return render(request, "safety/sharps_detail.html", context)


# --- clinic safety settings ------------------------------------------------------------------------


@login_required
@refusal_in_words
@require_http_methods(["GET", "POST"])
def safety_settings(request: AuthedRequest) -> HttpResponse:
    membership = membership_for(actor=request.user)
    if not membership.is_clinic_admin:
        raise PermissionDenied("Only a clinic admin can change the clinic's safety settings.")
    clinic = membership.clinic
    initial = {"age_of_consent": clinic.age_of_consent, "jurisdiction": clinic.jurisdiction}
    form = SafetySettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            clinic_safety_settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Safety settings saved.")
            return redirect("safety-settings")
    return render(request, "safety/settings.html", {"form": form, "clinic": clinic})
