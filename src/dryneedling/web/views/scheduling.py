"""The appointment book: day and week views, booking, moving, cancelling, arrival and the next
step, working hours, and each clinician's iCalendar feed. Thin: forms parse, services decide."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from dryneedling.accounts.audit import audit_record, record_view
from dryneedling.accounts.models import Role
from dryneedling.accounts.permissions import APPOINTMENTS, require
from dryneedling.accounts.selectors import membership_for, require_role
from dryneedling.patients import selectors as patient_selectors
from dryneedling.scheduling import ical, rules, services
from dryneedling.scheduling import selectors as book
from dryneedling.scheduling.models import Appointment
from dryneedling.web.forms.scheduling import (
    BookingForm,
    CancelForm,
    DayForm,
    FeedForm,
    HoursActionForm,
    MoveForm,
    RemoveHoursForm,
    StatusForm,
    WorkingHoursForm,
)
from dryneedling.web.views.shared import AuthedRequest, form_errors

PAGE_SIZE = 40


def _day_query(request: AuthedRequest) -> tuple[date, int | None]:
    form = DayForm(request.GET)
    today = book.clinic_today(membership_for(actor=request.user).clinic)
    if not form.is_valid():
        return today, None
    return form.cleaned_data["date"] or today, form.cleaned_data["clinician"]


@login_required
@require_GET
def schedule_day(request: AuthedRequest) -> HttpResponse:
    """One clinic-local day: every clinician the user may see, or one of them, a page at a time."""
    day, clinician_id = _day_query(request)
    clinicians = book.clinicians_for(actor=request.user)
    chosen = book.clinician_for(actor=request.user, clinician_id=clinician_id) if clinician_id else None
    appointments = book.day_for(actor=request.user, day=day, clinician_id=chosen.pk if chosen else None)
    page = Paginator(appointments, PAGE_SIZE).get_page(request.GET.get("page"))
    membership = membership_for(actor=request.user)
    context = {
        "day": day,
        "previous": day - timedelta(days=1),
        "next": day + timedelta(days=1),
        "weekday": rules.WEEKDAYS[day.weekday()],
        "clinicians": clinicians,
        "chosen": chosen,
        "page": page,
        "tz": membership.clinic.time_zone,
        "can_book": membership.has_role(*APPOINTMENTS.roles),
        "status_form": StatusForm(),
    }
    return render(request, "scheduling/day.html", context)


@login_required
@require_GET
def schedule_week(request: AuthedRequest) -> HttpResponse:
    """Seven days of one clinician (a clinician's own; others choose)."""
    day, clinician_id = _day_query(request)
    clinicians = book.clinicians_for(actor=request.user)
    chosen = book.clinician_for(actor=request.user, clinician_id=clinician_id) if clinician_id else None
    chosen = chosen or (clinicians[0] if clinicians else None)
    monday = day - timedelta(days=day.weekday())
    days = book.week_for(actor=request.user, monday=monday, clinician=chosen) if chosen else []
    membership = membership_for(actor=request.user)
    context = {
        "monday": monday,
        "previous": monday - timedelta(days=7),
        "next": monday + timedelta(days=7),
        "days": [(rules.WEEKDAYS[d.day.weekday()], d) for d in days],
        "clinicians": clinicians,
        "chosen": chosen,
        "tz": membership.clinic.time_zone,
    }
    return render(request, "scheduling/week.html", context)


def _start(form: Any, zone_name: str) -> datetime | None:
    """The form's date and time in the clinic's zone, or a field error (a time the clocks skip)."""
    try:
        return rules.local_to_utc(form.cleaned_data["date"], form.cleaned_data["time"], zone_name)
    except rules.NonexistentLocalTime as error:
        form.add_error("time", str(error))
        return None


@login_required
@require_http_methods(["GET", "POST"])
def appointment_book(request: AuthedRequest) -> HttpResponse:
    membership = require(actor=request.user, capability=APPOINTMENTS)
    clinic = membership.clinic
    types = services.appointment_types_seed(clinic=clinic)  # a new clinic's first visit creates the defaults
    prefill = DayForm(request.GET)
    initial: dict[str, Any] = {"date": book.clinic_today(clinic)}
    if prefill.is_valid():
        initial["date"] = prefill.cleaned_data["date"] or initial["date"]
        if prefill.cleaned_data["clinician"]:
            initial["clinician"] = prefill.cleaned_data["clinician"]
    patient = None
    patient_id = request.GET.get("patient", "")
    if patient_id.isdigit():
        patient = patient_selectors.patient_get_for(actor=request.user, patient_id=int(patient_id))
        initial["mrn"] = patient.mrn
    episodes = None
    if patient is not None:
        episodes = [(e.pk, str(e)) for e in patient_selectors.episode_list_for(actor=request.user, patient=patient)]
    form = BookingForm(
        request.POST or None,
        initial=initial,
        clinicians=book.clinicians_for(actor=request.user),
        types=book.appointment_types_for(actor=request.user),
        episodes=episodes,
    )
    if request.method == "POST" and form.is_valid():
        ids = patient_selectors.patient_ids_by_mrn_for(actor=request.user, mrn=form.cleaned_data["mrn"])
        starts_at = _start(form, clinic.time_zone)
        if not ids:
            form.add_error("mrn", "No patient with this MRN in this clinic.")
        elif starts_at is not None:
            target = patient_selectors.patient_get_for(actor=request.user, patient_id=ids[0])
            episode = None
            if form.cleaned_data.get("episode"):
                episode = patient_selectors.episode_get_for(actor=request.user, episode_id=form.cleaned_data["episode"])
            try:
                appointment = services.appointment_book(
                    actor=request.user,
                    clinician=form.cleaned_data["clinician"],
                    patient=target,
                    appointment_type=form.cleaned_data["appointment_type"],
                    starts_at=starts_at,
                    episode=episode,
                )
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, "Appointment booked.")
                return redirect(_day_url(appointment))
    context = {"form": form, "patient": patient, "tz": clinic.time_zone, "types": types}
    return render(request, "scheduling/book.html", context)


