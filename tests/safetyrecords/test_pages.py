"""Pages of the clinic safety records: right roles, refusals in words, tenancy, CSRF."""

from __future__ import annotations

import pytest

from dryneedling.accounts.models import AuditEvent
from dryneedling.safetyrecords.models import SharpsIncident, TrainingRecord
from dryneedling.safetyrecords.services import sharps_incident_report
from tests.conftest import csrf_token
from tests.safetyrecords.conftest import add_training

pytestmark = pytest.mark.django_db


def patient_incident(alice, patient_a):  # type: ignore[no-untyped-def]
    return sharps_incident_report(
        actor=alice,
        kind="broken_needle",
        person="patient",
        patient=patient_a,
        description="Needle shaft broke at the hub; fragment removed with forceps.",
        immediate_action="Fragment removed and checked complete; pressure applied.",
    )


def test_the_nav_links_follow_the_role(alice_client, bob_client, dana_client):
    alice_page = alice_client.get("/patients/").content.decode()
    assert "My training" in alice_page and "Sharps incidents" in alice_page and "Safety settings" not in alice_page
    dana_page = dana_client.get("/patients/").content.decode()
    assert "Clinician credentials" in dana_page and "Clinic settings" in dana_page
    settings_index = dana_client.get("/clinic/settings/").content.decode()
    assert "Safety settings" in settings_index and "Two-factor sign-in" in settings_index
    bob_page = bob_client.get("/patients/").content.decode()
    assert "Sharps incidents" in bob_page and "My training" not in bob_page and "Clinician credentials" not in bob_page


def test_a_clinician_adds_their_training_through_the_page(alice_client, alice, fake_rules):
    response = alice_client.get("/clinic/credentials/")
    assert response.status_code == 302 and response["Location"] == f"/clinic/credentials/{alice.pk}/"
    url = response["Location"]
    token = csrf_token(alice_client, url)
    data = {
        "csrfmiddlewaretoken": token,
        "action": "training",
        "course": "Dry needling 1",
        "provider": "Example Institute",
        "hours": "27",
        "completed_on": "2024-03-02",
        "covers_electrical": "on",
    }
    assert alice_client.post(url, data).status_code == 302
    record = TrainingRecord.objects.get()
    assert record.clinician == alice and record.covers_electrical
    page = alice_client.get(url).content.decode()
    assert "My training" in page and "Dry needling 1" in page and "27 hours" in page


def test_bad_training_input_is_shown_at_the_field(alice_client, alice, fake_rules):
    url = f"/clinic/credentials/{alice.pk}/"
    token = csrf_token(alice_client, url)
    data = {"csrfmiddlewaretoken": token, "action": "training", "course": "C1", "provider": "P1", "hours": "1200"}
    data["completed_on"] = "2999-01-01"
    response = alice_client.post(url, data)
    assert response.status_code == 200 and not TrainingRecord.objects.exists()
    body = response.content.decode()
    assert "at most 1000" in body or "less than or equal to 1000" in body


def test_an_admin_lists_clinicians_with_their_problems(dana_client, alice, clinic_a, fake_rules):
    clinic_a.jurisdiction = "testland"
    clinic_a.save()
    body = dana_client.get("/clinic/credentials/").content.decode()
    assert "Alice Adams" in body and "1 problem" in body
    detail = dana_client.get(f"/clinic/credentials/{alice.pk}/").content.decode()
    assert "Testland requires 50 hours" in detail and "[testland_hours]" in detail


def test_front_desk_is_refused_credentials_in_words(bob_client, alice, fake_rules):
    for url in ("/clinic/credentials/", f"/clinic/credentials/{alice.pk}/"):
        response = bob_client.get(url)
        assert response.status_code == 403
        assert (
            "Clinicians&#x27; credentials are kept by the clinicians and the clinic admins" in response.content.decode()
        )


def test_a_clinician_cannot_open_a_colleagues_credentials(alice_client, eve, fake_rules):
    response = alice_client.get(f"/clinic/credentials/{eve.pk}/")
    assert response.status_code == 403 and "their own training only" in response.content.decode()


def test_other_clinics_clinicians_and_records_give_404(carol_client, alice, fake_rules):
    record = add_training(alice, alice)
    assert carol_client.get(f"/clinic/credentials/{alice.pk}/").status_code == 404
    token = csrf_token(carol_client, "/clinic/sharps/new/")
    response = carol_client.post(f"/clinic/training/{record.pk}/retire/", {"csrfmiddlewaretoken": token, "reason": "x"})
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.retired_at is None


