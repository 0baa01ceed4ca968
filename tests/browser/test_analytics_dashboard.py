"""The clinic admin opens the analytics from the menu, filters by clinician and downloads a CSV
(issue 12's done-when), then recomputes the stored figures after a new session."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.reports import factory as f


def test_admin_filters_the_dashboard_by_clinician_and_downloads_a_csv(
    page: Page, live_server, transactional_db, clinic_a, alice, mia, dana
):  # type: ignore[no-untyped-def]
    ep = f.episode(clinic_a, completed_at=f.T0)
    f.session(ep, alice, effects=(("bruising", "mild"),))
    f.session(ep, alice, at=f.T0 + timedelta(days=1))
    f.session(ep, mia, at=f.T0 + timedelta(days=2), effects=(("bleeding", "mild"),))
    f.score(ep, value=3, baseline=7, responder=True, after=timedelta(days=30))

    sign_in(page, live_server.url, dana)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Analytics").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clinic analytics")
    expect(page.get_by_role("heading", name="Per-clinician safety monitoring")).to_be_visible()
    expect(page.get_by_role("img", name="Funnel plot", exact=False)).to_be_visible()
    expect(page.get_by_role("rowheader", name="Mia Moreno")).to_be_visible()

    page.get_by_label("Clinician", exact=True).select_option(label="Alice Adams")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("rowheader", name="Alice Adams")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Mia Moreno")).to_have_count(0)
    assert f"clinician={alice.pk}" in page.url

    with page.expect_download() as caught:
        page.get_by_role("link", name="Download the funnel numbers (CSV)").click()
    download = caught.value
    assert download.suggested_filename == "analytics-funnel.csv"
    path = download.path()
    assert path is not None
    rows = list(csv.reader(io.StringIO(open(path, encoding="utf-8").read())))  # noqa: SIM115
    assert rows[0][0] == "clinician"
    assert [r[:3] for r in rows[1:]] == [["Alice Adams", "2", "1"]]
    assert ep.patient.family_name not in page.content()

    # The figures are stored for a while: a new session counts once the admin recomputes them.
    f.session(ep, alice, at=f.T0 + timedelta(days=3), effects=(("cramping", "mild"),))
    page.reload()
    expect(page.get_by_role("row", name="Alice Adams 2", exact=False)).to_be_visible()
    page.get_by_role("button", name="Recompute now").click()
    expect(page.get_by_text("Recomputed from the clinic's records")).to_be_visible()
    assert f"clinician={alice.pk}" in page.url
    expect(page.get_by_role("row", name="Alice Adams 3", exact=False)).to_be_visible()
    # The page's six chart images are still loading from the live server: let them finish before the
    # test database is flushed under them (a request mid-flush broke the shared SQLite connection in CI).
    page.wait_for_load_state("networkidle")
