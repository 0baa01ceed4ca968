from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from dryneedling.accounts.models import AuditEvent
from dryneedling.clinical.intake import all_clear_answers
from dryneedling.intake.models import Screening
from dryneedling.intake.services import screening_record
from tests.conftest import csrf_token

NO_FLAGS = all_clear_answers(age=45)


def _form_data(answers: dict) -> dict:
    data: dict = {}
    for key, value in answers.items():
        data[key] = ("yes" if value else "no") if isinstance(value, bool) else value
    return data


@pytest.mark.django_db
def test_each_screening_is_a_new_row_with_answers_rules_and_version(alice, patient_a):
    first = screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS | {"anticoagulants": True})
    second = screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS)
    assert Screening.unscoped.filter(patient=patient_a).count() == 2
    first.refresh_from_db()
    assert first.decision == "suitable_with_precautions"
    assert first.answers["anticoagulants"] is True
    assert first.rule_ids and first.knowledge_version
    assert all(reason["sources"] for reason in first.result["reasons"])
    assert second.decision == "suitable"
    assert AuditEvent.objects.filter(action="screening.create").count() == 2


@pytest.mark.django_db
def test_bad_answers_are_refused_and_nothing_is_stored(alice, patient_a):
    with pytest.raises(ValidationError):
        screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS | {"not_a_question": True})
    with pytest.raises(ValidationError):
        screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS | {"age": "old"})
    assert not Screening.unscoped.exists()


@pytest.mark.django_db
def test_intake_form_stores_and_the_patient_page_shows_the_decision(alice_client, bob_client, patient_a):
    url = f"/patients/{patient_a.pk}/intake/"
    token = csrf_token(alice_client, url)
    answers = _form_data(NO_FLAGS | {"anticoagulants": True})
    response = alice_client.post(url, answers | {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    page = alice_client.get(f"/patients/{patient_a.pk}/").content.decode()
    assert "Suitable with precautions" in page
    screening = Screening.unscoped.get()
    for rule_id in screening.rule_ids:
        assert rule_id in page
    # Front desk sees the patient without the screening (it is clinical), and cannot screen.
    response = bob_client.get(f"/patients/{patient_a.pk}/")
    assert response.status_code == 200
    assert "Suitable with precautions" not in response.content.decode()
    assert not any(rule_id in response.content.decode() for rule_id in screening.rule_ids)
    assert bob_client.get(url).status_code == 403
    response = bob_client.post(url, answers | {"csrfmiddlewaretoken": csrf_token(bob_client, "/patients/")})
    assert response.status_code == 403
    assert Screening.unscoped.count() == 1


@pytest.mark.django_db
def test_intake_form_requires_the_required_questions(alice_client, patient_a):
    url = f"/patients/{patient_a.pk}/intake/"
    token = csrf_token(alice_client, url)
    response = alice_client.post(url, {"csrfmiddlewaretoken": token, "age": "45"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not Screening.unscoped.exists()


@pytest.mark.django_db
def test_other_clinic_cannot_screen_or_see_screenings(carol_client, alice, patient_a):
    screening_record(actor=alice, patient=patient_a, answers=NO_FLAGS)
    assert carol_client.get(f"/patients/{patient_a.pk}/intake/").status_code == 404
    carol_client.get("/patients/")
    token = carol_client.cookies["csrftoken"].value
    response = carol_client.post(
        f"/patients/{patient_a.pk}/intake/", _form_data(NO_FLAGS) | {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 404
    assert Screening.unscoped.count() == 1
