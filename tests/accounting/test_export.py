"""The accounting CSV: contents, the date range, and no formula injection (issue 11)."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from tests.accounting.conftest import signed_session


def test_cells_that_a_spreadsheet_would_run_are_quoted() -> None:
    from dryneedling.accounting.export import safe_cell

    assert [safe_cell(v) for v in ("=1+2", "+SUM(A1)", "-2", "@cmd", "\tx", "ok", Decimal("5.00"))] == [
        "'=1+2",
        "'+SUM(A1)",
        "'-2",
        "'@cmd",
        "'\tx",
        "ok",
        "5.00",
    ]


@pytest.mark.django_db
def test_the_ledger_lists_charges_and_payments_in_the_range(alice, bob, dana, patient_a, ready_episode, fee_20560):
    from dryneedling.accounting.export import ledger_csv
    from dryneedling.accounting.selectors import ledger_for
    from dryneedling.accounting.services import charges_post, payment_record

    signed_session(alice, ready_episode)
    charges_post(actor=bob, patient=patient_a)
    yesterday = date.today() - timedelta(days=1)
    payment_record(
        actor=bob, patient=patient_a, amount="40", method="card", received_on=yesterday, reference="=HYPERLINK(1)"
    )
    old = payment_record(
        actor=bob, patient=patient_a, amount="5", method="cash", received_on=date.today() - timedelta(days=40)
    )
    charges, payments = ledger_for(actor=dana, start=date.today() - timedelta(days=7), end=date.today())
    assert old.pk not in [p.pk for p in payments]
    rows = list(csv.reader(io.StringIO(ledger_csv(charges, payments))))
    assert rows[0][:4] == ["date", "type", "patient", "mrn"]
    by_type = {r[1]: r for r in rows[1:]}
    assert by_type["charge"][4:7] == ["20560", "1", "Commercial insurance"] and by_type["charge"][9] == "85.00"
    assert by_type["payment"][7:11] == ["Card", "'=HYPERLINK(1)", "", "40.00"]
    assert by_type["payment"][0] == yesterday.isoformat()
    with pytest.raises(PermissionDenied, match="Only a clinic admin"):
        ledger_for(actor=bob, start=yesterday, end=date.today())
