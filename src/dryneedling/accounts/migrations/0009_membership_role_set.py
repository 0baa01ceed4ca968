"""Roles as a set per member (issue 10): one boolean column per role, filled from the existing
primary role, and a constraint keeping the primary role inside the set."""

from django.db import migrations, models
from django.db.models import Q

FLAGS = {"clinician": "is_clinician", "front_desk": "is_front_desk", "clinic_admin": "is_clinic_admin"}


def fill_flags(apps, schema_editor):  # type: ignore[no-untyped-def]
    Membership = apps.get_model("accounts", "Membership")
    for role, flag in FLAGS.items():
        Membership.objects.filter(role=role).update(**{flag: True})


def clear_flags(apps, schema_editor):  # type: ignore[no-untyped-def]
    pass  # the columns go with the reverse of AddField


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_merge_0006_two_factor_0007_auditevent_patient_id")]

    operations = [
        migrations.AddField(model_name="membership", name="is_clinician", field=models.BooleanField(default=False)),
        migrations.AddField(model_name="membership", name="is_front_desk", field=models.BooleanField(default=False)),
        migrations.AddField(model_name="membership", name="is_clinic_admin", field=models.BooleanField(default=False)),
        migrations.RunPython(fill_flags, clear_flags),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.CheckConstraint(
                condition=Q(role="clinician", is_clinician=True)
                | Q(role="front_desk", is_front_desk=True)
                | Q(role="clinic_admin", is_clinic_admin=True),
                name="membership_primary_role_in_set",
            ),
        ),
    ]
