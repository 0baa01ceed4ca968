"""Carol (clinic B) gets 404 on every clinic A patient and episode URL, with no patient data."""

from __future__ import annotations

import pytest

from dryneedling.accounts.models import AuditEvent


def _urls(patient):  # type: ignore[no-untyped-def]
    episode = patient.episodes.get()
    return [
        f"/patients/{patient.pk}/",
        f"/patients/{patient.pk}/edit/",
        f"/patients/{patient.pk}/episodes/new/",
        f"/episodes/{episode.pk}/edit/",
    ]


@pytest.mark.django_db
def test_other_clinic_ids_give_404_without_patient_data(carol_client, patient_a):
    for url in _urls(patient_a):
        response = carol_client.get(url)
        assert response.status_code == 404, url
        body = response.content.decode()
        assert "Quimby" not in body and "Zelda" not in body and "A-0001" not in body
    denied = AuditEvent.objects.filter(actor__email="carol@b.test", outcome="denied")
    assert denied.filter(clinic__slug="clinic-b").count() == 4  # in Carol's clinic
    assert denied.filter(clinic__slug="clinic-a").count() == 4  # and in the clinic she targeted


@pytest.mark.django_db
def test_other_clinic_cannot_post_changes(carol_client, patient_a):
    carol_client.get("/patients/")
    token = carol_client.cookies["csrftoken"].value
    response = carol_client.post(
        f"/patients/{patient_a.pk}/edit/",
        {
            "csrfmiddlewaretoken": token,
            "mrn": "X1",
            "given_name": "Hacked",
            "family_name": "Hacked",
            "date_of_birth": "1990-01-01",
            "sex": "male",
        },
    )
    assert response.status_code == 404
    patient_a.refresh_from_db()
    assert patient_a.given_name == "Zelda"


@pytest.mark.django_db
def test_lists_and_searches_never_show_other_clinics(carol_client, alice_client, patient_a):
    # The search box echoes the query, so look for the patient's other name.
    for url, other_name in (
        ("/patients/", "Quimby"),
        ("/patients/?q=Quimby", "Zelda"),
        ("/patients/?q=A-0001", "Zelda"),
    ):
        body = carol_client.get(url).content.decode()
        assert other_name not in body and "0 patients" in body
        htmx = carol_client.get(url, headers={"HX-Request": "true"}).content.decode()
        assert other_name not in htmx
    assert "Quimby" in alice_client.get("/patients/?q=Quimby").content.decode()


@pytest.mark.django_db
def test_unknown_ids_give_the_same_404(carol_client):
    assert carol_client.get("/patients/999999/").status_code == 404
    assert carol_client.get("/episodes/999999/edit/").status_code == 404


@pytest.mark.django_db
def test_anonymous_users_are_sent_to_login(anon_client, patient_a):
    for url in ["/patients/", *_urls(patient_a), "/clinic/audit/"]:
        response = anon_client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


@pytest.mark.django_db
def test_users_without_a_clinic_are_refused(db, patient_a):
    from django.test import Client

    from dryneedling.accounts.models import User

    loner = User.objects.create_user("loner@x.test", "a long enough passphrase 9", full_name="Loner")
    client = Client()
    client.force_login(loner)
    response = client.get(f"/patients/{patient_a.pk}/")
    assert response.status_code == 403
    assert "Quimby" not in response.content.decode()
