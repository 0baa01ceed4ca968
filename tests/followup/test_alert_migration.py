"""followup/0002 moves treatment's FollowUpTask rows into alerts (and back), on whichever engine
the suite runs (CI runs it on SQLite and on PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("followup", "0001_initial"), ("treatment", "0004_signed_notes_immutable")]
AFTER = [("followup", "0002_alerts_for_serious_side_effects"), ("treatment", "0005_followup_task_moved_to_alerts")]


def _migrate(targets):  # type: ignore[no-untyped-def]
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    applied = MigrationExecutor(connection).loader.applied_migrations
    return MigrationExecutor(connection).loader.project_state(list(applied)).apps  # every app as it stands


def _records(apps, clinic_id: int, user_id: int):  # type: ignore[no-untyped-def]
    """One patient with a session, a red-flag alert, an open and a resolved serious side effect."""
    patient = apps.get_model("patients", "Patient").objects.create(
        clinic_id=clinic_id,
        mrn="M-1",
        given_name="Ann",
        family_name="Lee",
        date_of_birth=date(1980, 1, 1),
        sex="female",
    )
    episode = apps.get_model("patients", "Episode").objects.create(
        clinic_id=clinic_id, patient=patient, reason="Neck pain", start_date=date(2026, 1, 1)
    )
    screening = apps.get_model("intake", "Screening").objects.create(
        clinic_id=clinic_id,
        patient=patient,
        answers={},
        result={},
        decision="suitable",
        performed_by_id=user_id,
        knowledge_version="t",
    )
    consent = apps.get_model("treatment", "Consent").objects.create(
        clinic_id=clinic_id, patient=patient, signed_name="Ann Lee", recorded_by_id=user_id
    )
    session = apps.get_model("treatment", "Session").objects.create(
        clinic_id=clinic_id,
        patient=patient,
        episode=episode,
        clinician_id=user_id,
        screening=screening,
        consent=consent,
        checklist={},
        status="completed",
    )
    event_model = apps.get_model("treatment", "AdverseEvent")
    events = [
        event_model.objects.create(
            clinic_id=clinic_id,
            patient=patient,
            session=session,
            kind=kind,
            severity="serious",
            onset="after",
            recorded_by_id=user_id,
        )
        for kind in ("pneumothorax", "infection")
    ]
    check_in = apps.get_model("followup", "CheckIn").objects.create(
        clinic_id=clinic_id,
        patient=patient,
        episode=episode,
        session=session,
        kind="soreness",
        due_at=timezone.now(),
        expires_at=timezone.now() + timedelta(days=2),
    )
    apps.get_model("followup", "Alert").objects.create(
        clinic_id=clinic_id, patient=patient, check_in=check_in, flags=["fever"]
    )
    return patient, events


@pytest.mark.django_db(transaction=True)
def test_follow_up_tasks_become_alerts_and_back(alice):
    clinic_id, user_id = alice.membership.clinic_id, alice.pk
    try:
        old = _migrate(BEFORE)
        patient, (open_event, done_event) = _records(old, clinic_id, user_id)
        task_model = old.get_model("treatment", "FollowUpTask")
        created = timezone.now() - timedelta(days=3)
        open_task = task_model.objects.create(
            clinic_id=clinic_id, patient=patient, adverse_event=open_event, created_at=created
        )
        done_task = task_model.objects.create(
            clinic_id=clinic_id,
            patient=patient,
            adverse_event=done_event,
            created_at=created,
            resolved_at=created + timedelta(days=1),
            resolved_by_id=user_id,
            resolution="Antibiotics; healed.",
        )

        new = _migrate(AFTER)
        alerts = new.get_model("followup", "Alert").objects
        assert alerts.filter(kind="red_flag").count() == 1
        moved = {a.adverse_event_id: a for a in alerts.filter(kind="serious_side_effect")}
        assert set(moved) == {open_event.pk, done_event.pk}
        assert moved[open_event.pk].acknowledged_at is None and moved[open_event.pk].created_at == created
        done = moved[done_event.pk]
        assert done.acknowledged_at == done_task.resolved_at and done.acknowledged_by_id == user_id
        assert done.resolution == "Antibiotics; healed." and done.patient_id == patient.pk and done.flags == []
        trail = new.get_model("accounts", "AuditEvent").objects.filter(action="followup_task.merge")
        assert {(e.detail["followup_task_id"], e.object_id) for e in trail} == {
            (open_task.pk, str(moved[open_event.pk].pk)),
            (done_task.pk, str(done.pk)),
        }
        assert {e.patient_id for e in trail} == {patient.pk}

        back = _migrate(BEFORE)
        tasks = {t.adverse_event_id: t for t in back.get_model("treatment", "FollowUpTask").objects.all()}
        assert set(tasks) == {open_event.pk, done_event.pk}
        assert tasks[done_event.pk].resolution == "Antibiotics; healed." and tasks[open_event.pk].resolved_at is None
        assert back.get_model("followup", "Alert").objects.count() == 1  # the red flag stays
    finally:
        _migrate(AFTER)
