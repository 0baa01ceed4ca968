"""A patient answers the soreness check-in on a phone, in real Chromium against Django's live server.

The patient opens the check-in link on a phone-sized touch screen (72 h after the session), reports shortness of breath
and is shown the urgent-care instructions. Alice signs in, sees the answer and the alert on the
follow-up page and on the patient page, and acknowledges the alert. The same link opened again
shows the "already answered" page; a link with one character changed shows the "not valid" page.
Neither names the patient. No page scrolls sideways on the phone, and the answers are tap-sized.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.followup.test_services import complete_session_hours_ago, screened_patient

PHONE = {"width": 390, "height": 844}
MIN_TAP = 44  # px: WCAG 2.5.5 / platform guidance for touch targets


def _watch(page, problems: list[str], expected_errors: set[str]) -> None:  # type: ignore[no-untyped-def]
    """Console errors (a CSP violation, a failed script) and uncaught exceptions fail the test.

    The browser's /favicon.ico probe is not the page's doing; neither is the "Failed to load
    resource" line Chromium logs for a page this test opens expecting a 404 or 410.
    """

    def on_console(message) -> None:  # type: ignore[no-untyped-def]
        url = message.location.get("url", "")
        if message.type != "error" or url.endswith("/favicon.ico"):
            return
        if url in expected_errors and message.text.startswith("Failed to load resource: the server responded"):
            return
        problems.append(f"{message.text} {url}")

    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(str(error)))


def _no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    width = page.evaluate("document.documentElement.scrollWidth")
    client = page.evaluate("document.documentElement.clientWidth")
    assert client <= PHONE["width"]
    assert width <= PHONE["width"], f"page scrolls sideways: {width}px wide on a {PHONE['width']}px phone"


def _tap_sized(locator) -> None:  # type: ignore[no-untyped-def]
    count = locator.count()
    assert count > 0
    for index in range(count):
        box = locator.nth(index).bounding_box()
        assert box is not None
        assert box["height"] >= MIN_TAP and box["width"] >= MIN_TAP, (index, box)


@pytest.fixture
def phone(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=3)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_red_flag_on_a_phone_reaches_the_clinic(page, phone, live_server, transactional_db, alice):  # type: ignore[no-untyped-def]
    from dryneedling.followup.models import Alert, CheckIn, OutcomeRecord
    from dryneedling.followup.services import checkin_link

    base = live_server.url
    patient, episode = screened_patient(alice, "PH-7", "Marisol", "Ferreira", email="marisol@example.test")
    # 72 h after the session: the patient's first reading is also the last the link takes (issue 11),
    # so the link is spent once answered.
    complete_session_hours_ago(alice, episode, 72)
    check_in = CheckIn.unscoped.get(episode=episode, kind="soreness")
    path = urlsplit(checkin_link(check_in)).path
    assert re.fullmatch(r"/c/[^/]+/", path), path
    token = path.split("/")[2]
    middle = len(token) // 2
    altered = f"/c/{token[:middle]}{'B' if token[middle] != 'B' else 'C'}{token[middle + 1 :]}/"
    problems: list[str] = []
    _watch(phone, problems, expected_errors={f"{base}{path}", f"{base}{altered}"})
    _watch(page, problems, expected_errors=set())

    # ---- the patient, on a phone ------------------------------------------------------------
    response = phone.goto(f"{base}{path}")
    assert response is not None and response.status == 200
    expect(phone.get_by_role("heading", level=1)).to_have_text("How are you after your session?")
    assert phone.evaluate("window.innerWidth") == PHONE["width"]
    assert phone.evaluate("matchMedia('(pointer: coarse)').matches") is True  # a touch screen
    _no_sideways_scroll(phone)
    # Every answer is a large tap target: the option rows, the 0-10 scale and the Send button.
    _tap_sized(phone.locator("label.opt"))
    _tap_sized(phone.locator(".scale label"))
    _tap_sized(phone.get_by_role("button", name="Send"))
    expect(phone.locator(".scale label")).to_have_count(11)
    expect(phone.get_by_text("Marisol")).to_have_count(0)
    expect(phone.get_by_text("Ferreira")).to_have_count(0)

    phone.locator("label.opt", has_text="Shortness of breath or chest pain since the needling").tap()
    expect(phone.get_by_role("checkbox", name="Shortness of breath or chest pain since the needling")).to_be_checked()
    phone.locator(".scale label", has_text=re.compile(r"^\s*4\s*$")).tap()
    expect(phone.get_by_role("radio", name="4", exact=True)).to_be_checked()
    phone.locator("label.opt", has_text="Bruising").tap()
    phone.locator("label.opt", has_text="Not yet").tap()
    expect(phone.get_by_role("radio", name="Not yet")).to_be_checked()
    phone.get_by_role("button", name="Send").tap()

    urgent = phone.get_by_role("alert")
    expect(urgent.get_by_role("heading", name="Get help now")).to_be_visible()
    expect(urgent).to_contain_text("Shortness of breath or chest pain after dry needling")
    expect(urgent).to_contain_text("Call emergency services (911)")
    expect(urgent).to_contain_text("We have told Clinic A")
    expect(urgent).not_to_contain_text("Fever")  # only the flag the patient reported
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()
    _no_sideways_scroll(phone)
    assert "Marisol" not in phone.content() and "Ferreira" not in phone.content()

    check_in.refresh_from_db()
    assert check_in.answered_at is not None and check_in.red_flags == ["breathing"]
    assert check_in.answers["soreness"] == 4 and check_in.answers["side_effects"] == ["bruising"]
    alert = Alert.unscoped.get(check_in=check_in)
    assert alert.flags == ["breathing"] and alert.acknowledged_at is None
    assert OutcomeRecord.unscoped.get(check_in=check_in).instrument_id == "nprs_soreness"

    # ---- the clinician signs in and sees it -------------------------------------------------
    page.set_default_timeout(10_000)
    sign_in(page, base, alice)
    page.goto(f"{base}/followup/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Follow-up")
    red_flags = page.locator("section[aria-labelledby='al-h']")
    open_alert = red_flags.locator(".alert-serious")
    expect(open_alert).to_have_count(1)
    expect(open_alert).to_contain_text("Shortness of breath or chest pain")
    expect(open_alert).to_contain_text("24-48 hours after a session")
    expect(open_alert.get_by_role("link", name="Marisol Ferreira")).to_be_visible()
    row = page.locator("section[aria-labelledby='ci-h'] tbody tr", has_text="Marisol Ferreira")
    expect(row).to_have_count(1)
    expect(row.locator(".badge")).to_have_text("red_flag")

    # The patient page shows the answer and the red flag.
    open_alert.get_by_role("link", name="Marisol Ferreira").click()
    expect(page).to_have_url(f"{base}/patients/{patient.pk}/")
    answer = page.locator("section[aria-labelledby='fu-h'] tbody tr", has_text="24-48 hours after a session")
    expect(answer).to_have_count(1)
    expect(answer).to_contain_text("red_flag")
    expect(answer.locator("strong")).to_have_text("Red flags: Shortness of breath or chest pain since the needling")
    expect(answer).to_contain_text("soreness 4/10, bruising")
    expect(answer.get_by_role("textbox", name="Check-in link")).to_have_count(0)  # answered: no link offered

    # Acknowledging the alert clears it from the list.
    page.goto(f"{base}/followup/")
    page.get_by_role("button", name="Acknowledge — I have contacted the patient").click()
    expect(page.locator(".messages")).to_contain_text("Alert acknowledged.")
    expect(red_flags).to_contain_text("No open red flags.")
    expect(red_flags.locator(".alert-serious")).to_have_count(0)
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None and alert.acknowledged_by_id == alice.pk

    # ---- the link again, and an altered link --------------------------------------------------
    for url, status, message in (
        (path, 410, "This form has already been answered."),
        (altered, 404, "This link is not valid."),
    ):
        response = phone.goto(f"{base}{url}")
        assert response is not None and response.status == status, (url, response and response.status)
        expect(phone.get_by_role("heading", level=1)).to_have_text("Link not available")
        expect(phone.locator("main")).to_contain_text(message)
        expect(phone.locator("main")).to_contain_text("emergency services")
        expect(phone.locator("form")).to_have_count(0)
        html = phone.content()
        for private in ("Marisol", "Ferreira", "PH-7", "marisol@example.test", "Clinic A"):
            assert private not in html, (url, private)
        _no_sideways_scroll(phone)

    check_in.refresh_from_db()
    assert check_in.answers["soreness"] == 4
    assert Alert.unscoped.count() == 1
    assert not problems, problems
