"""Defects the authorization matrix found, each pinned by a direct test (all failed first except the
deactivated-session one, which holds already and stays pinned)."""

from __future__ import annotations

import pytest
from django.test import Client

from dryneedling.accounts.models import AuditEvent, User
from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
PATIENT_DATA = ("Zelda", "Quimby", "A-0001")


def _former_clinician(clinic_a) -> tuple[User, Client]:  # type: ignore[no-untyped-def]
    """Ina, a clinician of clinic A, signed in, then deactivated by the clinic."""
    from dryneedling.accounts.services import user_create
    from tests.conftest import PASSWORD

    ina = user_create(
        email="ina@a.test", full_name="Ina Inactive", clinic=clinic_a, role="clinician", password=PASSWORD
    )
    client = Client(enforce_csrf_checks=True)
    client.force_login(ina)
    User.objects.filter(pk=ina.pk).update(is_active=False)
    return ina, client


def test_a_deactivated_users_open_session_reaches_no_page(clinic_a, patient_a):  # type: ignore[no-untyped-def]
    _, client = _former_clinician(clinic_a)
    for url in (f"/patients/{patient_a.pk}/", "/patients/", "/kb/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    assert not AuditEvent.objects.filter(actor_email="ina@a.test").exists()


def test_the_admins_credentials_list_survives_a_deactivated_clinician(clinic_a, dana_client, alice):  # type: ignore[no-untyped-def]
    ina, _ = _former_clinician(clinic_a)
    response = dana_client.get("/clinic/credentials/")
    assert response.status_code == 200
    assert "Ina Inactive" in response.content.decode()
    assert dana_client.get(f"/clinic/credentials/{ina.pk}/").status_code == 200


@pytest.mark.parametrize("method", ["put", "patch", "delete", "trace", "post"])
def test_pages_without_a_write_answer_405_and_write_no_audit_row(method, alice_client, patient_a):  # type: ignore[no-untyped-def]
    alice_client.get("/patients/")  # the CSRF cookie, as a browser holds it
    token = alice_client.cookies["csrftoken"].value
    before = AuditEvent.objects.count()
    for url in (f"/patients/{patient_a.pk}/", "/patients/", "/kb/", "/"):
        response = alice_client.generic(method.upper(), url, headers={"X-CSRFToken": token})
        assert response.status_code == 405, (method, url)
        assert not any(word in response.content.decode() for word in PATIENT_DATA)
    assert AuditEvent.objects.count() == before


def test_signed_in_users_get_405_from_the_sign_in_page_for_other_methods(alice_client, anon_client):  # type: ignore[no-untyped-def]
    for client in (alice_client, anon_client):
        client.cookies["csrftoken"] = "x" * 32  # a well-formed CSRF secret, so the method guard answers
        response = client.put("/accounts/login/", headers={"X-CSRFToken": "x" * 32})
        assert response.status_code == 405
    assert alice_client.get("/accounts/login/").status_code == 302  # still sent on when signed in


def test_a_role_refusal_says_why_and_carries_no_patient_data(bob_client, alice, ready_episode):  # type: ignore[no-untyped-def,no-redef]  # noqa: F811
    from django.utils.html import escape

    from dryneedling.treatment.services.common import CLINICIAN_ONLY
    from tests.followup.test_services import complete_session

    session = complete_session(alice, ready_episode)
    bob_client.get("/patients/")
    token = bob_client.cookies["csrftoken"].value
    response = bob_client.post(f"/sessions/{session.pk}/note/sign/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 403
    body = response.content.decode()
    assert escape(CLINICIAN_ONLY) in body
    assert not any(word in body for word in PATIENT_DATA)
