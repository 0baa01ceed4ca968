"""Sending a patient's link by email or SMS from the patient page (issue 10). One POST route for
every kind of link; an htmx request gets the link's row back with the outcome in words, a plain
form post a redirect to the patient page with the same words as a message."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from dryneedling.accounts.permissions import PATIENT_LINKS, require
from dryneedling.care.patient_links import patient_link_send
from dryneedling.followup.deliveries import ResendNeedsConfirmation
from dryneedling.followup.link_selectors import patient_link_rows_for
from dryneedling.followup.models import LinkDelivery
from dryneedling.patients.selectors import patient_get_for
from dryneedling.web.forms.followup import PatientLinkSendForm
from dryneedling.web.views.shared import AuthedRequest


def _outcome(delivery: LinkDelivery) -> tuple[str, str]:
    if delivery.status == LinkDelivery.Status.SENT:
        how = "by email" if delivery.channel == LinkDelivery.Channel.EMAIL else "by SMS"
        return "success", f"Sent {how} to {delivery.to_masked}."
    return "error", f"Not sent: {delivery.failure}"


@login_required
@require_POST
def link_send(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = patient_get_for(actor=request.user, patient_id=patient_id)  # another clinic's: 404
    require(actor=request.user, capability=PATIENT_LINKS)  # a clinic admin: 403 in words
    form = PatientLinkSendForm(request.POST)
    if not form.is_valid():
        return HttpResponse("Choose a link to send and how.", status=400, content_type="text/plain")
    data = form.cleaned_data
    confirm_channel = ""
    try:
        delivery = patient_link_send(
            actor=request.user,
            patient=patient,
            kind=data["kind"],
            target_id=data["target"],
            channel=data["channel"],
            confirm=data["confirm"],
        )
    except ResendNeedsConfirmation as error:
        level, text, confirm_channel = "warning", str(error), data["channel"]
    except ValidationError as error:
        level, text = "error", " ".join(error.messages)
    else:
        level, text = _outcome(delivery)
    if not request.htmx and confirm_channel:  # without htmx, the question is a page of its own
        context = {"patient": patient, "text": text, "data": data}
        return render(request, "followup/link_send_confirm.html", context)
    if not request.htmx:
        getattr(messages, level)(request, text)
        return redirect("patient-detail", patient_id=patient.pk)
    key = f"{data['kind']}-{data['target'] or 0}"
    row = next((r for r in patient_link_rows_for(actor=request.user, patient=patient) if r.key == key), None)
    context = {"patient": patient, "row": row, "notice": (level, text), "confirm_channel": confirm_channel}
    return render(request, "followup/_link_row.html", context)
