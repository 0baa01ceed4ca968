"""Issue 14: recording a point is idempotent, and a session that cannot be saved afterwards never
turns a saved point into an error.

The point form carries a key made for each rendering (`client_key`, a uuid); a retry of the same
submission (a lost response, a double click, the browser resending) finds the point already saved
under that key and answers as the first time, without a second point or a second audit row."""

from __future__ import annotations

import re
import threading
import uuid
from unittest import mock

import pytest
from django.contrib.sessions.backends.base import UpdateError
from django.db import DatabaseError, IntegrityError, close_old_connections, connection, transaction

from dryneedling.accounts.models import AuditEvent
from dryneedling.treatment.models import Insertion
from tests.accounts.test_session_saves import _age_session
from tests.conftest import csrf_token
from tests.treatment.conftest import record

HX = {"HX-Request": "true"}


def _data(client, session, key: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    session.refresh_from_db()
    return {
        "csrfmiddlewaretoken": csrf_token(client, f"/sessions/{session.pk}/"),
        "version": str(session.version),
        "client_key": key,
        "muscle_id": "gluteus_medius",
        "side": "right",
        "technique": "pistoning",
        "needle_diameter_mm": "0.30",
        "needle_length_mm": "50",
        "planned_seconds": "30",
        "actual_seconds": "25",
        "twitch_count": "0",
    }


def _post(client, session, data):  # type: ignore[no-untyped-def]
    return client.post(f"/sessions/{session.pk}/points/", data, headers=HX)


@pytest.mark.django_db
def test_the_point_form_carries_a_fresh_key_each_time(alice_client, session_a):  # type: ignore[no-untyped-def]
    keys = []
    for _ in range(2):
        html = alice_client.get(f"/sessions/{session_a.pk}/").content.decode()
        found = re.search(r'<input type="hidden" name="client_key" value="([0-9a-f-]{36})"', html)
        assert found, "the point form has no client key"
        keys.append(uuid.UUID(found.group(1)))
    assert keys[0] != keys[1]


@pytest.mark.django_db
def test_the_same_submission_twice_records_one_point(alice, alice_client, session_a):  # type: ignore[no-untyped-def]
    data = _data(alice_client, session_a, str(uuid.uuid4()))
    first = _post(alice_client, session_a, data)
    again = _post(alice_client, session_a, data)  # the same form, its version now stale
    for response in (first, again):
        assert response.status_code == 200 and b"Point saved" in response.content
        assert b"Someone else changed this record" not in response.content
    assert Insertion.unscoped.filter(session=session_a).count() == 1
    assert AuditEvent.objects.filter(action="insertion.create").count() == 1
    session_a.refresh_from_db()
    assert session_a.version == int(data["version"]) + 1  # the retry wrote nothing


@pytest.mark.django_db
def test_another_key_records_another_point(alice_client, session_a):  # type: ignore[no-untyped-def]
    _post(alice_client, session_a, _data(alice_client, session_a, str(uuid.uuid4())))
    _post(alice_client, session_a, _data(alice_client, session_a, str(uuid.uuid4())))
    assert Insertion.unscoped.filter(session=session_a).count() == 2


@pytest.mark.django_db
def test_points_without_a_key_are_still_recorded(alice, session_a):  # type: ignore[no-untyped-def]
    record(alice, session_a)
    record(alice, session_a)
    assert list(Insertion.unscoped.filter(session=session_a).values_list("client_key", flat=True)) == [None, None]


@pytest.mark.django_db
def test_the_database_refuses_a_second_point_under_one_key(alice, session_a):  # type: ignore[no-untyped-def]
    key = uuid.uuid4()
    point = record(alice, session_a)
    Insertion.unscoped.filter(pk=point.pk).update(client_key=key)
    second = record(alice, session_a)
    with pytest.raises(IntegrityError), transaction.atomic():
        Insertion.unscoped.filter(pk=second.pk).update(client_key=key)


@pytest.mark.postgres_only  # runs in CI's PostgreSQL pass (deselected, not skipped, on SQLite)
@pytest.mark.django_db(transaction=True)
def test_concurrent_duplicates_record_one_point(alice, alice_client, session_a):  # type: ignore[no-untyped-def]
    """Two requests with one key at the same moment (two threads, each its own connection).

    On PostgreSQL (DATABASE_URL). The SQLite test database lives in shared-cache memory, where a
    second writer gets "database table is locked" at once instead of waiting as on a database file
    (WAL, IMMEDIATE transactions, a busy timeout: bench/writes.py runs 32 writers on one)."""
    from django.test import Client

    data = _data(alice_client, session_a, str(uuid.uuid4()))
    cookies = alice_client.cookies
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post() -> None:
        client = Client(enforce_csrf_checks=True)
        client.cookies = cookies
        try:
            barrier.wait()
            response = _post(client, session_a, data)
            statuses.append(response.status_code if b"Point saved" in response.content else -response.status_code)
        except Exception as error:  # shown in the assertion below
            statuses.append(repr(error))  # type: ignore[arg-type]
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200, 200]
    assert Insertion.unscoped.filter(session=session_a).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("failure", [UpdateError(), DatabaseError("database is locked")])
def test_a_session_that_cannot_be_saved_does_not_fail_a_saved_point(alice_client, session_a, failure):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.middleware import idle_refresh_seconds

    data = _data(alice_client, session_a, str(uuid.uuid4()))
    _age_session(alice_client, idle_refresh_seconds() + 1)  # this request moves the idle expiry
    with mock.patch("django.contrib.sessions.backends.db.SessionStore.save", side_effect=failure) as save:
        response = _post(alice_client, session_a, data)
    assert save.called
    assert response.status_code == 200 and b"Point saved" in response.content
    assert Insertion.unscoped.filter(session=session_a).count() == 1
