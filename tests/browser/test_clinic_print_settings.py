"""A clinic admin sets a fee and uploads a logo in the browser and sees them; a clinician's superbill
then shows that fee and the logo, on the page and in the PDF (issue 10)."""

# ruff: noqa: F811
from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in
from tests.images import SVG, image_bytes
from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)


def test_admin_sets_a_fee_and_a_logo_and_the_superbill_shows_both(
    page: Page, browser, live_server, transactional_db, dana, alice, ready_episode
):  # type: ignore[no-untyped-def]
    from tests.followup.test_services import complete_session
    from tests.treatment.conftest import sign_note
    from tests.treatment.test_pdf_logo import pdf_image_count

    session = sign_note(alice, complete_session(alice, ready_episode))  # one muscle: CPT 20560; signed (issue 11)
    base = live_server.url
    sign_in(page, base, dana)

    # ---- fee schedule ------------------------------------------------------------------------
    page.get_by_role("link", name="Clinic settings").first.click()
    page.get_by_role("link", name="Fee schedule").click()
    table = page.locator("#fee-schedule")
    expect(table.get_by_role("row", name="20560")).to_contain_text("no fee set")
    page.get_by_label("CPT code").select_option("20560")
    page.get_by_label("Fee (USD)").fill("92.555")
    page.get_by_role("button", name="Save fee").click()
    expect(page.get_by_text("An amount has at most 2 decimals (cents).")).to_be_visible()
    page.get_by_label("Fee (USD)").fill("92.50")
    page.get_by_role("button", name="Save fee").click()
    expect(page.get_by_text("Fee for 20560 saved: 92.50.")).to_be_visible()
    expect(table.get_by_role("row", name="20560")).to_contain_text("92.50")
    expect(table.get_by_role("row", name="20561")).to_contain_text("no fee set")

    # ---- logo: an SVG is refused in words, a PNG is taken and shown ---------------------------
    page.get_by_role("link", name="Clinic settings").first.click()
    page.get_by_role("link", name="Logo").click()
    expect(page.locator("#current-logo")).to_contain_text("No logo yet")
    upload = page.get_by_label("Logo (PNG or JPEG)")
    upload.set_input_files({"name": "logo.svg", "mimeType": "image/svg+xml", "buffer": SVG})
    page.get_by_role("button", name="Upload logo").click()
    expect(page.get_by_role("alert")).to_contain_text("SVG is not accepted")
    page.get_by_label("Logo (PNG or JPEG)").set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": image_bytes(240, 80)}
    )
    page.get_by_role("button", name="Upload logo").click()
    expect(page.get_by_text("Logo saved")).to_be_visible()
    preview = page.get_by_role("img", name="Current logo of Clinic A")
    expect(preview).to_be_visible()
    assert preview.evaluate("img => img.complete && img.naturalWidth") == 240  # served to the page

    # ---- the clinician's superbill: the fee and the logo, on the page and in the PDF ----------
    other = browser.new_context(accept_downloads=True)
    try:
        clinician = other.new_page()
        sign_in(clinician, base, alice)
        clinician.goto(f"{base}/sessions/{session.pk}/superbill/")
        bill = clinician.locator("article.superbill")
        expect(bill.locator("strong.cpt")).to_have_text(["20560"])
        expect(bill).to_contain_text("92.50")
        expect(bill).not_to_contain_text("no fee set")
        logo = bill.get_by_role("img", name="Logo of Clinic A")
        expect(logo).to_be_visible()
        assert logo.evaluate("img => img.naturalWidth") == 240
        with clinician.expect_download() as info:
            clinician.get_by_role("link", name="Download PDF").click()
        with open(info.value.path(), "rb") as handle:
            assert pdf_image_count(handle.read()) == 1
    finally:
        other.close()
