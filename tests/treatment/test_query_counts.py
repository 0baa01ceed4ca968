"""Pages issue a constant number of queries, whatever the number of rows (no N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.treatment.conftest import finish, record, start_session


def _count(client, url: str) -> int:  # type: ignore[no-untyped-def]
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.django_db
def test_patient_list_is_constant(alice, alice_client):
    from dryneedling.synthetic.loader import seed_clinic

    seed_clinic(clinic=alice.membership.clinic, patients=5, seed=21, treatment=False)
    few = _count(alice_client, "/patients/")
    seed_clinic(clinic=alice.membership.clinic, patients=40, seed=22, treatment=False)
    assert _count(alice_client, "/patients/") == few


@pytest.mark.django_db
def test_session_screen_and_chart_are_constant(alice, alice_client, session_a):
    record(alice, session_a)
    one_point = _count(alice_client, f"/sessions/{session_a.pk}/")
    chart_one = _count(alice_client, f"/episodes/{session_a.episode_id}/chart/")
    for _ in range(5):
        record(alice, session_a)
    assert _count(alice_client, f"/sessions/{session_a.pk}/") == one_point
    assert _count(alice_client, f"/episodes/{session_a.episode_id}/chart/") == chart_one


@pytest.mark.django_db
def test_patient_overview_is_constant(alice, alice_client, patient_a, ready_episode):
    finish(alice, start_session(alice, ready_episode))
    one = _count(alice_client, f"/patients/{patient_a.pk}/")
    for _ in range(4):
        finish(alice, start_session(alice, ready_episode))
    assert _count(alice_client, f"/patients/{patient_a.pk}/") == one


# Recording a point (issue 14): 34 queries before (the membership read three times, the session
# five, the session row saved on every request). What is left, by request phase: the session,
# user, second factor and membership (4); the session, findings and points for the form (3); the
# clinician's profile and training (2); the session locked, its points' keys and techniques, the
# points and consent for the guardrails (4); the version with the main technique, the point, the
# soreness readings' check and the audit row (4); the workspace's points, open follow-ups,
# note, red-flag count and side effects (5). SAVEPOINT/RELEASE of the test's own transaction are
# not counted.
POINT_QUERIES = 22


@pytest.mark.django_db
def test_recording_a_point_costs_a_fixed_number_of_queries(alice, alice_client, session_a):
    import uuid

    from django.contrib.sessions.models import Session as BrowserSession

    from tests.treatment.test_point_retries import _data, _post

    record(alice, session_a)
    for _ in range(2):  # the second point as the first: constant in the points recorded
        data = _data(alice_client, session_a, str(uuid.uuid4()))
        with CaptureQueriesContext(connection) as ctx:
            response = _post(alice_client, session_a, data)
        assert b"Point saved" in response.content
        queries = [q["sql"] for q in ctx.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
        assert len(queries) == POINT_QUERIES, "\n".join(queries)
        assert not [q for q in queries if BrowserSession._meta.db_table in q and not q.startswith("SELECT")]
