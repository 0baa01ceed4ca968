"""Issue 11 in Chromium: an unsigned session has no superbill (the page says why and links the note);
the clinician signs the note and opens the claim-ready superbill — the clinic's and her own NPI, the
diagnosis pointer on the line, the staff-only section hidden in print; front desk sees the same."""

from __future__ import annotations

import io

from playwright.sync_api import expect

from tests.browser.conftest import sign_in, sign_in_with_password
from tests.treatment.conftest import (  # noqa: F401  (fixtures)
    CLINIC_NPI,
    CLINICIAN_NPI,
    TAX_ID,
    claim_identity,
    episode_a,
    ready_episode,
)


def _claim_facts(page) -> None:  # type: ignore[no-untyped-def]
    bill = page.locator("article.superbill")
    expect(bill).to_contain_text(f"NPI {CLINIC_NPI}")
    expect(bill).to_contain_text(f"Tax ID {TAX_ID}")
    expect(bill).to_contain_text("Place of service: 11 Office")
    expect(bill.locator(".sb-provider")).to_contain_text("Rendering provider: Alice Adams, PT, DPT")
    expect(bill.locator(".sb-provider")).to_contain_text(f"Individual NPI {CLINICIAN_NPI}")
    expect(bill.locator("ol.dx li")).to_have_text(["A. M54.2 Cervicalgia"])
    expect(bill.locator("td.pointers")).to_have_text(["A"])
    expect(bill).to_contain_text("Electronically signed by Alice Adams, PT, DPT")
    expect(bill.locator(".problems")).to_have_count(0)


def test_the_clinician_signs_and_both_roles_see_the_claim_ready_superbill(  # type: ignore[no-untyped-def]
    page,
    browser,
    live_server,
    transactional_db,
    alice,
    bob,
    dana,
    ready_episode,  # noqa: F811
):
    from pypdf import PdfReader

    from dryneedling.treatment.services.fees import fee_set
    from tests.followup.test_services import complete_session

    claim_identity(alice)
    fee_set(actor=dana, code="20560", amount="85.00")
    session = complete_session(alice, ready_episode)  # completed, the note still a draft
    base = live_server.url
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, base, alice)

    # ---- no superbill before the note is signed: why, and the way to the note ---------------
    page.goto(f"{base}/sessions/{session.pk}/superbill/")
    expect(page.get_by_role("alert")).to_contain_text("the session's note is not signed yet")
    page.get_by_role("link", name="Open the note to review and sign it").click()
    expect(page).to_have_url(f"{base}/sessions/{session.pk}/note/")
    page.get_by_label("I have reviewed this note").check()
    page.get_by_role("button", name="Sign note").click()
    expect(page.locator(".messages")).to_contain_text("Note signed.")

    # ---- the claim-ready superbill ----------------------------------------------------------
    page.locator("p.crumb").get_by_role("link", name="Superbill").click()
    expect(page).to_have_url(f"{base}/sessions/{session.pk}/superbill/")
    _claim_facts(page)
    staff = page.locator("section.staff-only")
    expect(staff).to_contain_text("For staff — not printed")
    expect(staff).to_contain_text("CPT-COUNT-MUSCLES")
    page.emulate_media(media="print")
    expect(staff).to_be_hidden()
    expect(page.locator("article.superbill")).to_be_visible()
    page.emulate_media(media="screen")
    pdf = page.request.get(f"{base}/sessions/{session.pk}/superbill.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert CLINICIAN_NPI in text and CLINIC_NPI in text and "CPT-COUNT-MUSCLES" not in text, text

    # ---- front desk sees the same superbill -------------------------------------------------
    other = browser.new_context()
    try:
        desk = other.new_page()
        desk.set_default_timeout(15_000)
        sign_in_with_password(desk, base, bob)
        desk.goto(f"{base}/patients/{ready_episode.patient_id}/")
        desk.locator(f'a[href="/sessions/{session.pk}/superbill/"]').first.click()
        expect(desk).to_have_url(f"{base}/sessions/{session.pk}/superbill/")
        _claim_facts(desk)
        expect(desk.locator("p.crumb").get_by_role("link", name="Note")).to_have_count(0)
    finally:
        other.close()
    assert not errors, errors
