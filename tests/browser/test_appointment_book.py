"""The clinic's day in Chromium: the front desk books an appointment and marks the patient arrived
from Today; the clinician opens the next step (here: the session, the screening being current)."""

from __future__ import annotations

from datetime import time

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.conftest import PASSWORD
from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)


def test_front_desk_books_and_marks_arrived_then_the_clinician_opens_the_next_step(  # type: ignore[no-untyped-def]
    page,
    live_server,
    transactional_db,
    alice,
    bob,
    dana,
    ready_episode,  # noqa: F811
):
    from dryneedling.scheduling.services import working_hours_add

    for weekday in range(7):
        working_hours_add(actor=dana, clinician=alice, weekday=weekday, starts=time(0), ends=time(23, 30))
    base = live_server.url
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))

    # Front desk signs in with the password alone (the clinic does not require two-factor of them).
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email").fill(bob.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/today/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Appointments").click()
    expect(page.locator("#day")).to_contain_text("No appointments on this day.")
    page.get_by_role("link", name="Book appointment").click()
    page.get_by_label("Clinician").select_option(label="Alice Adams")
    page.get_by_label("Patient MRN").fill("A-0001")
    page.get_by_label("Type").select_option(label="Dry-needling follow-up (30 min)")
    page.get_by_label("Time").fill("10:00")
    page.get_by_role("button", name="Book").click()
    expect(page.locator(".messages")).to_contain_text("Appointment booked.")
    row = page.locator("#day tbody tr", has_text="Quimby, Zelda")
    expect(row).to_contain_text("10:00–10:30")
    expect(row).to_contain_text("Booked")

    # A second booking at 10:15 overlaps: refused next to the time field.
    page.get_by_role("link", name="Book appointment").click()
    page.get_by_label("Clinician").select_option(label="Alice Adams")
    page.get_by_label("Patient MRN").fill("A-0001")
    page.get_by_label("Time").fill("10:15")
    page.get_by_role("button", name="Book").click()
    expect(page.locator(".field.has-error")).to_contain_text("already has an appointment from 10:00 to 10:30")
    page.get_by_role("link", name="Cancel").click()

    # The desk marks the patient arrived from Today: from Arrivals to Arrived, waiting.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    arrivals = page.locator("#today-arrivals li", has_text="Zelda Quimby")
    expect(arrivals).to_contain_text("10:00")
    expect(page.locator("#today-appointments")).to_have_count(0)  # the day once, not twice
    arrivals.get_by_role("button", name="Mark arrived").click()
    page.wait_for_url(f"{base}/today/")
    expect(page.locator(".messages")).to_contain_text("Marked arrived.")
    expect(page.locator("#today-arrivals")).to_contain_text("Nobody else is expected today.")
    expect(page.locator("#today-waiting")).to_contain_text("Zelda Quimby")
    expect(page.get_by_role("link", name="Next step")).to_have_count(0)  # the clinician's step, not the desk's
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Appointments").click()
    expect(page.locator("#day tbody tr", has_text="Quimby, Zelda")).to_contain_text("Arrived")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, alice)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Appointments").click()
    page.locator("#day tbody tr", has_text="Quimby, Zelda").get_by_role("link", name="Next step").click()
    page.wait_for_url(f"{base}/episodes/{ready_episode.pk}/sessions/new/")
    expect(page.locator(".messages")).to_contain_text("Start the session")
    assert not problems, problems
