"""Denials an auditor needs to see: cross-clinic attempts land in the targeted clinic's trail too,
in-clinic role refusals are recorded, and denials inside a write's transaction are not rolled
back with it."""

from __future__ import annotations

import pytest

from dryneedling.accounts.models import AuditEvent
from dryneedling.care.adverse import adverse_event_record
from dryneedling.followup.models import Alert, CheckIn
from dryneedling.treatment.models import Note
from tests.treatment.conftest import finish, record


def _token(client) -> str:  # type: ignore[no-untyped-def]
    client.get("/patients/")
    return client.cookies["csrftoken"].value


def _denied_in(clinic, actor) -> int:  # type: ignore[no-untyped-def]
    return AuditEvent.objects.filter(clinic=clinic, actor=actor, outcome="denied").count()


@pytest.fixture
def completed(alice, session_a):  # type: ignore[no-untyped-def]
    record(alice, session_a)
    session_a.refresh_from_db()
    finish(alice, session_a)
    return session_a


@pytest.mark.django_db
def test_cross_clinic_reads_are_recorded_in_the_targeted_clinic(carol, carol_client, patient_a, clinic_a, clinic_b):
    assert carol_client.get(f"/patients/{patient_a.pk}/").status_code == 404
    targeted = AuditEvent.objects.get(clinic=clinic_a, actor=carol, outcome="denied")
    assert targeted.object_id == str(patient_a.pk) and targeted.actor_email == "carol@b.test"
    assert _denied_in(clinic_b, carol) == 1  # and in the actor's own clinic, as before


@pytest.mark.django_db
def test_cross_clinic_note_sign_is_denied_and_recorded(carol, carol_client, completed, clinic_a):
    note = Note.unscoped.get(session=completed)
    response = carol_client.post(
        f"/sessions/{completed.pk}/note/sign/", {"csrfmiddlewaretoken": _token(carol_client), "version": note.version}
    )
    assert response.status_code == 404
    note.refresh_from_db()
    assert note.signed_at is None
    assert _denied_in(clinic_a, carol) >= 1


@pytest.mark.django_db
def test_cross_clinic_alert_acknowledge_is_denied_and_recorded(carol, carol_client, completed, clinic_a):
    check_in = CheckIn.unscoped.filter(session=completed).first() or CheckIn.unscoped.first()
    alert = Alert.unscoped.create(clinic=clinic_a, patient=completed.patient, check_in=check_in, flags=["fever"])
    response = carol_client.post("/followup/", {"csrfmiddlewaretoken": _token(carol_client), "alert": alert.pk})
    assert response.status_code == 404
    alert.refresh_from_db()
    assert alert.acknowledged_at is None
    assert AuditEvent.objects.filter(clinic=clinic_a, actor=carol, outcome="denied", object_id=str(alert.pk)).exists()


@pytest.mark.django_db
def test_cross_clinic_task_resolve_is_denied_and_recorded(alice, carol, carol_client, session_a, clinic_a):
    serious = adverse_event_record(
        actor=alice, session=session_a, kind="pneumothorax", severity="serious", onset="after", management="ED"
    )
    task = Alert.unscoped.get(adverse_event=serious)
    response = carol_client.post(
        "/clinic/", {"csrfmiddlewaretoken": _token(carol_client), "task": task.pk, "resolution": "Closed by B."}
    )
    assert response.status_code == 404
    task.refresh_from_db()
    assert task.acknowledged_at is None
    assert AuditEvent.objects.filter(clinic=clinic_a, actor=carol, outcome="denied", object_id=str(task.pk)).exists()


@pytest.mark.django_db
def test_in_clinic_role_refusals_are_recorded(alice, alice_client, clinic_a):
    assert alice_client.get("/clinic/audit/").status_code == 403  # clinic admins only
    event = AuditEvent.objects.get(actor=alice, outcome="denied")
    assert event.clinic == clinic_a and event.object_id == "audit-list"


@pytest.mark.django_db
def test_tampered_patient_links_are_recorded(anon_client):
    for url in ("/c/not-a-token/", "/h/forged/", "/s/forged/"):
        assert anon_client.get(url).status_code == 404
    refused = AuditEvent.objects.filter(action="link.refused", outcome="denied")
    assert refused.count() == 3
    assert all("forged" not in str(event.detail) for event in refused)  # the token itself is not kept


@pytest.mark.django_db
def test_refusals_answered_in_words_are_recorded_too(bob, bob_client, patient_a, clinic_a):
    assert bob_client.get(f"/patients/{patient_a.pk}/consent/").status_code == 403
    assert bob_client.get("/clinic/safety-settings/").status_code == 403  # the safety settings view's own refusal page
    routes = set(
        AuditEvent.objects.filter(actor=bob, outcome="denied", clinic=clinic_a).values_list("object_id", flat=True)
    )
    assert routes == {"consent-add", "safety-settings"}
