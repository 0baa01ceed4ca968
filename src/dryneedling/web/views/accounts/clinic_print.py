"""What the clinic prints (issue 10): its fee schedule (superbills and self-pay estimates) and its
logo (the top of its PDFs). The clinic admin changes them; services check the role and audit."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dryneedling.accounts import logo as clinic_logo
from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
from dryneedling.accounts.selectors import clinic_for, clinic_logo_of
from dryneedling.treatment.selectors import fee_schedule_rows
from dryneedling.treatment.services.fees import fee_clear, fee_set
from dryneedling.web.forms.accounts import ClinicLogoForm
from dryneedling.web.forms.treatment import FeeCodeForm, FeeForm
from dryneedling.web.views.shared import AuthedRequest, form_errors


@login_required
@require_http_methods(["GET", "POST"])
def fee_schedule(request: AuthedRequest) -> HttpResponse:
    rows = fee_schedule_rows(actor=request.user)  # refuses non-admins in words
    current = {code.code: amount for code, amount in rows}
    chosen = FeeCodeForm(request.GET)  # "Change" on a row: the form starts with that code and fee
    initial: dict[str, object] = {}
    if chosen.is_valid():
        initial = {"code": chosen.cleaned_data["code"], "amount": current.get(chosen.cleaned_data["code"])}
    form = FeeForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            item = fee_set(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, f"Fee for {item.code} saved: {item.amount}.")
            return redirect("clinic-fees")
    return render(request, "accounts/settings/fees.html", {"rows": rows, "form": form})


@login_required
@require_POST
def fee_remove(request: AuthedRequest) -> HttpResponse:
    require(actor=request.user, capability=CLINIC_ADMINISTRATION)
    form = FeeCodeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for e in form.errors.get("code", [])) or "Choose a code.")
        return redirect("clinic-fees")
    try:
        fee_clear(actor=request.user, code=form.cleaned_data["code"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f'Fee for {form.cleaned_data["code"]} removed: superbills say "no fee set".')
    return redirect("clinic-fees")


@login_required
@require_http_methods(["GET", "POST"])
def logo_settings(request: AuthedRequest) -> HttpResponse:
    clinic = require(actor=request.user, capability=CLINIC_ADMINISTRATION).clinic
    form = ClinicLogoForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            clinic_logo.clinic_logo_set(actor=request.user, data=form.cleaned_data["logo"])
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Logo saved: it prints at the top of the clinic's PDFs.")
            return redirect("clinic-logo-settings")
    logo = clinic_logo_of(clinic_id=clinic.pk)
    context = {"form": form, "clinic": clinic, "logo": logo, "max_kb": clinic_logo.MAX_BYTES // 1024}
    return render(request, "accounts/settings/logo.html", context)


@login_required
@require_POST
def logo_remove(request: AuthedRequest) -> HttpResponse:
    try:
        clinic_logo.clinic_logo_remove(actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Logo removed: the clinic's PDFs print without one.")
    return redirect("clinic-logo-settings")


@login_required
@require_GET
def logo_image(request: AuthedRequest) -> HttpResponse:
    """The signed-in member's own clinic's logo, for staff pages (the PDFs embed it instead)."""
    clinic = clinic_for(actor=request.user)
    logo = clinic_logo_of(clinic_id=clinic.pk)
    if logo is None:
        raise Http404("The clinic has no logo.")
    response = HttpResponse(bytes(logo.content), content_type=logo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Disposition"] = "inline"
    response["Cache-Control"] = "private, max-age=3600"
    return response
