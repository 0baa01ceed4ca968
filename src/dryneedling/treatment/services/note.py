"""The SOAP note: drafted from the structured record, edited, signed, then only amended."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import User
from dryneedling.accounts.permissions import SIGN_NOTES
from dryneedling.clinical.soap import SoapNote
from dryneedling.treatment.models import Note, NoteAmendment, Session
from dryneedling.treatment.selectors import note_get_for
from dryneedling.treatment.services.common import bump_version, require_clinician
from dryneedling.treatment.soap_record import soap_for_session

SIGNED_MESSAGE = "This note is signed and read-only. Add an amendment with your reason instead."


def _clean_sections(sections: dict[str, str]) -> dict[str, str]:
    unknown = set(sections) - set(Note.SECTIONS)
    if unknown:
        raise ValidationError(f"Unknown note sections: {', '.join(sorted(unknown))}.")
    clean = {}
    for name, text in sections.items():
        if len(text) > 10000 or "\x00" in text:
            raise ValidationError({name: "At most 10,000 characters, no control characters."})
        clean[name] = text.strip()
    return clean


@transaction.atomic
def note_create_draft(*, actor: User, session: Session) -> Note:
    soap = soap_for_session(session)
    note = Note.objects.create(
        clinic=session.clinic,
        session=session,
        subjective=soap.subjective,
        objective=soap.objective,
        assessment=soap.assessment,
        plan=soap.plan,
    )
    audit_record(actor=actor, action="note.create", obj=note, detail={"session_id": session.pk})
    return note


def note_redraft_unedited(*, actor: User, note: Note, before: SoapNote) -> list[str]:
    """After a correction of the record under a draft note: the sections still as drafted (equal to
    `before`, the draft of the record before the correction) are drafted again; sections the
    clinician edited are left alone and returned, so the page can say to correct them by hand."""
    if note.signed_at is not None:
        raise ValidationError(SIGNED_MESSAGE)
    after = soap_for_session(note.session)
    redrafted, edited = {}, []
    for section in Note.SECTIONS:
        old, new = getattr(before, section), getattr(after, section)
        if old == new:
            continue
        if getattr(note, section) == old:
            redrafted[section] = new
        else:
            edited.append(section)
    if redrafted:
        bump_version(note, expected=note.version, updated_at=timezone.now(), **redrafted)
        audit_record(actor=actor, action="note.redraft", obj=note, detail={"fields": sorted(redrafted)})
    return edited


@transaction.atomic
def note_update(*, actor: User, session_id: int, expected_version: int, sections: dict[str, str]) -> Note:
    require_clinician(actor)
    note = note_get_for(actor=actor, session_id=session_id)
    if note.signed_at is not None:
        raise ValidationError(SIGNED_MESSAGE)
    clean = _clean_sections(sections)
    bump_version(note, expected=expected_version, updated_at=timezone.now(), **clean)
    audit_record(actor=actor, action="note.update", obj=note, detail={"fields": sorted(clean)})
    return note


@transaction.atomic
def note_signer_check(*, actor: User, note: Note) -> None:
    """PermissionDenied (in words) unless `actor` may sign `note`: the clinician who ran the session."""
    require_clinician(actor, reason=SIGN_NOTES.refusal)
    if note.session.clinician_id != actor.pk:
        # The signature says "I did this": only the clinician who ran the session gives it.
        raise PermissionDenied(SIGN_NOTES.refusal)


@transaction.atomic
def note_sign(*, actor: User, session_id: int, expected_version: int, sections: dict[str, str] | None = None) -> Note:
    """Sign the note. `sections` is the text on the clinician's screen (issue 11): it is saved and
    signed in the one write, so text typed and signed without "Save draft" is what is signed."""
    note = note_get_for(actor=actor, session_id=session_id)
    note_signer_check(actor=actor, note=note)
    if note.signed_at is not None:
        raise ValidationError("This note is signed already.")
    clean = _clean_sections(sections or {})
    changed = sorted(name for name, text in clean.items() if getattr(note, name) != text)
    bump_version(note, expected=expected_version, signed_at=timezone.now(), signed_by=actor, **clean)
    if changed:
        audit_record(actor=actor, action="note.update", obj=note, detail={"fields": changed})
    audit_record(actor=actor, action="note.sign", obj=note)
    return note


@transaction.atomic
def note_amend(*, actor: User, session_id: int, section: str, text: str, reason: str) -> NoteAmendment:
    require_clinician(actor)
    note = note_get_for(actor=actor, session_id=session_id)
    if note.signed_at is None:
        raise ValidationError("The note is not signed yet: edit it directly.")
    if section not in Note.SECTIONS:
        raise ValidationError({"section": "Choose the section the amendment belongs to."})
    clean = _clean_sections({section: text})[section]
    reason = reason.strip()
    if not clean:
        raise ValidationError({"text": "Write the amendment."})
    if not 5 <= len(reason) <= 500 or "\x00" in reason:
        raise ValidationError({"reason": "Give the reason for the amendment (5-500 characters)."})
    amendment = NoteAmendment.objects.create(note=note, section=section, text=clean, reason=reason, author=actor)
    audit_record(actor=actor, action="note.amend", obj=note, detail={"amendment_id": amendment.pk})
    return amendment
