"""A patient's red flag, sent from the public check-in page in real Chromium, is on the
clinician's Today (with the badge in the navigation) and in a mail that names no patient."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.followup.test_services import complete_session, screened_patient


def test_a_red_flag_reaches_the_clinicians_today_and_inbox(page, live_server, transactional_db, alice, clinic_a):  # type: ignore[no-untyped-def]
    from dryneedling.followup.models import CheckIn
    from dryneedling.followup.services import checkin_link

    clinic_a.alert_email = "alerts@clinic-a.example.test"
    clinic_a.save(update_fields=["alert_email"])
    base = live_server.url
    _, episode = screened_patient(alice, "TD-1", "Marisol", "Ferreira")
    complete_session(alice, episode)
    check_in = CheckIn.unscoped.get(episode=episode, kind="soreness")
    mail.outbox.clear()

    # The patient ticks a red flag and sends the form without answering the rest.
    page.set_default_timeout(10_000)
    page.goto(f"{base}{urlsplit(checkin_link(check_in)).path}")
    page.locator("label.opt", has_text="Shortness of breath or chest pain since the needling").click()
    page.evaluate("document.querySelector('form').noValidate = true")  # skip the browser's required check
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Get help now")).to_be_visible()
    expect(page.get_by_role("alert").first).to_contain_text("We have told Clinic A about this")

    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sorted(sent.to) == sorted([alice.email, "alerts@clinic-a.example.test"])
    for private in ("Marisol", "Ferreira", "TD-1", "breath"):
        assert private not in sent.subject and private not in sent.body
    assert "/followup/" in sent.body

    # The clinician signs in: Today is first in the menu, with the badge, and lists the red flag.
    sign_in(page, base, alice)
    page.goto(f"{base}/")
    expect(page).to_have_url(f"{base}/today/")
    menu = page.get_by_role("navigation", name="Main")
    expect(menu.get_by_role("link").first).to_contain_text("Today")
    expect(menu.locator(".badge-alert")).to_contain_text("1")
    red_flags = page.locator("#today-red-flags")
    expect(red_flags.get_by_role("link", name="Marisol Ferreira")).to_be_visible()

    # Acknowledged on the follow-up page, it leaves Today, and so does the link to acknowledge.
    red_flags.get_by_role("link", name="Acknowledge on the follow-up page").click()
    page.get_by_role("button", name="Acknowledge — I have contacted the patient").click()
    expect(page.locator(".messages")).to_contain_text("Alert acknowledged.")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    expect(red_flags).to_contain_text("No open red flags.")
    expect(red_flags.get_by_role("link", name="Acknowledge on the follow-up page")).to_have_count(0)
