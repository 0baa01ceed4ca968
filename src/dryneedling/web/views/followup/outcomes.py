"""Clinician views of the follow-up loop: the list, alerts, maintenance, outcomes, course end."""

from __future__ import annotations

from csp.decorators import csp_replace
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dryneedling.accounts.audit import record_view
from dryneedling.followup import selectors
from dryneedling.followup.models import Alert
from dryneedling.followup.progress_report import progress_report_for
from dryneedling.followup.reports import outcome_chart_for
from dryneedling.followup.schedule import schedule_words
from dryneedling.followup.services import alert_acknowledge, course_complete, outcome_record
from dryneedling.patients import selectors as patient_selectors
from dryneedling.treatment.pdf import render_pdf
from dryneedling.treatment.services.common import require_clinician
from dryneedling.web.forms.followup import AlertAcknowledgeForm, OutcomeForm
from dryneedling.web.paging import bounded_page, page_number
from dryneedling.web.views.shared import AuthedRequest

PAGE_SIZE = 50  # check-ins a page (a clinic has hundreds in the list's 134 days)
REVIEWS_PAGE_SIZE = 50  # maintenance reviews a page (issue 14: a big clinic has thousands)
COUNT_CAP = 500  # beyond this the list says "more than 500" instead of counting every row


@login_required
@require_http_methods(["GET", "POST"])
def followup_list(request: AuthedRequest) -> HttpResponse:
    if request.method == "POST":
        require_clinician(request.user)  # a clinical act: refused in words before the form is read
        form = AlertAcknowledgeForm(request.POST)
        if form.is_valid():  # another clinic's alert: a recorded denial, 404, before the write
            selectors.alert_get_for(actor=request.user, alert_id=form.cleaned_data["alert"])
        try:
            if not form.is_valid():
                raise ValidationError([str(m) for errors in form.errors.values() for m in errors])
            alert_acknowledge(actor=request.user, alert_id=form.cleaned_data["alert"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "Alert acknowledged.")
        return redirect("followup-list")
    status = request.GET.get("status", "")
    status = status if status in selectors.STATUSES else ""
    actor = request.user
    check_ins = selectors.followup_list_for(actor=actor, status=status)
    reviews = selectors.maintenance_due_episodes(actor=actor)
    context = {
        "page": bounded_page(
            check_ins,
            number=page_number(request.GET.get("page")),
            size=PAGE_SIZE,
            cap=COUNT_CAP,
            rows=lambda rows: [(c, selectors.checkin_status(c)) for c in rows],
        ),
        "alerts": selectors.alerts_open_for(actor=actor, kind=Alert.Kind.RED_FLAG),
        "reviews": bounded_page(
            reviews,
            number=page_number(request.GET.get("reviews_page")),
            size=REVIEWS_PAGE_SIZE,
            cap=COUNT_CAP,
            rows=lambda rows: selectors.maintenance_reasons(actor=actor, episodes=rows),
        ),
        "status": status,
        "statuses": selectors.STATUSES,
    }
    return render(request, "followup/list.html", context)


@login_required
@require_POST
def episode_course_complete(request: AuthedRequest, episode_id: int) -> HttpResponse:
    episode = patient_selectors.episode_get_for(actor=request.user, episode_id=episode_id)
    try:
        created = course_complete(actor=request.user, episode=episode)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        words = schedule_words(c.kind for c in created)
        messages.success(request, f"Course completed: check-ins scheduled at {words}.")
    return redirect("patient-detail", patient_id=episode.patient_id)


@login_required
@require_POST
def episode_outcome_add(request: AuthedRequest, episode_id: int) -> HttpResponse:
    require_clinician(request.user)  # the clinical record: refused in words before anything is read
    episode = patient_selectors.episode_get_for(actor=request.user, episode_id=episode_id)
    form = OutcomeForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([str(m) for errors in form.errors.values() for m in errors])
        outcome_record(
            actor=request.user,
            episode=episode,
            instrument_id=form.cleaned_data["instrument"],
            total=form.cleaned_data["total"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Score recorded.")
    return redirect("patient-detail", patient_id=episode.patient_id)


# Drawn with presentation attributes only (issue 14: no matplotlib, no style attributes): the image
# keeps the strict style policy and runs no script.
@csp_replace({"script-src": ["'none'"]})  # type: ignore[arg-type]
@login_required
@require_GET
def episode_outcomes_svg(request: AuthedRequest, episode_id: int) -> HttpResponse:
    require_clinician(request.user)  # the clinical record: refused in words before anything is read
    episode = patient_selectors.episode_get_for(actor=request.user, episode_id=episode_id)
    record_view(actor=request.user, obj=episode, what="outcome_chart")
    return HttpResponse(outcome_chart_for(actor=request.user, episode=episode), content_type="image/svg+xml")


@login_required
@require_GET
def episode_progress_pdf(request: AuthedRequest, episode_id: int) -> HttpResponse:
    """The episode's progress report for the referring physician or the payer (issue 11)."""
    require_clinician(request.user)  # the clinical record: refused in words before anything is read
    episode = patient_selectors.episode_get_for(actor=request.user, episode_id=episode_id)
    context = progress_report_for(actor=request.user, episode=episode)
    record_view(actor=request.user, obj=episode, what="progress_report_pdf")
    pdf = render_pdf("followup/progress_report_pdf.html", context, clinic_id=episode.clinic_id)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="progress-report-episode-{episode_id}.pdf"'
    return response