def test_carol_gets_404_on_a_clinic_a_incident_with_no_patient_data(carol_client, alice, patient_a):
    incident = patient_incident(alice, patient_a)
    response = carol_client.get(f"/clinic/sharps/{incident.pk}/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Quimby" not in body and "Zelda" not in body and "forceps" not in body
    list_body = carol_client.get("/clinic/sharps/").content.decode()
    assert "Quimby" not in list_body and "No incidents recorded" in list_body
    denied = AuditEvent.objects.filter(actor__email="carol@b.test", outcome="denied")
    assert denied.filter(clinic__slug="clinic-b").count() == 1 and denied.filter(clinic__slug="clinic-a").count() == 1


def test_front_desk_sees_the_list_without_patient_names(bob_client, alice_client, alice, patient_a):
    incident = patient_incident(alice, patient_a)
    body = bob_client.get("/clinic/sharps/").content.decode()
    assert "Broken needle" in body and "Quimby" not in body and "Zelda" not in body and "a patient" in body
    detail = bob_client.get(f"/clinic/sharps/{incident.pk}/").content.decode()
    assert "Zelda" not in detail and "Close incident" not in detail
    assert "Zelda Quimby" in alice_client.get("/clinic/sharps/").content.decode()


def test_front_desk_reports_a_staff_needlestick_through_the_page(bob_client, bob):
    token = csrf_token(bob_client, "/clinic/sharps/new/")
    form_page = bob_client.get("/clinic/sharps/new/").content.decode()
    assert "Patient MRN" not in form_page
    data = {
        "csrfmiddlewaretoken": token,
        "kind": "needlestick",
        "person": "staff",
        "staff_member": str(bob.pk),
        "occurred_at": "2026-01-10T09:30",
        "description": "Needle left on the reception desk stuck my finger.",
        "immediate_action": "Washed, reported to the clinic lead.",
        "follow_up_required": "on",
    }
    response = bob_client.post("/clinic/sharps/new/", data)
    assert response.status_code == 302
    assert SharpsIncident.unscoped.get().staff_member == bob


def test_a_clinician_reports_by_mrn_and_closes_with_follow_up(alice_client, alice, patient_a):
    token = csrf_token(alice_client, "/clinic/sharps/new/")
    data = {
        "csrfmiddlewaretoken": token,
        "kind": "broken_needle",
        "person": "patient",
        "patient_mrn": "A-0001",
        "occurred_at": "2026-01-10T09:30",
        "description": "Needle bent and broke at the hub.",
        "immediate_action": "Fragment removed with forceps.",
    }
    response = alice_client.post("/clinic/sharps/new/", data)
    assert response.status_code == 302
    incident = SharpsIncident.unscoped.get()
    assert incident.patient == patient_a
    detail_url = response["Location"]
    assert "Close incident" in alice_client.get(detail_url).content.decode()
    assert alice_client.post(detail_url, {"csrfmiddlewaretoken": token, "follow_up": ""}).status_code == 200
    response = alice_client.post(
        detail_url, {"csrfmiddlewaretoken": token, "follow_up": "Reviewed next day, no sequelae."}
    )
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "closed"


def test_an_unknown_mrn_is_refused_at_the_field(alice_client, patient_a):
    token = csrf_token(alice_client, "/clinic/sharps/new/")
    data = {
        "csrfmiddlewaretoken": token,
        "kind": "broken_needle",
        "person": "patient",
        "patient_mrn": "NOPE-1",
        "occurred_at": "2026-01-10T09:30",
        "description": "Needle bent and broke at the hub.",
        "immediate_action": "Fragment removed.",
    }
    response = alice_client.post("/clinic/sharps/new/", data)
    assert response.status_code == 200 and "No patient of your clinic has this MRN" in response.content.decode()


def test_safety_settings_for_admins_only(dana_client, alice_client, bob_client, clinic_a, fake_rules):
    for client in (alice_client, bob_client):
        response = client.get("/clinic/safety-settings/")
        assert response.status_code == 403 and "Only a clinic admin" in response.content.decode()
    token = csrf_token(dana_client, "/clinic/safety-settings/")
    body = dana_client.get("/clinic/safety-settings/").content.decode()
    assert "Testland (50 hours, no chiropractors)" in body
    data = {"csrfmiddlewaretoken": token, "age_of_consent": "16", "jurisdiction": "testland"}
    assert dana_client.post("/clinic/safety-settings/", data).status_code == 302
    clinic_a.refresh_from_db()
    assert (clinic_a.age_of_consent, clinic_a.jurisdiction) == (16, "testland")
    data["age_of_consent"] = "30"
    assert dana_client.post("/clinic/safety-settings/", data).status_code == 200


def test_every_safety_form_enforces_csrf(alice_client, dana_client, alice, fake_rules):
    record = add_training(alice, alice)
    incident = sharps_incident_report(
        actor=alice,
        kind="needle_found",
        person="staff",
        staff_member=alice,
        description="Needle on the floor of room 2.",
        immediate_action="Put in the sharps container.",
    )
    for client, url in (
        (alice_client, f"/clinic/credentials/{alice.pk}/"),
        (alice_client, f"/clinic/training/{record.pk}/retire/"),
        (alice_client, "/clinic/sharps/new/"),
        (alice_client, f"/clinic/sharps/{incident.pk}/"),
        (dana_client, "/clinic/safety-settings/"),
    ):
        response = client.post(url, {"action": "training", "reason": "x", "follow_up": "xxxxxx", "age_of_consent": "9"})
        assert response.status_code == 403, url
    record.refresh_from_db()
    incident.refresh_from_db()
    assert record.retired_at is None and incident.status == "open"


def test_anonymous_users_are_sent_to_login(anon_client):
    for url in ("/clinic/credentials/", "/clinic/sharps/", "/clinic/sharps/new/", "/clinic/safety-settings/"):
        response = anon_client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_an_incident_reported_from_a_session_links_the_session(trained_alice, alice_client, carol_client, session_a):
    url = f"/clinic/sharps/new/?session={session_a.pk}"
    page = alice_client.get(url).content.decode()
    assert 'value="A-0001"' in page and f"session {session_a.pk}" in page
    assert carol_client.get(url).status_code == 404
    token = csrf_token(alice_client, url)
    data = {
        "csrfmiddlewaretoken": token,
        "kind": "retained_needle",
        "person": "patient",
        "patient_mrn": "A-0001",
        "session": str(session_a.pk),
        "occurred_at": "2026-01-10T09:30",
        "description": "Count out one short at the end of the session.",
        "immediate_action": "Patient examined; needle found in the gown and disposed of.",
    }
    assert alice_client.post(url, data).status_code == 302
    incident = SharpsIncident.unscoped.get()
    assert incident.session == session_a and incident.patient_id == session_a.patient_id
