"""Post-needling soreness readings of a session (issue 11): the 0 h one the clinician enters, the
24/48/72 h ones the patient gives through the session's one soreness link, and the trend.

The rule of which reading is due when is clinical/soreness.py. The soreness check-in keeps its
meaning (answered at the patient's first reading, with the side effects and whether it has settled);
its link stays open for the later readings until the 72 h window closes (followup.links).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from dryneedling.accounts import zones
from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.clinical import soreness as rule
from dryneedling.followup.models import CheckIn, SorenessReading
from dryneedling.treatment.models import Session
from dryneedling.treatment.services.common import require_clinician


def anchor_of(session: Session) -> datetime:
    """The moment the readings count from: the end of the session (its start if never ended)."""
    return session.ended_at or session.started_at


def elapsed_hours(session: Session, now: datetime | None = None) -> float:
    return ((now or timezone.now()) - anchor_of(session)).total_seconds() / 3600


def taken_hours(session: Session) -> list[int]:
    return list(SorenessReading.objects.for_record(session).filter(session=session).values_list("hours", flat=True))


def due_for(check_in: CheckIn, now: datetime | None = None) -> rule.Due:
    """The patient reading the soreness link asks for now."""
    session = check_in.session
    return rule.due_at(elapsed_hours(session, now), taken_hours(session))


def link_open(check_in: CheckIn, now: datetime) -> bool:
    """Whether an answered soreness check-in's link still takes readings (one due or to come)."""
    session = check_in.session
    return rule.later_readings_possible(elapsed_hours(session, now), taken_hours(session))


@dataclass(frozen=True)
class DueWords:
    """What the patient's page says about the readings: the one asked now and the next one."""

    hours: int | None
    closes: datetime | None
    next_hours: int | None
    opens: datetime | None


def due_words(check_in: CheckIn, now: datetime | None = None) -> DueWords:
    due = due_for(check_in, now)
    anchor = anchor_of(check_in.session)
    closes = anchor + timedelta(hours=due.closes_at_hours) if due.closes_at_hours is not None else None
    opens = anchor + timedelta(hours=due.opens_at_hours) if due.opens_at_hours is not None else None
    return DueWords(hours=due.hours, closes=closes, next_hours=due.next_hours, opens=opens)


def after_reading(check_in: CheckIn, now: datetime | None = None) -> DueWords:
    """The next reading after the one just taken (for the thank-you page)."""
    session = check_in.session
    later = rule.due_at(elapsed_hours(session, now) + 2 * rule.TOLERANCE_HOURS, taken_hours(session))
    hours = later.hours if later.hours is not None else later.next_hours
    if hours is None:
        return DueWords(None, None, None, None)
    low, _ = rule.window(hours)
    return DueWords(None, None, hours, anchor_of(session) + timedelta(hours=low))


def refusal(check_in: CheckIn, now: datetime | None = None) -> str | None:
    """Why no reading is taken now, in words for the patient (None when one is due)."""
    words = due_words(check_in, now)
    if words.hours is not None:
        return None
    if words.next_hours is not None and words.opens is not None:
        return (
            f"Your {words.next_hours}-hour soreness reading is not due yet: please come back from "
            f"{zones.local(words.opens, check_in.clinic):%A %d %B, %H:%M}."
        )
    return "The soreness readings of this session are over: there is nothing more to send."


def reading_from_patient(check_in: CheckIn, *, score: int, now: datetime | None = None) -> SorenessReading:
    """Store the reading due now (inside the caller's transaction); a ValidationError in words when
    none is due or the same reading was sent a moment ago from another window."""
    now = now or timezone.now()
    message = refusal(check_in, now)
    if message:
        raise ValidationError(message)
    hours = due_for(check_in, now).hours
    assert hours is not None
    try:
        with transaction.atomic():
            reading = SorenessReading.objects.create(
                clinic=check_in.clinic,
                patient=check_in.patient,
                session=check_in.session,
                check_in=check_in,
                hours=hours,
                score=score,
                source=SorenessReading.Source.PATIENT,
                recorded_at=now,
            )
    except IntegrityError:  # the same reading sent from another tab a moment ago
        raise ValidationError(f"Your {hours}-hour soreness reading has been sent already.") from None
    audit_record(
        actor=None,
        action="soreness_reading.create",
        clinic=check_in.clinic,
        obj=reading,
        patient_id=check_in.patient_id,
        detail={"hours": hours, "source": "patient", "via": "patient link"},
    )
    return reading


@transaction.atomic
def soreness_reading_at_session_end(*, actor: User, session: Session, score: Any) -> SorenessReading:
    """The clinician's 0 h reading at the end of a completed session; entering it again corrects it
    (audited with the score before and after)."""
    require_clinician(actor)
    session = Session.objects.for_actor(actor).select_for_update().filter(pk=session.pk).first() or session
    if session.status != Session.Status.COMPLETED:
        raise ValidationError({"score": "Complete the session first: the 0 h reading is taken at its end."})
    try:
        value = rule.check_score(score)
    except ValueError as error:
        raise ValidationError({"score": str(error)}) from None
    existing = SorenessReading.objects.for_actor(actor).filter(session=session, hours=rule.CLINIC_HOURS).first()
    before = existing.score if existing else None
    if existing is None:
        reading = SorenessReading.objects.create(
            clinic=session.clinic,
            patient=session.patient,
            session=session,
            hours=rule.CLINIC_HOURS,
            score=value,
            source=SorenessReading.Source.CLINIC,
            entered_by=actor,
        )
    else:
        existing.score, existing.entered_by, existing.recorded_at = value, actor, timezone.now()
        existing.save(update_fields=["score", "entered_by", "recorded_at"])
        reading = existing
    audit_record(
        actor=actor,
        action="soreness_reading.create" if existing is None else "soreness_reading.correct",
        obj=reading,
        detail={"hours": rule.CLINIC_HOURS, "source": "clinic", "before": before, "after": value},
    )
    return reading
