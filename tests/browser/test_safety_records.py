"""Clinic safety records in a real browser: an admin sets the jurisdiction, a clinician records
training until the jurisdiction's rule is met, then reports a needle-stick and closes it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import sign_in


def test_jurisdiction_training_and_a_needlestick_closed_with_follow_up(
    page, live_server, transactional_db, alice, dana
):
    base = live_server.url
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    # The clinic admin chooses a jurisdiction that asks 50 hours of physical therapists.
    sign_in(page, base, dana)
    page.get_by_role("link", name="Clinic settings").click()
    page.get_by_role("link", name="Safety settings").click()
    page.get_by_label("Jurisdiction").select_option("us_co")
    page.get_by_label("Age of consent (years)").fill("16")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".messages")).to_contain_text("Safety settings saved.")
    expect(page.get_by_label("Jurisdiction")).to_have_value("us_co")
    page.get_by_role("button", name="Sign out").click()

    # The clinician sees why they cannot needle yet, and records what the rule asks.
    sign_in(page, base, alice)
    page.get_by_role("link", name="My training").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My training")
    expect(page.get_by_role("alert")).to_contain_text("CRED-PROFESSION")
    page.get_by_role("combobox", name="Profession").select_option("physical_therapist")
    page.get_by_role("button", name="Save profession").click()
    expect(page.locator(".messages")).to_contain_text("Profession saved.")
    expect(page.get_by_role("alert")).to_contain_text("CRED-TRAINING-HOURS")

    page.get_by_role("textbox", name="Course").fill("Dry needling level 1 and 2")
    page.get_by_label("Provider").fill("Example Institute")
    page.get_by_label("Hours").fill("54")
    page.get_by_label("Completed on").fill("2024-03-02")
    page.get_by_label("Covers electrical dry needling").check()
    page.get_by_role("button", name="Add training record").click()
    expect(page.locator(".messages")).to_contain_text("Training record added.")
    expect(page.locator(".guardrail-ok")).to_contain_text("Meets the clinic jurisdiction's rules")
    expect(page.locator("table.list")).to_contain_text("Dry needling level 1 and 2")

    # A needle-stick is reported, stays open on the list, then is closed with its follow-up.
    page.get_by_role("link", name="Sharps incidents").click()
    page.get_by_role("link", name="Report an incident").click()
    page.get_by_label("What happened").select_option("needlestick")
    page.get_by_label("Who was involved").select_option("staff")
    page.get_by_label("Staff member").select_option(label="Alice Adams")
    page.get_by_label("Description").fill("Stuck by a used needle while clearing the tray.")
    page.get_by_label("Immediate action").fill("Washed with soap and water; reported to the clinic lead.")
    page.get_by_role("button", name="Report incident").click()
    expect(page.locator(".messages")).to_contain_text("Incident reported")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Needle-stick injury")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Open")

    page.get_by_role("button", name="Close incident").click()  # no follow-up text: refused at the field
    expect(page.get_by_role("alert")).to_be_visible()
    page.get_by_label("Follow-up done").fill("Baseline bloods taken; occupational health review booked.")
    page.get_by_role("button", name="Close incident").click()
    expect(page.locator(".messages")).to_contain_text("Incident closed with its follow-up.")
    expect(page.locator("table.list")).to_contain_text("Needle-stick injury")
    expect(page.locator("table.list")).to_contain_text("Closed")
    assert not [e for e in errors if "Content Security Policy" in e], errors
