"""An admin invites a user in the browser; the user follows the emailed link, sets a password and
signs in (issue 10)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD


def test_admin_invites_a_user_who_sets_a_password_and_signs_in(
    page: Page, browser, live_server, transactional_db, dana
):  # type: ignore[no-untyped-def]
    from django.core import mail

    base = live_server.url
    sign_in(page, base, dana)
    page.get_by_role("link", name="Clinic settings").click()
    page.get_by_role("link", name="Users").click()
    page.locator("#id_email").fill("Nora.New@a.test")
    page.locator("#id_full_name").fill("Nora New")
    page.locator("#id_role").select_option("front_desk")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.get_by_text("Invitation sent")).to_be_visible()
    expect(page.get_by_role("cell", name="Invited (no password yet)")).to_be_visible()
    expect(page.get_by_role("button", name="Unlock")).to_have_count(0)  # nobody is locked out
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nora.new@a.test"]
    match = re.search(r"https?://[^/\s]+(/accounts/invite/\S+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body

    invited = browser.new_context()
    try:
        other = invited.new_page()
        other.goto(base + match.group(1))
        expect(other.get_by_role("heading", level=1)).to_have_text("Set your password")
        other.locator("#id_new_password1").fill(PASSWORD)
        other.locator("#id_new_password2").fill(PASSWORD)
        other.get_by_role("button", name="Set the new password").click()
        expect(other.get_by_role("heading", level=1)).to_have_text("Your account is ready")  # a welcome
        expect(other.get_by_text("signed out")).to_have_count(0)  # a new account had no browser to sign out
        other.get_by_role("link", name="Sign in").click()
        other.get_by_label("Email").fill("nora.new@a.test")
        other.get_by_label("Password").fill(PASSWORD)
        other.get_by_role("button", name="Sign in").click()
        other.wait_for_url(f"{base}/today/")
        expect(other.get_by_role("heading", level=1)).to_be_visible()
        other.goto(base + match.group(1))
        expect(other.get_by_role("heading", level=1)).to_have_text("This link does not work")
    finally:
        invited.close()
