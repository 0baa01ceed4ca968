"""Issue 14: the patient list, the live parts of the dashboard and Today's overdue check-ins read
a bounded stretch of an index whatever the clinic's size. On SQLite, with the planner's statistics emptied (a database
nobody has analysed: the planner's worst case), no query walks or sorts a big table."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dryneedling.reports.analytics.filters import Filters
from dryneedling.reports.analytics.safety import serious_events
from tests.reports import factory as f

# Plan tests: EXPLAIN QUERY PLAN is SQLite's; PostgreSQL keeps its own statistics (deselected there, not skipped).
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite_only]


def _plan(sql: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name IN ('sqlite_stat1', 'sqlite_stat4')")
        for (table,) in cursor.fetchall():
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a fixed name
        cursor.execute("ANALYZE sqlite_schema")  # makes SQLite reload the (now empty) statistics
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return [row[3] for row in cursor.fetchall()]


def _captured(call) -> list[str]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        call()
    return [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith("SELECT")]


@pytest.mark.parametrize("region", ["", "head_neck"])
def test_serious_side_effects_are_read_newest_first_from_their_index(clinic_a, alice, region):  # type: ignore[no-untyped-def]
    """The list was every side effect of the clinic, sorted (26 ms at 100,000 patients), and with a
    region every insertion of the region's muscles in the database (760 ms): now the serious ones
    newest first from (clinic, severity, onset), each checked against its session's insertions."""
    ep = f.episode(clinic_a)
    f.session(ep, alice, effects=(("pneumothorax", "serious"),))
    f.session(ep, alice, at=f.T0 + timedelta(days=1), effects=(("bruising", "mild"),))
    (sql,) = _captured(lambda: serious_events(Filters(clinic=clinic_a, region=region)))
    plan = _plan(sql)
    assert any("treatment_adverseevent USING INDEX adverseevent_severity_onset" in line for line in plan), plan
    assert not [line for line in plan if line.startswith("SCAN") or "TEMP B-TREE" in line or "LIST SUBQUERY" in line]


def test_todays_overdue_check_ins_read_each_kind_from_its_window(alice):  # type: ignore[no-untyped-def]
    from dryneedling.followup.selectors import checkins_overdue_for

    captured = _captured(lambda: checkins_overdue_for(actor=alice, limit=21))
    (sql,) = [q for q in captured if "followup_checkin" in q]
    plan = _plan(sql)
    by_kind = [line for line in plan if "checkin_unanswered_kind_due (clinic_id=? AND kind=?" in line]
    assert len(by_kind) == 4, plan  # one bounded stretch per kind, in due order (no sort of the kind's rows)
    assert not [line for line in plan if line.startswith("SCAN followup_checkin")], plan
    assert any("SEARCH patients_patient USING INTEGER PRIMARY KEY" in line for line in plan), plan


def test_the_patient_list_pages_through_the_name_index(alice_client):  # type: ignore[no-untyped-def]
    """The unfiltered list: a page and a COUNT bounded at the cap, from the (clinic, names) index,
    never a sort of the clinic's patients."""
    with CaptureQueriesContext(connection) as ctx:
        assert alice_client.get("/patients/", {"page": 3}).status_code == 200
    reads = [q["sql"] for q in ctx.captured_queries if "patients_patient" in q["sql"]]
    assert len(reads) == 2  # the bounded count and the page
    for sql in reads:
        plan = _plan(sql)
        assert not [line for line in plan if line.startswith("SCAN patients_patient") or "TEMP B-TREE" in line], plan
