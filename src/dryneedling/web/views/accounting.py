"""Billing pages (issue 11): a patient's charges, payments and balance, the statement PDF, the
clinic's balances and the accounting CSV. Thin: forms parse, services write, selectors read."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dryneedling.accounting import selectors, services
from dryneedling.accounting.export import ledger_csv
from dryneedling.accounting.models import Payment
from dryneedling.accounts.audit import audit_record, record_view
from dryneedling.accounts.permissions import ACCOUNTING, BILLING, allows, require
from dryneedling.patients.selectors import patient_get_for
from dryneedling.treatment.pdf import render_pdf
from dryneedling.web.forms.accounting import LedgerForm, PaymentForm, VoidForm
from dryneedling.web.views.shared import AuthedRequest, form_errors


def _patient(request: AuthedRequest, patient_id: int) -> Any:
    """The patient of the actor's clinic (404, recorded, otherwise), for a billing role."""
    patient = patient_get_for(actor=request.user, patient_id=patient_id)
    require(actor=request.user, capability=BILLING)
    return patient


@login_required
@require_http_methods(["GET", "POST"])
def patient_billing(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    account = selectors.account_of(actor=request.user, patient=patient)
    today = services.clinic_today(account.clinic)
    form = PaymentForm(request.POST or None, initial={"received_on": today, "method": "card"})
    if request.method == "POST" and form.is_valid():
        try:
            payment = services.payment_record(actor=request.user, patient=patient, **form.cleaned_data)
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, f"Payment of {payment.amount} ({Payment.Method(payment.method).label}) recorded.")
            return redirect("patient-billing", patient_id=patient.pk)
    if request.method == "GET":
        record_view(actor=request.user, obj=patient, what="billing")
    context = {
        "patient": patient,
        "account": account,
        "form": form,
        "void_form": VoidForm(),
        "can_void": allows(actor=request.user, capability=ACCOUNTING),
    }
    return render(request, "accounting/billing.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def charges_post_view(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    result = services.charges_post(actor=request.user, patient=patient)
    if result.posted:
        messages.success(request, f"{len(result.posted)} charge{'s' if len(result.posted) > 1 else ''} posted.")
    elif not result.not_posted:
        messages.info(request, "Every signed session is already charged: nothing new to post.")
    for session, reason in result.not_posted:
        messages.error(
            request, f"The session of {timezone.localtime(session.started_at):%Y-%m-%d} was not charged: {reason}"
        )
    return redirect("patient-billing", patient_id=patient.pk)


@login_required
@require_POST
def payment_void_view(request: AuthedRequest, payment_id: int) -> HttpResponse:
    payment = selectors.payment_get_for(actor=request.user, payment_id=payment_id)
    require(actor=request.user, capability=ACCOUNTING)
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the payment is void (for example: recorded twice).")
    else:
        try:
            services.payment_void(actor=request.user, payment_id=payment.pk, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Payment of {payment.amount} voided. It stays on the record.")
    return redirect("patient-billing", patient_id=payment.patient.pk)


@login_required
@require_GET
def statement_pdf(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = _patient(request, patient_id)
    account = selectors.account_of(actor=request.user, patient=patient)
    record_view(actor=request.user, obj=patient, what="statement_pdf")
    today = services.clinic_today(account.clinic)
    context = {"patient": patient, "account": account, "clinic": account.clinic, "today": today}
    pdf = render_pdf("accounting/statement_pdf.html", context, clinic_id=account.clinic.pk)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="statement-{today:%Y-%m-%d}.pdf"'
    return response


@login_required
@require_GET
def balances(request: AuthedRequest) -> HttpResponse:
    rows = selectors.balances_for(actor=request.user)
    audit_record(actor=request.user, action="balances.view", detail={"patients": len(rows)})
    can_export = allows(actor=request.user, capability=ACCOUNTING)
    return render(
        request, "accounting/balances.html", {"rows": rows, "can_export": can_export, "ledger_form": LedgerForm()}
    )


@login_required
@require_GET
def ledger_export(request: AuthedRequest) -> HttpResponse:
    require(actor=request.user, capability=ACCOUNTING)
    form = LedgerForm(request.GET)
    if not form.is_valid():
        rows = selectors.balances_for(actor=request.user)
        context = {"rows": rows, "can_export": True, "ledger_form": form}
        return render(request, "accounting/balances.html", context, status=400)
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    charges, payments = selectors.ledger_for(actor=request.user, start=start, end=end)
    audit_record(
        actor=request.user,
        action="ledger.export",
        detail={"start": start.isoformat(), "end": end.isoformat(), "charges": len(charges), "payments": len(payments)},
    )
    response = HttpResponse(ledger_csv(charges, payments), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="charges-payments-{start:%Y%m%d}-{end:%Y%m%d}.csv"'
    return response
