"""The follow-up list comes in pages (a clinic has hundreds of check-ins in 120 days); the page
links keep the status filter."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.followup.test_services import complete_session, screened_patient

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_check_ins(alice, monkeypatch):  # type: ignore[no-untyped-def]
    """Five completed sessions, so five soreness check-ins: four upcoming, one overdue; two a page."""
    from dryneedling.followup.models import CheckIn
    from dryneedling.web.views.followup import outcomes

    monkeypatch.setattr(outcomes, "PAGE_SIZE", 2)
    _, episode = screened_patient(alice, "F-1", "Fay", "Follow")
    sessions = [complete_session(alice, episode) for _ in range(5)]
    now = timezone.now()
    overdue = CheckIn.objects.for_actor(alice).filter(session=sessions[0], kind="soreness")
    assert overdue.update(due_at=now - timedelta(days=2), expires_at=now + timedelta(hours=1)) == 1
    assert CheckIn.objects.for_actor(alice).filter(kind="soreness").count() == 5
    return 2


def _rows(html: str) -> int:
    return len(re.findall(r'<span class="badge status-', html))


def test_the_follow_up_list_is_paginated_and_keeps_the_filter(alice_client, many_check_ins):
    first = alice_client.get("/followup/").content.decode()
    assert _rows(first) == many_check_ins
    assert "Page 1 of" in first and "page=2" in first

    upcoming = alice_client.get("/followup/", {"status": "upcoming"}).content.decode()
    assert _rows(upcoming) == many_check_ins
    assert "?status=upcoming&amp;page=2" in upcoming
    last = alice_client.get("/followup/", {"status": "upcoming", "page": "99"}).content.decode()
    assert _rows(last) == 2 and "Page 2 of 2" in last and "status-overdue" not in last  # the last page, filtered

    overdue = alice_client.get("/followup/", {"status": "overdue"}).content.decode()
    assert _rows(overdue) == 1 and "Page 1 of" not in overdue  # one page: no pager


# --- issue 14: flat in data size --------------------------------------------------------------


def test_the_status_filter_runs_in_sql_and_agrees_with_checkin_status(alice):
    """Each status of the list is a query condition (no row is read to be thrown away), and it
    picks exactly the check-ins `checkin_status` names so."""
    from dryneedling.followup.models import CheckIn
    from dryneedling.followup.selectors import STATUSES, checkin_status, followup_list_for

    _, episode = screened_patient(alice, "S-1", "Sue", "Status")
    sessions = [complete_session(alice, episode) for _ in range(6)]
    now = timezone.now()
    rows = CheckIn.objects.for_actor(alice).filter(kind="soreness")
    windows = [  # (due, expires, answered, red flags)
        (now - timedelta(days=2), now + timedelta(hours=1), None, []),  # overdue
        (now - timedelta(hours=1), now + timedelta(days=2), None, []),  # due
        (now - timedelta(days=3), now - timedelta(hours=1), None, []),  # expired
        (now + timedelta(days=1), now + timedelta(days=3), None, []),  # upcoming
        (now - timedelta(days=1), now + timedelta(days=1), now, []),  # answered
        (now - timedelta(days=1), now + timedelta(days=1), now, ["chest_pain"]),  # red flag
    ]
    for session, (due, expires, answered, flags) in zip(sessions, windows, strict=True):
        rows.filter(session=session).update(due_at=due, expires_at=expires, answered_at=answered, red_flags=flags)
    every = list(followup_list_for(actor=alice))
    assert sorted(checkin_status(c) for c in every) == sorted(STATUSES)
    for status in STATUSES:
        found = list(followup_list_for(actor=alice, status=status))
        assert [checkin_status(c) for c in found] == [status], status


def _seed_check_ins(actor, count: int) -> None:  # type: ignore[no-untyped-def]
    """`count` more overdue-or-due check-ins, written directly (the list only reads them)."""
    from dryneedling.followup.models import CheckIn

    template = CheckIn.objects.for_actor(actor).order_by("id").first()
    now = timezone.now()
    CheckIn.objects.for_actor(actor).bulk_create(
        [
            CheckIn(
                clinic_id=template.clinic_id,
                patient_id=template.patient_id,
                episode_id=template.episode_id,
                session_id=template.session_id,
                kind=f"x{n}",  # unique with the session; the list shows the kind's raw value
                due_at=now - timedelta(hours=n + 1),
                expires_at=now + timedelta(days=2),
            )
            for n in range(count)
        ]
    )


def test_the_follow_up_list_runs_the_same_queries_for_few_and_many_check_ins(alice, alice_client, many_check_ins):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries(url: str) -> tuple[int, str]:
        with CaptureQueriesContext(connection) as captured:
            response = alice_client.get(url)
        assert response.status_code == 200
        return len(captured), response.content.decode()

    few, _ = queries("/followup/")
    few_filtered, _ = queries("/followup/?status=due")
    _seed_check_ins(alice, 30)
    many, html = queries("/followup/")
    assert many == few and _rows(html) == many_check_ins
    assert queries("/followup/?status=due")[0] == few_filtered
    page_2, html = queries("/followup/?page=2")
    assert page_2 == few and _rows(html) == many_check_ins and "Page 2 of 18" in html


def test_the_maintenance_reviews_come_in_pages_too(alice, alice_client, monkeypatch):
    from dryneedling.web.views.followup import outcomes
    from tests.followup.test_services import _course_ended

    monkeypatch.setattr(outcomes, "REVIEWS_PAGE_SIZE", 2)
    names = ["Ann", "Ben", "Cy", "Dee", "Eve"]
    for n, given in enumerate(names):
        _, episode = screened_patient(alice, f"R-{n}", given, "Review")
        _course_ended(episode, timedelta(weeks=13 + 5 - n))  # Ann's course ended first
    first = alice_client.get("/followup/").content.decode()
    assert "Ann Review" in first and "Ben Review" in first and "Cy Review" not in first
    assert "reviews_page=2" in first and "5 due" in first
    third = alice_client.get("/followup/", {"reviews_page": "3", "status": "due"}).content.decode()
    assert "Eve Review" in third and "Ann Review" not in third and "status=due" in third
