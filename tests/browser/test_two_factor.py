"""Two-factor sign-in in Chromium: enrol with the QR page, then sign in with a code, then with a
recovery code, which a second sign-in refuses."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD, totp_code


def _password(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def _sign_out(page: Page, base: str) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/accounts/login/")


def test_enrol_then_sign_in_with_a_code_and_with_a_recovery_code_once(page, live_server, transactional_db, alice):  # type: ignore[no-untyped-def]
    from django_otp.plugins.otp_totp.models import TOTPDevice

    base = live_server.url
    page.set_default_timeout(30_000)
    problems: list[str] = []
    # CSP refusals and script errors (a 404 for /favicon.ico is neither)
    page.on("console", lambda msg: problems.append(msg.text) if "Content Security Policy" in msg.text else None)
    page.on("pageerror", lambda error: problems.append(str(error)))

    # ---- first sign-in: the password leads to enrolment, not to the patients ----------------
    _password(page, base, alice.email)
    page.wait_for_url(f"{base}/accounts/two-factor/setup/**")
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    expect(page.locator("figure.qr svg")).to_be_visible()
    page.goto(f"{base}/patients/")  # no way around it
    page.wait_for_url(f"{base}/accounts/two-factor/setup/**")
    device = TOTPDevice.objects.get(user=alice, confirmed=False)
    page.get_by_label("Code from the app").fill(totp_code(device))
    page.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    codes = page.locator("ol.recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have saved them, continue").click()
    page.wait_for_url(f"{base}/patients/")
    _sign_out(page, base)

    # ---- sign in with the app's code ----------------------------------------------------------
    _password(page, base, alice.email)
    page.wait_for_url(f"{base}/accounts/two-factor/**")
    page.get_by_label("Code").fill(totp_code(device))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{base}/today/")
    _sign_out(page, base)

    # ---- sign in with a recovery code ---------------------------------------------------------
    _password(page, base, alice.email)
    page.wait_for_url(f"{base}/accounts/two-factor/**")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{base}/today/")
    expect(page.get_by_text("Recovery code used: 9 left")).to_be_visible()
    _sign_out(page, base)

    # ---- the same recovery code a second time is refused -------------------------------------
    _password(page, base, alice.email)
    page.wait_for_url(f"{base}/accounts/two-factor/**")
    page.get_by_label("Code").fill(codes[0])
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("That code did not work")).to_be_visible()
    assert "/accounts/two-factor/" in page.url
    page.goto(f"{base}/patients/")
    assert "/accounts/two-factor/" in page.url
    assert problems == []  # nothing refused by the CSP, no script error on the way
