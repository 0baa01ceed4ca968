"""Signed notes and their amendments are immutable in the database itself, as audit rows are.

A signed note's content (the four sections, who signed and when, its session and clinic) cannot
be updated, and a signed note cannot be deleted; an amendment can be neither updated nor deleted.
Drafts stay editable. The guard row of accounts/0002 (`dryneedling_audit_guard`, 0 in every
deployment, 1 only while the test suite empties its throwaway database) lifts these triggers too.
"""

from django.db import migrations

GUARD = "(SELECT purge_allowed FROM dryneedling_audit_guard) = 0"
CONTENT = ("subjective", "objective", "assessment", "plan", "signed_at", "signed_by_id", "session_id", "clinic_id")
SIGNED_MESSAGE = "a signed note is read-only: add an amendment"
AMENDMENT_MESSAGE = "note amendments are append-only"


def _changed(distinct: str) -> str:
    return " OR ".join(f"NEW.{column} {distinct} OLD.{column}" for column in CONTENT)


SQLITE_FORWARD = [
    f"""CREATE TRIGGER treatment_note_signed_no_update BEFORE UPDATE ON treatment_note
       WHEN OLD.signed_at IS NOT NULL AND {GUARD} AND ({_changed("IS NOT")})
       BEGIN SELECT RAISE(ABORT, '{SIGNED_MESSAGE}'); END;""",
    f"""CREATE TRIGGER treatment_note_signed_no_delete BEFORE DELETE ON treatment_note
       WHEN OLD.signed_at IS NOT NULL AND {GUARD}
       BEGIN SELECT RAISE(ABORT, '{SIGNED_MESSAGE}'); END;""",
    f"""CREATE TRIGGER treatment_noteamendment_no_update BEFORE UPDATE ON treatment_noteamendment
       WHEN {GUARD} BEGIN SELECT RAISE(ABORT, '{AMENDMENT_MESSAGE}'); END;""",
    f"""CREATE TRIGGER treatment_noteamendment_no_delete BEFORE DELETE ON treatment_noteamendment
       WHEN {GUARD} BEGIN SELECT RAISE(ABORT, '{AMENDMENT_MESSAGE}'); END;""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS treatment_note_signed_no_update;",
    "DROP TRIGGER IF EXISTS treatment_note_signed_no_delete;",
    "DROP TRIGGER IF EXISTS treatment_noteamendment_no_update;",
    "DROP TRIGGER IF EXISTS treatment_noteamendment_no_delete;",
]
POSTGRES_FORWARD = [
    f"""CREATE OR REPLACE FUNCTION treatment_note_signed_immutable() RETURNS trigger AS $$
       BEGIN
         IF OLD.signed_at IS NOT NULL AND {GUARD} THEN
           IF TG_OP = 'DELETE' OR {_changed("IS DISTINCT FROM")} THEN
             RAISE EXCEPTION '{SIGNED_MESSAGE}';
           END IF;
         END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER treatment_note_signed_immutable BEFORE UPDATE OR DELETE ON treatment_note
       FOR EACH ROW EXECUTE FUNCTION treatment_note_signed_immutable();""",
    f"""CREATE OR REPLACE FUNCTION treatment_noteamendment_append_only() RETURNS trigger AS $$
       BEGIN
         IF {GUARD} THEN RAISE EXCEPTION '{AMENDMENT_MESSAGE}'; END IF;
         IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
         RETURN NEW;
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER treatment_noteamendment_append_only BEFORE UPDATE OR DELETE ON treatment_noteamendment
       FOR EACH ROW EXECUTE FUNCTION treatment_noteamendment_append_only();""",
    """CREATE TRIGGER treatment_noteamendment_no_truncate BEFORE TRUNCATE ON treatment_noteamendment
       FOR EACH STATEMENT EXECUTE FUNCTION treatment_noteamendment_append_only();""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER IF EXISTS treatment_noteamendment_no_truncate ON treatment_noteamendment;",
    "DROP TRIGGER IF EXISTS treatment_noteamendment_append_only ON treatment_noteamendment;",
    "DROP FUNCTION IF EXISTS treatment_noteamendment_append_only();",
    "DROP TRIGGER IF EXISTS treatment_note_signed_immutable ON treatment_note;",
    "DROP FUNCTION IF EXISTS treatment_note_signed_immutable();",
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
    dependencies = [("treatment", "0003_safety_at_the_needle"), ("accounts", "0002_audit_append_only")]
    operations = [migrations.RunPython(forward, backward)]
