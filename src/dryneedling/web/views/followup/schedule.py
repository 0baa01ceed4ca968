"""The clinic's course check-in schedule (issue 10): the clinic admin picks which of the supported
check-ins (1, 4, 12 weeks after the course) the clinic uses; courses completed afterwards follow it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from dryneedling.accounts.permissions import CLINIC_ADMINISTRATION, require
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.followup.schedule import SCHEDULE_SOURCES, check_in_schedule_set, course_kinds_of, schedule_words
from dryneedling.web.forms.followup import CheckInScheduleForm
from dryneedling.web.views.shared import AuthedRequest, form_errors


@login_required
@require_http_methods(["GET", "POST"])
def check_in_schedule(request: AuthedRequest) -> HttpResponse:
    clinic = require(actor=request.user, capability=CLINIC_ADMINISTRATION).clinic
    current = course_kinds_of(clinic_id=clinic.pk)
    form = CheckInScheduleForm(request.POST or None, initial={"kinds": list(current)})
    if request.method == "POST" and form.is_valid():
        try:
            schedule = check_in_schedule_set(actor=request.user, kinds=form.cleaned_data["kinds"])
        except ValidationError as error:
            form_errors(form, error)
        else:
            words = schedule_words(schedule.kinds)
            messages.success(request, f"Check-in schedule saved: courses completed from now on get {words}.")
            return redirect("clinic-check-ins")
    sources = [get_knowledge().sources[s] for s in SCHEDULE_SOURCES]
    context = {"form": form, "clinic": clinic, "current": schedule_words(current), "sources": sources}
    return render(request, "accounts/settings/check_ins.html", context)
