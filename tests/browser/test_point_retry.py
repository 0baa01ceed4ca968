"""Issue 14 in Chromium: the point form sent twice (a lost answer, the browser resending) records
one point, and the form rendered after a saved point carries a new key."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.test_session_safety import _patient

RESEND = """async (body) => {
    const form = document.querySelector('#point-form');
    const answer = await fetch(form.action, {
        method: 'POST', body, headers: {'Content-Type': 'application/x-www-form-urlencoded', 'HX-Request': 'true'},
    });
    return [answer.status, (await answer.text()).includes('Point saved')];
}"""


def test_the_same_point_sent_twice_is_recorded_once(signed_in_page, live_server, alice):  # type: ignore[no-untyped-def]
    from dryneedling.treatment.models import Insertion
    from tests.treatment.conftest import start_session

    page, base = signed_in_page, live_server.url
    patient, episode = _patient(alice, "RETRY-1", "Rita", "Twice", answers={}, optional_items=[])
    session = start_session(alice, episode)
    page.goto(f"{base}/sessions/{session.pk}/")
    form = page.locator("#point-form")
    form.get_by_label("Muscle").select_option("gluteus_medius")
    form.get_by_role("combobox", name="Side", exact=True).select_option("right")
    form.get_by_label("Needle time (s)").fill("20")
    sent = page.evaluate("new URLSearchParams(new FormData(document.querySelector('#point-form'))).toString()")
    form.get_by_role("button", name="Record point").click()
    expect(page.locator("#workspace .messages")).to_contain_text("Point saved.")
    expect(page.locator("#workspace ol.points > li")).to_have_count(1)

    assert page.evaluate(RESEND, sent) == [200, True]  # the same submission again: answered as saved
    assert Insertion.unscoped.filter(session=session).count() == 1
    key = page.locator("#point-form input[name=client_key]").input_value()
    assert key and f"client_key={key}" not in sent  # the next point is a new submission
