"""Patient search terms (issue 14): the table, its prefix index, and the terms of every existing
patient, written in batches of 2,000 patients (patients/search.py makes them; it is pure, so the
migration may call it). Also the index the follow-up list's maintenance reviews walk."""

import django.db.models.deletion
from django.db import migrations, models

from dryneedling.patients.search import patient_search_terms

BATCH = 2000


def fill_search_terms(apps, schema_editor):  # type: ignore[no-untyped-def]
    patient_model = apps.get_model("patients", "Patient")
    term_model = apps.get_model("patients", "PatientSearchTerm")
    fields = ("id", "clinic_id", "given_name", "family_name", "mrn", "phone", "email", "date_of_birth")
    last = 0
    while True:
        batch = list(patient_model._base_manager.filter(pk__gt=last).order_by("pk").values_list(*fields)[:BATCH])
        if not batch:
            return
        rows = [
            term_model(clinic_id=clinic_id, patient_id=pk, term=term)
            for pk, clinic_id, given, family, mrn, phone, email, born in batch
            for term in patient_search_terms(
                given_name=given, family_name=family, mrn=mrn, phone=phone, email=email, date_of_birth=born
            )
        ]
        term_model._base_manager.bulk_create(rows, batch_size=BATCH)
        last = batch[-1][0]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0016_api_tokens"),
        ("patients", "0005_patient_appointment_reminders_opt_out"),
    ]

    operations = [
        migrations.CreateModel(
            name="PatientSearchTerm",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("term", models.CharField(max_length=64)),
            ],
        ),
        migrations.AddIndex(
            model_name="episode",
            index=models.Index(fields=["clinic", "status", "course_completed_at"], name="episode_course_completed"),
        ),
        migrations.AddField(
            model_name="patientsearchterm",
            name="clinic",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="+", to="accounts.clinic"
            ),
        ),
        migrations.AddField(
            model_name="patientsearchterm",
            name="patient",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE, related_name="search_terms", to="patients.patient"
            ),
        ),
        migrations.AddIndex(
            model_name="patientsearchterm",
            index=models.Index(
                fields=["clinic", "term", "patient"],
                name="patient_search_term_prefix",
                opclasses=["int8_ops", "varchar_pattern_ops", "int8_ops"],
            ),
        ),
        migrations.RunPython(fill_search_terms, migrations.RunPython.noop, elidable=True),
    ]
