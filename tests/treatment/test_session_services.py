"""Session gating, guardrails at the point of insertion, saving per point, conflicts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from dryneedling.accounts.models import AuditEvent
from dryneedling.care.session import insertion_check, insertion_record, session_start
from dryneedling.intake.models import Screening
from dryneedling.intake.services import screening_record
from dryneedling.treatment.models import Insertion, Session
from dryneedling.treatment.services.common import EditConflict
from tests.intake.test_screening_records import NO_FLAGS
from tests.treatment.conftest import CHECKLIST, ensure_trained, finish, plan, record, start_session


@pytest.mark.django_db
def test_a_session_needs_a_screening_and_consent(alice, episode_a):
    with pytest.raises(ValidationError) as caught:
        session_start(actor=alice, episode=episode_a, checklist=CHECKLIST, payer="commercial")
    text = " ".join(caught.value.messages)
    assert "No screening on file" in text and "No consent" in text
    assert not Session.unscoped.exists()


@pytest.mark.django_db
def test_a_screening_that_forbids_or_is_too_old_blocks_the_start(alice, patient_a, ready_episode):
    screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS | {"needle_phobia": True})
    with pytest.raises(ValidationError, match="not suitable now"):
        session_start(actor=alice, episode=ready_episode, checklist=CHECKLIST, payer="commercial")
    Screening.unscoped.update(performed_at=timezone.now() - timedelta(days=40))
    fresh = screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS)
    Screening.unscoped.filter(pk=fresh.pk).update(performed_at=timezone.now() - timedelta(days=31))
    with pytest.raises(ValidationError, match="31 days old"):
        session_start(actor=alice, episode=ready_episode, checklist=CHECKLIST, payer="commercial")


@pytest.mark.django_db
def test_red_flags_refer_to_a_physician_before_needling(alice, patient_a, ready_episode):
    screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS | {"saddle_anaesthesia": True})
    with pytest.raises(ValidationError, match="refer to a physician"):
        session_start(actor=alice, episode=ready_episode, checklist=CHECKLIST, payer="commercial")


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["new_anticoagulants", "possibly_pregnant", "new_symptoms"])
def test_checklist_changes_require_a_new_screening(alice, ready_episode, change):
    with pytest.raises(ValidationError, match="Screen again"):
        session_start(actor=alice, episode=ready_episode, checklist=CHECKLIST | {change: True}, payer="commercial")


@pytest.mark.django_db
def test_front_desk_cannot_start_or_needle(bob, ready_episode, session_a):
    with pytest.raises(PermissionDenied):
        session_start(actor=bob, episode=ready_episode, checklist=CHECKLIST, payer="commercial")
    with pytest.raises(PermissionDenied):
        record(bob, session_a)


@pytest.mark.django_db
def test_each_point_is_saved_and_audited(alice, session_a):
    record(alice, session_a)
    record(
        alice,
        session_a,
        muscle_id="infraspinatus",
        needle_length_mm=25,
        handling="bracketing",
        override_reason="Checked depth by ultrasound",
    )
    assert Insertion.unscoped.filter(session=session_a).count() == 2
    session_a.refresh_from_db()
    assert session_a.version == 4  # start, clean technique, two points
    assert AuditEvent.objects.filter(action="insertion.create").count() == 2


@pytest.mark.django_db
def test_bilateral_thorax_is_blocked(alice, session_a):
    record(
        alice,
        session_a,
        muscle_id="rhomboids",
        side="right",
        needle_length_mm=15,
        handling="bracketing",
        override_reason="Short needle, bracketing over the rib",
    )
    guardrails = insertion_check(
        actor=alice,
        session=session_a,
        plan=plan(muscle_id="rhomboids", side="left", needle_length_mm=15, handling="bracketing"),
    )
    assert any(g["rule_id"] == "GR-THORAX-BILATERAL" and g["level"] == "block" for g in guardrails)
    with pytest.raises(ValidationError, match="both sides of the thorax"):
        record(
            alice,
            session_a,
            muscle_id="rhomboids",
            side="left",
            needle_length_mm=15,
            handling="bracketing",
            override_reason="I insist",
        )
    assert Insertion.unscoped.filter(session=session_a).count() == 1


@pytest.mark.django_db
def test_warnings_need_a_reason_and_the_reason_is_kept(alice, session_a):
    with pytest.raises(ValidationError) as caught:
        record(alice, session_a, muscle_id="rhomboids", needle_length_mm=30, handling="bracketing")
    assert "override_reason" in caught.value.message_dict
    insertion = record(
        alice,
        session_a,
        muscle_id="rhomboids",
        needle_length_mm=30,
        handling="bracketing",
        override_reason="Ultrasound: pleura at 34 mm in this patient",
    )
    assert insertion.override_reason.startswith("Ultrasound")
    assert any(g["rule_id"] == "GR-THORAX-DEPTH-MUSCLE" for g in insertion.guardrails)


@pytest.mark.django_db
def test_kidney_zone_warns(alice, session_a):
    guardrails = insertion_check(
        actor=alice, session=session_a, plan=plan(muscle_id="quadratus_lumborum", distance_from_midline_cm=6)
    )
    assert any("kidney" in g["message"].lower() and g["level"] == "warn" for g in guardrails)


@pytest.mark.django_db
def test_lymphoedema_limb_from_the_screening_is_blocked(alice, patient_a, ready_episode):
    screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS | {"lymphoedema_limbs": ["left_leg"]})
    session = start_session(alice, ready_episode)
    blocked = insertion_check(
        actor=alice, session=session, plan=plan(muscle_id="gastrocnemius", side="left", needle_length_mm=40)
    )
    assert any(g["level"] == "block" for g in blocked)
    allowed = insertion_check(
        actor=alice, session=session, plan=plan(muscle_id="gastrocnemius", side="right", needle_length_mm=40)
    )
    assert not any(g["level"] == "block" for g in allowed)


@pytest.mark.django_db
def test_pregnancy_site_is_blocked(alice, patient_a, ready_episode):
    screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS | {"pregnancy": "second_trimester"})
    acks = {"SCR-PRE-PREGNANCY-LATER": "Written and verbal consent taken; no electrical stimulation"}
    session = start_session(alice, ready_episode, acknowledgements=acks)
    guardrails = insertion_check(
        actor=alice, session=session, plan=plan(muscle_id="abdominal_wall", side="right", needle_length_mm=25)
    )
    assert any(g["level"] == "block" for g in guardrails), guardrails


@pytest.mark.django_db
def test_two_clinicians_on_one_session_get_a_conflict(alice, session_a, clinic_a):
    from dryneedling.accounts.services import user_create

    other = user_create(
        email="eve@a.test", full_name="Eve", clinic=clinic_a, role="clinician", password="a long enough passphrase 9"
    )
    ensure_trained(other)
    opened_version = Session.unscoped.get(pk=session_a.pk).version
    record(alice, session_a)  # Alice saves first
    with pytest.raises(EditConflict):
        insertion_record(
            actor=other,
            session=session_a,
            expected_version=opened_version,
            plan=plan(),
            planned_seconds=30,
            actual_seconds=30,
            twitch_count=0,
        )
    assert Insertion.unscoped.filter(session=session_a).count() == 1


@pytest.mark.django_db
def test_completing_writes_a_draft_note_and_closes_the_session(alice, session_a):
    record(alice, session_a)
    session_a.refresh_from_db()
    finish(alice, session_a)
    session_a.refresh_from_db()
    assert session_a.status == "completed" and session_a.ended_at is not None
    assert "without injection" in session_a.note.objective
    with pytest.raises(ValidationError, match="completed"):
        record(alice, session_a)


@pytest.mark.django_db
def test_other_clinic_cannot_touch_the_session(carol, session_a):
    from django.http import Http404

    with pytest.raises(Http404):
        insertion_check(actor=carol, session=session_a, plan=plan())
