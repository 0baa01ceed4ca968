"""The care layer: what crosses apps happens here, and treatment's own services do only treatment."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dryneedling.accounts.models import AuditEvent
from dryneedling.care.adverse import adverse_event_record
from dryneedling.care.session import insertion_check, session_complete, session_gate_for, session_start
from dryneedling.followup.models import Alert, CheckIn
from dryneedling.followup.services import alert_acknowledge
from dryneedling.safetyrecords.models import TrainingRecord
from dryneedling.treatment.models import Note, Session
from dryneedling.treatment.services import insertion as treatment_insertion
from dryneedling.treatment.services import session as treatment_session
from dryneedling.treatment.services.adverse import adverse_event_record as treatment_adverse_event_record
from tests.treatment.conftest import CHECKLIST, plan, record


@pytest.mark.django_db
def test_completing_drafts_the_note_and_schedules_the_soreness_check_in(alice, session_a):
    record(alice, session_a)
    session_a.refresh_from_db()
    session_complete(
        actor=alice, session=session_a, expected_version=session_a.version, needles_used=1, needles_removed=1
    )
    assert Note.unscoped.filter(session=session_a, signed_at__isnull=True).exists()
    check_in = CheckIn.unscoped.get(session=session_a)
    assert check_in.kind == CheckIn.Kind.SORENESS
    assert AuditEvent.objects.filter(action="note.create").count() == 1


@pytest.mark.django_db
def test_treatment_alone_completes_only_the_session(alice, session_a):
    """The flow that spans apps is the care layer's: treatment's service neither drafts nor schedules."""
    treatment_session.session_complete(
        actor=alice, session=session_a, expected_version=session_a.version, needles_used=0, needles_removed=0
    )
    assert Session.unscoped.get(pk=session_a.pk).status == Session.Status.COMPLETED
    assert not Note.unscoped.filter(session=session_a).exists()
    assert not CheckIn.unscoped.filter(session=session_a).exists()


@pytest.mark.django_db
def test_a_failing_step_leaves_the_session_in_progress(alice, session_a, monkeypatch):
    """All or nothing: if the check-in cannot be scheduled, the session is not completed either."""
    import dryneedling.care.session as care_session

    def broken(**_kwargs):  # type: ignore[no-untyped-def]
        raise ValidationError("scheduling failed")

    monkeypatch.setattr(care_session, "checkins_after_session", broken)
    with pytest.raises(ValidationError):
        session_complete(
            actor=alice, session=session_a, expected_version=session_a.version, needles_used=0, needles_removed=0
        )
    session_a.refresh_from_db()
    assert session_a.status == Session.Status.IN_PROGRESS
    assert not Note.unscoped.filter(session=session_a).exists()


@pytest.mark.django_db
def test_treatment_start_refuses_what_the_care_layer_passes_in(alice, ready_episode):
    with pytest.raises(ValidationError, match="told by another app"):
        treatment_session.session_start(
            actor=alice,
            episode=ready_episode,
            checklist=CHECKLIST,
            payer="commercial",
            blockers=["told by another app"],
        )
    assert not Session.unscoped.exists()


@pytest.mark.django_db
def test_credentials_gate_the_start_through_the_care_layer(alice, ready_episode):
    TrainingRecord.objects.filter(clinician=alice).delete()
    gate = session_gate_for(actor=alice, episode=ready_episode)
    assert gate.credential_problems and gate.problems == gate.credential_problems
    with pytest.raises(ValidationError, match="CRED-"):
        session_start(actor=alice, episode=ready_episode, checklist=CHECKLIST, payer="commercial")


@pytest.mark.django_db
def test_front_desk_sees_the_gate_without_credential_questions(bob, ready_episode):
    assert session_gate_for(actor=bob, episode=ready_episode).credential_problems == []


@pytest.mark.django_db
def test_treatment_checks_a_point_with_the_credentials_it_is_given(alice, session_a):
    """The clinician's facts arrive as plain data: no training on file is a block at the needle."""
    untrained = {"profession": "physical_therapist", "training_hours": 0.0, "jurisdiction": "generic"}
    blocks = treatment_insertion.insertion_check(actor=alice, session=session_a, plan=plan(), clinician_facts=untrained)
    with_care = insertion_check(actor=alice, session=session_a, plan=plan())
    assert [g for g in blocks if g["level"] == "block" and g["rule_id"].startswith("CRED")]
    assert not [g for g in with_care if g["level"] == "block"]


@pytest.mark.django_db
def test_a_serious_side_effect_opens_an_alert_that_blocks_the_next_session(alice, ready_episode, session_a):
    mild = adverse_event_record(actor=alice, session=session_a, kind="bruising", severity="mild", onset="during")
    serious = adverse_event_record(
        actor=alice, session=session_a, kind="pneumothorax", severity="serious", onset="after"
    )
    assert not Alert.unscoped.filter(adverse_event=mild).exists()
    alert = Alert.unscoped.get(adverse_event=serious)
    assert (
        alert.kind == Alert.Kind.SERIOUS_SIDE_EFFECT and alert.check_in is None and alert.patient == session_a.patient
    )
    created = AuditEvent.objects.get(action="alert.create", object_id=str(alert.pk))
    assert created.detail == {"kind": "serious_side_effect", "adverse_event_id": serious.pk}
    treatment_session.session_complete(
        actor=alice, session=session_a, expected_version=session_a.version, needles_used=0, needles_removed=0
    )
    assert "Unresolved serious side effect" in " ".join(session_gate_for(actor=alice, episode=ready_episode).problems)
    with pytest.raises(ValidationError, match="Unresolved serious side effect"):
        session_start(actor=alice, episode=ready_episode, checklist=CHECKLIST, payer="commercial")
    alert_acknowledge(actor=alice, alert_id=alert.pk, resolution="Chest X-ray clear, seen by GP")
    serious.refresh_from_db()
    assert serious.resolved_at is not None
    assert session_start(actor=alice, episode=ready_episode, checklist=CHECKLIST, payer="commercial")


@pytest.mark.django_db
def test_treatment_alone_records_the_side_effect_without_an_alert(alice, session_a):
    treatment_adverse_event_record(
        actor=alice, session=session_a, kind="pneumothorax", severity="serious", onset="after"
    )
    assert not Alert.unscoped.exists()
