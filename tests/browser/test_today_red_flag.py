"""A patient's red flag, sent from the public check-in page in real Chromium, is on the
clinician's Today (with the badge in the navigation) and in a mail that names no patient, written
by Django's file email backend (the inbox a clinic without SMTP configured would read)."""

from __future__ import annotations

from email import message_from_bytes
from email.message import Message
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.followup.test_services import complete_session, screened_patient


def _inbox(folder) -> list[Message]:  # type: ignore[no-untyped-def]
    return [message_from_bytes(f.read_bytes()) for f in sorted(folder.iterdir())]


def test_a_red_flag_reaches_the_clinicians_today_and_inbox(  # type: ignore[no-untyped-def]
    page, live_server, transactional_db, alice, clinic_a, settings, tmp_path
):
    from dryneedling.followup.models import CheckIn
    from dryneedling.followup.services import checkin_link

    clinic_a.alert_email = "alerts@clinic-a.example.test"
    clinic_a.save(update_fields=["alert_email"])
    base = live_server.url
    _, episode = screened_patient(alice, "TD-1", "Marisol", "Ferreira")
    complete_session(alice, episode)
    check_in = CheckIn.unscoped.get(episode=episode, kind="soreness")
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)

    # The patient ticks a red flag and sends the form without answering the rest.
    page.set_default_timeout(10_000)
    page.goto(f"{base}{urlsplit(checkin_link(check_in)).path}")
    page.locator("label.opt", has_text="Shortness of breath or chest pain since the needling").click()
    page.evaluate("document.querySelector('form').noValidate = true")  # skip the browser's required check
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Get help now")).to_be_visible()
    expect(page.get_by_role("alert").first).to_contain_text("We have told Clinic A about this")

    inbox = _inbox(tmp_path)
    assert len(inbox) == 1
    sent = inbox[0]
    body = sent.get_payload(decode=True).decode()  # type: ignore[union-attr]
    assert sorted(a.strip() for a in sent["To"].split(",")) == sorted([alice.email, "alerts@clinic-a.example.test"])
    for private in ("Marisol", "Ferreira", "TD-1", "breath"):
        assert private not in sent["Subject"] and private not in body
    assert "/followup/" in body

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
