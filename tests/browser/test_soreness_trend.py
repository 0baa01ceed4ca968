"""A patient opens the session's soreness link 24 h after the session and records a score; the
clinician sees the trend (0 h in the clinic → 24 h by the patient) on the session page and the
patient page, with its source; the patient page shows the stored outcome verdicts (issue 11)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.followup.test_services import complete_session_hours_ago, screened_patient


def test_a_patient_records_the_24_hour_reading_and_the_clinician_sees_the_trend(
    page, live_server, transactional_db, alice
):  # type: ignore[no-untyped-def]
    from dryneedling.followup.models import CheckIn, SorenessReading
    from dryneedling.followup.services import checkin_link, outcome_record
    from dryneedling.followup.soreness import soreness_reading_at_session_end

    base = live_server.url
    patient, episode = screened_patient(alice, "SR-1", "Ines", "Okafor", email="ines@example.test")
    session = complete_session_hours_ago(alice, episode, 24)
    soreness_reading_at_session_end(actor=alice, session=session, score=6)
    outcome_record(actor=alice, episode=episode, instrument_id="nprs", total=7)
    outcome_record(actor=alice, episode=episode, instrument_id="nprs", total=4)
    path = urlsplit(checkin_link(CheckIn.unscoped.get(session=session, kind="soreness"))).path
    page.set_default_timeout(10_000)

    # ---- the patient, 24 h after the session -------------------------------------------------
    page.goto(f"{base}{path}")
    expect(page.locator("p.due")).to_contain_text("Your 24-hour soreness reading is due now")
    page.locator(".scale label", has_text=re.compile(r"^\s*4\s*$")).click()
    page.locator("label.opt", has_text="Soreness where the needles went in").click()
    page.locator("label.opt", has_text="Not yet").click()
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.locator("p.due")).to_contain_text("Your next soreness reading (48 hours after the session) is due from")
    assert SorenessReading.unscoped.get(session=session, hours=24).score == 4

    # The same link again, before the 48 h window: it says when, and takes no score.
    page.goto(f"{base}{path}")
    expect(page.locator("p.due")).to_contain_text("Your 48-hour soreness reading is not due yet")
    expect(page.locator(".scale label")).to_have_count(0)

    # ---- the clinician ------------------------------------------------------------------------
    sign_in(page, base, alice)
    page.goto(f"{base}/sessions/{session.pk}/")
    trend = page.locator("section[aria-labelledby='sore-h']")
    expect(trend.locator("td.trend")).to_have_text("0 h 6 → 24 h 4: settling")
    expect(trend).to_contain_text("(entered in the clinic)")
    expect(trend).to_contain_text("(reported by the patient)")
    expect(trend).to_contain_text("Navarro-Santana 2020, Table 5; Martin-Pintado-Zugasti 2016) [V]")

    page.goto(f"{base}/patients/{patient.pk}/")
    on_patient = page.locator("section[aria-labelledby='sore-h']")
    expect(on_patient.locator("td.trend")).to_have_text("0 h 6 → 24 h 4: settling")
    verdicts = page.get_by_role("table", name=re.compile("Outcome verdicts"))
    row = verdicts.locator("tr", has_text="Numeric Pain Rating Scale")
    expect(row).to_contain_text("Improvement +3 points: reaches the MCID 2 points")
    soreness_row = verdicts.locator("tr", has_text="Post-needling soreness")
    expect(soreness_row).to_contain_text("Baseline only")
