from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_merge_0006_two_factor_0007_auditevent_patient_id")]

    operations = [
        migrations.AddField(
            model_name="clinic", name="time_zone", field=models.CharField(default="UTC", max_length=64)
        ),
    ]
