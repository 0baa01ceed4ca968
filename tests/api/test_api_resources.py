"""The API's resources beyond patients and episodes (issue 13, second part), each resource alike:
list and read, paging without gaps or repeats, another clinic's ids, no token, audit rows, and the
roles the web allows. The writes and the syncing of nested records: test_api_resources_writes.py."""

from __future__ import annotations

import pytest

from dryneedling.accounts.models import AuditEvent
from tests.api.conftest import api_client

pytestmark = pytest.mark.django_db

# (path, the record's key in record_a, the audit row's record kind)
RESOURCES = [
    ("screenings", "screening_id", "screening"),
    ("sessions", "session_id", "session"),
    ("notes", "note_id", "note"),
    ("check-ins", "check_in_id", "check_in"),
    ("outcomes", "outcome_id", "outcome"),
    ("home-care-plans", "plan_id", "home_care_plan"),
    ("appointments", "appointment_id", "appointment"),
]
CLINICAL = [r for r in RESOURCES if r[0] != "appointments"]


@pytest.mark.parametrize("path, key, what", RESOURCES)
def test_each_resource_is_listed_and_read_and_audited(alice, record_a, path, key, what):  # type: ignore[no-untyped-def]
    api = api_client(alice)
    listed = api.get(f"/api/{path}")
    assert listed.status_code == 200, listed.content
    assert getattr(record_a, key) in [item["id"] for item in listed.json()["items"]]
    assert AuditEvent.objects.filter(action=f"api.{what}.list", detail__via="api").count() == 1
    one = api.get(f"/api/{path}/{getattr(record_a, key)}")
    assert one.status_code == 200 and one.json()["id"] == getattr(record_a, key)
    views = AuditEvent.objects.filter(action=f"{what}.view", actor=alice, detail__via="api")
    assert views.count() == 2 and {v.patient_id for v in views} == {record_a.patient_id}  # a row a record sent


def test_a_session_nests_its_points_and_side_effects_and_a_note_its_amendments(alice, record_a):  # type: ignore[no-untyped-def]
    from dryneedling.treatment.models import Note
    from dryneedling.treatment.services.note import note_amend, note_sign

    api = api_client(alice)
    session = api.get(f"/api/sessions/{record_a.session_id}").json()
    assert [p["muscle_id"] for p in session["insertions"]] == ["gluteus_medius"]
    assert [e["kind"] for e in session["side_effects"]] == ["bruising"] and session["status"] == "completed"
    note = Note.unscoped.get(pk=record_a.note_id)
    note_sign(actor=alice, session_id=record_a.session_id, expected_version=note.version)
    note_amend(actor=alice, session_id=record_a.session_id, section="plan", text="Add heat.", reason="Forgot it")
    body = api.get(f"/api/notes/{record_a.note_id}").json()
    assert body["signed_at"] and [a["text"] for a in body["amendments"]] == ["Add heat."]
    assert api.get("/api/notes", {"session_id": record_a.session_id}).json()["items"][0]["id"] == record_a.note_id


@pytest.mark.parametrize("path, key, what", RESOURCES)
def test_each_resource_pages_without_gaps_or_repeats(alice, record_a, more_a, path, key, what):  # type: ignore[no-untyped-def]
    api = api_client(alice)
    everything = [item["id"] for item in api.get(f"/api/{path}", {"limit": 200}).json()["items"]]
    assert len(everything) >= 2, path
    seen, cursor = [], ""
    while True:
        body = api.get(f"/api/{path}", {"limit": 1, **({"cursor": cursor} if cursor else {})}).json()
        seen += [item["id"] for item in body["items"]]
        if not (cursor := body["next_cursor"]):
            break
    assert seen == everything and len(set(seen)) == len(seen)


@pytest.mark.parametrize("path, key, what", RESOURCES)
def test_another_clinic_reads_none_of_them(carol, record_a, path, key, what):  # type: ignore[no-untyped-def]
    api = api_client(carol)
    refused = api.get(f"/api/{path}/{getattr(record_a, key)}")
    assert refused.status_code == 404 and refused.json()["detail"] == "No such record in your clinic."
    assert api.get(f"/api/{path}").json()["items"] == []
    assert api.get(f"/api/{path}", {"patient_id": record_a.patient_id}).status_code == 404
    denied = AuditEvent.objects.filter(outcome="denied", detail__cross_clinic=True, patient_id=record_a.patient_id)
    assert denied.exists()  # clinic A's trail shows who tried


