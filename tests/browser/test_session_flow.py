"""The clinician's charting flow end to end, in real Chromium against Django's live server.

Alice charts two trigger-point findings on an episode (one by mouse, one by keyboard), runs a
session of two timed points, records a bruise, completes the session, edits and signs the SOAP
note, is refused when she tries to change the signed note, adds an amendment, and downloads the
superbill PDF, which bills CPT 20560 (two distinct muscles).
"""

from __future__ import annotations

import re
from datetime import date
from io import BytesIO

from playwright.sync_api import expect

from dryneedling.clinical.intake import all_clear_answers

NO_FLAGS = all_clear_answers(age=45)

# Chart coordinates (viewBox units) on the back view. The editor's keyboard cursor starts at
# (100, 200) and moves 4 units per arrow key press.
UPPER_TRAPEZIUS_R = (118.0, 82.0)  # upper trapezius TrP1, right: back.shoulder.right
KEYBOARD_RIGHT, KEYBOARD_DOWN = 5, 9  # -> (120, 236): back.buttock.right, by gluteus medius TrP1

SUBJECTIVE = "Neck and right hip pain, 6/10, worse after long days at the desk."
AMENDMENT = "Also reports poor sleep for two weeks."


def _setup(alice, dana):  # type: ignore[no-untyped-def]
    """A screened, consented patient with a coded episode, and the clinic's fee for 20560."""
    from dryneedling.intake.services import screening_record
    from dryneedling.patients.services import episode_create, patient_create
    from dryneedling.treatment.services.chart import consent_record, optional_consent_items
    from dryneedling.treatment.services.fees import fee_set
    from tests.treatment.conftest import claim_identity, ensure_trained

    ensure_trained(alice)
    claim_identity(alice)  # the clinic's and Alice's NPIs: a claim-ready superbill (issue 11)
    patient = patient_create(
        actor=alice, mrn="SES-1", given_name="Ruth", family_name="Okafor", date_of_birth=date(1978, 9, 14), sex="female"
    )
    episode = episode_create(
        actor=alice,
        patient=patient,
        conditions=[("M54.2", "Cervicalgia")],
        reason="Neck and hip pain",
        referral_source="self",
        start_date=date(2026, 1, 5),
        end_date=None,
        status="active",
    )
    screening = screening_record(actor=alice, patient=patient, answers=NO_FLAGS)
    assert screening.decision == "suitable"
    consent_record(actor=alice, patient=patient, signed_name="Ruth Okafor", optional_items=optional_consent_items())
    fee_set(actor=dana, code="20560", amount="85.00")
    fee_set(actor=dana, code="20561", amount="110.00")
    return patient, episode


def _click_chart(page, view: str, x: float, y: float) -> None:  # type: ignore[no-untyped-def]
    """A real mouse click on the chart at viewBox coordinates (x, y)."""
    svg = page.locator(f'form[action*="findings"] svg.bodychart[data-view="{view}"]')
    svg.scroll_into_view_if_needed()
    client = svg.evaluate(
        """(svg, [x, y]) => {
            const pt = svg.createSVGPoint(); pt.x = x; pt.y = y;
            const p = pt.matrixTransform(svg.getScreenCTM());
            return [p.x, p.y];
        }""",
        [x, y],
    )
    page.mouse.click(client[0], client[1])


def _time_the_needle(page, seconds: int) -> None:  # type: ignore[no-untyped-def]
    """Configure the needle timer, start it, and wait for its done state."""
    timer = page.locator("[data-timer]")
    page.get_by_label("Seconds", exact=True).fill(str(seconds))
    expect(timer.locator(".timer-display")).to_have_text(f"0:{seconds:02d}")
    timer.get_by_role("button", name="Start").click()
    expect(timer).to_have_class(re.compile(r"\brunning\b"))
    expect(timer).to_have_class(re.compile(r"\bdone\b"), timeout=seconds * 1000 + 5000)
    expect(timer.locator("p.timer-status")).to_have_text("Time — withdraw the needle")
    expect(timer.locator("[data-timer-elapsed]")).to_have_value(str(seconds))


def _choose_finding(page, finding, label: str) -> None:  # type: ignore[no-untyped-def]
    """Link the point to the charted finding, offered by muscle and side."""
    select = page.get_by_label("Finding", exact=True)
    expect(select.locator(f'option[value="{finding.pk}"]')).to_contain_text(label)
    select.select_option(str(finding.pk))


