"""The dashboard's stored figures (issue 12 speed): read while fresh, recomputed when stale or on
request, kept fresh by the periodic job for the usual views, never another clinic's, and the
serious side effects always live."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from dryneedling.accounts.models import AuditEvent
from dryneedling.reports import codec
from dryneedling.reports.analytics.dashboard import Figures, figures_for
from dryneedling.reports.analytics.filters import Filters
from dryneedling.reports.analytics.stored import dashboard_current, dashboard_figures_refresh_stale, filters_key
from dryneedling.reports.models import DashboardSnapshot
from tests.conftest import csrf_token
from tests.reports import factory as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def ep(clinic_a, alice, mia):  # type: ignore[no-untyped-def]
    found = f.episode(clinic_a, completed_at=f.T0)
    f.session(found, alice, effects=(("bruising", "mild"),))
    f.session(found, mia, at=f.T0 + timedelta(days=1), effects=(("pneumothorax", "serious"),))
    f.score(found, value=3, baseline=7, responder=True, after=timedelta(days=30))
    return found


def _sessions(board) -> int:  # type: ignore[no-untyped-def]
    return sum(c.sessions for c in board.monitor.clinicians)


def test_stored_figures_read_back_equal_to_the_computed_ones(clinic_a, ep):  # type: ignore[no-untyped-def]
    figures = figures_for(Filters(clinic=clinic_a))
    assert figures.monitor.funnel and figures.monitor.clinicians[0].cusum is not None  # float keys, tuples
    assert codec.loads(Figures, codec.dumps(figures)) == figures


def test_fresh_figures_are_read_stale_ones_recomputed(clinic_a, dana, alice, ep):  # type: ignore[no-untyped-def]
    filters = Filters(clinic=clinic_a)
    first = dashboard_current(actor=dana, filters=filters)
    assert _sessions(first) == 2
    f.session(ep, alice, at=f.T0 + timedelta(days=2))
    assert _sessions(dashboard_current(actor=dana, filters=filters)) == 2  # stored: not yet counted
    later = timezone.now() + timedelta(minutes=16)
    again = dashboard_current(actor=dana, filters=filters, now=later)
    assert _sessions(again) == 3 and again.computed_at > first.computed_at
    assert DashboardSnapshot.objects.filter(clinic=clinic_a).count() == 1
    assert AuditEvent.objects.filter(action="analytics.refresh").count() == 2


def test_serious_side_effects_are_listed_live(clinic_a, dana, alice, ep):  # type: ignore[no-untyped-def]
    filters = Filters(clinic=clinic_a)
    assert len(dashboard_current(actor=dana, filters=filters).serious) == 1
    f.session(ep, alice, at=f.T0 + timedelta(days=3), effects=(("pneumothorax", "serious"),))
    assert len(dashboard_current(actor=dana, filters=filters).serious) == 2


def test_another_clinics_stored_figures_are_never_served(clinic_a, clinic_b, dana, carol, ep):  # type: ignore[no-untyped-def]
    dashboard_current(actor=dana, filters=Filters(clinic=clinic_a))
    # Carol (clinic B) asks with clinic A's filters object: the actor's clinic wins.
    board = dashboard_current(actor=carol, filters=Filters(clinic=clinic_a))
    assert _sessions(board) == 0 and board.serious == []
    assert DashboardSnapshot.objects.filter(clinic=clinic_b).count() == 1


def test_the_job_refreshes_the_usual_views_and_drops_the_rest(clinic_a, dana, alice, ep):  # type: ignore[no-untyped-def]
    for filters in (Filters(clinic=clinic_a), Filters(clinic=clinic_a, clinician_id=alice.pk),
                    Filters(clinic=clinic_a, region="head_neck")):  # fmt: skip
        dashboard_current(actor=dana, filters=filters)
    assert dashboard_figures_refresh_stale() == 0  # all fresh
    f.session(ep, alice, at=f.T0 + timedelta(days=2))
    assert dashboard_figures_refresh_stale(now=timezone.now() + timedelta(minutes=16)) == 2
    kept = dict(DashboardSnapshot.objects.values_list("key", "figures"))
    assert set(kept) == {filters_key(Filters(clinic=clinic_a)), filters_key(Filters(clinic_a, clinician_id=alice.pk))}
    whole = codec.loads(Figures, kept[filters_key(Filters(clinic=clinic_a))])
    assert sum(c.sessions for c in whole.monitor.clinicians) == 3  # recomputed from the records


def test_recompute_now_counts_new_records_and_keeps_the_filters(dana_client, clinic_a, alice, ep):  # type: ignore[no-untyped-def]
    page = dana_client.get(f"/analytics/?clinician={alice.pk}")
    assert b"Recompute now" in page.content and b"Figures computed from the clinic" in page.content
    f.session(ep, alice, at=f.T0 + timedelta(days=2), effects=(("bleeding", "mild"),))
    rows = dana_client.get(f"/analytics/side-effects.csv?clinician={alice.pk}").content.decode()
    assert "Bleeding" not in rows  # the download shows what the page shows
    response = dana_client.post(
        f"/analytics/recompute/?clinician={alice.pk}", {"csrfmiddlewaretoken": csrf_token(dana_client, "/analytics/")}
    )
    assert response.status_code == 302 and response["Location"] == f"/analytics/?clinician={alice.pk}"
    assert "Bleeding" in dana_client.get(f"/analytics/side-effects.csv?clinician={alice.pk}").content.decode()


@override_settings(RATE_LIMITS={"analytics-compute": (2, 600)})
def test_computations_are_rate_limited_per_clinic_stored_reads_are_not(dana_client, alice, ep):  # type: ignore[no-untyped-def]
    assert dana_client.get("/analytics/").status_code == 200  # computes (1)
    assert dana_client.get(f"/analytics/?clinician={alice.pk}").status_code == 200  # computes (2)
    for _ in range(3):
        assert dana_client.get("/analytics/").status_code == 200  # stored: not counted
    refused = dana_client.get("/analytics/?region=head_neck")  # a third computation
    assert refused.status_code == 429 and "Too many analytics computations" in refused.content.decode()
    assert "new analytics computations for this clinic" in refused.content.decode()
    token = csrf_token(dana_client, "/analytics/")
    assert dana_client.post("/analytics/recompute/", {"csrfmiddlewaretoken": token}).status_code == 429
    assert dana_client.get("/analytics/response/").status_code == 429  # the same clinic's budget
    assert dashboard_figures_refresh_stale(now=timezone.now() + timedelta(minutes=16)) == 2  # the job: unlimited
    assert AuditEvent.objects.filter(action="rate_limit.refused").count() == 3
