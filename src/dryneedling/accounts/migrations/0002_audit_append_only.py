"""Audit rows are append-only: the database itself refuses UPDATE, DELETE (and TRUNCATE).

The one-row table `dryneedling_audit_guard` is the only way around the triggers. It holds 0 in
every deployment; the test suite sets it to 1 so that Django can empty its throwaway test
database between transactional tests (tests/conftest.py), and the append-only tests set it back.
It is not a Django model, so no application code path can change it.
"""

from django.db import migrations

GUARD = "(SELECT purge_allowed FROM dryneedling_audit_guard) = 0"

SQLITE_FORWARD = [
    "CREATE TABLE dryneedling_audit_guard (purge_allowed INTEGER NOT NULL);",
    "INSERT INTO dryneedling_audit_guard (purge_allowed) VALUES (0);",
    f"""CREATE TRIGGER accounts_auditevent_no_update BEFORE UPDATE ON accounts_auditevent
       WHEN {GUARD} BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
    f"""CREATE TRIGGER accounts_auditevent_no_delete BEFORE DELETE ON accounts_auditevent
       WHEN {GUARD} BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS accounts_auditevent_no_update;",
    "DROP TRIGGER IF EXISTS accounts_auditevent_no_delete;",
    "DROP TABLE IF EXISTS dryneedling_audit_guard;",
]
POSTGRES_FORWARD = [
    "CREATE TABLE dryneedling_audit_guard (purge_allowed INTEGER NOT NULL);",
    "INSERT INTO dryneedling_audit_guard (purge_allowed) VALUES (0);",
    f"""CREATE OR REPLACE FUNCTION accounts_auditevent_append_only() RETURNS trigger AS $$
       BEGIN
         IF {GUARD} THEN RAISE EXCEPTION 'audit events are append-only'; END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER accounts_auditevent_append_only BEFORE UPDATE OR DELETE ON accounts_auditevent
       FOR EACH ROW EXECUTE FUNCTION accounts_auditevent_append_only();""",
    """CREATE TRIGGER accounts_auditevent_no_truncate BEFORE TRUNCATE ON accounts_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION accounts_auditevent_append_only();""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS accounts_auditevent_no_truncate ON accounts_auditevent;",
    "DROP TRIGGER IF EXISTS accounts_auditevent_append_only ON accounts_auditevent;",
    "DROP FUNCTION IF EXISTS accounts_auditevent_append_only();",
    "DROP TABLE IF EXISTS dryneedling_audit_guard;",
]


def forward(apps, schema_editor):
    statements = POSTGRES_FORWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_FORWARD
    for statement in statements:
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    statements = POSTGRES_BACKWARD if schema_editor.connection.vendor == "postgresql" else SQLITE_BACKWARD
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
