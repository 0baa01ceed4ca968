"""Safety at the needle, in real Chromium (issue 8).

Nora declined the chest wall and neck consent item and has diabetes: the session will not start
until Alice acknowledges the precaution, and upper trapezius is blocked at the needle. Olive
consented to everything: an electrical lead pair from the chest wall to the back is blocked, and
the session only completes when the needle count balances.
"""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect

from dryneedling.clinical.intake import all_clear_answers
from tests.browser.test_session_flow import _time_the_needle, clean_technique

ACK = "Feet checked: sensation intact; no needling below the knee"


def _patient(alice, mrn: str, given: str, family: str, *, answers: dict, optional_items: list[str]):  # type: ignore[no-untyped-def]
    from dryneedling.intake.services import screening_record
    from dryneedling.patients.services import episode_create, patient_create
    from dryneedling.treatment.services.chart import consent_record
    from tests.treatment.conftest import ensure_trained

    ensure_trained(alice)
    patient = patient_create(
        actor=alice, mrn=mrn, given_name=given, family_name=family, date_of_birth=date(1970, 2, 3), sex="female"
    )
    episode = episode_create(
        actor=alice,
        patient=patient,
        conditions=[("M54.2", "Cervicalgia")],
        reason="Neck and shoulder pain",
        referral_source="self",
        start_date=date(2026, 1, 5),
        end_date=None,
        status="active",
    )
    screening_record(actor=alice, patient=patient, answers=all_clear_answers(age=56) | answers)
    consent_record(actor=alice, patient=patient, signed_name=f"{given} {family}", optional_items=optional_items)
    return patient, episode


def _start(page, base: str, patient) -> None:  # type: ignore[no-untyped-def]
    if not page.url.endswith(f"/patients/{patient.pk}/"):
        page.goto(f"{base}/patients/{patient.pk}/")
    # Let the page's own requests (the outcome chart) finish before navigating on.
    page.wait_for_load_state("networkidle")
    page.get_by_role("link", name="Start a session").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a needling session")
    for group in page.locator("fieldset.q").all():
        group.get_by_label("No", exact=True).check()
    page.get_by_label("Patient position").select_option("prone")
    page.get_by_label("Payer").select_option("self_pay")