def _day_url(appointment: Appointment) -> str:
    local = appointment.starts_at.astimezone(rules.zone(appointment.clinic.time_zone))
    return f"{reverse('schedule-day')}?date={local:%Y-%m-%d}"


def _detail(request: AuthedRequest, appointment: Appointment, **forms: Any) -> HttpResponse:
    membership = membership_for(actor=request.user)
    local = appointment.starts_at.astimezone(rules.zone(appointment.clinic.time_zone))
    clinicians = book.clinicians_for(actor=request.user)
    move = forms.get("move") or MoveForm(
        initial={"clinician": appointment.clinician_id, "date": local.date(), "time": local.time()},
        clinicians=clinicians,
    )
    context = {
        "appointment": appointment,
        "tz": appointment.clinic.time_zone,
        "move_form": move,
        "cancel_form": forms.get("cancel") or CancelForm(),
        "status_error": forms.get("status_error"),
        "can_book": membership.has_role(*APPOINTMENTS.roles),
        "is_clinician": membership.is_clinician,
        "next_statuses": sorted(rules.TRANSITIONS[appointment.status] - {rules.CANCELLED}),
        "labels": rules.LABELS,
        "day_url": _day_url(appointment),
    }
    return render(request, "scheduling/detail.html", context)


@login_required
@require_GET
def appointment_detail(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    appointment = book.appointment_get_for(actor=request.user, appointment_id=appointment_id)
    record_view(actor=request.user, obj=appointment, what="appointment")
    return _detail(request, appointment)


def _for_change(request: AuthedRequest, appointment_id: int) -> Appointment:
    """The role first (a refusal in words), then the record (a recorded 404 for another clinic's)."""
    require(actor=request.user, capability=APPOINTMENTS)
    return book.appointment_get_for(actor=request.user, appointment_id=appointment_id)


@login_required
@require_POST
def appointment_move(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    appointment = _for_change(request, appointment_id)
    form = MoveForm(request.POST, clinicians=book.clinicians_for(actor=request.user))
    if form.is_valid():
        starts_at = _start(form, appointment.clinic.time_zone)
        if starts_at is not None:
            try:
                moved = services.appointment_move(
                    actor=request.user,
                    appointment=appointment,
                    starts_at=starts_at,
                    clinician=form.cleaned_data["clinician"],
                )
            except ValidationError as error:
                form_errors(form, error)
            else:
                messages.success(request, "Appointment moved.")
                return redirect(_day_url(moved))
    return _detail(request, appointment, move=form)


@login_required
@require_POST
def appointment_cancel(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    appointment = _for_change(request, appointment_id)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.appointment_cancel(actor=request.user, appointment=appointment, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form_errors(form, error)
        else:
            messages.success(request, "Appointment cancelled.")
            return redirect(_day_url(appointment))
    return _detail(request, appointment, cancel=form)


@login_required
@require_POST
def appointment_status(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    appointment = _for_change(request, appointment_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        return _detail(request, appointment, status_error="Choose a status.")
    try:
        changed = services.appointment_status_set(
            actor=request.user, appointment=appointment, status=form.cleaned_data["status"]
        )
    except ValidationError as error:
        return _detail(request, appointment, status_error=" ".join(error.messages))
    messages.success(request, f"Marked {rules.LABELS[changed.status].lower()}.")
    return redirect("today" if form.cleaned_data["back"] == "today" else _day_url(changed))


@login_required
@require_GET
def appointment_next(request: AuthedRequest, appointment_id: int) -> HttpResponse:
    """From an arrived patient, one click to the next step (the screening, or the session)."""
    appointment = book.appointment_get_for(actor=request.user, appointment_id=appointment_id)
    if appointment.status not in (rules.ARRIVED, rules.IN_SESSION):
        why = {
            rules.BOOKED: "The next step opens once the patient has arrived.",
            rules.DONE: "This visit is done: its session and note are on the patient's page.",
        }.get(appointment.status, f"This visit is {rules.LABELS[appointment.status].lower()}: there is no next step.")
        messages.error(request, why)
        return redirect("appointment-detail", appointment_id=appointment.pk)
    step = book.next_step_for(actor=request.user, appointment=appointment)
    messages.info(request, f"{step.label}: {step.reason}")
    target = reverse(step.route, kwargs=step.kwargs)
    if step.comes_back:
        target += "?next=" + reverse("appointment-next", args=[appointment.pk])
    return redirect(target)


@login_required
@require_http_methods(["GET", "POST"])
def working_hours(request: AuthedRequest) -> HttpResponse:
    """Everyone sees the hours (a clinician their own); clinic admins add and remove blocks."""
    membership = membership_for(actor=request.user)
    clinicians = book.clinicians_for(actor=request.user)
    form = WorkingHoursForm(clinicians=clinicians)
    remove_error = ""
    if request.method == "POST":
        require_role(actor=request.user, roles={Role.CLINIC_ADMIN}, reason=services.HOURS_REFUSAL)
        action = HoursActionForm(request.POST)
        if action.is_valid() and action.cleaned_data["action"] == "remove":
            remove = RemoveHoursForm(request.POST)
            try:
                if not remove.is_valid():
                    raise ValidationError("Choose a block to remove.")
                services.working_hours_remove(actor=request.user, block_id=remove.cleaned_data["block"])
            except ValidationError as error:
                remove_error = " ".join(error.messages)
            else:
                return redirect("working-hours")
        else:
            form = WorkingHoursForm(request.POST, clinicians=clinicians)
            if form.is_valid():
                try:
                    services.working_hours_add(actor=request.user, **form.cleaned_data)
                except ValidationError as error:
                    form_errors(form, error)
                else:
                    return redirect("working-hours")
    context = {
        "blocks": book.working_hours_for(actor=request.user),
        "form": form,
        "remove_error": remove_error,
        "is_admin": membership.is_clinic_admin,
        "tz": membership.clinic.time_zone,
    }
    return render(request, "scheduling/hours.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def calendar_feed(request: AuthedRequest) -> HttpResponse:
    """A clinician's own feed: a new secret address (shown once) or none."""
    require_role(actor=request.user, roles={Role.CLINICIAN}, reason=services.FEED_REFUSAL)
    new_url = ""
    if request.method == "POST":
        form = FeedForm(request.POST)
        if form.is_valid() and form.cleaned_data["action"] == "regenerate":
            token = services.calendar_feed_regenerate(actor=request.user)
            new_url = request.build_absolute_uri(reverse("calendar-feed-ics", kwargs={"token": token}))
        elif form.is_valid():
            services.calendar_feed_revoke(actor=request.user)
            return redirect("calendar-feed")
    context = {"feed": book.calendar_feed_of(actor=request.user), "new_url": new_url}
    return render(request, "scheduling/feed.html", context)


@require_GET
def calendar_feed_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The public feed: no patient names, only the appointment type (e.g. "Appointment
    (Dry-needling follow-up)")."""
    feed = book.feed_from_token(token)
    if feed is None:
        raise Http404("No such calendar.")
    now = timezone.now()
    appointments = book.feed_appointments(feed=feed, now=now)
    events = [
        ical.Event(
            uid=f"appointment-{a.pk}@dryneedling",
            starts_at=a.starts_at,
            ends_at=a.ends_at,
            summary=f"Appointment ({a.appointment_type.name})",
            status="CANCELLED" if a.status == rules.CANCELLED else "CONFIRMED",
            sequence=max(0, int((a.updated_at - a.created_at).total_seconds())),
            description=f"Status: {rules.LABELS[a.status]}",
        )
        for a in appointments
    ]
    audit_record(
        actor=None,
        action="calendar_feed.read",
        clinic=feed.clinic,
        object_type="scheduling.calendarfeed",
        object_id=feed.clinician_id,
        detail={"events": len(events)},
    )
    body = ical.calendar(name=f"{feed.clinic.name} — {feed.clinician.full_name}", events=events, now=now)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="appointments.ics"'
    response["Cache-Control"] = "no-store, private"
    return response
