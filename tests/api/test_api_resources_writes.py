"""The API's writes beyond patients (issue 13, second part): a screening's answers for a decision,
booking an appointment, a clinician's score; each needs a write token and the role the web asks,
and a refusal names the field in words. And syncing: a change to what a record nests (a session's
points and side effects, a note's amendments) makes the record come again under updated_since."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from dryneedling.accounts.models import AuditEvent
from tests.api.conftest import MONDAY, api_client, at
from tests.intake.test_screening_records import NO_FLAGS

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _post(api, path, body):  # type: ignore[no-untyped-def]
    return api.post(path, body, content_type=JSON)


def _loc(response) -> list[list[str]]:  # type: ignore[no-untyped-def]
    assert response.status_code == 422, response.content
    return [error["loc"] for error in response.json()["detail"]]


@pytest.mark.parametrize("path", ["/api/screenings", "/api/appointments", "/api/outcomes"])
def test_a_read_only_token_writes_nothing(alice, record_a, path):  # type: ignore[no-untyped-def]
    body = {"patient_id": record_a.patient_id, "episode_id": record_a.episode_id, "answers": NO_FLAGS,
            "clinician_id": alice.pk, "appointment_type_id": record_a.appointment_type_id,
            "starts_at": at(MONDAY, 11).isoformat(), "instrument_id": "nprs", "total": 3}  # fmt: skip
    refused = _post(api_client(alice), path, body)
    assert refused.status_code == 403 and "read-only" in refused.json()["detail"]


def test_submitting_answers_returns_the_decision(alice, patient_a):  # type: ignore[no-untyped-def]
    api = api_client(alice, "write")
    made = _post(api, "/api/screenings", {"patient_id": patient_a.pk, "answers": NO_FLAGS | {"anticoagulants": True}})
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["decision"] == "suitable_with_precautions" and body["rule_ids"] and body["result"]["reasons"]
    assert AuditEvent.objects.filter(action="screening.create", actor=alice).count() == 1
    assert api.get("/api/screenings", {"patient_id": patient_a.pk}).json()["items"][0]["id"] == body["id"]


def test_bad_answers_are_field_errors_on_the_answer_they_name(alice, patient_a, carol):  # type: ignore[no-untyped-def]
    api = api_client(alice, "write")
    assert _loc(_post(api, "/api/screenings", {"patient_id": patient_a.pk, "answers": NO_FLAGS | {"age": "old"}})) == [
        ["body", "data", "answers", "age"]
    ]
    unknown = _post(api, "/api/screenings", {"patient_id": patient_a.pk, "answers": NO_FLAGS | {"nope": 1}})
    assert _loc(unknown) == [["body", "data", "answers", "nope"]] and "unknown" in unknown.json()["detail"][0]["msg"]
    missing = {k: v for k, v in NO_FLAGS.items() if k != "anticoagulants"}
    assert _loc(_post(api, "/api/screenings", {"patient_id": patient_a.pk, "answers": missing}))[0][-1] == (
        "anticoagulants"
    )
    assert any("answers" in loc for loc in _loc(_post(api, "/api/screenings", {"patient_id": patient_a.pk})))
    other = api_client(carol, "write")  # another clinic's patient: a field error, nothing stored
    assert _loc(_post(other, "/api/screenings", {"patient_id": patient_a.pk, "answers": NO_FLAGS})) == [
        ["body", "data", "patient_id"]
    ]
    assert not AuditEvent.objects.filter(action="screening.create").exists()


def test_only_clinicians_screen_and_enter_scores(bob, dana, patient_a, record_a):  # type: ignore[no-untyped-def]
    for user in (bob, dana):
        api = api_client(user, "write")
        screened = _post(api, "/api/screenings", {"patient_id": patient_a.pk, "answers": NO_FLAGS})
        scored = _post(api, "/api/outcomes", {"episode_id": record_a.episode_id, "instrument_id": "nprs", "total": 3})
        for refused in (screened, scored):
            assert refused.status_code == 403 and "Only a clinician" in refused.json()["detail"]


def test_booking_through_the_api_is_the_books_booking(bob, alice, record_a):  # type: ignore[no-untyped-def]
    api = api_client(bob, "write")  # the front desk books for any clinician
    body = {"patient_id": record_a.patient_id, "clinician_id": alice.pk,
            "appointment_type_id": record_a.appointment_type_id, "starts_at": at(MONDAY, 10).isoformat()}  # fmt: skip
    made = _post(api, "/api/appointments", body)
    assert made.status_code == 201, made.content
    assert datetime.fromisoformat(made.json()["ends_at"]) == at(MONDAY, 10, 30) and made.json()["status"] == "booked"
    assert AuditEvent.objects.filter(action="appointment.book", actor=bob).count() == 1
    clash = _post(api, "/api/appointments", body | {"starts_at": at(MONDAY, 9, 15).isoformat()})
    assert clash.status_code == 409 and "already has an appointment" in clash.json()["detail"]
    late = _post(api, "/api/appointments", body | {"starts_at": at(MONDAY, 15).isoformat()})
    assert _loc(late) == [["body", "data", "starts_at"]] and "outside" in late.json()["detail"][0]["msg"]
    naive = _post(api, "/api/appointments", body | {"starts_at": "2030-03-04T11:00:00"})
    assert _loc(naive) == [["body", "data", "starts_at"]] and "time zone" in naive.json()["detail"][0]["msg"]
    past = _post(api, "/api/appointments", body | {"starts_at": (timezone.now() - timedelta(days=3)).isoformat()})
    assert _loc(past) == [["body", "data", "starts_at"]] and "earlier day" in past.json()["detail"][0]["msg"]
    edge = _post(api, "/api/appointments", body | {"starts_at": "0001-01-01T00:00:00+14:00"})
    assert _loc(edge) == [["body", "data", "starts_at"]]
    kind = _post(api, "/api/appointments", body | {"appointment_type_id": 999999})
    assert _loc(kind) == [["body", "data", "appointment_type_id"]]
    assert _loc(_post(api, "/api/appointments", {"clinician_id": alice.pk}))  # the missing fields, by name


def test_the_book_refuses_bookings_the_web_refuses(alice, dana, mia, record_a):  # type: ignore[no-untyped-def]
    body = {"patient_id": record_a.patient_id, "clinician_id": mia.pk,
            "appointment_type_id": record_a.appointment_type_id, "starts_at": at(MONDAY, 11).isoformat()}  # fmt: skip
    colleague = _post(api_client(alice, "write"), "/api/appointments", body)
    assert colleague.status_code == 403 and "their own appointments" in colleague.json()["detail"]
    admin = _post(api_client(dana, "write"), "/api/appointments", body | {"clinician_id": alice.pk})
    assert admin.status_code == 403 and "clinic admins see the book" in admin.json()["detail"]


def test_a_clinicians_score_is_validated_as_in_the_web(alice, record_a):  # type: ignore[no-untyped-def]
    api = api_client(alice, "write")
    made = _post(api, "/api/outcomes", {"episode_id": record_a.episode_id, "instrument_id": "nprs", "total": 2})
    assert made.status_code == 201 and made.json()["value"] == 2 and made.json()["verdict"]
    assert AuditEvent.objects.filter(action="outcome.create", actor=alice).count() == 2  # record_a's and this
    too_high = _post(api, "/api/outcomes", {"episode_id": record_a.episode_id, "instrument_id": "nprs", "total": 11})
    assert _loc(too_high) == [["body", "data", "total"]]
    not_a_number = _post(
        api, "/api/outcomes", {"episode_id": record_a.episode_id, "instrument_id": "nprs", "total": "NaN"}
    )
    assert ["body", "data", "total"] in _loc(not_a_number)
    assert _loc(_post(api, "/api/outcomes", {"episode_id": record_a.episode_id, "instrument_id": "nprs"})) == [
        ["body", "data", "total"]
    ]


def _changed_since(api, path: str, since) -> list[int]:  # type: ignore[no-untyped-def]
    return [item["id"] for item in api.get(path, {"updated_since": since.isoformat()}).json()["items"]]


def test_a_new_point_or_side_effect_brings_the_session_again(alice, record_a, ready_episode):  # type: ignore[no-untyped-def]
    from dryneedling.care.adverse import adverse_event_record
    from dryneedling.treatment.models import Session
    from tests.treatment.conftest import record, start_session

    api = api_client(alice)
    before = timezone.now()
    assert _changed_since(api, "/api/sessions", before) == []
    session = Session.unscoped.get(pk=record_a.session_id)
    adverse_event_record(actor=alice, session=session, kind="bruising", severity="mild", onset="after")
    assert _changed_since(api, "/api/sessions", before) == [record_a.session_id]
    open_session = start_session(alice, ready_episode)
    middle = timezone.now()
    record(alice, open_session)
    assert _changed_since(api, "/api/sessions", middle) == [open_session.pk]
    assert len(api.get(f"/api/sessions/{open_session.pk}").json()["insertions"]) == 1


def test_an_amendment_brings_the_note_again(alice, record_a):  # type: ignore[no-untyped-def]
    from dryneedling.treatment.models import Note
    from dryneedling.treatment.services.note import note_amend, note_sign

    api = api_client(alice)
    note = Note.unscoped.get(pk=record_a.note_id)
    note_sign(actor=alice, session_id=record_a.session_id, expected_version=note.version)
    before = timezone.now()
    assert _changed_since(api, "/api/notes", before) == []
    note_amend(actor=alice, session_id=record_a.session_id, section="plan", text="Add heat.", reason="Forgot it")
    assert _changed_since(api, "/api/notes", before) == [record_a.note_id]


def test_every_resource_sends_what_changed_since(alice, record_a):  # type: ignore[no-untyped-def]
    from dryneedling.followup.homecare import home_care_plan_update
    from dryneedling.followup.models import HomeCarePlan
    from dryneedling.scheduling.models import Appointment
    from dryneedling.scheduling.services import appointment_cancel

    api = api_client(alice)
    before = timezone.now()
    for path in ("/api/appointments", "/api/home-care-plans", "/api/screenings", "/api/check-ins", "/api/outcomes"):
        assert _changed_since(api, path, before) == [], path
    appointment_cancel(
        actor=alice, appointment=Appointment.unscoped.get(pk=record_a.appointment_id), reason="patient called: ill"
    )
    plan = HomeCarePlan.unscoped.get(pk=record_a.plan_id)
    home_care_plan_update(actor=alice, record=plan, expected_version=plan.version, edits={}, note="Walk daily.")
    assert _changed_since(api, "/api/appointments", before) == [record_a.appointment_id]
    assert _changed_since(api, "/api/home-care-plans", before) == [record_a.plan_id]
    made = _post(api_client(alice, "write"), "/api/outcomes",
                 {"episode_id": record_a.episode_id, "instrument_id": "nprs", "total": 5})  # fmt: skip
    assert _changed_since(api, "/api/outcomes", before) == [made.json()["id"]]


def test_a_control_character_in_a_text_answer_is_a_field_error(alice, patient_a):  # type: ignore[no-untyped-def]
    """A NUL in a free-text answer was stored on SQLite and a 500 on PostgreSQL (jsonb refuses
    \\u0000): the answers follow the free-text rule, as the web's form applies it."""
    api = api_client(alice, "write")
    for answers in (NO_FLAGS | {"notes": "desk\x00work"}, NO_FLAGS | {"notes": "gnp.\u202eexe"}):
        refused = _post(api, "/api/screenings", {"patient_id": patient_a.pk, "answers": answers})
        assert _loc(refused) == [["body", "data", "answers", "notes"]]
        assert "control characters" in refused.json()["detail"][0]["msg"]
    assert not AuditEvent.objects.filter(action="screening.create").exists()
    kept = _post(api, "/api/screenings", {"patient_id": patient_a.pk, "answers": NO_FLAGS | {"notes": "Desk\twork.\n"}})
    assert kept.status_code == 201, kept.content


