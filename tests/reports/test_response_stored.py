"""The stored "What predicts response" figures (issue 12 speed): the page shows the stored set and
when it was computed; the Recompute button and the periodic job bring it up to date; the stored
text is the same figures after a round trip; roles without ANALYTICS are refused in words."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from dryneedling.accounts.models import AuditEvent
from dryneedling.reports import codec
from dryneedling.reports.models import ResponseSnapshot
from dryneedling.reports.response import response_figures_for
from dryneedling.reports.response.figures import ResponseFigures
from dryneedling.reports.response.stored import (
    FORMAT,
    response_figures_current,
    response_figures_recompute,
    response_figures_refresh_stale,
)
from tests.conftest import csrf_token
from tests.reports.test_response_selectors import SPECS, build


@pytest.fixture
def some(alice, patient_a, ready_episode):  # type: ignore[no-untyped-def]
    return [build(alice, patient_a, spec) for spec in SPECS[:4]]


@pytest.fixture
def built(alice, patient_a, ready_episode):  # type: ignore[no-untyped-def]
    return [build(alice, patient_a, spec) for spec in SPECS]


def test_the_stored_text_is_the_same_figures(built, dana):  # type: ignore[no-untyped-def]
    figures = response_figures_for(actor=dana)
    assert figures.rates and figures.curves and figures.model.problems
    assert codec.loads(ResponseFigures, codec.dumps(figures)) == figures


def test_infinite_odds_ratios_survive_the_round_trip(built, dana):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from dryneedling.clinical.stats.logistic import OddsRatio

    figures = response_figures_for(actor=dana)
    separated = replace(
        figures, model=replace(figures.model, terms=[OddsRatio("x", float("inf"), 0.5, float("inf"), 0.9)])
    )
    assert codec.loads(ResponseFigures, codec.dumps(separated)).model.terms[0].high == float("inf")


def test_the_page_shows_the_stored_figures_until_recomputed(alice, patient_a, some, dana_client):  # type: ignore[no-untyped-def]
    page = dana_client.get(reverse("analytics-response")).content.decode()
    assert "4 episodes with a completed session" in page and "Computed from the clinic" in page
    assert "Recompute now" in page
    build(alice, patient_a, SPECS[4])  # a record added after the figures were computed
    page = dana_client.get(reverse("analytics-response")).content.decode()
    assert "4 episodes with a completed session" in page  # the stored set, which says when it was made
    csv = dana_client.get(reverse("analytics-response-csv", args=["rates"])).content.decode()
    assert "Baseline pain (NPRS),7–10,4,3," in csv  # the CSV is the page's figures
    token = csrf_token(dana_client, reverse("analytics-response"))
    answer = dana_client.post(reverse("analytics-response-recompute"), {"csrfmiddlewaretoken": token}, follow=True)
    assert "Recomputed from the clinic" in answer.content.decode()
    assert "5 episodes with a completed session" in answer.content.decode()
    refreshed = AuditEvent.objects.filter(action="analytics.response.refresh").order_by("pk")
    assert [e.detail["episodes"] for e in refreshed] == [4, 5]


def test_the_periodic_job_recomputes_sets_older_than_the_maximum_age(alice, patient_a, some, dana, settings):  # type: ignore[no-untyped-def]
    settings.RESPONSE_FIGURES_MAX_AGE_MINUTES = 60
    first = response_figures_current(actor=dana)
    assert first.figures.treated == 4
    build(alice, patient_a, SPECS[4])
    assert response_figures_refresh_stale() == 0  # computed just now: kept
    assert response_figures_refresh_stale(now=timezone.now() + timedelta(minutes=61)) == 1
    assert response_figures_current(actor=dana).figures.treated == 5
    job = AuditEvent.objects.filter(action="analytics.response.refresh").latest("pk")
    assert job.actor_id is None and set(job.detail) == {"episodes", "judged", "seconds"}


def test_a_stored_set_of_another_layout_is_recomputed(some, dana):  # type: ignore[no-untyped-def]
    response_figures_current(actor=dana)
    ResponseSnapshot.objects.update(format=FORMAT + 1, figures=json.dumps({"old": True}))
    assert response_figures_current(actor=dana).figures.treated == 4


def test_roles_without_analytics_are_refused_in_words(some, bob, bob_client):  # type: ignore[no-untyped-def]
    with pytest.raises(PermissionDenied, match="clinicians and clinic admins"):
        response_figures_recompute(actor=bob)
    token = csrf_token(bob_client, "/today/")
    answer = bob_client.post(reverse("analytics-response-recompute"), {"csrfmiddlewaretoken": token})
    assert answer.status_code == 403 and "clinicians and clinic admins" in answer.content.decode()
    assert not ResponseSnapshot.objects.exists()
