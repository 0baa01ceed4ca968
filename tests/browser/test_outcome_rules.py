"""A clinic admin chooses the NPRS rule and replaces one MCID in the browser; a bad value is a field
error with the input kept (issue 11)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in


def test_admin_sets_the_outcome_rules(page: Page, live_server, transactional_db, dana, clinic_a):  # type: ignore[no-untyped-def]
    from dryneedling.followup.outcome_rules import rules_of

    base = live_server.url
    sign_in(page, base, dana)
    page.get_by_role("link", name="Clinic settings").click()
    page.get_by_role("link", name="Outcome rules").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcome rules")
    expect(page.get_by_text("Young", exact=False).first).to_be_visible()
    page.get_by_label("at least 30 % of the baseline score").check()
    page.get_by_label("Neck Disability Index MCID (points)").fill("80")
    page.get_by_role("button", name="Save outcome rules").click()
    expect(page.get_by_text("at most 50 points")).to_be_visible()
    expect(page.get_by_label("Neck Disability Index MCID (points)")).to_have_value("80")
    page.get_by_label("Neck Disability Index MCID (points)").fill("6")
    page.get_by_role("button", name="Save outcome rules").click()
    expect(page.get_by_text("Outcome rules saved")).to_be_visible()
    expect(page.get_by_label("at least 30 % of the baseline score")).to_be_checked()
    expect(page.get_by_label("Neck Disability Index MCID (points)")).to_have_value("6.0")
    rules = rules_of(clinic_id=clinic_a.pk)
    assert (rules.nprs_rule, dict(rules.mcids)) == ("relative", {"ndi": 6.0})
