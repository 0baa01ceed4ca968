"""Account security in Chromium (issue 9): a password reset by email from the sign-in page, and
"sign out everywhere else" from one browser ending the session of another."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.conftest import totp_code, totp_device

NEW = "lantern orchard velvet 93"


def test_forgot_password_by_email_then_sign_in_with_the_new_one(page: Page, live_server, transactional_db, alice):  # type: ignore[no-untyped-def]
    from django.core import mail

    base = live_server.url
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    page.goto(f"{base}/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    page.get_by_label("Email").fill("Alice@A.test")  # the case she typed differs from the stored one
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    assert len(mail.outbox) == 1 and mail.outbox[0].to == [alice.email]
    match = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[0].body)
    assert match, mail.outbox[0].body
    page.goto(base + match.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set a new password")
    assert "set-password" in page.url  # the token is no longer in the address bar

    page.locator("#id_new_password1").fill("password2024!")
    page.locator("#id_new_password2").fill("password2024!")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_text("leaked passwords")).to_be_visible()

    page.locator("#id_new_password1").fill(NEW)
    page.locator("#id_new_password2").fill(NEW)
    page.get_by_role("button", name="Set the new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your new password is set")
    page.get_by_role("link", name="Sign in").click()

    device = totp_device(alice)
    page.get_by_label("Email").fill(alice.email)
    page.get_by_label("Password").fill(NEW)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/accounts/two-factor/**")
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{base}/today/")
    assert problems == []


def test_sign_out_everywhere_else_sends_the_other_browser_to_sign_in(browser, live_server, transactional_db, alice):  # type: ignore[no-untyped-def]
    base = live_server.url
    office, home = browser.new_context(), browser.new_context()
    try:
        first, second = office.new_page(), home.new_page()
        for page in (first, second):
            page.set_default_timeout(15_000)
            sign_in(page, base, alice)

        first.get_by_role("link", name="Sessions").click()
        expect(first.get_by_role("heading", level=1)).to_have_text("Active sessions")
        expect(first.locator("tbody tr")).to_have_count(2)
        expect(first.get_by_text("this browser")).to_be_visible()
        first.get_by_role("button", name="Sign out everywhere else").click()
        expect(first.get_by_text("Signed out everywhere else (1 session)")).to_be_visible()
        expect(first.locator("tbody tr")).to_have_count(1)

        second.goto(f"{base}/patients/")
        second.wait_for_url(re.compile(re.escape(f"{base}/accounts/login/")))
        expect(second.get_by_role("heading", level=1)).to_have_text("Sign in")
        first.goto(f"{base}/patients/")
        assert first.url == f"{base}/patients/"  # the browser that asked stays signed in
    finally:
        office.close()
        home.close()
