"""Front desk posts the charge of a signed session, records a card payment (a card number typed
as the reference is refused in words), sees the balance drop and downloads the statement (issue 11)."""

# ruff: noqa: F811
from __future__ import annotations

import io

from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD
from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)


def test_front_desk_records_a_card_payment_and_downloads_the_statement(
    page: Page, live_server, transactional_db, alice, bob, dana, patient_a, ready_episode
):  # type: ignore[no-untyped-def]
    from pypdf import PdfReader

    from dryneedling.treatment.services.fees import fee_set
    from tests.accounting.conftest import signed_session

    fee_set(actor=dana, code="20560", amount="85.00")
    signed_session(alice, ready_episode)
    page.set_default_timeout(10_000)
    base = live_server.url
    # Front desk signs in with the password alone (the clinic does not require two-factor of them).
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(bob.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/today/")
    page.goto(f"{base}/patients/")

    page.get_by_role("link", name="Quimby").first.click()
    page.get_by_role("link", name="Billing and payments").click()
    expect(page.get_by_text("1 signed session not charged yet.")).to_be_visible()
    page.get_by_role("button", name="Post charges for signed sessions").click()
    expect(page.get_by_text("1 charge posted.")).to_be_visible()
    expect(page.locator("#balance")).to_have_text("Balance due 85.00")
    expect(page.locator("#charges")).to_contain_text("20560")

    page.get_by_label("Amount").fill("60.00")
    page.get_by_label("Card", exact=True).check()
    page.get_by_label("Reference (optional)").fill("4111 1111 1111 1111")
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_role("alert")).to_contain_text("Card numbers must not be stored")
    expect(page.get_by_label("Amount")).to_have_value("60.00")  # nothing typed is lost
    expect(page.locator("#balance")).to_have_text("Balance due 85.00")

    page.get_by_label("Reference (optional)").fill("Receipt 0042")
    page.get_by_role("button", name="Record payment").click()
    expect(page.get_by_text("Payment of 60.00 (Card) recorded.")).to_be_visible()
    expect(page.locator("#balance")).to_have_text("Balance due 25.00")
    expect(page.locator("#payments")).to_contain_text("Receipt 0042")

    with page.expect_download() as info:
        page.get_by_role("link", name="Statement (PDF)").click()
    with open(info.value.path(), "rb") as handle:
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(handle.read())).pages)
    assert "Balance due: 25.00" in text and "20560" in text and "Receipt 0042" in text

    page.get_by_role("link", name="Balances").click()
    expect(page.locator("#balances")).to_contain_text("25.00")
