"""A clinic admin downloads the research export from Clinic settings (issue 12)."""

from __future__ import annotations

import json
import zipfile

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in


def test_admin_downloads_the_research_export(page: Page, live_server, transactional_db, dana):  # type: ignore[no-untyped-def]
    from dryneedling.patients.models import Patient
    from dryneedling.synthetic.loader import seed_clinic

    clinic = dana.membership.clinic
    seed_clinic(clinic=clinic, patients=5, seed=77)
    names = list(Patient.objects.for_clinic(clinic).values_list("family_name", flat=True))
    sign_in(page, live_server.url, dana)
    page.get_by_role("link", name="Clinic settings").first.click()
    page.get_by_role("link", name="Research export").click()
    expect(page.get_by_role("heading", name="Research export of Clinic A")).to_be_visible()
    expect(page.get_by_text("Safe Harbor").first).to_be_visible()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the research export (ZIP)").click()
    download = info.value
    assert download.suggested_filename.startswith("research-export-") and download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(download.path()) as bundle:
        files = set(bundle.namelist())
        assert {"episodes.csv", "episodes.parquet", "data_dictionary.md", "manifest.json"} <= files
        manifest = json.loads(bundle.read("manifest.json"))
        episodes = bundle.read("episodes.csv").decode()
    assert manifest["rows"]["episodes"] == 5
    assert not [n for n in names if n in episodes]
