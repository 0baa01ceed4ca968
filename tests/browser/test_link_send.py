"""Front desk sends a patient's consent link by email from the patient page in Chromium (issue 10):
the mail carries the link under the configured public URL and nothing about the patient, the row
shows when (clinic time) and by whom it was sent, the link opens the consent page, and Today's
"Links to send" no longer lists it."""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo

from django.core import mail
from playwright.sync_api import expect

from tests.conftest import PASSWORD

PUBLIC = "https://links.clinic-a.example.org"


def test_front_desk_sends_the_consent_link_by_email(
    page, live_server, transactional_db, bob, patient_a, clinic_a, settings
):  # type: ignore[no-untyped-def]
    from dryneedling.followup.consent import consent_link_for
    from dryneedling.followup.models import LinkDelivery
    from dryneedling.patients.models import Patient

    settings.PUBLIC_BASE_URL = PUBLIC
    clinic_a.time_zone = "America/Chicago"
    clinic_a.save(update_fields=["time_zone"])
    Patient.objects.for_record(patient_a).filter(pk=patient_a.pk).update(email="zelda@example.test")
    consent_link_for(actor=bob, patient=patient_a)  # issued at the desk earlier, not sent yet
    mail.outbox.clear()
    base = live_server.url
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on(  # the browser's /favicon.ico probe is not the page's doing
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{base}/accounts/login/")  # front desk: password only (the clinic's default policy)
    page.get_by_label("Email").fill(bob.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/today/")  # each role lands on Today
    unsent = page.locator("#today-unsent-links")
    expect(unsent).to_contain_text("consent form")
    unsent.get_by_role("link", name="Zelda Quimby").click()

    row = page.locator("#link-consent-0")
    expect(row).to_contain_text("Not sent yet.")
    row.get_by_role("button", name="Send by email").click()
    expect(row.get_by_role("status")).to_have_text("Sent by email to z•••@example.test.")
    expect(row).to_contain_text("by Bob Brown")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zelda@example.test"]
    found = re.search(rf"{re.escape(PUBLIC)}/s/[^\s/]+/", message.body)
    assert found, message.body
    for private in ("Zelda", "Quimby", "A-0001"):
        assert private not in message.body and private not in message.subject
    delivery = LinkDelivery.objects.for_record(patient_a).get()
    local = delivery.sent_at.astimezone(ZoneInfo("America/Chicago"))
    expect(row).to_contain_text(f"Sent by email {local:%Y-%m-%d %H:%M} (America/Chicago)")

    # The page shows the same after a reload; the patient's link opens the consent page.
    page.reload()
    expect(page.locator("#link-consent-0")).to_contain_text(f"{local:%Y-%m-%d %H:%M}")
    page.goto(f"{base}/today/")
    expect(page.locator("#today-unsent-links")).to_contain_text("Every link has been sent.")
    page.goto(base + found.group(0).removeprefix(PUBLIC))
    expect(page.get_by_role("heading").first).to_be_visible()
    expect(page.locator("body")).to_contain_text("Clinic A")
    assert not errors, errors
