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
