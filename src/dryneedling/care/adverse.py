"""A side effect across the apps: treatment records it; a serious one opens its follow-up alert."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction

from dryneedling.accounts.models import User
from dryneedling.followup.models import Alert
from dryneedling.followup.services import alert_for_side_effect
from dryneedling.treatment.models import AdverseEvent, Session
from dryneedling.treatment.services.adverse import adverse_event_record as record_in_treatment
from dryneedling.treatment.services.corrections import adverse_event_correct as correct_in_treatment


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
    """Record the side effect and, when it is serious, open its follow-up in the same transaction."""
    recorded = record_in_treatment(
        actor=actor,
        session=session,
        kind=kind,
        severity=severity,
        onset=onset,
        onset_at=onset_at,
        management=management,
        notes=notes,
        resolved=resolved,
    )
    alert_for_side_effect(actor=actor, event=recorded)
    return recorded


@transaction.atomic
def adverse_event_correct(
    *, actor: User, event: AdverseEvent, changes: dict[str, Any], reason: str = ""
) -> AdverseEvent:
    """Correct the side effect before its note is signed; one corrected to serious opens its
    follow-up (once), as if it had been recorded so."""
    corrected = correct_in_treatment(actor=actor, event=event, changes=changes, reason=reason)
    if not Alert.objects.for_clinic(corrected.clinic_id).filter(adverse_event=corrected).exists():
        alert_for_side_effect(actor=actor, event=corrected)
    return corrected
