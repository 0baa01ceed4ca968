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
from dryneedling.treatment.services.chart import FINDING_FIELDS, validate_finding
from dryneedling.treatment.services.common import require_clinician
from dryneedling.treatment.services.note import note_redraft_unedited
from dryneedling.treatment.soap_record import soap_for_session

# What was found, not where on the chart it was placed.
FINDING_CORRECTABLE = tuple(field for field in FINDING_FIELDS if field not in ("view", "x", "y"))
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


def _open_for_correction(changes: dict[str, Any], correctable: tuple[str, ...], refusal: str, reason: str) -> str:
    """Refuse unknown fields and a record a signed note holds; the cleaned reason."""
    unknown = set(changes) - set(correctable)
    if unknown:
        raise ValidationError(f"These cannot be corrected: {', '.join(sorted(unknown))}.")
    if refusal:
        raise ValidationError(refusal)
    return _reason(reason)


@transaction.atomic
def finding_correct(*, actor: User, finding: Finding, changes: dict[str, Any], reason: str = "") -> Finding:
    """Correct a charted finding while no signed note holds it; the unedited sections of the draft
    notes that hold it follow."""
    require_clinician(actor)
    finding = finding_get_for(actor=actor, finding_id=finding.pk)
    reason = _open_for_correction(changes, FINDING_CORRECTABLE, finding_correction_refusal(finding), reason)
    current = {field: getattr(finding, field) for field in ("view", "x", "y", *FINDING_CORRECTABLE)}
    data = current | changes
    data["referral_regions"] = list(data["referral_regions"] or [])
    validate_finding(data)
    diff = _diff(current, {field: data[field] for field in FINDING_CORRECTABLE})
    if diff:
        notes = list(notes_covering_finding(finding))
        for field in diff:
            setattr(finding, field, data[field])
        _save(actor, finding, diff, reason, fields=list(diff), action="finding.correct", notes=notes)
    return finding


@transaction.atomic
def adverse_event_correct(
    *, actor: User, event: AdverseEvent, changes: dict[str, Any], reason: str = ""
) -> AdverseEvent:
    """Correct a recorded side effect while its session's note is not signed. (The care layer
    opens the follow-up of one corrected to serious: `dryneedling.care.adverse`.)"""
    require_clinician(actor)
    event = adverse_event_get_for(actor=actor, event_id=event.pk)
    reason = _open_for_correction(changes, EVENT_CORRECTABLE, adverse_event_correction_refusal(event), reason)
    current = {field: getattr(event, field) for field in EVENT_CORRECTABLE if field != "resolved"}
    current["resolved"] = event.resolved_at is not None
    data = current | changes
    data["resolved"] = bool(data["resolved"])
    for field in EVENT_FREE_TEXT:
        data[field] = str(data[field] or "").strip()
    validate_event(**{field: data[field] for field in ("kind", "severity", "onset", "management", "notes")})
    diff = _diff(current, data)
    if diff:
        note = _event_note(event)
        for field in diff:
            if field == "resolved":
                event.resolved_at = timezone.now() if data["resolved"] else None
            else:
                setattr(event, field, data[field])
        fields = [("resolved_at" if field == "resolved" else field) for field in diff]
        notes = [note] if note is not None else []
        _save(actor, event, diff, reason, fields=fields, action="adverse_event.correct", notes=notes)
    return event


def _save(
    actor: User,
    record: Finding | AdverseEvent,
    diff: dict[str, list[Any]],
    reason: str,
    *,
    fields: list[str],
    action: str,
    notes: list[Note],
) -> None:
    """Save the corrected `record` (its fields already set) with its history entry, audit it, and
    draft again what the draft notes holding it still say as drafted."""
    # Read from the database before the save: the record as the draft notes knew it.
    drafts = [(note, soap_for_session(note.session)) for note in notes]
    record.corrections = [*record.corrections, _entry(actor, diff, reason)]
    record.save(update_fields=[*fields, "corrections"])
    free_text = EVENT_FREE_TEXT if isinstance(record, AdverseEvent) else ()
    _audit(actor=actor, action=action, obj=record, changes=diff, reason=reason, free_text=free_text)
    _redraft(actor, drafts)


def _redraft(actor: User, drafts: list[tuple[Note, SoapNote]]) -> list[str]:
    edited = []
    for note, before in drafts:
        note.refresh_from_db()
        edited += note_redraft_unedited(actor=actor, note=note, before=before)
    return sorted(set(edited))
