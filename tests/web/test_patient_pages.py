from __future__ import annotations

import pytest
from django.utils import timezone

from dryneedling.accounts.models import AuditEvent
from dryneedling.patients.models import Episode, Patient
from tests.conftest import csrf_token

FORM = {
    "mrn": "B-77",
    "given_name": "Hana",
    "family_name": "Sato",
    "date_of_birth": "1985-03-09",
    "sex": "female",
    "phone": "",
    "email": "",
    "address": "",
    "notes": "",
}


@pytest.mark.django_db
def test_front_desk_registers_a_patient_and_the_view_is_audited(bob_client):
    token = csrf_token(bob_client, "/patients/new/")
    response = bob_client.post("/patients/new/", FORM | {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    patient = Patient.unscoped.get(mrn="B-77")
    page = bob_client.get(response["Location"])
    assert page.status_code == 200 and "Hana Sato" in page.content.decode()
    assert AuditEvent.objects.filter(action="patient.view", object_id=str(patient.pk)).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"date_of_birth": "2999-01-01"}, "cannot be in the future"),
        ({"date_of_birth": "1985-02-30"}, "Enter a valid date"),
        ({"given_name": "x" * 101}, "at most 100 characters"),
        ({"family_name": "Sa\x00to"}, "Null characters are not allowed"),
        ({"mrn": "A-0001"}, "Another patient of this clinic has this MRN"),
        ({"email": "not-email"}, "Enter a valid email address"),
    ],
)
def test_bad_patient_input_gets_a_field_message(alice_client, patient_a, change, message):
    token = csrf_token(alice_client, "/patients/new/")
    response = alice_client.post("/patients/new/", FORM | change | {"csrfmiddlewaretoken": token})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Patient.unscoped.count() == 1


@pytest.mark.django_db
def test_edit_patient(alice_client, patient_a):
    url = f"/patients/{patient_a.pk}/edit/"
    token = csrf_token(alice_client, url)
    data = FORM | {"mrn": "A-0001", "given_name": "Zelda", "family_name": "Quimby-Smith", "csrfmiddlewaretoken": token}
    assert alice_client.post(url, data).status_code == 302
    patient_a.refresh_from_db()
    assert patient_a.family_name == "Quimby-Smith"


@pytest.mark.django_db
def test_episode_create_with_icd10_and_bad_code(alice_client, patient_a):
    url = f"/patients/{patient_a.pk}/episodes/new/"
    token = csrf_token(alice_client, url)
    today = timezone.localdate().isoformat()
    base = {
        "csrfmiddlewaretoken": token,
        "reason": "Heel pain",
        "referral_source": "self",
        "start_date": today,
        "end_date": "",
        "status": "active",
    }
    bad = alice_client.post(url, base | {"conditions": "PF1 plantar fasciitis"})
    assert bad.status_code == 200 and "is not an ICD-10-CM code" in bad.content.decode()
    good = alice_client.post(url, base | {"conditions": "M72.2 Plantar fascial fibromatosis"})
    assert good.status_code == 302
    episode = Episode.unscoped.get(reason="Heel pain")
    assert [(c.code, c.text) for c in episode.conditions.all()] == [("M72.2", "Plantar fascial fibromatosis")]
    assert AuditEvent.objects.filter(action="episode.create", object_id=str(episode.pk)).exists()


@pytest.mark.django_db
def test_patient_list_paginates_and_htmx_returns_a_partial(alice, alice_client):
    from dryneedling.synthetic.loader import seed_clinic

    seed_clinic(clinic=alice.membership.clinic, patients=60, seed=5)
    full = alice_client.get("/patients/")
    assert b"<html" in full.content and b"Page 1 of 3" in full.content
    partial = alice_client.get("/patients/?page=2", headers={"HX-Request": "true"})
    assert b"<html" not in partial.content and b"Page 2 of 3" in partial.content


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"  # no engine or migration detail (issue 9)


@pytest.mark.django_db
def test_security_headers(alice_client):
    response = alice_client.get("/patients/")
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp and "default-src 'self'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_a_new_episode_starts_today_in_the_clinics_zone(alice_client, patient_a):
    from django.utils import timezone

    form = alice_client.get(f"/patients/{patient_a.pk}/episodes/new/").context["form"]
    assert form.initial["start_date"] == timezone.localdate()