def _point(page, muscle: str, side: str, length: str, handling: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Muscle").select_option(muscle)
    page.get_by_role("combobox", name="Side", exact=True).select_option(side)
    page.get_by_label("Needle length").select_option(length)
    page.get_by_label("Handling").select_option(handling)


def _electrical(page) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Technique").select_option("electrical")
    page.get_by_label("Stimulator (device)").fill("ITO ES-160")
    page.get_by_label("Frequency (Hz)").fill("2")
    page.get_by_label("Pulse width (µs)").fill("250")
    page.get_by_label("Intensity (mA)").fill("3")
    page.get_by_label("Duration (min)").fill("10")


def test_consent_precautions_electrical_pairs_and_needle_count(signed_in_page, live_server, alice):  # type: ignore[no-untyped-def]
    from dryneedling.clinical.education import consent_items
    from dryneedling.treatment.models import Insertion, Session

    page, base = signed_in_page, live_server.url
    optional = [i.id for i in consent_items() if not i.required]
    nora, _ = _patient(
        alice,
        "SAFE-1",
        "Nora",
        "Decline",
        answers={"diabetes": True},
        optional_items=[i for i in optional if i != "chest_wall_neck"],
    )
    olive, _ = _patient(alice, "SAFE-2", "Olive", "Current", answers={}, optional_items=optional)

    # ---- the precaution must be acknowledged before the session starts ----------------------
    page.goto(f"{base}/patients/{nora.pk}/")
    expect(page.locator("#consent-h").locator("xpath=../..")).to_contain_text(
        "not agreed to: needling over the chest wall and neck"
    )
    _start(page, base, nora)
    expect(page.get_by_text("This screening found precautions.")).to_be_visible()
    page.get_by_role("button", name="Start session").click()
    expect(page.get_by_text("Acknowledge this precaution: say what you will do about it.")).to_be_visible()
    assert not Session.unscoped.filter(patient=nora).exists()
    for group in page.locator("fieldset.q").all():
        group.get_by_label("No", exact=True).check()
    page.get_by_label(re.compile(r"^Precaution: Diabetes")).fill(ACK)
    page.get_by_role("button", name="Start session").click()
    expect(page).to_have_url(re.compile(r"/sessions/\d+/$"))
    session = Session.unscoped.get(patient=nora)
    assert session.precaution_acks[0]["action"] == ACK

    # ---- a declined consent item blocks the muscles it covers --------------------------------
    expect(page.get_by_label("Muscle")).to_have_count(0)  # no point form before the clean-technique checklist
    clean_technique(page)
    _point(page, "upper_trapezius", "right", "15", "pincer")
    page.get_by_role("button", name="Check guardrails").click()
    guardrails = page.locator("#guardrails")
    expect(guardrails.locator(".guardrail-block")).to_contain_text(
        "did not agree to needling over the chest wall and neck"
    )
    expect(guardrails).to_contain_text("GR-CONSENT-DECLINED")
    _time_the_needle(page, 1)
    page.get_by_label("Reason to proceed despite warnings").fill("The patient asked for it today")
    page.get_by_role("button", name="Record point").click()
    expect(page.locator("#point-form .has-error")).to_contain_text(
        "did not agree to needling over the chest wall and neck"
    )
    assert not Insertion.unscoped.filter(session=session).exists()

    # ---- an electrical lead pair from the chest wall to the back is blocked ------------------
    _start(page, base, olive)
    page.get_by_role("button", name="Start session").click()
    expect(page).to_have_url(re.compile(r"/sessions/\d+/$"))
    olive_session = Session.unscoped.get(patient=olive)
    clean_technique(page)
    _point(page, "pectoralis_major", "left", "25", "pincer")
    _electrical(page)
    _time_the_needle(page, 1)
    page.get_by_label("Reason to proceed despite warnings").fill("Pincer grasp, needle parallel to the ribs")
    page.get_by_role("button", name="Record point").click()
    points = page.locator("#workspace ol.points > li")
    expect(points).to_have_count(1)
    expect(points.first).to_contain_text("2.0 Hz")
    _point(page, "rhomboids", "left", "15", "bracketing")
    _electrical(page)
    first_lead = Insertion.unscoped.get(session=olive_session)
    pair = page.get_by_label("Lead paired with")
    expect(pair.locator(f'option[value="{first_lead.pk}"]')).to_have_text("Point 1: Pectoralis major (left)")
    pair.select_option(str(first_lead.pk))
    page.get_by_role("button", name="Check guardrails").click()
    expect(guardrails.locator(".guardrail-block")).to_contain_text("Electrical lead pair across the thorax")
    _time_the_needle(page, 1)
    page.get_by_label("Reason to proceed despite warnings").fill("Bracketing over the rib")
    page.get_by_role("button", name="Record point").click()
    expect(page.locator("#point-form .has-error")).to_contain_text("across the thorax")
    expect(points).to_have_count(1)
    assert Insertion.unscoped.filter(session=olive_session).count() == 1

    # ---- the session completes only when every needle is accounted for ----------------------
    page.get_by_label("Needles used").fill("2")
    page.get_by_label("Needles removed and in the sharps container").fill("1")
    page.get_by_role("button", name="Complete session and write the note").click()
    expect(page.locator("#complete-form")).to_contain_text("not accounted for")
    olive_session.refresh_from_db()
    assert olive_session.status == "in_progress"
    page.get_by_label("Needles used").fill("1")
    page.get_by_label("Needles removed and in the sharps container").fill("1")
    page.get_by_role("button", name="Complete session and write the note").click()
    expect(page).to_have_url(f"{base}/sessions/{olive_session.pk}/note/")
    objective = page.get_by_label("Objective").input_value()
    assert "Needle count: 1 used, 1 removed." in objective, objective
    assert "electrical: ITO ES-160, 2.0 Hz" in objective, objective
    assert "Olive Current (the patient)" in page.get_by_label("Assessment").input_value()
