"""Signed notes are immutable (amendments only), serious side effects open tasks, billing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dryneedling.accounts.models import AuditEvent
from dryneedling.care.adverse import adverse_event_record
from dryneedling.followup.models import Alert
from dryneedling.followup.services import alert_acknowledge
from dryneedling.treatment.billing import superbill_for
from dryneedling.treatment.models import FeeScheduleItem, Note, NoteAmendment
from dryneedling.treatment.services.common import EditConflict
from dryneedling.treatment.services.fees import fee_set
from dryneedling.treatment.services.note import note_amend, note_sign, note_update
from tests.treatment.conftest import finish, record, sign_note, start_session


@pytest.fixture
def completed(alice, session_a):  # type: ignore[no-untyped-def]
    record(alice, session_a)
    session_a.refresh_from_db()
    finish(alice, session_a)
    return session_a


@pytest.mark.django_db
def test_signed_note_is_read_only_and_amendments_keep_the_original(alice, completed):
    note = Note.unscoped.get(session=completed)
    note_update(
        actor=alice, session_id=completed.pk, expected_version=note.version, sections={"assessment": "Tolerated well."}
    )
    note.refresh_from_db()
    note_sign(actor=alice, session_id=completed.pk, expected_version=note.version)
    with pytest.raises(ValidationError, match="signed and read-only"):
        note_update(
            actor=alice,
            session_id=completed.pk,
            expected_version=note.version + 1,
            sections={"assessment": "Changed my mind."},
        )
    amendment = note_amend(
        actor=alice,
        session_id=completed.pk,
        section="assessment",
        text="Patient called: soreness settled in 24 h.",
        reason="Phone follow-up",
    )
    note.refresh_from_db()
    assert note.assessment == "Tolerated well."  # the signed text stays as signed
    assert NoteAmendment.unscoped.get(pk=amendment.pk).author == alice
    assert {"note.sign", "note.amend"} <= set(AuditEvent.objects.values_list("action", flat=True))


@pytest.mark.django_db
def test_amendment_needs_a_reason_and_a_signed_note(alice, completed):
    note = Note.unscoped.get(session=completed)
    with pytest.raises(ValidationError, match="not signed"):
        note_amend(actor=alice, session_id=completed.pk, section="plan", text="x", reason="because")
    note_sign(actor=alice, session_id=completed.pk, expected_version=note.version)
    with pytest.raises(ValidationError):
        note_amend(actor=alice, session_id=completed.pk, section="plan", text="More heat.", reason="")


@pytest.mark.django_db
def test_two_editors_of_one_note_get_a_conflict(alice, completed):
    note = Note.unscoped.get(session=completed)
    opened = note.version
    note_update(actor=alice, session_id=completed.pk, expected_version=opened, sections={"plan": "First"})
    with pytest.raises(EditConflict):
        note_update(actor=alice, session_id=completed.pk, expected_version=opened, sections={"plan": "Second"})
    note.refresh_from_db()
    assert note.plan == "First"


@pytest.mark.django_db
def test_serious_event_opens_a_task_until_resolved(alice, session_a):
    mild = adverse_event_record(actor=alice, session=session_a, kind="bruising", severity="mild", onset="during")
    assert not Alert.unscoped.filter(adverse_event=mild).exists()
    serious = adverse_event_record(
        actor=alice,
        session=session_a,
        kind="pneumothorax",
        severity="serious",
        onset="after",
        management="Sent to the emergency department",
    )
    task = Alert.unscoped.get(adverse_event=serious)
    assert task.acknowledged_at is None
    with pytest.raises(ValidationError):
        alert_acknowledge(actor=alice, alert_id=task.pk, resolution="")
    alert_acknowledge(actor=alice, alert_id=task.pk, resolution="Chest X-ray clear; discharged.")
    task.refresh_from_db()
    serious.refresh_from_db()
    assert task.acknowledged_at is not None and serious.resolved_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(("field", "value"), [("kind", "alien_abduction"), ("severity", "mega"), ("onset", "never")])
def test_bad_side_effect_input_is_refused(alice, session_a, field, value):
    data = {"kind": "bruising", "severity": "mild", "onset": "during"} | {field: value}
    with pytest.raises(ValidationError) as caught:
        adverse_event_record(actor=alice, session=session_a, **data)
    assert field in caught.value.message_dict


@pytest.mark.django_db
def test_superbill_uses_distinct_muscles_episode_codes_and_fees(alice, dana, session_a, ready_episode):
    fee_set(actor=dana, code="20560", amount="85")
    fee_set(actor=dana, code="20561", amount="110.00")
    record(alice, session_a)  # gluteus medius right
    record(alice, session_a)  # the same muscle again: still one muscle
    sign_note(alice, session_a)  # only a signed session has a superbill (issue 11)
    bill = superbill_for(actor=alice, session_id=session_a.pk)
    assert bill["cpt"].code == "20560" and bill["cpt"].muscle_count == 1
    assert [line.code for line in bill["bill"].lines] == ["20560"]
    assert bill["bill"].total == Decimal("85.00")
    assert [c.code for c in bill["conditions"]] == ["M54.2"]
    session = start_session(alice, ready_episode)  # a second session: three muscles
    for muscle in ("gluteus_medius", "tensor_fasciae_latae", "vastus_lateralis"):
        record(alice, session, muscle_id=muscle)
    sign_note(alice, session)
    bill = superbill_for(actor=alice, session_id=session.pk)
    assert bill["cpt"].code == "20561" and bill["bill"].total == Decimal("110.00")


@pytest.mark.django_db
def test_medicare_without_an_abn_gets_gy_not_gx_and_acupuncture_codes_never_appear(alice, ready_episode):
    session = start_session(alice, ready_episode, payer="medicare")
    record(alice, session)
    sign_note(alice, session)
    bill = superbill_for(actor=alice, session_id=session.pk)
    line = bill["bill"].lines[0]
    assert line.modifiers == ("GY",)  # GX only with a signed ABN (issue 11)
    assert not {"97810", "97811", "97813", "97814"} & {ln.code for ln in bill["bill"].lines}
    assert any("fee schedule has no fee" in p for p in bill["problems"])


@pytest.mark.django_db
def test_only_clinic_admins_set_fees(alice, dana):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        fee_set(actor=alice, code="20560", amount="80")
    with pytest.raises(ValidationError):
        fee_set(actor=dana, code="97810", amount="80")
    with pytest.raises(ValidationError):
        fee_set(actor=dana, code="20560", amount="lots")
    assert not FeeScheduleItem.objects.exists()
