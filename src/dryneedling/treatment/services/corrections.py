"""Corrections of a charted finding or a recorded side effect, allowed until a signed note holds
them (issue 10). Each keeps its before and after on the record (`corrections`) and in the audit
trail; free text (a side effect's management and notes) is named in the trail, its values kept on
the record only, as the trail holds no patient data (docs/decisions.md)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.clinical.soap import SoapNote
from dryneedling.treatment.models import AdverseEvent, Finding, Note
from dryneedling.treatment.selectors import adverse_event_get_for, finding_get_for, notes_covering_finding
from dryneedling.treatment.services.adverse import validate_event
from dryneedling.treatment.services.chart import validate_finding
from dryneedling.treatment.services.common import require_clinician
from dryneedling.treatment.services.note import note_redraft_unedited
from dryneedling.treatment.soap_record import soap_for_session

FINDING_CORRECTABLE = (
    "muscle_id",
    "side",
    "status",
    "taut_band",
    "tenderness",
    "familiar_pain",
    "referral_reproduced",
    "referral_regions",
    "ppt_kg_cm2",
)
EVENT_CORRECTABLE = ("kind", "severity", "onset", "management", "notes", "resolved")
EVENT_FREE_TEXT = ("management", "notes")


def _signed_refusal(what: str, note: Note) -> str:
    return (
        f"{what} is part of the note of the session of {note.session.started_at:%Y-%m-%d}, signed on "
        f"{note.signed_at:%Y-%m-%d}: a signed record is not changed. Add an amendment to that note instead."
    )


def finding_correction_refusal(finding: Finding) -> str:
    """Why `finding` can no longer be corrected (a signed note holds it), or "" while it can."""
    signed = notes_covering_finding(finding).filter(signed_at__isnull=False).first()
    return _signed_refusal("This finding", signed) if signed is not None else ""


def _event_note(event: AdverseEvent) -> Note | None:
    return Note.objects.for_clinic(event.clinic_id).select_related("session").filter(session=event.session_id).first()


def adverse_event_correction_refusal(event: AdverseEvent) -> str:
    """Why `event` can no longer be corrected (its session's note is signed), or "" while it can."""
    note = _event_note(event)
    return _signed_refusal("This side effect", note) if note is not None and note.signed_at is not None else ""


def _json(value: Any) -> Any:
    return str(value) if isinstance(value, (Decimal, datetime)) else value


def _diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {field: [_json(before[field]), _json(after[field])] for field in after if before[field] != after[field]}


def _reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) > 500 or "\x00" in reason:
        raise ValidationError({"reason": "At most 500 characters, no control characters."})
    return reason


def _entry(actor: User, changes: dict[str, list[Any]], reason: str) -> dict[str, Any]:
    return {"at": timezone.now().isoformat(), "by": actor.pk, "changes": changes, "reason": reason}


def _audit(
    *, actor: User, action: str, obj: Any, changes: dict[str, list[Any]], reason: str, free_text: tuple[str, ...] = ()
) -> None:
    coded = {field: change for field, change in changes.items() if field not in free_text}
    detail = {
        "fields": sorted(changes),
        "before": {field: change[0] for field, change in coded.items()},
        "after": {field: change[1] for field, change in coded.items()},
        "reason_given": bool(reason),
    }
    audit_record(actor=actor, action=action, obj=obj, detail=detail)


@transaction.atomic
def finding_correct(*, actor: User, finding: Finding, changes: dict[str, Any], reason: str = "") -> Finding:
    """Correct a charted finding while no signed note holds it; the unedited sections of the draft
    notes that hold it follow."""
    require_clinician(actor)
    finding = finding_get_for(actor=actor, finding_id=finding.pk)
    unknown = set(changes) - set(FINDING_CORRECTABLE)
    if unknown:
        raise ValidationError(f"These cannot be corrected: {', '.join(sorted(unknown))}.")
    refusal = finding_correction_refusal(finding)
    if refusal:
        raise ValidationError(refusal)
    notes = list(notes_covering_finding(finding))
    reason = _reason(reason)
    current = {field: getattr(finding, field) for field in ("view", "x", "y", *FINDING_CORRECTABLE)}
    data = current | changes
    data["referral_regions"] = list(data["referral_regions"] or [])
    validate_finding(data)
    diff = _diff(current, {field: data[field] for field in FINDING_CORRECTABLE})
    if not diff:
        return finding
    drafts = [(note, soap_for_session(note.session)) for note in notes]
    for field in diff:
        setattr(finding, field, data[field])
    finding.corrections = [*finding.corrections, _entry(actor, diff, reason)]
    finding.save(update_fields=[*diff, "corrections"])
    _audit(actor=actor, action="finding.correct", obj=finding, changes=diff, reason=reason)
    _redraft(actor, drafts)
    return finding


@transaction.atomic
def adverse_event_correct(
    *, actor: User, event: AdverseEvent, changes: dict[str, Any], reason: str = ""
) -> AdverseEvent:
    """Correct a recorded side effect while its session's note is not signed. (The care layer
    opens the follow-up of one corrected to serious: `dryneedling.care.adverse`.)"""
    require_clinician(actor)
    event = adverse_event_get_for(actor=actor, event_id=event.pk)
    unknown = set(changes) - set(EVENT_CORRECTABLE)
    if unknown:
        raise ValidationError(f"These cannot be corrected: {', '.join(sorted(unknown))}.")
    refusal = adverse_event_correction_refusal(event)
    if refusal:
        raise ValidationError(refusal)
    note = _event_note(event)
    reason = _reason(reason)
    current = {field: getattr(event, field) for field in EVENT_CORRECTABLE if field != "resolved"}
    current["resolved"] = event.resolved_at is not None
    data = current | changes
    data["resolved"] = bool(data["resolved"])
    for field in EVENT_FREE_TEXT:
        data[field] = str(data[field] or "").strip()
    validate_event(**{field: data[field] for field in ("kind", "severity", "onset", "management", "notes")})
    diff = _diff(current, data)
    if not diff:
        return event
    drafts = [(note, soap_for_session(note.session))] if note is not None else []
    for field in diff:
        if field == "resolved":
            event.resolved_at = timezone.now() if data["resolved"] else None
        else:
            setattr(event, field, data[field])
    event.corrections = [*event.corrections, _entry(actor, diff, reason)]
    fields = [("resolved_at" if field == "resolved" else field) for field in diff]
    event.save(update_fields=[*fields, "corrections"])
    _audit(
        actor=actor, action="adverse_event.correct", obj=event, changes=diff, reason=reason, free_text=EVENT_FREE_TEXT
    )
    _redraft(actor, drafts)
    return event


def _redraft(actor: User, drafts: list[tuple[Note, SoapNote]]) -> list[str]:
    edited = []
    for note, before in drafts:
        note.refresh_from_db()
        edited += note_redraft_unedited(actor=actor, note=note, before=before)
    return sorted(set(edited))
