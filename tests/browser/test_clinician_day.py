"""The clinician's day in Chromium (issue 10): from Today, the arrived patient's Next step opens the
session; one point, the session completed, the note signed; the visit on Today follows the session
(in session, then done) without a click in the appointment book."""

from __future__ import annotations

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_session_flow import clean_technique
from tests.treatment.conftest import episode_a, ready_episode  # noqa: F401  (fixtures)


def test_from_today_to_a_signed_note(page, live_server, transactional_db, alice, ready_episode):  # type: ignore[no-untyped-def]  # noqa: F811
    from dryneedling.scheduling.models import Appointment
    from dryneedling.scheduling.services import appointment_types_seed
    from dryneedling.treatment.models import Note

    clinic = ready_episode.clinic
    start = timezone.now() - timedelta(minutes=5)  # the clinic's zone is UTC here: today
    visit = Appointment.objects.for_clinic(clinic).create(
        clinic=clinic,
        clinician=alice,
        patient=ready_episode.patient,
        episode=ready_episode,
        appointment_type=appointment_types_seed(clinic=clinic)[1],
        starts_at=start,
        ends_at=start + timedelta(minutes=30),
        status="arrived",
        arrived_at=start,
    )
    base = live_server.url
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))

    sign_in(page, base, alice)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    row = page.locator("#today-appointments tbody tr", has_text="Zelda Quimby")
    expect(row).to_contain_text("Arrived")
    row.get_by_role("link", name="Next step").click()
    page.wait_for_url(f"{base}/episodes/{ready_episode.pk}/sessions/new/")
    for group in page.locator("fieldset.q").all():
        group.get_by_label("No", exact=True).check()
    page.get_by_label("Patient position").select_option("prone")
    page.get_by_role("button", name="Start session").click()
    expect(page).to_have_url(re.compile(r"/sessions/\d+/$"))
    session_id = int(re.search(r"/sessions/(\d+)/$", page.url).group(1))  # type: ignore[union-attr]
    visit.refresh_from_db()
    assert visit.status == "in_session"
    clean_technique(page)

    form = page.locator("#point-form")
    form.get_by_label("Muscle").select_option("gluteus_medius")
    form.get_by_role("combobox", name="Side", exact=True).select_option("right")
    form.get_by_label("Technique").select_option("pistoning")
    form.get_by_label("Needle length").select_option("50")
    form.get_by_label("Needle time (s)").fill("20")
    form.get_by_role("button", name="Record point").click()
    expect(page.locator("#workspace .messages")).to_contain_text("Point saved.")

    page.get_by_label("Needles used").fill("1")
    page.get_by_label("Needles removed and in the sharps container").fill("1")
    page.get_by_role("button", name="Complete session and write the note").click()
    expect(page).to_have_url(f"{base}/sessions/{session_id}/note/")
    # Issue 11: text typed and signed without "Save draft" is signed, after the review box is ticked.
    typed = "Neck pain 6/10 at work, 3/10 at rest."
    page.get_by_label("Subjective").fill(typed)
    page.get_by_role("button", name="Sign note").click()  # the box not ticked: refused, the text kept
    expect(page.get_by_role("alert")).to_contain_text("Tick “I have reviewed this note” to sign it.")
    expect(page.get_by_label("Subjective")).to_have_value(typed)
    assert Note.unscoped.get(session_id=session_id).signed_at is None
    page.get_by_label("I have reviewed this note").check()
    page.get_by_role("button", name="Sign note").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Signed")
    expect(page.locator('.note-signed [data-section="subjective"]')).to_have_text(typed)
    note = Note.unscoped.get(session_id=session_id)
    assert note.signed_at is not None and note.subjective == typed

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Today").click()
    row = page.locator("#today-appointments tbody tr", has_text="Zelda Quimby")
    expect(row).to_contain_text("Done")
    expect(row.get_by_role("link", name="Next step")).to_have_count(0)
    expect(page.locator("#today-unsigned")).not_to_contain_text("Zelda Quimby")
    assert not problems, problems
