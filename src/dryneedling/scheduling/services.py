"""Writes of the appointment book. Each checks the role, applies the rules in `rules`, and records
its audit row in the same transaction.

Double booking is refused under concurrency: a write that takes a clinician's time first locks that
clinician's membership row (`select_for_update`; on PostgreSQL a row lock that a second booking
for the same clinician waits on), then checks for overlaps, then writes. On SQLite every
transaction is IMMEDIATE (settings), so writers queue at BEGIN and the check-then-insert cannot
interleave either. tests/scheduling/test_concurrency.py races real processes on both engines.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts import zones
from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import Clinic, Membership, Role, User
from dryneedling.accounts.permissions import APPOINTMENTS, require
from dryneedling.accounts.selectors import membership_for, require_role
from dryneedling.patients.models import Episode, Patient
from dryneedling.scheduling import rules
from dryneedling.scheduling.messages import send_reminder
from dryneedling.scheduling.models import Appointment, AppointmentType, CalendarFeed, WorkingHours

# Default types of every clinic. The needling itself takes 10-15 min of a visit (the source
# article's figure, not found in research studies: sources.yaml `source_article` [NF], dossier §7);
# the rest of a follow-up is the re-assessment, consent check, aftercare and notes.
DEFAULT_TYPES = (("Initial assessment", 60), ("Dry-needling follow-up", 30))

OWN_ONLY = "Clinicians see and change their own appointments; the front desk books for colleagues."
CLINICIAN_STEPS = {rules.IN_SESSION, rules.DONE}
HOURS_REFUSAL = "Working hours are set by a clinic admin."
FEED_REFUSAL = "Calendar feeds are for clinicians, each for their own appointments."
# A visit starting by then ends (a type lasts at most 32767 minutes), in any zone, on a date Python has.
LAST_BOOKABLE_DAY = date.max - timedelta(days=31)


class BookingClash(ValidationError):
    """The clinician already has an appointment then (the API answers it with 409, a conflict with
    the book's state; the web shows it next to the time like any other refusal)."""


def appointment_types_seed(*, clinic: Clinic) -> list[AppointmentType]:
    """The clinic's appointment types, creating the two defaults if the clinic has none (idempotent).
    The defaults are written in one transaction, so a concurrent first booking sees both or none
    (it once saw one of the two and found no 30-minute type)."""
    types = list(AppointmentType.objects.filter(clinic=clinic))
    if not types:
        with transaction.atomic():
            for name, minutes in DEFAULT_TYPES:
                AppointmentType.objects.get_or_create(clinic=clinic, name=name, defaults={"minutes": minutes})
        types = list(AppointmentType.objects.filter(clinic=clinic))
    return types


def _require_booker(actor: User) -> Membership:
    return require(actor=actor, capability=APPOINTMENTS)


def own_book_only(membership: Membership) -> bool:
    """A clinician who is neither front desk nor clinic admin keeps to their own book."""
    return membership.is_clinician and not membership.has_role(Role.FRONT_DESK, Role.CLINIC_ADMIN)


def own_book_check(membership: Membership, clinician_id: int) -> None:
    if own_book_only(membership) and membership.user_id != clinician_id:
        raise PermissionDenied(OWN_ONLY)


def _lock_clinician(clinic: Clinic, clinician: User) -> Membership:
    """The clinician's membership, locked for this transaction: bookings for one clinician queue here."""
    locked = (
        Membership.objects.select_for_update()
        .filter(clinic=clinic, user_id=clinician.pk, is_clinician=True, user__is_active=True)
        .first()
    )
    if locked is None:
        raise ValidationError({"clinician": "Choose a clinician of this clinic."})
    return locked


def _blocks(clinic: Clinic, clinician: User) -> list[tuple[int, time, time]]:
    rows = WorkingHours.objects.filter(clinic=clinic, clinician_id=clinician.pk)
    return [(r.weekday, r.starts, r.ends) for r in rows]


def _check_hours(clinic: Clinic, clinician: User, starts_at: datetime, ends_at: datetime) -> None:
    tz = rules.zone(clinic.time_zone)
    start, end = starts_at.astimezone(tz).replace(tzinfo=None), ends_at.astimezone(tz).replace(tzinfo=None)
    blocks = _blocks(clinic, clinician)
    name = clinician.full_name or clinician.email
    if not blocks:
        raise ValidationError(
            {"clinician": f"{name} has no working hours yet: a clinic admin sets them on the Working hours page."}
        )
    if rules.fits_hours(start, end, blocks):
        return
    day = rules.WEEKDAYS[start.weekday()]
    that_day = rules.hours_text(blocks, start.weekday())
    if not that_day:
        raise ValidationError({"time": f"{name} has no working hours on {day}s: choose another day."})
    raise ValidationError(
        {
            "time": f"{start:%H:%M}–{end:%H:%M} is outside {name}'s working hours: on {day}s they work "
            f"{that_day} ({clinic.time_zone})."
        }
    )


def _check_free(clinic: Clinic, clinician: User, starts_at: datetime, ends_at: datetime, exclude: int | None) -> None:
    clash = (
        Appointment.objects.for_clinic(clinic)
        .filter(clinician_id=clinician.pk, starts_at__lt=ends_at, ends_at__gt=starts_at)
        .exclude(status__in=rules.FREEING)
        .exclude(pk=exclude or 0)
        .order_by("starts_at")
        .first()
    )
    if clash is not None:
        tz = rules.zone(clinic.time_zone)
        start, end = clash.starts_at.astimezone(tz), clash.ends_at.astimezone(tz)
        raise BookingClash(
            {
                "time": f"{clinician.full_name or clinician.email} already has an appointment from {start:%H:%M} to "
                f"{end:%H:%M} on {start:%Y-%m-%d}: choose another time or clinician."
            }
        )


def clinic_today(clinic: Clinic) -> date:
    """The clinic-local date now."""
    return timezone.now().astimezone(rules.zone(clinic.time_zone)).date()


def _check_start(clinic: Clinic, starts_at: datetime) -> None:
    """An aware time, not on an earlier day than the clinic's today: a visit that began earlier
    today (a walk-in recorded once seen) is kept; the past days of the book are history."""
    if timezone.is_naive(starts_at):
        raise ValidationError({"time": "A start time needs its time zone."})
    if starts_at.date() > LAST_BOOKABLE_DAY:
        raise ValidationError({"date": f"That is too far ahead: the book ends on {LAST_BOOKABLE_DAY:%Y-%m-%d}."})
    today_start, _ = rules.day_bounds(clinic_today(clinic), clinic.time_zone)
    if starts_at < today_start:
        raise ValidationError({"date": "That is an earlier day: the book takes visits from today on."})


@transaction.atomic
def appointment_book(
    *,
    actor: User,
    clinician: User,
    patient: Patient,
    appointment_type: AppointmentType,
    starts_at: datetime,
    episode: Episode | None = None,
) -> Appointment:
    """Book a patient with a clinician; the end follows from the type. Refuses double booking and
    times outside the clinician's working hours, each with a sentence next to the field."""
    membership = _require_booker(actor)
    clinic = membership.clinic
    own_book_check(membership, clinician.pk)
    _check_start(clinic, starts_at)
    if patient.clinic_id != clinic.pk:
        raise ValidationError({"patient": "No such patient in this clinic."})
    if appointment_type.clinic_id != clinic.pk or not appointment_type.active:
        raise ValidationError({"appointment_type": "Choose one of this clinic's appointment types."})
    if episode is not None and episode.patient_id != patient.pk:
        raise ValidationError({"episode": "That episode belongs to another patient."})
    ends_at = starts_at + timedelta(minutes=appointment_type.minutes)
    _lock_clinician(clinic, clinician)
    _check_hours(clinic, clinician, starts_at, ends_at)
    _check_free(clinic, clinician, starts_at, ends_at, exclude=None)
    appointment = Appointment.objects.create(
        clinic=clinic,
        clinician=clinician,
        patient=patient,
        episode=episode,
        appointment_type=appointment_type,
        starts_at=starts_at,
        ends_at=ends_at,
        booked_by=actor,
    )
    audit_record(
        actor=actor,
        action="appointment.book",
        obj=appointment,
        detail={"clinician": clinician.pk, "type": appointment_type.pk, "starts_at": starts_at.isoformat()},
    )
    return appointment


def _locked(appointment: Appointment) -> Appointment:
    """The appointment's current row, locked (a status changed in another tab wins)."""
    return Appointment.objects.for_record(appointment).select_for_update().get(pk=appointment.pk)


@transaction.atomic
def appointment_move(*, actor: User, appointment: Appointment, starts_at: datetime, clinician: User) -> Appointment:
    """A new start and/or clinician for a booked appointment (same type, same length)."""
    membership = _require_booker(actor)
    clinic = membership.clinic
    own_book_check(membership, appointment.clinician_id)
    own_book_check(membership, clinician.pk)
    _check_start(clinic, starts_at)
    # Lock both clinicians in id order (two moves in opposite directions cannot deadlock).
    old_clinician = appointment.clinician
    for person in sorted({old_clinician.pk: old_clinician, clinician.pk: clinician}.values(), key=lambda u: u.pk):
        _lock_clinician(clinic, person)
    current = _locked(appointment)
    if current.status != rules.BOOKED:
        raise ValidationError(
            f"A {rules.LABELS[current.status].lower()} appointment cannot be moved: only booked ones can."
        )
    ends_at = starts_at + (current.ends_at - current.starts_at)
    _check_hours(clinic, clinician, starts_at, ends_at)
    _check_free(clinic, clinician, starts_at, ends_at, exclude=current.pk)
    before = current.starts_at
    current.starts_at, current.ends_at, current.clinician = starts_at, ends_at, clinician
    # A new time needs a new reminder.
    current.reminder_email_at = current.reminder_sms_at = None
    current.updated_at = timezone.now()
    current.save(
        update_fields=["starts_at", "ends_at", "clinician", "reminder_email_at", "reminder_sms_at", "updated_at"]
    )
    audit_record(
        actor=actor,
        action="appointment.move",
        obj=current,
        detail={
            "from": before.isoformat(),
            "to": starts_at.astimezone(before.tzinfo).isoformat(),
            "clinician": clinician.pk,
        },
    )
    return current


@transaction.atomic
def appointment_cancel(*, actor: User, appointment: Appointment, reason: str) -> Appointment:
    membership = _require_booker(actor)
    own_book_check(membership, appointment.clinician_id)
    reason = " ".join(reason.split())
    if not reason:
        raise ValidationError({"reason": "Give a reason for the cancellation (e.g. 'patient called: ill')."})
    if len(reason) > 300:
        raise ValidationError({"reason": "Keep the reason under 300 characters."})
    current = _locked(appointment)
    problem = rules.transition_problem(current.status, rules.CANCELLED)
    if problem:
        raise ValidationError(problem)
    current.status, current.cancel_reason, current.updated_at = rules.CANCELLED, reason, timezone.now()
    current.save(update_fields=["status", "cancel_reason", "updated_at"])
    # The reason is free text about a patient: it stays on the record, not in the audit row.
    audit_record(actor=actor, action="appointment.cancel", obj=current, detail={"from": appointment.status})
    return current


@transaction.atomic
def appointment_status_set(*, actor: User, appointment: Appointment, status: str) -> Appointment:
    """arrived / no-show (front desk and clinicians); in session / done (clinicians)."""
    membership = _require_booker(actor)
    own_book_check(membership, appointment.clinician_id)
    if status == rules.CANCELLED:
        raise ValidationError("Cancel with a reason instead.")
    if status in CLINICIAN_STEPS and not membership.is_clinician:
        raise PermissionDenied("Only the clinician starts and ends a session.")
    current = _locked(appointment)
    problem = rules.transition_problem(current.status, status)
    if problem:
        raise ValidationError(problem)
    before = current.status
    current.status, current.updated_at = status, timezone.now()
    fields = ["status", "updated_at"]
    if status == rules.ARRIVED:
        current.arrived_at = current.updated_at
        fields.append("arrived_at")
    current.save(update_fields=fields)
    audit_record(actor=actor, action="appointment.status", obj=current, detail={"from": before, "to": status})
    return current


# --- working hours ------------------------------------------------------------------------------
@transaction.atomic
def working_hours_add(*, actor: User, clinician: User, weekday: int, starts: time, ends: time) -> WorkingHours:
    membership = require_role(actor=actor, roles={Role.CLINIC_ADMIN}, reason=HOURS_REFUSAL)
    clinic = membership.clinic
    if not Membership.objects.filter(clinic=clinic, user_id=clinician.pk, is_clinician=True).exists():
        raise ValidationError({"clinician": "Choose a clinician of this clinic."})
    if weekday not in range(7):
        raise ValidationError({"weekday": "Choose a day of the week."})
    if ends <= starts:
        raise ValidationError({"ends": "Working hours end after they start (a block cannot cross midnight)."})
    others = WorkingHours.objects.filter(clinic=clinic, clinician_id=clinician.pk, weekday=weekday)
    for other in others:
        if other.starts < ends and starts < other.ends:
            raise ValidationError(
                {"starts": f"This block would overlap {other.starts:%H:%M}–{other.ends:%H:%M} on that day."}
            )
    block = WorkingHours.objects.create(clinic=clinic, clinician=clinician, weekday=weekday, starts=starts, ends=ends)
    audit_record(
        actor=actor,
        action="working_hours.add",
        obj=block,
        detail={"clinician": clinician.pk, "weekday": weekday, "starts": f"{starts:%H:%M}", "ends": f"{ends:%H:%M}"},
    )
    return block


@transaction.atomic
def working_hours_remove(*, actor: User, block_id: int) -> None:
    """Remove a block; appointments already booked in it stay (the day view shows them)."""
    membership = require_role(actor=actor, roles={Role.CLINIC_ADMIN}, reason=HOURS_REFUSAL)
    block = WorkingHours.objects.filter(clinic=membership.clinic, pk=block_id).first()
    if block is None:
        raise ValidationError("No such block of working hours.")
    audit_record(actor=actor, action="working_hours.remove", obj=block, detail={"clinician": block.clinician_id})
    block.delete()


# --- calendar feed ------------------------------------------------------------------------------
def feed_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def calendar_feed_regenerate(*, actor: User) -> str:
    """A new secret feed token for the acting clinician (the old URL stops working). Returns the
    token: only its digest is stored, so it is shown once."""
    membership = require_role(actor=actor, roles={Role.CLINICIAN}, reason=FEED_REFUSAL)
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        clinician=actor,
        defaults={"clinic": membership.clinic, "token_digest": feed_digest(token), "created_at": timezone.now()},
    )
    audit_record(
        actor=actor, action="calendar_feed.regenerate", object_type="scheduling.calendarfeed", object_id=actor.pk
    )
    return token


