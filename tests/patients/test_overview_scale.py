"""Issue 14: the patient overview and its outcome chart cost the same in a big clinic as in a small
one. Their number of queries is pinned whatever the patient's history or the clinic's size, and on
SQLite each query reads the patient's (or the episode's) rows through an index that starts with the
clinic and the patient: without planner statistics (a database nobody has analysed) the planner
took the clinic-only index and walked the whole clinic (2.7 s a page at 72,000 patients)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dryneedling.followup.services import course_complete, outcome_record
from tests.treatment.conftest import episode_a, finish, ready_episode, start_session  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

OVERVIEW_QUERIES = 20  # session, user, device, membership, patient, audit (5), sections, links, episodes
# (3 fewer each since the session is saved only when its idle expiry needs moving: accounts.middleware)
CHART_QUERIES = 12
# The tables that grow with the clinic: a plan may read them by key, never walk them.
BIG = (
    "treatment_session",
    "treatment_adverseevent",
    "treatment_insertion",
    "followup_checkin",
    "followup_outcomerecord",
    "followup_sorenessreading",
    "followup_homecareplan",
    "followup_patientlink",
    "followup_linkdelivery",
    "patients_patient",
    "patients_episode",
    "intake_screening",
    "scheduling_appointment",
    "treatment_consent",
)
# A read by one of these names the patient's (or the episode's, session's, link's) own rows.
KEYS = (
    r"\((?:clinic_id=\? AND )?"
    r"(?:rowid|patient_id|episode_id|session_id|check_in_id|home_care_plan_id|link_id|user_id)=\?"
)


def _queries(client, url: str) -> list[str]:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries]


def _history(alice, episode, sessions: int) -> None:  # type: ignore[no-untyped-def]
    for _ in range(sessions):
        finish(alice, start_session(alice, episode))
    outcome_record(actor=alice, episode=episode, instrument_id="nprs", total=6)
    outcome_record(actor=alice, episode=episode, instrument_id="ndi", total=18)


def _urls(patient, episode) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    return f"/patients/{patient.pk}/", f"/episodes/{episode.pk}/outcomes.svg"


def test_overview_and_chart_queries_are_pinned_whatever_the_sizes(alice, alice_client, patient_a, ready_episode):  # noqa: F811
    from dryneedling.synthetic.loader import seed_clinic

    _history(alice, ready_episode, sessions=1)
    overview, chart = _urls(patient_a, ready_episode)
    alice_client.get(overview)  # the first view issues the check-in links (a write); then it only reads
    small = (len(_queries(alice_client, overview)), len(_queries(alice_client, chart)))
    # The patient's history grows (sessions, check-ins, scores) and so does the clinic.
    _history(alice, ready_episode, sessions=4)
    course_complete(actor=alice, episode=ready_episode)
    seed_clinic(clinic=alice.membership.clinic, patients=30, seed=41)
    alice_client.get(overview)
    big = (len(_queries(alice_client, overview)), len(_queries(alice_client, chart)))
    assert small == big == (OVERVIEW_QUERIES, CHART_QUERIES)


def _walks(sql: str) -> list[str]:
    """The plan lines that read a big table other than by a key that names the patient or episode."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE name IN ('sqlite_stat1', 'sqlite_stat4')")
        for (table,) in cursor.fetchall():  # no statistics: the planner's worst case, as in the issue
            cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a fixed name
        cursor.execute("ANALYZE sqlite_schema")  # makes SQLite reload the (now empty) statistics
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        plan = [row[3] for row in cursor.fetchall()]
    bad = []
    for line in plan:
        found = re.match(r"(SCAN|SEARCH) (\w+)", line)
        if not found or found.group(2) not in BIG:
            continue
        if found.group(1) == "SCAN" or not re.search(KEYS, line):
            bad.append(line)
    return bad


@pytest.mark.sqlite_only  # EXPLAIN QUERY PLAN is SQLite's; PostgreSQL keeps its own statistics (deselected there)
def test_every_query_reads_the_patients_rows_by_index_without_statistics(
    alice,
    alice_client,
    patient_a,
    ready_episode,  # noqa: F811
):
    from dryneedling.synthetic.loader import seed_clinic

    seed_clinic(clinic=alice.membership.clinic, patients=10, seed=43)
    _history(alice, ready_episode, sessions=2)
    course_complete(actor=alice, episode=ready_episode)
    overview, chart = _urls(patient_a, ready_episode)
    alice_client.get(overview)
    walks = {}
    for url in (overview, chart):
        for sql in _queries(alice_client, url):
            if sql.lstrip().upper().startswith("SELECT") and (bad := _walks(sql)):
                walks[sql[:300]] = bad
    assert walks == {}, "\n".join(f"{k}\n  {v}" for k, v in walks.items())
