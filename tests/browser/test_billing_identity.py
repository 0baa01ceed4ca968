"""Issue 11 in Chromium: a Medicare session started with a signed option-1 ABN, a hamstrings point
naming the muscle needled, the superbill showing GX with GY, the muscle counted and the rule; the
ABN corrected from the superbill."""

from __future__ import annotations

import re

from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.browser.test_session_flow import clean_technique
from tests.treatment.conftest import episode_a, ready_episode, sign_note  # noqa: F401  (fixtures)


def test_abn_and_named_member_reach_the_superbill(page, live_server, transactional_db, alice, ready_episode):  # type: ignore[no-untyped-def]  # noqa: F811
    base = live_server.url
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, base, alice)
    page.goto(f"{base}/episodes/{ready_episode.pk}/sessions/new/")
    for group in page.locator("fieldset.q").all():
        group.get_by_label("No", exact=True).check()
    page.get_by_label("Patient position").select_option("prone")
    page.get_by_label("Payer").select_option("medicare")
    page.get_by_label("Medicare: an ABN (CMS-R-131) was given for this service").check()
    page.get_by_label("ABN date").fill(timezone.localdate().isoformat())
    page.get_by_label("The patient signed the ABN").check()
    page.get_by_label("ABN option the patient chose").select_option("1")
    page.get_by_role("button", name="Start session").click()
    expect(page).to_have_url(re.compile(r"/sessions/\d+/$"))
    session_id = int(re.search(r"/sessions/(\d+)/$", page.url).group(1))  # type: ignore[union-attr]
    clean_technique(page)

    form = page.locator("#point-form")
    form.get_by_label("Muscle", exact=True).select_option("hamstrings")
    form.get_by_role("combobox", name="Side", exact=True).select_option("left")
    form.get_by_label("Member needled (grouped entries)").select_option("semitendinosus")
    form.get_by_label("Technique").select_option("pistoning")
    form.get_by_label("Needle length").select_option("50")
    form.get_by_label("Needle time (s)").fill("20")
    form.get_by_label("Reason to proceed despite warnings").fill("Depth and angle planned away from the sciatic nerve.")
    form.get_by_role("button", name="Record point").click()
    expect(page.locator("#workspace .messages")).to_contain_text("Point saved.")
    expect(page.locator("ol.points")).to_contain_text("Semitendinosus (left)")

    from dryneedling.treatment.models import Session

    sign_note(alice, Session.unscoped.get(pk=session_id))  # only a signed session has a superbill (issue 11)
    page.goto(f"{base}/sessions/{session_id}/superbill/")
    expect(page.locator("body")).to_contain_text("GX, GY")
    expect(page.locator("body")).to_contain_text("Muscles needled (1, from 1 insertion): Semitendinosus (left).")
    expect(page.locator("body")).to_contain_text("MEDICARE-ABN-OPTION1")
    expect(page.locator("body")).to_contain_text("CPT-ANATOMICAL-MUSCLE")

    # corrected later from the superbill: the patient chose option 2, so Medicare is not billed
    page.get_by_role("link", name="Record or correct the ABN").click()
    page.get_by_label("ABN option the patient chose").select_option("2")
    page.get_by_role("button", name="Save ABN").click()
    expect(page).to_have_url(f"{base}/sessions/{session_id}/superbill/")
    expect(page.locator("body")).to_contain_text("Do not submit this superbill to Medicare.")
    expect(page.locator("body")).to_contain_text("MEDICARE-ABN-OPTION2")
    assert not problems, problems
