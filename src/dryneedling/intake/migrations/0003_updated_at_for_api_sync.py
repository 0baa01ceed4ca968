"""`updated_at` on screenings (issue 13: the API pages them by last change). A screening is never
changed: existing rows take the time it was performed. One UPDATE."""

import django.utils.timezone
from django.db import migrations, models
from django.db.models import F


def stamp(apps, schema_editor):
    apps.get_model("intake", "Screening").objects.update(updated_at=F("performed_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0002_screening_emergency"),
    ]

    operations = [
        migrations.AddField(
            model_name="screening",
            name="updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(stamp, migrations.RunPython.noop),
    ]
