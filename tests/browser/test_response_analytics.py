"""A clinician opens "What predicts response" from the menu on a seeded synthetic clinic, sees the
charts with their text alternatives and the observational-data warning, and downloads the numbers
behind the forest plot as CSV, then recomputes the stored figures (issue 12)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in


def test_clinician_opens_the_page_and_downloads_the_forest_plot_csv(  # type: ignore[no-untyped-def]
    page: Page, live_server, transactional_db, alice
):
    from dryneedling.synthetic.loader import seed_clinic

    seed_clinic(clinic=alice.membership.clinic, patients=250, seed=7, now=datetime(2026, 11, 1, 18, 0, tzinfo=UTC))
    page.set_default_timeout(20_000)
    sign_in(page, live_server.url, alice)
    page.get_by_role("link", name="Analytics", exact=True).click()  # the menu, then the page's link
    page.get_by_role("link", name="What predicts response").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("What predicts response")
    expect(page.get_by_text("Observational data.", exact=False).first).to_be_visible()
    forest = page.get_by_role("img", name="Forest plot of odds ratios", exact=False)
    expect(forest).to_be_visible(timeout=30_000)  # each chart is computed and drawn on request
    assert forest.evaluate("img => img.complete && img.naturalWidth > 0")  # the SVG was served and drawn
    expect(page.get_by_role("img", name="Step curves of the share of episodes", exact=False)).to_be_visible(
        timeout=30_000
    )
    with page.expect_download() as info:
        page.get_by_role("link", name="Download the numbers of “Odds ratios of response", exact=False).click()
    download = info.value
    assert download.suggested_filename == "what-predicts-response-forest.csv"
    with open(download.path(), encoding="utf-8") as handle:
        rows = list(csv.reader(io.StringIO(handle.read())))
    assert rows[0] == ["term", "odds_ratio", "ci_low", "ci_high", "p_value", "episodes", "responders"]
    terms = {row[0]: float(row[1]) for row in rows[1:]}
    assert terms["Baseline pain, per band higher"] > 1
    expect(page.get_by_role("link", name="Back to the clinic's outcome and safety analytics")).to_have_attribute(
        "href", "/analytics/"
    )
    # The figures are stored and say when they were computed; Recompute brings them up to date.
    expect(page.locator("#computed-at")).to_contain_text("Computed from the clinic's records at")
    page.get_by_role("button", name="Recompute now").click()
    expect(page.get_by_text("Recomputed from the clinic's records in", exact=False)).to_be_visible(timeout=30_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("What predicts response")
    page.wait_for_load_state("networkidle")  # its chart images finish before the test database is flushed
