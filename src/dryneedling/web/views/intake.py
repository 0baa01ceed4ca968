"""The intake questionnaire: fill in, screen, store, show on the patient page."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from dryneedling.clinical.intake import QUESTIONS, prefill_answers
from dryneedling.intake.selectors import screening_current_for
from dryneedling.intake.services import screening_record
from dryneedling.patients import selectors
from dryneedling.web.forms.intake import IntakeForm, form_initial
from dryneedling.web.views.shared import AuthedRequest, redirect_next


def _age(date_of_birth: date, today: date) -> int:
    return today.year - date_of_birth.year - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))


@login_required
@require_http_methods(["GET", "POST"])
def intake_create(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = selectors.patient_get_for(actor=request.user, patient_id=patient_id)
    last = screening_current_for(actor=request.user, patient=patient)
    # A new screening starts from the last one (answers that no longer exist are dropped).
    initial = form_initial(prefill_answers(last.answers, sex=patient.sex), QUESTIONS) if last else {}
    initial["age"] = _age(patient.date_of_birth, timezone.localdate())
    form = IntakeForm(request.POST or None, initial=initial, questions=QUESTIONS, sex=patient.sex)
    if request.method == "POST" and form.is_valid():
        try:
            screening_record(actor=request.user, patient=patient, answers=form.answers())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect_next(request, reverse("patient-detail", args=[patient.pk]))
    context = {"form": form, "patient": patient, "prefilled_from": last}
    return render(request, "intake/form.html", context)
