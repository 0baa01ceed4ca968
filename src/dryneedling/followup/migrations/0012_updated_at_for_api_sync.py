"""`updated_at` on check-ins and outcome records (issue 13: the API pages them by last change).
Existing rows take the time of their last known change: a check-in its answer (or its creation),
an outcome the time it was recorded. One UPDATE each."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Coalesce


def stamp(apps, schema_editor):
    apps.get_model("followup", "CheckIn").objects.update(updated_at=Coalesce(F("answered_at"), F("created_at")))
    apps.get_model("followup", "OutcomeRecord").objects.update(updated_at=F("recorded_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("followup", "0011_soreness_reading_technique"),
    ]

    operations = [
        migrations.AddField(
            model_name="checkin",
            name="updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="outcomerecord",
            name="updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(stamp, migrations.RunPython.noop),
    ]
