"""The patient an audit row is about (an id), for the access report and the audit filter.

A nullable column: SQLite adds it with ALTER TABLE, so the table is not rebuilt and the
append-only triggers of 0002 and 0006 stay in place.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_audit_refuse_replace"),
    ]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="patient_id",
            field=models.BigIntegerField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(fields=["clinic", "patient_id", "-at"], name="accounts_au_patient_idx"),
        ),
    ]
