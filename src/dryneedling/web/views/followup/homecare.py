"""Home-care plans (clinician edit, patient page and PDF), consent by link, patient education."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dryneedling.accounts import zones
from dryneedling.accounts.audit import audit_record, record_view
from dryneedling.accounts.models import Clinic
from dryneedling.accounts.selectors import clinic_logo_digest
from dryneedling.clinical.education import CONSENT_VERSION, consent_items, education_page
from dryneedling.clinical.homecare import DEFAULT_MAX_ITEMS, patient_citations
from dryneedling.clinical.homecare_rank import CAP_SOURCE
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.followup import links, selectors
from dryneedling.followup.consent import consent_link_for, consent_sign
from dryneedling.followup.homecare import (
    home_care_link,
    home_care_more,
    home_care_plan_create,
    home_care_plan_update,
)
from dryneedling.followup.links import LinkError
from dryneedling.patients import selectors as patient_selectors
from dryneedling.treatment.pdf import render_pdf
from dryneedling.treatment.selectors import fee_schedule_for
from dryneedling.treatment.services.common import require_clinician
from dryneedling.web.forms.followup import HomeCarePlanForm, PublicConsentForm
from dryneedling.web.views.shared import AuthedRequest, link_error, rate_limited


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: AuthedRequest, episode_id: int) -> HttpResponse:
    require_clinician(request.user)  # the clinical record: refused in words before anything is read
    episode = patient_selectors.episode_get_for(actor=request.user, episode_id=episode_id)
    if request.method == "GET":
        record_view(actor=request.user, obj=episode, what="home_care_editor")
    record = selectors.home_care_plan_for(actor=request.user, episode=episode)
    if request.method == "POST":
        try:
            if record is None:
                record = home_care_plan_create(actor=request.user, episode=episode)
                messages.success(request, "Plan generated from the muscles needled and the condition. Edit it below.")
            else:
                form = HomeCarePlanForm(request.POST, plan=record.plan)
                if not form.is_valid():
                    raise ValidationError([str(m) for errors in form.errors.values() for m in errors])
                home_care_plan_update(
                    actor=request.user,
                    record=record,
                    edits=form.edits(),
                    expected_version=form.cleaned_data["version"],
                    note=form.cleaned_data["note"],
                    add=[form.cleaned_data["add"]] if form.cleaned_data["add"] else [],
                )
                messages.success(
                    request, "Suggestion added to the plan." if form.cleaned_data["add"] else "Plan saved."
                )
        except (ValueError, ValidationError) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("home-care-plan", episode_id=episode.pk)
    context = {
        "episode": episode,
        "patient": episode.patient,
        "record": record,
        "link": home_care_link(record, actor=request.user) if record else None,
        "more": home_care_more(episode=episode, plan=record.plan) if record else [],
        "max_items": DEFAULT_MAX_ITEMS,
        "cap_source": CAP_SOURCE,
    }
    return render(request, "followup/plan_edit.html", context)


def _public_plan_context(token: str) -> dict:  # type: ignore[type-arg]
    link = links.resolve(token, purpose=links.Purpose.HOMECARE)
    record = link.home_care_plan
    if record is None:  # the table's constraint forbids it
        raise LinkError("invalid")
    zones.activate(link.clinic)  # the patient's page shows its clinic's times
    audit_record(
        actor=None, action="home_care_plan.view", clinic=record.clinic, obj=record, detail={"via": "patient link"}
    )
    citations = patient_citations(record.plan["sources"])
    return {"record": record, "plan": record.plan, "clinic": link.clinic, "token": token, "citations": citations}


@never_cache
@require_GET
@rate_limited("public-link")
def public_plan(request: HttpRequest, token: str) -> HttpResponse:
    try:
        context = _public_plan_context(token)
    except LinkError as error:
        return link_error(request, error.reason)
    return render(request, "public/home_care.html", context)


@never_cache
@require_GET
@rate_limited("public-link")
def public_plan_pdf(request: HttpRequest, token: str) -> HttpResponse:
    try:
        context = _public_plan_context(token)
    except LinkError as error:
        return link_error(request, error.reason)
    pdf = render_pdf("public/home_care_pdf.html", context, clinic_id=context["clinic"].pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="home-care-plan.pdf"'
    return response


@login_required
@require_POST
def consent_link(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = patient_selectors.patient_get_for(actor=request.user, patient_id=patient_id)
    link = consent_link_for(actor=request.user, patient=patient)
    messages.success(request, f"Consent link for the patient (valid 7 days, version {CONSENT_VERSION}): {link}")
    return redirect("patient-detail", patient_id=patient.pk)


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("public-link")
def public_consent(request: HttpRequest, token: str) -> HttpResponse:
    try:
        link = links.resolve(token, purpose=links.Purpose.CONSENT)
    except LinkError as error:
        return link_error(request, error.reason)
    patient = link.patient
    if patient is None:  # the table's constraint forbids it
        return link_error(request, "invalid")
    zones.activate(link.clinic)
    error_message = ""
    form = PublicConsentForm(request.POST or None)
    if request.method == "POST":
        try:
            if not form.is_valid():
                raise ValidationError(sorted({str(m) for errors in form.errors.values() for m in errors}))
            consent_sign(
                token=token,
                signed_name=form.cleaned_data["signed_name"],
                agreed=form.cleaned_data["items"],
                signature_svg=form.cleaned_data["signature"],
                signer=form.cleaned_data["signer"] or "patient",
            )
        except LinkError as error:
            return link_error(request, error.reason)
        except ValidationError as error:
            error_message = " ".join(error.messages)
        else:
            return render(request, "public/consent_done.html", {"clinic": link.clinic})
    context = {
        "clinic": link.clinic,
        "items": consent_items(),
        "version": CONSENT_VERSION,
        "page": _education(link.clinic),
        "error": error_message,
        "has_substitute": bool(patient.decision_maker_name),
    }
    return render(request, "public/consent.html", context, status=400 if error_message else 200)


def _education(clinic: Clinic):  # type: ignore[no-untyped-def]
    fees = fee_schedule_for(clinic_id=clinic.pk)
    return education_page(clinic_name=clinic.name, fees=fees or None)


def _clinic(slug: str) -> Clinic:
    clinic = Clinic.objects.filter(slug=slug).first()
    if clinic is None:
        raise Http404("No such clinic.")
    return clinic


@require_GET
@rate_limited("public-link")
def education(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    clinic = _clinic(clinic_slug)
    zones.activate(clinic)
    return render(request, "public/education.html", {"clinic": clinic, "page": _education(clinic)})


def _education_pdf(clinic: Clinic) -> bytes:
    """Rendered once per clinic, clinic name, logo, knowledge version, consent version and fee
    schedule (the PDF shows all of them), then served from Django's cache: a render costs ~0.45 s
    of CPU and the link needs no login. A changed fee, name or logo is a new key, so nothing serves
    stale."""
    fees = fee_schedule_for(clinic_id=clinic.pk)
    logo = clinic_logo_digest(clinic_id=clinic.pk)
    fingerprint = hashlib.sha256(
        repr((clinic.name, logo, sorted(fees.items()), get_knowledge().version, CONSENT_VERSION)).encode()
    ).hexdigest()[:32]
    key = f"education-pdf:{clinic.pk}:{fingerprint}"
    pdf = cache.get(key)
    if pdf is None:
        page = education_page(clinic_name=clinic.name, fees=fees or None)
        pdf = render_pdf("public/education_pdf.html", {"clinic": clinic, "page": page}, clinic_id=clinic.pk)
        cache.set(key, pdf, timeout=24 * 3600)
    return pdf


@require_GET
@rate_limited("public-link")
def education_pdf(request: HttpRequest, clinic_slug: str) -> HttpResponse:
    clinic = _clinic(clinic_slug)
    pdf = _education_pdf(clinic)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="dry-needling-{clinic.slug}.pdf"'
    return response
