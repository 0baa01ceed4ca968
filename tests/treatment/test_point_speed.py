"""Issue 10, "recording at the speed of the needle", on the service side: a charted finding
supplies the muscle and side, a warning's reason is given once per session per rule, limits name
their number and source, and findings and side effects can be corrected until the note is signed."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dryneedling.accounts.models import AuditEvent
from dryneedling.care.adverse import adverse_event_correct, adverse_event_record
from dryneedling.care.session import insertion_check
from dryneedling.followup.models import Alert
from dryneedling.treatment.models import Finding, Insertion
from dryneedling.treatment.selectors import warning_reasons_for_session
from dryneedling.treatment.services.chart import finding_create
from dryneedling.treatment.services.corrections import finding_correct
from dryneedling.treatment.services.note import note_sign
from tests.treatment.conftest import finish, plan, record, start_session

REASON = "Pulse palpated, structures mapped, needle aimed away"


def _finding(alice, episode, muscle="piriformis", side="right", **extra):  # type: ignore[no-untyped-def]
    values = {
        "muscle_id": muscle,
        "side": side,
        "view": "back",
        "x": 118.0,
        "y": 236.0,
        "status": "active",
        "tenderness": 6,
    }
    return finding_create(actor=alice, episode=episode, **(values | extra))


def _warn_ids(guardrails):  # type: ignore[no-untyped-def]
    return {g["rule_id"] for g in guardrails if g["level"] == "warn"}


# ---- a charted finding supplies the muscle and side -------------------------------------------


@pytest.mark.django_db
def test_a_finding_supplies_muscle_and_side_when_none_are_posted(alice, ready_episode):
    session = start_session(alice, ready_episode)
    finding = _finding(alice, ready_episode, muscle="gluteus_medius", side="left")
    insertion = record(alice, session, muscle_id="", side="", finding_id=finding.pk)
    assert (insertion.muscle_id, insertion.side, insertion.finding_id) == ("gluteus_medius", "left", finding.pk)


@pytest.mark.django_db
def test_a_finding_fills_only_what_is_missing(alice, ready_episode):
    session = start_session(alice, ready_episode)
    finding = _finding(alice, ready_episode, muscle="gluteus_medius", side="left")
    insertion = record(alice, session, muscle_id="gluteus_medius", side="", finding_id=finding.pk)
    assert insertion.side == "left"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("posted", "field"),
    [({"muscle_id": "gluteus_maximus", "side": "left"}, "muscle_id"), ({"side": "right"}, "side")],
)
def test_a_finding_that_conflicts_with_the_posted_muscle_or_side_is_a_field_error(alice, ready_episode, posted, field):
    session = start_session(alice, ready_episode)
    finding = _finding(alice, ready_episode, muscle="gluteus_medius", side="left")
    values = {"muscle_id": "gluteus_medius", "side": "left"} | posted
    with pytest.raises(ValidationError) as caught:
        record(alice, session, finding_id=finding.pk, **values)
    assert field in caught.value.message_dict
    assert "finding" in caught.value.message_dict[field][0].lower()
    assert not Insertion.unscoped.exists()


@pytest.mark.django_db
def test_without_a_finding_the_muscle_must_be_chosen(alice, ready_episode):
    session = start_session(alice, ready_episode)
    with pytest.raises(ValidationError) as caught:
        record(alice, session, muscle_id="", side="")
    assert "muscle_id" in caught.value.message_dict


# ---- a warning's reason, once per session per rule -------------------------------------------


@pytest.mark.django_db
def test_a_warning_reason_given_once_is_reused_for_the_same_rule(alice, ready_episode):
    session = start_session(alice, ready_episode)
    first = record(alice, session, muscle_id="piriformis", needle_length_mm=50, override_reason=REASON)
    assert "GR-NEUROVASCULAR" in _warn_ids(first.guardrails)
    assert warning_reasons_for_session(session=session)["GR-NEUROVASCULAR"] == REASON
    # The next point hitting the same rule needs no typed reason: the earlier one is recorded on it.
    second = record(alice, session, muscle_id="gluteus_maximus", needle_length_mm=50)
    assert "GR-NEUROVASCULAR" in _warn_ids(second.guardrails)
    assert second.override_reason == REASON
    warned = next(g for g in second.guardrails if g["rule_id"] == "GR-NEUROVASCULAR")
    assert warned["override_reason"] == REASON and warned["reason_given_earlier"] is True
    first_warned = next(g for g in first.guardrails if g["rule_id"] == "GR-NEUROVASCULAR")
    assert first_warned["reason_given_earlier"] is False
    assert AuditEvent.objects.filter(action="insertion.create").order_by("pk").last().detail[
        "reasons_given_earlier"
    ] == ["GR-NEUROVASCULAR"]


@pytest.mark.django_db
def test_a_rule_without_an_earlier_reason_still_needs_one(alice, patient_a, ready_episode):
    session = start_session(alice, ready_episode)
    record(alice, session, muscle_id="piriformis", needle_length_mm=50, override_reason=REASON)
    # Quadratus lumborum warns under other rules: their reason has not been given in this session.
    guardrails = insertion_check(actor=alice, session=session, plan=plan(muscle_id="quadratus_lumborum"))
    assert _warn_ids(guardrails) - {"GR-NEUROVASCULAR"}
    with pytest.raises(ValidationError) as caught:
        record(alice, session, muscle_id="quadratus_lumborum")
    message = caught.value.message_dict["override_reason"][0]
    assert "GR-QL-12TH-RIB" in message
    assert Insertion.unscoped.filter(session=session).count() == 1


@pytest.mark.django_db
def test_reasons_do_not_carry_over_to_another_session(alice, ready_episode):
    session = start_session(alice, ready_episode)
    record(alice, session, muscle_id="piriformis", needle_length_mm=50, override_reason=REASON)
    finish(alice, session)
    later = start_session(alice, ready_episode)
    with pytest.raises(ValidationError) as caught:
        record(alice, later, muscle_id="piriformis", needle_length_mm=50)
    assert "override_reason" in caught.value.message_dict


@pytest.mark.django_db
def test_a_new_typed_reason_replaces_the_earlier_one(alice, ready_episode):
    session = start_session(alice, ready_episode)
    record(alice, session, muscle_id="piriformis", needle_length_mm=50, override_reason=REASON)
    newer = "Sciatic nerve mapped by palpation first"
    second = record(alice, session, muscle_id="gluteus_maximus", needle_length_mm=50, override_reason=newer)
    assert second.override_reason == newer
    assert warning_reasons_for_session(session=session)["GR-NEUROVASCULAR"] == newer


@pytest.mark.django_db
def test_a_token_reason_is_refused_with_the_minimum_and_its_source(alice, ready_episode):
    session = start_session(alice, ready_episode)
    with pytest.raises(ValidationError) as caught:
        record(alice, session, muscle_id="piriformis", needle_length_mm=50, override_reason="ok")
    message = caught.value.message_dict["override_reason"][0]
    assert "5 characters" in message and "2" in message
    assert "source" in message.lower() or "rule" in message.lower()


@pytest.mark.django_db
def test_an_earlier_reason_does_not_lift_a_block(alice, patient_a, ready_episode):
    from dryneedling.treatment.services.chart import consent_record

    consent_record(actor=alice, patient=patient_a, signed_name="Zelda Quimby", optional_items=[])
    session = start_session(alice, ready_episode)
    record(alice, session, muscle_id="piriformis", needle_length_mm=50, override_reason=REASON)
    with pytest.raises(ValidationError) as caught:
        record(alice, session, muscle_id="upper_trapezius", needle_length_mm=15, handling="pincer")
    assert "muscle_id" in caught.value.message_dict


@pytest.mark.django_db
def test_needle_time_limits_name_their_numbers(alice, ready_episode):
    from dryneedling.care.session import insertion_record

    session = start_session(alice, ready_episode)
    with pytest.raises(ValidationError) as caught:
        insertion_record(
            actor=alice,
            session=session,
            expected_version=session.version,
            plan=plan(),
            planned_seconds=30,
            actual_seconds=0,
            twitch_count=0,
        )
    message = caught.value.message_dict["actual_seconds"][0]
    assert "1" in message and "7200" in message


# ---- corrections before the note is signed ---------------------------------------------------


@pytest.mark.django_db
def test_a_finding_is_corrected_before_signing_and_audited_with_before_and_after(alice, ready_episode):
    finding = _finding(alice, ready_episode, muscle="gluteus_medius", side="left")
    session = start_session(alice, ready_episode)
    record(alice, session, finding_id=finding.pk, muscle_id="gluteus_medius", side="left")
    finish(alice, session)
    corrected = finding_correct(
        actor=alice, finding=finding, changes={"side": "right", "status": "latent"}, reason="Charted the wrong side"
    )
    assert (corrected.side, corrected.status) == ("right", "latent")
    event = AuditEvent.objects.get(action="finding.correct")
    assert event.detail["before"] == {"side": "left", "status": "active"}
    assert event.detail["after"] == {"side": "right", "status": "latent"}
    assert corrected.corrections[-1]["changes"] == {"side": ["left", "right"], "status": ["active", "latent"]}
    assert corrected.corrections[-1]["reason"] == "Charted the wrong side"
    # The draft note, not edited by hand, follows the correction.
    session.note.refresh_from_db()
    assert "Gluteus medius (right): latent trigger point" in session.note.objective


@pytest.mark.django_db
def test_a_finding_in_a_signed_note_cannot_be_corrected(alice, ready_episode):
    finding = _finding(alice, ready_episode, muscle="gluteus_medius", side="left")
    session = start_session(alice, ready_episode)
    record(alice, session)
    finish(alice, session)
    note_sign(actor=alice, session_id=session.pk, expected_version=session.note.version)
    with pytest.raises(ValidationError) as caught:
        finding_correct(actor=alice, finding=finding, changes={"side": "right"}, reason="")
    assert "signed" in " ".join(caught.value.messages)
    assert "amendment" in " ".join(caught.value.messages)
    finding.refresh_from_db()
    assert finding.side == "left"
    assert not AuditEvent.objects.filter(action="finding.correct").exists()


@pytest.mark.django_db
def test_a_finding_correction_is_validated(alice, ready_episode):
    finding = _finding(alice, ready_episode)
    with pytest.raises(ValidationError) as caught:
        finding_correct(actor=alice, finding=finding, changes={"tenderness": 11}, reason="")
    assert "tenderness" in caught.value.message_dict
    with pytest.raises(ValidationError):
        finding_correct(actor=alice, finding=finding, changes={"x": 1.0}, reason="")  # not a correctable field


@pytest.mark.django_db
def test_a_side_effect_is_corrected_before_signing_and_audited(alice, ready_episode):
    session = start_session(alice, ready_episode)
    record(alice, session)
    event = adverse_event_record(
        actor=alice, session=session, kind="bruising", severity="mild", onset="during", management="Pressure"
    )
    corrected = adverse_event_correct(
        actor=alice, event=event, changes={"kind": "pain_after", "management": "Heat"}, reason="Misread"
    )
    assert (corrected.kind, corrected.management) == ("pain_after", "Heat")
    audit = AuditEvent.objects.get(action="adverse_event.correct")
    assert audit.detail["before"]["kind"] == "bruising" and audit.detail["after"]["kind"] == "pain_after"
    assert set(audit.detail["fields"]) == {"kind", "management"}
    assert corrected.corrections[-1]["changes"]["management"] == ["Pressure", "Heat"]


@pytest.mark.django_db
def test_a_side_effect_corrected_to_serious_opens_its_follow_up(alice, ready_episode):
    session = start_session(alice, ready_episode)
    event = adverse_event_record(actor=alice, session=session, kind="bruising", severity="mild", onset="during")
    assert not Alert.objects.for_clinic(session.clinic_id).filter(adverse_event=event).exists()
    adverse_event_correct(actor=alice, event=event, changes={"severity": "serious"}, reason="")
    assert Alert.objects.for_clinic(session.clinic_id).filter(adverse_event=event).count() == 1


@pytest.mark.django_db
def test_a_side_effect_in_a_signed_note_cannot_be_corrected(alice, ready_episode):
    session = start_session(alice, ready_episode)
    record(alice, session)
    event = adverse_event_record(actor=alice, session=session, kind="bruising", severity="mild", onset="during")
    finish(alice, session)
    note_sign(actor=alice, session_id=session.pk, expected_version=session.note.version)
    with pytest.raises(ValidationError) as caught:
        adverse_event_correct(actor=alice, event=event, changes={"severity": "significant"}, reason="")
    assert "signed" in " ".join(caught.value.messages)
    event.refresh_from_db()
    assert event.severity == "mild"


@pytest.mark.django_db
def test_a_side_effect_correction_keeps_the_knowledge_base_severities(alice, ready_episode):
    session = start_session(alice, ready_episode)
    event = adverse_event_record(actor=alice, session=session, kind="fainting", severity="significant", onset="during")
    with pytest.raises(ValidationError) as caught:
        adverse_event_correct(actor=alice, event=event, changes={"severity": "mild"}, reason="")
    assert "severity" in caught.value.message_dict


@pytest.mark.django_db
def test_front_desk_cannot_correct(alice, bob, ready_episode):
    from django.core.exceptions import PermissionDenied

    finding = _finding(alice, ready_episode)
    with pytest.raises(PermissionDenied):
        finding_correct(actor=bob, finding=finding, changes={"side": "left"}, reason="")
    assert Finding.unscoped.get(pk=finding.pk).side == "right"


@pytest.mark.django_db
def test_a_token_precaution_acknowledgement_states_the_minimum(alice, patient_a, ready_episode):
    from dryneedling.care.session import session_start
    from dryneedling.intake.services import screening_record
    from tests.intake.test_screening_records import NO_FLAGS
    from tests.treatment.conftest import CHECKLIST

    screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS | {"diabetes": True})
    with pytest.raises(ValidationError) as caught:
        session_start(
            actor=alice,
            episode=ready_episode,
            checklist=CHECKLIST,
            payer="commercial",
            acknowledgements={"SCR-PRE-DIABETES": "ok"},
        )
    message = caught.value.message_dict["ack_SCR-PRE-DIABETES"][0]
    assert "at least 5 characters" in message.lower() and "source" in message
