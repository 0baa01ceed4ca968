"""Charges of signed sessions, payments and balances (issue 11)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.accounting.conftest import signed_session


def _post(actor, patient):  # type: ignore[no-untyped-def]
    from dryneedling.accounting.services import charges_post

    return charges_post(actor=actor, patient=patient)


def _pay(actor, patient, amount="20.00", **kw):  # type: ignore[no-untyped-def]
    from dryneedling.accounting.services import payment_record

    kwargs = {"method": "cash", "received_on": date.today() - timedelta(days=1), "reference": ""} | kw
    return payment_record(actor=actor, patient=patient, amount=amount, **kwargs)


def _account(actor, patient):  # type: ignore[no-untyped-def]
    from dryneedling.accounting.selectors import account_of

    return account_of(actor=actor, patient=patient)


@pytest.mark.django_db
def test_a_signed_session_is_charged_once_at_the_fee_of_the_day(alice, bob, dana, patient_a, ready_episode, fee_20560):
    from dryneedling.accounting.models import Charge
    from dryneedling.accounts.models import AuditEvent
    from dryneedling.treatment.services.fees import fee_set

    session = signed_session(alice, ready_episode)
    first = _post(bob, patient_a)
    assert [c.session_id for c in first.posted] == [session.pk]
    charge = first.posted[0]
    assert (charge.code, charge.units, charge.amount, charge.payer) == ("20560", 1, Decimal("85.00"), "commercial")
    assert isinstance(charge.amount, Decimal)
    fee_set(actor=dana, code="20560", amount="99.00")
    again = _post(bob, patient_a)  # idempotent: nothing new, the posted amount stays frozen
    assert again.posted == [] and again.not_posted == []
    assert Charge.objects.for_actor(bob).get().amount == Decimal("85.00")
    assert AuditEvent.objects.filter(action="charge.post", patient_id=patient_a.pk).count() == 1


@pytest.mark.django_db
def test_an_unsigned_session_is_not_charged(alice, bob, patient_a, ready_episode, fee_20560):
    from tests.followup.test_services import complete_session

    complete_session(alice, ready_episode)  # note drafted, not signed
    result = _post(bob, patient_a)
    assert result.posted == [] and result.not_posted == []
    assert _account(bob, patient_a).balance == Decimal("0.00")


@pytest.mark.django_db
def test_no_fee_set_is_not_charged_and_says_why(alice, bob, patient_a, ready_episode):
    signed_session(alice, ready_episode)
    result = _post(bob, patient_a)
    assert result.posted == []
    [(_, reason)] = result.not_posted
    assert "no fee for CPT 20560" in reason and "Fee schedule" in reason
    assert [s.pk for s in _account(bob, patient_a).unposted] == [result.not_posted[0][0].pk]


@pytest.mark.django_db
def test_balance_is_charges_minus_payments_not_counting_voided(alice, bob, dana, patient_a, ready_episode, fee_20560):
    from dryneedling.accounting.services import payment_void

    signed_session(alice, ready_episode)
    _post(bob, patient_a)
    _pay(bob, patient_a, "20.10", method="card", reference="auth 4471")
    mistaken = _pay(bob, patient_a, "30.00")
    account = _account(bob, patient_a)
    assert (account.charged, account.paid, account.balance) == (
        Decimal("85.00"),
        Decimal("50.10"),
        Decimal("34.90"),
    )
    payment_void(actor=dana, payment_id=mistaken.pk, reason="Recorded twice")
    assert _account(bob, patient_a).balance == Decimal("64.90")
    with pytest.raises(ValidationError, match="already void"):
        payment_void(actor=dana, payment_id=mistaken.pk, reason="Again")
    with pytest.raises(PermissionDenied, match="Only a clinic admin voids payments"):
        payment_void(actor=bob, payment_id=mistaken.pk, reason="x")


@pytest.mark.django_db
def test_balances_list_shows_patients_who_owe_or_hold_credit(alice, bob, patient_a, ready_episode, fee_20560):
    from dryneedling.accounting.selectors import balances_for

    assert balances_for(actor=bob) == []
    signed_session(alice, ready_episode)
    _post(bob, patient_a)
    [row] = balances_for(actor=bob)
    assert (row.patient.pk, str(row.charged), str(row.paid), str(row.balance)) == (
        patient_a.pk,
        "85.00",
        "0.00",
        "85.00",
    )
    _pay(bob, patient_a, "85.00")
    assert balances_for(actor=bob) == []


@pytest.mark.parametrize(
    "reference", ["4111 1111 1111 1111", "4111-1111-1111-1111", "card 5500005555555559 ok", "378282246310005"]
)
@pytest.mark.django_db
def test_a_reference_that_looks_like_a_card_number_is_refused(bob, patient_a, reference):
    from dryneedling.accounting.models import Payment

    with pytest.raises(ValidationError) as caught:
        _pay(bob, patient_a, reference=reference)
    assert "Card numbers must not be stored" in caught.value.message_dict["reference"][0]
    assert not Payment.objects.for_actor(bob).exists()


@pytest.mark.parametrize("reference", ["4111 1111 1111 1112", "Receipt 000123", "1234567890123", "auth 55"])
@pytest.mark.django_db
def test_references_that_are_not_card_numbers_are_kept(bob, patient_a, reference):
    assert _pay(bob, patient_a, reference=reference).reference == reference


@pytest.mark.parametrize(
    ("amount", "words"),
    [("0", "more than 0"), ("-5", "more than 0"), ("1.005", "2 decimals"), ("abc", "such as"), ("NaN", "such as")],
)
@pytest.mark.django_db
def test_bad_amounts_are_field_errors(bob, patient_a, amount, words):
    with pytest.raises(ValidationError) as caught:
        _pay(bob, patient_a, amount)
    assert words in caught.value.message_dict["amount"][0]


@pytest.mark.django_db
def test_a_payment_in_the_future_is_refused(bob, patient_a):
    with pytest.raises(ValidationError) as caught:
        _pay(bob, patient_a, received_on=date.today() + timedelta(days=2))
    assert "future" in caught.value.message_dict["received_on"][0]


@pytest.mark.django_db
def test_payments_are_audited_without_the_reference(bob, patient_a):
    from dryneedling.accounts.models import AuditEvent

    payment = _pay(bob, patient_a, "12.00", method="card", reference="Receipt 7781")
    event = AuditEvent.objects.get(action="payment.record")
    assert (event.patient_id, event.object_id) == (patient_a.pk, str(payment.pk))
    assert event.detail["amount"] == "12.00" and "7781" not in str(event.detail)


@pytest.mark.django_db
def test_another_clinics_member_has_no_access(alice, carol, patient_a, ready_episode, fee_20560):
    from django.http import Http404

    from dryneedling.accounting.selectors import balances_for, payment_get_for

    signed_session(alice, ready_episode)
    _post(alice, patient_a)
    payment = _pay(alice, patient_a, "10.00")
    assert balances_for(actor=carol) == []
    with pytest.raises(Http404):
        payment_get_for(actor=carol, payment_id=payment.pk)


@pytest.mark.django_db
def test_the_services_refuse_a_patient_of_another_clinic(carol, patient_a):
    from dryneedling.accounting.services import charges_post

    with pytest.raises(PermissionDenied, match="not a patient of your clinic"):
        _pay(carol, patient_a)
    with pytest.raises(PermissionDenied, match="not a patient of your clinic"):
        charges_post(actor=carol, patient=patient_a)
