"""Every form refuses a POST without a CSRF token."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_every_form_enforces_csrf(alice_client, patient_a):
    episode = patient_a.episodes.get()
    urls = [
        "/patients/new/",
        f"/patients/{patient_a.pk}/edit/",
        f"/patients/{patient_a.pk}/episodes/new/",
        f"/episodes/{episode.pk}/edit/",
        "/accounts/logout/",
    ]
    for url in urls:
        response = alice_client.post(url, {"mrn": "X", "reason": "x"})
        assert response.status_code == 403, url
    patient_a.refresh_from_db()
    assert patient_a.given_name == "Zelda"


@pytest.mark.django_db
def test_login_form_enforces_csrf(anon_client, alice):
    response = anon_client.post("/accounts/login/", {"username": alice.email, "password": "x"})
    assert response.status_code == 403
