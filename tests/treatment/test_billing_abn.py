"""Issue 11: the ABN is recorded at the session's start (audited) and decides the Medicare modifier."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dryneedling.accounts.models import AuditEvent
from dryneedling.clinical.billing import Abn
from dryneedling.treatment.billing import superbill_for
from dryneedling.treatment.models import Session
from tests.conftest import csrf_token
from tests.treatment.conftest import record, sign_note, start_session

TODAY = timezone.localdate()
SIGNED_1 = Abn(issued=True, issued_on=TODAY, signed=True, option=1)
ABN_POST = {"abn_issued": "on", "abn_issued_on": TODAY.isoformat(), "abn_signed": "on", "abn_option": "1"}


def _modifiers(actor, session):  # type: ignore[no-untyped-def]
    record(actor, session)
    sign_note(actor, session)  # only a signed session has a superbill
    context = superbill_for(actor=actor, session_id=session.pk)
    return context["bill"].lines[0].modifiers, context


@pytest.mark.django_db
def test_a_signed_option_1_abn_gives_gx_with_gy(alice, ready_episode):
    session = start_session(alice, ready_episode, payer="medicare", abn=SIGNED_1)
    modifiers, context = _modifiers(alice, session)
    assert modifiers == ("GX", "GY")
    assert any(s.id == "cms_r_131" for s in context["sources"])


@pytest.mark.django_db
def test_without_an_abn_the_line_is_gy_only(alice, ready_episode):
    session = start_session(alice, ready_episode, payer="medicare")
    assert _modifiers(alice, session)[0] == ("GY",)


@pytest.mark.django_db
def test_an_unsigned_abn_gives_no_gx_and_says_why(alice, alice_client, ready_episode):
    abn = Abn(issued=True, issued_on=TODAY, signed=False, option=1)
    session = start_session(alice, ready_episode, payer="medicare", abn=abn)
    modifiers, context = _modifiers(alice, session)
    assert modifiers == ("GY",)
    assert any("lacks the patient's signature" in p for p in context["problems"])
    page = alice_client.get(f"/sessions/{session.pk}/superbill/").content.decode()
    assert "ABN (CMS-R-131): given" in page and "not signed" in page and "MEDICARE-EXCLUDED" in page


@pytest.mark.django_db
def test_the_ncd_route_has_neither_modifier(alice, ready_episode):
    session = start_session(alice, ready_episode, payer="medicare", chronic_low_back_pain=True)
    assert _modifiers(alice, session)[0] == ()


@pytest.mark.django_db
def test_option_2_says_do_not_bill_medicare(alice, ready_episode):
    abn = Abn(issued=True, issued_on=TODAY, signed=True, option=2)
    session = start_session(alice, ready_episode, payer="medicare", abn=abn)
    modifiers, context = _modifiers(alice, session)
    assert modifiers == () and any("Do not submit this superbill to Medicare" in p for p in context["problems"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("payer", "abn", "field"),
    [
        ("commercial", SIGNED_1, "abn_issued"),
        ("medicare", Abn(issued=True, issued_on=None, signed=True, option=1), "abn_issued_on"),
        ("medicare", Abn(issued=True, issued_on=TODAY + timedelta(days=1), signed=True, option=1), "abn_issued_on"),
        ("medicare", Abn(issued=True, issued_on=TODAY, signed=True, option=None), "abn_option"),
    ],
)
def test_an_abn_that_cannot_be_right_is_a_field_error(alice, ready_episode, payer, abn, field):
    with pytest.raises(ValidationError) as caught:
        start_session(alice, ready_episode, payer=payer, abn=abn)
    assert field in caught.value.message_dict
    assert not Session.objects.for_actor(alice).exists()


@pytest.mark.django_db
def test_the_start_form_records_the_abn_and_audits_it(alice, alice_client, ready_episode):
    url = f"/episodes/{ready_episode.pk}/sessions/new/"
    page = alice_client.get(url).content.decode()
    assert 'name="abn_option"' in page and "Option 1: bill Medicare" in page
    data = {
        "csrfmiddlewaretoken": csrf_token(alice_client, url),
        "new_anticoagulants": "no",
        "possibly_pregnant": "no",
        "new_symptoms": "no",
        "new_medication": "no",
        "position": "prone",
        "payer": "medicare",
    } | ABN_POST
    missing = alice_client.post(url, data | {"abn_option": ""}).content.decode()
    assert "Choose the option the patient ticked on the ABN" in missing
    response = alice_client.post(url, data)
    assert response.status_code == 302
    session = Session.objects.for_actor(alice).get()
    assert (session.abn_issued, session.abn_issued_on, session.abn_signed, session.abn_option) == (
        True,
        TODAY,
        True,
        1,
    )
    event = AuditEvent.objects.filter(action="session.start").latest("pk")
    assert event.detail["abn"] == {"issued": True, "on": TODAY.isoformat(), "signed": True, "option": 1}


@pytest.mark.django_db
def test_the_abn_is_recorded_after_the_start_from_the_superbill_and_audited(alice, alice_client, ready_episode):
    session = start_session(alice, ready_episode, payer="medicare")
    record(alice, session)
    sign_note(alice, session)
    page = alice_client.get(f"/sessions/{session.pk}/superbill/").content.decode()
    assert f"/sessions/{session.pk}/abn/" in page and "none on file" in page
    url = f"/sessions/{session.pk}/abn/"
    session.refresh_from_db()
    data = {
        "csrfmiddlewaretoken": csrf_token(alice_client, url),
        "version": str(session.version),
    } | ABN_POST
    bad = alice_client.post(url, data | {"abn_issued_on": ""}).content.decode()
    assert "Enter the date the ABN was given" in bad
    assert alice_client.post(url, data)["Location"] == f"/sessions/{session.pk}/superbill/"
    assert superbill_for(actor=alice, session_id=session.pk)["bill"].lines[0].modifiers == ("GX", "GY")
    event = AuditEvent.objects.filter(action="session.abn").latest("pk")
    assert event.detail["before"]["issued"] is False and event.detail["after"]["option"] == 1


@pytest.mark.django_db
def test_no_abn_for_a_session_not_billed_to_medicare(alice, ready_episode):
    from dryneedling.treatment.services.session import session_abn_record

    session = start_session(alice, ready_episode, payer="self_pay")
    with pytest.raises(ValidationError) as caught:
        session_abn_record(actor=alice, session=session, expected_version=session.version, abn=SIGNED_1)
    assert "abn_issued" in caught.value.message_dict
