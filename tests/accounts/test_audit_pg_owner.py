"""The README's PostgreSQL hardening, run for real: with the audit table owned by another role,
the application's role can add and read audit rows but not change or remove them, even with
the triggers lifted (the test suite's purge guard is 1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import DatabaseError, connection, transaction

from dryneedling.accounts.audit import audit_record
from dryneedling.accounts.models import AuditEvent

SQL = Path(__file__).resolve().parents[2] / "deploy" / "postgres-audit-owner.sql"


def _can_create_roles() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolcreaterole OR rolsuper FROM pg_roles WHERE rolname = current_user")
        return bool(cursor.fetchone()[0])


@pytest.mark.postgres_only
@pytest.mark.django_db
def test_documented_sql_leaves_the_app_role_insert_and_select_only(alice):
    assert _can_create_roles(), "the test role needs CREATEROLE (scripts/throwaway-postgres.sh gives it)"
    event = audit_record(actor=alice, action="test.before")
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user")
        app = f'"{cursor.fetchone()[0]}"'
        sql = "\n".join(line for line in SQL.read_text().splitlines() if not line.startswith("--"))
        statements = [re.sub(r"\bdryneedling\b(?!_)", app, s).strip() for s in sql.split(";") if s.strip()]
        # Not a superuser here: to hand a table over, the app role must be a member of the new
        # owner, which needs CREATE on the schema, for a moment; neither holds afterwards (and
        # all of it rolls back with the test).
        cursor.execute(statements[0])
        cursor.execute(f"GRANT dryneedling_audit TO {app}")
        cursor.execute("GRANT CREATE ON SCHEMA public TO dryneedling_audit")
        for statement in statements[1:]:
            cursor.execute(statement)
        cursor.execute("REVOKE CREATE ON SCHEMA public FROM dryneedling_audit")
        cursor.execute(f"REVOKE dryneedling_audit FROM {app}")
    added = audit_record(actor=alice, action="test.after")  # INSERT still works
    assert AuditEvent.objects.filter(pk__in=[event.pk, added.pk]).count() == 2  # and SELECT
    for tamper in (
        lambda: AuditEvent.objects.filter(pk=event.pk).update(action="tampered"),
        lambda: AuditEvent.objects.filter(pk=event.pk).delete(),
        lambda: connection.cursor().execute("TRUNCATE accounts_auditevent"),
        lambda: connection.cursor().execute("UPDATE dryneedling_audit_guard SET purge_allowed = 1"),
    ):
        with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
            tamper()
    assert AuditEvent.objects.get(pk=event.pk).action == "test.before"
    with connection.cursor() as cursor:  # and, not owning the table, it cannot give itself UPDATE back
        cursor.execute(f"GRANT UPDATE, DELETE, TRUNCATE ON accounts_auditevent TO {app}")  # a no-op warning
        cursor.execute(f"SELECT has_table_privilege({app.replace(chr(34), chr(39))}, 'accounts_auditevent', 'UPDATE')")
        assert cursor.fetchone()[0] is False
