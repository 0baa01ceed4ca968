"""Defects found reviewing the API's resources (issue 13, second part), each pinned by a test
written before its fix."""

from __future__ import annotations

import json

import pytest

from dryneedling.intake.models import Screening
from tests.api.conftest import api_client
from tests.intake.test_screening_records import NO_FLAGS

pytestmark = pytest.mark.django_db
JSON = "application/json"


def test_a_number_answer_too_large_for_a_float_is_a_field_error_not_a_500(alice, patient_a):  # type: ignore[no-untyped-def]
    """JSON allows any integer: 10**400 passed the range check and broke the message's formatting."""
    body = json.dumps({"patient_id": patient_a.pk, "answers": NO_FLAGS | {"inr": 10**400, "age": 10**400}})
    refused = api_client(alice, "write").post("/api/screenings", body, content_type=JSON)
    assert refused.status_code == 422, refused.content
    assert ["body", "data", "answers", "age"] in [error["loc"] for error in refused.json()["detail"]]


@pytest.mark.parametrize("text", ["a\x00b", "Dad\u202e", "bell\x07"])
def test_a_text_answer_with_control_characters_is_refused_as_in_the_web(alice, patient_a, text):  # type: ignore[no-untyped-def]
    """The web's form refuses them (the free-text rule); the API stored them (NUL: a 500 on PostgreSQL)."""
    answers = NO_FLAGS | {"substitute_decision_maker": text}
    refused = api_client(alice, "write").post("/api/screenings", {"patient_id": patient_a.pk, "answers": answers},
                                              content_type=JSON)  # fmt: skip
    assert refused.status_code == 422, refused.content
    assert refused.json()["detail"][0]["loc"] == ["body", "data", "answers", "substitute_decision_maker"]
    assert not Screening.unscoped.exists()


@pytest.mark.parametrize("start", ["9999-12-31T23:50:00Z", "9999-12-31T23:59:59.999999+00:00"])
def test_a_booking_whose_end_would_pass_the_year_9999_is_a_field_error_not_a_500(bob, alice, record_a, start):  # type: ignore[no-untyped-def]
    """The end (start + the type's minutes) overflowed datetime in the book's service."""
    body = {"patient_id": record_a.patient_id, "clinician_id": alice.pk,
            "appointment_type_id": record_a.appointment_type_id, "starts_at": start}  # fmt: skip
    refused = api_client(bob, "write").post("/api/appointments", body, content_type=JSON)
    assert refused.status_code == 422, refused.content
    assert refused.json()["detail"][0]["loc"] == ["body", "data", "starts_at"]