@pytest.mark.parametrize("path, key, what", RESOURCES)
def test_no_token_is_a_json_401(client, record_a, path, key, what):  # type: ignore[no-untyped-def]
    for url in (f"/api/{path}", f"/api/{path}/{getattr(record_a, key)}"):
        response = client.get(url)
        assert response.status_code == 401 and "API token" in response.json()["detail"]


@pytest.mark.parametrize("path, key, what", CLINICAL)
def test_front_desk_and_clinic_admins_are_refused_the_clinical_record_in_words(bob, dana, record_a, path, key, what):  # type: ignore[no-untyped-def]
    for user in (bob, dana):
        api = api_client(user)
        for url in (f"/api/{path}", f"/api/{path}/{getattr(record_a, key)}"):
            response = api.get(url)
            assert response.status_code == 403, (user.email, url)
            assert "Only a clinician can read or write the clinical record" in response.json()["detail"]
    assert not AuditEvent.objects.filter(action=f"{what}.view", detail__via="api").exists()
    assert AuditEvent.objects.filter(action="permission.denied", actor=bob, outcome="denied").count() == 2


def test_the_book_is_seen_as_in_the_web(alice, bob, dana, mia, record_a):  # type: ignore[no-untyped-def]
    for user in (bob, dana):  # the front desk and clinic admins see every clinician's book
        assert api_client(user).get(f"/api/appointments/{record_a.appointment_id}").status_code == 200
    own = api_client(mia)  # mia needles too, but as clinic admin sees the whole book
    assert [a["id"] for a in own.get("/api/appointments", {"clinician_id": alice.pk}).json()["items"]] == [
        record_a.appointment_id
    ]
    colleague = api_client(alice).get("/api/appointments", {"clinician_id": mia.pk})
    assert colleague.status_code == 403 and "their own appointments" in colleague.json()["detail"]


def test_appointments_filter_by_patient_clinician_and_time(alice, record_a, more_a):  # type: ignore[no-untyped-def]
    from tests.api.conftest import MONDAY, at

    api = api_client(alice)
    both = {"patient_id": record_a.patient_id, "clinician_id": alice.pk}
    assert len(api.get("/api/appointments", both).json()["items"]) == 2
    early = {"from": at(MONDAY, 8).isoformat(), "to": at(MONDAY, 9, 30).isoformat()}
    assert [a["id"] for a in api.get("/api/appointments", early).json()["items"]] == [record_a.appointment_id]
    naive = api.get("/api/appointments", {"from": "2030-03-04T08:00:00"})
    assert naive.status_code == 400 and naive.json()["detail"].startswith("from:")


def test_the_openapi_document_describes_every_resource_and_the_answers(client):  # type: ignore[no-untyped-def]
    schema = client.get("/api/openapi.json").json()
    for path, key, _ in RESOURCES:
        assert {f"/api/{path}", f"/api/{path}/{{{key}}}"} <= set(schema["paths"]), path
    for path in ("/api/screenings", "/api/appointments", "/api/outcomes"):
        assert "post" in schema["paths"][path]
    answers = schema["components"]["schemas"]["ScreeningIn"]["properties"]["answers"]
    assert answers["properties"]["anticoagulants"]["type"] == "boolean"
    assert "Required" in answers["properties"]["anticoagulants"]["description"]
    assert "not_pregnant" in answers["properties"]["pregnancy"]["enum"]
    assert "nprs" in schema["components"]["schemas"]["OutcomeIn"]["properties"]["instrument_id"]["description"]


def test_the_seeders_bulk_records_carry_their_own_times(alice):  # type: ignore[no-untyped-def]
    """bulk_create calls no save(): the synthetic loaders stamp updated_at with each record's own time."""
    from django.utils import timezone

    from dryneedling.followup.models import CheckIn, OutcomeRecord
    from dryneedling.intake.models import Screening
    from dryneedling.synthetic.loader import seed_clinic
    from dryneedling.treatment.models import Session

    seed_clinic(clinic=alice.membership.clinic, patients=8, seed=7)
    now = timezone.now()
    screenings = list(Screening.unscoped.all())
    sessions = list(Session.unscoped.all())
    assert screenings and sessions and all(s.updated_at == s.performed_at for s in screenings)
    assert all(s.updated_at == (s.ended_at or s.started_at) for s in sessions)
    check_ins = CheckIn.unscoped.select_related("session")
    assert all(c.updated_at == (c.answered_at or c.session.ended_at) <= now for c in check_ins)
    assert all(o.updated_at == o.recorded_at <= now for o in OutcomeRecord.unscoped.all())
    listed = api_client(alice).get("/api/sessions", {"limit": 200}).json()["items"]
    assert len(listed) == len(sessions) and [s["updated_at"] for s in listed] == sorted(s["updated_at"] for s in listed)