def test_a_number_answer_too_large_for_a_float_is_a_field_error(alice, patient_a):  # type: ignore[no-untyped-def]
    """Its refusal printed the number as a float: an OverflowError, a 500."""
    api = api_client(alice, "write")
    body = f'{{"patient_id": {patient_a.pk}, "answers": {{"age": {10**400}}}}}'
    refused = api.generic("POST", "/api/screenings", body, content_type=JSON)
    assert _loc(refused) == [["body", "data", "answers", "age"]]
    assert "between 0 and 120" in refused.json()["detail"][0]["msg"]


def test_a_visit_ending_past_the_calendar_is_a_field_error(bob, alice, record_a):  # type: ignore[no-untyped-def]
    """A start in the last hour of the year 9999 (UTC) ends, or falls in the clinic's zone, after
    the last moment Python has: an OverflowError, a 500."""
    api = api_client(bob, "write")
    body = {"patient_id": record_a.patient_id, "clinician_id": alice.pk,
            "appointment_type_id": record_a.appointment_type_id}  # fmt: skip
    for starts_at in ("9999-12-31T23:50:00+00:00", "9999-12-31T23:00:00+00:00", "9999-12-30T09:00:00+01:00"):
        refused = _post(api, "/api/appointments", body | {"starts_at": starts_at})
        assert _loc(refused) == [["body", "data", "starts_at"]]
        assert "too far ahead" in refused.json()["detail"][0]["msg"]
