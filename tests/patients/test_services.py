from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils import timezone

from dryneedling.accounts.models import AuditEvent
from dryneedling.patients.models import Patient
from dryneedling.patients.selectors import patient_get_for, patient_list_for
from dryneedling.patients.services import episode_create, episode_update, patient_create, patient_update
from dryneedling.patients.validation import parse_conditions

GOOD = {"mrn": "M-1", "given_name": "Ann", "family_name": "Lee", "date_of_birth": date(1970, 1, 2), "sex": "female"}


@pytest.mark.django_db
def test_patient_create_and_update_are_audited_with_field_names_only(alice):
    patient = patient_create(actor=alice, **GOOD)
    patient_update(actor=alice, patient=patient, phone="555-1234", family_name="Leigh")
    update = AuditEvent.objects.get(action="patient.update")
    assert update.detail == {"fields": ["family_name", "phone"]}
    assert AuditEvent.objects.filter(action="patient.create", object_id=str(patient.pk)).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"date_of_birth": timezone.localdate() + timedelta(days=1)}, "date_of_birth"),
        ({"date_of_birth": date(1850, 1, 1)}, "date_of_birth"),
        ({"given_name": "An\x00n"}, "given_name"),
        ({"family_name": "x" * 101}, "family_name"),
        ({"mrn": "bad mrn!"}, "mrn"),
        ({"sex": "robot"}, "sex"),
        ({"given_name": "  "}, "given_name"),
    ],
)
def test_patient_create_rejects_bad_input_with_a_field_message(alice, change, field):
    with pytest.raises(ValidationError) as caught:
        patient_create(actor=alice, **(GOOD | change))
    assert field in caught.value.message_dict
    assert not Patient.unscoped.exists()
    assert not AuditEvent.objects.filter(action="patient.create").exists()


@pytest.mark.django_db
def test_mrn_is_unique_within_a_clinic_but_not_across_clinics(alice, carol):
    patient_create(actor=alice, **GOOD)
    with pytest.raises(ValidationError) as caught:
        patient_create(actor=alice, **(GOOD | {"given_name": "Other"}))
    assert "mrn" in caught.value.message_dict
    patient_create(actor=carol, **GOOD)  # the other clinic may use the same MRN
    assert Patient.unscoped.count() == 2


@pytest.mark.django_db
def test_selectors_scope_to_the_actor_clinic_and_log_denials(alice, carol, patient_a):
    assert list(patient_list_for(actor=carol)) == []
    assert list(patient_list_for(actor=carol, query="Quimby")) == []
    assert list(patient_list_for(actor=alice, query="quim")) == [patient_a]
    assert list(patient_list_for(actor=alice, query="A-0001")) == [patient_a]
    with pytest.raises(Http404):
        patient_get_for(actor=carol, patient_id=patient_a.pk)
    denied = AuditEvent.objects.get(outcome="denied", clinic=carol.membership.clinic)
    assert denied.actor == carol and denied.object_id == str(patient_a.pk)
    targeted = AuditEvent.objects.get(outcome="denied", clinic=patient_a.clinic)  # the targeted clinic sees it
    assert targeted.actor == carol and targeted.patient_id == patient_a.pk and targeted.detail == {"cross_clinic": True}


@pytest.mark.django_db
def test_episode_rules(alice, patient_a):
    base = {
        "reason": "Knee pain",
        "referral_source": "self",
        "start_date": date(2026, 2, 1),
        "end_date": None,
        "status": "active",
    }
    with pytest.raises(ValidationError) as caught:
        episode_create(actor=alice, patient=patient_a, conditions=[], **(base | {"end_date": date(2026, 1, 1)}))
    assert "end_date" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        episode_create(actor=alice, patient=patient_a, conditions=[], **(base | {"status": "discharged"}))
    assert "end_date" in caught.value.message_dict
    episode = episode_create(actor=alice, patient=patient_a, conditions=[("M25.561", "Pain in right knee")], **base)
    episode_update(actor=alice, episode=episode, conditions=[("M25.562", "Pain in left knee")], **base)
    assert [c.code for c in episode.conditions.all()] == ["M25.562"]
    assert AuditEvent.objects.get(action="episode.update").detail == {"fields": ["conditions"]}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("M54.50 Low back pain", [("M54.50", "Low back pain")]),
        ("M5 Low back", None),
        ("M5450 Low back pain\nS16.1XXA Neck strain", [("M54.50", "Low back pain"), ("S16.1XXA", "Neck strain")]),
        ("123.4 Foo", None),
        ("M54.2", None),
        ("M54.2 Cervicalgia\nM54.2 again", None),
        ("", []),
    ],
)
def test_parse_conditions(text, expected):
    if expected is None:
        with pytest.raises(ValidationError):
            parse_conditions(text)
    else:
        assert parse_conditions(text) == expected
