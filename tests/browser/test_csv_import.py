"""A clinic admin imports a Jane patients CSV in the browser: upload, preview, Import, the patients
in the list; a file whose dates could be read either way is refused in words until an order is
chosen (issue 13)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in

FIXTURES = Path(__file__).parent.parent / "interop" / "fixtures" / "csv"


def test_admin_imports_jane_patients_and_chooses_the_date_order(page: Page, live_server, transactional_db, dana):  # type: ignore[no-untyped-def]
    base = live_server.url
    sign_in(page, base, dana)
    page.get_by_role("link", name="Clinic settings").click()
    page.get_by_role("link", name="Import from CSV").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import patients and appointments from CSV")

    page.get_by_label("CSV file").set_input_files(str(FIXTURES / "jane_patients.csv"))
    page.get_by_label("Patients").check()
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#csv-counts")).to_contain_text("3 new")
    expect(page.locator("#csv-rows")).to_contain_text("Maya Lindqvist")
    expect(page.locator("#csv-rows")).to_contain_text("1980-05-17")
    page.get_by_role("button", name="Import 3 patients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imported 3 patients")
    page.get_by_role("link", name="See the patients").click()
    expect(page.get_by_text("Lindqvist")).to_be_visible()
    expect(page.get_by_text("Haddad")).to_be_visible()

    page.goto(f"{base}/clinic/settings/import/")
    page.get_by_label("CSV file").set_input_files(str(FIXTURES / "jane_patients_ambiguous.csv"))
    page.get_by_label("Patients").check()
    page.get_by_role("button", name="Upload and preview").click()
    expect(page.locator("#csv-refusal")).to_contain_text("could be read day-first or month-first")
    expect(page.locator("#csv-refusal")).to_contain_text("Birth Date")
    expect(page.get_by_role("button", name="Import 2 patients")).to_have_count(0)
    page.get_by_label("Date order").select_option("mdy")
    page.get_by_role("button", name="Preview again").click()
    expect(page.locator("#csv-rows")).to_contain_text("1985-03-04")
    page.get_by_role("button", name="Import 2 patients").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Imported 2 patients")
    page.get_by_role("link", name="See the patients").click()
    expect(page.get_by_text("Okafor")).to_be_visible()
    page.wait_for_load_state("networkidle")
