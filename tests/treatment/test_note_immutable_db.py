"""Signed notes and their amendments are immutable in the database, not only in the service:
the triggers of treatment/0004 refuse a raw UPDATE or DELETE (as the audit rows' triggers do)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from dryneedling.treatment.models import Note, NoteAmendment
from dryneedling.treatment.services.note import note_amend, note_sign
from tests.treatment.conftest import finish, record


def _guard_on() -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE dryneedling_audit_guard SET purge_allowed = 0")


@pytest.fixture
def signed(alice, session_a):  # type: ignore[no-untyped-def]
    record(alice, session_a)
    session_a.refresh_from_db()
    finish(alice, session_a)
    note = Note.unscoped.get(session=session_a)
    note_sign(actor=alice, session_id=session_a.pk, expected_version=note.version)
    amendment = note_amend(
        actor=alice, session_id=session_a.pk, section="plan", text="Heat at home.", reason="Phone follow-up"
    )
    note.refresh_from_db()
    return note, amendment


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change", [{"assessment": "Rewritten."}, {"plan": ""}, {"signed_at": None}, {"signed_by": None}]
)
def test_a_signed_note_cannot_be_rewritten_in_the_database(signed, change):
    note, _ = signed
    _guard_on()
    with pytest.raises(DatabaseError), transaction.atomic():
        Note.unscoped.filter(pk=note.pk).update(**change)
    note.refresh_from_db()
    assert note.signed_at is not None and note.plan != ""


@pytest.mark.django_db
def test_a_signed_note_cannot_be_deleted(signed):
    note, _ = signed
    _guard_on()
    with pytest.raises(DatabaseError), transaction.atomic():
        Note.unscoped.filter(pk=note.pk).delete()
    assert Note.unscoped.filter(pk=note.pk).exists()


@pytest.mark.django_db
def test_amendments_cannot_be_updated_or_deleted(signed):
    _, amendment = signed
    _guard_on()
    with pytest.raises(DatabaseError), transaction.atomic():
        NoteAmendment.unscoped.filter(pk=amendment.pk).update(text="Forged.")
    with pytest.raises(DatabaseError), transaction.atomic():
        NoteAmendment.unscoped.filter(pk=amendment.pk).delete()
    assert NoteAmendment.unscoped.get(pk=amendment.pk).text == "Heat at home."


@pytest.mark.django_db
def test_a_draft_note_stays_editable_in_the_database(alice, session_a):
    record(alice, session_a)
    session_a.refresh_from_db()
    finish(alice, session_a)
    _guard_on()
    assert Note.unscoped.filter(session=session_a).update(plan="Draft change.", updated_at=timezone.now()) == 1
