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
