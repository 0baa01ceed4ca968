"""`updated_at` on sessions (issue 13: the API pages them, with their points and side effects, by
last change). Existing rows take their end, or their start while still open. One UPDATE. (Notes
had `updated_at` already; they now stamp it at every save as well, with no change to the table.)"""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import Coalesce


def stamp(apps, schema_editor):
    apps.get_model("treatment", "Session").objects.update(updated_at=Coalesce(F("ended_at"), F("started_at")))


class Migration(migrations.Migration):
    dependencies = [
        ("treatment", "0011_analytics_covering_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(stamp, migrations.RunPython.noop),
    ]
