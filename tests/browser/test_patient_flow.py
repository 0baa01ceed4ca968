from __future__ import annotations

import re

from playwright.sync_api import expect


def test_sign_in_create_a_patient_and_find_it_by_search(signed_in_page, live_server):
    page = signed_in_page
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    page.get_by_role("link", name="New patient").click()
    page.get_by_label("MRN", exact=True).fill("PW-1001")
    page.get_by_label("Given name").fill("Octavia")
    page.get_by_label("Family name").fill("Brightwater")
    page.get_by_label("Date of birth").fill("1979-04-12")
    page.get_by_label("Sex").select_option("female")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Octavia Brightwater")

    # A date in the future is refused at the field, and nothing is saved.
    page.get_by_role("link", name="Patients").click()
    page.get_by_role("link", name="New patient").click()
    page.get_by_label("MRN", exact=True).fill("PW-1002")
    page.get_by_label("Given name").fill("Future")
    page.get_by_label("Family name").fill("Person")
    page.get_by_label("Date of birth").fill("2999-01-01")
    page.get_by_label("Sex").select_option("male")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_contain_text("cannot be in the future")

    # htmx search: typing filters the list without a page load.
    page.goto(f"{live_server.url}/patients/")
    page.get_by_label("Search by name, date of birth, phone, email or MRN").fill("brightw")
    results = page.locator("#results")
    expect(results).to_contain_text("Brightwater, Octavia")
    expect(results).to_contain_text("1 patient")
    expect(page).to_have_url(re.compile(r"q=brightw"))
    results.get_by_role("link", name="Brightwater, Octavia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Octavia Brightwater")
    assert not [e for e in errors if "Content Security Policy" in e], errors
