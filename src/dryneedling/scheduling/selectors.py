"""Reads of the appointment book, always through the actor's clinic. Clinicians see their own
appointments; the front desk and clinic admins see every clinician's."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from dryneedling.accounts.models import Membership, User
from dryneedling.accounts.selectors import membership_for
from dryneedling.patients.models import Episode, EpisodeStatus, Patient
from dryneedling.patients.selectors import deny
from dryneedling.scheduling import rules
from dryneedling.scheduling.models import Appointment, AppointmentType, CalendarFeed, WorkingHours
from dryneedling.scheduling.services import clinic_today, feed_digest, own_book_check, own_book_only
from dryneedling.treatment.selectors import screening_is_current, session_readiness_for


def clinicians_for(*, actor: User) -> list[User]:
    """The clinicians whose book the actor may see: all of the clinic's, or a clinician's own."""
    membership = membership_for(actor=actor)
    if own_book_only(membership):
        return [membership.user]
    return list(
        User.objects.filter(
            membership__clinic_id=membership.clinic_id, membership__is_clinician=True, is_active=True
        ).order_by("full_name", "id")
    )


def clinician_for(*, actor: User, clinician_id: int | None) -> User | None:
    """One clinician the actor may see (None: not one of them)."""
    return next((c for c in clinicians_for(actor=actor) if c.pk == clinician_id), None)


def appointment_types_for(*, actor: User) -> QuerySet[AppointmentType]:
    return AppointmentType.objects.filter(clinic_id=membership_for(actor=actor).clinic_id, active=True)


def _visible(actor: User) -> tuple[Membership, QuerySet[Appointment]]:
    membership = membership_for(actor=actor)
    appointments = Appointment.objects.for_clinic(membership.clinic_id)
    if own_book_only(membership):
        appointments = appointments.filter(clinician_id=membership.user_id)
    return membership, appointments


def appointment_get_for(*, actor: User, appointment_id: int) -> Appointment:
    """An appointment of the actor's clinic (another clinic's id: a recorded 404); a colleague's
    appointment is refused to a clinician in words."""
    membership = membership_for(actor=actor)
    appointment = (
        Appointment.objects.for_clinic(membership.clinic_id)
        .select_related("patient", "episode", "clinician", "appointment_type", "clinic")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise deny(actor=actor, object_type="appointment", object_id=appointment_id, model=Appointment)
    own_book_check(membership, appointment.clinician_id)
    return appointment


def appointments_for(
    *,
    actor: User,
    patient: Patient | None = None,
    clinician_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
) -> QuerySet[Appointment]:
    """The appointments the actor may see (a clinician with only the clinician role: their own,
    and asking for a colleague's is refused in words), of one patient or clinician, starting in
    [start, end): the API's list."""
    membership, appointments = _visible(actor)
    if clinician_id is not None:
        own_book_check(membership, clinician_id)
        appointments = appointments.filter(clinician_id=clinician_id)
    if patient is not None:
        appointments = appointments.filter(patient_id=patient.pk)
    if start is not None:
        appointments = appointments.filter(starts_at__gte=start)
    if end is not None:
        appointments = appointments.filter(starts_at__lt=end)
    return appointments.select_related("appointment_type")


def day_for(*, actor: User, day: date, clinician_id: int | None = None) -> QuerySet[Appointment]:
    """The appointments of one clinic-local day, by clinician then time (every clinician the actor
    may see, or one)."""
    membership, appointments = _visible(actor)
    start, end = rules.day_bounds(day, membership.clinic.time_zone)
    appointments = appointments.filter(starts_at__gte=start, starts_at__lt=end)
    if clinician_id is not None:
        appointments = appointments.filter(clinician_id=clinician_id)
    return appointments.select_related("patient", "clinician", "appointment_type").order_by(
        "clinician__full_name", "clinician_id", "starts_at", "id"
    )


def appointments_of_patient_for(*, actor: User, patient: Patient, limit: int = 10) -> list[Appointment]:
    """The patient's visits from today on, by time, that the actor may see (a clinician with only
    the clinician role: their own), cancelled ones left out: the patient page's list."""
    membership, appointments = _visible(actor)
    start, _ = rules.day_bounds(clinic_today(membership.clinic), membership.clinic.time_zone)
    return list(
        appointments.filter(patient_id=patient.pk, starts_at__gte=start)
        .exclude(status=rules.CANCELLED)
        .select_related("clinician", "appointment_type")
        .order_by("starts_at", "id")[:limit]
    )


@dataclass
class WeekDay:
    day: date
    appointments: list[Appointment] = field(default_factory=list)
    hours: str = ""


def week_for(*, actor: User, monday: date, clinician: User) -> list[WeekDay]:
    """Seven clinic-local days from `monday` for one clinician, with their working hours."""
    membership, appointments = _visible(actor)
    zone_name = membership.clinic.time_zone
    start, _ = rules.day_bounds(monday, zone_name)
    _, end = rules.day_bounds(monday + timedelta(days=6), zone_name)
    days = [WeekDay(day=monday + timedelta(days=i)) for i in range(7)]
    blocks = [(b.weekday, b.starts, b.ends) for b in WorkingHours.objects.filter(clinician=clinician)]
    for item in days:
        item.hours = rules.hours_text(blocks, item.day.weekday())
    tz = rules.zone(zone_name)
    rows = (
        appointments.filter(clinician=clinician, starts_at__gte=start, starts_at__lt=end)
        .select_related("patient", "appointment_type")
        .order_by("starts_at", "id")
    )
    for appointment in rows:
        offset = (appointment.starts_at.astimezone(tz).date() - monday).days
        days[offset].appointments.append(appointment)
    return days


def working_hours_for(*, actor: User) -> QuerySet[WorkingHours]:
    membership = membership_for(actor=actor)
    hours = WorkingHours.objects.filter(clinic_id=membership.clinic_id).select_related("clinician")
    if own_book_only(membership):
        hours = hours.filter(clinician_id=membership.user_id)
    return hours.order_by("clinician__full_name", "clinician_id", "weekday", "starts")


# --- the next step from an arrived appointment ----------------------------------------------------
@dataclass(frozen=True)
class NextStep:
    route: str
    kwargs: dict[str, Any]
    label: str
    reason: str
    comes_back: bool = False  # a step before the session: once saved, back to the next step


def next_step_for(*, actor: User, appointment: Appointment) -> NextStep:
    """Where an arrived patient goes next: an episode if none is active, the screening if one is
    due (none, too old for the clinic, or on an older questionnaire), the consent if none is on
    file, a session already open, else a new session for the appointment's episode (or the
    patient's newest active one). The steps before the session come back here once saved."""
    patient = appointment.patient
    episode = appointment.episode
    if episode is None:
        episode = (
            Episode.objects.for_record(appointment)
            .filter(patient_id=patient.pk, status=EpisodeStatus.ACTIVE)
            .order_by("-start_date", "-id")
            .first()
        )
    if episode is None:
        return NextStep(
            "episode-create",
            {"patient_id": patient.pk},
            "Open an episode of care",
            "The patient has no active episode.",
            comes_back=True,
        )
    readiness = session_readiness_for(actor=actor, episode=episode)
    screening = readiness.screening
    validity = timedelta(days=appointment.clinic.screening_validity_days)
    if screening is None or timezone.now() - screening.performed_at > validity or not screening_is_current(screening):
        why = "No screening on file." if screening is None else "The last screening is out of date."
        return NextStep("intake-create", {"patient_id": patient.pk}, "Screen the patient", why, comes_back=True)
    if readiness.open_session is not None:
        return NextStep(
            "session-detail",
            {"session_id": readiness.open_session.pk},
            "Continue the open session",
            "A session is open.",
        )
    if readiness.consent is None:
        return NextStep(
            "consent-add",
            {"patient_id": patient.pk},
            "Record the consent",
            "The screening is current; no consent to dry needling is on file.",
            comes_back=True,
        )
    return NextStep(
        "session-new", {"episode_id": episode.pk}, "Start the session", "The screening is current and consent on file."
    )


# --- calendar feeds -----------------------------------------------------------------------------
def calendar_feed_of(*, actor: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(clinician_id=actor.pk).first()


def feed_from_token(token: str) -> CalendarFeed | None:
    """The feed behind a secret URL (the token is compared by its digest), or None."""
    if not token or len(token) > 100:
        return None
    return CalendarFeed.objects.select_related("clinic", "clinician").filter(token_digest=feed_digest(token)).first()


FEED_PAST, FEED_AHEAD = timedelta(days=30), timedelta(days=180)


def feed_appointments(*, feed: CalendarFeed, now: datetime) -> list[Appointment]:
    """The feed clinician's appointments from 30 days back to 180 ahead (cancelled ones included,
    so calendars drop them)."""
    return list(
        Appointment.objects.for_clinic(feed.clinic_id)
        .filter(clinician_id=feed.clinician_id, starts_at__gte=now - FEED_PAST, starts_at__lt=now + FEED_AHEAD)
        .select_related("appointment_type")
        .order_by("starts_at", "id")
    )


# --- Today (issue 10) -----------------------------------------------------------------------------
def today_bounds_for(*, actor: User) -> tuple[date, datetime, datetime]:
    """The clinic-local today of the actor's clinic and its [start, end) in UTC."""
    clinic = membership_for(actor=actor).clinic
    today = clinic_today(clinic)
    start, end = rules.day_bounds(today, clinic.time_zone)
    return today, start, end


def arrivals_for(*, actor: User, day: date) -> QuerySet[Appointment]:
    """The day's appointments still expected (booked, not yet arrived), by time: the front desk marks
    each arrived from this list."""
    return day_for(actor=actor, day=day).filter(status=rules.BOOKED).order_by("starts_at", "clinician__full_name", "id")


def waiting_for(*, actor: User, day: date) -> QuerySet[Appointment]:
    """The day's patients who have arrived and are not yet in session, first arrived first."""
    return day_for(actor=actor, day=day).filter(status=rules.ARRIVED).order_by("arrived_at", "starts_at", "id")
