"""One model for what the clinic must follow up: `Alert` gains a kind, the serious side effect it is
about and a resolution; the rows of treatment's FollowUpTask become alerts of kind
serious_side_effect (resolved ones stay resolved, with who, when and the resolution text).

Each moved task gets one audit row, `followup_task.merge`, naming the old task id and the new alert
id, so the trail of the task (`followup_task.create`/`.resolve` rows) still leads to its record.
Runs before treatment/0005, which drops the task table. The constraint is added before the rows
are copied: on PostgreSQL, rows inserted in a transaction leave deferred foreign-key checks pending
and an ALTER TABLE after them fails.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

SERIOUS = "serious_side_effect"


def tasks_to_alerts(apps, schema_editor):
    task_model = apps.get_model("treatment", "FollowUpTask")
    alert_model = apps.get_model("followup", "Alert")
    audit_model = apps.get_model("accounts", "AuditEvent")
    for task in task_model.objects.order_by("pk").iterator():
        alert = alert_model.objects.create(
            clinic_id=task.clinic_id,
            patient_id=task.patient_id,
            kind=SERIOUS,
            adverse_event_id=task.adverse_event_id,
            flags=[],
            created_at=task.created_at,
            acknowledged_at=task.resolved_at,
            acknowledged_by_id=task.resolved_by_id,
            resolution=task.resolution,
        )
        audit_model.objects.create(
            clinic_id=task.clinic_id,
            action="followup_task.merge",
            object_type="followup.alert",
            object_id=str(alert.pk),
            patient_id=task.patient_id,
            detail={"followup_task_id": task.pk, "alert_id": alert.pk, "adverse_event_id": task.adverse_event_id},
        )


def alerts_to_tasks(apps, schema_editor):
    task_model = apps.get_model("treatment", "FollowUpTask")
    alert_model = apps.get_model("followup", "Alert")
    alerts = alert_model.objects.filter(kind=SERIOUS)
    for alert in alerts.order_by("pk").iterator():
        task_model.objects.create(
            clinic_id=alert.clinic_id,
            patient_id=alert.patient_id,
            adverse_event_id=alert.adverse_event_id,
            created_at=alert.created_at,
            resolved_at=alert.acknowledged_at,
            resolved_by_id=alert.acknowledged_by_id,
            resolution=alert.resolution,
        )
    alerts.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0008_merge_0006_two_factor_0007_auditevent_patient_id"),
        ("followup", "0001_initial"),
        ("treatment", "0004_signed_notes_immutable"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    run_before = [("treatment", "0005_followup_task_moved_to_alerts")]

    operations = [
        migrations.AddField(
            model_name="alert",
            name="kind",
            field=models.CharField(
                choices=[
                    ("red_flag", "Red flag reported at a check-in"),
                    ("serious_side_effect", "Serious side effect"),
                ],
                default="red_flag",
                max_length=20,
            ),
        ),
        migrations.AddField(
            model_name="alert",
            name="adverse_event",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="alert",
                to="treatment.adverseevent",
            ),
        ),
        migrations.AddField(
            model_name="alert",
            name="resolution",
            field=models.CharField(blank=True, max_length=1000),
        ),
        migrations.AlterField(
            model_name="alert",
            name="check_in",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="alerts",
                to="followup.checkin",
            ),
        ),
        migrations.AlterField(
            model_name="alert",
            name="flags",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddConstraint(
            model_name="alert",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("adverse_event__isnull", True), ("check_in__isnull", False), ("kind", "red_flag")),
                    models.Q(
                        ("adverse_event__isnull", False), ("check_in__isnull", True), ("kind", "serious_side_effect")
                    ),
                    _connector="OR",
                ),
                name="alert_has_the_source_of_its_kind",
            ),
        ),
        migrations.RunPython(tasks_to_alerts, alerts_to_tasks),
    ]
