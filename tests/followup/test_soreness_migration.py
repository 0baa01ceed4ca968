"""followup/0008 turns each soreness check-in answered before issue 11 into the patient reading
nearest to when it was answered, so old sessions show a trend; unanswered ones give none."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.followup.test_alert_migration import _migrate

BEFORE = [("followup", "0007_merge_outcome_rules_and_link_indexes")]
AFTER = [("followup", "0008_soreness_readings")]


@pytest.mark.django_db(transaction=True)
def test_answered_soreness_check_ins_become_readings(alice):
    from tests.followup.test_alert_migration import _records

    clinic_id, user_id = alice.membership.clinic_id, alice.pk
    try:
        old = _migrate(BEFORE)
        patient, _ = _records(old, clinic_id, user_id)
        check_ins = old.get_model("followup", "CheckIn").objects
        first = check_ins.get()  # the soreness check-in of the session _records makes
        sessions = old.get_model("treatment", "Session").objects
        ended = timezone.now() - timedelta(days=5)
        sessions.filter(pk=first.session_id).update(ended_at=ended)
        check_ins.filter(pk=first.pk).update(
            answered_at=ended + timedelta(hours=50), answers={"soreness": 3, "resolved": "no", "side_effects": []}
        )
        session = sessions.get(pk=first.session_id)
        second_session = sessions.create(
            clinic_id=clinic_id,
            patient=patient,
            episode_id=session.episode_id,
            clinician_id=user_id,
            screening_id=session.screening_id,
            consent_id=session.consent_id,
            checklist={},
            status="completed",
            ended_at=ended,
        )
        check_ins.create(  # never answered: no reading
            clinic_id=clinic_id,
            patient=patient,
            episode_id=session.episode_id,
            session=second_session,
            kind="soreness",
            due_at=ended + timedelta(hours=24),
            expires_at=ended + timedelta(hours=96),
        )

        new = _migrate(AFTER)
        readings = list(new.get_model("followup", "SorenessReading").objects.all())
        assert [(r.session_id, r.hours, r.score, r.source, r.check_in_id) for r in readings] == [
            (first.session_id, 48, 3, "patient", first.pk)
        ]
        assert readings[0].recorded_at == ended + timedelta(hours=50)
        back = _migrate(BEFORE)  # reversible: the readings go with the table
        assert back.get_model("followup", "CheckIn").objects.count() == 2
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
