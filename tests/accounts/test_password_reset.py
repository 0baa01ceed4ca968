"""Password reset by email (issue 9): Django's flow with the app's pages; no account enumeration;
case-insensitive email; validators apply; audited without the token; every session ends."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from dryneedling.accounts.models import AuditEvent
from tests.conftest import PASSWORD, csrf_token

NEW = "lantern orchard velvet 93"
RESET = "/accounts/password-reset/"


def _request(client: Client, email: str):  # type: ignore[no-untyped-def]
    return client.post(RESET, {"email": email, "csrfmiddlewaretoken": csrf_token(client, RESET)})


def _link_path() -> str:
    match = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


@pytest.mark.django_db
def test_sign_in_page_links_to_the_reset(anon_client) -> None:  # type: ignore[no-untyped-def]
    page = anon_client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password-reset/"' in page and "Forgot your password?" in page


@pytest.mark.django_db
def test_same_answer_whether_or_not_the_email_has_an_account(alice) -> None:  # type: ignore[no-untyped-def]
    known, unknown = (
        _request(Client(enforce_csrf_checks=True), "ALICE@a.test"),
        _request(Client(enforce_csrf_checks=True), "nobody@a.test"),
    )
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/accounts/password-reset/sent/"
    done = Client().get(known["Location"]).content.decode()
    assert "If the email you typed belongs to an account" in done
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [alice.email]  # case-insensitive
    requests = AuditEvent.objects.filter(action="auth.password_reset.request").order_by("id")
    assert [r.detail["account"] for r in requests] == [True, False]
    assert requests[0].clinic_id == alice.membership.clinic_id and requests[0].object_id == str(alice.pk)


@pytest.mark.django_db
def test_bad_email_is_a_field_error(anon_client) -> None:  # type: ignore[no-untyped-def]
    response = _request(anon_client, "not an email")
    assert response.status_code == 200 and "Enter a valid email address." in response.content.decode()
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_link_sets_a_validated_password_once_and_ends_every_session(alice, alice_client) -> None:  # type: ignore[no-untyped-def]
    from dryneedling.accounts.models import UserSession

    assert UserSession.objects.filter(user=alice).count() == 1  # the persona's signed-in browser
    _request(Client(enforce_csrf_checks=True), alice.email)
    assert "/accounts/reset/" in mail.outbox[0].body and mail.outbox[0].body.startswith("Hello Alice")
    browser = Client()
    form_page = browser.get(_link_path(), follow=True)
    assert form_page.status_code == 200 and "Set a new password" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    assert "set-password" in set_url  # the token left the address bar
    # A breached password is refused by the project's validator, as a field error.
    weak = browser.post(set_url, {"new_password1": "Password2024!!", "new_password2": "Password2024!!"})
    assert weak.status_code == 200 and "leaked passwords" in weak.content.decode()
    done = browser.post(set_url, {"new_password1": NEW, "new_password2": NEW})
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    alice.refresh_from_db()
    assert alice.check_password(NEW)
    # The session that was signed in is signed out, and its row is gone.
    assert alice_client.get("/patients/")["Location"].startswith("/accounts/login/")
    assert not UserSession.objects.filter(user=alice).exists()
    # The link works once.
    again = Client().get(_link_path(), follow=True).content.decode()
    assert "This link does not work" in again
    complete = AuditEvent.objects.get(action="auth.password_reset.complete")
    assert complete.detail == {"sessions_ended": 1, "api_tokens_revoked": 0} and complete.object_id == str(alice.pk)
    token = _link_path().rstrip("/").rsplit("/", 1)[-1]
    for row in AuditEvent.objects.all():
        assert token not in str(row.detail) + row.object_id


@pytest.mark.django_db
def test_a_made_up_link_says_it_does_not_work(alice) -> None:  # type: ignore[no-untyped-def]
    response = Client().get("/accounts/reset/MQ/abc-123/", follow=True)
    assert response.status_code == 200 and "This link does not work" in response.content.decode()


@pytest.mark.django_db
def test_email_links_use_the_public_address_not_the_host_header(alice, settings) -> None:  # type: ignore[no-untyped-def]
    settings.PUBLIC_BASE_URL = "https://clinic.example"
    Client().post(RESET, {"email": alice.email}, HTTP_HOST="localhost")
    assert "https://clinic.example/accounts/reset/" in mail.outbox[0].body


def test_reset_tokens_are_redacted_from_logged_paths() -> None:
    from dryneedling.logfilter import redact_path

    line = '"GET /accounts/reset/MQ/cm3k1x-0a1b2c3d4e5f6a7b8c9d/ HTTP/1.1" 302'
    assert redact_path(line) == '"GET /accounts/reset/MQ/…/ HTTP/1.1" 302'
    assert redact_path("/accounts/reset/MQ/set-password/") == "/accounts/reset/MQ/set-password/"
    assert redact_path("/accounts/reset/done/") == "/accounts/reset/done/"


@pytest.mark.django_db
def test_the_email_is_plain_text_not_html_escaped(clinic_a) -> None:  # type: ignore[no-untyped-def]
    from dryneedling.accounts.services import user_create

    user_create(email="o@a.test", full_name="Ana O'Brien & Co", clinic=clinic_a, role="front_desk", password=PASSWORD)
    Client().post(RESET, {"email": "o@a.test"})
    assert mail.outbox[0].body.startswith("Hello Ana O'Brien & Co,")
    assert mail.outbox[0].subject == "Reset your dryneedling password"