@transaction.atomic
def calendar_feed_revoke(*, actor: User) -> None:
    require_role(actor=actor, roles={Role.CLINICIAN}, reason=FEED_REFUSAL)
    CalendarFeed.objects.filter(clinician=actor).delete()
    audit_record(actor=actor, action="calendar_feed.revoke", object_type="scheduling.calendarfeed", object_id=actor.pk)


# --- reminders ----------------------------------------------------------------------------------
CHANNELS = (("email", "reminder_email_at", "patient__email"), ("sms", "reminder_sms_at", "patient__phone"))


def reminders_send_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Email and text the reminders of booked appointments starting within
    `APPOINTMENT_REMINDER_HOURS`, by the channels of the clinic's `reminder_channel` (email, SMS,
    both or none), to patients who have not opted out (`appointment_reminders_opt_out`). Run by
    `dryneedling send-due` (cron, concurrently safe): each reminder is claimed with a
    compare-and-set on its timestamp before it is sent, so it is sent once; a send that fails
    rolls its claim back and is tried on the next run. The job goes clinic by clinic with
    `for_clinic` (no unscoped access)."""
    now = now or timezone.now()
    horizon = now + timedelta(hours=settings.APPOINTMENT_REMINDER_HOURS)
    sent = 0
    for clinic in Clinic.objects.order_by("pk"):
        for channel, field, contact in CHANNELS:
            if sent >= limit:
                return sent
            if channel not in clinic.reminder_channels:
                continue  # the clinic's choice: email only, SMS only, or no reminders
            due = (
                Appointment.objects.for_clinic(clinic)
                .filter(status=rules.BOOKED, starts_at__gt=now, starts_at__lte=horizon, **{f"{field}__isnull": True})
                .exclude(**{contact: ""})
                .exclude(patient__appointment_reminders_opt_out=True)
                .order_by("starts_at")
                .values_list("pk", flat=True)
            )
            for pk in list(due[: limit - sent]):
                with transaction.atomic():
                    claimed = (
                        Appointment.objects.for_clinic(clinic)
                        .filter(pk=pk, status=rules.BOOKED, **{f"{field}__isnull": True})
                        .update(**{field: now})
                    )
                    if claimed != 1:
                        continue  # another runner claimed it, or it was cancelled a moment ago
                    appointment = (
                        Appointment.objects.for_clinic(clinic).select_related("patient", "appointment_type").get(pk=pk)
                    )
                    _send_reminder(clinic, appointment, channel)
                    audit_record(actor=None, action=f"appointment.remind_{channel}", clinic=clinic, obj=appointment)
                    sent += 1
    return sent


def reminder_text(clinic: Clinic, appointment: Appointment) -> str:
    """The reminder's text, in the clinic's zone (the job runs outside any request)."""
    local = zones.local(appointment.starts_at, clinic)
    context = {"clinic": clinic, "appointment": appointment, "local": local, "weekday": rules.WEEKDAYS[local.weekday()]}
    return zones.render_in_zone_of(clinic, "scheduling/reminder.txt", context).strip()


def _send_reminder(clinic: Clinic, appointment: Appointment, channel: str) -> None:
    subject = f"{clinic.name}: your appointment reminder"
    send_reminder(
        patient=appointment.patient, channel=channel, subject=subject, body=reminder_text(clinic, appointment)
    )


def acting_clinic(actor: User) -> Clinic:
    return membership_for(actor=actor).clinic
