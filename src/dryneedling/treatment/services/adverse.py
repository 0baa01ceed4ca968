"""Side effects during or after a session, and the follow-up tasks serious ones open."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.clinical.knowledge import get_knowledge
from dryneedling.treatment.models import AdverseEvent, FollowUpTask, Session, Severity
from dryneedling.treatment.selectors import session_get_for
from dryneedling.treatment.services.common import require_clinician


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
    onset_at = onset_at or timezone.now()
    if onset_at > timezone.now() + timedelta(minutes=5) or onset_at < session.started_at - timedelta(hours=1):
        raise ValidationError({"onset_at": "The onset must lie between the session's start and now."})
    for field, value in (("management", management), ("notes", notes)):
        if len(value) > 1000 or "\x00" in value:
            raise ValidationError({field: "At most 1000 characters, no control characters."})
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
    if severity == Severity.SERIOUS:
        task = FollowUpTask.objects.create(clinic=session.clinic, patient=session.patient, adverse_event=event)
        audit_record(actor=actor, action="followup_task.create", obj=task, detail={"adverse_event_id": event.pk})
    return event


@transaction.atomic
def followup_task_resolve(*, actor: User, task_id: int, resolution: str) -> FollowUpTask:
    require_clinician(actor)
    task = FollowUpTask.objects.for_actor(actor).select_for_update().filter(pk=task_id).first()
    if task is None:
        raise ValidationError("No such follow-up task.")
    if task.resolved_at is not None:
        raise ValidationError("This task is resolved already.")
    resolution = resolution.strip()
    if not 5 <= len(resolution) <= 1000:
        raise ValidationError({"resolution": "Say how it was resolved (5-1000 characters)."})
    task.resolved_at, task.resolved_by, task.resolution = timezone.now(), actor, resolution
    task.save(update_fields=["resolved_at", "resolved_by", "resolution"])
    event = task.adverse_event
    if event.resolved_at is None:
        event.resolved_at = task.resolved_at
        event.save(update_fields=["resolved_at"])
    audit_record(actor=actor, action="followup_task.resolve", obj=task)
    return task
