"""The billing pages (issue 11): the patient's billing page, the statement PDF, balances, the CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse

from tests.accounting.conftest import signed_session
from tests.conftest import csrf_token


def _post(client, url, data=None):  # type: ignore[no-untyped-def]
    """POST as a browser would: with the CSRF token of a page of the clinic (the balances page)."""
    return client.post(url, (data or {}) | {"csrfmiddlewaretoken": csrf_token(client, reverse("balances"))})


@pytest.mark.django_db
def test_front_desk_posts_charges_records_a_payment_and_sees_the_balance(
    alice, bob_client, patient_a, ready_episode, fee_20560
):
    from dryneedling.accounts.models import AuditEvent

    signed_session(alice, ready_episode)
    url = reverse("patient-billing", args=[patient_a.pk])
    page = bob_client.get(url).content.decode()
    assert "1 signed session not charged yet" in page
    assert AuditEvent.objects.filter(action="billing.view", patient_id=patient_a.pk).exists()
    _post(bob_client, reverse("patient-charges-post", args=[patient_a.pk]))
    _post(bob_client, reverse("patient-charges-post", args=[patient_a.pk]))  # idempotent
    page = bob_client.get(url).content.decode()
    assert "Balance due 85.00" in page and page.count('<strong class="cpt">20560</strong>') == 1
    today = date.today().isoformat()
    response = _post(bob_client, url, {"amount": "60", "method": "card", "received_on": today, "reference": "R-19"})
    assert response.status_code == 302
    page = bob_client.get(url).content.decode()
    assert "Balance due 25.00" in page and "R-19" in page


@pytest.mark.django_db
def test_a_card_number_is_a_field_error_and_the_typed_amount_stays(bob_client, patient_a):
    from dryneedling.accounting.models import Payment

    url = reverse("patient-billing", args=[patient_a.pk])
    data = {
        "amount": "42.50",
        "method": "card",
        "received_on": date.today().isoformat(),
        "reference": "4111111111111111",
    }
    response = _post(bob_client, url, data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Card numbers must not be stored" in page and 'value="42.50"' in page
    assert not Payment.objects.for_clinic(patient_a.clinic_id).exists()


@pytest.mark.django_db
def test_the_statement_pdf_lists_charges_payments_and_balance_due(
    alice, bob, dana, bob_client, patient_a, ready_episode, fee_20560
):
    from pypdf import PdfReader

    from dryneedling.accounting.services import charges_post, payment_record
    from dryneedling.accounts.logo import clinic_logo_set
    from dryneedling.accounts.models import AuditEvent, Clinic
    from tests.images import image_bytes
    from tests.treatment.test_pdf_logo import pdf_image_count

    Clinic.objects.filter(pk=patient_a.clinic_id).update(address="12 Harbour Road\nPortsmouth", phone="555-0199")
    clinic_logo_set(actor=dana, data=image_bytes())
    session = signed_session(alice, ready_episode)
    charges_post(actor=bob, patient=patient_a)
    payment_record(actor=bob, patient=patient_a, amount="30.00", method="cash", received_on=date.today())
    response = bob_client.get(reverse("patient-statement-pdf", args=[patient_a.pk]))
    assert pdf_image_count(response.content) == 1  # the clinic's logo
    assert AuditEvent.objects.filter(action="statement_pdf.view", patient_id=patient_a.pk).exists()
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Statement" in text and patient_a.clinic.name in text and "Zelda Quimby" in text
    assert "12 Harbour Road" in text and "Portsmouth" in text and "555-0199" in text
    assert "20560" in text and session.started_at.date().isoformat() in text
    assert "30.00" in text and "Balance due: 55.00" in text
    assert f"#{session.pk}" not in text and "BILL-" not in text  # no internal ids or source keys


@pytest.mark.django_db
def test_another_clinic_gets_404_and_no_data(alice, bob, carol_client, patient_a, ready_episode, fee_20560):
    from dryneedling.accounting.services import charges_post, payment_record

    signed_session(alice, ready_episode)
    charges_post(actor=bob, patient=patient_a)
    payment = payment_record(actor=bob, patient=patient_a, amount="30.00", method="cash", received_on=date.today())
    for url in (
        reverse("patient-billing", args=[patient_a.pk]),
        reverse("patient-statement-pdf", args=[patient_a.pk]),
    ):
        response = carol_client.get(url)
        assert response.status_code == 404 and b"Quimby" not in response.content
    assert _post(carol_client, reverse("payment-void", args=[payment.pk]), {"reason": "x"}).status_code == 404
    page = carol_client.get(reverse("balances")).content
    assert b"Quimby" not in page and b"No patient has a balance" in page


@pytest.mark.django_db
def test_balances_and_the_csv_export_for_the_clinic_admin(
    alice, bob, bob_client, dana_client, patient_a, ready_episode, fee_20560
):
    from dryneedling.accounting.services import charges_post

    signed_session(alice, ready_episode)
    charges_post(actor=bob, patient=patient_a)
    page = bob_client.get(reverse("balances")).content.decode()
    assert "Zelda" in page and "85.00" in page and "Download CSV" not in page
    assert bob_client.get(reverse("ledger-export")).status_code == 403
    start, end = (date.today() - timedelta(days=3)).isoformat(), date.today().isoformat()
    response = dana_client.get(reverse("ledger-export"), {"start": start, "end": end})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert [r[1] for r in rows[1:]] == ["charge"] and rows[1][9] == "85.00"
    bad = dana_client.get(reverse("ledger-export"), {"start": end, "end": start})
    assert bad.status_code == 400 and "on or after the start date" in bad.content.decode()


@pytest.mark.django_db
def test_the_clinic_admin_voids_a_payment_with_a_reason(bob, dana_client, patient_a):
    from dryneedling.accounting.models import Payment
    from dryneedling.accounting.services import payment_record

    payment = payment_record(actor=bob, patient=patient_a, amount="30.00", method="cash", received_on=date.today())
    _post(dana_client, reverse("payment-void", args=[payment.pk]), {"reason": "Recorded twice"})
    payment = Payment.objects.for_clinic(patient_a.clinic_id).get()
    assert payment.voided_at is not None and payment.void_reason == "Recorded twice"
    page = dana_client.get(reverse("patient-billing", args=[patient_a.pk])).content.decode()
    assert "<s>30.00</s>" in page and "Balance due 0.00" in page


@pytest.mark.django_db
def test_the_patient_page_and_nav_link_to_billing(bob_client, patient_a):
    page = bob_client.get(reverse("patient-detail", args=[patient_a.pk])).content.decode()
    assert reverse("patient-billing", args=[patient_a.pk]) in page and reverse("balances") in page
