"""After a bulk load inside one transaction, before autovacuum has looked, PostgreSQL's planner
held statistics of near-empty tables and nested sequential scans inside the response features'
correlated subqueries: a CI run spent 16 minutes on 600 synthetic patients (0.08 s once the loader
analyses what it wrote). A statement timeout turns a relapse into a failure instead of a hang."""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection


def test_the_response_features_of_a_fresh_bulk_load_are_read_promptly(alice, dana):  # type: ignore[no-untyped-def]
    from dryneedling.reports.response.features import episode_features
    from dryneedling.synthetic.loader import seed_clinic

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # statistics of the nearly empty tables, as autovacuum may leave them
    clinic = alice.membership.clinic
    seed_clinic(clinic=clinic, patients=600, seed=5, now=datetime(2026, 11, 1, 18, 0, tzinfo=UTC))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = '20s'")
    rows = episode_features(clinic_id=clinic.pk)
    assert len(rows) > 200 and all(r.sessions > 0 for r in rows)
