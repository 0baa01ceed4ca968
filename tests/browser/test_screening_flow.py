from __future__ import annotations

from datetime import date

from playwright.sync_api import expect


def test_fill_in_the_intake_and_see_the_decision_then_open_a_muscle_page(signed_in_page, live_server, alice):
    from dryneedling.patients.services import patient_create

    page = signed_in_page
    patient = patient_create(
        actor=alice, mrn="SCR-1", given_name="Ines", family_name="Moreau", date_of_birth=date(1975, 2, 3), sex="female"
    )
    page.goto(f"{live_server.url}/patients/{patient.pk}/")
    expect(page.locator("#screening")).to_contain_text("Not screened yet")
    page.get_by_role("link", name="Screen now").click()

    # A conditional question (the INR) is hidden until anticoagulants are marked "Yes".
    inr = page.get_by_label("Latest INR")
    expect(inr).to_be_hidden()
    # Every visible yes/no question: answer "No", then mark anticoagulants "Yes".
    for group in page.locator("fieldset.q:visible").all():
        no = group.get_by_label("No", exact=True)
        if no.count():
            no.check()
    expect(page.locator("fieldset.q", has_text="Epilepsy controlled")).to_be_hidden()
    page.locator("fieldset.q", has_text="Takes anticoagulant").get_by_label("Yes", exact=True).check()
    expect(inr).to_be_visible()
    inr.fill("2.4")
    page.locator("select[name=pregnancy]").select_option("not_pregnant")
    expect(page.get_by_label("Weeks of pregnancy")).to_be_hidden()
    page.get_by_role("button", name="Screen and save").click()

    status = page.locator("#screening")
    expect(status).to_contain_text("Suitable with precautions")
    expect(status.locator("li.reason").first).to_be_visible()
    expect(status).to_contain_text("Anticoagulant or antiplatelet medication is a precaution")
    expect(status).to_contain_text("SCR-PRE-ANTITHROMBOTICS")

    # A new screening starts from the last one: anticoagulants "Yes" and the INR are prefilled.
    page.get_by_role("link", name="New screening").click()
    expect(page.locator("#prefill-note")).to_be_visible()
    anticoagulants = page.locator("fieldset.q", has_text="Takes anticoagulant")
    expect(anticoagulants.get_by_label("Yes", exact=True)).to_be_checked()
    expect(page.get_by_label("Latest INR")).to_have_value("2.4")
    page.get_by_role("link", name="Cancel").click()

    page.get_by_role("link", name="Knowledge base").click()
    page.get_by_role("link", name="Upper trapezius").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Upper trapezius")
    chart = page.locator("svg.bodychart").first
    expect(chart).to_be_visible()
    expect(page.locator("svg.bodychart .referral-primary").first).to_be_attached()
    expect(page.locator("svg.bodychart circle.trigger-point").first).to_be_attached()
