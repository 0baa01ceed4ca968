"""Issue 8 intake on the web: emergency stored and shown, clinic age of consent, conditional
questions, no pregnancy question for a patient recorded male, prefill from the last screening."""

from __future__ import annotations

import re
from datetime import date

import pytest

from dryneedling.clinical.intake import all_clear_answers
from dryneedling.intake.models import Screening
from dryneedling.intake.services import screening_record
from tests.conftest import csrf_token

NO_FLAGS = all_clear_answers(age=45)


def _form_data(answers: dict) -> dict:
    return {k: (("yes" if v else "no") if isinstance(v, bool) else v) for k, v in answers.items()}


def _checked(page: str, name: str, value: str) -> bool:
    tags = re.findall(r"<input[^>]*>", page)
    return any(f'name="{name}"' in t and f'value="{value}"' in t and "checked" in t for t in tags)


def _post(client, patient, answers: dict):  # type: ignore[no-untyped-def]
    url = f"/patients/{patient.pk}/intake/"
    token = csrf_token(client, url)
    return client.post(url, _form_data(answers) | {"csrfmiddlewaretoken": token})


@pytest.fixture
def male_patient(alice):  # type: ignore[no-untyped-def]
    from dryneedling.patients.services import patient_create

    return patient_create(
        actor=alice, mrn="M-1", given_name="Max", family_name="Mann", date_of_birth=date(1970, 1, 1), sex="male"
    )


@pytest.mark.django_db
def test_emergency_is_stored_and_shown_first_on_the_patient_page(alice, alice_client, patient_a):
    screening = screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS | {"chest_pain_or_breathless": True})
    screening.refresh_from_db()
    assert screening.emergency is True and screening.result["emergency"] is True
    assert screening.decision == "not_suitable_now"
    page = alice_client.get(f"/patients/{patient_a.pk}/").content.decode()
    assert "Emergency: call emergency services now." in page
    assert page.index("Emergency: call emergency services now.") < page.index("Not suitable now")
    calm = screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS)
    assert calm.emergency is False


@pytest.mark.django_db
def test_the_clinic_age_of_consent_decides_for_a_16_year_old(alice, patient_a):
    clinic = patient_a.clinic
    assert clinic.age_of_consent == 18
    assert screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS | {"age": 16}).decision == (
        "not_suitable_now"
    )
    clinic.age_of_consent = 16
    clinic.save(update_fields=["age_of_consent"])
    patient_a.refresh_from_db()
    assert screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS | {"age": 16}).decision == "suitable"


@pytest.mark.django_db
def test_male_patient_gets_no_pregnancy_question(alice_client, male_patient):
    page = alice_client.get(f"/patients/{male_patient.pk}/intake/").content.decode()
    assert 'name="pregnancy"' not in page and 'name="pregnancy_weeks"' not in page
    answers = {k: v for k, v in NO_FLAGS.items() if k != "pregnancy"}
    assert _post(alice_client, male_patient, answers).status_code == 302
    assert "pregnancy" not in Screening.unscoped.get(patient=male_patient).answers


@pytest.mark.django_db
def test_female_patient_must_answer_pregnancy(alice_client, patient_a):
    answers = {k: v for k, v in NO_FLAGS.items() if k != "pregnancy"}
    response = _post(alice_client, patient_a, answers)
    assert response.status_code == 200 and not Screening.unscoped.exists()


@pytest.mark.django_db
def test_conditional_question_is_marked_and_dropped_when_its_condition_fails(alice_client, patient_a):
    page = alice_client.get(f"/patients/{patient_a.pk}/intake/").content.decode()
    assert 'data-show-if="epilepsy=yes"' in page and "intake.js" in page
    # epilepsy "no" but a stale "not controlled" left in the hidden field: dropped, not screened.
    assert (
        _post(alice_client, patient_a, NO_FLAGS | {"epilepsy": False, "epilepsy_controlled": False}).status_code == 302
    )
    screening = Screening.unscoped.get()
    assert "epilepsy_controlled" not in screening.answers and screening.decision != "not_suitable_now"
    assert (
        _post(alice_client, patient_a, NO_FLAGS | {"epilepsy": True, "epilepsy_controlled": False}).status_code == 302
    )
    assert Screening.unscoped.first().decision == "not_suitable_now"  # type: ignore[union-attr]


@pytest.mark.django_db
def test_new_fields_round_trip_through_the_form(alice_client, patient_a):
    answers = NO_FLAGS | {
        "anticoagulants": True,
        "anticoagulant_drug": "apixaban 5 mg twice daily",
        "inr": "1.1",
        "recent_surgery_sites": ["left_knee"],
        "recent_surgery_date": "2025-06-01",
        "joint_capsule_opened": True,
    }
    assert _post(alice_client, patient_a, answers).status_code == 302
    stored = Screening.unscoped.get()
    assert stored.answers["inr"] == 1.1 and stored.answers["recent_surgery_date"] == "2025-06-01"
    assert stored.result["blocked_sites"] == ["left_knee"]
    future = answers | {"recent_surgery_date": "2999-01-01"}
    response = _post(alice_client, patient_a, future)
    assert response.status_code == 200 and "cannot be in the future" in response.content.decode()


@pytest.mark.django_db
def test_new_screening_is_prefilled_from_the_last_one(alice, alice_client, patient_a):
    empty = alice_client.get(f"/patients/{patient_a.pk}/intake/").content.decode()
    assert "Prefilled from" not in empty
    stored = NO_FLAGS | {"anticoagulants": True, "infection_sites": ["left_calf"], "retired": True}
    Screening.unscoped.create(
        clinic=patient_a.clinic,
        patient=patient_a,
        performed_by=alice,
        answers=stored | {"infection_sites": ["left_leg", "left_calf"]},
        decision="suitable_with_precautions",
        result={},
        knowledge_version="old",
    )
    page = alice_client.get(f"/patients/{patient_a.pk}/intake/").content.decode()
    assert "Prefilled from" in page
    assert _checked(page, "anticoagulants", "yes") and _checked(page, "needle_phobia", "no")
    assert _checked(page, "infection_sites", "left_calf")
