"""Side effects during or after a session. A serious one opens a follow-up alert (`followup.Alert`);
the care layer does both in one transaction (`dryneedling.care.adverse`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.treatment.models import AdverseEvent, Session, Severity
from dryneedling.treatment.selectors import session_get_for
from dryneedling.treatment.services.common import require_clinician


def validate_event(*, kind: str, severity: str, onset: str, management: str, notes: str) -> None:
    """A side effect's kind and severity as the knowledge base allows them, and its texts."""
    effect = get_knowledge().side_effects.get(kind)
    if effect is None:
        raise ValidationError({"kind": "Choose a side effect from the list."})
    if severity not in Severity.values:
        raise ValidationError({"severity": "Choose mild, significant or serious."})
    if severity not in effect.allowed_severities:
        raise ValidationError(
            {"severity": f"{effect.name} is recorded as {' or '.join(effect.allowed_severities)} (knowledge base)."}
        )
    if onset not in AdverseEvent.Onset.values:
        raise ValidationError({"onset": "Choose when it started."})
    for field, value in (("management", management), ("notes", notes)):
        if len(value) > 1000 or "\x00" in value:
            raise ValidationError({field: "At most 1000 characters, no control characters."})


@transaction.atomic
def adverse_event_record(
    *,
    actor: User,
    session: Session,
    kind: str,
    severity: str,
    onset: str,
    onset_at: datetime | None = None,
    management: str = "",
    notes: str = "",
    resolved: bool = False,
) -> AdverseEvent:
    require_clinician(actor)
    session = session_get_for(actor=actor, session_id=session.pk)
    validate_event(kind=kind, severity=severity, onset=onset, management=management, notes=notes)
    onset_at = onset_at or timezone.now()
    if onset_at > timezone.now() + timedelta(minutes=5) or onset_at < session.started_at - timedelta(hours=1):
        raise ValidationError({"onset_at": "The onset must lie between the session's start and now."})
    event = AdverseEvent.objects.create(
        clinic=session.clinic,
        patient=session.patient,
        session=session,
        kind=kind,
        severity=severity,
        onset=onset,
        onset_at=onset_at,
        management=management.strip(),
        notes=notes.strip(),
        recorded_by=actor,
        resolved_at=timezone.now() if resolved else None,
    )
    audit_record(actor=actor, action="adverse_event.create", obj=event, detail={"session_id": session.pk})
    return event


def adverse_event_mark_resolved(*, event: AdverseEvent, at: datetime) -> AdverseEvent:
    """Mark a side effect resolved when its follow-up is (no-op if it was resolved already). The
    caller checked the actor and audits the resolution of the follow-up it belongs to."""
    if event.resolved_at is None:
        event.resolved_at = at
        event.save(update_fields=["resolved_at"])
    return event
