"""A New York clinic in a real browser (issue 10): a time typed on the sharps form is the clinic's
wall-clock time, stored in UTC, and shown back in New York time with the zone named."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def test_a_needlestick_typed_in_new_york_time_is_shown_in_new_york_time(
    page, live_server, transactional_db, clinic_a, alice
):
    from dryneedling.safetyrecords.models import SharpsIncident

    clinic_a.time_zone = "America/New_York"
    clinic_a.save(update_fields=["time_zone"])
    page.set_default_timeout(10_000)
    sign_in(page, live_server.url, alice)

    page.goto(f"{live_server.url}/clinic/sharps/new/")
    page.get_by_label("What happened").select_option("needlestick")
    page.get_by_label("Who was involved").select_option("staff")
    page.get_by_label("Staff member").select_option(label="Alice Adams")
    page.get_by_label("When (America/New_York)").fill("2024-03-23T22:30")
    page.get_by_label("Description").fill("Stuck by a used needle while clearing the tray.")
    page.get_by_label("Immediate action").fill("Washed with soap and water; reported to the clinic lead.")
    page.get_by_role("button", name="Report incident").click()
    expect(page.locator(".messages")).to_contain_text("Incident reported")
    expect(page.locator("main")).to_contain_text("Times in America/New_York.")
    expect(page.locator("dl.facts")).to_contain_text("2024-03-23 22:30")
    expect(page.locator("main")).not_to_contain_text("UTC")

    incident = SharpsIncident.objects.for_clinic(clinic_a).get()
    assert incident.occurred_at == datetime(2024, 3, 24, 2, 30, tzinfo=UTC)
