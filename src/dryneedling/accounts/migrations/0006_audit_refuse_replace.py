"""SQLite's `INSERT OR REPLACE` deletes a conflicting row without firing delete triggers (unless
the connection turned on recursive_triggers, which settings.py does for the app). A connection
that did not (the sqlite3 shell) could still rewrite an audit row, so a BEFORE INSERT trigger
refuses an id that already exists: it runs before the conflict is resolved, whatever the
pragmas. PostgreSQL has no REPLACE; `ON CONFLICT DO UPDATE` fires the update trigger of 0002.
"""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE TRIGGER accounts_auditevent_no_replace BEFORE INSERT ON accounts_auditevent
       WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM accounts_auditevent WHERE id = NEW.id)
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS accounts_auditevent_no_replace;"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_clinic_safety_policy")]
    operations = [migrations.RunPython(forward, backward)]
