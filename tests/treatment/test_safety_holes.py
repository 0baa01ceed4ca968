"""Issue 8's holes on the Django side: each test failed before the fix (consent items, precaution
acknowledgements, open serious side effects, one session in progress, needle counts, clean
technique, per-side-effect severities, body size feeding the lung guardrails)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from dryneedling.accounts.models import AuditEvent
from dryneedling.care.adverse import adverse_event_record
from dryneedling.care.session import insertion_check, session_start
from dryneedling.followup.services import alert_acknowledge
from dryneedling.intake.services import screening_record
from dryneedling.treatment.models import Consent, Session
from dryneedling.treatment.services.chart import consent_record
from tests.intake.test_screening_records import NO_FLAGS
from tests.treatment.conftest import CHECKLIST, finish, plan, record, start_session


def _blocks(guardrails):  # type: ignore[no-untyped-def]
    return [g for g in guardrails if g["level"] == "block"]


@pytest.mark.django_db
@pytest.mark.parametrize("muscle", ["upper_trapezius", "pectoralis_major", "scalenes", "rhomboids"])
def test_a_declined_chest_and_neck_item_blocks_every_muscle_it_covers(alice, patient_a, ready_episode, muscle):
    consent_record(actor=alice, patient=patient_a, signed_name="Zelda Quimby", optional_items=[])
    session = start_session(alice, ready_episode)
    blocks = _blocks(insertion_check(actor=alice, session=session, plan=plan(muscle_id=muscle, needle_length_mm=15)))
    assert blocks, f"{muscle} needled although chest wall and neck were declined"
    assert all(b["sources"] and b["rule_id"] for b in blocks)
    with pytest.raises(ValidationError):
        record(alice, session, muscle_id=muscle, needle_length_mm=15, override_reason="Patient asked for it")
    # A muscle the item does not cover stays allowed.
    assert not _blocks(insertion_check(actor=alice, session=session, plan=plan()))


@pytest.mark.django_db
def test_an_outdated_consent_blocks_the_session(alice, patient_a, ready_episode):
    Consent.unscoped.filter(patient=patient_a).update(version="2020.1-1")
    with pytest.raises(ValidationError, match="version"):
        session_start(actor=alice, episode=ready_episode, checklist=CHECKLIST, payer="commercial")


@pytest.mark.django_db
def test_precautions_must_be_acknowledged_stored_audited_and_noted(alice, patient_a, ready_episode):
    screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS | {"diabetes": True})
    with pytest.raises(ValidationError) as caught:
        session_start(actor=alice, episode=ready_episode, checklist=CHECKLIST, payer="commercial")
    assert "ack_SCR-PRE-DIABETES" in caught.value.message_dict
    with pytest.raises(ValidationError):  # a token word is not an acknowledgement
        session_start(
            actor=alice,
            episode=ready_episode,
            checklist=CHECKLIST,
            payer="commercial",
            acknowledgements={"SCR-PRE-DIABETES": "ok"},
        )
    assert not Session.unscoped.exists()
    session = start_session(
        alice, ready_episode, acknowledgements={"SCR-PRE-DIABETES": "Feet checked: sensation intact, no needling there"}
    )
    assert session.precaution_acks[0]["rule_id"] == "SCR-PRE-DIABETES"
    assert "sensation intact" in session.precaution_acks[0]["action"]
    event = AuditEvent.objects.get(action="session.start")
    assert event.detail["precautions_acknowledged"] == ["SCR-PRE-DIABETES"]
    record(alice, session)
    finish(alice, session)
    assert "sensation intact" in session.note.assessment
    assert "Zelda Quimby" in session.note.assessment  # who consented


@pytest.mark.django_db
def test_an_open_serious_side_effect_blocks_the_next_session_until_resolved(alice, ready_episode, session_a):
    record(alice, session_a)
    adverse_event_record(actor=alice, session=session_a, kind="pneumothorax", severity="serious", onset="after")
    finish(alice, session_a)
    with pytest.raises(ValidationError, match="Unresolved serious side effect"):
        start_session(alice, ready_episode)
    task = session_a.adverse_events.get().alert
    alert_acknowledge(actor=alice, alert_id=task.pk, resolution="Chest X-ray clear, seen by GP")
    assert start_session(alice, ready_episode).pk != session_a.pk


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "severity"), [("pneumothorax", "mild"), ("infection", "significant")])
def test_severities_are_allowed_per_side_effect(alice, session_a, kind, severity):
    with pytest.raises(ValidationError) as caught:
        adverse_event_record(actor=alice, session=session_a, kind=kind, severity=severity, onset="after")
    assert "severity" in caught.value.message_dict
    adverse_event_record(actor=alice, session=session_a, kind="bruising", severity="significant", onset="after")


@pytest.mark.django_db
def test_one_session_in_progress_per_patient(alice, alice_client, ready_episode, session_a):
    with pytest.raises(ValidationError, match="still in progress"):
        session_start(actor=alice, episode=ready_episode, checklist=CHECKLIST, payer="commercial")
    page = alice_client.get(f"/episodes/{ready_episode.pk}/sessions/new/")
    assert f"/sessions/{session_a.pk}/" in page.content.decode()
    assert Session.unscoped.count() == 1


@pytest.mark.django_db
def test_needle_count_must_balance_or_a_retained_needle_be_recorded(alice, session_a):
    record(alice, session_a)
    record(alice, session_a, muscle_id="gluteus_maximus", override_reason="Sciatic nerve mapped, medial approach")
    with pytest.raises(ValidationError) as caught:
        finish(alice, session_a, used=2, removed=1)
    assert "needles_removed" in caught.value.message_dict
    with pytest.raises(ValidationError):
        finish(alice, session_a, used=1, removed=2)
    session_a.refresh_from_db()
    assert session_a.status == "in_progress"
    adverse_event_record(
        actor=alice,
        session=session_a,
        kind="retained_needle",
        severity="serious",
        onset="during",
        management="Searched couch and floor; patient referred for imaging",
    )
    finish(alice, session_a, used=2, removed=1)
    session_a.refresh_from_db()
    assert (session_a.status, session_a.needles_used, session_a.needles_removed) == ("completed", 2, 1)
    assert "Needle count: 2 used, 1 removed." in session_a.note.objective


@pytest.mark.django_db
def test_no_insertion_before_the_clean_technique_checklist(alice, ready_episode):
    from dryneedling.treatment.services.session import session_clean_technique_record

    session = session_start(actor=alice, episode=ready_episode, checklist=CHECKLIST, payer="commercial")
    with pytest.raises(ValidationError, match="clean-technique"):
        record(alice, session)
    with pytest.raises(ValidationError, match="Sharps container"):
        session_clean_technique_record(
            actor=alice, session=session, expected_version=session.version, ticked=["hand_hygiene"]
        )
    assert AuditEvent.objects.filter(action="session.clean_technique").count() == 0


@pytest.mark.django_db
def test_the_pre_session_checklist_starts_unanswered(alice, alice_client, ready_episode):
    page = alice_client.get(f"/episodes/{ready_episode.pk}/sessions/new/").content.decode()
    assert "checked" not in page
    with pytest.raises(ValidationError):
        session_start(actor=alice, episode=ready_episode, checklist={"position": "prone"}, payer="commercial")


@pytest.mark.django_db
def test_the_patients_body_size_feeds_the_lung_guardrail(alice, patient_a, session_a):
    from dryneedling.patients.services import patient_update

    def warned() -> bool:
        guardrails = insertion_check(
            actor=alice,
            session=session_a,
            plan=plan(muscle_id="rhomboids", needle_length_mm=15, handling="bracketing"),
        )
        return any("BMI" in g["message"] for g in guardrails)

    assert not warned()
    patient_update(actor=alice, patient=patient_a, height_cm=170, weight_kg=Decimal("48.0"))
    assert warned()
    with pytest.raises(ValidationError):
        patient_update(actor=alice, patient=patient_a, height_cm=17)


@pytest.mark.django_db
def test_screening_site_blocks_carry_their_rule_and_sources(alice, patient_a, ready_episode):
    screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS | {"lymphoedema_limbs": ["left_leg"]})
    session = start_session(alice, ready_episode)
    blocks = _blocks(
        insertion_check(
            actor=alice, session=session, plan=plan(muscle_id="gastrocnemius", side="left", needle_length_mm=40)
        )
    )
    assert blocks and all(b["sources"] for b in blocks)
    assert any("SCR-SITE-LYMPHOEDEMA" in b["rule_id"] or "LYMPH" in b["rule_id"] for b in blocks)


def test_the_clean_technique_items_cite_known_sources():
    from dryneedling.clinical.clean_technique import CLEAN_TECHNIQUE
    from dryneedling.clinical.knowledge import get_knowledge

    sources = get_knowledge().sources
    assert CLEAN_TECHNIQUE and all(item.sources and set(item.sources) <= set(sources) for item in CLEAN_TECHNIQUE)


@pytest.mark.django_db
def test_an_emergency_at_screening_is_said_first_when_a_session_is_refused(alice, patient_a, ready_episode):
    screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS | {"chest_pain_or_breathless": True})
    with pytest.raises(ValidationError) as caught:
        session_start(actor=alice, episode=ready_episode, checklist=CHECKLIST, payer="commercial")
    assert caught.value.messages[0].startswith("EMERGENCY")


@pytest.mark.django_db
def test_an_untrained_clinician_is_told_before_filling_the_checklist(alice, alice_client, ready_episode):
    from dryneedling.safetyrecords.models import TrainingRecord

    TrainingRecord.objects.filter(clinician=alice).delete()
    page = alice_client.get(f"/episodes/{ready_episode.pk}/sessions/new/").content.decode()
    assert "CRED-TRAINING-POLICY" in page and "/clinic/credentials/" in page
    assert "Start session" not in page
    with pytest.raises(ValidationError, match="CRED-TRAINING-POLICY"):
        session_start(actor=alice, episode=ready_episode, checklist=CHECKLIST, payer="commercial")
