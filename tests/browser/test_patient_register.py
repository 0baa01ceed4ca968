"""Front desk registers patients in Chromium (issue 10): the MRN is assigned, a second patient
with the same name and date of birth is warned about and created only when confirmed, and the
search box finds both by date of birth (as the clinic writes it) and by phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD


@pytest.fixture
def front_desk_page(page, live_server, transactional_db, bob):  # type: ignore[no-untyped-def]
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email").fill(bob.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{live_server.url}/today/")
    page.goto(f"{live_server.url}/patients/")
    return page


def _register(page, *, given: str, phone: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_role("link", name="New patient").click()
    expect(page.get_by_label("Sex")).to_have_value("")  # no default: the front desk chooses
    page.get_by_label("Given name").fill(given)
    page.get_by_label("Family name").fill("Okafor")
    page.get_by_label("Date of birth").fill("1980-05-17")
    page.get_by_label("Sex").select_option("female")
    page.get_by_label("Phone", exact=True).fill(phone)
    page.get_by_role("button", name="Save").click()


def test_front_desk_registers_is_warned_of_a_duplicate_and_finds_both(front_desk_page, live_server):
    page = front_desk_page
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)

    _register(page, given="Adaeze", phone="(555) 010-2030")
    expect(page.get_by_role("heading", level=1)).to_have_text("Adaeze Okafor")
    expect(page.locator("dl.facts").first).to_contain_text("000001")
    first_url = page.url

    page.get_by_role("link", name="Patients").click()
    _register(page, given="ADAEZE", phone="555 010 9999")
    warning = page.locator("#possible-duplicates")
    expect(warning).to_contain_text("same name and date of birth")
    expect(warning.get_by_role("link", name="Adaeze Okafor")).to_have_attribute(
        "href", re.compile(re.escape(first_url.removeprefix(live_server.url)) + "$")
    )
    warning.get_by_role("button", name="Create anyway").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("ADAEZE Okafor")
    expect(page.locator("dl.facts").first).to_contain_text("000002")

    page.get_by_role("link", name="Patients").click()
    search = page.get_by_label("Search by name, date of birth, phone, email or MRN")
    results = page.locator("#results")
    search.fill("17/05/1980")
    expect(results).to_contain_text("2 patients")
    expect(results).to_contain_text("000001")
    expect(results).to_contain_text("000002")
    search.fill("5550109999")
    expect(results).to_contain_text("1 patient")
    expect(results).to_contain_text("ADAEZE")
    search.fill("010-2030")
    expect(results).to_contain_text("1 patient")
    expect(results.get_by_role("link", name="Okafor, Adaeze")).to_be_visible()
    expect(page).to_have_url(re.compile(r"q=010-2030"))
    assert not [e for e in errors if "Content Security Policy" in e], errors
