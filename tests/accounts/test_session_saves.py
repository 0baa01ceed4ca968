"""Issue 14: the session is saved only when needed, and a failed session save never turns a
committed write into an error.

`SESSION_SAVE_EVERY_REQUEST` made every page a database write. The idle expiry now moves only
when it has fallen behind by more than `accounts.middleware.idle_refresh_seconds()`; the idle
timeout still ends a session `SESSION_COOKIE_AGE` seconds after the last refresh (so at most that
long, and at least that long less the refresh interval, after the last request)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from dryneedling.accounts.middleware import LAST_REFRESH_KEY, idle_refresh_seconds

SESSION_WRITE = re.compile(r'^(UPDATE|INSERT INTO) "django_session"')


def _session_writes(client, url: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        status = client.get(url).status_code
    return status, sum(1 for q in ctx.captured_queries if SESSION_WRITE.match(q["sql"]))


def _age_session(client, seconds: int) -> None:  # type: ignore[no-untyped-def]
    """As if the session's last refresh happened `seconds` earlier: its stamp and its expiry."""
    key = client.session.session_key
    row = Session.objects.get(session_key=key)
    store = client.session
    data = store.decode(row.session_data)
    data[LAST_REFRESH_KEY] = data[LAST_REFRESH_KEY] - seconds
    Session.objects.filter(session_key=key).update(
        session_data=store.encode(data), expire_date=row.expire_date - timedelta(seconds=seconds)
    )


def test_every_request_no_longer_saves_the_session() -> None:
    assert settings.SESSION_SAVE_EVERY_REQUEST is False
    assert 0 < idle_refresh_seconds() <= 300 and idle_refresh_seconds() < settings.SESSION_COOKIE_AGE


@pytest.mark.django_db
def test_a_page_that_needs_no_refresh_writes_no_session_row(alice_client) -> None:  # type: ignore[no-untyped-def]
    alice_client.get("/patients/")  # the first request stamps the session
    status, writes = _session_writes(alice_client, "/patients/")
    assert status == 200 and writes == 0
    status, writes = _session_writes(alice_client, "/today/")
    assert status == 200 and writes == 0


@pytest.mark.django_db
def test_a_request_after_the_refresh_interval_moves_the_expiry(alice_client) -> None:  # type: ignore[no-untyped-def]
    alice_client.get("/patients/")
    _age_session(alice_client, idle_refresh_seconds() + 1)
    before = Session.objects.get(session_key=alice_client.session.session_key).expire_date
    status, writes = _session_writes(alice_client, "/patients/")
    assert status == 200 and writes == 1
    after = Session.objects.get(session_key=alice_client.session.session_key).expire_date
    assert after > before
    assert abs((after - timezone.now()).total_seconds() - settings.SESSION_COOKIE_AGE) < 30


@pytest.mark.django_db
def test_the_idle_timeout_still_signs_out(alice_client) -> None:  # type: ignore[no-untyped-def]
    alice_client.get("/patients/")
    _age_session(alice_client, settings.SESSION_COOKIE_AGE - 60)  # idle, but not for long enough
    assert alice_client.get("/patients/").status_code == 200
    _age_session(alice_client, settings.SESSION_COOKIE_AGE + 1)  # idle for the whole timeout
    response = alice_client.get("/patients/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
