"""Issue 11 in Chromium: a home-care plan for one gluteal point is short (at most 8 items), one more
is added from "Show N more suggestions", and the patient's link shows drawings and doses in words,
never a source id."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.browser.conftest import sign_in
from tests.followup.test_homecare_plan import _yaml_source_ids
from tests.treatment.conftest import episode_a, finish, ready_episode, record, start_session  # noqa: F401


def test_gluteal_plan_is_short_and_a_suggestion_is_added(page, live_server, transactional_db, alice, ready_episode):  # type: ignore[no-untyped-def]  # noqa: F811
    session = start_session(alice, ready_episode)
    record(alice, session, muscle_id="gluteus_maximus", needle_length_mm=50, override_reason="Sciatic notch avoided")
    finish(alice, session)

    base = live_server.url
    page.set_default_timeout(15_000)
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    sign_in(page, base, alice)
    page.goto(f"{base}/patients/{ready_episode.patient_id}/")
    page.get_by_role("link", name="Home-care plan").first.click()
    page.get_by_role("button", name="Generate plan").click()
    expect(page.locator(".messages")).to_contain_text("Plan generated")
    kept = page.locator(".plan-item").count()
    assert 6 <= kept <= 8
    expect(page.get_by_text("Figure-four buttock stretch", exact=True)).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("Drawing: Figure-four"))).to_be_visible()  # shown to the clinician

    summary = page.locator("summary", has_text=re.compile(r"Show \d+ more suggestions"))
    more = int(re.search(r"Show (\d+)", summary.inner_text()).group(1))  # type: ignore[union-attr]
    suggestion = page.get_by_role("button", name="Add “Lying knee twist”")
    expect(suggestion).to_be_hidden()  # one click away, not on the page's face
    summary.click()
    suggestion.click()
    expect(page.locator(".messages")).to_contain_text("Suggestion added to the plan.")
    expect(page.locator(".plan-item")).to_have_count(kept + 1)
    expect(page.locator("summary", has_text=f"Show {more - 1} more suggestion")).to_be_visible()

    link = page.get_by_label("Home-care plan link").input_value()
    page.goto(base + urlsplit(link).path)
    expect(page.get_by_role("heading", name="Your home-care plan")).to_be_visible()
    expect(page.get_by_role("heading", name="Lying knee twist")).to_be_visible()
    drawing = page.get_by_role("img", name=re.compile("Drawing: Figure-four buttock stretch"))
    expect(drawing).to_be_visible()
    expect(page.locator(".plan-item", has_text="Figure-four").locator(".dose")).to_contain_text(
        "Hold 30 seconds, 3 times each side, twice a day."
    )
    text = page.locator("body").inner_text()
    for sid in _yaml_source_ids():
        assert not re.search(rf"\b{re.escape(sid)}\b", text), sid
    assert not re.search(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b", text)
    assert not problems, problems
