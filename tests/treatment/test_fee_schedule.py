"""The clinic's fee schedule (issue 10): set and remove per code, audited before/after; superbills
and self-pay estimates read it and say "no fee set" rather than inventing an amount."""

# ruff: noqa: F811
from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dryneedling.accounts.models import AuditEvent
from dryneedling.treatment.billing import superbill_for
from dryneedling.treatment.models import FeeScheduleItem
from dryneedling.treatment.services.fees import BILLABLE_CODES, fee_clear, fee_set
from tests.conftest import csrf_token
from tests.treatment.conftest import episode_a, ready_episode, sign_note  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db
URL = "/clinic/settings/fees/"


def test_the_codes_are_those_the_app_bills():
    assert BILLABLE_CODES == ("20560", "20561")


def test_set_change_and_clear_are_audited_with_before_and_after(dana):
    fee_set(actor=dana, code="20560", amount="85")
    fee_set(actor=dana, code="20560", amount=Decimal("95.50"))
    assert FeeScheduleItem.objects.get(code="20560").amount == Decimal("95.50")
    fee_clear(actor=dana, code="20560")
    assert not FeeScheduleItem.objects.exists()
    details = [e.detail for e in AuditEvent.objects.filter(action__startswith="fee.").order_by("id")]
    assert details == [
        {"code": "20560", "before": None, "after": "85.00"},
        {"code": "20560", "before": "85.00", "after": "95.50"},
        {"code": "20560", "before": "95.50", "after": None},
    ]


@pytest.mark.parametrize(
    "code, amount, field, words",
    [
        ("97810", "50", "code", "The app bills 20560 and 20561"),
        ("20560", "-1", "amount", "between 0 and 100,000"),
        ("20560", "100000.01", "amount", "between 0 and 100,000"),
        ("20560", "85.005", "amount", "at most 2 decimals"),
        ("20560", "NaN", "amount", "such as 85.00"),
        ("20560", "eighty", "amount", "such as 85.00"),
    ],
)
def test_bad_fees_are_refused_on_their_field(dana, code, amount, field, words):
    with pytest.raises(ValidationError) as error:
        fee_set(actor=dana, code=code, amount=amount)
    assert words in " ".join(error.value.message_dict[field])
    assert not FeeScheduleItem.objects.exists()


def test_zero_is_a_fee(dana):
    assert fee_set(actor=dana, code="20561", amount="0").amount == Decimal("0.00")


def test_only_a_clinic_admin_sets_fees(alice, bob):
    for actor in (alice, bob):
        with pytest.raises(PermissionDenied, match="Only a clinic admin"):
            fee_set(actor=actor, code="20560", amount="85")
        with pytest.raises(PermissionDenied):
            fee_clear(actor=actor, code="20560")


def test_the_page_lists_sets_and_removes_fees(dana, dana_client):
    page = dana_client.get(URL).content.decode()
    assert page.count("no fee set") >= 2 and "20560" in page and "20561" in page
    token = csrf_token(dana_client, URL)
    done = dana_client.post(URL, {"csrfmiddlewaretoken": token, "code": "20561", "amount": "120.00"}, follow=True)
    assert "Fee for 20561 saved: 120.00" in done.content.decode()
    edit = dana_client.get(URL + "?code=20561").content.decode()
    assert 'value="120.00"' in edit
    removed = dana_client.post(URL + "remove/", {"csrfmiddlewaretoken": token, "code": "20561"}, follow=True)
    assert "Fee for 20561 removed" in removed.content.decode()
    assert not FeeScheduleItem.objects.exists()


def test_the_page_shows_field_errors_and_keeps_the_input(dana_client):
    token = csrf_token(dana_client, URL)
    page = dana_client.post(URL, {"csrfmiddlewaretoken": token, "code": "20560", "amount": "12.345"})
    body = page.content.decode()
    assert page.status_code == 200 and "at most 2 decimals" in body and 'value="12.345"' in body
    page = dana_client.post(URL, {"csrfmiddlewaretoken": token, "code": "99213", "amount": "10"})
    assert "The app bills 20560 and 20561" in page.content.decode()
    assert not FeeScheduleItem.objects.exists()


def test_non_admins_are_told_why(alice_client, bob_client):
    for client in (alice_client, bob_client):
        page = client.get(URL)
        assert page.status_code == 403 and "Only a clinic admin" in page.content.decode()


def test_the_superbill_shows_the_clinics_fee_or_says_no_fee_set(alice, dana, alice_client, ready_episode):
    from dryneedling.treatment.models import Session
    from tests.followup.test_services import complete_session

    session = sign_note(alice, complete_session(alice, ready_episode))  # one muscle: CPT 20560
    Session.unscoped.filter(pk=session.pk).update(payer="self_pay")
    context = superbill_for(actor=alice, session_id=session.pk)
    bill = context["bill"]
    assert bill.lines[0].code == "20560" and bill.lines[0].fee is None and bill.patient_estimate is None
    assert any("no fee for 20560" in p for p in context["problems"])
    page = alice_client.get(f"/sessions/{session.pk}/superbill/").content.decode()
    assert "no fee set" in page and "Self-pay estimate: no fee set" in page and "0.00" not in page

    fee_set(actor=dana, code="20560", amount="85.00")
    context = superbill_for(actor=alice, session_id=session.pk)
    assert context["bill"].lines[0].fee == Decimal("85.00") == context["bill"].patient_estimate
    assert not [p for p in context["problems"] if "fee" in p]  # (the clinic's NPI etc. are other problems)
    page = alice_client.get(f"/sessions/{session.pk}/superbill/").content.decode()
    assert "Self-pay estimate: 85.00" in page and "no fee set" not in page
