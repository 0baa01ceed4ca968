from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import AuditEvent
from tests.conftest import PASSWORD


def _guard_on() -> None:
    with connection.cursor() as cursor:
        cursor.execute("UPDATE dryneedling_audit_guard SET purge_allowed = 0")


@pytest.mark.django_db
def test_audit_rows_cannot_be_updated(alice):
    event = audit_record(actor=alice, action="test.event")
    _guard_on()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@pytest.mark.django_db
def test_audit_rows_cannot_be_deleted(alice):
    event = audit_record(actor=alice, action="test.event")
    _guard_on()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db
def test_successful_and_failed_logins_are_audited(alice, anon_client):
    anon_client.get("/accounts/login/")
    token = anon_client.cookies["csrftoken"].value
    bad = anon_client.post(
        "/accounts/login/", {"username": alice.email, "password": "wrong", "csrfmiddlewaretoken": token}
    )
    assert bad.status_code == 200
    failure = AuditEvent.objects.get(action="auth.login", outcome="failure")
    assert failure.detail["email"] == alice.email and failure.actor is None
    good = anon_client.post(
        "/accounts/login/", {"username": alice.email, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert good.status_code == 302
    assert AuditEvent.objects.filter(action="auth.login", outcome="success", actor=alice).exists()


@pytest.mark.django_db
def test_login_is_rate_limited(alice, anon_client):
    anon_client.get("/accounts/login/")
    token = anon_client.cookies["csrftoken"].value
    for _ in range(5):
        anon_client.post(
            "/accounts/login/", {"username": alice.email, "password": "nope", "csrfmiddlewaretoken": token}
        )
    locked = anon_client.post(
        "/accounts/login/", {"username": alice.email, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert locked.status_code == 429
    assert b"Too many sign-in attempts" in locked.content


@pytest.mark.django_db
def test_audit_trail_is_for_clinic_admins_of_their_clinic(dana_client, alice_client, carol, patient_a):
    page = dana_client.get("/clinic/audit/")
    assert page.status_code == 200
    assert b"patient.create" in page.content
    assert b"carol@b.test" not in page.content  # clinic B's events stay in clinic B
    assert alice_client.get("/clinic/audit/").status_code == 403


@pytest.mark.django_db
def test_audit_rows_hold_no_patient_names(patient_a, alice_client):
    alice_client.get(f"/patients/{patient_a.pk}/")
    for event in AuditEvent.objects.all():
        text = f"{event.action} {event.object_type} {event.object_id} {event.detail}"
        assert "Quimby" not in text and "Zelda" not in text


@pytest.mark.sqlite_only
@pytest.mark.django_db
def test_insert_or_replace_cannot_rewrite_an_audit_row(alice):
    """SQLite's REPLACE deletes the old row without firing delete triggers unless
    recursive_triggers is on: the forged row must be refused on every connection."""
    event = audit_record(actor=alice, action="test.event")
    _guard_on()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "INSERT OR REPLACE INTO accounts_auditevent (id, at, actor_email, action, object_type, object_id,"
            " outcome, detail) VALUES (%s, '2020-01-01 00:00:00', 'forger@x.test', 'forged', '', '', 'success', '{}')",
            [event.pk],
        )
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"


@pytest.mark.sqlite_only
@pytest.mark.django_db
def test_every_sqlite_connection_turns_on_recursive_triggers():
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA recursive_triggers")
        assert cursor.fetchone()[0] == 1


@pytest.mark.sqlite_only
@pytest.mark.django_db
def test_insert_or_replace_is_refused_even_without_the_pragma(alice):
    """A connection that never set recursive_triggers (the sqlite3 shell) meets the insert trigger."""
    event = audit_record(actor=alice, action="test.event")
    _guard_on()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA recursive_triggers=OFF")
    try:
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT OR REPLACE INTO accounts_auditevent (id, at, actor_email, action, object_type, object_id,"
                " outcome, detail) VALUES (%s, '2020-01-01 00:00:00', '', 'forged', '', '', 'success', '{}')",
                [event.pk],
            )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA recursive_triggers=ON")
    assert AuditEvent.objects.get(pk=event.pk).action == "test.event"
