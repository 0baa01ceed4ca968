"""Clinicians' profession and training: who may record what, validation, totals, audit."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dryneedling.accounts.models import AuditEvent
from dryneedling.safetyrecords.models import TrainingRecord
from dryneedling.safetyrecords.selectors import clinician_safety_facts, credential_problems_for
from dryneedling.safetyrecords.services import clinician_profile_set, training_record_retire
from tests.safetyrecords.conftest import add_training

pytestmark = pytest.mark.django_db


def test_a_clinician_records_their_own_training_and_it_is_audited(alice):
    record = add_training(alice, alice, hours="27.5")
    assert record.hours == Decimal("27.5") and record.recorded_by == alice and record.clinic.slug == "clinic-a"
    event = AuditEvent.objects.get(action="training_record.create")
    assert event.object_id == str(record.pk) and event.actor == alice and event.detail["clinician_id"] == alice.pk


def test_a_clinic_admin_records_anyones_training_in_the_clinic(dana, alice, eve):
    add_training(dana, alice)
    add_training(dana, eve, hours=54)
    assert TrainingRecord.objects.filter(recorded_by=dana).count() == 2


def test_a_clinician_may_not_record_another_clinicians_training(alice, eve):
    with pytest.raises(PermissionDenied, match="their own training"):
        add_training(alice, eve)
    assert not TrainingRecord.objects.exists()


def test_front_desk_is_refused_in_words(bob, alice):
    with pytest.raises(PermissionDenied, match="Front desk staff cannot record"):
        add_training(bob, alice)
    with pytest.raises(PermissionDenied, match="Front desk staff cannot record"):
        clinician_profile_set(actor=bob, clinician=alice, profession="physical_therapist")


def test_an_admin_cannot_record_for_another_clinics_clinician_or_a_non_clinician(dana, carol, bob):
    with pytest.raises(ValidationError, match="clinician of your clinic"):
        add_training(dana, carol)
    with pytest.raises(ValidationError, match="clinician of your clinic"):
        add_training(dana, bob)


@pytest.mark.parametrize("hours", [0, -1, "1000.1", 5000, "abc", "NaN", "Infinity"])
def test_hours_must_be_more_than_0_and_at_most_1000(alice, hours):
    with pytest.raises(ValidationError) as error:
        add_training(alice, alice, hours=hours)
    assert "hours" in error.value.message_dict


def test_1000_hours_is_accepted(alice):
    assert add_training(alice, alice, hours=1000).hours == Decimal("1000.0")


def test_the_completion_date_cannot_be_in_the_future(alice):
    with pytest.raises(ValidationError, match="cannot be in the future"):
        add_training(alice, alice, completed_on=date.today() + timedelta(days=2))


@pytest.mark.parametrize("field", ["course", "provider"])
def test_course_and_provider_are_required(alice, field):
    with pytest.raises(ValidationError) as error:
        add_training(alice, alice, **{field: " "})
    assert field in error.value.message_dict


def test_facts_sum_current_hours_and_electrical_and_name_the_jurisdiction(alice, dana, clinic_a):
    assert clinician_safety_facts(clinician=alice) == {
        "profession": None,
        "training_hours": 0.0,
        "electrical_training": False,
        "jurisdiction": "generic",
    }
    clinician_profile_set(actor=alice, clinician=alice, profession="physical_therapist", licence_number="PT-1")
    add_training(alice, alice, hours=27)
    electrical = add_training(dana, alice, hours="13.5", covers_electrical=True)
    clinic_a.jurisdiction = "testland"
    clinic_a.save()
    facts = clinician_safety_facts(clinician=alice)
    assert facts == {
        "profession": "physical_therapist",
        "training_hours": 40.5,
        "electrical_training": True,
        "jurisdiction": "testland",
    }
    training_record_retire(actor=dana, record_id=electrical.pk, reason="Entered twice")
    assert clinician_safety_facts(clinician=alice)["training_hours"] == 27.0
    assert clinician_safety_facts(clinician=alice)["electrical_training"] is False


def test_a_retired_record_stays_readable_and_cannot_be_retired_twice(alice):
    record = add_training(alice, alice)
    training_record_retire(actor=alice, record_id=record.pk, reason="Superseded")
    record.refresh_from_db()
    assert record.retired_at is not None and record.retire_reason == "Superseded" and record.retired_by == alice
    with pytest.raises(ValidationError, match="retired already"):
        training_record_retire(actor=alice, record_id=record.pk, reason="again")
    assert AuditEvent.objects.filter(action="training_record.retire", object_id=str(record.pk)).count() == 1


def test_another_clinic_cannot_retire_a_record(alice, carol):
    record = add_training(alice, alice)
    with pytest.raises(ValidationError, match="No such training record"):
        training_record_retire(actor=carol, record_id=record.pk, reason="Not mine")


def test_profession_is_set_then_changed_and_both_are_audited(alice, dana):
    clinician_profile_set(actor=alice, clinician=alice, profession="chiropractor")
    profile = clinician_profile_set(actor=dana, clinician=alice, profession="physician", licence_number="MD 7")
    assert profile.profession == "physician" and profile.updated_by == dana
    actions = list(
        AuditEvent.objects.filter(object_type="safetyrecords.clinicianprofile").values_list("action", flat=True)
    )
    assert sorted(actions) == ["clinician_profile.create", "clinician_profile.update"]
    with pytest.raises(ValidationError, match="Choose a profession"):
        clinician_profile_set(actor=alice, clinician=alice, profession="wizard")


def test_credential_problems_for_passes_the_facts_and_names_each_rule(alice, clinic_a, fake_rules):
    assert credential_problems_for(clinician=alice) == []
    clinic_a.jurisdiction = "testland"
    clinic_a.save()
    clinician_profile_set(actor=alice, clinician=alice, profession="chiropractor")
    add_training(alice, alice, hours=20)
    problems = credential_problems_for(clinician=alice)
    assert problems == [
        "Testland requires 50 hours; 20 on file. [testland_hours]",
        "Chiropractors may not dry needle in Testland. [testland_scope]",
    ]
    assert fake_rules.calls[-1] == {"jurisdiction": "testland", "profession": "chiropractor", "training_hours": 20.0}


def test_the_real_rules_block_until_profession_and_training_are_on_file(alice, clinic_a):
    """Against clinical/data/jurisdictions.yaml (no fake): what the session start will refuse."""
    problems = credential_problems_for(clinician=alice)
    assert any("[CRED-PROFESSION]" in p for p in problems) and any("[CRED-TRAINING-POLICY]" in p for p in problems)
    clinician_profile_set(actor=alice, clinician=alice, profession="physical_therapist")
    add_training(alice, alice, hours=27)
    assert credential_problems_for(clinician=alice) == []
    clinic_a.jurisdiction = "us_co"  # 50 hours for physical therapists
    clinic_a.save()
    assert [p for p in credential_problems_for(clinician=alice) if "[CRED-TRAINING-HOURS]" in p]
    clinic_a.jurisdiction = "us_ca"  # physical therapists may not dry needle
    clinic_a.save()
    assert [p for p in credential_problems_for(clinician=alice) if "[CRED-SCOPE]" in p]


def test_a_jurisdiction_unknown_to_the_rules_blocks_in_words(alice, clinic_a):
    clinic_a.jurisdiction = "atlantis"
    clinic_a.save()
    (problem,) = credential_problems_for(clinician=alice)
    assert "'atlantis' is not in the rules" in problem and problem.endswith("[CRED-JURISDICTION]")
