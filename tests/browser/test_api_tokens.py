"""A clinician creates a personal API token from the account menu, uses it against the JSON API,
and revokes it (issue 13)."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import sign_in


def test_clinician_creates_uses_and_revokes_an_api_token(page: Page, live_server, transactional_db, alice):  # type: ignore[no-untyped-def]
    sign_in(page, live_server.url, alice)
    page.get_by_role("navigation", name="Account").get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    page.get_by_label("Name").fill("reporting sheet")
    page.get_by_label("Scope").select_option("read")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_text("it is shown only this once")).to_be_visible()
    plaintext = page.get_by_label("The new token").input_value()
    assert plaintext.startswith("dn_")

    api = page.request
    me = api.get(f"{live_server.url}/api/me", headers={"Authorization": f"Bearer {plaintext}"})
    assert me.status == 200 and me.json()["scope"] == "read"
    refused = api.post(
        f"{live_server.url}/api/patients",
        headers={"Authorization": f"Bearer {plaintext}"},
        data={"given_name": "A", "family_name": "B", "date_of_birth": "1980-01-01", "sex": "female"},
    )
    assert refused.status == 403 and "read-only" in refused.json()["detail"]

    page.goto(f"{live_server.url}/accounts/api-tokens/")  # shown once: not on the next visit
    expect(page.get_by_text("it is shown only this once")).to_have_count(0)
    row = page.get_by_role("row", name="reporting sheet")
    expect(row).to_contain_text("Read")
    row.get_by_role("button", name="Revoke").click()
    expect(page.get_by_text("is revoked: it opens nothing any more")).to_be_visible()
    after = api.get(f"{live_server.url}/api/me", headers={"Authorization": f"Bearer {plaintext}"})
    assert after.status == 401