def clean_technique(page) -> None:  # type: ignore[no-untyped-def]
    """Tick the clean-technique checklist that opens every session."""
    form = page.locator("#clean-form")
    for box in form.locator('input[type="checkbox"]').all():
        box.check()
    form.get_by_role("button", name="Checklist done").click()
    expect(page.locator("#workspace .messages")).to_contain_text("Clean-technique checklist done.")


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(p.extract_text() or "" for p in PdfReader(BytesIO(data)).pages)


def test_chart_needle_note_amend_and_bill(signed_in_page, live_server, alice, dana):  # type: ignore[no-untyped-def]
    from dryneedling.treatment.models import AdverseEvent, Finding, Insertion, Note, NoteAmendment, Session

    page = signed_in_page
    base = live_server.url
    problems: list[str] = []
    # Console errors (a CSP violation, a failed script) and uncaught exceptions fail the test.
    # The browser's own /favicon.ico probe (none is served) is not the page's doing.
    page.on(
        "console",
        lambda m: (
            problems.append(f"{m.text} {m.location.get('url')}")
            if m.type == "error" and not m.location.get("url", "").endswith("/favicon.ico")
            else None
        ),
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    patient, episode = _setup(alice, dana)

    # ---- body chart: finding 1 by mouse ---------------------------------------------------
    page.goto(f"{base}/patients/{patient.pk}/")
    page.get_by_role("link", name="Body chart").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Body chart")
    status = page.locator("#finding-status")
    proposals = page.locator("#proposals")

    _click_chart(page, "back", *UPPER_TRAPEZIUS_R)
    expect(status).to_have_text(re.compile(r"^Point placed on .+ \(back view\)$"))
    expect(page.locator('form[action*="findings"] svg[data-view="back"] circle.point.pending')).to_have_count(1)
    pick = proposals.get_by_role("button", name="Upper trapezius (right)")
    expect(pick).to_be_visible()
    pick.click()
    expect(page.get_by_label("Muscle")).to_have_value("upper_trapezius")
    expect(page.get_by_role("combobox", name="Side", exact=True)).to_have_value("right")
    page.get_by_label("Trigger point").select_option("active")
    page.get_by_label("Local tenderness (0-10)").fill("7")
    page.get_by_label("Palpable taut band").check()
    page.get_by_label("Reproduces the familiar pain").check()
    page.get_by_role("button", name="Record finding").click()
    expect(page.locator(".messages")).to_contain_text("Finding recorded.")
    history = page.locator("table.list tbody")
    expect(history.locator("tr")).to_have_count(1)
    expect(history).to_contain_text("Upper trapezius")

    # ---- body chart: finding 2 by keyboard ------------------------------------------------
    back = page.locator('form[action*="findings"] svg.bodychart[data-view="back"]')
    expect(back).to_have_attribute("role", "application")
    back.focus()
    for _ in range(KEYBOARD_RIGHT):
        page.keyboard.press("ArrowRight")
    for _ in range(KEYBOARD_DOWN):
        page.keyboard.press("ArrowDown")
    expect(status).to_have_text(re.compile(r" region$"))
    page.keyboard.press("Enter")
    expect(status).to_have_text(re.compile(r"^Point placed on .+ \(back view\)$"))
    expect(page.locator('input[name="x"]')).to_have_value("120")
    expect(page.locator('input[name="y"]')).to_have_value("236")
    pick = proposals.get_by_role("button", name="Gluteus medius (right)")
    expect(pick).to_be_visible()
    pick.focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Muscle")).to_have_value("gluteus_medius")
    page.get_by_label("Trigger point").select_option("latent")
    page.get_by_label("Local tenderness (0-10)").fill("4")
    page.get_by_role("button", name="Record finding").click()
    expect(page.locator(".messages")).to_contain_text("Finding recorded.")
    expect(history.locator("tr")).to_have_count(2)
    expect(history).to_contain_text("Gluteus medius")
    findings = {f.muscle_id: f for f in Finding.unscoped.filter(episode=episode)}
    markers = page.locator('form[action*="findings"] svg[data-view="back"] circle.point[data-finding]')
    expect(markers).to_have_count(2)
    for finding in findings.values():
        expect(markers.and_(page.locator(f'[data-finding="{finding.pk}"]'))).to_have_count(1)
    expect(markers.and_(page.locator("circle.finding-active"))).to_have_count(1)
    expect(markers.and_(page.locator("circle.finding-latent"))).to_have_count(1)
    assert set(findings) == {"upper_trapezius", "gluteus_medius"}
    assert (findings["upper_trapezius"].view, findings["upper_trapezius"].side) == ("back", "right")
    assert (findings["gluteus_medius"].x, findings["gluteus_medius"].y) == (120.0, 236.0)

    # ---- session: pre-session checklist ---------------------------------------------------
    page.get_by_role("link", name="Start a session").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Start a needling session")
    # The checklist starts unanswered: every question is answered today.
    for group in page.locator("fieldset.q").all():
        expect(group.locator("input:checked")).to_have_count(0)
        group.get_by_label("No", exact=True).check()
    page.get_by_label("Patient position").select_option("prone")
    page.get_by_label("Payer").select_option("self_pay")
    page.get_by_role("button", name="Start session").click()
    expect(page).to_have_url(re.compile(r"/sessions/\d+/$"))
    session_id = int(re.search(r"/sessions/(\d+)/$", page.url).group(1))  # type: ignore[union-attr]
    expect(page.get_by_role("heading", level=1)).to_contain_text("In progress")
    workspace = page.locator("#workspace")
    totals = page.locator("#totals")
    clean_technique(page)

    # ---- point 1: upper trapezius; a guardrail warns until the handling is recorded -------
    _choose_finding(page, findings["upper_trapezius"], "Upper trapezius (right)")
    page.get_by_label("Muscle").select_option("upper_trapezius")
    page.get_by_role("combobox", name="Side", exact=True).select_option("right")
    page.get_by_label("Technique").select_option("pistoning")
    page.get_by_label("Needle length").select_option("30")
    guardrails = page.locator("#guardrails")
    page.get_by_role("button", name="Check guardrails").click()
    expect(guardrails).to_contain_text("Warning:")
    expect(guardrails).to_contain_text("GR-THORAX-HANDLING-MISSING")
    page.get_by_label("Handling").select_option("pincer")
    page.get_by_role("button", name="Check guardrails").click()
    expect(guardrails).to_contain_text("No guardrail applies to this insertion.")
    _time_the_needle(page, 2)
    page.get_by_label("Local twitch responses").fill("2")
    page.get_by_label("Patient's response").fill("Familiar ache into the neck")
    page.get_by_role("button", name="Record point").click()
    expect(workspace.locator(".messages")).to_contain_text("Point saved.")
    points = workspace.locator("ol.points > li")
    expect(points).to_have_count(1)
    expect(points.first).to_contain_text("Upper trapezius (right)")
    expect(points.first).to_contain_text("2 s")
    expect(totals).to_contain_text("1 point")

    # ---- point 2: gluteus medius, timed again on the swapped-in form ----------------------
    _choose_finding(page, findings["gluteus_medius"], "Gluteus medius (right)")
    page.get_by_label("Muscle").select_option("gluteus_medius")
    page.get_by_role("combobox", name="Side", exact=True).select_option("right")
    page.get_by_label("Technique").select_option("pistoning")
    page.get_by_label("Needle length").select_option("50")
    page.get_by_role("button", name="Check guardrails").click()
    expect(guardrails).to_contain_text("No guardrail applies to this insertion.")
    _time_the_needle(page, 2)
    page.get_by_role("button", name="Record point").click()
    expect(points).to_have_count(2)
    expect(workspace.locator(".messages")).to_contain_text("Point saved.")
    expect(points.nth(1)).to_contain_text("Gluteus medius (right)")
    expect(totals).to_contain_text("2 points")
    expect(totals).to_contain_text("2 muscles")
    saved = list(Insertion.unscoped.filter(session_id=session_id).order_by("pk"))
    assert [(i.muscle_id, i.side, i.actual_seconds, i.planned_seconds) for i in saved] == [
        ("upper_trapezius", "right", 2, 2),
        ("gluteus_medius", "right", 2, 2),
    ]
    assert [i.finding_id for i in saved] == [findings["upper_trapezius"].pk, findings["gluteus_medius"].pk]
    assert saved[0].handling == "pincer" and saved[0].override_reason == ""

    # ---- side effect: a mild bruise -------------------------------------------------------
    page.get_by_role("combobox", name="Side effect").select_option(label="Bruising")
    page.get_by_label("Severity").select_option("mild")
    page.get_by_label("Onset").select_option("during")
    page.get_by_label("Management").fill("Pressure for one minute")
    page.get_by_role("button", name="Record side effect").click()
    expect(workspace.locator(".messages")).to_contain_text("Side effect recorded.")
    expect(workspace.locator("li.ae")).to_have_count(1)
    expect(workspace.locator("li.ae")).to_contain_text("Mild")
    event = AdverseEvent.unscoped.get(session_id=session_id)
    assert (event.kind, event.severity) == ("bruising", "mild")

    # ---- complete the session: the draft note is written from the record ------------------
    page.get_by_label("Needles used").fill("2")
    page.get_by_label("Needles removed and in the sharps container").fill("2")
    page.get_by_role("button", name="Complete session and write the note").click()
    expect(page).to_have_url(f"{base}/sessions/{session_id}/note/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
    assert Session.unscoped.get(pk=session_id).status == "completed"
    objective = page.get_by_label("Objective").input_value()
    for line in (
        "Upper trapezius (right): active trigger point",
        "Gluteus medius (right): latent trigger point",
        "2 muscles (CPT 20560)",
        "Upper trapezius (right): 0.25 x 30 mm needle, depth not recorded, pincer grasp, pistoning, 2 s, "
        "2 local twitch responses",
        "Gluteus medius (right): 0.25 x 50 mm needle, depth not recorded, ",
        "Bruising (mild): Pressure for one minute",
    ):
        assert line in objective, (line, objective)
    page.get_by_label("Subjective").fill(SUBJECTIVE)
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator(".messages")).to_contain_text("Note saved.")
    expect(page.get_by_label("Subjective")).to_have_value(SUBJECTIVE)

    # ---- sign ------------------------------------------------------------------------------
    page.get_by_label("I have reviewed this note").check()
    page.get_by_role("button", name="Sign note").click()
    expect(page.locator(".messages")).to_contain_text("Note signed.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Signed")
    signed_subjective = page.locator('.note-signed [data-section="subjective"]')
    expect(signed_subjective).to_have_text(SUBJECTIVE)

    # ---- editing the signed note is refused ------------------------------------------------
    # No edit form is offered...
    expect(page.get_by_role("button", name="Save draft")).to_have_count(0)
    expect(page.get_by_role("button", name="Sign note")).to_have_count(0)
    expect(page.locator('textarea[name="subjective"]')).to_have_count(0)
    # ...and a hand-made POST with a valid CSRF token is refused, the text unchanged.
    note = Note.unscoped.get(session_id=session_id)
    token = page.locator('input[name="csrfmiddlewaretoken"]').first.input_value()
    response = page.request.post(
        f"{base}/sessions/{session_id}/note/",
        form={
            "csrfmiddlewaretoken": token,
            "version": str(note.version),
            "subjective": "Tampered after signing",
            "objective": note.objective,
            "assessment": note.assessment,
            "plan": note.plan,
        },
        headers={"Referer": page.url},
    )
    assert response.status == 409, response.status
    assert "signed and read-only" in response.text()
    note.refresh_from_db()
    assert note.subjective == SUBJECTIVE
    page.reload()
    expect(signed_subjective).to_have_text(SUBJECTIVE)
    expect(page.get_by_text("Tampered after signing")).to_have_count(0)

    # ---- amendment: added, the original stays readable ------------------------------------
    page.get_by_label("Section").select_option("subjective")
    page.get_by_role("textbox", name="Amendment", exact=True).fill(AMENDMENT)
    page.get_by_label("Reason for the amendment").fill("Patient called back with more history")
    page.get_by_role("button", name="Add amendment").click()
    expect(page.locator(".messages")).to_contain_text("Amendment added.")
    amendment = page.locator("li.amendment")
    expect(amendment).to_have_count(1)
    expect(amendment).to_contain_text(AMENDMENT)
    expect(amendment).to_contain_text("Reason: Patient called back with more history")
    expect(amendment).to_contain_text("Alice Adams")
    expect(signed_subjective).to_have_text(SUBJECTIVE)
    note.refresh_from_db()
    assert note.subjective == SUBJECTIVE and note.signed_at is not None
    assert NoteAmendment.unscoped.filter(note=note, section="subjective", text=AMENDMENT).count() == 1

    # ---- superbill: page and PDF bill 20560 ------------------------------------------------
    page.get_by_role("link", name="Superbill").click()
    expect(page).to_have_url(f"{base}/sessions/{session_id}/superbill/")
    bill = page.locator("article.superbill")
    expect(bill.locator("strong.cpt")).to_have_text(["20560"])
    expect(bill).to_contain_text("M54.2")
    expect(bill).to_contain_text("85.00")
    expect(bill.locator(".problems")).to_have_count(0)
    with page.expect_download() as info:
        page.get_by_role("link", name="Download PDF").click()
    download = info.value
    assert download.suggested_filename == f"superbill-session-{session_id}.pdf"
    with open(download.path(), "rb") as handle:
        data = handle.read()
    assert data.startswith(b"%PDF-")
    text = _pdf_text(data)
    assert re.search(r"^20560 .*1 or 2 muscle", text, re.M), text  # the billed procedure line
    assert not re.search(r"^20561 ", text, re.M), text
    assert "Muscles needled (2, from 2 insertions)" in text, text
    assert "M54.2" in text and "SES-1" in text and "85.00" in text, text

    assert not problems, problems
