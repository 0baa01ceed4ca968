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


def _age(minutes: int, **more) -> None:  # type: ignore[no-untyped-def]
    DashboardSnapshot.objects.update(computed_at=timezone.now() - timedelta(minutes=minutes), **more)


@override_settings(RATE_LIMITS={"analytics-compute": (1, 600)})
def test_images_and_downloads_show_the_pages_numbers_even_once_they_are_stale(dana_client, alice, ep):  # type: ignore[no-untyped-def]
    assert dana_client.get("/analytics/").status_code == 200  # computes (the one allowed)
    f.session(ep, alice, at=f.T0 + timedelta(days=2), effects=(("bleeding", "mild"),))
    _age(16)  # the page's set expires while the page is open
    image = dana_client.get("/analytics/funnel.svg")
    rows = dana_client.get("/analytics/side-effects.csv")
    assert image.status_code == 200 and image["Content-Type"] == "image/svg+xml"
    assert rows.status_code == 200 and "Bleeding" not in rows.content.decode()  # the page's numbers, not new ones


@override_settings(RATE_LIMITS={"analytics-compute": (1, 600)})
def test_past_the_limit_the_page_shows_its_older_figures_marked_and_the_live_list(dana_client, alice, ep):  # type: ignore[no-untyped-def]
    assert dana_client.get("/analytics/").status_code == 200  # computes (the one allowed)
    _age(16)
    f.session(ep, alice, at=f.T0 + timedelta(days=3), effects=(("pneumothorax", "serious"),))
    page = dana_client.get("/analytics/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "so they are not recomputed now" in text
    assert text.count("Pneumothorax") >= 2  # both serious events are listed live


def test_the_job_drops_sets_nobody_views_and_those_of_former_clinicians(clinic_a, dana, alice, mia, ep):  # type: ignore[no-untyped-def]
    from dryneedling.accounts.models import Membership

    for filters in (Filters(clinic=clinic_a), Filters(clinic_a, clinician_id=alice.pk),
                    Filters(clinic_a, clinician_id=mia.pk)):  # fmt: skip
        dashboard_current(actor=dana, filters=filters)
    Membership.objects.filter(user=mia).update(is_clinician=False)  # Mia no longer treats here
    whole = filters_key(Filters(clinic=clinic_a))
    DashboardSnapshot.objects.filter(key=filters_key(Filters(clinic_a, clinician_id=alice.pk))).update(
        viewed_at=timezone.now() - timedelta(days=2)
    )
    _age(16)
    assert dashboard_figures_refresh_stale() == 1
    assert list(DashboardSnapshot.objects.values_list("key", flat=True)) == [whole]


def test_the_job_refreshes_before_a_view_finds_the_set_stale_and_respects_a_claim(clinic_a, dana, ep):  # type: ignore[no-untyped-def]
    dashboard_current(actor=dana, filters=Filters(clinic=clinic_a))
    _age(11)  # under 80% of 15 minutes: not yet
    assert dashboard_figures_refresh_stale() == 0
    _age(13, claimed_until=timezone.now() + timedelta(minutes=5))  # due, but another run is on it
    assert dashboard_figures_refresh_stale() == 0
    _age(13, claimed_until=timezone.now() - timedelta(seconds=1))  # that run's claim lapsed
    assert dashboard_figures_refresh_stale() == 1
    fresh = DashboardSnapshot.objects.get()
    assert fresh.claimed_until is None and fresh.computed_at > timezone.now() - timedelta(minutes=1)
