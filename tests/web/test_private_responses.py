"""What anonymous callers and shared computers get (issue 9): /healthz says ok or not and nothing
else; sign-in ignores the email's case; pages and PDFs with patient data are never cached."""

# ruff: noqa: F811
from __future__ import annotations

import pytest
from django.db import DatabaseError

from tests.conftest import PASSWORD
from tests.treatment.conftest import episode_a, ready_episode, session_a  # noqa: F401  (fixtures)


def _cache_control(response) -> set[str]:  # type: ignore[no-untyped-def]
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


# ---- /healthz ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_healthz_says_ok_and_nothing_more(anon_client):
    response = anon_client.get("/healthz")
    assert response.status_code == 200
    assert response.content.decode().strip() == "ok"
    for word in (b"sqlite", b"postgres", b"migration", b"engine", b"pending"):
        assert word not in response.content.lower()


@pytest.mark.django_db
def test_healthz_says_unavailable_without_detail_and_logs_the_reason(anon_client, monkeypatch, caplog):
    from dryneedling.web.views.accounts import auth as views_auth

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise DatabaseError("connection refused")

    monkeypatch.setattr(views_auth, "MigrationExecutor", broken)
    response = anon_client.get("/healthz")
    assert response.status_code == 503
    assert response.content.decode().strip() == "unavailable"
    assert "connection refused" not in response.content.decode()
    assert any("connection refused" in record.getMessage() for record in caplog.records)


# ---- sign-in email case -------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["Alice@A.Test", " ALICE@a.test "])
def test_sign_in_ignores_the_email_case(alice, anon_client, typed):
    anon_client.get("/accounts/login/")
    token = anon_client.cookies["csrftoken"].value
    response = anon_client.post(
        "/accounts/login/", {"username": typed, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert response.wsgi_request.user == alice


@pytest.mark.django_db
def test_users_are_created_with_a_lower_case_email(clinic_a):
    from django.core.exceptions import ValidationError

    from dryneedling.accounts.services import user_create

    user = user_create(email="Erin@A.Test", full_name="Erin", clinic=clinic_a, role="clinician", password=PASSWORD)
    assert user.email == "erin@a.test"
    with pytest.raises(ValidationError):
        user_create(email="ERIN@a.test", full_name="Erin 2", clinic=clinic_a, role="clinician", password=PASSWORD)


# ---- Cache-Control on authenticated responses -----------------------------------------------------
@pytest.mark.django_db
def test_authenticated_pages_are_not_stored(alice_client, patient_a, session_a):
    episode = patient_a.episodes.get()
    urls = [
        "/patients/",
        f"/patients/{patient_a.pk}/",
        f"/patients/{patient_a.pk}/edit/",
        f"/episodes/{episode.pk}/chart/",
        f"/episodes/{episode.pk}/outcomes.svg",
        f"/sessions/{session_a.pk}/",
        "/clinic/",
        "/followup/",
        "/kb/",
    ]
    for url in urls:
        response = alice_client.get(url)
        assert response.status_code == 200, url
        assert {"no-store", "private"} <= _cache_control(response), (url, response.get("Cache-Control"))


@pytest.mark.django_db
def test_superbill_pdf_is_not_stored(alice, alice_client, ready_episode):
    from tests.followup.test_services import complete_session
    from tests.treatment.conftest import sign_note

    session = sign_note(alice, complete_session(alice, ready_episode))  # a signed session has a superbill
    response = alice_client.get(f"/sessions/{session.pk}/superbill.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert {"no-store", "private"} <= _cache_control(response)


@pytest.mark.django_db
def test_anonymous_education_page_may_be_cached(anon_client, clinic_a):
    response = anon_client.get("/learn/clinic-a/")
    assert response.status_code == 200
    assert "no-store" not in _cache_control(response)
