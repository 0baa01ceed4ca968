"""The intake questionnaire: fill in, screen, store, show on the patient page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from dryneedling.clinical.intake import QUESTIONS
from dryneedling.intake.services import screening_record
from dryneedling.patients import selectors
from dryneedling.web.forms_intake import IntakeForm
from dryneedling.web.http import AuthedRequest


def _age(date_of_birth, today) -> int:  # type: ignore[no-untyped-def]
    return today.year - date_of_birth.year - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))


@login_required
@require_http_methods(["GET", "POST"])
def intake_create(request: AuthedRequest, patient_id: int) -> HttpResponse:
    patient = selectors.patient_get_for(actor=request.user, patient_id=patient_id)
    initial: dict[str, object] = {"age": _age(patient.date_of_birth, timezone.localdate())}
    if patient.sex == "male":
        initial["pregnancy"] = "not_pregnant"
    form = IntakeForm(request.POST or None, initial=initial, questions=QUESTIONS)
    if request.method == "POST" and form.is_valid():
        try:
            screening_record(actor=request.user, patient=patient, answers=form.answers())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return redirect("patient-detail", patient_id=patient.pk)
    return render(request, "intake/form.html", {"form": form, "patient": patient})
