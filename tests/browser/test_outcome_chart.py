"""Issue 14: the outcome chart, now drawn without matplotlib, is an image Chromium draws on the
patient page (one panel a measure, the MCID band named), next to its verdict table."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)


def test_the_patient_page_draws_the_outcome_chart(signed_in_page, live_server, alice, patient_a, ready_episode):  # type: ignore[no-untyped-def]  # noqa: F811
    from dryneedling.followup.services import outcome_record

    outcome_record(actor=alice, episode=ready_episode, instrument_id="nprs", total=7)
    outcome_record(actor=alice, episode=ready_episode, instrument_id="ndi", total=18)
    page = signed_in_page
    page.goto(f"{live_server.url}/patients/{patient_a.pk}/")
    chart = page.locator("figure.outcomes img")
    expect(chart).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=chart.element_handle())
    assert chart.evaluate("img => img.naturalHeight") > 250  # two panels, not "No scores yet"
    svg = page.request.get(f"{live_server.url}/episodes/{ready_episode.pk}/outcomes.svg").text()
    assert "Change smaller than the MCID" in svg and "Neck Disability Index" in svg
    expect(page.get_by_role("table", name=f"Outcome verdicts of {ready_episode.reason}")).to_be_visible()
