"""Every existing clinic gets the two default appointment types (new clinics get them from
`appointment_types_seed`, called when the booking form first opens)."""

from django.db import migrations

DEFAULTS = (("Initial assessment", 60), ("Dry-needling follow-up", 30))


def seed(apps, schema_editor):  # type: ignore[no-untyped-def]
    Clinic = apps.get_model("accounts", "Clinic")
    AppointmentType = apps.get_model("scheduling", "AppointmentType")
    for clinic in Clinic.objects.all():
        for name, minutes in DEFAULTS:
            AppointmentType.objects.get_or_create(clinic=clinic, name=name, defaults={"minutes": minutes})


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
