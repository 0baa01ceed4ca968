"""Reads for the superbill: the billable session (signed only), its signature, and the patient's other
sessions on the same date of service. Scoped to the actor's clinic like every selector."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied

from dryneedling.accounts import zones
from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import SIGNED_SUPERBILL_ONLY, SUPERBILL, require
from dryneedling.patients.selectors import deny
from dryneedling.treatment.models import Note, Session


class SuperbillNotReady(PermissionDenied):
    """The session's note is not signed: there is no superbill yet, for any role (issue 11). The
    views answer 409 with these words (and, for clinicians, a link to the note)."""


def billable_session_get_for(*, actor: User, session_id: int) -> tuple[Session, Note]:
    """A session of the actor's clinic and its signed note, for the superbill. Every role holding
    SUPERBILL gets the same answer: another clinic's session is a recorded denial (404); a session
    whose note is not signed raises SuperbillNotReady (the bill follows the signed record)."""
    require(actor=actor, capability=SUPERBILL)
    session = (
        Session.objects.for_actor(actor)
        .select_related("patient", "episode", "clinician", "clinic")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise deny(actor=actor, object_type="session", object_id=session_id, model=Session)
    note = (
        Note.objects.for_record(session)
        .select_related("signed_by")
        .filter(session=session, signed_at__isnull=False)
        .first()
    )
    if note is None:
        raise SuperbillNotReady(SIGNED_SUPERBILL_ONLY)
    return session, note


def same_day_sessions_for(*, session: Session) -> list[Session]:
    """The patient's other sessions whose clinic-local date is this session's date of service,
    in the order they started: a payer usually expects one claim per date of service."""
    day = zones.local(session.started_at, session.clinic).date()
    nearby = (
        Session.objects.for_record(session)
        .filter(
            patient_id=session.patient_id,
            started_at__gte=session.started_at - timedelta(days=2),
            started_at__lte=session.started_at + timedelta(days=2),
        )
        .exclude(pk=session.pk)
        .select_related("clinician")
        .order_by("started_at", "id")
    )
    return [s for s in nearby if zones.local(s.started_at, session.clinic).date() == day]
