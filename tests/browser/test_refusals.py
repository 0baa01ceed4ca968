"""A refused htmx action says why in the page (htmx swaps no 4xx answer by itself)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.treatment.conftest import episode_a, ready_episode, start_session  # noqa: F401  (fixtures)


def test_a_refused_record_point_shows_the_reason(signed_in_page, live_server, alice, ready_episode):  # type: ignore[no-untyped-def]  # noqa: F811
    from dryneedling.accounts.models import AuditEvent, Membership, Outcome, Role
    from dryneedling.treatment.models import Insertion
    from dryneedling.treatment.services.common import CLINICIAN_ONLY

    page = signed_in_page
    session = start_session(alice, ready_episode)
    page.goto(f"{live_server.url}/sessions/{session.pk}/")
    refusal = page.locator("#request-refusal")
    expect(refusal).to_be_hidden()
    workspace = page.locator("#workspace").inner_html()
    # The clinic admin takes the clinician role away while the page is open (a role change
    # applies to the next request).
    Membership.objects.filter(user=alice).update(role=Role.FRONT_DESK, is_front_desk=True, is_clinician=False)
    page.get_by_role("button", name="Record point").click()
    expect(refusal).to_be_visible()
    expect(refusal).to_have_text(CLINICIAN_ONLY)
    assert page.locator("#workspace").inner_html() == workspace  # the page is left as it was
    assert not Insertion.unscoped.filter(session=session).exists()
    denied = AuditEvent.objects.filter(actor=alice, outcome=Outcome.DENIED)
    assert denied.exists()  # the in-clinic refusal is audited
