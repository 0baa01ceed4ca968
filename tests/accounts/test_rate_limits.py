"""Rate limits (issue 9): refused with 429, a page in words and Retry-After, audited, stored in the
database so every gunicorn worker sees the same counts.

The attack the issue records: 25 emails x 4 wrong passwords from one address all went through
(django-axes counts per email AND address, 5 each); 500 random patient-link guesses at 87/s were
neither limited nor audited.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client, override_settings

from dryneedling.accounts.models import AuditEvent, Outcome
from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"


def _login(client: Client, email: str, password: str, addr: str = "203.0.113.9"):  # type: ignore[no-untyped-def]
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=addr)


def _rate_limited_rows() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="rate_limit.refused", outcome=Outcome.DENIED))


@pytest.mark.django_db
def test_many_emails_from_one_address_are_refused_with_429(alice) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    statuses = []
    for n in range(25):
        for _ in range(4):
            statuses.append(_login(client, f"user{n}@a.test", "wrong password 123").status_code)
    assert statuses[0] == 200  # the form again, with its error
    assert 429 in statuses, "a spray of emails from one address was never limited"
    first = statuses.index(429)
    assert first <= 30
    assert set(statuses[first:]) == {429}
    # The real account, with the right password, from the same address: refused too, in words.
    response = _login(client, alice.email, PASSWORD)
    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many" in text and re.search(r"[Tt]ry again in \d+ minutes?", text)
    assert int(response["Retry-After"]) > 0
    assert "_auth_user_id" not in client.session
    # Another address is not affected.
    assert _login(Client(), alice.email, PASSWORD, addr="198.51.100.7").status_code == 302
    rows = _rate_limited_rows()
    assert rows and all(r.detail["reason"] == "rate-limited" for r in rows)
    assert all(PASSWORD not in str(r.detail) for r in rows)


@pytest.mark.django_db
@override_settings(RATE_LIMITS={"login-email": (3, 900)})
def test_one_account_from_many_addresses_is_refused_even_with_the_right_password(alice) -> None:  # type: ignore[no-untyped-def]
    for n in range(3):
        assert _login(Client(), "Alice@A.test", "wrong password 123", addr=f"198.51.100.{n}").status_code == 200
    response = _login(Client(), alice.email, PASSWORD, addr="192.0.2.1")
    assert response.status_code == 429
    assert "this account" in response.content.decode()
    row = _rate_limited_rows()[-1]
    assert row.object_id == "login" and row.detail["scope"] == "login-email"


@pytest.mark.django_db
@override_settings(RATE_LIMITS={"login-address": (2, 60)})
def test_the_refusal_says_when_to_try_again_and_the_window_ends(alice) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    client = Client()
    for _ in range(2):
        _login(client, alice.email, "wrong password 123")
    refused = _login(client, alice.email, PASSWORD)
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "Try again in 1 minute" in refused.content.decode()
    later = timezone.now() + timedelta(seconds=61)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert _login(client, alice.email, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_axes_lockout_of_one_email_and_address_is_the_same_429_page(alice) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for _ in range(5):
        _login(client, alice.email, "wrong password 123")
    response = _login(client, alice.email, PASSWORD)
    assert response.status_code == 429
    assert "Retry-After" in response
    assert "Try again in" in response.content.decode()
    assert _rate_limited_rows()


@pytest.mark.django_db
def test_counts_live_in_the_database_and_old_windows_are_pruned() -> None:
    from datetime import timedelta
    from unittest import mock

    from django.utils import timezone

    from dryneedling.accounts.models import RateLimitCounter
    from dryneedling.accounts.ratelimit import rate_limit_hit

    for _ in range(3):
        decision = rate_limit_hit(scope="test", key="198.51.100.1", limit=2, window=60)
    assert not decision.allowed and decision.count == 3 and 0 < decision.retry_after <= 60
    assert RateLimitCounter.objects.get().count == 3
    assert "198.51.100.1" not in str(RateLimitCounter.objects.values_list().get())  # a keyed digest
    later = timezone.now() + timedelta(seconds=200)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert rate_limit_hit(scope="test", key="198.51.100.1", limit=2, window=60).allowed
    assert RateLimitCounter.objects.count() == 1  # the old window is gone


@pytest.mark.django_db
@override_settings(RATE_LIMITS={"password-reset-address": (2, 3600)})
def test_password_reset_requests_are_limited_per_address(alice) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    for n in range(2):
        response = client.post("/accounts/password-reset/", {"email": f"x{n}@a.test"}, REMOTE_ADDR="203.0.113.5")
        assert response.status_code == 302
    response = client.post("/accounts/password-reset/", {"email": alice.email}, REMOTE_ADDR="203.0.113.5")
    assert response.status_code == 429 and "Try again in" in response.content.decode()
    assert mail.outbox == []
    assert _rate_limited_rows()[-1].detail["scope"] == "password-reset-address"


@pytest.mark.django_db
@override_settings(RATE_LIMITS={"password-reset-email": (2, 3600)})
def test_password_reset_requests_are_limited_per_email_whether_or_not_it_exists(alice) -> None:  # type: ignore[no-untyped-def]
    for email in (alice.email, "nobody@a.test"):
        statuses = [
            Client().post("/accounts/password-reset/", {"email": email.upper()}, REMOTE_ADDR=f"192.0.2.{n}").status_code
            for n in range(3)
        ]
        assert statuses == [302, 302, 429], email
    assert len(mail.outbox) == 2


@pytest.mark.django_db
@override_settings(RATE_LIMITS={"public-link": (5, 60)})
def test_public_link_guesses_are_limited_and_every_refusal_audited(clinic_a) -> None:  # type: ignore[no-untyped-def]
    client = Client()
    statuses = [client.get(f"/c/guess{n}/", REMOTE_ADDR="203.0.113.77").status_code for n in range(8)]
    assert statuses[:5] == [404] * 5 and statuses[5:] == [429] * 3
    for url in ("/h/guess/", "/h/guess/plan.pdf", "/s/guess/", f"/learn/{clinic_a.slug}/", "/learn/x/dry-needling.pdf"):
        response = client.get(url, REMOTE_ADDR="203.0.113.77")
        assert response.status_code == 429, url
        assert response["Retry-After"]
    rows = [r for r in _rate_limited_rows() if r.detail["scope"] == "public-link"]
    assert len(rows) == 8
    assert all("guess" not in str(r.detail) + r.object_id for r in rows)  # never the token
    assert Client().get("/c/guess/", REMOTE_ADDR="198.51.100.3").status_code == 404  # another address


@pytest.mark.django_db
@override_settings(RATE_LIMITS={"public-link": (1, 60)}, DRYNEEDLING_CLIENT_ADDRESS_HEADER="HTTP_X_REAL_IP")
def test_a_trusted_proxy_header_names_the_client() -> None:
    client = Client()
    assert client.get("/c/g/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.1").status_code == 404
    assert client.get("/c/g/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.2").status_code == 404
    assert client.get("/c/g/", REMOTE_ADDR="10.0.0.1", HTTP_X_REAL_IP="203.0.113.2").status_code == 429


@pytest.mark.django_db
@override_settings(RATE_LIMITS={"public-link": (1, 60)})
def test_without_the_setting_a_forwarded_header_is_ignored() -> None:
    client = Client()
    assert client.get("/c/g/", REMOTE_ADDR="203.0.113.1", HTTP_X_FORWARDED_FOR="1.1.1.1").status_code == 404
    assert client.get("/c/g/", REMOTE_ADDR="203.0.113.1", HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429
